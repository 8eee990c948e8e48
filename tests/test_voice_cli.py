"""`chatlog-vn voice`: the dry run (no extra needed), -o DIR, and what happens without the extra."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from engine.cli import main
from engine.voice import extra

LOG = "--- LOG START --- 2025.03.14 21:05\n{body}\n--- LOG END ---\n"
BODY = ("MAKO: <ruby>眞<rt>まこと</rt></ruby>です。<br>よろしく。\n"
        "（通信が途切れる）\n"
        "KAI:（笑う）🙂\n"
        "KAI: <ruby>Tesla<rt>テスラ</rt></ruby>だ。")
needs_engine = pytest.mark.skipif(not extra.available(), reason="the voice extra is not installed")


def make(tmp_path: Path, yaml_extra: str = "") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "a.log").write_text(LOG.format(body=BODY), encoding="utf-8")
    (tmp_path / "story.yaml").write_text(
        "title: t\nscripts: [a.log]\ncharacters:\n  MAKO: {name: 眞, reading: まこと}\n  KAI: {}\n"
        + yaml_extra, encoding="utf-8")
    return tmp_path


def test_dry_run_prints_file_line_tab_text(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(make(tmp_path))
    assert main(["voice", "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "a.log:2\tまことです。 / よろしく。",
        "a.log:5\tテスラだ。",
    ]


def test_dry_run_options_and_recorded_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(make(tmp_path, "voice: {recorded: rec}\n"))
    (tmp_path / "rec" / "a").mkdir(parents=True)
    (tmp_path / "rec" / "a" / "5.ogg").write_bytes(b"OggS")
    assert main(["voice", ".", "--dry-run", "--names", "--directions"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "a.log:2\tまこと / まことです。 / よろしく。",
        "a.log:3\t（通信が途切れる）",
        "a.log:4\tKAI / （笑う）",
        "a.log:5\t[recorded rec/a/5.ogg]",
    ]


def test_one_of_dry_run_or_output_is_required(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["voice", str(make(tmp_path))])
    assert exc.value.code == 2


def test_no_story_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["voice", str(tmp_path / "nothing"), "--dry-run"]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_output_without_the_extra_says_how_to_install(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extra, "missing", lambda: ("pyopenjtalk-plus",))
    assert main(["voice", str(make(tmp_path)), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "pyopenjtalk-plus" in err and 'pip install -e ".[voice]"' in err
    assert not (tmp_path / "out").exists()


@needs_engine
def test_output_writes_wav_per_line_and_keeps_existing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATLOG_VOICE_CACHE", str(tmp_path / "cache"))
    story, out = make(tmp_path / "s"), tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / "5.wav").write_bytes(b"my own recording")
    assert main(["voice", str(story), "-o", str(out)]) == 0
    assert "wrote 1 files" in capsys.readouterr().out
    assert sorted(p.name for p in (out / "a").iterdir()) == ["2.wav", "5.wav"]
    assert (out / "a" / "5.wav").read_bytes() == b"my own recording"
    with wave.open(str(out / "a" / "2.wav")) as w:
        assert w.getframerate() == 48000 and w.getnframes() > 48000 // 2
    assert main(["voice", str(story), "-o", str(out), "--force"]) == 0
    assert (out / "a" / "5.wav").read_bytes().startswith(b"RIFF")
