"""Learner mode in the player, with the learn extra: furigana in the text box (never
blocking a frame), the popup dictionary (its words against the glyph boxes, advancing
blocked while open, never over the word), mining a card and copying the sentence."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pygame
import pytest

pytest.importorskip("fugashi")
pytest.importorskip("jamdict")

from test_app_flow import DEMO, flat, key, make_app  # noqa: E402

from engine.app.learn_mode import Learner  # noqa: E402
from engine.app.learn_popup import DictionaryPopup  # noqa: E402
from engine.learn.hits import glyph_boxes, word_boxes, words_on_page  # noqa: E402
from engine.learn.service import LearnService  # noqa: E402
from engine.preferences import Preferences  # noqa: E402
from engine.runtime import Cursor  # noqa: E402

TAKU_LINE = 18  # 「名人かどうかは知らないけど、…ddrescueを入れたUSBメモリを持っていく。」


APPS: list = []


@pytest.fixture(autouse=True)
def _cards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN202
    path = tmp_path / "cards.jsonl"
    monkeypatch.setenv("CHATLOG_CARDS", str(path))
    yield path
    while APPS:  # a failed test's workers stopped too (their SQLite is theirs to close)
        learner = APPS.pop().session._learner
        if learner is not None:
            learner.close()


def reading(tmp_path: Path, **prefs):  # noqa: ANN003, ANN201
    app = make_app(DEMO, tmp_path / "save", Preferences(text_speed=0, **prefs))
    APPS.append(app)
    app.start_reading(Cursor(0, TAKU_LINE))
    app.step(max_wait=0)
    return app


def settle(app, until, seconds: float = 20.0) -> None:  # noqa: ANN001
    """Turn the loop (the worker runs meanwhile) until `until()` holds."""
    end = time.monotonic() + seconds
    while not until():
        assert time.monotonic() < end, "the learner's worker never got there"
        app.step(max_wait=0.01)


def rubies(app) -> list[str]:  # noqa: ANN001
    return [r.text for line in app.reading_screen().page for r in line.rubies]


def words_ready(app):  # noqa: ANN001, ANN201
    learner = app.session.learner
    message = app.session.runtime.message
    settle(app, lambda: learner.words(message) is not None)
    return learner.words(message)


def centre(box) -> tuple[int, int]:  # noqa: ANN001
    x, y, w, h = box
    return (round(x + w / 2), round(y + h / 2))


def word_centre(app, index: int) -> tuple[int, int]:  # noqa: ANN001
    spot = app.reading_screen().word_spots()[0]
    return centre(word_boxes(spot, words_ready(app), index)[0])


def index_of(words, surface: str) -> int:  # noqa: ANN001
    return next(i for i, w in enumerate(words.words) if w.surface == surface)


def popup(app) -> DictionaryPopup:  # noqa: ANN001
    assert isinstance(app.top, DictionaryPopup), app.top
    return app.top


# --- furigana ---------------------------------------------------------------------------


def test_furigana_all_adds_readings_in_the_text_box_and_keeps_the_writers(tmp_path: Path) -> None:
    app = reading(tmp_path, furigana="all")
    settle(app, lambda: "めいじん" in rubies(app))
    shown = rubies(app)
    assert {"めいじん", "きかい", "よび"} <= set(shown)
    assert "ディーディーレスキュー" in shown  # the writer's own ruby, untouched
    # The same glyphs, numbered the same: the typewriter and the popup still line up.
    plain = reading(tmp_path, furigana="off")
    assert rubies(plain) == ["ディーディーレスキュー"]
    glyphs = [g.ch for line in app.reading_screen().page for g in line.glyphs]
    assert glyphs == [g.ch for line in plain.reading_screen().page for g in line.glyphs]


class GatedService(LearnService):
    """The real service, whose worker waits at a gate before making any words."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.gate = threading.Event()

    def words(self, message):  # noqa: ANN001, ANN201
        self.gate.wait(10)
        return super().words(message)


def test_the_frame_shows_without_furigana_until_the_worker_has_made_it(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path / "save", Preferences(text_speed=0, furigana="all"))
    session = app.session
    service = GatedService(session.story)
    session._learner = Learner(session.story, lambda: session.prefs, service=service)
    APPS.append(app)
    app.start_reading(Cursor(0, TAKU_LINE))
    t0 = time.perf_counter()
    for _ in range(5):
        app.step(max_wait=0.01)
    assert time.perf_counter() - t0 < 2.0  # frames went on: nothing waited for the worker
    assert app.frames_drawn >= 1 and rubies(app) == ["ディーディーレスキュー"]
    screen = app.reading_screen()
    assert screen._furigana_wait and screen.wake_in() is not None  # it polls meanwhile
    service.gate.set()
    settle(app, lambda: "めいじん" in rubies(app))
    assert not screen._furigana_wait
    app.quit(0)


# --- the popup dictionary -----------------------------------------------------------------


def test_clicking_each_word_opens_the_popup_on_that_word(tmp_path: Path) -> None:
    app = reading(tmp_path, dictionary="click")
    words = words_ready(app)
    spot = app.reading_screen().word_spots()[0]
    boxes = glyph_boxes(spot)
    shown = words_on_page(spot, words)
    assert len(shown) >= 15
    for index in shown:
        for box in word_boxes(spot, words, index):
            pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=centre(box), button=1))
            app.step(max_wait=0)
            assert popup(app).word == index, words.words[index].surface
            app.draw()
            assert not popup(app).panel.colliderect(popup(app).word_rect())
            key(app, pygame.K_ESCAPE)
            assert not isinstance(app.top, DictionaryPopup)
    # Punctuation is no word: a click there advances as ever.
    comma = next(i for i, g in enumerate(spot.lines[0].glyphs) if g.ch == "、")
    before = flat(app)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN,
                                         pos=centre(boxes[spot.lines[0].glyphs[comma].index]),
                                         button=1))
    app.step(max_wait=0)
    assert flat(app) == before + 1
    app.quit(0)


def test_the_popup_shows_the_dictionary_form_and_senses(tmp_path: Path) -> None:
    app = reading(tmp_path, dictionary="click")
    words = words_ready(app)
    i = index_of(words, "入れた")
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=word_centre(app, i), button=1))
    app.step(max_wait=0)
    app.draw()  # the frame after the click shows it, whatever the lookup is doing
    shown = popup(app)
    settle(app, lambda: shown.lookup is not None)
    assert shown.lookup.base == "入れる" and shown.lookup.base_reading == "いれる"
    assert "to put in" in shown.lookup.meaning()
    app.draw()
    assert shown.panel.width > 0 and not shown.panel.colliderect(shown.word_rect())
    text = shown.text_rect()
    assert text is not None and not shown.panel.colliderect(text)  # above the whole message
    app.quit(0)


def test_advancing_is_blocked_while_the_popup_is_open(tmp_path: Path) -> None:
    app = reading(tmp_path, dictionary="click")
    before = flat(app)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=word_centre(app, 0), button=1))
    app.step(max_wait=0)
    popup(app)
    app.session.auto = True
    for _ in range(40):  # auto's wait passes many times over
        app.clock.now += 0.5
        app.step(max_wait=0)
    assert flat(app) == before and isinstance(app.top, DictionaryPopup)
    pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=-1, flipped=False))
    app.step(max_wait=0)
    assert flat(app) == before  # the wheel closes the popup, it does not advance
    assert not isinstance(app.top, DictionaryPopup)
    app.session.auto = False
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=word_centre(app, 0), button=1))
    app.step(max_wait=0)
    key(app, pygame.K_SPACE)
    assert flat(app) == before and not isinstance(app.top, DictionaryPopup)
    key(app, pygame.K_SPACE)
    assert flat(app) == before + 1  # closed: Space advances again
    app.quit(0)


def test_d_then_arrows_walk_word_by_word(tmp_path: Path) -> None:
    app = reading(tmp_path)  # the key works with the click dictionary off too
    words = words_ready(app)
    key(app, pygame.K_d)
    assert popup(app).word == 0
    key(app, pygame.K_RIGHT)
    key(app, pygame.K_RIGHT)
    assert popup(app).word == 2
    key(app, pygame.K_LEFT)
    assert popup(app).word == 1 and words.words[1].start > 0
    key(app, pygame.K_d)
    assert not isinstance(app.top, DictionaryPopup)
    app.quit(0)


def test_hover_opens_after_a_rest_and_leaving_the_words_closes(tmp_path: Path) -> None:
    app = reading(tmp_path, dictionary="hover")
    words = words_ready(app)
    i = index_of(words, "機械")
    pos = word_centre(app, i)
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
    app.step(max_wait=0)
    assert not isinstance(app.top, DictionaryPopup)  # not before the pointer has rested
    app.clock.now += 0.4
    app.step(max_wait=0)
    assert popup(app).word == i
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=(640, 700), rel=(0, 0),
                                         buttons=(0, 0, 0)))
    app.step(max_wait=0)
    assert not isinstance(app.top, DictionaryPopup)
    app.quit(0)


# --- mining --------------------------------------------------------------------------------


def test_add_card_writes_the_word_in_its_sentence(tmp_path: Path, _cards: Path) -> None:
    app = reading(tmp_path, dictionary="click")
    words = words_ready(app)
    i = index_of(words, "入れた")
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=word_centre(app, i), button=1))
    app.step(max_wait=0)
    settle(app, lambda: popup(app).lookup is not None)
    key(app, pygame.K_c)
    key(app, pygame.K_c)  # the same card twice is kept once
    lines = _cards.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    card = json.loads(lines[0])
    message = app.session.runtime.message
    assert (card["word"], card["base"], card["reading"]) == ("入れた", "入れる", "いれる")
    assert "to put in" in card["meaning"]
    assert card["sentence"] == message.text
    assert card["sentence"][card["word_start"]:card["word_end"]] == "入れた"
    assert card["story"] == app.session.story.title
    assert card["source"] == f"scripts/01-yoru.log:{message.pos.line}"
    assert card["speaker"] == "拓海"
    assert any("入れた" in t.text for t in app.toasts)
    app.quit(0)


def test_copy_sentence_uses_the_clipboard_or_says_why_not(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.app import learn_popup

    app = reading(tmp_path, dictionary="click")
    copied: list[str] = []
    monkeypatch.setattr(learn_popup, "clipboard_put", lambda text: copied.append(text))
    key(app, pygame.K_d)
    key(app, pygame.K_y)
    assert copied == [app.session.runtime.message.text]
    assert any(t.text == learn_popup.tr("dict_copied") for t in app.toasts)
    monkeypatch.setattr(learn_popup, "clipboard_put", lambda text: "no clipboard here")
    key(app, pygame.K_y)
    assert any("no clipboard here" in t.text for t in app.toasts)
    app.quit(0)


# --- the history -------------------------------------------------------------------------


def test_the_history_shows_furigana_and_looks_words_up(tmp_path: Path) -> None:
    app = reading(tmp_path, furigana="all", dictionary="click")
    key(app, pygame.K_SPACE)
    app.step(max_wait=0)
    key(app, pygame.K_l)
    from engine.app.backlog import BacklogScreen

    backlog = app.top
    assert isinstance(backlog, BacklogScreen)

    def entry_rubies() -> list[str]:
        return [r.text for line in backlog.entry(1).layout.lines for r in line.rubies]

    settle(app, lambda: "めいじん" in entry_rubies())
    spots = backlog.word_spots()
    spot = next(s for s in spots if s.message.pos.line == app.session.runtime.message.pos.line - 1)
    learner = app.session.learner
    settle(app, lambda: learner.words(spot.message) is not None)
    words = learner.words(spot.message)
    i = index_of(words, "機械")
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN,
                                         pos=centre(word_boxes(spot, words, i)[0]), button=1))
    app.step(max_wait=0)
    assert popup(app).word == i and popup(app).spot.message == spot.message
    key(app, pygame.K_ESCAPE)
    assert app.top is backlog  # the history is still open, nothing rolled back
    app.quit(0)


# --- the chat view -----------------------------------------------------------------------


def test_chat_bubbles_get_furigana_and_their_words_look_up(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path / "save", Preferences(text_speed=0, furigana="all",
                                                        dictionary="click"), view="chat")
    APPS.append(app)
    app.start_reading(Cursor(0, TAKU_LINE))
    app.step(max_wait=0)
    screen = app.reading_screen()
    assert screen.view_name == "chat"

    def latest():  # noqa: ANN202
        return screen.word_spots()[-1]

    def bubble_rubies() -> list[str]:
        return [r.text for line in latest().lines for r in line.rubies]

    settle(app, lambda: "めいじん" in bubble_rubies())
    assert latest().message == app.session.runtime.message  # the original, for its words
    words = words_ready(app)
    i = index_of(words, "機械")
    before = flat(app)
    pos = centre(word_boxes(latest(), words, i)[0])
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))
    app.step(max_wait=0)
    assert popup(app).word == i and flat(app) == before
    app.draw()
    assert not popup(app).panel.colliderect(popup(app).word_rect())
    key(app, pygame.K_ESCAPE)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(1200, 300), button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(1200, 300), button=1))
    app.step(max_wait=0)
    assert flat(app) == before + 1  # off the words: the click goes on
    app.quit(0)


# --- the Anki deck from the game menu ------------------------------------------------------


def test_the_menu_writes_this_storys_cards_as_an_anki_deck(tmp_path: Path, _cards: Path) -> None:
    import sqlite3
    import zipfile

    from engine.app.gamemenu import GameMenuScreen

    pytest.importorskip("genanki")
    app = reading(tmp_path, dictionary="click")
    key(app, pygame.K_ESCAPE)
    menu = app.top
    assert isinstance(menu, GameMenuScreen)
    menu.choose("anki")
    assert any(t.text == menu_tr("anki_none") for t in app.toasts)  # no cards yet
    learner = app.session.learner
    assert not learner.deck_path().exists()
    words = words_ready(app)
    service = learner.service
    service.add_card(app.session.runtime.message, index_of(words, "機械"))
    service.add_card(app.session.runtime.message, index_of(words, "入れた"))
    menu.choose("anki")
    deck = learner.deck_path()
    assert deck.parent == _cards.parent / "anki" and deck.name == "灯を運ぶ夜.apkg"
    assert any(str(deck) in t.text for t in app.toasts)
    with zipfile.ZipFile(deck) as z:
        z.extract("collection.anki2", tmp_path)
    conn = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        notes = [row[0].split("\x1f") for row in conn.execute("SELECT flds FROM notes")]
    finally:
        conn.close()
    assert sorted(n[0] for n in notes) == sorted(["機械", "入れた"])
    assert any("<b>入れた</b>" in n[3] for n in notes)  # the sentence, the word marked
    app.quit(0)


def menu_tr(key_: str) -> str:
    from engine.app.i18n import tr

    return tr(key_)


def test_a_card_keeps_the_sentences_self_voicing_clip(tmp_path: Path, _cards: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.voice.backend import ENGINE_ID
    from engine.voice.cache import ClipCache, clip_key
    from engine.voice.clip import Clip, write_wav
    from engine.voice.text import DEFAULT_OPTIONS, spoken

    monkeypatch.setenv("CHATLOG_VOICE_CACHE", str(tmp_path / "voice"))
    app = reading(tmp_path, dictionary="click")
    message = app.session.runtime.message
    said = spoken(message, app.session.story, DEFAULT_OPTIONS)
    clip = ClipCache(tmp_path / "voice").path(clip_key(said, ENGINE_ID))
    clip.parent.mkdir(parents=True)
    write_wav(clip, Clip(bytes(4800), 48000))
    words = words_ready(app)
    i = index_of(words, "機械")
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=word_centre(app, i), button=1))
    app.step(max_wait=0)
    settle(app, lambda: popup(app).lookup is not None)
    clip.unlink()  # the cache may be pruned later: the card has its own copy
    key(app, pygame.K_c)
    assert popup(app).word == i
    card = json.loads(_cards.read_text(encoding="utf-8").splitlines()[0])
    assert card["audio"] is None  # the clip went before the card was made: no sound
    write_wav(clip, Clip(bytes(4800), 48000))
    key(app, pygame.K_RIGHT)
    settle(app, lambda: popup(app).lookup is not None)
    key(app, pygame.K_c)
    card = json.loads(_cards.read_text(encoding="utf-8").splitlines()[1])
    kept = Path(card["audio"])
    assert kept.parent == _cards.parent / "audio" and kept.read_bytes() == clip.read_bytes()
    app.quit(0)


class BrokenService(LearnService):
    """The real service whose analysis fails on every message (a bug, a damaged dictionary)."""

    def words(self, message):  # noqa: ANN001, ANN201
        raise RuntimeError("the tokenizer fell over")


def test_a_popup_whose_words_cannot_be_made_closes_and_says_why(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path / "save", Preferences(text_speed=0))
    session = app.session
    session._learner = Learner(session.story, lambda: session.prefs,
                               service=BrokenService(session.story))
    APPS.append(app)
    app.start_reading(Cursor(0, TAKU_LINE))
    app.step(max_wait=0)
    key(app, pygame.K_d)
    settle(app, lambda: not isinstance(app.top, DictionaryPopup))
    assert any("the tokenizer fell over" in t.text for t in app.toasts)
    before = flat(app)
    key(app, pygame.K_SPACE)
    assert flat(app) == before + 1  # the game goes on
    app.quit(0)


def test_the_pad_walks_words_adds_the_card_and_closes(tmp_path: Path, _cards: Path) -> None:
    app = reading(tmp_path)
    words_ready(app)

    def pad(button: int) -> None:
        pygame.event.post(pygame.event.Event(pygame.CONTROLLERBUTTONDOWN, button=button,
                                             instance_id=0))
        app.step(max_wait=0)

    pad(pygame.CONTROLLER_BUTTON_BACK)
    assert popup(app).word == 0
    pad(pygame.CONTROLLER_BUTTON_DPAD_RIGHT)
    assert popup(app).word == 1
    settle(app, lambda: popup(app).lookup is not None)
    pad(pygame.CONTROLLER_BUTTON_X)
    assert len(_cards.read_text(encoding="utf-8").splitlines()) == 1
    before = flat(app)
    pad(pygame.CONTROLLER_BUTTON_B)
    assert not isinstance(app.top, DictionaryPopup) and flat(app) == before
    app.quit(0)


def test_a_form_found_through_its_lemma_reads_as_the_lemma() -> None:
    from engine.manifest import load_story
    from engine.model import Message, Pos, Text

    service = LearnService(load_story(DEMO))
    try:
        message = Message("MIO", (Text("動かせるのは読める。した"),), Pos("x.log", 1))
        words = service.words(message)
        found = {w.surface: service.lookup(message, i) for i, w in enumerate(words.words)}
        assert (found["動かせる"].base, found["動かせる"].base_reading) == ("動かす", "うごかす")
        assert (found["読める"].base, found["読める"].base_reading) == ("読む", "よむ")
        assert found["した"].base_reading == "する"
    finally:
        service.close()


def test_the_popup_shows_a_kana_word_by_its_kana_dictionary_form(tmp_path: Path) -> None:
    from engine.model import Message, Pos, Text

    app = reading(tmp_path)
    learner = app.session.learner
    message = Message("MIO", (Text("宿題をした。"),), Pos("x.log", 1))
    service = learner.service
    words = service.words(message)
    i = index_of(words, "した")
    spot = app.reading_screen().word_spots()[0]
    from engine.learn.hits import TextSpot

    shown = DictionaryPopup(app, lambda: [], TextSpot(message, spot.lines, spot.settings,
                                                      spot.origin), word=i)
    settle(app, lambda: shown._resolve() or shown.lookup is not None)
    rows = [r[0] for r in shown._rows(app.session.ui_text, words)]
    assert rows[0] == "した" and rows[1].endswith("する")  # not the rare spelling 為る
    app.quit(0)


def test_arrows_go_on_to_the_next_bubble(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path / "save", Preferences(text_speed=0), view="chat")
    APPS.append(app)
    app.start_reading(Cursor(0, TAKU_LINE))
    app.step(max_wait=0)
    screen = app.reading_screen()
    learner = app.session.learner
    spots = screen.word_spots()
    assert len(spots) >= 2
    for spot in spots[-2:]:
        learner.words(spot.message)
        settle(app, lambda spot=spot: learner.words(spot.message) is not None)
    key(app, pygame.K_d)  # the latest bubble's first word
    assert popup(app).spot.message == spots[-1].message and popup(app).word == 0
    key(app, pygame.K_LEFT)  # before the first word: the bubble above, its last word
    shown = popup(app)
    above = words_on_page(spots[-2], learner.words(spots[-2].message))
    assert shown.spot.message == spots[-2].message and shown.word == above[-1]
    key(app, pygame.K_RIGHT)
    assert popup(app).spot.message == spots[-1].message and popup(app).word == 0
    app.quit(0)


def test_hover_in_the_chat_view_opens_on_the_bubble_word(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path / "save", Preferences(text_speed=0, dictionary="hover"),
                   view="chat")
    APPS.append(app)
    app.start_reading(Cursor(0, TAKU_LINE))
    app.step(max_wait=0)
    screen = app.reading_screen()
    words = words_ready(app)
    i = index_of(words, "機械")
    pos = centre(word_boxes(screen.word_spots()[-1], words, i)[0])
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
    app.step(max_wait=0)
    app.clock.now += 0.4
    app.step(max_wait=0)
    assert popup(app).word == i
    app.quit(0)


def test_the_settings_preview_shows_furigana_in_the_chat_view_too(tmp_path: Path) -> None:
    app = make_app(DEMO, tmp_path / "save", Preferences(text_speed=0, furigana="all"),
                   view="chat")
    APPS.append(app)
    app.start_reading(Cursor(0, TAKU_LINE))
    app.step(max_wait=0)
    settings = app.open("settings")
    learner = app.session.learner
    message = app.session.runtime.message
    settle(app, lambda: not learner.waiting(message))
    from engine.app.chatpaint import ChatPainter

    seen: list[tuple] = []
    real = ChatPainter.column

    def spy(self, geo):  # noqa: ANN001, ANN202
        col = real(self, geo)
        seen.append(col.runs_for(0, message) if col.runs_for else message.runs)
        return col

    ChatPainter.column = spy  # type: ignore[method-assign]
    try:
        settings._preview = None
        settings.preview()
    finally:
        ChatPainter.column = real  # type: ignore[method-assign]
    assert seen and any(r.__class__.__name__ == "Ruby" and r.ruby == "めいじん" for r in seen[0])
    app.quit(0)
