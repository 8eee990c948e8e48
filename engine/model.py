"""The data model: what a parsed script and a loaded story are.

Everything here is plain immutable data (frozen, slotted dataclasses holding
tuples), so any layer can share it without copying and no layer can change it
under another's feet. Nothing here knows about files, pygame or the player.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, FrozenInstanceError, dataclass, field, fields
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

if TYPE_CHECKING:
    from datetime import datetime

Severity = Literal["error", "warning"]
Side = Literal["left", "right"]
View = Literal["adv", "chat"]

_C = TypeVar("_C", bound=type)
set_field = object.__setattr__  # how a frozen record's own __init__ fills its fields


@overload
def record(cls: _C, /) -> _C: ...


@overload
def record(*, frozen: bool = True, slots: bool = True) -> Callable[[_C], _C]: ...


def record(cls: _C | None = None, /, *, frozen: bool = True, slots: bool = True) -> Any:
    """A dataclass whose methods are written once, not generated per class.

    `@record` behaves as `@dataclass(frozen=True, slots=True)`: the same
    fields (`dataclasses.fields`, `replace`, `asdict` work), equality and
    hash over the field values in order, the same repr, and
    FrozenInstanceError on assignment. `@record(frozen=False)` behaves as
    `@dataclass(slots=True)` (equality, repr, unhashable); `slots=False`
    leaves the instances a `__dict__`. The class writes its own `__init__`
    (a frozen one sets each field with `set_field`); equality, hash, repr and
    the frozen guard are the shared functions below. Why: on Python 3.11
    `@dataclass` compiles three to six small functions per class from source
    at every start, about 0.6 ms a frozen class, which the player's start-up
    pays for every record it imports.
    """
    def wrap(cls: _C) -> _C:
        for name, fn in (_FROZEN_METHODS if frozen else _MUTABLE_METHODS).items():
            setattr(cls, name, fn)
        cls = dataclass(slots=slots, init=False, repr=False, eq=False)(cls)
        names = tuple(f.name for f in fields(cls))
        _check_init(cls, fields(cls))
        cls._values = staticmethod(_getter(names))  # type: ignore[attr-defined]
        cls._names = names  # type: ignore[attr-defined]
        return cls

    return wrap if cls is None else wrap(cls)


def _check_init(cls: type, flds: tuple) -> None:
    """Refuse a record whose hand-written `__init__` does not match its fields.

    The written-out `__init__` must take the fields in order; fields it leaves
    out must come last and have defaults (internal state it sets itself).
    Otherwise `replace` and equality would silently disagree with
    construction. A mismatch fails at import, where any test sees it.
    """
    names = tuple(f.name for f in flds)
    init = cls.__dict__.get("__init__")
    code = getattr(init, "__code__", None)
    if code is None:
        if not names:
            return  # a record with no fields needs no __init__ of its own
        raise TypeError(f"record {cls.__qualname__} must define __init__")
    params = code.co_varnames[1 : code.co_argcount + code.co_kwonlyargcount]
    rest = flds[len(params):]
    if params != names[: len(params)] or any(
        f.default is MISSING and f.default_factory is MISSING for f in rest
    ):
        raise TypeError(f"record {cls.__qualname__}: __init__ takes {params}, fields are {names}")


def _getter(names: tuple[str, ...]) -> Callable[[object], tuple]:
    """A function giving an object's values of `names` as a tuple (attrgetter, at C speed)."""
    if not names:
        return lambda _obj: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)


def _record_eq(self, other: object) -> bool:
    if other.__class__ is self.__class__:
        return self._values(self) == other._values(other)  # type: ignore[attr-defined]
    return NotImplemented


def _record_hash(self) -> int:
    return hash(self._values(self))


def _record_repr(self) -> str:
    shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._names)
    return f"{type(self).__qualname__}({shown})"


def _record_setattr(self, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _record_delattr(self, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _record_getstate(self) -> list:
    return list(self._values(self))


def _record_setstate(self, state: list) -> None:
    for name, value in zip(self._names, state, strict=True):
        set_field(self, name, value)


_MUTABLE_METHODS: dict[str, Callable | None] = {
    "__eq__": _record_eq, "__hash__": None, "__repr__": _record_repr,
}
_FROZEN_METHODS: dict[str, Callable | None] = {
    **_MUTABLE_METHODS, "__hash__": _record_hash,
    "__setattr__": _record_setattr, "__delattr__": _record_delattr,
    "__getstate__": _record_getstate, "__setstate__": _record_setstate,
}



@record
class Pos:
    """A place in a source file: 1-based line and column of the original text."""

    file: str
    line: int
    col: int = 1

    def __init__(self, file: str, line: int, col: int = 1) -> None:
        set_field(self, "file", file)
        set_field(self, "line", line)
        set_field(self, "col", col)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@record
class Diagnostic:
    """One problem found in a script or manifest, with a stable code."""

    pos: Pos
    severity: Severity
    code: str
    message: str

    def __init__(self, pos: Pos, severity: Severity, code: str, message: str) -> None:
        set_field(self, "pos", pos)
        set_field(self, "severity", severity)
        set_field(self, "code", code)
        set_field(self, "message", message)

    def format(self) -> str:
        """The gcc-style one-line form editors' problem matchers read."""
        return f"{self.pos}: {self.severity}: {self.message} [{self.code}]"


# --- runs: the pieces of a message's text --------------------------------


@record
class Text:
    """Plain text, exactly as the reader sees it (entities decoded)."""

    text: str

    def __init__(self, text: str) -> None:
        set_field(self, "text", text)


@record
class Ruby:
    """A ruby unit: one or more (base, reading) pairs set together.

    One pair is mono/group ruby (`<ruby>昴<rt>すばる</rt></ruby>`); several
    pairs are jukugo ruby, which may break between its pairs.
    """

    parts: tuple[tuple[str, str], ...]

    def __init__(self, parts: tuple[tuple[str, str], ...]) -> None:
        set_field(self, "parts", parts)

    @property
    def base(self) -> str:
        return "".join(b for b, _ in self.parts)

    @property
    def ruby(self) -> str:
        return "".join(r for _, r in self.parts)


@record
class Direction:
    """A stage direction in full-width parentheses, e.g. `（笑う）`, parentheses included."""

    text: str

    def __init__(self, text: str) -> None:
        set_field(self, "text", text)


@record
class Break:
    """A forced line break inside a message (a mid-line `<br>`)."""


BREAK = Break()

Run = Text | Ruby | Direction | Break


def run_text(run: Run) -> str:
    """The text a reader sees for one run, without readings."""
    if isinstance(run, Ruby):
        return run.base
    if isinstance(run, Break):
        return "\n"
    return run.text


def runs_text(runs: tuple[Run, ...]) -> str:
    """The text a reader sees for a sequence of runs, without readings."""
    return "".join(run_text(r) for r in runs)


@record
class Message:
    """One line of a block: a spoken line (speaker set) or narration (speaker None)."""

    speaker: str | None
    runs: tuple[Run, ...]
    pos: Pos

    def __init__(self, speaker: str | None, runs: tuple[Run, ...], pos: Pos) -> None:
        set_field(self, "speaker", speaker)
        set_field(self, "runs", runs)
        set_field(self, "pos", pos)

    @property
    def text(self) -> str:
        """The message as a reader sees it without readings; breaks as newlines."""
        return runs_text(self.runs)

    @property
    def directions(self) -> tuple[str, ...]:
        return tuple(r.text for r in self.runs if isinstance(r, Direction))

    def content_key(self) -> str:
        """A stable hash of what the message says (speaker, text and readings).

        Read marks and saves use it so they survive edits that move lines.
        """
        import hashlib  # here, not at the top: nothing before the first frame needs it

        h = hashlib.blake2b(digest_size=12)
        h.update((self.speaker or "").encode("utf-8"))
        h.update(b"\x00")
        for run in self.runs:
            if isinstance(run, Ruby):
                for base, reading in run.parts:
                    h.update(f"\x01{base}\x02{reading}".encode())
            else:
                h.update(run_text(run).encode("utf-8"))
        return h.hexdigest()


@record
class Scene:
    """One LOG block: its timestamp (None if unreadable) and its messages."""

    title: str
    timestamp: datetime | None
    pos: Pos
    messages: tuple[Message, ...]

    def __init__(
        self,
        title: str,
        timestamp: datetime | None,
        pos: Pos,
        messages: tuple[Message, ...],
    ) -> None:
        set_field(self, "title", title)
        set_field(self, "timestamp", timestamp)
        set_field(self, "pos", pos)
        set_field(self, "messages", messages)


@record
class Script:
    """A parsed script file: its scenes in file order and every problem found."""

    file: str
    scenes: tuple[Scene, ...]
    diagnostics: tuple[Diagnostic, ...] = ()

    def __init__(
        self,
        file: str,
        scenes: tuple[Scene, ...],
        diagnostics: tuple[Diagnostic, ...] = (),
    ) -> None:
        set_field(self, "file", file)
        set_field(self, "scenes", scenes)
        set_field(self, "diagnostics", diagnostics)

    @property
    def messages(self) -> tuple[Message, ...]:
        return tuple(m for s in self.scenes for m in s.messages)


# --- the story: scripts plus what story.yaml says about them ----------------


@record
class Voice:
    """How a character, or the narration, sounds when the story is read aloud.

    Only what the speech engine really varies (OpenJTalk's HTS engine): the
    voice model, the speaking rate, a pitch shift in half tones, and a gain
    on its samples.
    """

    speed: float = 1.0  # speaking rate; 1 = the engine's own
    pitch: float = 0.0  # half tones above (+) or below (-) the engine's voice
    volume: float = 1.0  # gain on the synthesized samples; 1 = as synthesized
    speaker: Path | None = None  # an .htsvoice file in the story; None: the bundled voice

    def __init__(self, speed: float = 1.0, pitch: float = 0.0, volume: float = 1.0,
                 speaker: Path | None = None) -> None:
        set_field(self, "speed", speed)
        set_field(self, "pitch", pitch)
        set_field(self, "volume", volume)
        set_field(self, "speaker", speaker)


@record
class Character:
    """A speaker as the story presents it."""

    label: str
    name: str
    color: tuple[int, int, int]
    side: Side = "left"
    portraits: Mapping[str, Path] = field(default_factory=dict)  # expression -> image
    expressions: Mapping[str, str] = field(default_factory=dict)  # direction -> expression
    sound: Path | None = None  # played with each of this character's messages
    reading: str | None = None  # how `name` is read (kana), from story.yaml; learner furigana
    voice: Voice | None = None  # None: the narration's voice

    def __init__(
        self,
        label: str,
        name: str,
        color: tuple[int, int, int],
        side: Side = "left",
        portraits: Mapping[str, Path] | None = None,
        expressions: Mapping[str, str] | None = None,
        sound: Path | None = None,
        reading: str | None = None,
        voice: Voice | None = None,
    ) -> None:
        set_field(self, "label", label)
        set_field(self, "name", name)
        set_field(self, "color", color)
        set_field(self, "side", side)
        set_field(self, "portraits", {} if portraits is None else portraits)
        set_field(self, "expressions", {} if expressions is None else expressions)
        set_field(self, "sound", sound)
        set_field(self, "reading", reading)
        set_field(self, "voice", voice)

    def expression_for(self, message: Message) -> str:
        """The expression a message shows: the last mapped direction in it, else default."""
        chosen = "default"
        for d in message.directions:
            chosen = self.expressions.get(d, chosen)
        return chosen


@record
class SceneConfig:
    """Per-scene presentation from story.yaml (all optional)."""

    background: Path | None = None
    music: Path | None = None
    view: View | None = None

    def __init__(
        self,
        background: Path | None = None,
        music: Path | None = None,
        view: View | None = None,
    ) -> None:
        set_field(self, "background", background)
        set_field(self, "music", music)
        set_field(self, "view", view)


@record
class LayoutOptions:
    """Line-breaking choices a project may make in story.yaml."""

    strictness: Literal["strict", "normal", "loose"] = "strict"
    phrase_wrapping: bool = False
    hanging_punctuation: bool = True
    latin_spacing: bool = True  # a quarter em between Japanese and Latin (和欧間)
    justify: bool = True  # the text box's lines end at the box width (never chat bubbles)

    def __init__(
        self,
        strictness: Literal["strict", "normal", "loose"] = "strict",
        phrase_wrapping: bool = False,
        hanging_punctuation: bool = True,
        latin_spacing: bool = True,
        justify: bool = True,
    ) -> None:
        set_field(self, "strictness", strictness)
        set_field(self, "phrase_wrapping", phrase_wrapping)
        set_field(self, "hanging_punctuation", hanging_punctuation)
        set_field(self, "latin_spacing", latin_spacing)
        set_field(self, "justify", justify)


@record
class SceneRef:
    """A scene in play order: which script it is in and where."""

    index: int  # position in play order, 0-based
    script: int  # index into Story.scripts
    scene: Scene
    config: SceneConfig

    def __init__(self, index: int, script: int, scene: Scene, config: SceneConfig) -> None:
        set_field(self, "index", index)
        set_field(self, "script", script)
        set_field(self, "scene", scene)
        set_field(self, "config", config)


@record
class StoryVoice:
    """story.yaml's `voice`: the narration's voice and the recorded lines' folder."""

    narrator: Voice = Voice()
    recorded: Path | None = None  # a folder of recorded lines, by script and line

    def __init__(self, narrator: Voice | None = None, recorded: Path | None = None) -> None:
        set_field(self, "narrator", Voice() if narrator is None else narrator)
        set_field(self, "recorded", recorded)


_DEFAULT_LAYOUT = LayoutOptions()
_DEFAULT_VOICE = StoryVoice()


@record
class Story:
    """A playable story: its scripts in play order and its presentation."""

    root: Path
    title: str
    scripts: tuple[Script, ...]
    characters: Mapping[str, Character]
    scenes: tuple[SceneRef, ...]
    view: View = "adv"
    ui_language: str | None = None
    font: Path | None = None
    fallback_fonts: tuple[Path, ...] = ()
    layout: LayoutOptions = _DEFAULT_LAYOUT
    manifest: Path | None = None
    diagnostics: tuple[Diagnostic, ...] = ()  # manifest problems; scripts keep their own
    declared: frozenset[str] = frozenset()  # labels story.yaml lists under `characters`
    icon: Path | None = None  # the window icon story.yaml names
    voice: StoryVoice = _DEFAULT_VOICE

    def __init__(
        self,
        root: Path,
        title: str,
        scripts: tuple[Script, ...],
        characters: Mapping[str, Character],
        scenes: tuple[SceneRef, ...],
        view: View = "adv",
        ui_language: str | None = None,
        font: Path | None = None,
        fallback_fonts: tuple[Path, ...] = (),
        layout: LayoutOptions = _DEFAULT_LAYOUT,
        manifest: Path | None = None,
        diagnostics: tuple[Diagnostic, ...] = (),
        declared: frozenset[str] = frozenset(),
        icon: Path | None = None,
        voice: StoryVoice = _DEFAULT_VOICE,
    ) -> None:
        set_field(self, "root", root)
        set_field(self, "title", title)
        set_field(self, "scripts", scripts)
        set_field(self, "characters", characters)
        set_field(self, "scenes", scenes)
        set_field(self, "view", view)
        set_field(self, "ui_language", ui_language)
        set_field(self, "font", font)
        set_field(self, "fallback_fonts", fallback_fonts)
        set_field(self, "layout", layout)
        set_field(self, "manifest", manifest)
        set_field(self, "diagnostics", diagnostics)
        set_field(self, "declared", declared)
        set_field(self, "icon", icon)
        set_field(self, "voice", voice)

    def all_diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.diagnostics + tuple(d for s in self.scripts for d in s.diagnostics)

    def character(self, label: str | None) -> Character | None:
        return None if label is None else self.characters.get(label)
