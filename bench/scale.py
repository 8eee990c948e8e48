"""How the costs grow with the story: 1k, 10k, 100k and 1M messages, each figure a fresh process.

Run: `.venv/bin/python bench/scale.py [--sizes 1000,10000,100000,1000000] [--trials 3]`.

Each size is a realistic story (bench/realistic.py: every line distinct, ruby
in about one message of ten, a scene every ~200 messages) in one script. For
each size, every trial runs in new processes:

- parse: `logformat.load` of the script with the scene cache off (the whole
  parse, every diagnostic), timed inside the process; its peak RSS outside;
- load, cache warm: the same load through the scene cache (engine/logformat/
  cache.py) once it holds this script's index: what the player and check pay
  on every start after the first;
- check: `chatlog-vn check STORY` with the cache off, wall time and peak RSS;
- dump: `chatlog-vn dump` of the script with the cache off, output to /dev/null;
- first frame, cache cold / warm: `chatlog-vn play STORY --first-frame-exit
  --benchmark`, the time from process start to the first message's frame as
  the player reports it, and its peak RSS; "cold" starts with an empty cache
  folder (it parses and writes the index), "warm" with the index in place;
- what a reader does at the story's end, each timed to its frame in one
  process over the warm cache: open the history, switch to the chat view,
  quick save, quick load (reader_trial);
- load / save read marks: marks_rows(), through engine.marksfile's public API
  (reported as not measured where that module is missing).

Each figure is the median over the trials (the worst trial in brackets). The
growth exponent between two sizes is log(t2/t1) / log(n2/n1): 1 is linear,
0 flat; "fit" is the least-squares slope over all sizes. Aims (issue 9):
whole-story work (parse, check) O(n); what a reader waits for (first frame,
warm) flat, and at 1M messages under 1 s and 300 MB.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import realistic  # noqa: E402

sys.path.insert(0, str(ROOT))
from engine.logformat import cache  # noqa: E402

PARSE = r"""
import json, sys, time
from engine.logformat import load
t = time.perf_counter()
script = load(sys.argv[1])
t = time.perf_counter() - t
print(json.dumps({"seconds": t, "scenes": len(script.scenes),
                  "messages": sum(len(s.messages) for s in script.scenes)}))
"""


# Every child runs through this: on Linux a child's ru_maxrss counts the parent's memory
# at the fork, so the child reports its own high-water mark (VmHWM, which exec resets).
WRAP = r"""
import atexit, runpy, sys
def hwm():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    print(f"\nVmHWM-MB {int(line.split()[1]) / 1024:.1f}", file=sys.stderr,
                          flush=True)
    except OSError:
        pass
atexit.register(hwm)
mode, target = sys.argv[1], sys.argv[2]
if mode == "-m":
    sys.argv = [target, *sys.argv[3:]]
    runpy.run_module(target, run_name="__main__", alter_sys=True)
else:
    sys.argv = ["-c", *sys.argv[3:]]
    exec(compile(target, "<bench>", "exec"), {"__name__": "__main__"})
"""


def run(cmd: list[str], env: dict[str, str], keep: bool = True) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, stdout) of one fresh process running
    `python -m MODULE ...` or `python -c CODE ...` (cmd[1:] is that); without
    `keep` its output goes to /dev/null."""
    cmd = [cmd[0], "-c", WRAP, *cmd[1:]]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            open(os.devnull, "wb") as null:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out if keep else null, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
        err.seek(max(0, err.seek(0, 2) - 4000))
        tail = err.read().decode("utf-8", "replace")
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):  # check and dump exit 1 when they find errors
            raise SystemExit(f"{' '.join(cmd)} exited {code}:\n{text}\n{tail}")
    own = re.search(r"^VmHWM-MB ([\d.]+)$", tail, re.M)
    return wall, float(own.group(1)) if own else usage.ru_maxrss / 1024, text


def last_json(out: str) -> dict:
    """The last JSON object a trial printed."""
    return json.loads(next(line for line in reversed(out.splitlines()) if line.startswith("{")))


class Sizes:
    """One story per size, and the environment its processes run in."""

    def __init__(self, tmp: Path, sizes: list[int]) -> None:
        self.tmp = tmp
        self.stories: dict[int, Path] = {}
        for n in sizes:
            folder = tmp / f"story{n}"
            folder.mkdir()
            realistic.write_in_child(folder / "story.log", n)
            self.stories[n] = folder

    def env(self, cache: str) -> dict[str, str]:
        """Player, saves and scene cache all under tmp; `cache` is a folder name or "off"."""
        return {**os.environ, "PYTHONPATH": str(ROOT), "SDL_VIDEODRIVER": "dummy",
                "SDL_AUDIODRIVER": "dummy", "PYGAME_HIDE_SUPPORT_PROMPT": "1",
                "XDG_DATA_HOME": str(self.tmp / "data"), "XDG_CONFIG_HOME": str(self.tmp / "config"),
                "XDG_CACHE_HOME": str(self.tmp / "xdg-cache"),
                "CHATLOG_VN_SCRIPT_CACHE": cache if cache == "off" else str(self.tmp / cache)}

    def fresh_cache(self) -> str:
        shutil.rmtree(self.tmp / "cache", ignore_errors=True)
        return "cache"


def parse_trial(s: Sizes, n: int, cache: str) -> tuple[float, float]:
    _, rss, out = run([sys.executable, "-c", PARSE, str(s.stories[n] / "story.log")], s.env(cache))
    row = last_json(out)
    assert row["messages"] == n, row
    return row["seconds"], rss


def check_trial(s: Sizes, n: int) -> tuple[float, float]:
    wall, rss, _ = run([sys.executable, "-m", "engine", "check", str(s.stories[n])], s.env("off"))
    return wall, rss


def dump_trial(s: Sizes, n: int) -> tuple[float, float]:
    wall, rss, _ = run([sys.executable, "-m", "engine", "dump", str(s.stories[n] / "story.log")],
                       s.env("off"), keep=False)
    return wall, rss


def frame_trial(s: Sizes, n: int, cache: str) -> tuple[float, float]:
    shutil.rmtree(s.tmp / "data", ignore_errors=True)  # no saved place: start at message 1
    _, rss, out = run([sys.executable, "-m", "engine", "play", str(s.stories[n]),
                       "--first-frame-exit", "--benchmark"], s.env(cache))
    first = re.search(r"first message frame: ([\d.]+) s", out)
    if not first:
        raise SystemExit(f"unexpected output from play:\n{out}")
    return float(first.group(1)), rss


MARKS_SETUP = r"""
import random, sys
from pathlib import Path
from engine.marks import KEY_BYTES, Packed, ReadMarks
from engine.marksfile import MarksFile
n, folder = int(sys.argv[1]), Path(sys.argv[2])
folder.mkdir(parents=True, exist_ok=True)
rng = random.Random(n)
keys = sorted({rng.randbytes(KEY_BYTES) for _ in range(n)})
MarksFile(folder).save(ReadMarks(base=Packed(b"".join(keys))), rebuild=True)
"""
MARKS_TRIAL = r"""
import json, random, sys, time
from pathlib import Path
from engine.marks import KEY_BYTES
from engine.marksfile import MarksFile
n, folder = int(sys.argv[1]), Path(sys.argv[2])
t = time.perf_counter()
mf = MarksFile(folder)
marks = mf.load()
load = time.perf_counter() - t
assert len(marks) >= n * 0.99, (len(marks), n)
rng = random.Random()
for _ in range(20):  # a few minutes of reading
    marks.add(rng.randbytes(KEY_BYTES))
t = time.perf_counter()
mf.save(marks, rebuild=False)
save = time.perf_counter() - t
print(json.dumps({"load": load, "save": save}))
"""


def marks_rows(s: Sizes, sizes: list[int], trials: int) -> dict[str, dict[int, list[float]]]:
    """Loading and saving read marks for a reader who has read the whole story.

    engine.marksfile's public API (MarksFile.load, MarksFile.save): a save
    folder holding one mark per message of the story (random content keys:
    the file does not look at the story), loaded in a fresh process, then 20
    new marks saved (rebuild=False: what a save during reading costs; the
    rebuild runs on the player's writer thread, see bench/marks.py).
    """
    if importlib.util.find_spec("engine.marksfile") is None:
        return {}
    load: dict[int, list[float]] = {n: [] for n in sizes}
    save: dict[int, list[float]] = {n: [] for n in sizes}
    for n in sizes:
        folder = s.tmp / f"marks{n}"
        run([sys.executable, "-c", MARKS_SETUP, str(n), str(folder)], s.env("off"))
        for _ in range(trials):
            _, _, out = run([sys.executable, "-c", MARKS_TRIAL, str(n), str(folder)], s.env("off"))
            row = last_json(out)
            load[n].append(row["load"])
            save[n].append(row["save"])
    return {"load read marks (MarksFile.load, one mark per message)": load,
            "save read marks (20 new ones appended, MarksFile.save)": save}


READER = r"""
import json, os, sys, time
from pathlib import Path
import pygame
from engine.app.app import App, PlayOptions, Session
from engine.app.i18n import set_language
from engine.manifest import load_story
from engine.preferences import load_prefs
from engine.runtime import Runtime
from engine.saves import SaveStore, load_marks

story_dir, folder = Path(sys.argv[1]), Path(sys.argv[2])
folder.mkdir(parents=True, exist_ok=True)
story = load_story(story_dir)
session = Session(story=story, runtime=Runtime(story), marks=load_marks(folder),
                  prefs=load_prefs(folder), prefs_dir=folder, saves=SaveStore(folder),
                  story_id="scale", options=PlayOptions(view="adv"))
set_language("en")
pygame.display.init()
app = App(session)
app.open_window()
app.running = True
rt = app.session.runtime
rt.jump(rt.last)  # the reader is at the end: the whole story lies behind
app.start_reading()
app.draw()

def key(k):
    app.dispatch(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0))

def timed(*keys):
    t = time.perf_counter()
    for k in keys:
        key(k)
    app.draw()
    return time.perf_counter() - t

out = {"history": timed(pygame.K_l)}
timed(pygame.K_ESCAPE)
out["chat view"] = timed(pygame.K_TAB)
timed(pygame.K_TAB)
out["quick save"] = timed(pygame.K_F5)
out["quick load"] = timed(pygame.K_F9)
print(json.dumps(out))
"""
READER_ROWS = {"history": "open the history at the story's end (L, one frame)",
               "chat view": "switch to the chat view there (Tab, one frame)",
               "quick save": "quick save there (F5, one frame)",
               "quick load": "quick load it (F9, one frame)"}


def reader_trial(s: Sizes, n: int) -> dict[str, float]:
    """What a reader does at the end of the story, each step timed in one fresh process
    (after the story is loaded through the warm cache and the first frame drawn)."""
    saves = s.tmp / f"reader{n}"
    shutil.rmtree(saves, ignore_errors=True)
    _, _, out = run([sys.executable, "-c", READER, str(s.stories[n]), str(saves)],
                    s.env("cache"))
    row: dict[str, float] = last_json(out)
    return row


def exponent(sizes: list[int], values: list[float]) -> list[float]:
    return [math.log(values[i + 1] / values[i]) / math.log(sizes[i + 1] / sizes[i])
            for i in range(len(sizes) - 1)]


def fit(sizes: list[int], values: list[float]) -> float:
    xs = [math.log(n) for n in sizes]
    ys = [math.log(v) for v in values]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return (sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
            / sum((x - mx) ** 2 for x in xs))


def show(title: str, unit: str, sizes: list[int], rows: dict[int, list[float]], scale: float,
         aim: str) -> None:
    med = [statistics.median(rows[n]) for n in sizes]
    if unit == "s":  # times in milliseconds, with a decimal for the small ones
        unit, scale = "ms", 1000 * scale
    cells = "  ".join(f"{n:>9,}: {statistics.median(rows[n]) * scale:8.1f} "
                      f"[{max(rows[n]) * scale:.1f}]" for n in sizes)
    print(f"{title} ({unit}, median [worst])")
    print(f"  {cells}")
    if len(sizes) > 1 and all(v > 0 for v in med):
        steps = ", ".join(f"{e:.2f}" for e in exponent(sizes, med))
        print(f"  growth exponent per step: {steps}; fit {fit(sizes, med):.2f} (aim: {aim})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000,1000000")
    ap.add_argument("--trials", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", "engine"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus; "
          f"median of {args.trials} fresh processes per figure")
    with tempfile.TemporaryDirectory() as tmp:
        s = Sizes(Path(tmp), sizes)
        figures = ("parse s", "parse MB", "warm s", "warm MB", "check s", "check MB",
                   "dump s", "dump MB",
                   "cold frame s", "cold frame MB", "frame s", "frame MB")
        rows: dict[str, dict[int, list[float]]] = {f: {n: [] for n in sizes} for f in figures}
        for _ in range(args.trials):
            for n in sizes:
                t, m = parse_trial(s, n, "off")
                rows["parse s"][n].append(t)
                rows["parse MB"][n].append(m)
                t, m = check_trial(s, n)
                rows["check s"][n].append(t)
                rows["check MB"][n].append(m)
                t, m = dump_trial(s, n)
                rows["dump s"][n].append(t)
                rows["dump MB"][n].append(m)
                t, m = frame_trial(s, n, s.fresh_cache())
                rows["cold frame s"][n].append(t)
                rows["cold frame MB"][n].append(m)
                t, m = frame_trial(s, n, "cache")  # the cold start wrote the index
                rows["frame s"][n].append(t)
                rows["frame MB"][n].append(m)
                t, m = parse_trial(s, n, "cache")
                rows["warm s"][n].append(t)
                rows["warm MB"][n].append(m)
                for name, t in reader_trial(s, n).items():
                    rows.setdefault(name, {k: [] for k in sizes})[n].append(t)
        for n in sizes:
            size = (s.stories[n] / "story.log").stat().st_size / 1e6
            cached = "indexed by the scene cache" if size * 1e6 >= cache.MIN_SIZE else "not cached"
            print(f"  {n:>9,} messages: {size:.1f} MB ({cached})")
        show("parse, whole (cache off)", "s", sizes, rows["parse s"], 1, "1, O(n)")
        show("  its peak RSS", "MB", sizes, rows["parse MB"], 1, "1, O(n)")
        show("check (cache off)", "s", sizes, rows["check s"], 1, "1, O(n)")
        show("  its peak RSS", "MB", sizes, rows["check MB"], 1, "1, O(n)")
        show("dump (cache off, output to /dev/null)", "s", sizes, rows["dump s"], 1, "1, O(n)")
        show("  its peak RSS", "MB", sizes, rows["dump MB"], 1, "<= 2 x the parse's")
        ratios = "  ".join(
            f"{n:,}: {statistics.median(rows['dump MB'][n]) / statistics.median(rows['parse MB'][n]):.2f}"
            for n in sizes)
        print(f"  dump's peak RSS / the parse's: {ratios} (aim <= 2)")
        show(f"load, cache warm (scripts under {cache.MIN_SIZE >> 20} MB are never cached: "
             "the parse)", "s", sizes, rows["warm s"], 1, "reading + hashing the file, O(n)")
        show("  its peak RSS", "MB", sizes, rows["warm MB"], 1, "the file's bytes, O(n)")
        show("first frame, cache cold (parse + index written)", "s", sizes,
             rows["cold frame s"], 1, "O(n); not a reader's usual start")
        show("  its peak RSS", "MB", sizes, rows["cold frame MB"], 1, "< 300 MB at 1M")
        show("first frame, cache warm", "s", sizes, rows["frame s"], 1,
             "flat; < 1 s at 1M (the file is still read and hashed)")
        show("  its peak RSS", "MB", sizes, rows["frame MB"], 1, "< 300 MB at 1M")
        for name, title in READER_ROWS.items():
            show(title, "s", sizes, rows[name], 1, "flat")
        marks = marks_rows(s, sizes, args.trials)
        if not marks:
            print("save / load read marks: not measured (engine.marksfile is not on main yet)")
        for title, by_size in marks.items():
            aim = "flat: costs what changed" if title.startswith("save") else "O(n)"
            show(title, "s", sizes, by_size, 1, aim)
        if 1_000_000 in sizes:
            t = statistics.median(rows["frame s"][1_000_000])
            m = statistics.median(rows["frame MB"][1_000_000])
            verdict = "met" if t < 1 and m < 300 else "NOT MET"
            print(f"1M messages, first frame with the cache warm: {t:.3f} s, {m:.0f} MB "
                  f"(aim < 1 s and < 300 MB: {verdict})")
            t = statistics.median(rows["cold frame s"][1_000_000])
            m = statistics.median(rows["cold frame MB"][1_000_000])
            verdict = "met" if t < 1 and m < 300 else "NOT MET"
            print(f"1M messages, first frame with the cache cold: {t:.3f} s, {m:.0f} MB "
                  f"(same aim: {verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
