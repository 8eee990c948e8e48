"""Chat view benchmark: scrolling and far jumps in a 100,000-message story.

Run: `.venv/bin/python bench/chat.py [--messages N] [--trials N] [--frames N]`.
Headless (SDL dummy video driver), 1280x720, a realistic script
(bench/realistic.py: every line distinct). Each trial is a fresh process, so
no trial starts with the caches another one warmed. In a trial the chat
painter draws frames as the chat screen does (`ChatScreen.update` then
`ChatScreen.draw`: a slice of preparing the blocks ahead, the draw, and,
after a jump, the catch-up the draw asks for), in four cases:

- cold: scrolling back from the latest message, `--step` px a frame, into
  bubbles never laid out before;
- warm: the same path again, from the caches;
- jump: 20 jumps to far places of the column (as Home, a history click or a
  load does), each followed by the loop's idle turns (the screen prepares
  blocks while nothing moves) and 30 frames of scrolling on; the frame right
  after each jump is also reported alone;
- jump, no pause: the same, scrolling on at once, with no idle turn.

The floor, measured in the same frames and interleaved with them, blits the
same backdrop and the same visible bubbles, pre-rendered, at the same places:
what any chat view must do. Each figure is the median over the trials; the
worst frame is the slowest frame of all trials. Aim: median and p99 <= 2x
the floor; worst frame <= 8 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

SIZE = (1280, 720)
JUMPS = 20
AFTER_JUMP = 30


def trial(path: str, frames: int, step: float, seed: int) -> dict[str, object]:
    """One trial, in this (fresh) process: every case's frame times and the floor's."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    from engine.app.assets import Assets
    from engine.app.chat import PREFETCH_IDLE_SLICE, PREFETCH_IDLE_TURNS
    from engine.app.chatpaint import PREFETCH_SLICE, ChatPainter, ChatView
    from engine.app.ui import UiText
    from engine.manifest import load_story
    from engine.preferences import Preferences
    from engine.render import FontSet, TextRenderer, default_font_path

    pygame.init()
    screen = pygame.display.set_mode(SIZE)
    story = load_story(Path(path))
    total = sum(len(r.scene.messages) for r in story.scenes)
    fonts = FontSet(default_font_path())
    painter = ChatPainter(story, Assets(), TextRenderer(fonts), UiText(fonts.primary),
                          Preferences(), "ja")
    scene = story.scenes[-1]
    geo = painter.geometry(SIZE)
    backdrop = painter._backdrop(scene, geo, True)  # noqa: SLF001
    last = {"scroll": None}

    def frame(scroll: float, ours: list[float], floor: list[float]) -> float:
        """One timed frame as the chat screen draws it, then the floor frame."""
        view = ChatView(count=total, scroll=scroll)
        t0 = time.perf_counter()
        if scroll != last["scroll"]:  # ChatScreen._prefetch: a slice while the column moves
            painter.prefetch(SIZE, view, PREFETCH_SLICE)
        last["scroll"] = scroll
        painter.draw(screen, scene, view)
        if painter.jumped:
            painter.prefetch(SIZE, view)
        t1 = time.perf_counter()
        blits = visible_blits(painter, view)  # cached by now: not timed
        t2 = time.perf_counter()
        screen.blit(backdrop, (0, 0))
        screen.set_clip(geo.view)
        screen.blits(blits, doreturn=False)
        screen.set_clip(None)
        t3 = time.perf_counter()
        ours.append((t1 - t0) * 1000)
        floor.append((t3 - t2) * 1000)
        return ours[-1]

    def idle(scroll: float) -> None:
        """The loop's idle turns after the column stops: bigger prefetch slices, no frame."""
        view = ChatView(count=total, scroll=scroll)
        for _ in range(PREFETCH_IDLE_TURNS):
            if not painter.prefetch(SIZE, view, PREFETCH_IDLE_SLICE):
                return

    out: dict[str, object] = {"messages": total}
    for name in ("cold", "warm"):
        ours: list[float] = []
        floor: list[float] = []
        for i in range(frames):
            frame(i * step, ours, floor)
        out[name] = (ours, floor)
    height = painter.column(geo).height()
    rng = random.Random(seed)
    for name, pause in (("jump", True), ("jump, no pause", False)):
        ours, floor, firsts = [], [], []
        for _ in range(JUMPS):
            far = rng.uniform(0.05, 0.95) * height
            firsts.append(frame(far, ours, floor))
            if pause:
                idle(far)
            for k in range(1, AFTER_JUMP + 1):
                frame(far + k * step, ours, floor)
        out[name] = (ours, floor)
        out[name + " (first frame)"] = firsts
    return out


def visible_blits(painter, view) -> list:  # type: ignore[no-untyped-def]
    """The bubbles a frame of `view` shows, with their canvas positions (from the caches)."""
    geo = painter.geometry(SIZE)
    col = painter.column(geo)
    col.count = view.count
    top, placed = col.visible_from_bottom(view.scroll - view.gap - col.geo.run_gap,
                                          geo.view.height)
    out = []
    for p in placed:
        x, y, _, _ = p.block.body
        out.append((painter.bubble_image(p.block),
                    (round(geo.view.x + x), round(geo.view.y + p.y - top + y))))
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--frames", type=int, default=600)
    parser.add_argument("--step", type=float, default=24.0, help="px scrolled per frame")
    parser.add_argument("--trial", nargs=2, metavar=("SCRIPT", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.trial:
        result = trial(args.trial[0], args.frames, args.step, int(args.trial[1]))
        print(json.dumps(result))
        return 0
    import realistic

    with tempfile.TemporaryDirectory() as tmp:
        path = realistic.write_in_child(Path(tmp) / "chat.log", args.messages)
        runs = []
        for seed in range(args.trials):
            done = subprocess.run(
                [sys.executable, __file__, "--trial", str(path), str(seed), "--frames",
                 str(args.frames), "--step", str(args.step)],
                cwd=ROOT, capture_output=True, text=True, check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"{runs[0]['messages']:,} messages, {SIZE[0]}x{SIZE[1]}; {args.trials} trials, each a "
          f"fresh process (medians over them; worst: the slowest frame of all)")
    for name in ("cold", "warm", "jump", "jump, no pause"):
        report(name, [r[name] for r in runs])
    for name in ("jump (first frame)", "jump, no pause (first frame)"):
        firsts = [r[name] for r in runs]
        med = statistics.median(statistics.median(f) for f in firsts)
        worst = max(max(f) for f in firsts)
        print(f"{name:30} median {med:6.2f} ms  worst {worst:6.2f} ms   (aim: worst <= 8 ms)")
    return 0


def report(name: str, cases: list[list[list[float]]]) -> None:
    """One line: medians over trials of each trial's median, p99 and the floor's."""
    med = statistics.median(statistics.median(c[0]) for c in cases)
    p99 = statistics.median(pct(c[0], 0.99) for c in cases)
    fmed = statistics.median(statistics.median(c[1]) for c in cases)
    fp99 = statistics.median(pct(c[1], 0.99) for c in cases)
    worst = max(max(c[0]) for c in cases)
    print(f"{name:30} median {med:6.3f} ms  p99 {p99:6.3f} ms  worst {worst:6.2f} ms | floor "
          f"median {fmed:6.3f} p99 {fp99:6.3f} | ratio median {med / fmed:4.2f}x "
          f"p99 {p99 / fp99:4.2f}x")


if __name__ == "__main__":
    sys.exit(main())
