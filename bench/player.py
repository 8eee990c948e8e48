"""Start-up time and peak memory of the player, beside a floor measured in the same run.

Player, two ways, each a fresh process: `python -m engine play scripts
--title-frame-exit --benchmark` (the title screen, as `play` starts) and
`python -m engine play scripts --first-frame-exit --benchmark` (reading from
the first message; the demo's first scene is in the chat view); each exits
right after that frame is presented. Floor: the least a pygame program
showing Japanese text must do, in a fresh process too:

    import pygame; pygame.init(); pygame.display.set_mode((1280, 720))
    pygame.font.Font(<the Noto Sans CJK JP font the engine uses>, 28)

All run the same interpreter with the same environment, so all pay the same
start-up (site and the venv's .pth files, the editable install's finder
included). Each reports, from inside, the time from its own process start to
that point (process start is known to 10 ms, a clock tick, hence the medians
over several interleaved runs) and its peak RSS; the wall time of the whole
process is shown too. The package is byte-compiled first (compileall), as an
installed package would be: with PYTHONDONTWRITEBYTECODE set, every run would
otherwise pay for compiling the engine's sources.
Run: `.venv/bin/python bench/player.py [--runs N]`.
Aim: each first frame <= 1.5x the floor (and < 0.5 s); peak memory < 120 MB.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AIM = 1.5

FLOOR = r"""
import os, resource, sys, time
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame
pygame.init()
pygame.display.set_mode((1280, 720))
pygame.font.Font(sys.argv[1], 28)
with open("/proc/self/stat") as f:
    ticks = int(f.read().rsplit(")", 1)[1].split()[19])
with open("/proc/uptime") as f:
    up = float(f.read().split()[0])
print(f"first message frame: {up - ticks / os.sysconf('SC_CLK_TCK'):.3f} s after process start")
print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB")
"""


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall seconds, first-frame seconds reported, peak MB reported) for one process."""
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{result.stderr}")
    first = re.search(r"(?:first message|title) frame: ([\d.]+) s", result.stdout)
    peak = re.search(r"peak memory: ([\d.]+) MB", result.stdout)
    if not first or not peak:
        raise SystemExit(f"unexpected output from {' '.join(cmd)}:\n{result.stdout}")
    return wall, float(first.group(1)), float(peak.group(1))


def _median(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return tuple(statistics.median(r[i] for r in rows) for i in range(3))  # type: ignore[return-value]


def _player(saves: str, env: dict[str, str], exit_flag: str) -> tuple[list[str], dict[str, str]]:
    """The player's command line and environment, keeping its files under `saves`.

    On Linux it runs as the README's `play` does, finding its save and settings
    folders itself (platformdirs, which follows XDG_DATA_HOME/XDG_CONFIG_HOME),
    so that look-up is measured too; elsewhere `--save-dir` keeps the user's
    folders untouched.
    """
    cmd = [sys.executable, "-m", "engine", "play", "scripts", exit_flag, "--benchmark"]
    if sys.platform.startswith("linux"):
        return cmd, {**env, "XDG_DATA_HOME": os.path.join(saves, "data"),
                     "XDG_CONFIG_HOME": os.path.join(saves, "config")}
    return [*cmd, "--save-dir", saves], env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    env = {**os.environ, "SDL_VIDEODRIVER": os.environ.get("SDL_VIDEODRIVER", "dummy"),
           "SDL_AUDIODRIVER": os.environ.get("SDL_AUDIODRIVER", "dummy"),
           "PYGAME_HIDE_SUPPORT_PROMPT": "1",
           # The player asks SDL for an unaccelerated window surface; the floor gets
           # the same, so the ratio measures our work and not that choice.
           "SDL_FRAMEBUFFER_ACCELERATION": os.environ.get("SDL_FRAMEBUFFER_ACCELERATION", "0")}
    subprocess.run([sys.executable, "-m", "compileall", "-q", "engine"], cwd=ROOT, check=True,
                   capture_output=True)
    font = subprocess.run([sys.executable, "-c", "from engine.render import default_font_path; "
                           "print(default_font_path())"], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout.strip()
    rows: dict[str, list[tuple[float, float, float]]] = {"floor": [], "title": [], "message": []}
    with tempfile.TemporaryDirectory() as saves:
        title, title_env = _player(os.path.join(saves, "t"), env, "--title-frame-exit")
        message, message_env = _player(os.path.join(saves, "m"), env, "--first-frame-exit")
        for _ in range(args.runs):  # interleaved so all see the same machine load
            rows["floor"].append(_run([sys.executable, "-c", FLOOR, font], env))
            rows["title"].append(_run(title, title_env))
            rows["message"].append(_run(message, message_env))
    f_wall, f_first, f_mem = _median(rows["floor"])
    print(f"runs: {args.runs} each (medians), SDL_VIDEODRIVER={env['SDL_VIDEODRIVER']}; floor: "
          f"pygame.init(), a 1280x720 window, pygame.font.Font(Noto Sans CJK JP, 28)")
    print(f"floor          ready {f_first:.3f} s   wall {f_wall:.3f} s   peak {f_mem:.1f} MB")
    for name, label in (("title", "title screen"), ("message", "first message")):
        wall, first, mem = _median(rows[name])
        ratio = first / max(f_first, 1e-3)
        met = ratio <= AIM and first < 0.5
        print(f"{label:14} frame {first:.3f} s   wall {wall:.3f} s   peak {mem:.1f} MB | ratio "
              f"{ratio:.2f}x (wall {wall / max(f_wall, 1e-3):.2f}x)   aim <= {AIM:g}x and < 0.5 s: "
              f"{'met' if met else 'NOT met'}; memory < 120 MB: {'met' if mem < 120 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
