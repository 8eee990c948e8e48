"""Start-up time and peak memory of the player, beside a floor measured in the same run.

Player: `python -m engine play scripts --first-frame-exit --benchmark`, which
reads from the first message (the demo's first scene is in the chat view) and
exits right after that frame is presented. Floor: a process that opens a bare
1280x720 pygame window, loads the same font, draws one line and exits. Both
run the same interpreter with the same environment, so both pay the same
start-up (site and the venv's .pth files, the editable install's finder
included). Both report, from inside, the time from their own process start to
that frame (process start is known to 10 ms, a clock tick, hence the medians
over several interleaved runs) and their peak RSS; the wall time of the whole
process is shown too. The package is byte-compiled first (compileall), as an
installed package would be: with PYTHONDONTWRITEBYTECODE set, every run would
otherwise pay for compiling the engine's sources.
Run: `.venv/bin/python bench/player.py [--runs N]`.
Aim: first frame <= 2x the floor and < 0.5 s; peak memory < 120 MB.
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

FLOOR = r"""
import os, resource, time
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame, pygame.freetype
import noto_cjk_sans_jp_regular as noto
pygame.display.init()
screen = pygame.display.set_mode((1280, 720))
pygame.freetype.init()
font = pygame.freetype.Font(os.path.join(os.path.dirname(noto.__file__), "NotoSansCJKjp-Regular.otf"))
screen.fill((20, 20, 40))
font.render_to(screen, (80, 500), "ねえ、起きてる？　今夜は昴がよく見える。", (255, 255, 255), size=30)
pygame.display.flip()
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
    first = re.search(r"first message frame: ([\d.]+) s", result.stdout)
    peak = re.search(r"peak memory: ([\d.]+) MB", result.stdout)
    if not first or not peak:
        raise SystemExit(f"unexpected output from {' '.join(cmd)}:\n{result.stdout}")
    return wall, float(first.group(1)), float(peak.group(1))


def _median(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return tuple(statistics.median(r[i] for r in rows) for i in range(3))  # type: ignore[return-value]


def _player(saves: str, env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The player's command line and environment, keeping its files under `saves`.

    On Linux it runs as the README's `play` does, finding its save and settings
    folders itself (platformdirs, which follows XDG_DATA_HOME/XDG_CONFIG_HOME),
    so that look-up is measured too; elsewhere `--save-dir` keeps the user's
    folders untouched.
    """
    cmd = [sys.executable, "-m", "engine", "play", "scripts", "--first-frame-exit", "--benchmark"]
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
    with tempfile.TemporaryDirectory() as saves:
        player, player_env = _player(saves, env)
        floor = [sys.executable, "-c", FLOOR]
        floor_rows, player_rows = [], []
        for _ in range(args.runs):  # interleaved so both see the same machine load
            floor_rows.append(_run(floor, env))
            player_rows.append(_run(player, player_env))
    f_wall, f_first, f_mem = _median(floor_rows)
    p_wall, p_first, p_mem = _median(player_rows)
    print(f"runs: {args.runs} each (medians), SDL_VIDEODRIVER={env['SDL_VIDEODRIVER']}")
    print(f"first frame  floor {f_first:.3f} s   player {p_first:.3f} s   "
          f"ratio {p_first / max(f_first, 1e-3):.2f}x   (aim <= 2x and < 0.5 s)")
    print(f"process wall floor {f_wall:.3f} s   player {p_wall:.3f} s   "
          f"ratio {p_wall / max(f_wall, 1e-3):.2f}x")
    print(f"peak memory  floor {f_mem:.1f} MB  player {p_mem:.1f} MB  "
          f"ratio {p_mem / max(f_mem, 1e-3):.2f}x   (aim < 120 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
