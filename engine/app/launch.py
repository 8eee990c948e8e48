"""Opening the window and running the player: the pygame side of `chatlog-vn play`.

`engine.commands.play` reads the command line and builds the Session; this
module opens the display (saying "no display" rather than sitting in SDL's
offscreen driver), runs the App's loop, and prints the `--benchmark`
figures (frame times, first message, peak memory, idle CPU against a bare
`pygame.event.wait` loop).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

EXIT_OK, EXIT_USAGE = 0, 2


def play_session(session, *, lang: str | None, size: tuple[int, int] | None,  # type: ignore[no-untyped-def]
                 watch: Path | None, title_frame_exit: bool,
                 since_start: Callable[[], float]) -> int:
    """Play `session` in a window until the reader quits; the exit code.

    `watch`: the story to live-reload on every save. `title_frame_exit`:
    leave once the title screen's first frame is shown (a benchmark).
    `since_start`: seconds since the process started (for the figures).
    """
    import pygame

    from engine.app.app import App
    from engine.app.i18n import pick_language, set_language
    from engine.preferences import system_language

    set_language(pick_language(lang or session.prefs.language, session.story.ui_language,
                               system_language()))
    if not open_display():
        return EXIT_USAGE
    session.assets.prefetch(_first_images(session))
    app = App(session)
    app.open_window(size, session.prefs.fullscreen)
    opts = session.options
    if opts.start is not None or opts.autoplay or opts.first_frame_exit:
        app.start_reading(opts.start)
    else:
        app.open("title")
    if watch is not None:
        from engine.app.overlay import LiveReload

        LiveReload(app, watch).start()
    try:
        if title_frame_exit and not app.reading_screen():
            return _title_frame(app, opts.benchmark, since_start)
        code = app.run()
        if opts.benchmark:
            _benchmark_report(app, since_start)
    finally:
        pygame.quit()
    return code


def _title_frame(app, benchmark: bool, since_start: Callable[[], float]) -> int:  # type: ignore[no-untyped-def]
    """Run the loop until the title screen's first frame is presented, then leave."""
    app.running = True
    while app.running and app.frames_drawn == 0:
        app.step(max_wait=0)
    shown = since_start()
    app.quit(0)
    if benchmark:
        peak = _peak_mb()
        print(f"title frame: {shown:.3f} s after process start")
        print("peak memory: n/a" if peak is None else f"peak memory: {peak:.1f} MB")
    return EXIT_OK


# SDL's stand-ins when no real video driver can start: it falls back to them silently,
# and a window nobody can see would sit there waiting for input.
_HEADLESS_DRIVERS = ("offscreen", "dummy")


def open_display() -> bool:
    """Start pygame's display; False (after saying why) when there is no screen to show on.

    SDL_VIDEODRIVER=dummy (or offscreen) asked for in the environment is a
    headless run on purpose (tests, benchmarks) and is honoured; the same
    driver chosen by SDL itself means it found no display.
    """
    import pygame

    from engine.app.audio import quietly

    asked = os.environ.get("SDL_VIDEODRIVER", "").strip().lower()
    no_session = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    try:
        # Without a desktop session SDL's probes print their own complaints; ours follows.
        (quietly if no_session and not asked else _call)(pygame.display.init)
    except pygame.error as exc:
        print(f"chatlog-vn play: cannot open a window: {exc}", file=sys.stderr)
        return False
    driver = pygame.display.get_driver()
    if driver in _HEADLESS_DRIVERS and driver != asked:
        pygame.display.quit()
        print("chatlog-vn play: no display: no desktop session to open a window in "
              "(DISPLAY and WAYLAND_DISPLAY are not set). Run it from a desktop, or set "
              "SDL_VIDEODRIVER=dummy for a run with no window.", file=sys.stderr)
        return False
    return True


def _call(fn) -> None:
    fn()


def _first_images(session) -> list:
    """The pictures the first frame shows: decoded while the window opens."""
    from engine.app.frame import portrait_path

    story, rt = session.story, session.runtime
    start = session.options.start or rt.cursor
    ref = story.scenes[start.scene]
    first = ref.scene.messages[start.message] if ref.scene.messages else rt.message
    title = story.scenes[0].config.background
    return [ref.config.background, title, portrait_path(story.character(first.speaker), first)]


def _benchmark_report(app, since_start: Callable[[], float]) -> None:  # type: ignore[no-untyped-def]
    """Frame time median and p99, frames drawn, first message, memory, idle CPU."""
    import statistics

    times = sorted(app.frame_times) or [0.0]
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    first = app.first_message_frame_at
    first_text = "n/a" if first is None else f"{since_start() - (time.perf_counter() - first):.3f} s"
    peak = _peak_mb()
    print(f"frames drawn: {app.frames_drawn}")
    print(f"frame time: median {statistics.median(times) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms")
    print(f"first message frame: {first_text} after process start")
    print("peak memory: n/a" if peak is None else f"peak memory: {peak:.1f} MB")
    if app.session.options.first_frame_exit:
        print("idle: not measured (--first-frame-exit)")
        return
    idle_cpu, idle_frames = _idle(app)
    print(f"idle: {idle_cpu * 1000:.1f} ms CPU and {idle_frames} frames over 1.0 s")
    print(f"idle floor: {_bare_wait() * 1000:.1f} ms CPU over 1.0 s in a bare "
          "pygame.event.wait loop")


def _peak_mb() -> float | None:
    """Peak resident memory of this process in MB (None where the OS does not say)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


def _bare_wait(seconds: float = 1.0) -> float:
    """CPU time pygame.event.wait itself costs over `seconds` with no input (the floor)."""
    import pygame

    cpu = time.process_time()
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        pygame.event.wait(max(1, int(left * 1000)))
    return time.process_time() - cpu


def _idle(app, seconds: float = 1.0) -> tuple[float, int]:
    """Run the loop with no input for `seconds`: CPU time used and frames drawn."""
    app.running = True
    app.session.options.fast = False
    app.session.auto = app.session.skip = False
    frames = app.frames_drawn
    cpu = time.process_time()
    end = time.monotonic() + seconds
    while time.monotonic() < end and app.running:
        app.step(max_wait=max(0.0, end - time.monotonic()))
    return time.process_time() - cpu, app.frames_drawn - frames
