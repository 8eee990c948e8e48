"""`chatlog-vn stats`: golden output on a fixture story, and the pieces it is built from."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from engine.cli import main
from engine.manifest import load_story
from engine.model import BREAK, Message, Pos, Ruby, Text
from engine.stats import (
    compute_stats,
    display_width,
    format_duration,
    format_stats,
    kana_key,
    message_chars,
    ruby_glossary,
)

FIXTURES = Path(__file__).parent / "fixtures" / "writer"
STORY = FIXTURES / "stats"
DEMO = Path(__file__).resolve().parents[1] / "scripts"


def test_golden_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", str(STORY)]) == 0
    expected = (FIXTURES / "stats.expected.txt").read_text(encoding="utf-8")
    assert capsys.readouterr().out == expected


def test_golden_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", str(STORY), "--format", "json"]) == 0
    expected = json.loads((FIXTURES / "stats.expected.json").read_text(encoding="utf-8"))
    assert json.loads(capsys.readouterr().out) == expected


def test_counts_by_hand() -> None:
    stats = compute_stats(load_story(STORY))
    # 灯台の灯り、見える？ 10 / 見える。明日も晴れだって。 13 / （波の音） 5 /
    # （笑う）じゃあ、星も見えるね。 15 / 見える　と思う。⏎ほんとに。 12 (no spaces)
    assert [s.count.chars for s in stats.scenes] == [55, 30]
    assert [s.count.messages for s in stats.scenes] == [5, 3]
    by_label = {s.label: s for s in stats.speakers}
    assert by_label["MIO"].name == "澪" and by_label["MIO"].count.chars == 35
    assert by_label[None].count.messages == 1
    assert [s.label for s in stats.speakers][-1] is None  # narration last
    assert stats.total.chars == 85
    assert stats.total.seconds == pytest.approx(85 * 60 / 500)


def test_reading_speed_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", str(STORY), "--format", "json", "--cpm", "100"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["chars_per_minute"] == 100
    assert data["total"]["seconds"] == pytest.approx(51.0)


def test_bad_options_and_missing_story(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["stats", str(STORY), "--cpm", "0"])
    assert exc.value.code == 2
    assert main(["stats", str(tmp_path / "nowhere")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_glossary_groups_bases_and_sorts_by_reading() -> None:
    pos = Pos("a.log", 1)
    msgs = [
        Message("A", (Ruby((("眞", "まこと"),)),), pos),
        Message("A", (Ruby((("眞", "しん"),)),), Pos("a.log", 2)),
        Message("A", (Ruby((("眞", "まこと"),)),), Pos("a.log", 3)),
        Message("A", (Ruby((("Vega", "ベガ"),)), Ruby((("明", "あ"), ("日", "した")))), pos),
    ]
    entries = ruby_glossary(msgs)
    assert [e.base for e in entries] == ["明日", "Vega", "眞"]  # あした, べが, まこと
    shin = entries[2]
    assert [(r.reading, r.count) for r in shin.readings] == [("まこと", 2), ("しん", 1)]
    assert shin.count == 3 and shin.readings[1].first == Pos("a.log", 2)


def test_message_chars_leave_out_readings_and_white_space() -> None:
    m = Message("A", (Text("あ　い "), Ruby((("空", "そら"),)), BREAK, Text("う")), Pos("a", 1))
    assert message_chars(m) == 4


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0:00"), (9.4, "0:09"), (59.6, "1:00"), (61, "1:01"), (3600, "1:00:00"), (3725, "1:02:05"),
])
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_kana_key_and_width() -> None:
    assert kana_key("ベガ") == "べが"
    assert kana_key("ｶﾞ") == "が"  # half-width katakana folded first
    assert display_width("空a") == 3
    assert display_width("Zoe\u0308") == 3  # a combining mark takes no column
    assert display_width("ｶﾞ") == 2  # a half-width dakuten takes its own
    assert display_width("☀\ufe0f") == display_width("👩\u200d💻") == 2  # one emoji each


# --- alignment by display width (QA: CJK columns) ---------------------------------------


def _columns(text: str) -> int:
    """Terminal columns, counted independently of engine.stats: a wide or full-width
    character takes two, a combining mark, variation selector or joined emoji none more."""
    width, joined = 0, False
    for ch in text:
        if joined or unicodedata.category(ch) in ("Mn", "Me", "Cf") or ch == "\ufe0f":
            joined = ch == "\u200d"
            if ch == "\ufe0f":
                width += 1  # emoji presentation: the symbol before it takes two
            continue
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return width


def _table_lines(report: str, title: str) -> list[str]:
    lines = report.split("\n")
    start = lines.index(title) + 1
    end = lines.index("", start)
    return lines[start:end]


def _cell_spans(line: str, cells: list[str]) -> list[tuple[int, int]]:
    """Each cell's (first, last) terminal column in `line`, found left to right."""
    spans, at = [], 0
    for cell in cells:
        at = line.index(cell, at)
        first = _columns(line[:at])
        spans.append((first, first + _columns(cell)))
        at += len(cell)
    return spans


def test_tables_align_by_display_width_with_wide_names(tmp_path: Path) -> None:
    (tmp_path / "story.yaml").write_text(
        "title: 幅\ncharacters:\n"
        "  MIO: {name: 澪}\n"
        "  KAN: {name: 白石館長}\n"
        "  ZOE: {name: \"Zoe\u0308\"}\n"  # e and a combining diaeresis: one column
        "  YUZU: {name: \"ユズ☀\ufe0f\"}\n"  # an emoji-presentation sun: two columns
        "  SORA: {name: ＳＯＲＡ}\n", encoding="utf-8")
    (tmp_path / "a.log").write_text(
        "--- LOG START --- 2025.08.01 22:10<br>\n"
        "MIO: <ruby>汐見灯台新報<rt>しおみとうだいしんぽう</rt></ruby>を読んだ。<br>\n"
        "KAN: <ruby>灯<rt>ともしび</rt></ruby>だね。<br>\n"
        "ZOE: <ruby>RAID<rt>レイド</rt></ruby> ok<br>\n"
        "YUZU: はい。<br>\nSORA: うん。<br>\n（波の音）<br>\n--- LOG END ---\n",
        encoding="utf-8")
    stats = compute_stats(load_story(tmp_path))
    report = format_stats(stats)
    speakers = _table_lines(report, "Speakers")
    labels = ["speaker", "MIO (澪)", "KAN (白石館長)", "ZOE (Zoe\u0308)", "YUZU (ユズ☀\ufe0f)",
              "SORA (ＳＯＲＡ)", "(narration)"]
    assert [line.split("  ")[1] for line in speakers] == labels
    spans = [_cell_spans(line, [label, *line[len("  " + label):].split()])
             for line, label in zip(speakers, labels, strict=True)]
    # The name column starts at one place; the number columns end at one place.
    assert len({s[0][0] for s in spans}) == 1
    for col in (1, 2, 3):
        assert len({s[col][1] for s in spans}) == 1, [s[col] for s in spans]
    glossary = _table_lines(report, "Ruby glossary")
    bases = ["base", "汐見灯台新報", "灯", "RAID"]
    assert sorted(line.split()[0] for line in glossary) == sorted(bases)
    firsts = {_cell_spans(line, [line.split()[0], line.split()[1]])[1][0] for line in glossary}
    assert len(firsts) == 1  # the readings column starts at one place


# --- reading progress (stats --save-dir) ---------------------------------------------


def test_progress_counts_what_this_reader_has_read_per_scene(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from engine.marks import ReadMarks
    from engine.marksfile import MarksFile

    story = load_story(DEMO)
    marks = ReadMarks()
    first, second = story.scenes[0].scene.messages, story.scenes[1].scene.messages
    for m in first:
        marks.mark(m)
    for m in list(second)[:5]:
        marks.mark(m)
    MarksFile(tmp_path).save(marks)
    before = sorted((p.name, p.stat().st_size) for p in tmp_path.iterdir())

    assert main(["stats", str(DEMO), "--save-dir", str(tmp_path), "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)["progress"]
    assert got["scenes"][0] == {"index": 0, "read": len(first), "messages": len(first)}
    # By content, as skip sees it: a line said again later reads as read there too.
    seen = {m.content_key() for m in [*first, *list(second)[:5]]}
    for ref, scene in zip(story.scenes, got["scenes"], strict=True):
        assert scene["read"] == sum(m.content_key() in seen for m in ref.scene.messages)
    assert 5 <= got["scenes"][1]["read"] < len(second)
    total = sum(len(ref.scene.messages) for ref in story.scenes)
    assert got["messages"] == total and got["read"] == sum(s["read"] for s in got["scenes"])

    assert main(["stats", str(DEMO), "--save-dir", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert f"{got['read']} of {total} messages" in text
    assert sorted((p.name, p.stat().st_size) for p in tmp_path.iterdir()) == before  # only read


def test_progress_from_a_damaged_or_missing_save_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "read-marks.bin").write_bytes(b"damaged")
    assert main(["stats", str(DEMO), "--save-dir", str(tmp_path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["progress"]["read"] == 0
    assert (tmp_path / "read-marks.bin").read_bytes() == b"damaged"  # not moved, not replaced
    assert main(["stats", str(DEMO), "--save-dir", str(tmp_path / "none")]) == 2
    assert "no save folder" in capsys.readouterr().err
