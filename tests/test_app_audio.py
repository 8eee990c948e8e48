"""Sound: no audio device means silent play with one warning; bad assets never stop the game."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest
from test_app_flow import DEMO, flat, key, make_app

from engine.app.assets import Assets, default_background
from engine.app.audio import Audio


@pytest.fixture(autouse=True)
def _quit_pygame():
    yield
    pygame.display.quit()


def _story_with_music(tmp_path: Path) -> Path:
    story = tmp_path / "story"
    story.mkdir()
    (story / "a.log").write_text(
        "--- LOG START --- 2025.01.01 10:00\nA: one<br>\nB: two<br>\n--- LOG END ---\n"
        "--- LOG START --- 2025.01.02 10:00\nA: three<br>\nB: four<br>\n--- LOG END ---\n",
        encoding="utf-8",
    )
    (story / "story.yaml").write_text(
        "scenes:\n  0:\n    music: night.ogg\n    background: missing.png\n"
        "  1:\n    music: morning.ogg\n",
        encoding="utf-8",
    )
    (story / "night.ogg").write_bytes(b"not really an ogg file")
    return story


def test_no_audio_device_plays_silently_with_one_warning(tmp_path, monkeypatch, capsys) -> None:
    def refuse() -> None:
        raise pygame.error("no audio device")

    monkeypatch.setattr(pygame.mixer, "get_init", lambda: None)
    monkeypatch.setattr(pygame.mixer, "init", refuse)
    app = make_app(_story_with_music(tmp_path), tmp_path / "saves")
    app.start_reading()
    for _ in range(3):
        key(app, pygame.K_SPACE)
    assert flat(app) == 3  # crossed into the second scene (new music) and went on
    assert app.session.audio.available is False
    err = capsys.readouterr().err
    assert err.count("playing without sound") == 1


def test_broken_assets_are_one_warning_each(tmp_path, capsys) -> None:
    app = make_app(_story_with_music(tmp_path), tmp_path / "saves")
    app.start_reading()
    app.step(max_wait=0)
    key(app, pygame.K_SPACE)
    app.step(max_wait=0)
    assert app.frames_drawn >= 2
    warnings = app.session.assets.warnings
    assert sum("missing.png" in w for w in warnings) == 1


def test_volumes_apply_at_once(tmp_path) -> None:
    app = make_app(DEMO, tmp_path)
    audio = app.session.audio
    app.session.update_prefs(music_volume=0.25, sound_volume=0.5)
    assert (audio.music_volume, audio.sound_volume) == (0.25, 0.5)
    if audio._ready():
        assert abs(pygame.mixer.music.get_volume() - 0.25) < 0.02


def test_music_fades_to_the_next_scene(tmp_path) -> None:
    now = [0.0]
    audio = Audio(Assets(), clock=lambda: now[0])
    if not audio._ready():
        pytest.skip("no mixer even with the dummy driver")
    audio.play_music(Path("a.ogg"))
    audio.current_music = Path("a.ogg")
    audio.play_music(Path("b.ogg"))
    assert audio.current_music == Path("b.ogg")
    now[0] += 5.0
    audio.update()
    assert audio.wake_in() is None


def test_default_background_is_a_gradient() -> None:
    surface = default_background((64, 36))
    top, bottom = surface.get_at((10, 0)), surface.get_at((10, 35))
    assert surface.get_size() == (64, 36)
    assert sum(bottom[:3]) > sum(top[:3])  # lighter towards the horizon


def test_prefetched_images_are_used_and_bad_ones_warn_once(tmp_path) -> None:
    good = tmp_path / "bg.png"
    pygame.image.save(default_background((40, 20)), str(good))
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a png")
    assets = Assets()
    assets.prefetch([good, bad, None, good])
    assert assets.background(good, (40, 20)).get_size() == (40, 20)
    assert good not in assets._prefetch  # taken from the thread's results, not decoded twice
    assert assets.scaled_to_height(bad, 10) is None
    assert assets.scaled_to_height(bad, 20) is None
    assert sum("bad.png" in w for w in assets.warnings) == 1


def test_scene_music_and_message_sounds_with_a_dummy_device(tmp_path) -> None:
    app = make_app(DEMO, tmp_path)
    audio = app.session.audio
    app.start_reading()
    if not audio._ready():
        pytest.skip("no mixer even with the dummy driver")
    ref = app.session.runtime.scene_ref
    assert audio.current_music == ref.config.music
    story = app.session.story
    for _ in range(12):
        key(app, pygame.K_SPACE)
        who = story.character(app.session.runtime.message.speaker)
        if who is not None and who.sound is not None:
            break
    assert who is not None and who.sound is not None
    assert audio._channel is not None and not audio.assets.warnings


def test_audio_opens_only_after_the_first_frame(tmp_path, monkeypatch) -> None:
    opened: list[int] = []
    app = make_app(DEMO, tmp_path)
    monkeypatch.setattr(pygame.mixer, "get_init", lambda: None)
    monkeypatch.setattr(pygame.mixer, "init", lambda: opened.append(app.frames_drawn))
    monkeypatch.setattr(pygame.mixer.music, "load", lambda path: None)
    monkeypatch.setattr(pygame.mixer.music, "play", lambda **kw: None)
    monkeypatch.setattr(pygame.mixer.music, "set_volume", lambda v: None)
    app.start_reading()
    assert opened == [] and app.session.audio.wake_in() == 0.0
    app.step(max_wait=0)
    assert opened == [1]  # once, right after the first frame
