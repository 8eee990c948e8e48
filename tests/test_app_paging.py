"""The text box pages a huge message as it goes: only the page shown and the next are laid out."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest
from test_app_flow import flat, key, make_app

from engine.layout import layout_message, paginate
from engine.layout import paging as paging_module

SENTENCE = "むかしむかし、山のふもとの小さな村に、星を数えるのが好きな子どもがいました。"


@pytest.fixture(autouse=True)
def _quit_pygame():
    yield
    pygame.display.quit()


def story_with(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "huge.log"
    path.write_text("--- LOG START --- 2025.01.01 10:00<br>\nSORA: はじまり。<br>\n"
                    f"KAI: {body}<br>\nSORA: おわり。<br>\n--- LOG END ---\n", encoding="utf-8")
    return path


def test_huge_message_shows_its_first_page_laying_out_only_a_window(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = paging_module.build_paragraphs

    def counting(runs, *args):  # type: ignore[no-untyped-def]
        seen.append(sum(len(getattr(r, "text", "")) for r in runs))
        return real(runs, *args)

    monkeypatch.setattr(paging_module, "build_paragraphs", counting)
    app = make_app(story_with(tmp_path, SENTENCE * 20_000), tmp_path / "saves")  # 740,000 chars
    app.start_reading(app.session.runtime.cursor_at(1))
    app.step(max_wait=0)
    reading = app.reading_screen()
    assert reading.page_index == 0 and len(reading.page) == 3
    assert reading.pager is not None and reading.pager.known == 2 and not reading.pager.done
    assert sum(seen) < 3 * paging_module.WINDOW


def test_paging_through_a_long_message_matches_the_whole_layout(tmp_path: Path) -> None:
    app = make_app(story_with(tmp_path, SENTENCE * 120), tmp_path / "saves")  # 4,440 chars
    app.start_reading(app.session.runtime.cursor_at(1))
    app.step(max_wait=0)
    reading = app.reading_screen()
    s = app.session
    geo = s.frame.geometry((1280, 720))
    message = s.runtime.message
    expected = paginate(layout_message(message.runs, geo.text.width, s.renderer.fonts.measure,
                                       geo.settings), geo.max_lines)
    assert len(expected) > 5
    shown = [reading.page]
    for _ in range(len(expected) - 1):
        key(app, pygame.K_SPACE)
        assert flat(app) == 1
        shown.append(reading.page)
    assert tuple(shown) == expected
    assert reading.pager.done  # the last page reached: every page known
    key(app, pygame.K_PAGEUP)
    assert reading.page_index == len(expected) - 2 and reading.page == expected[-2]
    key(app, pygame.K_SPACE)
    key(app, pygame.K_SPACE)
    assert flat(app) == 2  # past the last page: the next message


def test_a_bigger_text_size_keeps_a_page_that_still_exists(tmp_path: Path) -> None:
    app = make_app(story_with(tmp_path, SENTENCE * 120), tmp_path / "saves")
    app.start_reading(app.session.runtime.cursor_at(1))
    app.step(max_wait=0)
    reading = app.reading_screen()
    for _ in range(3):
        key(app, pygame.K_SPACE)
    assert reading.page_index == 3
    app.session.update_prefs(text_size=48)
    reading.on_resume()  # what happens when the settings screen closes
    assert reading.page_index == 3 and reading.page[0].glyphs[0].w == 48
