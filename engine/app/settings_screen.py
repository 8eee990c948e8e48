"""The Settings screen: every preference as a slider or a set of choices, applied live.

A change goes through `Session.update_prefs`, which persists it at once and
applies volumes and the language; the text settings take effect through the
frame's geometry, which is keyed on them, so the reading screen lays its
message out again when it resumes. A miniature of the reading frame beside
the list shows the text size, ruby, line breaking and box opacity as they
are now, and a line of help explains the focused setting.

Mouse (click, drag a slider), keyboard (Up/Down choose, Left/Right change,
Enter cycles) and gamepad (the d-pad, A, B) all work.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pygame

from engine.app import input as inp
from engine.app.app import CANVAS
from engine.app.gamemenu import ConfirmScreen, backdrop, close_button, draw_button_box, draw_header
from engine.app.i18n import language, register, tr
from engine.app.screen import Screen
from engine.app.ui import THEME, Button, UiText, draw_panel
from engine.preferences import Preferences

register({
    "ja": {
        "set_text_speed": "文字の速さ", "set_auto_delay": "オートの待ち時間",
        "set_skip_unread": "スキップ", "set_music_volume": "BGM 音量",
        "set_sound_volume": "効果音 音量", "set_fullscreen": "画面モード",
        "set_text_size": "文字の大きさ", "set_box_opacity": "テキストボックスの濃さ",
        "set_show_ruby": "ルビ（ふりがな）", "set_strictness": "改行の規則",
        "set_view": "表示スタイル", "set_typing_indicator": "入力中の表示",
        "set_language": "言語 / Language",
        "set_latin_spacing": "和欧間のアキ", "set_justify": "行の両端揃え",
        "opt_on": "する", "opt_off": "しない",
        "help_latin_spacing": "漢字・かなと英字・数字の間に四分アキを入れます（GPU で 5 倍）。",
        "help_justify": "テキストボックスの各行の右端をそろえます（段落の最終行を除く）。",
        "opt_instant": "瞬間", "opt_cps": "{v} 字/秒", "opt_read_only": "既読のみ",
        "opt_unread_too": "未読も", "opt_window": "ウィンドウ", "opt_fullscreen": "全画面",
        "opt_show": "表示", "opt_hide": "非表示", "opt_strict": "厳格", "opt_normal": "標準",
        "opt_loose": "ゆるめ", "opt_story": "作品の設定", "opt_adv": "ボックス",
        "opt_chat": "チャット", "opt_auto_lang": "自動", "opt_ja": "日本語", "opt_en": "English",
        "settings_keys": "↑↓ 項目を選ぶ　←→ 変更　Tab ページ　Esc 戻る",
        "settings_preview": "プレビュー", "settings_reset": "初期設定に戻す",
        "confirm_reset": "すべての設定を初期状態に戻しますか？",
        "help_text_speed": "メッセージが表示される速さです。「瞬間」では一度に表示します。",
        "help_auto_delay": "オートモードで次へ進むまでの待ち時間です（文の長さに比例）。",
        "help_skip_unread": "スキップで未読のメッセージも飛ばすかどうかです。",
        "help_music_volume": "BGM の音量です。変更はすぐに反映されます。",
        "help_sound_volume": "キャラクターの声や効果音の音量です。",
        "help_fullscreen": "F11 キーや Alt+Enter でも切り替えられます。",
        "help_text_size": "テキストボックスと履歴の文字の大きさです。",
        "help_box_opacity": "テキストボックスの背景の濃さです。",
        "help_show_ruby": "漢字の上のふりがなを表示するかどうかです。",
        "help_strictness": "行頭・行末の禁則処理の強さです（JIS X 4051）。",
        "help_view": "テキストボックス表示とチャット表示を切り替えます。",
        "help_typing_indicator": "チャット表示で「入力中…」を表示してから発言します。",
        "help_language": "メニューやボタンの言語です。",
        "page_general": "一般", "page_type": "文字組み・学習", "page_access": "読み上げ・補助",
        "set_high_contrast": "高コントラスト", "set_line_spacing": "行間",
        "set_reduce_motion": "動きを減らす", "opt_spacing_normal": "標準",
        "opt_spacing_wide": "広め", "opt_spacing_wider": "もっと広く",
        "help_high_contrast": "テキストボックスを不透明な黒にし、白い縁で囲みます。",
        "help_line_spacing": "テキストボックス・履歴・チャットの行の間を広げます。"
                             "読みやすさのために。",
        "help_reduce_motion": "チャットの吹き出しのスライドやスクロールの動き、"
                              "待機マークの点滅をなくします。",
        "set_voice_volume": "読み上げ 音量", "set_voice_names": "名前の読み上げ",
        "set_voice_directions": "ト書きの読み上げ",
        "help_voice_volume": "読み上げの音量です（効果音とは別）。",
        "help_voice_names": "メッセージの前に話し手の名前を読むかどうかです。",
        "help_voice_directions": "（笑う）のようなト書きも読むかどうかです。",
        "set_self_voicing": "読み上げ", "opt_voice_off": "しない", "opt_voice_on": "する",
        "help_self_voicing": "メッセージやメニューをルビの読みで読み上げます。"
                             "進むと止まり、オートは読み終わりを待ちます。",
        "help_self_voicing_missing": "音声エンジンが入っていないため読み上げできません。"
                                     "pip install -e \".[voice]\" で入れられます。",
        "help_self_voicing_silent": "音声を出せないため読み上げできません：{why}",
        "set_furigana": "ふりがな（自動）", "set_dictionary": "辞書ポップアップ",
        "opt_furi_off": "なし", "opt_furi_names": "人名のみ", "opt_furi_grade_8": "常用外",
        "opt_furi_grade_6": "小学校外", "opt_furi_jlpt": "N{n}より上", "opt_furi_all": "すべて",
        "opt_furi_grade": "{n}年より上",
        "opt_dict_off": "しない", "opt_dict_click": "クリック", "opt_dict_hover": "ホバー",
        "help_furigana": "作者がルビを付けていない漢字に読みを付けます。「N2より上」は"
                         "JLPT N2 までにない漢字を含む語に、「常用外」は常用漢字でない漢字に。",
        "help_dictionary": "本文・チャット・履歴の単語をクリック（ホバー）すると意味を表示します。"
                           "D キーと ←→ でも。C でカードに追加、Y で文をコピー。",
        "help_learn_missing": "学習用の追加機能が入っていないため使えません。"
                              "pip install -e \".[learn]\" で入れられます（{missing}）。",
    },
    "en": {
        "set_text_speed": "Text speed", "set_auto_delay": "Auto-forward wait",
        "set_skip_unread": "Skip", "set_music_volume": "Music volume",
        "set_sound_volume": "Sound volume", "set_fullscreen": "Display",
        "set_text_size": "Text size", "set_box_opacity": "Text box opacity",
        "set_show_ruby": "Ruby (furigana)", "set_strictness": "Line breaking",
        "set_view": "View", "set_typing_indicator": "Typing indicator",
        "set_language": "Language / 言語",
        "set_latin_spacing": "Space before Latin", "set_justify": "Justified lines",
        "opt_on": "On", "opt_off": "Off",
        "help_latin_spacing": "A quarter em between Japanese and Latin letters or digits.",
        "help_justify": "Lines in the text box end flush at the right (not a paragraph's last).",
        "opt_instant": "Instant", "opt_cps": "{v} chars/s", "opt_read_only": "Read only",
        "opt_unread_too": "Unread too", "opt_window": "Window", "opt_fullscreen": "Fullscreen",
        "opt_show": "Show", "opt_hide": "Hide", "opt_strict": "Strict", "opt_normal": "Normal",
        "opt_loose": "Loose", "opt_story": "Story's", "opt_adv": "Text box",
        "opt_chat": "Chat", "opt_auto_lang": "Auto", "opt_ja": "日本語", "opt_en": "English",
        "settings_keys": "↑↓ choose   ←→ change   Tab page   Esc back",
        "settings_preview": "Preview", "settings_reset": "Reset to defaults",
        "confirm_reset": "Reset every setting to its default?",
        "help_text_speed": "How fast messages appear; Instant shows them whole.",
        "help_auto_delay": "How long auto mode waits before going on (longer lines wait longer).",
        "help_skip_unread": "Whether skipping also passes messages you have not read yet.",
        "help_music_volume": "The music's volume; changes apply at once.",
        "help_sound_volume": "The volume of voices and sounds.",
        "help_fullscreen": "F11 or Alt+Enter switch too.",
        "help_text_size": "The size of the text in the box and in the history.",
        "help_box_opacity": "How dark the text box's background is.",
        "help_show_ruby": "Whether readings are shown above the text.",
        "help_strictness": "How strictly line starts and ends are kept clean (JIS X 4051).",
        "help_view": "Read in a text box or as a chat.",
        "help_typing_indicator": "In the chat view, show \"typing…\" before each message.",
        "page_general": "General", "page_type": "Typesetting & study",
        "page_access": "Voice & aids",
        "set_high_contrast": "High contrast", "set_line_spacing": "Line spacing",
        "set_reduce_motion": "Reduce motion", "opt_spacing_normal": "Normal",
        "opt_spacing_wide": "Wide", "opt_spacing_wider": "Wider",
        "help_high_contrast": "An opaque black text box with a white edge.",
        "help_line_spacing": "More room between the lines of the box, the history and the "
                             "chat, for easier reading.",
        "help_reduce_motion": "No sliding bubbles or eased scrolls in the chat, and a wait "
                              "mark that does not blink.",
        "set_voice_volume": "Voice volume", "set_voice_names": "Read names",
        "set_voice_directions": "Read directions",
        "help_voice_volume": "The volume of self-voicing (apart from sounds).",
        "help_voice_names": "Whether the speaker's name is read before each message.",
        "help_voice_directions": "Whether stage directions such as (laughs) are read too.",
        "set_self_voicing": "Self-voicing", "opt_voice_off": "Off", "opt_voice_on": "On",
        "help_self_voicing": "Reads messages (by their ruby) and focused menus aloud. "
                             "Advancing stops it; auto waits for it.",
        "help_self_voicing_missing": "The voice engine is not installed, so nothing is read "
                                     "aloud. Install it with: pip install -e \".[voice]\"",
        "help_self_voicing_silent": "Nothing can be read aloud: {why}",
        "help_language": "The language of menus and buttons.",
        "set_furigana": "Furigana (added)", "set_dictionary": "Dictionary popup",
        "opt_furi_off": "Off", "opt_furi_names": "Names", "opt_furi_grade_8": "Non-jōyō",
        "opt_furi_grade_6": "Above gr. 6", "opt_furi_jlpt": "Above N{n}", "opt_furi_all": "All",
        "opt_furi_grade": "Above gr. {n}",
        "opt_dict_off": "Off", "opt_dict_click": "Click", "opt_dict_hover": "Hover",
        "help_furigana": "Readings over the kanji words the writer left without ruby: "
                         "\"Above N2\" on words with a kanji beyond JLPT N2, \"Non-jōyō\" on "
                         "kanji outside the jōyō list.",
        "help_dictionary": "Click (or rest the pointer on) a word in the text, a bubble or the "
                           "history to look it up; D and ←→ too. C adds a card, Y copies the "
                           "sentence.",
        "help_learn_missing": "The learner extra is not installed ({missing}). Install it "
                              "with: pip install -e \".[learn]\"",
    },
})


@dataclass(frozen=True, slots=True)
class Setting:
    """One row: a preference, how it is changed (`slider` or `choice`) and its values."""

    key: str  # the Preferences field
    kind: str  # "slider": steps along a track; "choice": a row of segments
    values: tuple[Any, ...]
    show: Callable[[Any], str]  # the value as a label

    @property
    def label(self) -> str:
        """The row's name in the interface language."""
        return tr("set_" + self.key)

    def index(self, value: Any) -> int:
        """The step nearest to `value` (a hand-edited file may hold a value between steps)."""
        if value in self.values:
            return self.values.index(value)
        numeric = [i for i, v in enumerate(self.values) if isinstance(v, (int, float)) and v]
        if not numeric or not isinstance(value, (int, float)):
            return 0
        return min(numeric, key=lambda i: abs(self.values[i] - value))


def _percent(v: float) -> str:
    return f"{round(v * 100)}%"


def _furigana_label(v: str) -> str:
    kind, _, level = v.partition(":")
    if kind == "jlpt":
        return tr("opt_furi_jlpt", n=level)
    if kind == "grade":
        key = f"opt_furi_grade_{level}"
        return tr(key) if level in ("6", "8") else tr("opt_furi_grade", n=level)
    return tr(f"opt_furi_{kind}")


def _labels(pairs: tuple[tuple[Any, str], ...]) -> Callable[[Any], str]:
    table = dict(pairs)
    return lambda v: tr(table[v]) if v in table else str(v)


VOLUMES = tuple(round(i * 0.05, 2) for i in range(21))
SETTINGS: tuple[Setting, ...] = (
    Setting("text_speed", "slider", (10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 80.0, 100.0, 150.0, 0.0),
            lambda v: tr("opt_instant") if v == 0 else tr("opt_cps", v=f"{v:g}")),
    Setting("auto_delay", "slider", (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0),
            lambda v: f"×{v:g}"),
    Setting("skip_unread", "choice", (False, True),
            _labels(((False, "opt_read_only"), (True, "opt_unread_too")))),
    Setting("text_size", "slider", (20, 22, 24, 26, 28, 30, 32, 36, 40, 44, 48), lambda v: f"{v} px"),
    Setting("show_ruby", "choice", (True, False), _labels(((True, "opt_show"), (False, "opt_hide")))),
    # From no furigana to all of it, roughly by how many words each marks.
    Setting("furigana", "slider", ("off", "names", "grade:8", "jlpt:1", "grade:6", "jlpt:2",
                                   "jlpt:3", "jlpt:4", "jlpt:5", "all"), _furigana_label),
    Setting("dictionary", "choice", ("off", "click", "hover"),
            _labels((("off", "opt_dict_off"), ("click", "opt_dict_click"),
                     ("hover", "opt_dict_hover")))),
    Setting("strictness", "choice", ("strict", "normal", "loose"),
            _labels((("strict", "opt_strict"), ("normal", "opt_normal"), ("loose", "opt_loose")))),
    Setting("latin_spacing", "choice", (None, True, False),
            _labels(((None, "opt_story"), (True, "opt_on"), (False, "opt_off")))),
    Setting("justify", "choice", (None, True, False),
            _labels(((None, "opt_story"), (True, "opt_on"), (False, "opt_off")))),
    Setting("box_opacity", "slider", tuple(round(i * 0.1, 1) for i in range(11)), _percent),
    Setting("music_volume", "slider", VOLUMES, _percent),
    Setting("sound_volume", "slider", VOLUMES, _percent),
    Setting("fullscreen", "choice", (False, True),
            _labels(((False, "opt_window"), (True, "opt_fullscreen")))),
    Setting("view", "choice", (None, "adv", "chat"),
            _labels(((None, "opt_story"), ("adv", "opt_adv"), ("chat", "opt_chat")))),
    Setting("typing_indicator", "choice", (True, False),
            _labels(((True, "opt_show"), (False, "opt_hide")))),
    Setting("self_voicing", "choice", (False, True),
            _labels(((False, "opt_voice_off"), (True, "opt_voice_on")))),
    Setting("voice_volume", "slider", VOLUMES, _percent),
    Setting("voice_names", "choice", (False, True),
            _labels(((False, "opt_voice_off"), (True, "opt_voice_on")))),
    Setting("voice_directions", "choice", (False, True),
            _labels(((False, "opt_voice_off"), (True, "opt_voice_on")))),
    Setting("high_contrast", "choice", (False, True),
            _labels(((False, "opt_voice_off"), (True, "opt_voice_on")))),
    Setting("line_spacing", "choice", ("normal", "wide", "wider"),
            _labels((("normal", "opt_spacing_normal"), ("wide", "opt_spacing_wide"),
                     ("wider", "opt_spacing_wider")))),
    Setting("reduce_motion", "choice", (False, True),
            _labels(((False, "opt_voice_off"), (True, "opt_voice_on")))),
    Setting("language", "choice", (None, "ja", "en"),
            _labels(((None, "opt_auto_lang"), ("ja", "opt_ja"), ("en", "opt_en")))),
)

# Pages, switched with the tabs, Tab or a pad's shoulders, so every row stays legible:
# general (every row not named below), typesetting and the learner's aids, self-voicing
# and the other reading aids.
PAGES = ("page_general", "page_type", "page_access")
PAGE_KEYS: tuple[frozenset[str], ...] = (
    frozenset(),  # the rest
    frozenset({"furigana", "dictionary", "strictness", "latin_spacing", "justify"}),
    frozenset({"self_voicing", "voice_volume", "voice_names", "voice_directions",
               "high_contrast", "line_spacing", "reduce_motion"}),
)


def _page_for(key: str) -> int:
    return next((page for page, keys in enumerate(PAGE_KEYS) if key in keys), 0)


PAGE_ROWS: tuple[tuple[int, ...], ...] = tuple(
    tuple(i for i, s in enumerate(SETTINGS) if _page_for(s.key) == page)
    for page in range(len(PAGES)))
_MOST = max(len(rows) for rows in PAGE_ROWS)
ROW_H = min(41, (CANVAS[1] - 112 - 24) // _MOST)  # every row fits the canvas
ROWS = pygame.Rect(60, 112, 660, ROW_H * _MOST)


def page_of(i: int) -> int:
    """The page settings row `i` is on."""
    return next(page for page, rows in enumerate(PAGE_ROWS) if i in rows)
CONTROL_X = 340  # where the slider or the segments start
CONTROL_W = 360
TRACK_W = 240  # a slider's track; its value is written right of it
NO_LINE_START = "、。，．）」』！？…ー"
PREVIEW = pygame.Rect(748, 138, 472, 266)


def row_rect(i: int) -> pygame.Rect:
    """The rectangle of settings row `i` (an index of SETTINGS) on its page."""
    place = PAGE_ROWS[page_of(i)].index(i)
    return pygame.Rect(ROWS.x, ROWS.y + place * ROW_H, ROWS.width, ROW_H - 3)


def track_rect(i: int) -> pygame.Rect:
    """A slider row's track."""
    row = row_rect(i)
    return pygame.Rect(CONTROL_X, row.centery - 3, TRACK_W, 6)


def segment_rects(i: int, n: int) -> list[pygame.Rect]:
    """The segments of a choice row with `n` options."""
    row = row_rect(i)
    width = CONTROL_W // n
    return [pygame.Rect(CONTROL_X + j * width, row.y + 4, width - 6, row.height - 8) for j in range(n)]


class SettingsScreen(Screen):
    """Every preference; changes are applied and saved as they are made."""

    on_backdrop = True  # drawn over gamemenu.backdrop()

    def __init__(self, app) -> None:
        super().__init__(app)
        self.focus = 0
        self.dragging: int | None = None  # the slider row being dragged
        self._backdrop: pygame.Surface | None = None
        self._preview: pygame.Surface | None = None
        self._preview_key: tuple | None = None
        self._preview_waiting = False  # the preview's furigana is still being made
        self._entry_view = (self.session.prefs.view, self.session.options.view)
        self.buttons = self._build_buttons()

    def _build_buttons(self) -> list[Button]:
        reset = Button("reset", tr("settings_reset"), pygame.Rect(PREVIEW.x, CANVAS[1] - 66, 240, 46),
                       size=THEME.small_size + 2)
        return [reset, close_button(), *self._build_tabs()]

    def _build_tabs(self) -> list[Button]:
        """The page tabs, right-aligned in the header."""
        x, tabs = CANVAS[0] - 60, []
        for page in reversed(range(len(PAGES))):
            width = max(120, self.session.ui_text.width(tr(PAGES[page]), THEME.small_size + 2) + 40)
            x -= width
            tabs.append(Button(f"page:{page}", tr(PAGES[page]), pygame.Rect(x, 40, width, 40),
                               size=THEME.small_size + 2))
            x -= 8
        return tabs[::-1]

    @property
    def page(self) -> int:
        """The page shown: the focused row's."""
        return page_of(self.focus)

    def show_page(self, page: int) -> None:
        """Show `page`, its first row focused."""
        page %= len(PAGES)
        if page != self.page:
            self.focus = PAGE_ROWS[page][0]

    def on_enter(self) -> None:
        self._backdrop = backdrop(self.app, self)

    @property
    def prefs(self) -> Preferences:
        """The settings as they are now."""
        return self.session.prefs

    def update(self, dt: float) -> bool:
        """Redraw once the preview's furigana has been made."""
        return self._preview_waiting and not self.session.learner.waiting(
            self.session.runtime.message)

    def wake_in(self) -> float | None:
        return 0.03 if self._preview_waiting else None

    # --- changing values ----------------------------------------------------------

    def value(self, i: int) -> Any:
        """The current value of row `i`."""
        return getattr(self.prefs, SETTINGS[i].key)

    def set_value(self, i: int, value: Any) -> None:
        """Apply and persist one setting (fullscreen also switches the window)."""
        setting = SETTINGS[i]
        if self.value(i) == value and type(self.value(i)) is type(value):
            return
        if setting.key == "fullscreen" and pygame.display.get_surface() is not None:
            if self.app.fullscreen != value:
                self.app.toggle_fullscreen()  # it records the new mode in the settings itself
            if self.prefs.fullscreen != value:
                self.session.update_prefs(fullscreen=value)
        else:
            self.session.update_prefs(**{setting.key: value})
        if setting.key == "view":
            # The player chose a view here: it wins over an earlier Tab switch.
            self.session.options.view = None
        if setting.key == "language":
            self.buttons = self._build_buttons()

    def step(self, i: int, delta: int, wrap: bool = False) -> None:
        """Move a setting `delta` steps along its values (clamped, or wrapping)."""
        setting = SETTINGS[i]
        n = len(setting.values)
        j = setting.index(self.value(i)) + delta
        j = j % n if wrap else min(max(j, 0), n - 1)
        self.set_value(i, setting.values[j])

    def slide_to(self, i: int, x: int) -> None:
        """Set a slider from a pointer's x over its track."""
        setting = SETTINGS[i]
        track = track_rect(i)
        fraction = min(max((x - track.x) / track.width, 0.0), 1.0)
        self.set_value(i, setting.values[round(fraction * (len(setting.values) - 1))])

    def reset(self) -> None:
        """Every setting back to its default (the window mode and language too)."""
        defaults = Preferences()
        for i, setting in enumerate(SETTINGS):
            self.set_value(i, getattr(defaults, setting.key))
        rest = {f.name: getattr(defaults, f.name) for f in dataclasses.fields(Preferences)
                if getattr(self.prefs, f.name) != getattr(defaults, f.name)}
        if rest:
            self.session.update_prefs(**rest)

    # --- input -----------------------------------------------------------------------

    def handle(self, event: pygame.event.Event) -> bool | None:
        if event.type == pygame.MOUSEMOTION:
            return self._motion(event.pos)  # False: nothing to redraw
        if event.type == pygame.MOUSEBUTTONUP:
            self.dragging = None
            return
        action = inp.action_for(event)
        if action == inp.MENU:
            self.close()
        elif action == inp.CLICK:
            self._click(event.pos)
        elif action in (inp.UP, inp.DOWN):
            rows = PAGE_ROWS[self.page]
            step = 1 if action == inp.DOWN else -1
            self.focus = rows[(rows.index(self.focus) + step) % len(rows)]
        elif action in (inp.SWITCH_VIEW, inp.SKIP_TOGGLE, inp.HISTORY):
            # Tab, or the pad's shoulders (right: next page, left: previous)
            self.show_page(self.page + (-1 if action == inp.HISTORY else 1))
        elif action in (inp.LEFT, inp.RIGHT):
            self.step(self.focus, 1 if action == inp.RIGHT else -1)
        elif action == inp.ADVANCE and event.type != pygame.MOUSEWHEEL:
            self.step(self.focus, 1, wrap=SETTINGS[self.focus].kind == "choice")

    def _motion(self, pos: tuple[int, int]) -> bool:
        """Drag a slider or move the focus to the row under the pointer; whether it changed."""
        if self.dragging is not None:
            self.slide_to(self.dragging, pos[0])
            return True
        before = self.focus
        for i in PAGE_ROWS[self.page]:
            if row_rect(i).collidepoint(pos):
                self.focus = i
        return self.focus != before

    def _click(self, pos: tuple[int, int]) -> None:
        for button in self.buttons:
            if button.rect.collidepoint(pos):
                self._press(button.key)
                return
        for i in PAGE_ROWS[self.page]:
            setting = SETTINGS[i]
            if not row_rect(i).collidepoint(pos):
                continue
            self.focus = i
            if setting.kind == "slider" and track_rect(i).inflate(24, 28).collidepoint(pos):
                self.dragging = i
                self.slide_to(i, pos[0])
            elif setting.kind == "choice":
                for j, rect in enumerate(segment_rects(i, len(setting.values))):
                    if rect.collidepoint(pos):
                        self.set_value(i, setting.values[j])
            return

    def _press(self, key: str) -> None:
        if key == "close":
            self.close()
        elif key.startswith("page:"):
            self.show_page(int(key.split(":", 1)[1]))
        elif key == "reset":
            self.app.push(ConfirmScreen(self.app, tr("confirm_reset"), self.reset))

    def close(self) -> None:
        """Back to where Settings was opened; a new view setting switches the reading view."""
        self.app.pop(self)
        reading = self.app.reading_screen()
        if reading is None or (self.prefs.view, self.session.options.view) == self._entry_view:
            return
        wanted = self.session.view_for()
        if getattr(reading, "view_name", wanted) != wanted:
            self.app.switch_view(wanted)

    # --- drawing ----------------------------------------------------------------------

    def draw(self, surface: pygame.Surface) -> None:
        if self._backdrop is None:
            self._backdrop = backdrop(self.app, self)
        surface.blit(self._backdrop, (0, 0))
        text = self.session.ui_text
        draw_header(surface, text, tr("settings"))
        rows = PAGE_ROWS[self.page]
        panel = pygame.Rect(ROWS.x, ROWS.y, ROWS.width, ROW_H * len(rows))
        draw_panel(surface, panel.inflate(0, 14), alpha=190)
        for i in rows:
            self._draw_row(surface, text, i, SETTINGS[i])
        self._draw_preview(surface, text)
        for button in self.buttons:
            draw_button_box(surface, text, button, False,
                            selected=button.key == f"page:{self.page}")

    def _draw_row(self, surface: pygame.Surface, text: UiText, i: int, setting: Setting) -> None:
        row = row_rect(i)
        focused = i == self.focus
        if focused:
            pygame.draw.rect(surface, THEME.hover, row.inflate(-12, 0), border_radius=6)
            pygame.draw.rect(surface, THEME.accent, pygame.Rect(row.x + 6, row.y + 8, 4, row.height - 16))
        color = THEME.text if focused else THEME.dim
        text.draw(surface, text.fit(setting.label, 20, CONTROL_X - row.x - 40), (row.x + 24, row.centery),
                  20, color, "midleft")
        value = self.value(i)
        if setting.kind == "slider":
            self._draw_slider(surface, text, i, setting, value, focused)
        else:
            rects = segment_rects(i, len(setting.values))
            for option, rect in zip(setting.values, rects, strict=True):
                chosen = option == value and type(option) is type(value)
                button = Button(str(option), setting.show(option), rect, size=17)
                draw_button_box(surface, text, button, False, selected=chosen)

    def _draw_slider(self, surface: pygame.Surface, text: UiText, i: int, setting: Setting, value: Any,
                     focused: bool) -> None:
        track = track_rect(i)
        fraction = setting.index(value) / max(1, len(setting.values) - 1)
        pygame.draw.rect(surface, (40, 38, 62), track, border_radius=3)
        filled = pygame.Rect(track.x, track.y, round(track.width * fraction), track.height)
        pygame.draw.rect(surface, THEME.accent, filled, border_radius=3)
        knob = (track.x + filled.width, track.centery)
        pygame.draw.circle(surface, THEME.shadow, (knob[0] + 1, knob[1] + 2), 10)
        pygame.draw.circle(surface, THEME.text if focused else THEME.dim, knob, 10)
        pygame.draw.circle(surface, THEME.accent, knob, 10, 2)
        text.draw(surface, setting.show(value), (CONTROL_X + CONTROL_W, track.centery), 18,
                  THEME.text, "midright")

    def _draw_preview(self, surface: pygame.Surface, text: UiText) -> None:
        text.draw(surface, tr("settings_preview"), (PREVIEW.x, PREVIEW.y - 18), THEME.small_size,
                  THEME.dim, "midleft")
        surface.blit(self.preview(), PREVIEW)
        pygame.draw.rect(surface, THEME.border, PREVIEW.inflate(2, 2), 1)
        help_text = self._help(SETTINGS[self.focus].key)
        box = pygame.Rect(PREVIEW.x, PREVIEW.bottom + 24, PREVIEW.width, 132)  # 3 lines of help
        draw_panel(surface, box, alpha=170)
        text.draw(surface, SETTINGS[self.focus].label, (box.x + 20, box.y + 26), 20, THEME.accent, "midleft")
        lines = _wrap_chars(text, help_text, 17, box.width - 40)
        for n, line in enumerate(lines[:3]):
            text.draw(surface, line, (box.x + 20, box.y + 58 + n * 26), 17, THEME.text, "midleft")
        text.draw(surface, tr("settings_keys"), (box.centerx, box.bottom + 34), THEME.small_size - 2,
                  THEME.dim, "center")

    def spoken_focus(self) -> str:
        """What self-voicing says for the focused row: its name and its value (and the
        page's name on a page's first row, where the focus lands when the page changes)."""
        setting = SETTINGS[self.focus]
        said = f"{setting.label}\n{setting.show(self.value(self.focus))}"
        if self.focus == PAGE_ROWS[self.page][0]:
            said = f"{tr(PAGES[self.page])}\n{said}"
        return said

    def _help(self, key: str) -> str:
        """The focused setting's help; self-voicing says why it cannot speak, if it cannot."""
        if key in ("furigana", "dictionary"):
            learner = self.session.learner
            if learner.missing:
                return tr("help_learn_missing", missing=", ".join(learner.missing))
        if key == "self_voicing" or key.startswith("voice_"):
            from engine.voice.extra import missing

            if missing():
                return tr("help_self_voicing_missing")
            voice = self.session.voice
            if voice is not None and voice.unavailable:
                return tr("help_self_voicing_silent", why=voice.unavailable)
        return tr("help_" + key)

    def preview(self) -> pygame.Surface:
        """The reading frame at the current place, in miniature, drawn with the current settings.

        It shows the view the story is (or would be) read in: the chat view
        while reading in it, or once the View setting picks it.
        """
        s = self.session
        rt = s.runtime
        view = s.view_for()
        message = rt.message
        if self.prefs.furigana != "off":  # the furigana setting shows in the preview too
            message = s.learner.shown(rt.message)
            self._preview_waiting = s.learner.waiting(rt.message)
        key = (self.prefs, rt.cursor, view, message is rt.message)
        if self._preview is None or key != self._preview_key:
            small = pygame.Surface(PREVIEW.size)
            if view == "chat":
                self._draw_chat_preview(small)
            else:
                s.frame.draw(small, rt.scene_ref, message, None)
            self._preview, self._preview_key = small, key
        return self._preview

    def _draw_chat_preview(self, small: pygame.Surface) -> None:
        """The chat view with the current message the latest, scaled down by its own geometry."""
        from engine.app.chatpaint import ChatPainter, ChatView

        s = self.session
        painter = ChatPainter(s.story, s.assets, s.renderer, s.ui_text, s.prefs, language())
        if s.prefs.furigana != "off":  # the bubbles with the furigana made so far
            painter.runs_for = lambda _flat, message: s.learner.shown(message).runs
        rt = s.runtime
        painter.draw(small, rt.scene_ref, ChatView(count=rt.flat_index(rt.cursor) + 1))


def _wrap_chars(text: UiText, words: str, size: int, width: int) -> list[str]:
    """Help text in lines that fit `width`: Japanese breaks between any characters, English at spaces."""
    lines: list[str] = []
    line = ""
    for token in _tokens(words):
        # A closing mark never starts a line (the one kinsoku rule short help needs).
        if line and token[0] not in NO_LINE_START and text.width(line + token, size) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    if line:
        lines.append(line)
    return lines


def _tokens(words: str) -> list[str]:
    """Words with their following space for Latin text; single characters otherwise."""
    out: list[str] = []
    for ch in words:
        last = out[-1][-1:] if out else ""
        in_word = ch.isascii() and not ch.isspace() and last.isascii() and last not in ("", " ")
        if in_word or (out and ch == " "):
            out[-1] += ch
        else:
            out.append(ch)
    return out
