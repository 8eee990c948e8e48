"""One player frame drawn off screen: what `chatlog-vn shot` writes as a PNG.

The same Frame (text box view) or chat view renderer the player uses, on a
plain Surface, with default settings so shots are reproducible.
"""

from __future__ import annotations

from pathlib import Path

import pygame


def save_png(surface: pygame.Surface, path: Path) -> None:
    """Write `surface` as a PNG at `path` (its folder made if missing)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    pygame.image.save(surface, str(path))


def render_shot(story, message: int, size: tuple[int, int], view: str = "adv", page: int = 0,
                lang: str | None = None):
    """The frame showing message `message` complete, as a pygame Surface (None: no such view)."""
    from engine.app.assets import Assets
    from engine.app.frame import Frame
    from engine.app.i18n import pick_language, set_language
    from engine.app.ui import UiText
    from engine.preferences import Preferences, system_language
    from engine.render import FontSet, TextRenderer, default_font_path
    from engine.runtime import StoryIndex

    set_language(pick_language(lang, story.ui_language, system_language()))
    prefs = Preferences()
    fonts = FontSet(story.font or default_font_path(), tuple(story.fallback_fonts))
    surface = pygame.Surface(size)
    if view == "chat":
        return _chat_shot(story, message, surface, prefs, fonts)
    frame = Frame(story, Assets(), TextRenderer(fonts), UiText(fonts.primary), prefs)
    index = StoryIndex(story)
    cursor = index.cursor_at(message)
    msg = index.message_at(cursor)
    geo = frame.geometry(size)
    pages = frame.pages(frame.layout(msg, geo), geo)
    frame.draw(surface, story.scenes[cursor.scene], msg, pages[min(max(page, 0), len(pages) - 1)])
    frame.draw_mark(surface, geo)
    return surface


def _chat_shot(story, message: int, surface, prefs, fonts):
    """The chat view's own renderer (engine.app.chat.draw_shot), if that view exists."""
    import importlib

    try:
        chat = importlib.import_module("engine.app.chat")
    except ModuleNotFoundError as exc:
        if exc.name != "engine.app.chat":
            raise
        return None
    draw = getattr(chat, "draw_shot", None)
    if draw is None:
        return None
    draw(story, message, surface, prefs, fonts)
    return surface
