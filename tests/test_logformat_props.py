"""Property tests for the LOG parser: it never raises, every line is accounted
for, and dumping is deterministic."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.commands.dump import script_to_dict
from engine.logformat import decode, parse
from engine.logformat.inline import LineError, fast_inline, parse_inline
from engine.logformat.parser import trim

# A marker line as the format reads one (spaces inside are optional: '--- LOGEND ---').
MARKER = re.compile(r"-{2,}[ \t]*LOG[ \t]*(START|END)[ \t]*-{2,}", re.I)

SAMPLE = (Path(__file__).parent / "fixtures" / "parse" / "sample.log").read_text("utf-8")
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of markup and text, so random lines hit the interesting paths often.
FRAGMENTS = [
    "<ruby>", "</ruby>", "<rt>", "</rt>", "<rp>", "</rp>", "<rb>", "</rb>", "<RUBY>",
    "<br>", "<br/>", "<br />", "<b>", "</b>", "<pre class='x'>", "<code>", "</code>", "</pre>",
    "<!-- c -->", "&amp;", "&nbsp;", "&#12354;", "&#x3042;", "&#0;", "&#x;", "&foo;", "&",
    "AKIRA:", "AKRIA:", "眞：", "MAKO: ", "20:28", "http://x", ":", "：", "（", "）", "（笑う）",
    "　", " ", "\t", "漢字", "かな", "x", "🌙", "<", ">", "/", "\x07", "\ufeff",
]
LINE_FRAGMENTS = [f for f in FRAGMENTS if f != "\ufeff"]
markup_text = st.lists(st.sampled_from(FRAGMENTS + ["\n", "\r\n", "\r",
                                                    "--- LOG START --- 2025.01.01 10:00",
                                                    "--- LOG END ---"]),
                       max_size=60).map("".join)
inner_line = st.lists(st.sampled_from(LINE_FRAGMENTS), max_size=12).map("".join)
outside_line = st.lists(st.sampled_from(LINE_FRAGMENTS + ["memo"]), max_size=6).map("".join)


@FAST
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    script = parse(text, "t.log")
    assert all(d.pos.line >= 1 and d.pos.col >= 1 for d in script.diagnostics)


@FAST
@given(markup_text)
def test_markup_soup_never_raises(text: str) -> None:
    script = parse(text)
    lines = {m.pos.line for m in script.messages}
    assert len(lines) == len(script.messages)  # never two messages for one line


@FAST
@given(st.binary(max_size=300))
def test_arbitrary_bytes_decode_or_are_refused(data: bytes) -> None:
    text, diags = decode(data, "b.log")
    if text is None:
        assert [d.code for d in diags] == ["LOG053"]
    else:
        assert "\r" not in text
        parse(text)


@st.composite
def mutated_sample(draw: st.DrawFn) -> str:
    """sample.log with a few random edits: deletions, insertions, swapped lines."""
    text = SAMPLE
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["delete", "insert", "swap"]))
        i = draw(st.integers(0, len(text)))
        if kind == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 30)) :]
        elif kind == "insert":
            text = text[:i] + draw(st.sampled_from(FRAGMENTS + ["\n"])) + text[i:]
        else:
            lines = text.split("\n")
            a, b = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
    return text


@FAST
@given(mutated_sample())
def test_mutated_logs_never_raise_and_lose_no_line(text: str) -> None:
    script = parse(text)
    lines = text.split("\n")
    used = {m.pos.line for m in script.messages} | {d.pos.line for d in script.diagnostics}
    for scene in script.scenes:  # from each START to the next marker line
        n = scene.pos.line + 1
        while n <= len(lines) and not MARKER.search(lines[n - 1]):
            assert not trim(lines[n - 1])[0] or n in used, f"line {n} lost: {lines[n - 1]!r}"
            n += 1


@st.composite
def block_file(draw: st.DrawFn) -> tuple[str, list[int]]:
    """A file of blocks with random lines inside; returns it and the inner line numbers."""
    lines: list[str] = []
    inner: list[int] = []
    for _ in range(draw(st.integers(1, 4))):
        lines.extend(draw(st.lists(outside_line, max_size=3)))
        lines.append("<pre><code>--- LOG START --- 2025.01.02 03:04<br>")
        for line in draw(st.lists(inner_line, max_size=8)):
            lines.append(line)
            inner.append(len(lines))
        lines.append("--- LOG END ---</code></pre>")
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return ending.join(lines), inner


@FAST
@given(block_file())
def test_every_non_blank_line_in_a_block_is_exactly_one_message(case: tuple[str, list[int]]) -> None:
    text, inner = case
    script = parse(text)
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    expected = [n for n in inner if trim(raw[n - 1])[0]]
    assert [m.pos.line for m in script.messages] == expected
    assert not [d for d in script.diagnostics if d.code in ("LOG001", "LOG002", "LOG003")]


@FAST
@given(st.one_of(markup_text, mutated_sample()))
def test_dump_is_deterministic(text: str) -> None:
    first, second = parse(text, "d.log"), parse(text, "d.log")
    assert first == second
    a = json.dumps(script_to_dict(first), ensure_ascii=False, sort_keys=True)
    b = json.dumps(script_to_dict(second), ensure_ascii=False, sort_keys=True)
    assert a == b
    assert json.loads(a) == script_to_dict(first)


@FAST
@given(st.lists(st.sampled_from(LINE_FRAGMENTS + ["<ruby>明<rt>あ</rt></ruby>", "<br>"]),
                max_size=10).map("".join))
def test_shortcuts_agree_with_the_full_reader(body: str) -> None:
    found: list[tuple[int, str, str]] = []
    try:
        full = parse_inline(body, 1, lambda col, code, msg: found.append((col, code, msg)))
    except LineError:
        full = None
    quick = fast_inline(body)
    if quick is not None:
        assert quick == full and found == []
    # a known label's later lines take the hot path; they must read like the first one
    script = parse(f"--- LOG START ---\nAKIRA: {body}\nAKIRA: {body}\n--- LOG END ---")
    first, second = script.messages
    assert (second.speaker, second.runs) == (first.speaker, first.runs)
    by_line = {2: [], 3: []}
    for d in script.diagnostics:
        if d.pos.line in by_line:
            by_line[d.pos.line].append((d.code, d.pos.col, d.message))
    assert by_line[2] == by_line[3]
