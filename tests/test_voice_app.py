"""Self-voicing in the player: V and the setting, auto waits for the voice, skip is silent,
and without the voice extra the game plays as before and the setting says why."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest
from test_app_flow import DEMO, flat, key, make_app

from engine.app.voice import VoicePlayer
from engine.preferences import Preferences


@pytest.fixture(autouse=True)
def _quit_pygame():
    yield
    pygame.mixer.quit()
    pygame.display.quit()


class FakeService:
    """Stands in for engine.voice.service: every line is ready at once, as a long silence."""

    def __init__(self) -> None:
        self.said: list[tuple[str, int]] = []
        self.stopped = 0
        self.sound: pygame.mixer.Sound | None = None

    def say(self, message, ahead):  # noqa: ANN001, ANN201
        self.said.append((message.text, len(tuple(ahead))))
        return message.text

    def ready(self, key):  # noqa: ANN001, ANN201
        if self.sound is None:
            rate, _size, channels = pygame.mixer.get_init()
            self.sound = pygame.mixer.Sound(buffer=bytes(rate * channels * 2 * 30))
        return self.sound

    def ready_part(self, key, first):  # noqa: ANN001, ANN201
        return None

    def failed(self, key) -> bool:  # noqa: ANN001
        return False

    def stop(self) -> None:
        self.stopped += 1

    def set_options(self, options) -> None:  # noqa: ANN001
        pass

    def set_story(self, story) -> None:  # noqa: ANN001
        self.story = story

    def close(self) -> None:
        pass


def voiced_app(tmp_path: Path, on: bool = True):  # noqa: ANN201
    app = make_app(DEMO, tmp_path, prefs=Preferences(text_speed=0, self_voicing=on))
    service = FakeService()
    s = app.session
    s._voice = VoicePlayer(s.audio, s.story, service=service)
    return app, service


def test_each_shown_message_is_voiced_and_prepared_ahead(tmp_path: Path) -> None:
    app, service = voiced_app(tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    key(app, pygame.K_SPACE)
    messages = [m.text for s in app.session.story.scripts for m in s.messages]
    assert [t for t, _ in service.said] == [messages[0], messages[1]]
    assert all(n == 3 for _, n in service.said)
    assert app.session.voice._channel.get_busy()


def test_auto_waits_for_the_voice_to_end(tmp_path: Path) -> None:
    app, _service = voiced_app(tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    key(app, pygame.K_a)
    for _ in range(40):  # 10 s of the game's clock: far past the auto delay
        app.clock.now += 0.25
        app.step(max_wait=0)
    assert flat(app) == 0 and app.session.voice.speaking()
    app.session.voice._channel.stop()  # the line ends
    for _ in range(8):
        app.clock.now += 0.25
        app.step(max_wait=0)
    assert flat(app) == 1


def test_a_reloaded_story_reaches_the_voice(tmp_path: Path) -> None:
    app, service = voiced_app(tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    from engine.manifest import load_story

    edited = load_story(DEMO)
    app.session.replace_story(edited)
    assert app.session.voice.story is edited and service.story is edited


def test_skip_is_silent(tmp_path: Path) -> None:
    app, service = voiced_app(tmp_path)
    app.start_reading()
    app.step(max_wait=0)
    said = len(service.said)
    for script in app.session.story.scripts:  # read before: skip passes them
        for message in script.messages:
            app.session.marks.mark(message)
    key(app, pygame.K_s)
    for _ in range(5):
        app.clock.now += 0.1
        app.step(max_wait=0)
    assert flat(app) >= 3
    assert len(service.said) == said  # nothing new was said while skipping
    assert not app.session.voice._channel.get_busy()


def test_v_toggles_self_voicing(tmp_path: Path) -> None:
    app, service = voiced_app(tmp_path, on=False)
    app.start_reading()
    app.step(max_wait=0)
    assert app.session.voice is None and service.said == []
    key(app, pygame.K_v)
    assert app.session.prefs.self_voicing
    assert [t.text for t in app.toasts][-1:] in (["Self-voicing on"],
                                                 ["Self-voicing needs the voice engine "
                                                  '(pip install -e ".[voice]")'])
    key(app, pygame.K_v)
    assert not app.session.prefs.self_voicing and app.session.voice is None
    assert not app.session._voice._channel or not app.session._voice._channel.get_busy()


def test_without_the_extra_the_game_plays_and_the_setting_says_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import engine.voice.extra as extra
    import engine.voice.service as service

    monkeypatch.setattr(extra, "missing", lambda: ("pyopenjtalk-plus",))
    monkeypatch.setattr(service, "missing", lambda: ("pyopenjtalk-plus",))
    app = make_app(DEMO, tmp_path, prefs=Preferences(text_speed=0, self_voicing=True))
    app.start_reading()
    app.step(max_wait=0)
    for _ in range(5):
        key(app, pygame.K_SPACE)
    assert flat(app) == 5
    voice = app.session.voice
    assert voice is not None and not voice.speaking()
    assert voice.unavailable is not None and 'pip install -e ".[voice]"' in voice.unavailable
    assert capsys.readouterr().err.count("self-voicing is off") == 1
    key(app, pygame.K_a)  # auto does not wait on a voice that cannot speak
    for _ in range(40):
        app.clock.now += 0.25
        app.step(max_wait=0)
    assert flat(app) > 5
    settings = app.open("settings")
    assert settings is not None
    assert 'pip install -e ".[voice]"' in settings._help("self_voicing")
