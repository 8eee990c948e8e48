"""The real speech engine and the mixer (needs the voice extra; CI installs it).

The dummy SDL audio driver (tests/conftest.py) plays into nothing, but a
channel is busy for as long as its sound lasts, which is what is checked.
"""

from __future__ import annotations

import time
from pathlib import Path

import pygame
import pytest

from engine.app.assets import Assets
from engine.app.audio import Audio
from engine.app.voice import VoicePlayer, clip_sound, file_sound
from engine.manifest import load_story
from engine.model import Story, Voice
from engine.voice import extra
from engine.voice.cache import ClipCache
from engine.voice.clip import Clip
from engine.voice.service import VoiceService
from engine.voice.text import spoken_plain

pytestmark = pytest.mark.skipif(not extra.available(), reason="the voice extra is not installed")
LOG = "--- LOG START --- 2025.03.14 21:05\n{body}\n--- LOG END ---\n"


@pytest.fixture(scope="module")
def synth():  # noqa: ANN201 - engine.voice.backend.Synth, imported only with the extra
    from engine.voice.backend import Synth

    engine = Synth()
    engine.warm()
    return engine


@pytest.fixture(autouse=True)
def _quit_mixer():
    yield
    pygame.mixer.quit()


def rms(clip: Clip) -> float:
    import numpy as np

    samples = np.frombuffer(clip.pcm, dtype="<i2").astype(float)
    return float(np.sqrt((samples**2).mean())) if len(samples) else 0.0


def test_synthesis_is_speech_and_its_voice_keys_act(synth) -> None:  # noqa: ANN001
    plain = synth.render(spoken_plain("こんにちは。今日はいい天気ですね。"))
    assert plain.rate == 48000 and 1.0 < plain.seconds < 6.0
    assert rms(plain) > 500  # speech, not silence
    fast = synth.render(spoken_plain("こんにちは。今日はいい天気ですね。", Voice(speed=1.6)))
    assert fast.seconds < plain.seconds * 0.8
    quiet = synth.render(spoken_plain("こんにちは。今日はいい天気ですね。", Voice(volume=0.5)))
    assert rms(quiet) == pytest.approx(rms(plain) * 0.5, rel=0.02)
    high = synth.render(spoken_plain("こんにちは。今日はいい天気ですね。", Voice(pitch=6.0)))
    assert high.pcm != plain.pcm and high.seconds == pytest.approx(plain.seconds, rel=0.05)


def test_a_break_is_silence_between_the_segments(synth) -> None:  # noqa: ANN001
    one = synth.render(spoken_plain("はい。"))
    two = synth.render(spoken_plain("はい。\nはい。"))
    assert two.seconds == pytest.approx(2 * one.seconds + 0.3, abs=0.05)


def test_a_speaker_file_is_loaded_and_a_bad_one_fails_clearly(synth, tmp_path: Path) -> None:  # noqa: ANN001
    import pyopenjtalk

    from engine.voice.backend import SpeakerError

    bundled = Path(pyopenjtalk.__file__).parent / "htsvoice" / "mei_normal.htsvoice"
    same = synth.render(spoken_plain("はい。", Voice(speaker=bundled)))
    assert same == synth.render(spoken_plain("はい。"))
    bad = tmp_path / "bad.htsvoice"
    bad.write_bytes(b"not a voice")
    with pytest.raises(SpeakerError, match="bad.htsvoice"):
        synth.render(spoken_plain("はい。", Voice(speaker=bad)))


def test_parts_joined_are_the_whole_sample_for_sample(synth) -> None:  # noqa: ANN001
    said = spoken_plain("こんにちは。今日は晴れ。\nまたね！", Voice(volume=1.3, pitch=2.0))
    chunks = said.chunks()
    head = synth.render_chunks(chunks[:1], said.voice)
    rest = synth.render_chunks(chunks[1:], said.voice)
    assert head.pcm + rest.pcm == synth.render(said).pcm


def test_stop_between_sentences(synth) -> None:  # noqa: ANN001
    assert synth.render(spoken_plain("一。二。三。"), stop=lambda: True) is None


def test_mixer_conversion(synth) -> None:  # noqa: ANN001
    from engine.voice.backend import to_mixer

    clip = synth.render(spoken_plain("はい。"))
    stereo = to_mixer(clip, 44100, -16, 2)
    assert len(stereo) == pytest.approx(clip.frames * 44100 / 48000 * 4, abs=8)
    assert len(to_mixer(clip, 48000, 32, 1)) == clip.frames * 4
    with pytest.raises(ValueError):
        to_mixer(clip, 48000, 8, 1)


def make_story(tmp_path: Path) -> Story:
    (tmp_path / "a.log").write_text(
        LOG.format(body="A: はい。\nA: （笑う）\nB: そうですね、今日は本当にいい天気です。"),
        encoding="utf-8")
    (tmp_path / "story.yaml").write_text("title: t\nscripts: [a.log]\n", encoding="utf-8")
    return load_story(tmp_path)


def wait_until(check, seconds: float = 20.0) -> bool:  # noqa: ANN001
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.01)
    return False


def test_the_player_speaks_under_the_dummy_driver_and_advancing_stops_it(
        synth, tmp_path: Path) -> None:  # noqa: ANN001
    story = make_story(tmp_path)
    first, silent, third = [m for s in story.scripts for m in s.messages]
    audio = Audio(Assets())
    service = VoiceService(story, from_clip=clip_sound, from_file=file_sound,
                           cache=ClipCache(tmp_path / "cache"), synth=synth)
    voice = VoicePlayer(audio, story, service=service)
    voice.show(third, ahead=())
    assert voice.speaking()
    assert wait_until(lambda: (voice.update(), voice._channel is not None
                               and voice._channel.get_busy())[1])
    assert voice.unavailable is None and voice.speaking()
    voice.show(silent, ahead=(first,))  # advance: the voice stops at once
    assert not voice._channel.get_busy()
    voice.update()
    assert not voice.speaking()  # a silent line: auto mode need not wait
    assert service.worker is not None and service.worker.wait_idle()
    voice.close()


def test_a_long_line_starts_with_its_first_sentence_and_the_rest_follows(
        synth, tmp_path: Path) -> None:  # noqa: ANN001
    (tmp_path / "a.log").write_text(LOG.format(
        body="A: 一つ目の文です。二つ目の文はもう少し長くなります。三つ目。"), encoding="utf-8")
    (tmp_path / "story.yaml").write_text("title: t\nscripts: [a.log]\n", encoding="utf-8")
    story = load_story(tmp_path)
    (line,) = [m for s in story.scripts for m in s.messages]
    service = VoiceService(story, from_clip=clip_sound, from_file=file_sound,
                           cache=ClipCache(tmp_path / "cache"), synth=synth)
    voice = VoicePlayer(Audio(Assets()), story, service=service)
    voice.show(line)
    assert wait_until(lambda: (voice.update(), voice._rest is None and voice._pending is None
                               and voice._channel is not None)[1])
    assert voice._channel.get_busy() and voice.speaking()
    # The first sentence plays; the rest waits on the channel's queue to follow it.
    playing, queued = voice._channel.get_sound(), voice._channel.get_queue()
    assert queued is not None and playing.get_length() < 3.0 < playing.get_length() + queued.get_length()
    key = service.worker.key(service.job(line))
    assert service.worker.wait_idle() and ClipCache(tmp_path / "cache").get(key) is not None
    voice.close()


def test_no_audio_device_is_silent_and_says_why(synth, tmp_path: Path, monkeypatch,
                                                capsys) -> None:  # noqa: ANN001
    monkeypatch.setenv("CHATLOG_NO_AUDIO", "1")
    story = make_story(tmp_path)
    voice = VoicePlayer(Audio(Assets()), story)
    voice.show(story.scripts[0].messages[0])
    voice.update()
    assert voice.unavailable is not None and "no audio device" in voice.unavailable
    assert not voice.speaking()
    assert "self-voicing is off" in capsys.readouterr().err

