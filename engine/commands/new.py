"""`chatlog-vn new FOLDER`: start a new story that plays at once.

Creates FOLDER with a commented story.yaml, a first script in scripts/
(dated now, with a ruby and a stage direction to show the format), and the
assets folders. Refuses a folder that already holds something (exit 2), so
it never overwrites a writer's work.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

EXIT_OK, EXIT_USAGE = 0, 2

ASSET_FOLDERS = ("assets/images", "assets/music", "assets/sounds")
FIRST_SCRIPT = "scripts/01-start.log"

_MANIFEST = """\
# story.yaml: what this story says about itself. Every key is optional.
# Paths are relative to this folder and may not leave it.
title: {title}
# view: adv                  # adv (text box) or chat (messenger)
# font: assets/fonts/MyFont.otf
# fallback_fonts: [assets/fonts/Emoji.ttf]

scripts:                     # play order
  - {script}

characters:                  # keyed by the speaker label used in the scripts
  HANA:
    name: 花                 # shown on the name plate
    color: "#e8a0b4"
    side: right              # chat view: left or right
    # portrait:
    #   default: assets/images/hana.png
    #   smile: assets/images/hana-smile.png
    # expressions:           # stage direction -> expression
    #   （笑う）: smile
  SOU:
    name: 蒼
    color: "#8fb8e8"
    side: left

scenes:                      # by position in play order (0-based) or by LOG timestamp
  0:
    view: adv
    # background: assets/images/room.png
    # music: assets/music/theme.ogg
"""

_SCRIPT = """\
--- LOG START --- {stamp}<br>
HANA: ねえ、これが最初のシーン？<br>
SOU: そう。この<ruby>台本<rt>だいほん</rt></ruby>を書き換えて保存すると、すぐ画面に出るよ。<br>
HANA:（笑う）じゃあ、この行を書き換えてみようかな。<br>
（ここには地の文を書く）<br>
SOU: <ruby>続<rt>つづ</rt></ruby>きは、この下に一行ずつ足していこう。<br>
--- LOG END ---
"""


def add_parser(p: argparse.ArgumentParser) -> None:
    """Arguments of `chatlog-vn new`."""
    p.add_argument("folder", help="the folder to create (must not exist or be empty)")
    p.add_argument("--title", help="the story's title (default: the folder's name)")


def run(args: argparse.Namespace) -> int:
    """Create the story; exit 2 if the folder holds something already."""
    folder = Path(args.folder)
    try:
        created = create_story(folder, args.title)
    except FileExistsError as exc:
        print(f"chatlog-vn new: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"created {folder}/ with {len(created)} files; play it while you write:")
    print(f"  chatlog-vn play --watch {folder}")
    return EXIT_OK


def create_story(folder: Path, title: str | None = None, now: datetime | None = None) -> list[Path]:
    """Write a new story into `folder`; the files created, in order.

    Raises FileExistsError when `folder` is a file or a folder that is not empty.
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(f"{folder} already exists and is not an empty folder")
    stamp = (now or datetime.now()).strftime("%Y.%m.%d %H:%M")
    # A JSON string is a valid double-quoted YAML scalar: any title is safe.
    quoted = json.dumps(title or folder.resolve().name or "story", ensure_ascii=False)
    files = {
        "story.yaml": _MANIFEST.format(title=quoted, script=FIRST_SCRIPT),
        FIRST_SCRIPT: _SCRIPT.format(stamp=stamp),
        **{f"{d}/.gitkeep": "" for d in ASSET_FOLDERS},
    }
    created = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        created.append(path)
    return created
