"""Text rendering benchmark: layout, an unchanged frame, a typewriter frame.

Run: `.venv/bin/python bench/render.py [--frames N]`. Headless (SDL dummy
video driver), 1280x720. Each case is timed beside a floor measured in the
same run and interleaved with it (so machine load hits both alike): the floor
frame blits the same background, text box and one pre-rendered text surface.

Aims: unchanged frame <= 1.5x floor, typewriter frame <= 3x floor, layout of
a ~100-character message <= 1 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402

from engine.layout import Settings, layout_message, paginate  # noqa: E402
from engine.logformat import parse  # noqa: E402
from engine.render import FontSet, TextColors, TextRenderer  # noqa: E402

SCREEN = (1280, 720)
BOX = pygame.Rect(40, 470, 1200, 230)
TEXT_ORIGIN = (80, 500)
TEXT_WIDTH = 1120.0

# A demo-like message: ~100 characters, ruby (mono, group, jukugo), a stage direction.
SCRIPT = (
    "--- LOG START --- 2025.03.14 21:05\n"
    "SORA: ねえカイ、あのさ。子どものころ、<ruby>屋上<rt>おくじょう</rt></ruby>で一緒に見たの"
    "覚えてる？（笑う）あのとき、<ruby>流<rt>なが</rt></ruby>れ星が三つ続けて落ちて、"
    "あたし願い事を言い終わる前に全部消えちゃって、泣いたんだよ。"
    "<ruby>明<rt>あ</rt>日<rt>した</rt></ruby>も<ruby>昴<rt>すばる</rt></ruby>"
    "と<ruby>北斗七星<rt>ほくとしちせい</rt></ruby>が見えるかな。\n"
    "--- LOG END ---\n"
)

COLORS = TextColors(text=(250, 250, 250), direction=(170, 176, 196), ruby=(235, 235, 245),
                    shadow=(0, 0, 0, 160))


def make_scene(screen: pygame.Surface) -> tuple[pygame.Surface, pygame.Surface]:
    """A gradient background and a translucent text box, in the display's formats."""
    bg = pygame.Surface(SCREEN)
    for y in range(SCREEN[1]):
        shade = 30 + y * 60 // SCREEN[1]
        pygame.draw.line(bg, (shade // 2, shade, shade + 40), (0, y), (SCREEN[0], y))
    box = pygame.Surface(BOX.size, pygame.SRCALPHA)
    box.fill((10, 12, 30, 190))
    pygame.draw.rect(box, (200, 200, 230, 220), box.get_rect(), width=2, border_radius=12)
    return bg.convert(), box.convert_alpha()


def time_pairs(case: Callable[[int], object], floor: Callable[[int], object],
               n: int) -> tuple[list[float], list[float]]:
    """Run case and floor alternately n times; their durations in microseconds."""
    case_us, floor_us = [], []
    clock = time.perf_counter_ns
    for i in range(n):
        t0 = clock()
        floor(i)
        t1 = clock()
        case(i)
        t2 = clock()
        floor_us.append((t1 - t0) / 1000)
        case_us.append((t2 - t1) / 1000)
    return case_us, floor_us


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def report(name: str, case: list[float], floor: list[float], aim: str) -> None:
    med, fmed = statistics.median(case), statistics.median(floor)
    print(f"{name:<18} median {med:8.1f} us  p99 {p99(case):8.1f} us   "
          f"floor median {fmed:7.1f} us  p99 {p99(floor):7.1f} us   "
          f"ratio {med / fmed:5.2f}x (p99 {p99(case) / p99(floor):5.2f}x)   aim {aim}")


def main(argv: list[str] | None = None) -> int:
    """Run the three cases and print medians, p99s and ratios against the floor."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=2000, help="iterations per case")
    n = ap.parse_args(argv).frames
    pygame.display.init()
    screen = pygame.display.set_mode(SCREEN)
    bg, box = make_scene(screen)
    runs = parse(SCRIPT, "bench").messages[0].runs
    fonts = FontSet()
    settings = Settings(size=32.0)
    layout = layout_message(runs, TEXT_WIDTH, fonts.measure, settings)  # warms the measure memo
    page = paginate(layout, 3)[0]  # drawn as the player draws it: a page of lines
    renderer = TextRenderer(fonts)
    t0 = time.perf_counter()
    text = renderer.render_layout(layout, COLORS, lines=page).copy()  # the floor's surface
    cold_ms = (time.perf_counter() - t0) * 1000
    print(f"message: {layout.chars} characters, {len(layout.lines)} lines, "
          f"{sum(len(line.rubies) for line in layout.lines)} ruby; "
          f"first render (cold glyph cache) {cold_ms:.1f} ms; frames per case {n}")

    def floor(_: int) -> None:
        screen.blit(bg, (0, 0))
        screen.blit(box, BOX)
        screen.blit(text, TEXT_ORIGIN)

    def lay_out(_: int) -> None:
        layout_message(runs, TEXT_WIDTH, fonts.measure, settings)

    def unchanged(_: int) -> None:
        screen.blit(bg, (0, 0))
        screen.blit(box, BOX)
        renderer.draw_page(screen, page, TEXT_ORIGIN, COLORS, settings=settings)

    def typewriter(i: int) -> None:
        screen.blit(bg, (0, 0))
        screen.blit(box, BOX)
        reveal = i % (layout.chars + 1)
        renderer.draw_page(screen, page, TEXT_ORIGIN, COLORS, reveal, settings=settings)

    for name, case, aim in (("layout", lay_out, "<= 1 ms"),
                            ("unchanged frame", unchanged, "<= 1.5x"),
                            ("typewriter frame", typewriter, "<= 3x")):
        case_us, floor_us = time_pairs(case, floor, n)
        report(name, case_us, floor_us, aim)
    stats = renderer.stats
    print(f"caches: {stats.glyph_renders} glyph images made, {stats.page_builds} pages built, "
          f"{stats.page_hits} page hits, {stats.redraws} redraws (typewriter restarts)")
    pygame.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
