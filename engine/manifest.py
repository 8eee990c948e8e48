"""story.yaml -> Story: find a story, read its manifest, bind it to its scripts.

A story is a folder of LOG scripts with an optional `story.yaml`. This module
finds the story's root and scripts, reads the manifest with PyYAML's safe
loader (composing nodes first, so every problem can name its file, line and
key), and builds the immutable `engine.model.Story` the player and the tools
share. It never raises for a bad manifest: each problem becomes a Diagnostic
(codes YML001..., tabled in docs/STORY-YAML.md) and a default is used instead.
Only a story with nothing to play at all raises `StoryError`.

Pure: no pygame. The only I/O is reading story.yaml and the scripts.
"""

from __future__ import annotations

import colorsys
import hashlib
import os
import re
import reprlib
from collections.abc import Callable, Iterable, Set
from dataclasses import field, replace
from datetime import datetime
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import yaml
    from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


from engine import assetfiles, logformat
from engine.logformat.labels import MAX_LABEL
from engine.model import (
    Character,
    Diagnostic,
    LayoutOptions,
    Pos,
    SceneConfig,
    SceneRef,
    Script,
    Severity,
    Story,
    StoryVoice,
    record,
    set_field,
)
from engine.voice.keys import character_voice, read_character_voice, read_story_voice

MANIFEST_NAMES = ("story.yaml", "story.yml")
SCRIPT_SUFFIXES = (".log", ".txt", ".html", ".htm")
# Files a writer keeps beside the scripts that are never scripts themselves.
_NOT_SCRIPTS = re.compile(r"^(readme|license|licence|changelog|notes?)\b", re.IGNORECASE)

TOP_KEYS = ("title", "ui_language", "view", "font", "fallback_fonts", "icon", "scripts",
            "characters", "scenes", "layout", "voice")
CHARACTER_KEYS = ("name", "reading", "color", "side", "portrait", "expressions", "sound",
                  "voice")
SCENE_KEYS = ("background", "music", "view")
LAYOUT_KEYS = ("strictness", "phrase_wrapping", "hanging_punctuation", "latin_spacing", "justify")

# Pleasant, clearly different name colours (light enough for a dark name plate).
PALETTE: tuple[tuple[int, int, int], ...] = (
    (232, 160, 180), (143, 184, 232), (150, 214, 160), (240, 200, 120),
    (190, 160, 232), (120, 210, 210), (240, 150, 120), (200, 210, 130),
    (230, 170, 230), (160, 200, 250), (250, 180, 150), (170, 230, 200),
)


class StoryError(Exception):
    """There is nothing playable at the given path (missing, or no scripts)."""


# --- public helpers ---------------------------------------------------------


def resolve_asset(root: Path, value: str) -> Path:
    """The absolute path of `value` inside `root`; ValueError if it would leave it.

    Absolute paths and drive letters are refused outright; `..` and symlinks
    are allowed only when the resolved target is still inside the root.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError("empty path")
    if "\x00" in value:
        raise ValueError("path contains a NUL character")
    text = value.strip().replace("\\", "/")
    win = PureWindowsPath(value.strip())
    if PurePosixPath(text).is_absolute() or win.drive or win.is_absolute():
        raise ValueError(f"absolute path {clip(value)!r} is not allowed; "
                         "use a path inside the story folder")
    base = Path(root).resolve()
    try:
        target = (base / Path(*PurePosixPath(text).parts)).resolve()
    except (OSError, RuntimeError) as exc:  # a name too long for the system, a link loop
        why = getattr(exc, "strerror", None) or "it cannot be resolved"
        raise ValueError(f"path {clip(value)!r} cannot be used ({why})") from None
    if target != base and not target.is_relative_to(base):
        raise ValueError(f"path {clip(value)!r} leaves the story folder")
    return target


def clip(text: str, limit: int = 40) -> str:
    """`text` for a message: at most `limit` characters, with … where it was cut."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def is_file(path: Path) -> bool:
    """Path.is_file, but False for a path the system refuses (a name too long)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def default_color(label: str, index: int) -> tuple[int, int, int]:
    """A distinct, pleasant name colour for the `index`-th character of a story.

    The first dozen come from a hand-picked palette so neighbours always
    differ; beyond it the label's hash picks a hue, so a large cast still gets
    stable, varied colours.
    """
    if 0 <= index < len(PALETTE):
        return PALETTE[index]
    digest = hashlib.blake2b(label.encode("utf-8"), digest_size=4).digest()
    hue = int.from_bytes(digest, "big") / 2**32
    r, g, b = colorsys.hls_to_rgb(hue, 0.74, 0.62)
    return (round(r * 255), round(g * 255), round(b * 255))


def story_id(story: Story) -> str:
    """A stable id for saves: the root folder's name (ASCII part) and a hash of title and root."""
    slug = re.sub(r"[^a-z0-9]+", "-", story.root.name.lower()).strip("-")[:24] or "story"
    digest = hashlib.blake2b(digest_size=6)
    digest.update(story.title.encode("utf-8"))
    digest.update(b"\x00")
    digest.update(story.root.name.encode("utf-8"))
    return f"{slug}-{digest.hexdigest()}"


def find_story(start: Path) -> Path | None:
    """The story in folder `start`: story.yaml in it or in its scripts/, or .log files."""
    start = Path(start)
    if not start.is_dir():
        return None
    for folder in (start, start / "scripts"):
        if any((folder / name).is_file() for name in MANIFEST_NAMES):
            return start
    for folder in (start, start / "scripts"):
        if folder.is_dir() and any(p.suffix.lower() == ".log"
                                   for p in _script_files(folder, root=start)):
            return start
    return None


def load_story(path: str | os.PathLike[str], *, check_assets: bool = False) -> Story:
    """Load the story at `path` (a story folder, story.yaml, a folder of scripts, or one script).

    Raises StoryError only when nothing is playable; every other problem is a
    Diagnostic in Story.diagnostics (manifest) or in a script's diagnostics.
    Font files are always judged (one the player cannot open is dropped);
    with `check_assets` (the `check` command) every image and audio file
    story.yaml names is judged too (engine.assetfiles), which the player
    leaves to the moment it loads them.
    """
    where = _locate(Path(path))
    manifest = _read_manifest(where, check_assets) if where.manifest else _Manifest()
    diags = list(manifest.diagnostics)
    found = _script_files(where.scripts_dir, where.single, where.root)
    links = [] if where.single else outside_links(where.scripts_dir, where.root)
    diags += [_link_diagnostic(link, where.root) for link in links]
    script_paths = manifest.scripts or found
    if manifest.scripts and manifest.scripts_pos is not None:
        diags += _unlisted(manifest, found, where.root)
    if not script_paths:
        refused = "".join(f"; {_shown_link(link, where.root)}" for link in links[:3])
        raise StoryError(f"{path}: no scripts (.log, .txt or .html files) to play{refused}")
    scripts = tuple(logformat.load(p) for p in script_paths)
    declared = frozenset(spec.label for spec in manifest.characters)
    scripts = _drop_declared_slips(scripts, declared)
    view = manifest.view or "adv"
    scenes = _bind_scenes(scripts, manifest.scenes, view, diags)
    if not any(ref.scene.messages for ref in scenes):
        diags += [Diagnostic(Pos(s.file, 1), "error", "YML024",
                             f"{Path(s.file).name} {unplayable_reason(s)}, so the story has "
                             "nothing to play") for s in scripts]
    characters = _bind_characters(scripts, manifest, diags)
    return Story(
        root=where.root,
        title=manifest.title or where.title,
        scripts=scripts,
        characters=characters,
        scenes=scenes,
        view=view,
        ui_language=manifest.ui_language,
        font=manifest.font,
        fallback_fonts=manifest.fallback_fonts,
        icon=manifest.icon,
        layout=manifest.layout,
        manifest=where.manifest,
        diagnostics=tuple(sorted(diags, key=lambda d: (d.pos.file, d.pos.line, d.pos.col))),
        declared=declared,
        voice=manifest.voice,
    )



def unplayable_reason(script: Script) -> str:
    """Why a script gives the player nothing: no LOG block, or blocks without messages."""
    if not script.scenes:
        return "has no LOG block"
    return "has LOG blocks that hold no messages"


def _drop_declared_slips(scripts: tuple[Script, ...], declared: Set[str]) -> tuple[Script, ...]:
    """`scripts` without the parser's LOG040 ("used once; did you mean ...?") for
    labels story.yaml declares as characters: a declared spelling is a name, not a slip.

    The parser reports a label at its only use, so the label is the speaker of
    the message at the diagnostic's line.
    """
    if not declared:
        return scripts
    out = []
    for script in scripts:
        speakers = {pos.line: label for label, (_, pos) in logformat.speaker_uses(script).items()}
        kept = tuple(d for d in script.diagnostics
                     if d.code != "LOG040" or speakers.get(d.pos.line) not in declared)
        out.append(script if len(kept) == len(script.diagnostics)
                   else replace(script, diagnostics=kept))
    return tuple(out)


# --- where the story is -----------------------------------------------------


@record
class _Where:
    root: Path
    manifest: Path | None
    scripts_dir: Path  # where scripts are looked for when story.yaml names none
    title: str
    single: Path | None = None  # a single script file given directly

    def __init__(
        self,
        root: Path,
        manifest: Path | None,
        scripts_dir: Path,
        title: str,
        single: Path | None = None,
    ) -> None:
        set_field(self, "root", root)
        set_field(self, "manifest", manifest)
        set_field(self, "scripts_dir", scripts_dir)
        set_field(self, "title", title)
        set_field(self, "single", single)


def _locate(path: Path) -> _Where:
    if not path.exists():
        raise StoryError(f"{path}: no such file or folder")
    path = path.resolve()
    if path.is_file():
        if path.name.lower().endswith((".yaml", ".yml")):
            return _where_manifest(path)
        return _Where(path.parent, None, path.parent, path.stem, single=path)
    for folder in (path, path / "scripts"):
        for name in MANIFEST_NAMES:
            if (folder / name).is_file():
                return _where_manifest(folder / name)
    if not _script_files(path, root=path) and _script_files(path / "scripts", root=path):
        return _Where(path, None, path / "scripts", path.name)
    return _Where(path, None, path, path.name)


def _where_manifest(manifest: Path) -> _Where:
    folder = manifest.parent
    # This repository's layout: scripts/story.yaml beside assets/ -> root is the folder above.
    if folder.name == "scripts" and (folder.parent / "assets").is_dir():
        return _Where(folder.parent, manifest, folder, folder.parent.name)
    return _Where(folder, manifest, folder, folder.name)


def _script_files(folder: Path, single: Path | None = None, root: Path | None = None
                  ) -> list[Path]:
    """The scripts in `folder` by name; with `root`, without links whose file is outside it."""
    if single is not None:
        return [single]
    found = _candidates(folder)
    if root is not None:
        found = [p for p in found if not _leaves(p, root)]
    return sorted(found, key=_natural_key)


def _candidates(folder: Path) -> list[Path]:
    """Files in `folder` named like scripts (hidden files and README-like names skipped)."""
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir()
            if p.is_file() and p.suffix.lower() in SCRIPT_SUFFIXES
            and not p.name.startswith(".") and not _NOT_SCRIPTS.match(p.name)]


def outside_links(folder: Path, root: Path) -> list[Path]:
    """Files in `folder` named like scripts that are links to a file outside `root`.

    The folder scan never opens them, as story.yaml may not name them (YML007):
    a story's files are what is inside its folder.
    """
    return sorted((p for p in _candidates(folder) if _leaves(p, root)), key=_natural_key)


def _leaves(path: Path, root: Path) -> bool:
    try:
        real, base = path.resolve(), Path(root).resolve()
    except (OSError, RuntimeError):
        return True
    return real != base and not real.is_relative_to(base)


def _link_diagnostic(link: Path, root: Path) -> Diagnostic:
    return Diagnostic(Pos(str(link), 1, 1), "error", "YML007", _shown_link(link, root))


def _shown_link(link: Path, root: Path) -> str:
    try:
        name = link.relative_to(root).as_posix()
    except ValueError:
        name = link.name
    try:
        target = str(link.resolve())
    except (OSError, RuntimeError):
        target = "a path that cannot be resolved"
    return (f"{clip(name)} is a link to {clip(target, 80)}, outside the story folder; "
            "it is not read")


def _unlisted(manifest: _Manifest, found: list[Path], root: Path) -> list[Diagnostic]:
    """A script beside the others that story.yaml's `scripts` leaves out is never played."""
    assert manifest.scripts_pos is not None
    listed = set(manifest.scripts)
    return [Diagnostic(manifest.scripts_pos, "warning", "YML019",
                       f"scripts: '{_shown(p, root)}' is not listed, so it is not played")
            for p in found if p.resolve() not in listed]


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _natural_key(path: Path) -> list[object]:
    """Sort key so `2.log` comes before `10.log`."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.name)]


# --- reading story.yaml -----------------------------------------------------


@record
class _CharSpec:
    """What story.yaml says about one character; unset fields are None."""

    label: str
    pos: Pos
    name: str | None = None
    color: tuple[int, int, int] | None = None
    side: str | None = None
    portraits: dict[str, Path] = field(default_factory=dict)
    expressions: dict[str, str] = field(default_factory=dict)
    sound: Path | None = None
    reading: str | None = None
    voice: dict[str, object] = field(default_factory=dict)  # the voice keys given

    def __init__(
        self,
        label: str,
        pos: Pos,
        name: str | None = None,
        color: tuple[int, int, int] | None = None,
        side: str | None = None,
        portraits: dict[str, Path] | None = None,
        expressions: dict[str, str] | None = None,
        sound: Path | None = None,
        reading: str | None = None,
        voice: dict[str, object] | None = None,
    ) -> None:
        set_field(self, "label", label)
        set_field(self, "pos", pos)
        set_field(self, "name", name)
        set_field(self, "color", color)
        set_field(self, "side", side)
        set_field(self, "portraits", {} if portraits is None else portraits)
        set_field(self, "expressions", {} if expressions is None else expressions)
        set_field(self, "sound", sound)
        set_field(self, "reading", reading)
        set_field(self, "voice", {} if voice is None else voice)


@record(frozen=False)
class _Manifest:
    """story.yaml as read, before it is bound to the scripts."""

    title: str | None = None
    ui_language: str | None = None
    view: str | None = None
    font: Path | None = None
    fallback_fonts: tuple[Path, ...] = ()
    icon: Path | None = None
    scripts: list[Path] = field(default_factory=list)
    scripts_pos: Pos | None = None  # where `scripts:` is written, for the unlisted-file warning
    characters: list[_CharSpec] = field(default_factory=list)
    scenes: list[tuple[int | str, SceneConfig, Pos]] = field(default_factory=list)
    layout: LayoutOptions = LayoutOptions()
    diagnostics: list[Diagnostic] = field(default_factory=list)
    voice: StoryVoice = StoryVoice()

    def __init__(
        self,
        title: str | None = None,
        ui_language: str | None = None,
        view: str | None = None,
        font: Path | None = None,
        fallback_fonts: tuple[Path, ...] = (),
        icon: Path | None = None,
        scripts: list[Path] | None = None,
        scripts_pos: Pos | None = None,
        characters: list[_CharSpec] | None = None,
        scenes: list[tuple[int | str, SceneConfig, Pos]] | None = None,
        layout: LayoutOptions | None = None,
        diagnostics: list[Diagnostic] | None = None,
        voice: StoryVoice | None = None,
    ) -> None:
        self.title = title
        self.ui_language = ui_language
        self.view = view
        self.font = font
        self.fallback_fonts = fallback_fonts
        self.icon = icon
        self.scripts = [] if scripts is None else scripts
        self.scripts_pos = scripts_pos
        self.characters = [] if characters is None else characters
        self.scenes = [] if scenes is None else scenes
        self.layout = LayoutOptions() if layout is None else layout
        self.diagnostics = [] if diagnostics is None else diagnostics
        self.voice = StoryVoice() if voice is None else voice


def _import_yaml() -> None:
    """Bind PyYAML's module and node classes, the first time a story.yaml is read.

    A story of scripts alone never pays for importing PyYAML (a good part
    of the player's start-up). Bound as this module's globals because the
    readers below use them throughout.
    """
    global yaml, MappingNode, ScalarNode, SequenceNode
    if "yaml" in globals():
        return
    import yaml
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode


def _read_manifest(where: _Where, check_assets: bool = False) -> _Manifest:
    assert where.manifest is not None
    _import_yaml()
    file = str(where.manifest)
    out = _Manifest()
    try:
        text = where.manifest.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        out.diagnostics.append(Diagnostic(Pos(file, 1), "error", "YML017",
                                          f"story.yaml is not UTF-8 ({exc.reason}); it was ignored"))
        return out
    except OSError as exc:
        out.diagnostics.append(Diagnostic(Pos(file, 1), "error", "YML017",
                                          f"cannot read story.yaml: {exc.strerror}"))
        return out
    reader = _Reader(file, where, out.diagnostics, check_assets)
    root = reader.compose(text)
    if root is not None:
        reader.read_top(root, out)
    return out


# A title or a name is drawn on one line; past this it is shortened (YML023).
TITLE_LIMIT = 200
NAME_LIMIT = 40
_MESSAGE_LIMIT = 400
# What the player shows instead of an asset file it cannot use.
_FALLBACK = {"image": "a placeholder is shown", "audio": "it is not played",
             "font": "the default font is used"}

_Missing = tuple[Severity, str, str] | None
_MISSING_ASSET: tuple[Severity, str, str] = ("warning", "YML008", "a placeholder is shown")
_MISSING_FONT: tuple[Severity, str, str] = ("warning", "YML008", "the default font is used")
_MISSING_ICON: tuple[Severity, str, str] = ("warning", "YML008", "the default window icon is used")
_MISSING_SCRIPT: tuple[Severity, str, str] = ("error", "YML009", "this script cannot be played")


class _Reader:
    """Walks the composed YAML nodes, so every value keeps its line for messages.

    Scalars are turned into Python values by PyYAML's SafeConstructor only
    (the constructor `yaml.safe_load` uses); any tag outside the safe set is
    reported and the value ignored, never constructed.
    """

    def __init__(self, file: str, where: _Where, diags: list[Diagnostic],
                 check_assets: bool = False) -> None:
        self.file = file
        self.where = where
        self.diags = diags
        self.check_assets = check_assets
        self.loader: yaml.SafeLoader | None = None
        self.judged: dict[tuple[str, Path], str | None] = {}

    # -- diagnostics

    def pos(self, node: Node) -> Pos:
        return Pos(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def report(self, node: Node, severity: Severity, code: str, message: str) -> None:
        if len(message) > _MESSAGE_LIMIT:  # a value quoted whole would flood the console
            message = message[:_MESSAGE_LIMIT - 60] + " … " + message[-57:]
        self.diags.append(Diagnostic(self.pos(node), severity, code, message))

    # -- composing

    def compose(self, text: str) -> Node | None:
        """The root mapping of `text`, nesting bounded (engine.yamlnodes); None if unreadable."""
        from engine import yamlnodes

        loader, node = yamlnodes.compose(text, self.file, self.diags)
        if loader is None:
            return None
        return self._accept(loader, node)

    def _accept(self, loader: yaml.SafeLoader, node: Node | None) -> Node | None:
        """Keep the loader (it constructs the scalars); the root must be a mapping."""
        self.loader = loader
        if node is not None and not isinstance(node, MappingNode):
            self.report(node, "error", "YML002", "story.yaml must be a mapping of keys to values")
            return None
        return node

    def safe(self, node: Node, key: str) -> bool:
        """False (with an error) for a tag the safe loader does not know, e.g. !!python/object."""
        if node.tag in yaml.SafeLoader.yaml_constructors:
            return True
        self.report(node, "error", "YML006",
                    f"{key}: tag '{_short_tag(node.tag)}' is not allowed in story.yaml; "
                    "the value was ignored")
        return False

    def construct(self, node: Node, key: str) -> object:
        """The node's Python value via the safe constructor, or None if refused."""
        assert self.loader is not None
        if not self.safe(node, key):
            return None
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self.report(node, "error", "YML006", f"{key}: {getattr(exc, 'problem', exc)}; ignored")
            return None

    # -- typed getters

    def items(self, node: Node, key: str, allowed: Iterable[str] | None
              ) -> list[tuple[str, Node, Node]]:
        """A mapping's (key text, key node, value node); unknown and repeated keys warned."""
        if not self.safe(node, key):
            return []
        if not isinstance(node, MappingNode):
            if not (isinstance(node, ScalarNode) and node.tag.endswith(":null")):
                self.wrong_type(node, key, "a mapping")
            return []
        assert self.loader is not None
        try:
            self.loader.flatten_mapping(node)  # honour `<<:` merge keys like safe_load does
        except yaml.YAMLError as exc:
            self.report(node, "error", "YML006", f"{key}: {getattr(exc, 'problem', exc)}")
            return []
        return self._keys(node, key, None if allowed is None else tuple(allowed))

    def _keys(self, node: MappingNode, key: str, allowed: tuple[str, ...] | None
              ) -> list[tuple[str, Node, Node]]:
        seen: dict[str, Node] = {}
        out: list[tuple[str, Node, Node]] = []
        for knode, vnode in node.value:
            if not isinstance(knode, ScalarNode) or not self.safe(knode, key):
                self.wrong_type(knode, key, "plain keys")
                continue
            name = str(knode.value)
            if name in seen:
                self.report(knode, "warning", "YML010",
                            f"{_join(key, name)}: key repeated (first at line "
                            f"{seen[name].start_mark.line + 1}); the last one is used")
                out = [t for t in out if t[0] != name]
            seen[name] = knode
            if allowed is not None and name not in allowed:
                self.unknown(knode, key, name, allowed)
                continue
            out.append((name, knode, vnode))
        return out

    def unknown(self, node: Node, key: str, name: str, allowed: tuple[str, ...]) -> None:
        import difflib  # only when a key is unknown

        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6) if len(name) < 64 else []
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        where = f" in {key}" if key else ""
        self.report(node, "warning", "YML003", f"unknown key '{clip(name)}'{where}{hint}; ignored")

    def wrong_type(self, node: Node, key: str, expected: str) -> None:
        self.report(node, "error", "YML004",
                    f"{key}: expected {expected}, got {_describe(node)}; the default is used")

    def text(self, node: Node, key: str, limit: int | None = None) -> str | None:
        """A string value; numbers are taken as written (`name: 2001`).

        With `limit`, a longer value is shortened to it (with a warning):
        a title or a name is drawn on one line.
        """
        if not self.safe(node, key):
            return None
        if isinstance(node, ScalarNode):
            value = self.construct(node, key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(node.value)
            if isinstance(value, str):
                return value if limit is None else self.shortened(node, key, value, limit)
        self.wrong_type(node, key, "a string")
        return None

    def shortened(self, node: Node, key: str, value: str, limit: int) -> str:
        if len(value) <= limit:
            return value
        self.report(node, "warning", "YML023",
                    f"{key}: {len(value):,} characters long (at most {limit}); "
                    f"shortened to '{clip(value, 24)}'")
        return clip(value, limit)

    def choice(self, node: Node, key: str, options: tuple[str, ...]) -> str | None:
        value = self.text(node, key)
        if value is None:
            return None
        if value not in options:
            self.report(node, "error", "YML005",
                        f"{key}: '{clip(value)}' is not one of {', '.join(options)}; the default is used")
            return None
        return value

    def boolean(self, node: Node, key: str) -> bool | None:
        if not self.safe(node, key):
            return None
        value = self.construct(node, key) if isinstance(node, ScalarNode) else None
        if isinstance(value, bool):
            return value
        self.wrong_type(node, key, "true or false")
        return None

    def path(self, node: Node, key: str, missing: _Missing = None,
             kind: assetfiles.Kind | None = None) -> Path | None:
        """A path inside the story root; a missing file is reported (`missing`), the path kept.

        With `kind` and `check_assets`, a file the player cannot use as that
        kind is a warning (YML022); the path is kept, so a fixed file is
        picked up while the story plays.
        """
        severity, code, note = missing or _MISSING_ASSET
        value = self.text(node, key)
        if value is None:
            return None
        try:
            found = _resolve_in_story(self.where, value)
        except ValueError as exc:
            self.report(node, "error", "YML007", f"{key}: {exc}; ignored")
            return None
        if not is_file(found):
            self.report(node, severity, code, f"{key}: file '{clip(value)}' not found ({note})")
        elif kind is not None and self.check_assets:
            self.check_asset(node, key, kind, found, value)
        return found

    def check_asset(self, node: Node, key: str, kind: assetfiles.Kind, found: Path,
                    value: str) -> None:
        why = self.usable(kind, found)
        if why is not None:
            self.report(node, "warning", "YML022",
                        f"{key}: '{clip(value)}' cannot be used: {why} ({_FALLBACK[kind]})")

    def usable(self, kind: assetfiles.Kind, found: Path) -> str | None:
        """Why the file cannot be used as `kind` (None: it can), each file judged once."""
        if (kind, found) not in self.judged:
            self.judged[(kind, found)] = assetfiles.problem(kind, found)
        return self.judged[(kind, found)]

    def paths(self, node: Node, key: str, missing: _Missing = None) -> list[tuple[Path, Node]]:
        """A list of paths (a single string is a list of one), each with its node."""
        if not self.safe(node, key):
            return []
        if isinstance(node, ScalarNode) and not node.tag.endswith(":null"):
            nodes = [node]
        elif isinstance(node, SequenceNode):
            nodes = list(node.value)
        else:
            if not (isinstance(node, ScalarNode) and node.tag.endswith(":null")):
                self.wrong_type(node, key, "a list of paths")
            return []
        out = []
        for i, item in enumerate(nodes):
            found = self.path(item, f"{key}[{i}]", missing)
            if found is not None:
                out.append((found, item))
        return out

    # -- the schema

    def read_top(self, root: Node, out: _Manifest) -> None:
        """Read each top-level key into `out` (the _Manifest field of the same name)."""
        readers: dict[str, Callable[[Node], object]] = {
            "title": lambda n: self.text(n, "title", TITLE_LIMIT),
            "ui_language": lambda n: self.choice(n, "ui_language", ("ja", "en")),
            "view": lambda n: self.choice(n, "view", ("adv", "chat")),
            "font": lambda n: self.font(n, "font"),
            "fallback_fonts": self.fonts,
            "icon": lambda n: self.path(n, "icon", _MISSING_ICON),
            "scripts": self.scripts,
            "characters": self.characters,
            "scenes": self.scenes,
            "layout": self.layout,
            "voice": lambda n: read_story_voice(self, n, self.resolve),
        }
        for name, knode, vnode in self.items(root, "", TOP_KEYS):
            setattr(out, name, readers[name](vnode))
            if name == "scripts":
                out.scripts_pos = self.pos(knode)

    def resolve(self, value: str) -> Path:
        """`value` as a path inside the story (ValueError if it would leave it)."""
        return _resolve_in_story(self.where, value)

    def font(self, node: Node, key: str) -> Path | None:
        """A font file; a missing one falls back to the default font (so it is dropped).

        The file is judged here, for the player too: one it cannot open is an
        error (YML021) and the default font is used, never a crash at start-up.
        """
        found = self.path(node, key, _MISSING_FONT)
        if found is None or not is_file(found):
            return None
        return found if self.font_usable(node, key, found, "the default font is used") else None

    def fonts(self, node: Node) -> tuple[Path, ...]:
        found = self.paths(node, "fallback_fonts", _MISSING_FONT)
        return tuple(p for i, (p, item) in enumerate(found) if is_file(p)
                     and self.font_usable(item, f"fallback_fonts[{i}]", p, "it is skipped"))

    def font_usable(self, node: Node, key: str, found: Path, instead: str) -> bool:
        why = self.usable("font", found)
        if why is not None:
            self.report(node, "error", "YML021",
                        f"{key}: '{clip(_shown(found, self.where.root))}' cannot be used as a font: "
                        f"{why}; {instead}")
        return why is None

    def scripts(self, node: Node) -> list[Path]:
        out: list[Path] = []
        for found, item in self.paths(node, "scripts", _MISSING_SCRIPT):
            if not is_file(found):
                continue  # already reported as missing; it cannot be played
            if found in out:
                self.report(item, "warning", "YML018",
                            f"scripts: '{clip(str(item.value))}' is listed twice; played once")
                continue
            out.append(found)
        return out

    def characters(self, node: Node) -> list[_CharSpec]:
        out = []
        for label, knode, vnode in self.items(node, "characters", None):
            if len(label) > MAX_LABEL:
                # No script line can have this speaker, and comparing it with every
                # label for a "did you mean" would cost its length each time.
                self.report(knode, "warning", "YML023",
                            f"characters: label '{clip(label)}' is {len(label):,} characters "
                            f"long; a speaker label has at most {MAX_LABEL}, so it is ignored")
                continue
            out.append(self.character(label, knode, vnode))
        return out

    def character(self, label: str, knode: Node, vnode: Node) -> _CharSpec:
        key = _join("characters", label)
        spec = _CharSpec(label, self.pos(knode))
        if isinstance(vnode, ScalarNode) and not vnode.tag.endswith(":null"):
            return replace(spec, name=self.text(vnode, key, NAME_LIMIT))  # `SORA: 空` names it
        expressions_node: Node | None = None
        for name, _k, v in self.items(vnode, key, CHARACTER_KEYS):
            sub = _join(key, name)
            if name == "name":
                spec = replace(spec, name=self.text(v, sub, NAME_LIMIT))
            elif name == "reading":
                spec = replace(spec, reading=self.reading(v, sub))
            elif name == "color":
                spec = replace(spec, color=self.color(v, sub))
            elif name == "side":
                spec = replace(spec, side=self.choice(v, sub, ("left", "right")))
            elif name == "portrait":
                spec = replace(spec, portraits=self.portraits(v, sub))
            elif name == "expressions":
                spec = replace(spec, expressions=self.expressions(v, sub))
                expressions_node = v
            elif name == "voice":
                spec = replace(spec, voice=read_character_voice(self, v, sub, self.resolve))
            else:
                spec = replace(spec, sound=self.path(v, sub, kind="audio"))
        if expressions_node is not None:
            self.check_expressions(spec, expressions_node, _join(key, "expressions"))
        return spec

    def reading(self, node: Node, key: str) -> str | None:
        """A name's reading: kana only (hiragana, katakana, ー, ・ and spaces)."""
        value = self.text(node, key)
        if value is None:
            return None
        value = value.strip()
        if not value or not all(_is_reading_char(c) for c in value):
            self.report(node, "error", "YML025",
                        f"{key}: expected the name's reading in kana, got {_SHORT.repr(value)}; "
                        "ignored")
            return None
        return value

    def color(self, node: Node, key: str) -> tuple[int, int, int] | None:
        if not self.safe(node, key):
            return None
        value = self.construct(node, key)
        rgb = _parse_color(value)
        if rgb is None:
            self.report(node, "error", "YML015",
                        f"{key}: expected \"#rrggbb\" or [r, g, b] (0-255), got {_SHORT.repr(value)}; "
                        "the default colour is used")
        return rgb

    def portraits(self, node: Node, key: str) -> dict[str, Path]:
        if isinstance(node, ScalarNode) and not node.tag.endswith(":null"):
            found = self.path(node, key, kind="image")  # one image: the default expression
            return {} if found is None else {"default": found}
        out = {}
        for expression, _k, v in self.items(node, key, None):
            found = self.path(v, _join(key, expression), kind="image")
            if found is not None:
                out[expression] = found
        return out

    def expressions(self, node: Node, key: str) -> dict[str, str]:
        out = {}
        for direction, _k, v in self.items(node, key, None):
            expression = self.text(v, _join(key, direction))
            if expression is not None:
                out[_as_direction(direction)] = expression
        return out

    def check_expressions(self, spec: _CharSpec, node: Node, key: str) -> None:
        """Warn for an expression that has no image among the character's portraits."""
        if not spec.portraits:
            return
        for direction, expression in spec.expressions.items():
            if expression not in spec.portraits:
                self.report(node, "warning", "YML014",
                            f"{key}: {clip(direction)} shows '{clip(expression)}', "
                            "which has no portrait image")

    def scenes(self, node: Node) -> list[tuple[int | str, SceneConfig, Pos]]:
        out: list[tuple[int | str, SceneConfig, Pos]] = []
        for name, knode, vnode in self.items(node, "scenes", None):
            key = _join("scenes", name)
            which = _scene_number(name, knode)
            config = SceneConfig()
            for sub, _k, v in self.items(vnode, key, SCENE_KEYS):
                if sub == "view":
                    config = replace(config, view=self.choice(v, _join(key, sub), ("adv", "chat")))
                else:
                    kind: assetfiles.Kind = "image" if sub == "background" else "audio"
                    config = replace(config, **{sub: self.path(v, _join(key, sub), kind=kind)})
            out.append((which, config, self.pos(knode)))
        return out

    def layout(self, node: Node) -> LayoutOptions:
        options = LayoutOptions()
        for name, _k, v in self.items(node, "layout", LAYOUT_KEYS):
            key = _join("layout", name)
            if name == "strictness":
                value = self.choice(v, key, ("strict", "normal", "loose"))
            else:
                value = self.boolean(v, key)
            if value is not None:
                options = replace(options, **{name: value})
        return options


def _scene_number(name: str, knode: Node) -> int | str:
    """A scene key as its number when it is one (`0`, `3`), else as written."""
    if not (knode.tag.endswith(":int") or name.isdigit()) or len(name) > 18:
        return name  # past 18 digits no story has that many scenes; int() would be slow
    try:
        return int(name.replace("_", ""), 0) if knode.tag.endswith(":int") else int(name)
    except ValueError:
        return name


def _resolve_in_story(where: _Where, value: str) -> Path:
    """`value` relative to the root; if no file is there, relative to story.yaml's folder."""
    found = resolve_asset(where.root, value)
    if _exists(found) or where.manifest is None or where.manifest.parent == where.root:
        return found
    beside = where.manifest.parent.relative_to(where.root)
    try:
        other = resolve_asset(where.root, f"{beside.as_posix()}/{value.strip()}")
    except ValueError:
        return found
    return other if _exists(other) else found


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!", 1)


def _join(key: str, name: object) -> str:
    """A dotted key path for messages; a key with dots or spaces in it is quoted."""
    text = clip(str(name))
    if re.search(r"[.\s]", text):
        text = f'"{text}"'
    return f"{key}.{text}" if key else text


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    kind = node.tag.rsplit(":", 1)[-1]
    return f"{clip(kind)} {clip(str(node.value))!r}"


def _as_direction(text: str) -> str:
    """Directions are written with their full-width parentheses; add them if left out."""
    text = text.strip()
    if text.startswith("（") and text.endswith("）"):
        return text
    return f"（{text.strip('()（）')}）"


def _is_reading_char(ch: str) -> bool:
    """Kana (hiragana, katakana with ー and ・, the iteration marks) or a space."""
    return "\u3041" <= ch <= "\u30ff" or ch in " \u3000"


# Shows a bad value in a message without ever printing a huge (alias-built) structure.
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring = 2, 4, 4, 40

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def _parse_color(value: object) -> tuple[int, int, int] | None:
    if isinstance(value, str):
        m = _HEX.fullmatch(value.strip())
        if m is None:
            return None
        digits = m.group(1)
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    if isinstance(value, list) and len(value) == 3 and all(
        isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in value
    ):
        return (value[0], value[1], value[2])
    return None


# --- binding the manifest to the scripts ------------------------------------

_STAMP = re.compile(r"(\d{4})[./-](\d{1,2})[./-](\d{1,2})"
                    r"(?:[ T\u3000]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def _parse_stamp(text: str) -> datetime | None:
    m = _STAMP.fullmatch(text.strip())
    if m is None:
        return None
    try:
        return datetime(*(int(g) if g else 0 for g in m.groups()))  # type: ignore[misc]
    except ValueError:
        return None


def _bind_scenes(scripts: tuple[Script, ...], configs: list[tuple[int | str, SceneConfig, Pos]],
                 view: str, diags: list[Diagnostic]) -> tuple[SceneRef, ...]:
    flat = [(si, scene) for si, script in enumerate(scripts) for scene in script.scenes]
    chosen: dict[int, SceneConfig] = {}
    for which, config, pos in configs:
        for index in _scene_indexes(which, flat, pos, diags):
            chosen[index] = _merge(chosen.get(index, SceneConfig()), config)
    refs = []
    for index, (si, scene) in enumerate(flat):
        config = chosen.get(index, SceneConfig())
        if config.view is None:
            config = replace(config, view=view)  # type: ignore[arg-type]
        refs.append(SceneRef(index, si, scene, config))
    return tuple(refs)


def _scene_indexes(which: int | str, flat: list, pos: Pos, diags: list[Diagnostic]) -> list[int]:
    if isinstance(which, int):
        if 0 <= which < len(flat):
            return [which]
        diags.append(Diagnostic(pos, "warning", "YML013",
                                f"scenes.{which}: the story has {_count(len(flat), 'scene')} "
                                "(numbered from 0); ignored"))
        return []
    stamp = _parse_stamp(which)
    hits = [i for i, (_, scene) in enumerate(flat)
            if scene.title.strip() == which.strip()
            or (stamp is not None and scene.timestamp == stamp)]
    if not hits:
        diags.append(Diagnostic(pos, "warning", "YML013",
                                f"{_join('scenes', which)}: no scene has this LOG timestamp; "
                                "ignored"))
    elif len(hits) > 1:
        diags.append(Diagnostic(pos, "warning", "YML016",
                                f"{_join('scenes', which)}: {len(hits)} scenes have this timestamp; "
                                "applied to all of them"))
    return hits


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _merge(old: SceneConfig, new: SceneConfig) -> SceneConfig:
    return SceneConfig(
        background=new.background or old.background,
        music=new.music or old.music,
        view=new.view or old.view,
    )


def _bind_characters(scripts: tuple[Script, ...], manifest: _Manifest,
                     diags: list[Diagnostic]) -> dict[str, Character]:
    # Per label: its first place in each script that uses it, and how often it speaks
    # (from the parse's counts: no message need be built).
    uses: dict[str, list[Pos]] = {}
    times: dict[str, int] = {}
    for script in scripts:
        for label, (count, first) in logformat.speaker_uses(script).items():
            uses.setdefault(label, []).append(first)
            times[label] = times.get(label, 0) + count
    specs = {spec.label: spec for spec in manifest.characters}
    labels = list(specs) + [label for label in uses if label not in specs]
    # When story.yaml places anyone explicitly (a messenger's "me" on the right),
    # the rest default to the left; otherwise sides alternate, first on the left.
    explicit = any(spec.side for spec in specs.values())
    characters = {}
    for index, label in enumerate(labels):
        spec = specs.get(label) or _CharSpec(label, Pos("", 0))
        side = spec.side or ("left" if explicit or index % 2 == 0 else "right")
        characters[label] = _character(spec, index, side)
    # A label the parser already flagged as a slip (LOG040, "did you mean" with both
    # names) is reported once, there; YML012 would say the same thing again.
    flagged = {(d.pos.file, d.pos.line) for script in scripts for d in script.diagnostics
               if d.code == "LOG040"}
    _warn_cast(specs, uses, times, diags, flagged)
    return characters


def _character(spec: _CharSpec, index: int, side: str) -> Character:
    return Character(
        label=spec.label,
        name=spec.name or spec.label,
        color=spec.color or default_color(spec.label, index),
        side=side,  # type: ignore[arg-type]
        portraits=dict(spec.portraits),
        expressions=dict(spec.expressions),
        sound=spec.sound,
        reading=spec.reading,
        voice=character_voice(spec.voice, spec.label, index),
    )


def _warn_cast(specs: dict[str, _CharSpec], uses: dict[str, list[Pos]], times: dict[str, int],
               diags: list[Diagnostic], flagged: Set[tuple[str, int]] = frozenset()) -> None:
    """Characters story.yaml lists but nobody plays, and speakers it does not list.

    `uses` holds each label's first place in each script, `times` how often it
    speaks. A speaker whose only use in a script is at a place in `flagged`
    (file, line) is left out: the parser has reported that label as a likely
    typo there.
    """
    if not specs:
        return  # a manifest without characters leaves the cast to the scripts
    for label, spec in specs.items():
        if label not in uses:
            diags.append(Diagnostic(spec.pos, "warning", "YML011",
                                    f"{_join('characters', label)}: this character never speaks "
                                "in the scripts"))
    import difflib  # for the "did you mean" hints only

    for label, places in uses.items():
        if label in specs or any((p.file, p.line) in flagged for p in places):
            continue
        close = difflib.get_close_matches(label, list(specs), n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        n = times[label]
        count = "once" if n == 1 else f"{n} times"
        diags.append(Diagnostic(places[0], "warning", "YML012",
                                f"speaker '{label}' is not in story.yaml's characters "
                                f"(used {count}){hint}"))
