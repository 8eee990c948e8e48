"""Without the `voice` extra (its imports made to fail): what needs speech says what is
missing and how to install it; the dry run and the rest of the engine do not need it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.voice.extra import INSTALL, VoiceUnavailable, available, missing

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "scripts"


@pytest.fixture
def no_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("pyopenjtalk", "numpy"):
        monkeypatch.setitem(sys.modules, name, None)  # found nowhere, `import` raises


def test_missing_names_every_distribution(no_extra: None) -> None:
    assert missing() == ("numpy", "pyopenjtalk-plus") and not available()


def test_the_engine_explains_itself(no_extra: None) -> None:
    from engine.voice.backend import Synth
    from engine.voice.service import unavailable

    with pytest.raises(VoiceUnavailable) as caught:
        Synth()
    assert "pyopenjtalk-plus" in str(caught.value) and INSTALL in str(caught.value)
    reason = unavailable()
    assert reason is not None and INSTALL in reason


def test_dry_run_needs_no_extra_and_output_says_how_to_install(
        no_extra: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["voice", str(DEMO), "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) > 50 and all("\t" in line for line in out)
    assert main(["voice", str(DEMO), "-o", str(tmp_path / "out")]) == 2
    assert INSTALL in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
