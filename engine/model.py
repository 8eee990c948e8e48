"""The data model: what a parsed script and a loaded story are.

Everything here is plain immutable data (frozen, slotted dataclasses holding
tuples), so any layer can share it without copying and no layer can change it
under another's feet. Nothing here knows about files, pygame or the player.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal, Union

Severity = Literal["error", "warning"]
Side = Literal["left", "right"]
View = Literal["adv", "chat"]


@dataclass(frozen=True, slots=True)
class Pos:
    """A place in a source file: 1-based line and column of the original text."""

    file: str
    line: int
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a script or manifest, with a stable code."""

    pos: Pos
    severity: Severity
    code: str
    message: str

    def format(self) -> str:
        """The gcc-style one-line form editors' problem matchers read."""
        return f"{self.pos}: {self.severity}: {self.message} [{self.code}]"


# --- runs: the pieces of a message's text --------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """Plain text, exactly as the reader sees it (entities decoded)."""

    text: str


@dataclass(frozen=True, slots=True)
class Ruby:
    """A ruby unit: one or more (base, reading) pairs set together.

    One pair is mono/group ruby (`<ruby>昴<rt>すばる</rt></ruby>`); several
    pairs are jukugo ruby, which may break between its pairs.
    """

    parts: tuple[tuple[str, str], ...]

    @property
    def base(self) -> str:
        return "".join(b for b, _ in self.parts)

    @property
    def ruby(self) -> str:
        return "".join(r for _, r in self.parts)


@dataclass(frozen=True, slots=True)
class Direction:
    """A stage direction in full-width parentheses, e.g. `（笑う）`, parentheses included."""

    text: str


@dataclass(frozen=True, slots=True)
class Break:
    """A forced line break inside a message (a mid-line `<br>`)."""


BREAK = Break()

Run = Union[Text, Ruby, Direction, Break]


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


@dataclass(frozen=True, slots=True)
class Message:
    """One line of a block: a spoken line (speaker set) or narration (speaker None)."""

    speaker: str | None
    runs: tuple[Run, ...]
    pos: Pos

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


@dataclass(frozen=True, slots=True)
class Scene:
    """One LOG block: its timestamp (None if unreadable) and its messages."""

    title: str
    timestamp: datetime | None
    pos: Pos
    messages: tuple[Message, ...]


@dataclass(frozen=True, slots=True)
class Script:
    """A parsed script file: its scenes in file order and every problem found."""

    file: str
    scenes: tuple[Scene, ...]
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def messages(self) -> tuple[Message, ...]:
        return tuple(m for s in self.scenes for m in s.messages)


# --- the story: scripts plus what story.yaml says about them ----------------


@dataclass(frozen=True, slots=True)
class Character:
    """A speaker as the story presents it."""

    label: str
    name: str
    color: tuple[int, int, int]
    side: Side = "left"
    portraits: Mapping[str, Path] = field(default_factory=dict)  # expression -> image
    expressions: Mapping[str, str] = field(default_factory=dict)  # direction -> expression
    sound: Path | None = None  # played with each of this character's messages

    def expression_for(self, message: Message) -> str:
        """The expression a message shows: the last mapped direction in it, else default."""
        chosen = "default"
        for d in message.directions:
            chosen = self.expressions.get(d, chosen)
        return chosen


@dataclass(frozen=True, slots=True)
class SceneConfig:
    """Per-scene presentation from story.yaml (all optional)."""

    background: Path | None = None
    music: Path | None = None
    view: View | None = None


@dataclass(frozen=True, slots=True)
class LayoutOptions:
    """Line-breaking choices a project may make in story.yaml."""

    strictness: Literal["strict", "normal", "loose"] = "strict"
    phrase_wrapping: bool = False
    hanging_punctuation: bool = True


@dataclass(frozen=True, slots=True)
class SceneRef:
    """A scene in play order: which script it is in and where."""

    index: int  # position in play order, 0-based
    script: int  # index into Story.scripts
    scene: Scene
    config: SceneConfig


@dataclass(frozen=True, slots=True)
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
    layout: LayoutOptions = LayoutOptions()
    manifest: Path | None = None
    diagnostics: tuple[Diagnostic, ...] = ()  # manifest problems; scripts keep their own

    def all_diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.diagnostics + tuple(d for s in self.scripts for d in s.diagnostics)

    def character(self, label: str | None) -> Character | None:
        return None if label is None else self.characters.get(label)
