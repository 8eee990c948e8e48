"""Chat view benchmark: scrolling a 10,000-message scene.

Run: `.venv/bin/python bench/chat.py [--frames N] [--step PX]`. Headless (SDL
dummy video driver), 1280x720. The chat painter draws frames while the
window scrolls back through the conversation `--step` px a frame, first
cold (bubbles laid out and rendered as they come into view), then warm
(the same path again, from the caches), then deep (far back, where nothing
was laid out). Each timed frame does what the chat screen does in a frame
while the column moves: a slice of preparing the blocks ahead (laid out
and rendered a piece at a time, `ChatPainter.prefetch`), then the draw. The floor, measured in the same run
and interleaved frame by frame, blits the same backdrop and the same visible
bubbles, pre-rendered, at the same places: what any chat view must do.

Aim: frame time median and p99 <= 2x the floor, cold and deep too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402

from engine.app.assets import Assets  # noqa: E402
from engine.app.chatpaint import ChatPainter, ChatView  # noqa: E402
from engine.app.ui import UiText  # noqa: E402
from engine.manifest import load_story  # noqa: E402
from engine.model import Story  # noqa: E402
from engine.preferences import Preferences  # noqa: E402
from engine.render import FontSet, TextRenderer, default_font_path  # noqa: E402

SIZE = (1280, 720)
MESSAGES = 10_000
LINES = (
    "SORA: ねえ、起きてる？",
    "KAI: 起きてるよ。今夜は<ruby>昴<rt>すばる</rt></ruby>がよく見える。",
    "SORA:（笑う）またベランダで<ruby>天体望遠鏡<rt>てんたいぼうえんきょう</rt></ruby>いじってるの？",
    "KAI: うん。レンズを磨いたら、<ruby>Vega<rt>ベガ</rt></ruby>までくっきり……って、それは夏の星か。",
    "SORA: 夏の星？？　いまは三月だよ、カイ。",
    "KAI: 知ってる（笑う）。口径80mm、焦点距離910mmのやつだから、f/11.4。月面のクレーターなら一個ずつ数えられる。",
    "SORA: 数えてどうするの……。",
    "KAI: 数えたら、忘れないだろ。",
    "（通信が一瞬途切れる）",
    "SORA: ねえカイ、あのさ。子どものころ、屋上で一緒に見たの覚えてる？　あのとき、流れ星が三つ続けて落ちて、"
    "あたし願い事を言い終わる前に全部消えちゃって、泣いたんだよ。",
)


def make_story(folder: Path) -> Story:
    """A one-scene story of MESSAGES lines cycling through demo-like messages (numbered)."""
    body = [f"{LINES[i % len(LINES)]} #{i}" for i in range(MESSAGES)]
    text = "--- LOG START --- 2025.03.14 21:05\n" + "\n".join(body) + "\n--- LOG END ---\n"
    path = folder / "bench-chat.log"
    path.write_text(text, encoding="utf-8")
    return load_story(path)


def floor_frame(screen: pygame.Surface, backdrop: pygame.Surface, clip: pygame.Rect,
                blits: list[tuple[pygame.Surface, tuple[int, int]]]) -> None:
    """The floor: the backdrop and the same bubbles, pre-rendered, at the same places."""
    screen.blit(backdrop, (0, 0))
    screen.set_clip(clip)
    screen.blits(blits, doreturn=False)
    screen.set_clip(None)


def visible_blits(painter: ChatPainter, view: ChatView) -> list[tuple[pygame.Surface, tuple[int, int]]]:
    """The bubbles a frame of `view` shows, with their canvas positions (from the caches)."""
    geo = painter.geometry(SIZE)
    col = painter.column(geo)
    col.count = view.count
    edge = col.geo.run_gap
    top, placed = col.visible_from_bottom(view.scroll - view.gap - edge, geo.view.height)
    out = []
    for p in placed:
        x, y, _, _ = p.block.body
        out.append((painter.bubble_image(p.block),
                    (round(geo.view.x + x), round(geo.view.y + p.y - top + y))))
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_pass(painter: ChatPainter, screen: pygame.Surface, story: Story, backdrop: pygame.Surface,
             scrolls: list[float]) -> tuple[list[float], list[float]]:
    """Frame times (ms) of the painter and of the floor, interleaved, over the scroll path."""
    scene = story.scenes[0]
    geo = painter.geometry(SIZE)
    ours, floor = [], []
    for scroll in scrolls:
        view = ChatView(count=MESSAGES, scroll=scroll)
        t0 = time.perf_counter()
        # As the chat screen does each frame the column moves: ChatScreen.update prepares
        # a slice of the blocks ahead, then ChatScreen.draw draws, and after a jump (the
        # draw laid out a whole window) gets the blocks around it ready in that frame.
        painter.prefetch(SIZE, view)
        painter.draw(screen, scene, view)
        if painter.jumped:
            painter.prefetch(SIZE, view)
        t1 = time.perf_counter()
        blits = visible_blits(painter, view)  # cached now: no work is timed here
        t2 = time.perf_counter()
        floor_frame(screen, backdrop, geo.view, blits)
        t3 = time.perf_counter()
        ours.append((t1 - t0) * 1000)
        floor.append((t3 - t2) * 1000)
    return ours, floor


def summary(ours: list[float], floor: list[float]) -> tuple[float, float, float, float]:
    return (statistics.median(ours), pct(ours, 0.99), statistics.median(floor), pct(floor, 0.99))


def report(name: str, runs: list[tuple[float, float, float, float]]) -> None:
    """One line per case: the best of the repetitions (the machine is shared; noise only adds)."""
    om, op, fm, fp = (min(r[i] for r in runs) for i in range(4))
    print(f"{name:5} chat median {om:6.3f} ms  p99 {op:6.3f} ms | floor median {fm:6.3f} ms "
          f"p99 {fp:6.3f} ms | ratio median {om / fm:4.2f}x  p99 {op / fp:4.2f}x")


def one_run(story: Story, screen: pygame.Surface, fonts: FontSet, scrolls: list[float],
            results: dict[str, list[tuple[float, float, float, float]]]) -> ChatPainter:
    """A fresh painter: scroll the path cold, then warm, then far back in the column."""
    painter = ChatPainter(story, Assets(), TextRenderer(fonts), UiText(fonts.primary),
                          Preferences(), "ja")
    backdrop = painter._backdrop(story.scenes[0], painter.geometry(SIZE), True)  # noqa: SLF001
    results["cold"].append(summary(*run_pass(painter, screen, story, backdrop, scrolls)))
    results["warm"].append(summary(*run_pass(painter, screen, story, backdrop, scrolls)))
    # Far back: 90% of the way up the column, where nothing was laid out yet.
    far = painter.column(painter.geometry(SIZE)).height() * 0.9
    deep = [far + s for s in scrolls[:200]]
    results["deep"].append(summary(*run_pass(painter, screen, story, backdrop, deep)))
    return painter


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=600)
    parser.add_argument("--step", type=float, default=24.0, help="px scrolled per frame")
    parser.add_argument("--runs", type=int, default=3, help="repetitions (best figure kept)")
    args = parser.parse_args(argv)
    pygame.init()
    screen = pygame.display.set_mode(SIZE)
    with tempfile.TemporaryDirectory() as tmp:
        story = make_story(Path(tmp))
    fonts = FontSet(default_font_path())
    scrolls = [i * args.step for i in range(args.frames)]
    print(f"{MESSAGES} messages, {args.frames} frames scrolling {args.step:g} px each "
          f"({args.frames * args.step:.0f} px back from the latest), {SIZE[0]}x{SIZE[1]}, "
          f"best of {args.runs} runs")
    results: dict[str, list[tuple[float, float, float, float]]] = {"cold": [], "warm": [],
                                                                   "deep": []}
    for _ in range(args.runs):
        painter = one_run(story, screen, fonts, scrolls, results)
    for name in ("cold", "warm", "deep"):
        report(name, results[name])
    col = painter.column(painter.geometry(SIZE))
    measured = sum(col.measured(i) for i in range(col.total))
    print(f"last run: blocks laid out {measured} of {col.total}, layout calls "
          f"{col.bubbles.layout_calls}, bubble surfaces built {painter.stats.bubble_builds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
