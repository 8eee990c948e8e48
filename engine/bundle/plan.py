"""What goes into a built app: the app's name, the files the story uses, the copy.

Pure apart from the copy itself: no pygame, no PyInstaller.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from engine.manifest import load_story, story_id
from engine.model import Story
from engine.voice.recorded import SUFFIXES

BUNDLE_FILE = "chatlog-vn-bundle.json"
BUNDLE_FORMAT = 1
STORY_DIR = "story"  # inside the app's data folder (PyInstaller's _internal)

# Characters no file name may hold on Windows, macOS or Linux, and the names
# Windows reserves whatever the extension.
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
MAX_NAME = 60


class BuildError(Exception):
    """The app cannot be built; the message says why and what to do."""


def app_name(title: str) -> str:
    """The story's title as a file name safe on every desktop system.

    Japanese is kept as it is (NFC, so macOS and Windows agree); characters a
    file system refuses become `_`, spaces run together, and a name Windows
    reserves (CON, NUL, COM1, ...) or an empty one gets a suffix or a default.
    """
    name = unicodedata.normalize("NFC", title)
    name = re.sub(r"\s+", " ", name)  # tabs and newlines too, before they count as unsafe
    name = _UNSAFE.sub("_", name).strip(" .")
    name = name[:MAX_NAME].rstrip(" .")
    if not name.strip("_"):
        return "story"
    if _RESERVED.match(name):
        name = f"{name}_"
    return name


def story_files(story: Story) -> list[Path]:
    """Every file the story reads that exists: scripts, story.yaml, fonts, icon, assets,
    voices (speaker models, recorded lines).

    All are inside the story root (the manifest refuses paths that leave it);
    a missing asset (a warning of `check`) is left out, as the player would
    show its placeholder.
    """
    found: dict[Path, None] = {}
    for path in _used_paths(story):
        if path is not None and Path(path).is_file():
            # The folder resolved, not the file: a file that is a link is copied under the
            # name the player opens it by (recorded lines are found by name).
            found.setdefault(Path(path).parent.resolve() / Path(path).name, None)
    return list(found)


def _used_paths(story: Story) -> Iterator[Path | None]:
    yield story.manifest
    yield from (Path(s.file) for s in story.scripts)
    yield story.font
    yield from story.fallback_fonts
    yield story.icon
    for character in story.characters.values():
        yield from character.portraits.values()
        yield character.sound
    for ref in story.scenes:
        yield ref.config.background
        yield ref.config.music
    yield from _voice_paths(story)


def _voice_paths(story: Story) -> Iterator[Path | None]:
    """The voice files story.yaml names: speakers' .htsvoice models and the recorded lines."""
    yield story.voice.narrator.speaker
    for character in story.characters.values():
        if character.voice is not None:
            yield character.voice.speaker
    folder = story.voice.recorded
    if folder is None or not folder.is_dir():
        return
    root = story.root.resolve()
    for path in sorted(folder.rglob("*")):
        # As engine.voice.recorded plays them: by suffix, and only inside the story.
        if (path.suffix.lower() in SUFFIXES and path.resolve().is_relative_to(root)
                and path.parent.resolve().is_relative_to(root)):
            yield path


def copy_story(story: Story, source: Path, data_dir: Path) -> Path:
    """Copy the story's files into `data_dir/story/ROOT/` at their own relative paths.

    ROOT is the story root's own name, so the copy has the same title and
    save folder as the original (both derive from it). `source` is the path
    the writer named (a folder, story.yaml or one script). Returns the path
    the app loads, after checking that the copy is the same story.
    """
    root = story.root.resolve()
    dest_root = data_dir / STORY_DIR / (root.name or "story")
    for path in story_files(story):
        target = dest_root / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)  # content only: the copy's modes are the app's own
    if story.manifest is not None and story.manifest.parent.resolve() != root:
        # scripts/story.yaml makes the folder above the root only when assets/ is beside it
        (dest_root / "assets").mkdir(parents=True, exist_ok=True)
    source = source.resolve()
    target = dest_root / source.relative_to(root) if source.is_file() else dest_root
    _same_story(story, target)
    return target


def _same_story(original: Story, target: Path) -> None:
    copy = load_story(target)
    same = (copy.title == original.title and story_id(copy) == story_id(original)
            and _shape(copy) == _shape(original))
    if not same:
        raise BuildError(f"the copy of the story in {target} does not play as the original "
                         "(different title, scripts or scenes); please report this")


def _shape(story: Story) -> list[tuple[str, int]]:
    root = story.root.resolve()
    return [(Path(s.file).resolve().relative_to(root).as_posix(), len(s.messages))
            for s in story.scripts]


def write_bundle_info(data_dir: Path, target: Path, story: Story, version: str) -> Path:
    """The file engine.bundle.launch reads: which story the app plays."""
    info = {
        "format": BUNDLE_FORMAT,
        "story": target.relative_to(data_dir).as_posix(),
        "title": story.title,
        "story_id": story_id(story),
        "engine": version,
    }
    path = data_dir / BUNDLE_FILE
    path.write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
