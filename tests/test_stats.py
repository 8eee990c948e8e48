"""`chatlog-vn stats`: golden output on a fixture story, and the pieces it is built from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main
from engine.manifest import load_story
from engine.model import BREAK, Message, Pos, Ruby, Text
from engine.stats import (
    compute_stats,
    display_width,
    format_duration,
    kana_key,
    message_chars,
    ruby_glossary,
)

FIXTURES = Path(__file__).parent / "fixtures" / "writer"
STORY = FIXTURES / "stats"


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
