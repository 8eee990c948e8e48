"""The window icon story.yaml names is set before the window opens; a bad file keeps pygame's."""

from __future__ import annotations

from pathlib import Path

import pygame
from test_app_flow import make_app

BLOCK = "--- LOG START --- 2024.11.29 19:42\nMIO: こんばんは。<br>\n--- LOG END ---\n"


def _story(tmp_path: Path, icon: bytes | None) -> Path:
    (tmp_path / "a.log").write_text(BLOCK, encoding="utf-8")
    (tmp_path / "story.yaml").write_text("icon: icon.png\n", encoding="utf-8")
    if icon is not None:
        (tmp_path / "icon.png").write_bytes(icon)
    return tmp_path


def _png(tmp_path: Path) -> bytes:
    surface = pygame.Surface((32, 32))
    surface.fill((200, 40, 90))
    pygame.image.save(surface, str(tmp_path / "made.png"))
    return (tmp_path / "made.png").read_bytes()


def test_the_story_s_icon_is_set_before_the_first_window(tmp_path, monkeypatch) -> None:
    seen: list[tuple[tuple[int, int], bool]] = []
    monkeypatch.setattr(pygame.display, "set_icon",
                        lambda s: seen.append((s.get_size(), pygame.display.get_surface() is None)))
    pygame.display.quit()
    (tmp_path / "s").mkdir()
    story = _story(tmp_path / "s", _png(tmp_path))
    app = make_app(story, tmp_path / "saves")
    try:
        assert seen == [((32, 32), True)]
        app.toggle_fullscreen()
        assert len(seen) == 1  # once, for the first window
    finally:
        pygame.display.quit()


def test_an_unreadable_icon_keeps_the_default(tmp_path, monkeypatch, capsys) -> None:
    seen: list[object] = []
    monkeypatch.setattr(pygame.display, "set_icon", seen.append)
    pygame.display.quit()
    app = make_app(_story(tmp_path, b"not a picture"), tmp_path / "saves")
    try:
        assert seen == [] and app.canvas is not None
        assert "icon icon.png" in capsys.readouterr().err
    finally:
        pygame.display.quit()
