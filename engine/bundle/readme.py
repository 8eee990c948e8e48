"""README.txt of a built app: for readers, in the story's interface language first."""

from __future__ import annotations

import re

from engine.saves import APP_NAME

# Where platformdirs puts the user data and config folders (engine.saves,
# engine.preferences), written so a reader can find them.
_FOLDERS = {
    "linux": ("~/.local/share/{app}/saves/{id}/", "~/.config/{app}/"),
    "darwin": ("~/Library/Application Support/{app}/saves/{id}/",
               "~/Library/Application Support/{app}/"),
    "win32": ("%LOCALAPPDATA%\\{app}\\saves\\{id}\\", "%LOCALAPPDATA%\\{app}\\"),
}

_KEYS = {
    "en": (
        ("click, Space, Enter, wheel down", "show the whole text, then the next message"),
        ("wheel up, Page Up", "back one message"),
        ("L", "history (backlog)"),
        ("A / S (or hold Ctrl)", "auto mode / skip what you have read"),
        ("Tab", "switch between the text box and the chat view"),
        ("F5 / F9", "quick save / quick load"),
        ("Esc", "menu: save, load, settings, title, quit"),
        ("H", "hide the interface"),
        ("F11, Alt+Enter", "full screen"),
        ("F12", "screenshot (into the save folder)"),
    ),
    "ja": (
        ("クリック・Space・Enter・ホイール下", "文を全部表示、次のメッセージへ"),
        ("ホイール上・Page Up", "一つ前のメッセージへ"),
        ("L", "履歴（バックログ）"),
        ("A / S（Ctrl を押したまま）", "オート / 既読スキップ"),
        ("Tab", "テキストボックスとチャット表示の切り替え"),
        ("F5 / F9", "クイックセーブ / クイックロード"),
        ("Esc", "メニュー：セーブ・ロード・設定・タイトル・終了"),
        ("H", "画面の文字などを隠す"),
        ("F11・Alt+Enter", "フルスクリーン"),
        ("F12", "スクリーンショット（セーブフォルダへ）"),
    ),
}


def start_line(name: str, platform: str, lang: str) -> str:
    """How a reader starts the app on `platform` (sys.platform's spelling)."""
    if platform == "darwin":
        return (f"「{name}.app」をダブルクリック" if lang == "ja"
                else f"double-click {name}.app")
    if platform == "win32":
        return (f"「{name}.exe」をダブルクリック" if lang == "ja"
                else f"double-click {name}.exe")
    return (f"「{name}」をダブルクリック、または端末で ./{_shell_quote(name)}" if lang == "ja"
            else f"double-click {name}, or run ./{_shell_quote(name)} in a terminal")


def _shell_quote(name: str) -> str:
    return name if re.fullmatch(r"[\w.-]+", name) else "'" + name.replace("'", "'\\''") + "'"


_VOICE_KEY = {
    "en": ("V", "read aloud on / off (settings: Voice & aids)"),
    "ja": ("V", "読み上げのオン・オフ（設定：読み上げ・補助）"),
}


def readme_text(title: str, name: str, story_id: str, platform: str,
                ui_language: str | None, voice: bool = False) -> str:
    """The whole README.txt: Japanese then English, or English then Japanese.

    `voice`: the app carries self-voicing (`--with-voice`), so its V key is listed.
    """
    key = "darwin" if platform == "darwin" else "win32" if platform == "win32" else "linux"
    saves, config = (f.format(app=APP_NAME, id=story_id) for f in _FOLDERS[key])
    order = ("en", "ja") if ui_language == "en" else ("ja", "en")
    parts = [_section(lang, title, name, platform, saves, config, voice) for lang in order]
    return "\n\n".join(parts) + "\n"


def _section(lang: str, title: str, name: str, platform: str, saves: str, config: str,
             voice: bool = False) -> str:
    start = start_line(name, platform, lang)
    rows = (*_KEYS[lang], _VOICE_KEY[lang]) if voice else _KEYS[lang]
    keys = "\n".join(f"  {k:<34} {v}" for k, v in rows)
    if lang == "ja":
        return (f"{title}\n{'=' * 40}\n\n"
                f"始め方: {start}。Python などのインストールは要りません。\n"
                "フォルダの中身は移動・削除しないでください（アプリが動かなくなります）。\n\n"
                f"セーブ・既読・スクリーンショット: {saves}\n"
                f"設定: {config}\n"
                "（起動時に --save-dir フォルダ を付けると、そのフォルダに保存します）\n\n"
                f"操作:\n{keys}\n  ゲームパッド                       A で進む、B でメニュー\n\n"
                "同梱しているソフトウェアとフォントのライセンスは LICENSES フォルダにあります。")
    return (f"{title}\n{'=' * 40}\n\n"
            f"To start: {start}. Nothing else needs to be installed.\n"
            "Keep the files of this folder together: the app needs all of them.\n\n"
            f"Saves, read marks and screenshots: {saves}\n"
            f"Settings: {config}\n"
            "(start it with --save-dir FOLDER to keep them in FOLDER instead)\n\n"
            f"Keys:\n{keys}\n  gamepad                            A advances, B opens the menu\n\n"
            "Options: --view adv|chat, --lang ja|en, --size WxH, --save-dir FOLDER.\n"
            "The licences of the software and the font it carries are in LICENSES/.")
