"""Live reload latency: from a file save to the story re-parsed and the reader relocated.

    .venv/bin/python bench/reload.py [--rounds N]

A copy of the demo story (and a large synthetic one) is watched by
`engine.reload.WatchController` at the player's poll interval, exactly as
`play --watch` ticks it. Each round edits the message the reader stands on
and saves the file at a random moment between two polls, then polls until
the controller reports the new version. Printed for each story: the
median and p99 of

- save -> relocated: what the writer waits for (the issue asks < 300 ms);
- reload work: re-parsing the story and relocating, without the waiting;
- floor: reading the edited file and splitting it into lines,

with the ratios to the floor. The end-to-end figure is dominated by the
settle rule (two polls one interval apart), by design.

Then a two-step save on the demo (an editor writing up to the middle of a
line, then the rest 0.3 s later): the half file must never be shown (the
controller holds it back as provisional) and the reader must end on the
same message; printed is the time from the first write to the full
version shown, and from the second write.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.manifest import load_story  # noqa: E402
from engine.model import Story  # noqa: E402
from engine.reload import DEFAULT_INTERVAL, WatchController, reload_story  # noqa: E402
from engine.runtime import Anchor, Cursor, Runtime, relocate  # noqa: E402


@dataclass
class Session:
    story: Story
    runtime: Runtime

    def replace_story(self, story: Story, since: Anchor | None = None) -> str | None:
        """As the player's Session does: relocate the runtime, then swap the story."""
        note = self.runtime.reload(story, since)
        self.story = story
        return note


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def synthetic(folder: Path, scenes: int = 40, per_scene: int = 50) -> None:
    """A large story: `scenes` blocks of `per_scene` messages over four files."""
    for f in range(4):
        blocks = []
        for s in range(scenes // 4):
            lines = [f"--- LOG START --- 2025.01.{s % 28 + 1:02d} 1{f}:00<br>"]
            lines += [f"{'AB'[i % 2]}KI: 第{s}場の{i}行目、<ruby>星<rt>ほし</rt></ruby>を数える。<br>"
                      for i in range(per_scene)]
            lines.append("--- LOG END ---")
            blocks.append("\n".join(lines))
        (folder / f"{f + 1:02d}.log").write_text("\n".join(blocks) + "\n", encoding="utf-8")


def edit_line(path: Path, line: int, round_no: int) -> None:
    """Rewrite one source line's text (a new message content each round) and save."""
    lines = path.read_text(encoding="utf-8").split("\n")
    head, _, _ = lines[line - 1].partition(":")
    lines[line - 1] = f"{head}: 書き直し{round_no}回目、<ruby>昴<rt>すばる</rt></ruby>。<br>"
    path.write_text("\n".join(lines), encoding="utf-8")


def floor_once(path: Path) -> float:
    start = time.perf_counter()
    path.read_bytes().decode("utf-8").splitlines()
    return time.perf_counter() - start


def measure(folder: Path, rounds: int, interval: float) -> dict[str, list[float]]:
    story = load_story(folder)
    middle = story.scenes[len(story.scenes) // 2]
    cursor = Cursor(middle.index, len(middle.scene.messages) // 2)
    session = Session(story, Runtime(story, start=cursor))
    ctl = WatchController(session, folder, interval=interval)
    out: dict[str, list[float]] = {"save": [], "work": [], "floor": []}
    rng = random.Random(7)
    for r in range(rounds):
        message = session.runtime.message
        path = Path(message.pos.file)
        edit_line(path, message.pos.line, r)
        saved = time.perf_counter()
        time.sleep(rng.uniform(0, interval))  # the save lands anywhere between two polls
        event = None
        while event is None:
            event = ctl.tick()
            if event is None:
                time.sleep(interval)
        out["save"].append(time.perf_counter() - saved)
        assert session.runtime.message.text.startswith(f"書き直し{r}回目"), "relocated wrongly"
        start = time.perf_counter()
        new = reload_story(folder, session.story)
        assert new.story is not None
        relocate(session.story, session.runtime.cursor, new.story)
        out["work"].append(time.perf_counter() - start)
        out["floor"].append(min(floor_once(path) for _ in range(5)))
    return out


def two_step(folder: Path, rounds: int, interval: float, gap: float = 0.3) -> dict[str, list[float]]:
    """Save in two writes `gap` seconds apart; check the half is never shown."""
    story = load_story(folder)
    cursor = Cursor(0, len(story.scenes[0].scene.messages) - 1)
    session = Session(story, Runtime(story, start=cursor))
    ctl = WatchController(session, folder, interval=interval)
    out: dict[str, list[float]] = {"first": [], "second": []}
    for r in range(rounds):
        wanted = session.runtime.message.content_key()
        path = Path(story.scripts[0].file)
        lines = path.read_text(encoding="utf-8").split("\n")
        lines[2] = lines[2].replace("<br>", f"（{r}）<br>")  # edit the second message
        full = "\n".join(lines).encode("utf-8")
        cut = full.index(f"（{r}）".encode())
        shown = session.story
        first = time.perf_counter()
        path.write_bytes(full[:cut])
        while time.perf_counter() - first < gap:
            assert ctl.tick() is None and session.story is shown, "the half file was shown"
            time.sleep(interval)
        second = time.perf_counter()
        path.write_bytes(full)
        while ctl.tick() is None:
            time.sleep(interval)
        done = time.perf_counter()
        assert session.runtime.message.content_key() == wanted, "the reader lost their place"
        out["first"].append(done - first)
        out["second"].append(done - second)
    return out


def report(name: str, figures: dict[str, list[float]]) -> None:
    floor = statistics.median(figures["floor"])
    print(f"{name}")
    for key, label in (("save", "save -> relocated"), ("work", "reload work"), ("floor", "floor")):
        med, p99 = statistics.median(figures[key]), pct(figures[key], 0.99)
        print(f"  {label:18} median {med * 1000:8.2f} ms   p99 {p99 * 1000:8.2f} ms"
              f"   x{med / floor:9.1f} floor")


def main() -> int:
    p = argparse.ArgumentParser(description="live reload latency")
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--interval", type=float, default=DEFAULT_INTERVAL,
                   help=f"poll interval in seconds (the player's: {DEFAULT_INTERVAL})")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="chatlog-reload-") as tmp:
        demo = Path(tmp) / "demo"
        shutil.copytree(ROOT / "scripts", demo)
        big = Path(tmp) / "big"
        big.mkdir()
        synthetic(big)
        print(f"poll interval {args.interval * 1000:.0f} ms, {args.rounds} saves per story")
        for name, folder in (("demo story", demo), ("synthetic story (2000 messages)", big)):
            story = load_story(folder)
            count = sum(len(s.scene.messages) for s in story.scenes)
            report(f"{name}: {len(story.scripts)} files, {count} messages",
                   measure(folder, args.rounds, args.interval))
        figures = two_step(demo, max(3, args.rounds // 3), args.interval)
        print("demo story, two-step save (0.3 s apart): half never shown, place kept")
        for key, label in (("first", "first write -> shown"), ("second", "second write -> shown")):
            print(f"  {label:22} median {statistics.median(figures[key]) * 1000:8.2f} ms"
                  f"   max {max(figures[key]) * 1000:8.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
