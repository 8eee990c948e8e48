"""Saves and read marks on disk: JSON files written atomically.

No pygame. A save slot is a JSON file (plus an optional PNG thumbnail beside
it). Reading never raises: an empty slot is None, anything unreadable,
foreign or from a newer version is `Damaged` with a reason, so a bad file
shows as damaged in its slot and the game goes on.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from engine.diskio import (
    atomic_write,
    folder_problem,
    keep_aside,
    sweep_temp_files,
    unreadable_reason,
)
from engine.marks import ReadMarks
from engine.marksfile import MarksFile
from engine.model import record, set_field
from engine.runtime import SavedPosition

if TYPE_CHECKING:
    import logging


def _log() -> logging.Logger:
    """The logger, importing `logging` only when there is something to say (start-up)."""
    import logging

    return logging.getLogger("chatlog-vn")


APP_NAME = "chatlog-vn"
SAVE_FORMAT = "chatlog-vn-save"
SAVE_VERSION = 1
SLOT_COUNT = 48  # six pages of eight (or eight pages of six)
MAX_FILE_BYTES = 1 << 20  # a save is a few hundred bytes; refuse anything huge
TEXT_LIMIT = 80  # characters of the message kept for the slot's caption
MARKS_FILE = "read-marks.bin"  # engine.marksfile; read-marks.json was the first form

Slot = int | Literal["quick", "auto"]
SPECIAL_SLOTS: tuple[Slot, ...] = ("quick", "auto")


def save_dir(story_id: str, override: Path | None = None) -> Path:
    """Where a story's saves live: `override` as given, else the user data folder.

    Not created here; writes create it on demand.
    """
    if override is not None:
        return Path(override)
    import platformdirs  # only needed when no folder is given

    safe = re.sub(r"[^\w.-]", "_", story_id).strip(".") or "story"
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "saves" / safe


def write_json(path: Path, obj: Any) -> None:
    """Write JSON atomically, UTF-8, readable by people (Japanese kept as is)."""
    text = json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    atomic_write(path, text.encode("utf-8"))


def read_json(path: Path) -> Any:
    """Parse a JSON file; OSError or ValueError (incl. bad UTF-8, too large) on failure."""
    with open(path, "rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError("file is too large")
    try:
        return json.loads(raw.decode("utf-8"))
    except RecursionError:  # absurdly deep nesting: not something we wrote
        raise ValueError("the file is nested too deeply") from None


# --- save data ------------------------------------------------------------------


@record
class SaveData:
    """One save: where the reader stood and what the slot shows about it."""

    story_id: str
    story_title: str
    position: SavedPosition
    scene_title: str
    text: str  # the message's text, truncated for the slot caption
    view: Literal["adv", "chat"] = "adv"
    read_count: int | None = None
    created: str = ""  # ISO 8601 with offset; filled in by `new`
    version: int = SAVE_VERSION

    def __init__(
        self,
        story_id: str,
        story_title: str,
        position: SavedPosition,
        scene_title: str,
        text: str,
        view: Literal["adv", "chat"] = "adv",
        read_count: int | None = None,
        created: str = "",
        version: int = SAVE_VERSION,
    ) -> None:
        set_field(self, "story_id", story_id)
        set_field(self, "story_title", story_title)
        set_field(self, "position", position)
        set_field(self, "scene_title", scene_title)
        set_field(self, "text", text)
        set_field(self, "view", view)
        set_field(self, "read_count", read_count)
        set_field(self, "created", created)
        set_field(self, "version", version)

    @classmethod
    def new(cls, **fields: Any) -> SaveData:
        """A save stamped with the current local time and a truncated caption."""
        text = str(fields.pop("text", ""))
        if len(text) > TEXT_LIMIT:
            text = text[: TEXT_LIMIT - 1] + "…"
        created = datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")
        return cls(text=text, created=fields.pop("created", created), **fields)

    @property
    def created_at(self) -> datetime:
        return datetime.fromisoformat(self.created)

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body.pop("version")
        return {"format": SAVE_FORMAT, "version": self.version, **body}


@record
class Damaged:
    """A slot whose file exists but cannot be used, and why."""

    reason: str

    def __init__(self, reason: str) -> None:
        set_field(self, "reason", reason)


_TOP_FIELDS: dict[str, type | tuple[type, ...]] = {
    "story_id": str,
    "story_title": str,
    "scene_title": str,
    "text": str,
    "view": str,
    "created": str,
    "position": dict,
}
_POSITION_FIELDS: dict[str, type] = {
    "script_file": str,
    "scene": int,
    "message": int,
    "key": str,
    "flat": int,
}


def parse_save(obj: object) -> SaveData | Damaged:
    """Validate a decoded save file; every problem becomes a `Damaged` reason."""
    if not isinstance(obj, dict) or obj.get("format") != SAVE_FORMAT:
        return Damaged("not a chatlog-vn save")
    version = obj.get("version")
    if not _is_int(version) or version < 1:
        return Damaged("the save has no valid format version")
    if version > SAVE_VERSION:
        return Damaged(f"made by a newer chatlog-vn (save format {version})")
    problem = _check_fields(obj, _TOP_FIELDS) or _check_fields(obj["position"], _POSITION_FIELDS)
    if problem:
        return Damaged(problem)
    if obj["view"] not in ("adv", "chat"):
        return Damaged(f"unknown view {obj['view']!r}")
    read_count = obj.get("read_count")
    if read_count is not None and not _is_int(read_count):
        return Damaged("'read_count' must be a number")
    try:
        datetime.fromisoformat(obj["created"])
    except ValueError:
        return Damaged("'created' is not a date")
    # Only known keys: a later version may add fields this one ignores.
    fields = {k: obj[k] for k in _TOP_FIELDS if k != "position"}
    position = _position(obj["position"], obj["text"])
    return SaveData(position=position, read_count=read_count, version=version, **fields)


def _position(raw: dict[str, Any], caption: str) -> SavedPosition:
    """The saved position; `text`/`speaker` are optional (saves before they were recorded).

    Without a recorded text the slot's caption stands in for it (cut at
    TEXT_LIMIT with an ellipsis, which is dropped), so an older save can
    still find its line after an edit; its speaker is then unknown (None).
    """
    text = raw.get("text")
    if not isinstance(text, str):
        text = caption[:-1] if len(caption) >= TEXT_LIMIT and caption.endswith("…") else caption
    speaker = raw.get("speaker")
    if not isinstance(speaker, str):
        speaker = None
    return SavedPosition(**{k: raw[k] for k in _POSITION_FIELDS}, text=text, speaker=speaker)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_fields(obj: dict[str, Any], spec: dict[str, Any]) -> str | None:
    for name, kind in spec.items():
        if name not in obj:
            return f"missing field {name!r}"
        value = obj[name]
        ok = _is_int(value) if kind is int else isinstance(value, kind)
        if not ok:
            return f"field {name!r} has the wrong type"
    return None


# --- the slots --------------------------------------------------------------------


class SavingOff(OSError):
    """Saving is off: the save folder cannot be used (the message says why)."""


class SaveStore:
    """The save slots of one story in one folder: 1..slot_count, "quick" and "auto"."""

    def __init__(
        self, folder: Path, slot_count: int = SLOT_COUNT, problem: str | None = None
    ) -> None:
        self.folder = Path(folder)
        self.slot_count = slot_count
        self.problem = problem  # why saves cannot be kept here (saving is off), or None
        self._marks_file: MarksFile | None = None

    @classmethod
    def open(cls, folder: Path, slot_count: int = SLOT_COUNT) -> SaveStore:
        """The store as the player opens it: the folder checked, old temp files swept.

        A folder that cannot be used gives a store with `problem` set: it
        reads what it can and writes nothing, and nothing in it is renamed.
        """
        problem = folder_problem(Path(folder))
        if problem is None:
            sweep_temp_files(Path(folder))
        return cls(folder, slot_count, problem)

    @property
    def marks_file(self) -> MarksFile:
        """The folder's read-marks file (engine.marksfile), made on first use."""
        if self._marks_file is None:
            self._marks_file = MarksFile(self.folder, problem=self.problem)
        return self._marks_file

    def _check(self, slot: Slot) -> None:
        if slot in SPECIAL_SLOTS:
            return
        if not _is_int(slot) or not 1 <= int(slot) <= self.slot_count:
            raise ValueError(f"no save slot {slot!r}")

    def slot_path(self, slot: Slot) -> Path:
        """The JSON file of a slot."""
        self._check(slot)
        name = slot if isinstance(slot, str) else f"slot-{slot:03d}"
        return self.folder / f"{name}.json"

    def thumbnail_path(self, slot: Slot) -> Path | None:
        """The slot's PNG thumbnail, if it has one."""
        path = self.slot_path(slot).with_suffix(".png")
        return path if path.is_file() else None

    def write(self, slot: Slot, data: SaveData, thumbnail_png: bytes | None = None) -> None:
        """Write a save; the thumbnail goes first so a finished JSON always has its picture.

        OSError if the disk refuses or saving is off (`problem`).
        """
        path = self.slot_path(slot)
        if self.problem is not None:
            raise SavingOff(self.problem)
        self._keep_if_damaged(slot, path)
        png = path.with_suffix(".png")
        if thumbnail_png is not None:
            atomic_write(png, thumbnail_png)
        else:
            with contextlib.suppress(FileNotFoundError):
                png.unlink()
        write_json(path, data.to_json())

    def _keep_if_damaged(self, slot: Slot, path: Path) -> None:
        """A damaged save about to be replaced is kept aside first, and said."""
        if not path.is_file() or not isinstance(self.read(slot), Damaged):
            return
        kept = keep_aside(path)
        if kept is not None:
            _log().warning("%s was damaged; kept as %s before saving over it", path, kept.name)

    def read(self, slot: Slot) -> SaveData | Damaged | None:
        """The save in a slot: None when empty, Damaged when unusable. Never raises."""
        path = self.slot_path(slot)
        try:
            obj = read_json(path)
        except (FileNotFoundError, NotADirectoryError):  # no such slot (or no such folder)
            return None
        except OSError as exc:
            if self.problem is not None:  # the folder is unusable, not the save: said once
                return None
            return Damaged(unreadable_reason(exc))
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError too
            return Damaged(unreadable_reason(exc))
        return parse_save(obj)

    def delete(self, slot: Slot) -> None:
        """Empty a slot (JSON and thumbnail); an empty slot stays empty."""
        path = self.slot_path(slot)
        if self.problem is not None:
            raise SavingOff(self.problem)
        for p in (path, path.with_suffix(".png")):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()

    def pages(self, per_page: int = 8) -> int:
        """How many pages the numbered slots fill."""
        return -(-self.slot_count // per_page)

    def list(self, page: int, per_page: int = 8) -> list[tuple[int, SaveData | Damaged | None]]:
        """The numbered slots on a page (0-based) with what each holds."""
        first = max(page * per_page + 1, 1)
        last = min(page * per_page + per_page, self.slot_count)
        return [(slot, self.read(slot)) for slot in range(first, last + 1)]

    def all_slots(self) -> list[Slot]:
        return [*SPECIAL_SLOTS, *range(1, self.slot_count + 1)]

    def latest(self) -> tuple[Slot, SaveData] | None:
        """The newest readable save in any slot (for Continue), or None."""
        best: tuple[datetime, Slot, SaveData] | None = None
        for slot in self.all_slots():
            if not self.slot_path(slot).exists():
                continue
            data = self.read(slot)
            if not isinstance(data, SaveData):
                continue
            when = _aware(data.created_at)
            if best is None or when > best[0]:
                best = (when, slot, data)
        return None if best is None else (best[1], best[2])


def _aware(when: datetime) -> datetime:
    # Saves written by hand may lack an offset; read them as local time.
    if when.tzinfo is not None:
        return when
    try:
        return when.astimezone()
    except (OverflowError, OSError, ValueError):  # dates the platform's clock cannot place
        return when.replace(tzinfo=timezone.utc)


# --- read marks -----------------------------------------------------------------


def load_marks(folder: Path) -> ReadMarks:
    """The read marks saved in a folder; missing → none, damaged → none, kept aside, a warning.

    The player keeps a `MarksFile` for the session instead (saving then
    appends only what changed); this is for tools and tests.
    """
    return MarksFile(folder).load()


def save_marks(folder: Path, marks: ReadMarks) -> None:
    """Write the marks made since they were loaded; OSError if the disk refuses."""
    MarksFile(folder).save(marks)

