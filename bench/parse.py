"""Benchmark: parse a generated 200,000-message LOG script.

Prints messages per second, peak traced memory against the file size, and the
ratio of parse time to a floor measured in the same run: reading the file,
decoding it, splitting it into lines and splitting each line with one
regular-expression match (speaker label, text, terminating <br>): the least a
line-based reader of this format must do. The time to merely cut the text
into lines with a regex is printed too, for reference. Times are the best of
5 interleaved rounds; memory is measured in a separate run under tracemalloc.

The generated lines repeat (four speakers, four texts, a few markup
variants), and the parser reads each distinct message body once, so the
same is measured on a second script where every line's text is made unique:
the figure for scripts with no repeated lines at all.

Run: .venv/bin/python bench/parse.py [MESSAGES]
"""

from __future__ import annotations

import gc
import os
import re
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from engine.logformat import load
from engine.logformat.build import make_message, make_pos, make_text

SPEAKERS = ("AKIRA", "MAKO", "眞", "SORA")
LINES = (
    "今夜は星がよく見える。口径80mmのやつで、f/11.4。",
    "ねえ、起きてる？　また望遠鏡いじってるの？",
    "知ってる。月面のクレーターなら一個ずつ数えられるよ、たぶんね。",
    "RTX-3080で95.8GBのデータを回したら、朝になってた……。",
)
SPLIT_LINE = re.compile(r"[^\n]*\n?")
# The floor's one match per line splits it as the format does: an optional speaker
# label, the text, a final <br>. Written to run in one pass (no lazy .*? retried at
# every character), so the floor is as low as a regex reader of this format gets.
FLOOR_LINE = re.compile(
    r"(?:([^\s:：<>&]{1,32})[:：][ \t\u3000]*)?"
    r"([^<]*(?:<(?!br\s*/?>\s*$)[^<]*)*)"
    r"(?:<br\s*/?>)?\s*$"
)


def message(i: int, unique: bool = False) -> str:
    """The i-th generated line: ruby in one of ten, a direction in one of seven;
    with `unique`, numbered so that no two lines have the same text."""
    speaker = SPEAKERS[i % len(SPEAKERS)]
    text = LINES[i % len(LINES)] + (f"その{i}。" if unique else "")
    if i % 10 == 0:
        text = "明日は<ruby>昴<rt>すばる</rt></ruby>と<ruby>明<rt>あ</rt>日<rt>す</rt></ruby>。" + text
    if i % 7 == 0:
        text = "（笑う）" + text
    if i % 50 == 0:
        return f"（通信が途切れる）{text}<br>"
    if i % 97 == 0:
        text += "<br>R&amp;D部より。"
    return f"{speaker}: {text}<br>"


def write_script(path: Path, messages: int, scenes: int = 8, unique: bool = False) -> None:
    per_scene = messages // scenes
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write('<pre class="uk-pre"><code>')
        for s in range(scenes):
            f.write(f"--- LOG START --- 2025.03.{s + 1:02d} 21:05<br>\n")
            count = per_scene if s < scenes - 1 else messages - per_scene * (scenes - 1)
            f.write("\n".join(message(s * per_scene + i, unique) for i in range(count)))
            f.write("\n--- LOG END ---\n")
        f.write("</code></pre>\n")


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
    """Read, decode, and only cut the text into lines with a regex (no per-line work)."""
    text = path.read_bytes().decode("utf-8")
    return sum(1 for _ in SPLIT_LINE.finditer(text))


def model_only(messages: int) -> int:
    """Build as many Message/Pos/Text objects as the parse does, with no parsing:
    the part of the parse time no parser that returns this model can avoid."""
    body = LINES[0]
    gc.disable()  # as parse() does for big scripts
    try:
        out = [make_message("AKIRA", (make_text(body),), make_pos("bench.log", n, 1))
               for n in range(1, messages + 1)]
    finally:
        gc.enable()
    return len(out)


def best_times(fns: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Best time of each function over `runs` rounds, interleaved so that a busy
    moment on a shared machine hits all of them alike."""
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(runs):
        for name, fn in fns.items():
            gc.collect()
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def peak_memory(path: Path) -> int:
    gc.collect()
    tracemalloc.start()
    script = load(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del script
    return peak


def measure(path: Path, messages: int, model: bool) -> dict[str, float]:
    """Check the parse of one generated script, then time it against the floor."""
    script = load(path)
    parsed = len(script.messages)
    assert parsed == messages, f"parsed {parsed} messages, expected {messages}"
    assert not [d for d in script.diagnostics if d.severity == "error"]
    del script
    fns: dict[str, Callable[[], object]] = {
        "floor": lambda: floor(path), "split": lambda: split_only(path),
        "parse": lambda: load(path)}
    if model:
        fns["model"] = lambda: model_only(messages)
    times = best_times(fns, runs=5)
    times["size"] = path.stat().st_size
    times["peak"] = peak_memory(path)
    return times


def report(title: str, messages: int, r: dict[str, float]) -> None:
    t_floor, t_split, t_parse, size = r["floor"], r["split"], r["parse"], r["size"]
    print(f"{title}: {messages:,} messages, {size / 1e6:.1f} MB")
    print(f"  floor: read + split + one line-grammar regex match per line: "
          f"{t_floor * 1000:.0f} ms")
    print(f"  parse (load): {t_parse * 1000:.0f} ms = {messages / t_parse:,.0f} messages/s")
    print(f"  ratio parse/floor: {t_parse / t_floor:.2f} (aim <= 3)")
    print(f"  for reference, read + regex line split alone: {t_split * 1000:.0f} ms "
          f"(parse is {t_parse / t_split:.1f} x that)")
    if "model" in r:
        print(f"  for reference, building the model objects alone (no parsing): "
              f"{r['model'] * 1000:.0f} ms = {r['model'] / t_floor:.2f} x the floor")
    print(f"  peak memory: {r['peak'] / 1e6:.1f} MB = {r['peak'] / size:.1f} x file size "
          "(aim <= 10)")


def main() -> None:
    messages = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.log"
        write_script(path, messages)
        report("script", messages, measure(path, messages, model=True))
        write_script(path, messages, unique=True)
        report("same script, every line's text unique", messages,
               measure(path, messages, model=False))


if __name__ == "__main__":
    main()
