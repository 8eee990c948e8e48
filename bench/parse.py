"""Benchmark: parse a 200,000-message LOG script against its floor, each trial a fresh process.

The default script is bench/realistic.py's: every line distinct, ruby in about
one message of ten, a scene every ~200 messages. A second row parses the old
repeated-line script (four speakers, four texts), where caches of repeated
bodies would help.

The floor, timed in the same run: reading the file, decoding it, splitting it
into lines and one regular-expression match per line (speaker label, text,
terminating <br>): the least a line-based reader of this format does. "read +
split" alone is printed too. Each figure is timed in its own fresh process
(`--trial`), the figures interleaved trial by trial so that a busy moment on
the shared machine hits all alike; the medians and the worst trial are
printed. parse() builds a scene's Message objects on first use, so "parse +
build every message" is reported as well (what `check` or `dump` pay).

Peak memory is traced (tracemalloc) in a fresh process while the file is
loaded, against the file's size. The scene cache (engine/logformat/cache.py)
is off throughout: this is the parse itself; bench/scale.py times the cache.

Run: .venv/bin/python bench/parse.py [MESSAGES] [--trials N]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import realistic  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SPEAKERS = ("AKIRA", "MAKO", "眞", "SORA")
LINES = (
    "今夜は星がよく見える。口径80mmのやつで、f/11.4。",
    "ねえ、起きてる？　また望遠鏡いじってるの？",
    "知ってる。月面のクレーターなら一個ずつ数えられるよ、たぶんね。",
    "RTX-3080で95.8GBのデータを回したら、朝になってた……。",
)
# The floor's one match per line splits it as the format does: an optional speaker
# label, the text, a final <br>. Written to run in one pass (no lazy .*? retried at
# every character), so the floor is as low as a regex reader of this format gets.
FLOOR_LINE = re.compile(
    r"(?:([^\s:：<>&]{1,32})[:：][ \t\u3000]*)?"
    r"([^<]*(?:<(?!br\s*/?>\s*$)[^<]*)*)"
    r"(?:<br\s*/?>)?\s*$"
)
FIGURES = ("floor", "split", "parse", "build")


def repeated_message(i: int) -> str:
    """The i-th line of the repeated script: ruby in one of ten, a direction in one of seven."""
    speaker = SPEAKERS[i % len(SPEAKERS)]
    text = LINES[i % len(LINES)]
    if i % 10 == 0:
        text = "明日は<ruby>昴<rt>すばる</rt></ruby>と<ruby>明<rt>あ</rt>日<rt>す</rt></ruby>。" + text
    if i % 7 == 0:
        text = "（笑う）" + text
    if i % 50 == 0:
        return f"（通信が途切れる）{text}<br>"
    if i % 97 == 0:
        text += "<br>R&amp;D部より。"
    return f"{speaker}: {text}<br>"


def write_repeated(path: Path, messages: int, scenes: int = 8) -> None:
    per_scene = messages // scenes
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write('<pre class="uk-pre"><code>')
        for s in range(scenes):
            f.write(f"--- LOG START --- 2025.03.{s + 1:02d} 21:05<br>\n")
            count = per_scene if s < scenes - 1 else messages - per_scene * (scenes - 1)
            f.write("\n".join(repeated_message(s * per_scene + i) for i in range(count)))
            f.write("\n--- LOG END ---\n")
        f.write("</code></pre>\n")


# --- what one trial process does ------------------------------------------------


def floor(path: Path) -> int:
    """Read, decode, split into lines, one line-grammar match per line."""
    text = path.read_bytes().decode("utf-8")
    match = FLOOR_LINE.match
    n = 0
    for line in text.split("\n"):
        if match(line):
            n += 1
    return n


def split_only(path: Path) -> int:
    """Read, decode, split into lines (no per-line work)."""
    return len(path.read_bytes().decode("utf-8").split("\n"))


def parse_only(path: Path) -> int:
    from engine.logformat import load

    return len(load(path).scenes)


def parse_and_build(path: Path) -> int:
    from engine.logformat import load

    return len(load(path).messages)


TRIALS: dict[str, Callable[[Path], int]] = {
    "floor": floor, "split": split_only, "parse": parse_only, "build": parse_and_build}


def trial(figure: str, path: Path) -> None:
    """Time one figure once in this (fresh) process; print seconds as JSON."""
    import engine.logformat  # noqa: F401  (imports are not what is timed)

    fn = TRIALS[figure]
    gc.collect()
    t0 = time.perf_counter()
    fn(path)
    print(json.dumps({"seconds": time.perf_counter() - t0}))


def peak(path: Path) -> None:
    """Print the traced peak memory of loading the file, and its message count."""
    from engine.logformat import load

    gc.collect()
    tracemalloc.start()
    script = load(path)
    top = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    errors = sum(d.severity == "error" for d in script.diagnostics)
    print(json.dumps({"peak": top, "messages": len(script.messages), "errors": errors}))


# --- the driver -------------------------------------------------------------------


def child(*args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, *args], cwd=ROOT, check=True,
                         capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT),
                              "CHATLOG_VN_SCRIPT_CACHE": "off"}).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure(path: Path, messages: int, trials: int) -> dict[str, list[float]]:
    mem = child("--peak", str(path))
    assert mem["messages"] == messages, f"parsed {mem['messages']} messages, expected {messages}"
    assert mem["errors"] == 0
    times: dict[str, list[float]] = {f: [] for f in FIGURES}
    for _ in range(trials):
        for figure in FIGURES:
            times[figure].append(child("--trial", figure, str(path))["seconds"])
    times["peak"] = [mem["peak"]]
    times["size"] = [path.stat().st_size]
    return times


def report(title: str, messages: int, r: dict[str, list[float]], aim: bool) -> None:
    med = {k: statistics.median(v) for k, v in r.items()}
    worst = max(p / f for p, f in zip(r["parse"], r["floor"], strict=True))
    size = med["size"]
    verdict = ("met" if med["parse"] / med["floor"] <= 2 else "NOT MET") if aim else "no aim"
    print(f"{title}: {messages:,} messages, {size / 1e6:.1f} MB "
          f"(median of {len(r['parse'])} fresh processes, worst trial)")
    print(f"  floor: read + split + one line-grammar regex match per line: "
          f"{med['floor'] * 1000:.0f} ms (worst {max(r['floor']) * 1000:.0f})")
    print(f"  parse (load): {med['parse'] * 1000:.0f} ms (worst {max(r['parse']) * 1000:.0f}) "
          f"= {messages / med['parse']:,.0f} messages/s")
    print(f"  ratio parse/floor: {med['parse'] / med['floor']:.2f}, worst trial {worst:.2f} "
          f"(aim <= 2: {verdict})")
    print(f"  read + split alone: {med['split'] * 1000:.0f} ms "
          f"(parse is {med['parse'] / med['split']:.2f} x that)")
    print(f"  parse + build every message (what check or dump pay): {med['build'] * 1000:.0f} ms "
          f"= {med['build'] / med['floor']:.2f} x the floor")
    ratio = med["peak"] / size
    print(f"  peak memory (traced) loading it: {med['peak'] / 1e6:.1f} MB = {ratio:.2f} x file size "
          f"(aim <= 5: {'met' if ratio <= 5 else 'NOT MET'})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("messages", nargs="?", type=int, default=200_000)
    ap.add_argument("--trials", type=int, default=7)
    ap.add_argument("--trial", nargs=2, metavar=("FIGURE", "PATH"))
    ap.add_argument("--peak", metavar="PATH")
    args = ap.parse_args()
    if args.trial:
        return trial(args.trial[0], Path(args.trial[1]))
    if args.peak:
        return peak(Path(args.peak))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.log"
        realistic.write_in_child(path, args.messages)
        report("realistic script (every line distinct)", args.messages,
               measure(path, args.messages, args.trials), aim=True)
        write_repeated(path, args.messages)
        report("repeated-line script (38 distinct lines)", args.messages,
               measure(path, args.messages, args.trials), aim=False)


if __name__ == "__main__":
    main()
