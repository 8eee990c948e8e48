"""The regex pass over plain lines (engine/logformat/lazy.py) against the line-by-line reader.

Every script must parse to exactly the same Script (messages, runs, positions,
diagnostics) whether plain lines are matched in runs and built on first use
or read one by one; and parsing must leave those messages unbuilt.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.commands.dump import script_to_dict
from engine.logformat import lazy, parse, parser
from engine.logformat.lazy import Messages

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
import realistic  # noqa: E402  (bench/realistic.py: the benchmarks' generated scripts)

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NEVER = re.compile(r"(?!)")

# Pieces that make lines plain, nearly plain, or one character away from it.
PIECES = [
    "SORA", "SORA2", "眞", "AKIRA", "-x", "A B", "20", "8", ":", "：", " ", "　", "\t", "//",
    "今夜は星", "かな", "（笑う）", "（", "）", "「", "」", "【", "(", "\"", "{",
    "<ruby>昴<rt>すばる</rt></ruby>", "<ruby>明<rt>あ</rt>日<rt>した</rt></ruby>",
    "<ruby> <rt>x</rt></ruby>", "<ruby>a<rt></rt></ruby>", "<ruby>", "</ruby>", "<rt>",
    "<br>", "<br/>", "<b>", "&amp;", "&", "<", ">", "\x07", "\x7f", "\u2003", "🌙", "x" * 30,
    "---", "--- LOG END ---", "LOG", "<pre>", "</code>",
]
line = st.lists(st.sampled_from(PIECES), max_size=10).map("".join)


@st.composite
def script_text(draw: st.DrawFn) -> str:
    """Blocks of lines, most of them `LABEL: text<br>` or narration, some not."""
    out: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        out.extend(draw(st.lists(line, max_size=2)))
        out.append("--- LOG START --- 2025.01.02 03:04<br>")
        for body in draw(st.lists(line, max_size=12)):
            kind = draw(st.sampled_from(["label", "label", "narration", "raw"]))
            name = draw(st.sampled_from(["SORA", "眞", "KAI", "SORA2", "x y", "AKIRA"]))
            end = draw(st.sampled_from(["<br>", "<br>", "", " <br>", "<br> "]))
            out.append(f"{name}: {body}{end}" if kind == "label"
                       else f"（{body}{end}" if kind == "narration" else body)
        if draw(st.booleans()):
            out.append("--- LOG END ---")
    return "\n".join(out) + draw(st.sampled_from(["", "\n"]))


def line_by_line(text: str, file: str = "t.log") -> object:
    """parse() with the regex pass switched off: every line read one by one."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parser, "PLAIN_RUN", NEVER)
        return parse(text, file)


def assert_same(text: str) -> None:
    fast, slow = parse(text, "t.log"), line_by_line(text)
    assert fast == slow
    assert script_to_dict(fast) == script_to_dict(slow)
    assert [d.format() for d in fast.diagnostics] == [d.format() for d in slow.diagnostics]


@FAST
@given(script_text())
def test_the_regex_pass_reads_every_script_as_line_by_line_does(text: str) -> None:
    assert_same(text)


def test_a_realistic_script_reads_the_same_both_ways() -> None:
    assert_same(realistic.story_text(3000))


def test_known_cases_read_the_same_both_ways() -> None:
    cases = [
        "--- LOG START ---\nA: x<br>\nA: y\nA:\nA: <br>\nA:  \nA: a<br><br>\n--- LOG END ---\n",
        "--- LOG START ---\nA: x<br>\nA1: 2<br>\nA1:2<br>\nA://x<br>\nA: //x<br>\n",
        "--- LOG START ---\nAB: x\nAB: y \nAB: z>\n（笑う）<br>\n12:30です<br>\n(a): b<br>\n",
        "--- LOG START ---\n眞：こんにちは<br>\n眞： <ruby>明<rt>あ</rt>日<rt>す</rt></ruby><br>\n"
        "---LOGEND---: x<br>\n眞：a<br>b<br>\n眞：<br>a<br>\n",
        "--- LOG START ---\nA: x<br>\nA: y<br>",  # no final newline, no END
    ]
    for text in cases:
        assert_same(text)


def test_parse_builds_plain_messages_only_when_read() -> None:
    text = realistic.story_text(1000)
    script = parse(text, "r.log")
    seqs = [s.messages for s in script.scenes]
    assert all(isinstance(m, Messages) for m in seqs)
    # the first scene's lines that introduce a speaker are read one by one
    assert len(seqs) > 3 and not any(m.built for m in seqs[1:])
    total = sum(len(m) for m in seqs)  # lengths need no building
    assert total == 1000 and all(seqs) and not any(m.built for m in seqs[1:])
    first = seqs[1][0]
    assert seqs[1].built and not seqs[2].built
    assert first.pos.line == script.scenes[1].pos.line + 1 and first.pos.col == 1
    assert seqs[1] == tuple(seqs[1]) and tuple(seqs[1]) == seqs[1]
    assert hash(seqs[1]) == hash(tuple(seqs[1]))


def test_speaker_uses_match_the_messages_without_building() -> None:
    script = parse(realistic.story_text(2000), "r.log")
    counts: dict[str, int] = {}
    firsts: dict[str, object] = {}
    for scene in script.scenes:
        c, f = scene.messages.speaker_uses()
        for label, n in c.items():
            counts[label] = counts.get(label, 0) + n
        for label, pos in f.items():
            firsts.setdefault(label, pos)
    assert not any(s.messages.built for s in script.scenes[1:])
    want: dict[str, int] = {}
    want_first: dict[str, object] = {}
    for m in script.messages:
        if m.speaker is not None:
            want[m.speaker] = want.get(m.speaker, 0) + 1
            want_first.setdefault(m.speaker, m.pos)
    assert counts == want and firsts == want_first


def test_a_chunk_that_does_not_read_back_is_an_error_not_a_silent_loss() -> None:
    text = "--- LOG START ---\nA: &amp;<br>\nA: y<br>\nA: z<br>\n--- LOG END ---\n"
    script = parse(text)
    parts = script.scenes[0].messages._parts
    chunk = next(p for p in parts if isinstance(p, lazy.Chunk))
    chunk.count += 1  # as if the pass had counted a line the reader cannot find
    with pytest.raises(AssertionError):
        list(script.scenes[0].messages)


def test_dump_of_lazy_scenes_is_the_eager_dump() -> None:
    text = realistic.story_text(500)
    a = json.dumps(script_to_dict(parse(text, "r.log")), ensure_ascii=False)
    b = json.dumps(script_to_dict(line_by_line(text, "r.log")), ensure_ascii=False)
    assert a == b


@pytest.mark.parametrize("data", [
    b"",
    b"\xef\xbb\xbf--- LOG START ---\r\nA: x<br>\r\n\r\nB: \xe3\x81\x82<br>\r--- LOG END ---\r",
    b"--- LOG START ---\rA: x\rA: y\r\r\n",
    "--- LOG START ---\nA: あいう<br>\nB: 🌙<br>\n".encode() * 5,
    b"\xff\xfe" + "--- LOG START ---\nA: x\n".encode("utf-16-le"),
    "--- LOG START ---\nA: あいうえお\n".encode("cp932"),
    "--- LOG START ---\nA: あいうえお\n".encode() * 9 + b"A: \xe3\x81\n",
])
def test_load_reads_in_blocks_as_decode_reads_whole(tmp_path: Path, data: bytes,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.logformat import decode, encoding, load

    path = tmp_path / "s.log"
    path.write_bytes(data)
    whole = load(path)
    monkeypatch.setattr(encoding, "_BLOCK", 5)  # cuts fall inside characters and CR LF pairs
    assert load(path) == whole
    text, notes = decode(data, str(path))
    if text is not None:
        parsed = parse(text, str(path))
        want = sorted(notes + parsed.diagnostics, key=lambda d: (d.pos.line, d.pos.col))
        assert whole.scenes == parsed.scenes and list(whole.diagnostics) == want
    else:
        assert whole.diagnostics == notes


def test_two_threads_reading_one_scene_get_the_same_messages() -> None:
    import threading

    script = parse(realistic.story_text(3000), "r.log")
    scenes = script.scenes[1:]
    want = [tuple(line_by_line(realistic.story_text(3000), "r.log").scenes[i + 1].messages)
            for i in range(len(scenes))]
    got: list[list[tuple]] = [[], []]

    def read(k: int) -> None:
        got[k] = [tuple(s.messages) for s in scenes]

    threads = [threading.Thread(target=read, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got[0] == want and got[1] == want
