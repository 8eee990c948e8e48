"""Text-box rendering benchmark: a new message's first frame, layout, unchanged and typewriter frames.

Run: `.venv/bin/python bench/render.py [--trials N] [--messages N] [--frames N]`.
Headless (SDL dummy video driver), 1280x720. Each trial is a fresh process;
every figure is the median over the trials of each trial's median (or p99),
and "worst" is the slowest frame of all trials. Each case is timed beside a
floor measured in the same process and interleaved with it, frame by frame,
so machine load hits both alike. Times are wall clock (microseconds); on a
shared machine compare the ratios, not the absolute figures.

Cases:

- new message, typed / new message, at once: the player (the real App and
  its text-box screen, default settings) on a realistic script
  (bench/realistic.py: every line distinct, ruby in one message of ten): the
  reader advances (`ReadingScreen.forward`: the runtime moves, the read mark,
  the message's pages laid out) and the frame is drawn and presented
  (`App.draw`). "Typed" with the default text speed (the first frame shows
  the box and the name, the typewriter not started); "at once" with the text
  speed at 0 (the whole first page in that frame). Floor: the same pixels
  drawn as plainly as possible: one blit of that frame without its text (kept
  from our frame, not timed), a blit of each of the same glyph images at the
  same places, and the same present (`display.flip`).
- layout: one ~100-character message with six rubies (the demo's kind),
  beside nothing (aim <= 1 ms).
- unchanged frame / typewriter frame: the text renderer's page cache drawing
  that message over a background and a box; floor: the same background, box
  and one pre-rendered text surface (aims <= 1.5x and <= 3x).

Aim for a new message's first frame: median <= 2x its floor (p99 reported).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

SCREEN = (1280, 720)
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

Case = dict[str, list[float]]


def _env() -> None:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


# --- a new message's first frame, in the player ---------------------------------------------


def new_message_case(script: Path, messages: int, typed: bool, save_dir: Path) -> Case:
    """Our first frame of each of `messages` new messages and, beside each, its floor."""
    import pygame

    from engine.app.app import App, PlayOptions, Session
    from engine.app.i18n import set_language
    from engine.manifest import load_story, story_id
    from engine.preferences import Preferences
    from engine.runtime import Runtime
    from engine.saves import SaveStore, load_marks

    gc.disable()  # as `chatlog-vn play` starts (engine.cli): collection resumes after frame 1
    story = load_story(script)
    prefs = Preferences() if typed else Preferences(text_speed=0)
    session = Session(story=story, runtime=Runtime(story), marks=load_marks(save_dir),
                      prefs=prefs, prefs_dir=save_dir, saves=SaveStore(save_dir),
                      story_id=story_id(story), options=PlayOptions(view="adv"))
    set_language("ja")
    pygame.display.init()
    app = App(session)
    app.open_window(SCREEN)
    app.start_reading()
    app.draw()
    gc.freeze()
    gc.enable()
    reading = app.reading_screen()
    assert reading is not None and app.canvas is not None
    canvas = app.canvas
    renderer = session.renderer
    out: Case = {"ours": [], "floor": []}
    for _ in range(messages):
        reading.complete = True  # the reader read the page to its end, then clicks
        t0 = time.perf_counter()
        reading.forward()
        app.draw()
        t1 = time.perf_counter()
        base, glyphs = _same_pixels(app, reading, renderer)  # not timed
        t2 = time.perf_counter()
        canvas.blit(base, (0, 0))
        canvas.blits(glyphs, doreturn=False)
        pygame.display.flip()
        t3 = time.perf_counter()
        out["ours"].append((t1 - t0) * 1e6)
        out["floor"].append((t3 - t2) * 1e6)
        if session.runtime.at_end:
            break
    pygame.quit()
    return out


def _same_pixels(app, reading, renderer):  # type: ignore[no-untyped-def]
    """The frame just drawn without its text, and its text as glyph blits on the canvas."""
    import pygame

    s = app.session
    rt = s.runtime
    base = pygame.Surface(app.canvas.get_size()).convert()  # the whole frame: the floor blits it once
    geo = s.frame.draw(base, rt.scene_ref, rt.message, reading.page, reading.reveal,
                       show_ui=True, with_text=False)
    glyphs = []
    last = renderer._last  # noqa: SLF001  (the page the frame drew, brought to its reveal)
    if reading.page and last is not None:
        page = last[4]
        ox, oy = round(geo.text.x), round(geo.text.y)
        glyphs = [(img, (x + ox, y + oy)) for img, (x, y) in page.blits[:page.drawn]]
    return base, glyphs


# --- the renderer's cases: one message, in-process ------------------------------------------


def renderer_cases(frames: int) -> dict[str, Case]:
    """Layout, unchanged frame and typewriter frame of the demo-like message, with floors."""
    import pygame

    from engine.layout import Settings, layout_message, paginate
    from engine.logformat import parse
    from engine.render import FontSet, TextColors, TextRenderer

    pygame.display.init()
    screen = pygame.display.set_mode(SCREEN)
    bg, box, box_rect = _scene()
    runs = parse(SCRIPT, "bench").messages[0].runs
    fonts = FontSet()
    settings = Settings(size=32.0)
    colors = TextColors(text=(250, 250, 250), direction=(170, 176, 196), ruby=(235, 235, 245),
                        shadow=(0, 0, 0, 160))
    layout = layout_message(runs, TEXT_WIDTH, fonts.measure, settings)  # warms the measure memo
    page = paginate(layout, 3)[0]  # drawn as the player draws it: a page of lines
    renderer = TextRenderer(fonts)
    text = renderer.render_layout(layout, colors, lines=page).copy()  # the floor's surface

    def floor(_: int) -> None:
        screen.blit(bg, (0, 0))
        screen.blit(box, box_rect)
        screen.blit(text, TEXT_ORIGIN)

    def lay_out(_: int) -> None:
        layout_message(runs, TEXT_WIDTH, fonts.measure, settings)

    def unchanged(_: int) -> None:
        screen.blit(bg, (0, 0))
        screen.blit(box, box_rect)
        renderer.draw_page(screen, page, TEXT_ORIGIN, colors, settings=settings)

    def typewriter(i: int) -> None:
        screen.blit(bg, (0, 0))
        screen.blit(box, box_rect)
        renderer.draw_page(screen, page, TEXT_ORIGIN, colors, i % (layout.chars + 1),
                           settings=settings)

    out = {name: _pairs(case, floor, frames)
           for name, case in (("layout", lay_out), ("unchanged frame", unchanged),
                              ("typewriter frame", typewriter))}
    pygame.quit()
    return out


def _scene():  # type: ignore[no-untyped-def]
    """A gradient background and a translucent text box, in the display's formats."""
    import pygame

    box_rect = pygame.Rect(40, 470, 1200, 230)
    bg = pygame.Surface(SCREEN)
    for y in range(SCREEN[1]):
        shade = 30 + y * 60 // SCREEN[1]
        pygame.draw.line(bg, (shade // 2, shade, shade + 40), (0, y), (SCREEN[0], y))
    box = pygame.Surface(box_rect.size, pygame.SRCALPHA)
    box.fill((10, 12, 30, 190))
    pygame.draw.rect(box, (200, 200, 230, 220), box.get_rect(), width=2, border_radius=12)
    return bg.convert(), box.convert_alpha(), box_rect


def _pairs(case: Callable[[int], object], floor: Callable[[int], object], n: int) -> Case:
    """Run case and floor alternately n times; their durations in microseconds."""
    out: Case = {"ours": [], "floor": []}
    clock = time.perf_counter_ns
    for i in range(n):
        t0 = clock()
        floor(i)
        t1 = clock()
        case(i)
        t2 = clock()
        out["floor"].append((t1 - t0) / 1000)
        out["ours"].append((t2 - t1) / 1000)
    return out


# --- the parent: trials and the report ------------------------------------------------------


def trial(script: Path, messages: int, frames: int) -> dict[str, Case]:
    """Every case, in this (fresh) process."""
    _env()
    out: dict[str, Case] = {}
    with tempfile.TemporaryDirectory() as saves:
        out["new message, typed"] = new_message_case(script, messages, True, Path(saves) / "a")
        out["new message, at once"] = new_message_case(script, messages, False,
                                                       Path(saves) / "b")
    out.update(renderer_cases(frames))
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


AIMS = {"new message, typed": ("ratio", 2.0), "new message, at once": ("ratio", 2.0),
        "layout": ("us", 1000.0), "unchanged frame": ("ratio", 1.5),
        "typewriter frame": ("ratio", 3.0)}


def report(name: str, cases: list[Case]) -> None:
    def over(key: str, q: float | None) -> float:
        return statistics.median(statistics.median(c[key]) if q is None else pct(c[key], q)
                                 for c in cases)

    med, p99, fmed, fp99 = over("ours", None), over("ours", 0.99), over("floor", None), \
        over("floor", 0.99)
    worst = max(max(c["ours"]) for c in cases)
    kind, aim = AIMS[name]
    if kind == "us":
        print(f"{name:21} median {med:8.1f} us  p99 {p99:8.1f} us  worst {worst:8.1f} us   "
              f"aim <= {aim / 1000:g} ms: {'met' if med <= aim else 'NOT met'}")
        return
    ratio = med / fmed
    print(f"{name:21} median {med:8.1f} us  p99 {p99:8.1f} us  worst {worst:8.1f} us | floor "
          f"median {fmed:7.1f} p99 {fp99:7.1f} | ratio {ratio:4.2f}x (p99 {p99 / fp99:4.2f}x)   "
          f"aim <= {aim:g}x: {'met' if ratio <= aim else 'NOT met'}")


def main(argv: list[str] | None = None) -> int:
    """Run the trials, each in a fresh process, and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--messages", type=int, default=400, help="new messages per trial and mode")
    ap.add_argument("--frames", type=int, default=2000, help="frames per renderer case")
    ap.add_argument("--trial", metavar="SCRIPT", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.trial:
        print(json.dumps(trial(Path(args.trial), args.messages, args.frames)))
        return 0
    import realistic

    with tempfile.TemporaryDirectory() as tmp:
        script = realistic.write_in_child(Path(tmp) / "story.log", args.messages + 1)
        runs = []
        for _ in range(args.trials):
            done = subprocess.run(
                [sys.executable, __file__, "--trial", str(script), "--messages",
                 str(args.messages), "--frames", str(args.frames)],
                cwd=ROOT, capture_output=True, text=True, check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"{args.trials} trials, each a fresh process; {args.messages} new messages per mode, "
          f"{args.frames} frames per renderer case; medians over trials, worst of all frames")
    for name in AIMS:
        report(name, [r[name] for r in runs])
    return 0


if __name__ == "__main__":
    sys.exit(main())
