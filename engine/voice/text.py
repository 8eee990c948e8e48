"""What a message says aloud: the model's runs turned into text for the speech engine.

Pure: no pygame, no speech engine. The ruby's reading replaces its base
(眞 → まこと, Tesla → テスラ, a jukugo ruby part by part), stage directions
are left out or spoken, the speaker's name may come first, a forced break
is a pause, and what the engine cannot say is taken out: emoji and
pictographs (the engine would only pause on them), and internet laughter
(`www` would be spelled out letter by letter).

The result is an `Utterance`: segments spoken in order with a pause
between them. `chunks` splits it further at sentence ends, so the first
sentence can play while the rest is still being synthesized.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from engine.model import Break, Direction, Message, Ruby, Run, Story, Text, Voice, record, set_field

SEGMENT_PAUSE = 0.3  # seconds of silence for a forced break (and after the name)
SENTENCE_PAUSE = 0.15  # seconds between sentences of one segment
PAUSE_MARK = " / "  # how a pause is shown in `chatlog-vn voice --dry-run`

# Symbols the engine reads aloud even though Unicode files them as "other symbol".
_SAID_SYMBOLS = frozenset("℃〒○")
# Emoji glue: variation selectors, zero-width joiner, keycap, skin tones, tags.
_EMOJI_GLUE = re.compile("[\ufe0e\ufe0f\u200d\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")
# `w` runs after Japanese text are laughter (草www, ｗｗ), not the letter.
_LAUGHTER = re.compile(r"(?<=[\u3000-\u30ff\u3400-\u9fff\uff01-\uff0f\uff5e\uff61-\uff9f)）!?！？。、…])"
                       r"[wｗ]+(?![A-Za-zＡ-Ｚａ-ｚ])")
_SPACES = re.compile(r"[ \t\u3000]+")
# A sentence ends at 。！？!? (and runs of them), with closing brackets kept on it.
_SENTENCE_END = re.compile(r"[。！？!?]+[」』）)】〉》\"”’]*")


@record
class SpeechOptions:
    """The player's choices for what is read (the app's settings map onto these)."""

    directions: bool = False  # speak stage directions, e.g. （笑う）
    names: bool = False  # say the speaker's name before the message

    def __init__(self, directions: bool = False, names: bool = False) -> None:
        set_field(self, "directions", directions)
        set_field(self, "names", names)


@record
class Utterance:
    """What one message says aloud: its segments in order, a pause between each two."""

    segments: tuple[str, ...]
    voice: Voice

    def __init__(self, segments: tuple[str, ...], voice: Voice) -> None:
        set_field(self, "segments", segments)
        set_field(self, "voice", voice)

    def __bool__(self) -> bool:
        return bool(self.segments)

    @property
    def text(self) -> str:
        """The utterance on one line, pauses shown as ` / ` (the dry run's form)."""
        return PAUSE_MARK.join(self.segments)

    def chunks(self) -> tuple[tuple[str, float], ...]:
        """(text, pause after it in seconds) per sentence, the unit of synthesis."""
        out: list[tuple[str, float]] = []
        for segment in self.segments:
            sentences = split_sentences(segment)
            out += [(s, SENTENCE_PAUSE) for s in sentences[:-1]]
            out.append((sentences[-1], SEGMENT_PAUSE))
        if out:
            out[-1] = (out[-1][0], 0.0)
        return tuple(out)


DEFAULT_OPTIONS = SpeechOptions()


def spoken(message: Message, story: Story | None = None,
           options: SpeechOptions = DEFAULT_OPTIONS) -> Utterance:
    """What `message` says aloud, in the speaker's voice from `story` (narration: the narrator's)."""
    segments = list(_segments(message.runs, options.directions))
    if options.names and segments and message.speaker is not None:
        name = _name_of(message.speaker, story)
        if name:
            segments.insert(0, name)
    return Utterance(tuple(segments), voice_of(message, story))


def spoken_plain(text: str, voice: Voice | None = None) -> Utterance:
    """A piece of interface text (a menu item, a button) as an utterance."""
    segments = tuple(s for s in (clean(part) for part in text.split("\n")) if s)
    return Utterance(segments, voice or Voice())


def voice_of(message: Message, story: Story | None) -> Voice:
    """The voice a message is read in: its speaker's, else the narrator's."""
    if story is None:
        return Voice()
    character = story.character(message.speaker)
    if character is not None and character.voice is not None:
        return character.voice
    return story.voice.narrator


def _name_of(label: str, story: Story | None) -> str:
    character = story.character(label) if story is not None else None
    if character is None:
        return clean(label)
    # story.yaml's `reading` is how the name sounds (眞 is まこと, not しん).
    return clean(character.reading or character.name)


def _segments(runs: Iterable[Run], directions: bool) -> Iterable[str]:
    """The runs' spoken text, cut at each forced break; silent segments dropped."""
    parts: list[str] = []
    for run in runs:
        if isinstance(run, Break):
            yield from _keep(parts)
            parts = []
        elif isinstance(run, Ruby):
            parts.append("".join(reading if reading.strip() else base
                                 for base, reading in run.parts))
        elif isinstance(run, Direction):
            if directions:
                parts.append(run.text)
        elif isinstance(run, Text):
            parts.append(run.text)
    yield from _keep(parts)


def _keep(parts: list[str]) -> Iterable[str]:
    text = clean("".join(parts))
    if text:
        yield text


def clean(text: str) -> str:
    """`text` without what the engine cannot say; "" if nothing sayable is left."""
    text = _EMOJI_GLUE.sub("", text)
    text = "".join(" " if _unsayable(ch) else ch for ch in text)
    text = _LAUGHTER.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    return text if any(_sayable(ch) for ch in text) else ""


def _unsayable(ch: str) -> bool:
    """Emoji, pictographs, dingbats, regional flags: Unicode's "other symbol" class."""
    return unicodedata.category(ch) == "So" and ch not in _SAID_SYMBOLS


def _sayable(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN" or ch in _SAID_SYMBOLS


def split_sentences(text: str) -> list[str]:
    """`text` cut after each sentence end (。！？ with closing brackets); never empty pieces."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        piece = text[start:m.end()].strip()
        if any(_sayable(ch) for ch in piece):
            out.append(piece)
            start = m.end()
    rest = text[start:].strip()
    if any(_sayable(ch) for ch in rest) or not out:
        out.append(rest)
    elif rest:
        out[-1] += rest  # trailing punctuation only: keep it with the last sentence
    return out
