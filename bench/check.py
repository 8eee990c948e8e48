"""`chatlog-vn check` on long stories and on one huge message, each trial a fresh process.

Run: `.venv/bin/python bench/check.py [--sizes 100000,1000000] [--trials 3]`.

Realistic scripts (bench/realistic.py: every line distinct, ruby in about one
message of ten, a scene every ~200 messages). Each trial is a new process
that runs check as the command does, timing its phases from inside: the
parse (`load_story`), the story-wide checks (`deep_checks`, which includes
CHK004's page counting) and the rest (loading fonts, sorting, printing to
/dev/null); its wall time and peak RSS are taken from outside. Figures are
medians over the trials. Aim: <= 20 us a message, 1M messages in < 30 s.

Then issue 17's case: one message of a million characters (2.9 MB of
Japanese text), and three hostile variants (one 1M-character word; a space
between every two characters; a million spaces between two characters, which
the layout must see whole: they are one line), each against `chatlog-vn dump`
of the same file as the floor. Aim: within a few times dump, time and memory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import realistic  # noqa: E402

TRIAL = r"""
import json, os, resource, sys, time
t0 = time.perf_counter()
from engine.checks import deep_checks
from engine.commands.check import _fonts, as_json, relative, sort_diagnostics, summary
from engine.manifest import load_story
t1 = time.perf_counter()
story = load_story(sys.argv[1])
t2 = time.perf_counter()
fonts = _fonts(story)
t3 = time.perf_counter()
found = story.all_diagnostics() + deep_checks(story, fonts)
t4 = time.perf_counter()
with open(os.devnull, "w", encoding="utf-8") as out:
    for d in sort_diagnostics(relative(d) for d in found):
        print(d.format(), file=out)
t5 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "parse": t2 - t1, "fonts": t3 - t2, "checks": t4 - t3,
                  "output": t5 - t4, "found": len(found),
                  "messages": sum(len(r.scene.messages) for r in story.scenes)}))
"""


def run(cmd: list[str]) -> tuple[float, float, str]:
    """(wall s, peak RSS MB, stdout) of one fresh process (this one stays small: see
    realistic.write_in_child)."""
    # The scene cache off: `check` runs after an edit, when the file is new to it.
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
           "PYGAME_HIDE_SUPPORT_PROMPT": "1", "CHATLOG_VN_SCRIPT_CACHE": "off"}
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed with exit {proc.returncode}")
        out.seek(0)
        return wall, usage.ru_maxrss / 1024, out.read().decode("utf-8", "replace")


def median(rows: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def realistic_case(folder: Path, messages: int, trials: int) -> None:
    path = realistic.write_in_child(folder / f"realistic-{messages}.log", messages)
    rows = []
    for _ in range(trials):
        wall, rss, out = run([sys.executable, "-c", TRIAL, str(path)])
        row = json.loads(out.strip().splitlines()[-1])
        row.update(wall=wall, rss=rss)
        rows.append(row)
    n = rows[0]["messages"]
    wall, parse = median(rows, "wall"), median(rows, "parse")
    checks = median(rows, "checks")
    print(f"{n:>9,} messages ({path.stat().st_size / 1e6:.1f} MB, {rows[0]['found']} diagnostics): "
          f"check {wall:6.2f} s = {wall / n * 1e6:5.1f} us/message "
          f"(aim <= 20) | parse {parse:5.2f} s ({parse / wall:4.0%}), story checks {checks:5.2f} s "
          f"= {checks / n * 1e6:4.1f} us/message, check minus parse {(wall - parse) / n * 1e6:4.1f} "
          f"us/message | peak {median(rows, 'rss'):6.0f} MB")


def huge_case(folder: Path, name: str, trials: int) -> None:
    path = realistic.write_in_child(folder / f"{name}.log", huge=name)
    check, dump = [], []
    for _ in range(trials):  # interleaved: the machine's load hits both alike
        check.append(run([sys.executable, "-m", "engine", "check", str(path)])[:2])
        dump.append(run([sys.executable, "-m", "engine", "dump", str(path)])[:2])
    cw, cm = (statistics.median(r[i] for r in check) for i in (0, 1))
    dw, dm = (statistics.median(r[i] for r in dump) for i in (0, 1))
    print(f"{name:<14} ({path.stat().st_size / 1e6:.1f} MB): check {cw:5.2f} s {cm:5.0f} MB | "
          f"dump {dw:5.2f} s {dm:5.0f} MB | ratio time {cw / dw:4.1f}x, memory {cm / dm:4.1f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", "engine"], cwd=ROOT, check=True,
                   capture_output=True)
    print(f"median of {args.trials} fresh processes per figure")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for size in (int(s) for s in args.sizes.split(",") if s):
            realistic_case(folder, size, args.trials)
        for name in ("one-message", "one-word", "spaced", "one-line"):
            huge_case(folder, name, args.trials)
    return 0


if __name__ == "__main__":
    sys.exit(main())
