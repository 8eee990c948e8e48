"""`chatlog-vn build` of the demo: build time, folder and zip size, and the built app's start.

Builds the demo (`scripts/`) once, in a fresh process, into a temporary
folder (`python -m engine build scripts -o TMP`), timing the whole command
(check, PyInstaller, licences, zip). Then starts, in a fresh process per
trial and interleaved so both see the same machine load:

- app:   the built executable, `APP --first-frame-exit --benchmark`;
- floor: the same player from the venv, `python -m engine play scripts
         --first-frame-exit --benchmark` (what the writer runs; the package
         byte-compiled first, as the app's is).

Both read from the first message and exit right after that frame is on the
screen. Reported per side, median and worst over the trials: the wall time
from launch to the process's exit after that frame (what a reader waits,
plus the exit), and the player's own figure, first message frame after
process start (Linux /proc; known to a 10 ms clock tick). Both sides get the
same environment and a fresh --save-dir per trial.
Run: `.venv/bin/python bench/bundle.py [--runs N] [--with-voice]`.
Aims (issue 15): the app's start <= 1.5x the venv's; the folder <= 80 MB.
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
sys.path.insert(0, str(ROOT))

from engine.bundle.freeze import executable_path, folder_size  # noqa: E402
from engine.bundle.plan import app_name  # noqa: E402
from engine.manifest import load_story  # noqa: E402

START_AIM = 1.5
FOLDER_AIM_MB = 80.0


def _env() -> dict[str, str]:
    return {**os.environ, "SDL_VIDEODRIVER": os.environ.get("SDL_VIDEODRIVER", "dummy"),
            "SDL_AUDIODRIVER": os.environ.get("SDL_AUDIODRIVER", "dummy"),
            "PYGAME_HIDE_SUPPORT_PROMPT": "1"}


def build(out: Path, with_voice: bool) -> tuple[float, Path, Path]:
    """Build the demo into `out`; (seconds, app folder, executable)."""
    cmd = [sys.executable, "-m", "engine", "build", "scripts", "-o", str(out)]
    if with_voice:
        cmd.append("--with-voice")
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed (exit {result.returncode}):\n{result.stderr}")
    voice = re.search(r"^voice: .*$", result.stdout, re.M)
    if voice:
        print(voice.group(0))
    name = app_name(load_story(ROOT / "scripts").title)
    return seconds, out / name, executable_path(out / name, name)


def trial(cmd: list[str], saves: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds launch to exit, first message frame after process start) of one start."""
    start = time.perf_counter()
    result = subprocess.run([*cmd, "--first-frame-exit", "--benchmark", "--save-dir", str(saves)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed (exit {result.returncode}):\n{result.stderr}")
    first = re.search(r"first message frame: ([\d.]+) s", result.stdout)
    if first is None:
        raise SystemExit(f"no first message frame reported by {' '.join(cmd)}:\n{result.stdout}")
    return wall, float(first.group(1))


def _row(label: str, values: list[float]) -> str:
    return f"{label:<7} median {statistics.median(values):.3f} s   worst {max(values):.3f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--with-voice", action="store_true",
                        help="build with --with-voice (needs the voice extra)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="build into DIR and keep it (default: a temporary folder)")
    args = parser.parse_args()
    env = _env()
    subprocess.run([sys.executable, "-m", "compileall", "-q", "engine"], cwd=ROOT, check=True,
                   capture_output=True)
    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as tmp:
        out = args.keep.resolve() if args.keep else Path(tmp) / "dist"
        seconds, app, exe = build(out, args.with_voice)
        size = folder_size(app)
        archive = out / f"{app.name}.zip"
        zip_size = archive.stat().st_size if archive.is_file() else None
        venv = [sys.executable, "-m", "engine", "play", "scripts"]
        rows: dict[str, list[tuple[float, float]]] = {"app": [], "venv": []}
        for i in range(args.runs):
            for label, cmd in (("venv", venv), ("app", [str(exe)])):
                rows[label].append(trial(cmd, Path(tmp) / f"saves-{label}-{i}", env))
    mb = size / 1e6
    print(f"build: {seconds:.1f} s (check, PyInstaller, licences, zip; one run)")
    print(f"folder: {mb:.1f} MB ({'met' if mb <= FOLDER_AIM_MB else 'NOT met'}: "
          f"aim <= {FOLDER_AIM_MB:.0f} MB)")
    print("zip: " + ("none" if zip_size is None else f"{zip_size / 1e6:.1f} MB"))
    print(f"start, {args.runs} fresh processes each, SDL_VIDEODRIVER={env['SDL_VIDEODRIVER']}:")
    for what, index in (("launch to exit after the first frame (wall)", 0),
                        ("first message frame after process start (reported)", 1)):
        print(f"  {what}:")
        for label in ("venv", "app"):
            print("    " + _row(label, [r[index] for r in rows[label]]))
        ratio = (statistics.median(r[index] for r in rows["app"])
                 / max(statistics.median(r[index] for r in rows["venv"]), 1e-3))
        worst = max(r[index] for r in rows["app"]) / max(max(r[index] for r in rows["venv"]), 1e-3)
        met = "met" if ratio <= START_AIM else "NOT met"
        print(f"    ratio app/venv: median {ratio:.2f}x, worst {worst:.2f}x "
              f"({met}: aim <= {START_AIM}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
