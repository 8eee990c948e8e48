"""Benchmark: parse a generated 200,000-message LOG script.

Prints messages per second, peak traced memory against the file size, and the
ratio of parse time to a floor measured in the same run: reading the file,
decoding it and splitting it into lines with one regular-expression match per
line (the least any line-based reader of this format must do).

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


def message(i: int) -> str:
    """The i-th generated line: ruby in one of ten, a direction in one of seven."""
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


def write_script(path: Path, messages: int, scenes: int = 8) -> None:
    per_scene = messages // scenes
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write('<pre class="uk-pre"><code>')
        for s in range(scenes):
            f.write(f"--- LOG START --- 2025.03.{s + 1:02d} 21:05<br>\n")
            count = per_scene if s < scenes - 1 else messages - per_scene * (scenes - 1)
            f.write("\n".join(message(s * per_scene + i) for i in range(count)))
            f.write("\n--- LOG END ---\n")
        f.write("</code></pre>\n")


def floor(path: Path) -> int:
    text = path.read_bytes().decode("utf-8")
    match = FLOOR_LINE.match
    n = 0
    for line in text.split("\n"):
        if match(line):
            n += 1
    return n


def best_of(fn: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def peak_memory(path: Path) -> int:
    gc.collect()
    tracemalloc.start()
    script = load(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del script
    return peak


def main() -> None:
    messages = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.log"
        write_script(path, messages)
        size = path.stat().st_size
        script = load(path)
        parsed = len(script.messages)
        assert parsed == messages, f"parsed {parsed} messages, expected {messages}"
        assert not [d for d in script.diagnostics if d.severity == "error"]
        del script
        t_floor = best_of(lambda: floor(path), 3)
        t_parse = best_of(lambda: load(path), 3)
        peak = peak_memory(path)
    print(f"file: {messages:,} messages, {size / 1e6:.1f} MB (python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cpus)")
    print(f"floor (read + split + one regex match per line): {t_floor * 1000:.0f} ms")
    print(f"parse (load): {t_parse * 1000:.0f} ms = {messages / t_parse:,.0f} messages/s")
    print(f"ratio parse/floor: {t_parse / t_floor:.2f} (aim <= 3)")
    print(f"peak memory: {peak / 1e6:.1f} MB = {peak / size:.1f} x file size (aim <= 10)")


if __name__ == "__main__":
    main()
