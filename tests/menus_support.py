"""Shared helpers for the menu-screen tests: stories built in code, a headless app, input."""

from __future__ import annotations

from pathlib import Path

import pygame

from engine.app.app import App, PlayOptions, Session
from engine.app.i18n import set_language
from engine.model import (
    Character,
    Message,
    Pos,
    Ruby,
    Scene,
    Script,
    Story,
    Text,
)
from engine.preferences import Preferences, load_prefs
from engine.runtime import Cursor, Runtime
from engine.saves import SaveStore, load_marks
from tests.story_support import story_from

SPEAKERS = ("MIO", "TAKU", None)


def message(i: int, file: str = "story.log") -> Message:
    """The i-th message: speakers in turn (every third is narration), every fifth with ruby."""
    speaker = SPEAKERS[i % 3]
    runs: tuple = (Text(f"メッセージ{i}番、"),)
    if i % 5 == 0:
        runs += (Ruby((("灯", "ともしび"),)), Text("がともる。"))
    else:
        runs += (Text("今夜は星がよく見える。"),)
    return Message(speaker, runs, Pos(file, i + 2))


def make_story(root: Path, per_scene: tuple[int, ...] = (12, 12, 12)) -> Story:
    """A story of scenes with the given message counts, in one script file."""
    scenes = []
    start = 0
    for n, count in enumerate(per_scene):
        messages = tuple(message(start + i) for i in range(count))
        scenes.append(Scene(f"2024.11.{n + 1:02d} 21:00", None, Pos("story.log", start + 1), messages))
        start += count
    characters = {
        "MIO": Character("MIO", "澪", (242, 167, 184)),
        "TAKU": Character("TAKU", "拓海", (143, 184, 232)),
    }
    return story_from(Script("story.log", tuple(scenes)), root=root, title="テスト物語",
                      characters=characters)


def make_session(story: Story, folder: Path, prefs: Preferences | None = None) -> Session:
    """A session whose saves and settings live in `folder`."""
    return Session(
        story=story,
        runtime=Runtime(story),
        marks=load_marks(folder),
        prefs=prefs if prefs is not None else load_prefs(folder),
        prefs_dir=folder,
        saves=SaveStore(folder),
        story_id="test-story",
        options=PlayOptions(view="adv"),
    )


def make_app(session: Session, lang: str = "en") -> App:
    """The app with its window open (dummy driver), nothing shown yet."""
    set_language(lang)
    pygame.display.init()
    app = App(session)
    app.open_window()
    app.running = True
    pygame.event.clear()
    return app


def reading_app(root: Path, flat: int) -> App:
    """The app over `make_story(root)` (saves and settings in `root`), read to the flat-th
    message and drawn once."""
    app = make_app(make_session(make_story(root), root))
    read_to(app, flat)
    app.draw()
    return app


def read_to(app: App, flat: int) -> None:
    """Start reading and step (through the reading screen) to the flat-th message."""
    app.start_reading()
    reading = app.reading_screen()
    rt = app.session.runtime
    while rt.flat_index(rt.cursor) < flat:
        reading.complete = True
        reading.forward()


def at(app: App) -> Cursor:
    return app.session.runtime.cursor


def key(app: App, k: int) -> None:
    """Press a key through the app's dispatcher."""
    app.dispatch(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0))


def click(app: App, pos: tuple[int, int], button: int = 1) -> None:
    """Press and release a mouse button at a canvas position."""
    app.dispatch(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=button))
    app.dispatch(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=button))


def move(app: App, pos: tuple[int, int]) -> None:
    app.dispatch(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))


def wheel(app: App, y: int) -> None:
    """A wheel turn (positive: up) over the middle of the canvas."""
    app.top.handle(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=y, pos=(640, 360), flipped=False))
    app.dirty = True
