"""What a message says aloud (engine.voice.text): ruby readings, directions, names, pauses.

Pure: no speech engine, no pygame; runs whether or not the voice extra is installed.
"""

from __future__ import annotations

from pathlib import Path

from engine.logformat import parse
from engine.model import Character, Message, Story, StoryVoice, Voice
from engine.voice.text import (
    PAUSE_MARK,
    SpeechOptions,
    clean,
    split_sentences,
    spoken,
    spoken_plain,
    voice_of,
)

LOG = "--- LOG START --- 2025.03.14 21:05\n{body}\n--- LOG END ---\n"


def messages(body: str) -> list[Message]:
    script = parse(LOG.format(body=body), "t.log")
    return [m for s in script.scenes for m in s.messages]


def one(line: str) -> Message:
    found = messages(line)
    assert len(found) == 1, found
    return found[0]


def story(*chars: Character, narrator: Voice | None = None) -> Story:
    return Story(root=Path("/s"), title="t", scripts=(), scenes=(),
                 characters={c.label: c for c in chars},
                 voice=StoryVoice(narrator=narrator))


def test_ruby_reading_replaces_its_base() -> None:
    said = spoken(one("KAI: 今夜は<ruby>昴<rt>すばる</rt></ruby>がよく見える。"))
    assert said.segments == ("今夜はすばるがよく見える。",)
    assert "昴" not in said.text


def test_latin_base_is_read_as_its_katakana() -> None:
    said = spoken(one("KAI: <ruby>Tesla<rt>テスラ</rt></ruby>に乗った。"))
    assert said.text == "テスラに乗った。"


def test_jukugo_ruby_is_read_part_by_part() -> None:
    said = spoken(one("KAI: <ruby>明<rt>あ</rt>日<rt>した</rt></ruby>ね。"))
    assert said.text == "あしたね。"


def test_a_name_read_by_its_ruby_not_guessed() -> None:
    said = spoken(one("KAI: <ruby>眞<rt>まこと</rt></ruby>です。"))
    assert said.text == "まことです。"


def test_directions_are_skipped_by_default_and_spoken_when_asked() -> None:
    message = one("TAKU:（ため息）ピンチってやつだな。")
    assert spoken(message).text == "ピンチってやつだな。"
    assert spoken(message, options=SpeechOptions(directions=True)).text == (
        "（ため息）ピンチってやつだな。")


def test_a_message_that_is_only_a_direction_says_nothing() -> None:
    message = one("TAKU:（笑う）")
    said = spoken(message)
    assert not said
    assert said.segments == ()
    assert spoken(message, options=SpeechOptions(directions=True))


def test_the_speakers_reading_comes_first_when_names_are_on() -> None:
    cast = story(Character("MAKO", "眞", (1, 2, 3), reading="まこと"),
                 Character("KAI", "海", (1, 2, 3)))
    names = SpeechOptions(names=True)
    assert spoken(one("MAKO: おはよう。"), cast, names).segments == ("まこと", "おはよう。")
    # Without a reading the display name is said (the engine reads the kanji itself).
    assert spoken(one("KAI: おはよう。"), cast, names).segments == ("海", "おはよう。")
    assert spoken(one("MAKO: おはよう。"), cast).segments == ("おはよう。",)


def test_narration_has_no_name_even_with_names_on() -> None:
    said = spoken(one("（通信が一瞬途切れる）夜が明けた。"), story(), SpeechOptions(names=True))
    assert said.segments == ("夜が明けた。",)


def test_no_name_before_a_silent_message() -> None:
    cast = story(Character("MAKO", "眞", (1, 2, 3), reading="まこと"))
    assert not spoken(one("MAKO: 🙂🙂"), cast, SpeechOptions(names=True))


def test_a_forced_break_is_a_pause() -> None:
    said = spoken(one("MIO: 了解。<br>22時に地下で。"))
    assert said.segments == ("了解。", "22時に地下で。")
    assert said.text == f"了解。{PAUSE_MARK}22時に地下で。"


def test_emoji_and_laughter_are_not_spoken() -> None:
    assert clean("ありがとう🙇‍♀️！") == "ありがとう ！"
    assert clean("草www") == "草"
    assert clean("それなｗｗ") == "それな"
    assert clean("www.example.com") == "www.example.com"  # latin text keeps its w
    assert clean("❤️✨") == ""
    assert clean("25℃") == "25℃"


def test_sentences_split_at_their_ends_with_closing_brackets() -> None:
    assert split_sentences("「行くよ。」と言った。本当？") == ["「行くよ。」", "と言った。", "本当？"]
    assert split_sentences("えっ!?……") == ["えっ!?……"]
    assert split_sentences("。。。") == ["。。。"]


def test_chunks_pause_between_sentences_and_segments_and_end_at_zero() -> None:
    said = spoken(one("MIO: 了解。行くね。<br>またあとで"))
    chunks = said.chunks()
    assert [c[0] for c in chunks] == ["了解。", "行くね。", "またあとで"]
    assert chunks[0][1] < chunks[1][1]  # a sentence pause is shorter than a break's
    assert chunks[-1][1] == 0.0


def test_voice_of_speaker_else_narrator() -> None:
    mako = Voice(speed=1.2, pitch=3.0)
    narrator = Voice(speed=0.9)
    cast = story(Character("MAKO", "眞", (1, 2, 3), voice=mako), narrator=narrator)
    assert voice_of(one("MAKO: はい。"), cast) == mako
    assert voice_of(one("夜が明けた。"), cast) == narrator
    assert voice_of(one("KAI: はい。"), cast) == narrator  # not in the cast
    assert voice_of(one("KAI: はい。"), None) == Voice()


def test_interface_text_is_spoken_plainly() -> None:
    assert spoken_plain("つづきから\n").segments == ("つづきから",)
    assert not spoken_plain("  ")
