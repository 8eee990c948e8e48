"""The interface's words in Japanese and English.

Screens ask `tr(key)` for a label; the language is chosen once per session by
`pick_language` (the player's setting, else the story's `ui_language`, else
the system locale) and can be switched at run time with `set_language`.
Other screens (backlog, save/load, settings, chat) add their own keys with
`register` so every string lives in one table per language.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("ja", "en")

_STRINGS: dict[str, dict[str, str]] = {
    "ja": {
        "start": "はじめから",
        "continue": "つづきから",
        "load": "ロード",
        "save": "セーブ",
        "scenes": "シーン選択",
        "settings": "設定",
        "quit": "終了",
        "title": "タイトルへ",
        "back": "戻る",
        "history": "履歴",
        "auto": "オート",
        "skip": "スキップ",
        "close": "閉じる",
        "no_saves": "セーブデータがありません",
        "quick_saved": "クイックセーブしました",
        "quick_save_failed": "クイックセーブできませんでした",
        "quick_loaded": "クイックロードしました",
        "no_quick_save": "クイックセーブがありません",
        "saved_screenshot": "スクリーンショットを保存しました: {path}",
        "not_available": "「{name}」はまだ使えません",
        "view_switched": "表示: {view}",
        "view_adv": "テキストボックス",
        "view_chat": "チャット",
        "end_of_story": "おわり",
        "scene_list": "シーン選択",
        "messages_count": "{n} 件",
        "narration": "ナレーション",
        "note_moved": "スクリプトが編集されていたため、同じ台詞を新しい位置で見つけました",
        "note_nearest": "スクリプトが編集されていたため、いちばん近い位置から再開します",
        "note_new_lines": "スクリプトが編集されていたため、追加された行から表示します",
        "note_edited": "スクリプトが編集されていたため、書き直された台詞から再開します",
        "note_adjusted": "セーブの位置が範囲外だったため、いちばん近い位置から再開します",
        "save_damaged": "セーブデータが壊れています",
        "saving_off": "保存先のフォルダーが使えないため、セーブできません",
        "skip_stopped": "未読のメッセージで止まりました",
        "auto_on": "オート: オン",
        "auto_off": "オート: オフ",
        "skip_on": "スキップ: オン",
        "skip_off": "スキップ: オフ",
        "empty_story": "このストーリーにはメッセージがありません",
    },
    "en": {
        "start": "Start",
        "continue": "Continue",
        "load": "Load",
        "save": "Save",
        "scenes": "Scenes",
        "settings": "Settings",
        "quit": "Quit",
        "title": "Title",
        "back": "Back",
        "history": "History",
        "auto": "Auto",
        "skip": "Skip",
        "close": "Close",
        "no_saves": "No saved game yet",
        "quick_saved": "Quick saved",
        "quick_save_failed": "The quick save failed",
        "quick_loaded": "Quick loaded",
        "no_quick_save": "No quick save yet",
        "saved_screenshot": "Screenshot saved: {path}",
        "not_available": "“{name}” is not available yet",
        "view_switched": "View: {view}",
        "view_adv": "Text box",
        "view_chat": "Chat",
        "end_of_story": "The End",
        "scene_list": "Scenes",
        "messages_count": "{n} messages",
        "narration": "Narration",
        "note_moved": "The script was edited; the saved line was found at its new place",
        "note_nearest": "The script was edited; resuming at the nearest line",
        "note_new_lines": "The script was edited; showing the lines added above",
        "note_edited": "The script was edited; resuming at the rewritten line",
        "note_adjusted": "The save's place was out of range; resuming at the nearest line",
        "save_damaged": "This save is damaged",
        "saving_off": "Saving is off: the save folder cannot be used",
        "skip_stopped": "Skip stopped at an unread message",
        "auto_on": "Auto: on",
        "auto_off": "Auto: off",
        "skip_on": "Skip: on",
        "skip_off": "Skip: off",
        "empty_story": "This story has no messages",
    },
}

_current = "en"


def register(strings: Mapping[str, Mapping[str, str]]) -> None:
    """Add keys for a screen: `{"ja": {...}, "en": {...}}`. Existing keys are kept."""
    for lang, table in strings.items():
        target = _STRINGS.setdefault(lang, {})
        for key, text in table.items():
            target.setdefault(key, text)


def pick_language(preferred: str | None, story_language: str | None, system: str | None) -> str:
    """The first of the player's choice, the story's, the system's that we speak; else English."""
    for candidate in (preferred, story_language, system):
        if candidate:
            code = candidate.lower().replace("-", "_").split("_")[0]
            if code in LANGUAGES:
                return code
    return "en"


def set_language(lang: str) -> None:
    """Switch the interface language (unknown codes fall back to English)."""
    global _current
    _current = lang if lang in _STRINGS else "en"


def language() -> str:
    """The language the interface speaks now."""
    return _current


def tr(key: str, **values: object) -> str:
    """The label for `key` in the current language, with `{name}` fields filled in."""
    text = _STRINGS.get(_current, {}).get(key) or _STRINGS["en"].get(key, key)
    return text.format(**values) if values else text
