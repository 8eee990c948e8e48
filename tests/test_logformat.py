"""The LOG parser: golden dumps, broken inputs with exact diagnostics, and the rules.

Golden files: tests/fixtures/parse/NAME.{log,html} with NAME.json beside it
(the `dump` JSON, "file" being the bare file name). Regenerate after a
deliberate change with UPDATE_GOLDEN=1 and review the diff.
Broken files: tests/fixtures/broken/NAME.log with NAME.diag listing
"CODE LINE COL" per expected diagnostic, in order.
"""

from __future__ import annotations

import gc
import json
import os
import re
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from engine.commands.dump import script_to_dict
from engine.logformat import CODES, decode, load, parse
from engine.logformat.build import _one_field_maker, make_message, make_pos, make_text
from engine.logformat.labels import distance, suggest
from engine.logformat.parser import read_timestamp, trim
from engine.model import BREAK, Direction, Message, Pos, Ruby, Script, Text

FIXTURES = Path(__file__).parent / "fixtures"
PARSE_DIR = FIXTURES / "parse"
BROKEN_DIR = FIXTURES / "broken"
INPUT_SUFFIXES = (".log", ".txt", ".html")
GOLDEN = sorted(p for p in PARSE_DIR.iterdir() if p.suffix in INPUT_SUFFIXES)
BROKEN = sorted(p for p in BROKEN_DIR.iterdir() if p.suffix in INPUT_SUFFIXES)
DOCS = Path(__file__).parent.parent / "docs" / "DIAGNOSTICS.md"


def dump(path: Path) -> dict:
    d = script_to_dict(load(path))
    d["file"] = path.name
    return d


def expected_diags(path: Path) -> list[tuple[str, int, int]]:
    rows = []
    for line in path.with_suffix(".diag").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            code, ln, col = line.split()
            rows.append((code, int(ln), int(col)))
    return rows


def unaccounted_lines(path: Path) -> list[int]:
    """Non-blank lines between a scene's START and the next marker that gave nothing."""
    script = load(path)
    text, _ = decode(path.read_bytes(), str(path))
    assert text is not None
    lines = text.split("\n")
    used = {m.pos.line for m in script.messages} | {d.pos.line for d in script.diagnostics}
    missing = []
    for scene in script.scenes:
        n = scene.pos.line + 1
        while n <= len(lines) and not re.search(r"LOG\s*(START|END)", lines[n - 1], re.I):
            if trim(lines[n - 1])[0] and n not in used:
                missing.append(n)
            n += 1
    return missing


# --- golden files -----------------------------------------------------------


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name)
def test_golden_dump(path: Path) -> None:
    got = dump(path)
    expected_path = path.with_suffix(".json")
    if os.environ.get("UPDATE_GOLDEN"):
        expected_path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", "utf-8")
    assert got == json.loads(expected_path.read_text("utf-8"))


def test_every_golden_json_has_an_input() -> None:
    stems = {p.stem for p in GOLDEN}
    assert {p.stem for p in PARSE_DIR.glob("*.json")} == stems
    assert len(stems) >= 15


def test_golden_sample_is_the_shared_expected_reading() -> None:
    shared = Path("/work/shared/format/sample.expected.json")
    if not shared.exists():
        pytest.skip("shared format folder not present (fresh clone)")
    got = dump(PARSE_DIR / "sample.log")
    assert got["scenes"] == json.loads(shared.read_text("utf-8"))["scenes"]
    assert got["diagnostics"] == []


def test_line_end_and_bom_variants_read_the_same() -> None:
    base = dump(PARSE_DIR / "crlf.log")
    assert dump(PARSE_DIR / "cr.log")["scenes"] == base["scenes"]
    assert dump(PARSE_DIR / "bom.log")["scenes"] == base["scenes"]


# --- broken files -----------------------------------------------------------


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_broken_diagnostics(path: Path) -> None:
    got = [(d.code, d.pos.line, d.pos.col) for d in load(path).diagnostics]
    assert got == expected_diags(path)


DECODABLE = [p for p in BROKEN + GOLDEN if decode(p.read_bytes(), str(p))[0] is not None]


@pytest.mark.parametrize("path", DECODABLE, ids=lambda p: p.name)
def test_every_line_in_a_block_is_accounted_for(path: Path) -> None:
    assert unaccounted_lines(path) == []


def test_refused_files_have_no_scenes_and_one_error() -> None:
    refused = [p for p in BROKEN + GOLDEN if p not in DECODABLE]
    assert [p.name for p in refused] == ["shift_jis_broken.log", "undecodable.log"]
    for path in refused:
        script = load(path)
        assert script.scenes == ()
        assert [(d.code, d.severity) for d in script.diagnostics] == [("LOG053", "error")]


def test_a_broken_line_is_one_diagnostic_and_still_a_message() -> None:
    script = load(BROKEN_DIR / "ruby_unclosed.log")
    assert len(script.diagnostics) == 1
    first, second = script.messages
    assert first.speaker == "A"
    assert first.text == "今夜は<ruby>昴<rt>すばる</rt>がよく見える。"
    assert first.runs == (Text(first.text),)
    assert second.text == "次の行は無事。"


def test_every_code_is_exercised_and_documented() -> None:
    seen = {"LOG050"}  # a missing file; tested below
    for path in BROKEN:
        seen |= {code for code, _, _ in expected_diags(path)}
    for path in PARSE_DIR.glob("*.json"):
        seen |= {d["code"] for d in json.loads(path.read_text("utf-8"))["diagnostics"]}
    assert seen == set(CODES)
    doc = DOCS.read_text("utf-8")
    for code, (severity, _) in CODES.items():
        assert re.search(rf"\|\s*{code}\s*\|\s*{severity}\s*\|", doc), code


def test_diagnostic_format_is_gcc_style() -> None:
    script = parse("--- LOG END ---\n", "story/a.log")
    assert [d.format() for d in script.diagnostics] == [
        "story/a.log:1:1: error: 'LOG END' with no open block [LOG001]"
    ]


# --- structure --------------------------------------------------------------


def test_parse_reads_blocks_scenes_and_positions() -> None:
    text = "memo\n<pre><code>--- LOG START --- 2025.03.14 21:05<br>\nA: x<br>\n--- LOG END ---"
    script = parse(text, "f.log")
    (scene,) = script.scenes
    assert scene.title == "2025.03.14 21:05"
    assert scene.timestamp == datetime(2025, 3, 14, 21, 5)
    assert scene.pos == Pos("f.log", 2, 12)
    assert scene.messages == (Message("A", (Text("x"),), Pos("f.log", 3, 1)),)
    assert script.diagnostics == ()


def test_parse_accepts_bom_and_any_line_end_in_a_str() -> None:
    text = "\ufeff--- LOG START --- 2025.01.01<br>\r\nA: x\rB: y\n--- LOG END ---"
    script = parse(text)
    assert [(m.pos.line, m.speaker) for m in script.messages] == [(2, "A"), (3, "B")]


def test_start_inside_a_block_starts_a_new_scene() -> None:
    script = parse("--- LOG START --- 2025.01.01<br>\nA: 1\n--- LOG START --- 2025.01.02<br>\nA: 2")
    assert [len(s.messages) for s in script.scenes] == [1, 1]
    assert [d.code for d in script.diagnostics] == ["LOG002", "LOG003"]


@pytest.mark.parametrize(("title", "expected"), [
    ("2025.03.14 21:05", datetime(2025, 3, 14, 21, 5)),
    ("2025/03/14 21:05", datetime(2025, 3, 14, 21, 5)),
    ("2025-03-14 21:05:30", datetime(2025, 3, 14, 21, 5, 30)),
    ("2025-03-14T21:05", datetime(2025, 3, 14, 21, 5)),
    ("2025.3.4", datetime(2025, 3, 4)),
    ("2025.03.14 21:05 第一夜", datetime(2025, 3, 14, 21, 5)),
    ("２０２５.０３.１４ ２１:０５", datetime(2025, 3, 14, 21, 5)),
    ("2025.03/14", None),
    ("2025.02.30", None),
    ("2025.03.14 24:00", None),
    ("2025.03.1421:05", None),
    ("yesterday", None),
    ("", None),
])
def test_read_timestamp(title: str, expected: datetime | None) -> None:
    assert read_timestamp(title) == expected


# --- speaker labels ---------------------------------------------------------


@pytest.mark.parametrize(("line", "speaker", "text"), [
    ("AKIRA: なあ", "AKIRA", "なあ"),
    ("AKIRA:（笑う）なあ", "AKIRA", "（笑う）なあ"),
    ("AKIRA:   なあ", "AKIRA", "なあ"),
    ("SORA：　おはよ", "SORA", "おはよ"),
    ("眞：こんばんは", "眞", "こんばんは"),
    ("X" * 32 + ": 最長", "X" * 32, "最長"),
    ("X" * 33 + ": 長すぎ", None, "X" * 33 + ": 長すぎ"),
    ("20:28 に集合", None, "20:28 に集合"),
    ("午後8:30に集合", None, "午後8:30に集合"),
    ("８：３０に集合", None, "８：３０に集合"),
    ("f/11.4", None, "f/11.4"),
    ("http://example.com", None, "http://example.com"),
    ("「注意：熱い」", None, "「注意：熱い」"),
    ("A B: 空白入り", None, "A B: 空白入り"),
    (":先頭のコロン", None, ":先頭のコロン"),
    ("KAI: 20:28 に集合", "KAI", "20:28 に集合"),
    ("R2D2: ピポ", "R2D2", "ピポ"),
    ("A1: 1番", "A1", "1番"),
])
def test_speaker_labels(line: str, speaker: str | None, text: str) -> None:
    # twice: the first use of a label and the hot path for a known one must agree
    script = parse(f"--- LOG START --- 2025.01.01<br>\n{line}<br>\n{line}<br>\n--- LOG END ---")
    first, second = script.messages
    assert (first.speaker, first.text) == (speaker, text)
    assert (second.speaker, second.runs) == (first.speaker, first.runs)


def test_label_counts_and_did_you_mean() -> None:
    counts = {"AKIRA": 5, "MAKO": 3, "A": 4, "KAI": 1}
    assert suggest("AKRIA", counts) == "AKIRA"
    assert suggest("AKIR", counts) == "AKIRA"
    assert suggest("Akira", counts) == "AKIRA"
    assert suggest("MIKO", counts) == "MAKO"
    assert suggest("B", counts) is None
    assert suggest("SORA", counts) is None
    assert suggest("KAI", {"KAI": 3, "KAI2": 1}) is None


def test_distance_counts_a_swap_as_one() -> None:
    assert distance("AKRIA", "AKIRA", 2) == 1
    assert distance("abc", "abc", 2) == 0
    assert distance("abc", "xyz", 1) == 2
    assert distance("a", "abcdef", 2) == 3


# --- inline markup ----------------------------------------------------------


def body(text: str) -> tuple:
    (message,) = parse(f"--- LOG START --- 2025.01.01<br>\nA: {text}<br>\n--- LOG END ---").messages
    return message.runs


@pytest.mark.parametrize(("text", "runs"), [
    ("a<br>b", (Text("a"), BREAK, Text("b"))),
    ("a<BR/>b", (Text("a"), BREAK, Text("b"))),
    ("<ruby>昴<rt>すばる</rt></ruby>", (Ruby((("昴", "すばる"),)),)),
    ("<ruby>明<rt>あ</rt>日<rt>す</rt></ruby>", (Ruby((("明", "あ"), ("日", "す"))),)),
    ("<ruby><rb>明</rb><rb>日</rb><rt>あ</rt><rt>す</rt></ruby>",
     (Ruby((("明", "あ"), ("日", "す"))),)),
    ("<ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp></ruby>", (Ruby((("漢", "かん"),)),)),
    ("<ruby>明 <rt>あ</rt> 日<rt>す</rt></ruby>", (Ruby((("明 ", "あ"), (" 日", "す"))),)),
    ("<ruby>&lt;<rt>しょうなり</rt></ruby>", (Ruby((("<", "しょうなり"),)),)),
    ("（笑う）x（泣く）", (Direction("（笑う）"), Text("x"), Direction("（泣く）"))),
    ("（閉じない", (Text("（閉じない"),)),
    ("a &amp; b", (Text("a & b"),)),
    ("&#x1F319;", (Text("🌙"),)),
    ("a < b > c", (Text("a < b > c"),)),
    ("<3", (Text("<3"),)),
])
def test_inline_runs(text: str, runs: tuple) -> None:
    assert body(text) == runs


def test_message_text_without_readings() -> None:
    (message,) = parse("--- LOG START ---\nK: 星の名前<br>ほら<ruby>織姫<rt>おりひめ</rt></ruby>。").messages
    assert message.text == "星の名前\nほら織姫。"


def test_fast_constructors_build_equal_objects() -> None:
    assert make_pos("f", 2, 3) == Pos("f", 2, 3)
    assert hash(make_pos("f", 2, 3)) == hash(Pos("f", 2, 3))
    assert make_text("x") == Text("x")
    pos = Pos("f", 1, 1)
    made = make_message("A", (Text("x"),), pos)
    assert made == Message("A", (Text("x"),), pos)
    with pytest.raises(AttributeError):
        made.speaker = "B"  # type: ignore[misc]  # still frozen


def test_fast_constructors_fall_back_when_the_model_changes_shape() -> None:
    @dataclass(frozen=True, slots=True)
    class Checked:
        text: str

        def __post_init__(self) -> None:
            if not self.text:
                raise ValueError("empty")

    @dataclass(frozen=True)
    class Unslotted:
        text: str

    assert _one_field_maker(Checked, "text") is Checked
    assert _one_field_maker(Unslotted, "text") is Unslotted
    assert _one_field_maker(Text, "text") is not Text


# --- decoding and loading ---------------------------------------------------


JP = "--- LOG START --- 2025.01.01<br>\n眞：今夜は星がよく見える。～①<br>\n"


def test_decode_utf8_with_and_without_bom_and_line_ends() -> None:
    assert decode(JP.encode(), "f") == (JP, ())
    assert decode(b"\xef\xbb\xbf" + JP.encode(), "f") == (JP, ())
    assert decode(JP.replace("\n", "\r\n").encode(), "f") == (JP, ())
    assert decode(JP.replace("\n", "\r").encode(), "f") == (JP, ())


@pytest.mark.parametrize(("codec", "name"), [
    ("cp932", "Shift_JIS"), ("shift_jis", "Shift_JIS"), ("euc_jp", "EUC-JP"), ("utf-16", "UTF-16"),
])
def test_decode_legacy_encodings_correctly_with_a_warning(codec: str, name: str) -> None:
    text = JP.replace("～①", "") if codec in ("shift_jis", "euc_jp") else JP
    got, diags = decode(text.encode(codec), "f")
    assert got == text
    assert [(d.code, d.severity) for d in diags] == [("LOG051", "warning")]
    assert name in diags[0].message


def test_decode_refuses_by_name_instead_of_mojibake() -> None:
    sjis = JP.encode("cp932")
    broken = sjis[:-4] + b"\x81\x20" + sjis[-4:]  # a lead byte without its trail byte
    text, diags = decode(broken, "f")
    assert text is None
    assert [(d.code, d.pos.line) for d in diags] == [("LOG053", 2)]
    assert "Shift_JIS" in diags[0].message
    text, diags = decode(b"caf\xe9 \xc0\xc1\n", "f")
    assert text is None and "UTF-8" in diags[0].message


def test_decode_mostly_utf8_reports_the_bad_bytes() -> None:
    text, diags = decode(JP.encode() + b"A: \xff\n", "f")
    assert text == JP + "A: \ufffd\n"
    assert [(d.code, d.pos.line, d.pos.col) for d in diags] == [("LOG052", 3, 4)]


def test_load_never_raises_for_bad_files(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.log", tmp_path):
        script = load(path)
        assert script.scenes == ()
        assert [(d.code, d.severity) for d in script.diagnostics] == [("LOG050", "error")]
        assert script.file == str(path)


def test_load_keeps_decoding_warnings_with_parse_diagnostics(tmp_path: Path) -> None:
    path = tmp_path / "s.log"
    path.write_bytes((JP + "A: <b>x</b><br>\n").encode("cp932"))
    script = load(path)
    assert [d.code for d in script.diagnostics] == ["LOG051", "LOG003", "LOG010", "LOG010"]
    assert script.messages[0].text == "今夜は星がよく見える。～①"


def test_parse_does_no_io(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_io(*args: object, **kwargs: object) -> None:
        raise AssertionError("parse opened a file")

    monkeypatch.setattr("builtins.open", no_io)
    assert isinstance(parse(JP), Script)


def test_big_scripts_leave_the_garbage_collector_as_it_was() -> None:
    text = "--- LOG START ---\n" + "A: x<br>\n" * 6000
    assert gc.isenabled()
    assert len(parse(text).messages) == 6000
    assert gc.isenabled()


N = 50_000
PATHOLOGICAL = {
    "spaces then >": "A: a" + " " * N + "b>",
    "many <": "A: " + "<a x" * N,
    "open attributes": "A: <a " + "x " * N,
    "many （": "A: " + "（ab" * N,
    "many &": "A: " + "&abc" * N,
    "many <ruby>": "A: " + "<ruby>" * N,
    "many rubies": "A: " + "<ruby>a<rt>b</rt></ruby>" * (N // 5),
    "many <rt>": "A: <ruby>a" + "<rt>b" * N + "</ruby>",
    "many end tags": "A: x" + " </code>" * N,
    "many lead tags": "<pre>" * N + "A: x",
    "long label": "A" * N + ":x",
    "dashes": "-" * N,
}


@pytest.mark.parametrize("line", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_lines_stay_linear(line: str) -> None:
    # Each takes milliseconds; a quadratic regex or copy loop would take many seconds.
    start = time.perf_counter()
    script = parse(f"--- LOG START ---\n{line}\n{line}\n--- LOG END ---")
    assert time.perf_counter() - start < 3.0
    assert len({m.pos.line for m in script.messages}) == len(script.messages)


def test_did_you_mean_is_skipped_for_data_files_with_thousands_of_labels() -> None:
    frequent = [f"SPEAKER{i % 100:03d}: x" for i in range(300)]
    typos = [f"SPEAKER{i:03d}Z: y" for i in range(20)]  # one edit from a frequent label
    small = parse("\n".join(["--- LOG START --- 2025.01.01", *frequent, *typos]))
    assert [d.code for d in small.diagnostics] == ["LOG003"] + ["LOG040"] * 20
    one_offs = [f"ID{i}: z" for i in range(1000)]
    start = time.perf_counter()
    big = parse("\n".join(["--- LOG START --- 2025.01.01", *frequent, *typos, *one_offs]))
    assert time.perf_counter() - start < 3.0
    assert [d.code for d in big.diagnostics] == ["LOG003"]
