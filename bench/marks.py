"""Read marks at 100,000 and 1,000,000 messages: load, save, rebuild, frame hold.

Run: `.venv/bin/python bench/marks.py [--sizes 100000,1000000] [--trials 5]`.

Each trial is a fresh process on a fresh save folder holding N marks as a
reader leaves them (a base of N·15/16 and a journal of the last N/16, the
worst a file gets before its rebuild is N/8). It measures, from inside:

- load: `MarksFile.load()` (what `play` does before its first frame),
  against the floor of reading the same file's bytes;
- save a change: 20 new marks appended (a few minutes of reading), against
  the floor of writing the same number of bytes to a file and fsyncing it;
- rebuild: the journal folded into a new base (done on the writer thread);
- frame hold: a loop on the main thread doing a frame's worth of small
  pieces of work while the writer thread appends the save that makes the
  rebuild due (the journal having grown by saves of 500) and rebuilds, with the
  switch interval the player sets (1 ms); the longest stretch one piece
  took, against the same loop with the writer idle. Aim: a save never holds
  a frame more than 2 ms.

Figures are medians over trials, and the worst frame hold over all trials
(with its p99, median over trials). On a machine that other work keeps busy
the floor's worst is the operating system's time slice, not ours: compare
the two columns.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TRIAL = r"""
import json, os, random, sys, tempfile, threading, time
from pathlib import Path
from engine.marks import KEY_BYTES, Packed, ReadMarks
from engine.marksfile import MarksFile, MarksWriter

n, seed = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
folder = Path(tempfile.mkdtemp(prefix="marks-bench-"))
keys = [rng.randbytes(KEY_BYTES) for _ in range(n)]
journal = n // 16
setup = ReadMarks(base=Packed(b"".join(sorted(keys[: n - journal]))))
mf = MarksFile(folder)
mf.save(setup, rebuild=True)
for k in keys[n - journal:]:
    setup.add(k)
mf.save(setup, rebuild=False)
path = folder / "read-marks.bin"
size = path.stat().st_size
os.system("sync")

def clock(fn):
    t = time.perf_counter(); out = fn(); return time.perf_counter() - t, out

def read_floor():
    with open(path, "rb") as f:
        return f.read()

floor_load, _ = clock(read_floor)
mf = MarksFile(folder)
load, marks = clock(mf.load)
assert len(marks) == n, (len(marks), n)

batch = [rng.randbytes(KEY_BYTES) for _ in range(20)]
for k in batch:
    marks.add(k)
save, _ = clock(lambda: mf.save(marks, rebuild=False))
probe = folder / "probe"
def write_floor():
    with open(probe, "wb") as f:
        f.write(b"x" * (8 + 20 * KEY_BYTES)); f.flush(); os.fsync(f.fileno())
floor_save, _ = clock(write_floor)

sys.setswitchinterval(0.001)  # as App.run sets it
def piece():
    s = 0
    for i in range(300):
        s += i
    return s

def frame_loop(seconds, busy=None):
    spans, end = [], time.perf_counter() + seconds
    while time.perf_counter() < end and (busy is None or busy()):
        t = time.perf_counter(); piece(); spans.append(time.perf_counter() - t)
    spans.sort()
    return spans[-1], spans[int(len(spans) * 0.99)]

floor_hold, floor_p99 = frame_loop(1.0)
# Reading goes on: the journal grows by small saves (as the player's every
# 30 s) until one more makes the rebuild due; that save is the one timed.
due = max(4096, len(marks.base) // 8)
while mf._journal + 500 < due:
    for _ in range(500):
        marks.add(rng.randbytes(KEY_BYTES))
    mf.save(marks, rebuild=False)
for _ in range(due - mf._journal + 20):
    marks.add(rng.randbytes(KEY_BYTES))
writer = MarksWriter(mf, marks)
done = threading.Event()
rebuild_time = []
def work():
    t = time.perf_counter(); mf.save(marks); rebuild_time.append(time.perf_counter() - t); done.set()
th = threading.Thread(target=work); th.start()
hold, hold_p99 = frame_loop(60, busy=lambda: not done.is_set())
th.join()
assert len(MarksFile(folder, read_only=True).load()) == len(marks)
print(json.dumps({"size": size, "load": load, "floor_load": floor_load, "save": save,
                  "floor_save": floor_save, "rebuild": rebuild_time[0], "hold": hold,
                  "hold_p99": hold_p99, "floor_hold": floor_hold, "floor_p99": floor_p99}))
"""


def trial(n: int, seed: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", TRIAL, str(n), str(seed)], cwd=ROOT,
                         capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--trials", type=int, default=5)
    args = ap.parse_args()
    print("| marks | file | load | floor (read the file) | ratio | save 20 new | floor "
          "(write + fsync) | rebuild (writer thread) | frame hold: worst, p99 | floor: worst, p99 "
          "(writer idle) | aim ≤ 2 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        runs = [trial(n, seed) for seed in range(args.trials)]

        def med(key: str, runs: list[dict[str, float]] = runs) -> float:
            return statistics.median(r[key] for r in runs)

        hold = max(r["hold"] for r in runs)
        print(f"| {n:,} | {runs[0]['size'] / 1e6:.1f} MB | {med('load') * 1e3:.1f} ms "
              f"| {med('floor_load') * 1e3:.1f} ms | {med('load') / med('floor_load'):.1f}× "
              f"| {med('save') * 1e3:.2f} ms | {med('floor_save') * 1e3:.2f} ms "
              f"| {med('rebuild') * 1e3:.0f} ms | {hold * 1e3:.2f} ms, "
              f"{med('hold_p99') * 1e3:.2f} ms "
              f"| {max(r['floor_hold'] for r in runs) * 1e3:.2f} ms, "
              f"{med('floor_p99') * 1e3:.2f} ms "
              f"| {'met' if hold <= 0.002 else 'NOT met'} |", flush=True)


if __name__ == "__main__":
    main()
