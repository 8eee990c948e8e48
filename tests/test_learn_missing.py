"""Without the `learn` extra (its imports made to fail): the service and the commands say
what is missing and how to install it, and nothing else changes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.learn import INSTALL, LearnService, LearnUnavailable, available, missing
from engine.learn.furigana import FuriganaMode
from engine.manifest import load_story

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "scripts"
EXTRA = ("fugashi", "unidic_lite", "jamdict", "jamdict_data", "genanki")


@pytest.fixture
def no_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in EXTRA:
        monkeypatch.setitem(sys.modules, name, None)  # `import name` now raises ImportError


def test_missing_names_every_distribution(no_extra: None) -> None:
    assert missing() == ("fugashi", "unidic-lite", "jamdict", "jamdict-data", "genanki")
    assert missing("anki") == ("genanki",) and not available()


def test_the_service_explains_itself(no_extra: None) -> None:
    story = load_story(DEMO)
    service = LearnService(story)
    message = story.scripts[0].messages[1]
    with pytest.raises(LearnUnavailable) as caught:
        service.words(message)
    text = str(caught.value)
    assert "fugashi" in text and INSTALL in text and "learn" in text
    assert service.furigana(message, FuriganaMode("off")) == message.runs  # off needs nothing


def test_the_worker_records_the_reason_and_stops_asking(no_extra: None) -> None:
    story = load_story(DEMO)
    service = LearnService(story)
    message = story.scripts[0].messages[1]
    try:
        assert service.ready_words(message) is None
        assert service.wait_idle(10)
        assert isinstance(service.error, LearnUnavailable)
        assert service.ready_words(message) is None and service.idle()
    finally:
        service.close()


def test_vocab_says_how_to_install(no_extra: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vocab", str(DEMO)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("chatlog-vn vocab: ") and INSTALL in err and "jamdict" in err


def test_layout_furigana_says_how_to_install_and_plain_layout_works(
        no_extra: None, capsys: pytest.CaptureFixture[str]) -> None:
    script = str(DEMO / "01-yoru.log")
    assert main(["layout", script, "-m", "4", "--width", "600", "--furigana", "all"]) == 2
    assert INSTALL in capsys.readouterr().err
    assert main(["layout", script, "-m", "4", "--width", "600", "--furigana", "off"]) == 0
    assert main(["layout", script, "-m", "4", "--width", "600"]) == 0
    assert main(["check", str(DEMO)]) == 0
