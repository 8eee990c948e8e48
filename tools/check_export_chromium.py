"""Open the exported page of a story in headless Chromium and check what it shows.

    .venv/bin/python tools/check_export_chromium.py [STORY] [--screenshot OUT.png]

Exports STORY (default: the repository's demo, `scripts/`) with
`engine.export_html`, loads the page from a file:// URL in headless Chromium
with a throw-away profile, and checks that:

- Chromium exits cleanly and prints no console message (a blocked resource,
  a Content-Security-Policy violation or a script error all log one);
- the DOM it built holds one message element per message of the story, in
  order, each with the message's text (readings left out, <br> as a line
  break), its speaker's name, and `lang="ja"` on the page.

With --screenshot, a full-width picture of the page is saved to look at.
Exit 0 when all is well, 1 with a list of problems, 77 when no Chromium is
installed (the test that runs this skips on 77).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.export_html import render_html  # noqa: E402
from engine.manifest import load_story  # noqa: E402
from engine.model import Story  # noqa: E402

EXIT_OK, EXIT_FAILED, EXIT_NO_CHROMIUM = 0, 1, 77
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0")
TIMEOUT = 60.0


class PageMessages(HTMLParser):
    """Collects, from a page, each `.msg` element's speaker name and text (no <rt>/<rp>)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.messages: list[tuple[str | None, str]] = []
        self.lang: str | None = None
        self._stack: list[str] = []  # the role of each open element: msg, who, text, skip, ""
        self._who: list[str] = []
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if tag == "br":
            if "text" in self._stack:
                self._text.append("\n")
            return  # a void element: nothing to pop later
        role = ""
        if "msg" in classes:
            role, self._who, self._text = "msg", [], []
        elif "who" in classes:
            role = "who"
        elif "text" in classes:
            role = "text"
        elif tag in ("rt", "rp"):
            role = "skip"
        self._stack.append(role)

    def handle_endtag(self, tag: str) -> None:
        if tag == "br" or not self._stack:
            return
        role = self._stack.pop()
        if role == "msg":
            who = "".join(self._who) if self._who else None
            self.messages.append((who, "".join(self._text)))

    def handle_data(self, data: str) -> None:
        if "skip" in self._stack:
            return
        if "who" in self._stack:
            self._who.append(data)
        elif "text" in self._stack:
            self._text.append(data)


def expected_messages(story: Story) -> list[tuple[str | None, str]]:
    """(name shown, text) for every message in play order, as the player shows them."""
    out = []
    for ref in story.scenes:
        for m in ref.scene.messages:
            char = story.character(m.speaker)
            name = None if m.speaker is None else (char.name if char else m.speaker)
            out.append((name, m.text))
    return out


def find_chromium() -> str | None:
    """The first Chromium-like browser on PATH."""
    return next((b for b in map(shutil.which, BROWSERS) if b), None)


def run_chromium(browser: str, url: str, extra: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    """One headless Chromium run with a throw-away profile."""
    cmd = [browser, *FLAGS, f"--user-data-dir={profile}", *extra, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)


def console_lines(stderr: str) -> list[str]:
    """Chromium's log lines that come from the page (console messages, CSP reports)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def compare(expected: list[tuple[str | None, str]], found: list[tuple[str | None, str]]) -> list[str]:
    """Problems between what the story holds and what the page shows."""
    problems = []
    if len(found) != len(expected):
        problems.append(f"the page shows {len(found)} messages, the story has {len(expected)}")
    for i, (want, got) in enumerate(zip(expected, found, strict=False)):
        if want != got:
            problems.append(f"message {i + 1}: expected {want!r}, the page shows {got!r}")
    return problems[:20]


def check(story_path: Path, screenshot: Path | None, browser: str) -> list[str]:
    """Export, load in Chromium, compare; the problems found (empty when all is well)."""
    story = load_story(story_path)
    with tempfile.TemporaryDirectory(prefix="chatlog-export-") as tmp:
        page = Path(tmp) / "story.html"
        page.write_text(render_html(story), encoding="utf-8")
        url = page.as_uri()
        result = run_chromium(browser, url, ["--dump-dom"], Path(tmp) / "profile")
        problems = [f"chromium exited with {result.returncode}"] if result.returncode else []
        problems += [f"console: {line}" for line in console_lines(result.stderr)]
        dom = PageMessages()
        dom.feed(result.stdout)
        dom.close()
        if dom.lang != "ja":
            problems.append(f"the page's lang is {dom.lang!r}, not 'ja'")
        problems += compare(expected_messages(story), dom.messages)
        if screenshot is not None:
            shot = run_chromium(browser, url, ["--window-size=1000,1400", "--hide-scrollbars",
                                               f"--screenshot={screenshot.resolve()}"],
                                Path(tmp) / "profile2")
            if shot.returncode or not screenshot.is_file():
                problems.append(f"no screenshot (chromium exited with {shot.returncode})")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Run the check from the command line."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("story", nargs="?", type=Path, default=ROOT / "scripts",
                   help="a story folder or script (default: the demo)")
    p.add_argument("--screenshot", type=Path, metavar="PNG", help="also save a picture of the page")
    args = p.parse_args(argv)
    browser = find_chromium()
    if browser is None:
        print("no chromium on PATH (apt-get install chromium); nothing checked", file=sys.stderr)
        return EXIT_NO_CHROMIUM
    problems = check(args.story, args.screenshot, browser)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return EXIT_FAILED
    story = load_story(args.story)
    count = sum(len(ref.scene.messages) for ref in story.scenes)
    print(f"ok: {count} messages in {len(story.scenes)} scenes shown by {Path(browser).name}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
