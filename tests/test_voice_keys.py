"""story.yaml's voice keys (engine.voice.keys via engine.manifest): values, defaults, diagnostics."""

from __future__ import annotations

import textwrap
from pathlib import Path

from engine.manifest import load_story
from engine.model import Story, Voice
from engine.voice.keys import VOICE_PALETTE, default_voice

LOG = "--- LOG START --- 2025.03.14 21:05\nMAKO: はい。\nKAI: うん。\n--- LOG END ---\n"


def make(tmp_path: Path, yaml_text: str) -> Story:
    (tmp_path / "a.log").write_text(LOG, encoding="utf-8")
    (tmp_path / "story.yaml").write_text(
        "title: t\nscripts: [a.log]\n" + textwrap.dedent(yaml_text), encoding="utf-8")
    return load_story(tmp_path)


def found(story: Story) -> list[tuple[str, str]]:
    """The diagnostics, less the cast warnings (a speaker story.yaml does not list)."""
    return [(d.code, d.message) for d in story.diagnostics if d.code not in ("YML011", "YML012")]


def test_character_voice_keys_are_read(tmp_path: Path) -> None:
    story = make(tmp_path, """\
        characters:
          MAKO:
            name: 眞
            reading: まこと
            voice: {speed: 1.2, pitch: -3, volume: 0.8}
          KAI:
            name: 海
        """)
    assert found(story) == []
    mako = story.character("MAKO")
    assert mako is not None and mako.voice == Voice(speed=1.2, pitch=-3.0, volume=0.8)
    assert mako.reading == "まこと"
    kai = story.character("KAI")
    assert kai is not None and kai.voice == default_voice("KAI", 1)


def test_partial_voice_keeps_the_default_for_the_rest(tmp_path: Path) -> None:
    story = make(tmp_path, "characters:\n  MAKO:\n    voice: {speed: 1.5}\n")
    mako = story.character("MAKO")
    assert mako is not None and mako.voice is not None
    assert mako.voice.speed == 1.5
    assert mako.voice.pitch == default_voice("MAKO", 0).pitch


def test_out_of_range_and_wrong_types_are_reported_with_their_line(tmp_path: Path) -> None:
    story = make(tmp_path, """\
        characters:
          MAKO:
            voice:
              speed: 9
              pitch: high
              volume: .nan
              volum: 2
        """)
    got = sorted((d.pos.line, d.code) for d in story.diagnostics if d.code != "YML012")
    assert got == [(6, "VOC001"), (7, "YML004"), (8, "VOC001"), (9, "YML003")]
    speed = next(d for d in story.diagnostics if d.pos.line == 6)
    assert "characters.MAKO.voice.speed: 9 is outside 0.5 to 2" in speed.message
    hint = next(d for d in story.diagnostics if d.code == "YML003")
    assert "did you mean 'volume'" in hint.message
    mako = story.character("MAKO")
    assert mako is not None and mako.voice == default_voice("MAKO", 0)


def test_booleans_are_not_numbers_and_python_tags_are_refused(tmp_path: Path) -> None:
    story = make(tmp_path, """\
        characters:
          MAKO:
            voice:
              speed: true
              pitch: !!python/object:os.system {}
        """)
    assert sorted(c for c, _ in found(story)) == ["YML004", "YML006"]


def test_voice_that_is_not_a_mapping(tmp_path: Path) -> None:
    story = make(tmp_path, "characters:\n  MAKO:\n    voice: loud\n")
    assert [c for c, _ in found(story)] == ["YML004"]


def test_speaker_must_be_an_htsvoice_inside_the_story(tmp_path: Path) -> None:
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "takumi.htsvoice").write_bytes(b"HTS")
    (tmp_path / "voices" / "notes.txt").write_text("x", encoding="utf-8")
    story = make(tmp_path, """\
        characters:
          MAKO: {voice: {speaker: voices/takumi.htsvoice}}
          KAI: {voice: {speaker: ../../etc/x.htsvoice}}
          RIN: {voice: {speaker: voices/notes.txt}}
          SORA: {voice: {speaker: voices/gone.htsvoice}}
        """)
    codes = {d.pos.line: d.code for d in story.diagnostics if d.code.startswith(("Y", "V"))}
    assert codes[5] == "YML007" and codes[6] == "VOC003" and codes[7] == "YML008"
    mako = story.character("MAKO")
    assert mako is not None and mako.voice is not None
    assert mako.voice.speaker == (tmp_path / "voices" / "takumi.htsvoice").resolve()
    kai = story.character("KAI")
    assert kai is not None and kai.voice is not None and kai.voice.speaker is None


def test_story_voice_narrator_and_recorded(tmp_path: Path) -> None:
    (tmp_path / "rec").mkdir()
    story = make(tmp_path, "voice:\n  narrator: {speed: 0.9, pitch: 1}\n  recorded: rec\n")
    assert found(story) == []
    assert story.voice.narrator == Voice(speed=0.9, pitch=1.0)
    assert story.voice.recorded == (tmp_path / "rec").resolve()


def test_recorded_folder_problems(tmp_path: Path) -> None:
    (tmp_path / "file.wav").write_bytes(b"")
    assert [c for c, _ in found(make(tmp_path, "voice: {recorded: file.wav}\n"))] == ["VOC002"]
    assert [c for c, _ in found(make(tmp_path, "voice: {recorded: ../out}\n"))] == ["YML007"]
    later = make(tmp_path, "voice: {recorded: not-yet}\n")
    assert [c for c, _ in found(later)] == ["YML008"]  # kept: the recordings may come later
    assert later.voice.recorded == (tmp_path / "not-yet").resolve()


def test_default_voices_tell_speakers_apart() -> None:
    voices = [default_voice(f"C{i}", i) for i in range(40)]
    narration = Voice()
    assert all(v != narration for v in voices)
    first = [(v.pitch, v.speed) for v in voices[: len(VOICE_PALETTE)]]
    assert len(set(first)) == len(first)
    assert all(abs(a.pitch - b.pitch) >= 2 for a, b in zip(voices, voices[1:8], strict=False))
    assert all(-12 <= v.pitch <= 12 and 0.5 <= v.speed <= 2 for v in voices)
    assert default_voice("ZED", 30) == default_voice("ZED", 30)  # stable
