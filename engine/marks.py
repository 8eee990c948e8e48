"""Read marks in memory: which messages this reader has seen, by content key.

Pure: no files, no pygame. A mark is the 12-byte digest behind
`Message.content_key()` (24 hex digits), so marks survive edits that move
lines; an edited line is new text and reads as unread, which is where skip
should stop.

Storage is sized for stories of a million messages. The bulk of the marks
is one packed `bytes` of sorted 12-byte keys (the *base*: 12 bytes a mark,
looked up by binary search, loaded from disk without parsing a key);
marks made since the base was built sit in small sets beside it. The file
layer (`engine.marksfile`) appends what changed and now and then folds the
sets into a new base; `freeze()` and `rebase()` let it do that on another
thread while the reader goes on marking, each step holding the state only
long enough to swap a reference.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.model import Message

KEY_BYTES = 12  # blake2b digest size of Message.content_key()
KEY_HEX = 2 * KEY_BYTES
BLOCK = 64  # keys per block of the packed base's fence
MARKS_FORMAT = "chatlog-vn-read-marks"  # the JSON form (version 1, before read-marks.bin)
MARKS_VERSION = 1


class Packed:
    """A sorted run of fixed-size keys in one bytes object, as a read-only sequence.

    Beside the bytes it keeps the first key of every block of `BLOCK` keys
    (a "fence", 1/64 of the keys as objects), so a lookup is one C bisect
    on the fence and a `bytes.find` in one 64-key block: no Python-level
    binary search. `fold` finds insertion points the same way.
    """

    __slots__ = ("data", "_n", "_fence")

    def __init__(self, data: bytes = b"") -> None:
        if len(data) % KEY_BYTES:
            raise ValueError("packed keys must be a multiple of 12 bytes")
        self.data = data
        self._n = len(data) // KEY_BYTES
        step = BLOCK * KEY_BYTES
        self._fence = [data[j : j + KEY_BYTES] for j in range(0, len(data), step)]

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: int) -> bytes:  # no slices, no negatives
        j = i * KEY_BYTES
        return self.data[j : j + KEY_BYTES]

    def block(self, b: int) -> list[bytes]:
        """The keys of block `b` as a list."""
        data = self.data
        start = b * BLOCK * KEY_BYTES
        stop = min(start + BLOCK * KEY_BYTES, len(data))
        return [data[j : j + KEY_BYTES] for j in range(start, stop, KEY_BYTES)]

    def __contains__(self, key: object) -> bool:
        # One C bisect on the fence, then bytes.find in the key's block: about
        # half a microsecond, with no Python-level search.
        if not isinstance(key, bytes) or len(key) != KEY_BYTES or not self._n:
            return False
        b = bisect.bisect_right(self._fence, key) - 1
        if b < 0:
            return False
        start = b * BLOCK * KEY_BYTES
        stop = min(start + BLOCK * KEY_BYTES, len(self.data))
        at = self.data.find(key, start, stop)
        while at >= 0 and (at - start) % KEY_BYTES:  # a match across two keys: look on
            at = self.data.find(key, at + 1, stop)
        return at >= 0

    def __iter__(self) -> Iterator[bytes]:
        data = self.data
        return (data[j : j + KEY_BYTES] for j in range(0, len(data), KEY_BYTES))

    def is_sorted(self) -> bool:
        """True if the keys are strictly increasing (a check on data read from disk)."""
        it = iter(self)
        prev = next(it, None)
        for key in it:
            if key <= prev:  # type: ignore[operator]
                return False
            prev = key
        return True


def key_bytes(key: str) -> bytes | None:
    """The 12 bytes of a 24-hex-digit content key; None for anything else."""
    if len(key) != KEY_HEX:
        return None
    try:
        return bytes.fromhex(key)
    except ValueError:
        return None


class ReadMarks:
    """The set of read messages: a packed sorted base plus the marks made since.

    `mark`, `is_read`, `in` and `len` are what the player uses. The state is
    three parts — base (Packed), frozen (a set being folded into a new base
    by the file layer) and loose (marks since) — and no key is in two parts,
    so `len` is their sum. `pending()` hands over the marks not yet on disk.
    """

    def __init__(self, keys: Iterable[str | bytes] = (), base: Packed | None = None) -> None:
        self._base = base if base is not None else Packed()
        self._frozen: set[bytes] = set()
        self._loose: set[bytes] = set()
        self._pending: list[bytes] = []  # marked, not yet handed to the file layer
        self._lock = threading.Lock()
        for key in keys:
            raw = key if isinstance(key, bytes) else key_bytes(key)
            if raw is not None and len(raw) == KEY_BYTES:
                self._add(raw, pending=False)

    # --- what the player asks ----------------------------------------------

    def __len__(self) -> int:
        return len(self._base) + len(self._frozen) + len(self._loose)

    def __contains__(self, key: object) -> bool:
        raw = key_bytes(key) if isinstance(key, str) else key
        return isinstance(raw, bytes) and self._has(raw)

    def mark(self, message: Message) -> bool:
        """Mark a message read; True when it was unread before."""
        return self.add(bytes.fromhex(message.content_key()))

    def add(self, raw: bytes) -> bool:
        """Mark a content key (12 raw bytes) read; True when it was unread before."""
        if len(raw) != KEY_BYTES:
            raise ValueError("a read mark is 12 bytes")
        if self._has(raw):
            return False
        self._add(raw, pending=True)
        return True

    def is_read(self, message: Message) -> bool:
        return self._has(bytes.fromhex(message.content_key()))

    def __iter__(self) -> Iterator[bytes]:
        """Every mark as 12 raw bytes (base in order, then the rest unordered)."""
        yield from self._base
        yield from list(self._frozen)
        yield from list(self._loose)

    @property
    def dirty(self) -> bool:
        """True if some marks are not on disk yet."""
        return bool(self._pending)

    # --- what the file layer uses ------------------------------------------

    def _has(self, raw: bytes) -> bool:
        return raw in self._loose or raw in self._frozen or raw in self._base

    def _add(self, raw: bytes, pending: bool) -> None:
        with self._lock:
            self._loose.add(raw)
            if pending:
                self._pending.append(raw)

    def merge(self, keys: Iterable[bytes]) -> None:
        """Add marks read from a journal on disk (not pending: they are on disk).

        The journal never holds a key of its own base (appends leave those
        out), so only the sets are checked, in C: a journal of 100,000 marks
        merges in milliseconds. Were that broken (a file edited by hand),
        `len` would count a mark twice until the next rebuild, which folds
        duplicates away; `in` is right either way.
        """
        fresh = set(keys)
        with self._lock:
            fresh -= self._frozen
            self._loose |= fresh

    def pending(self) -> list[bytes]:
        """Take the marks made since the last call (they are then the caller's to write)."""
        with self._lock:
            taken, self._pending = self._pending, []
        return taken

    def unpend(self, keys: list[bytes]) -> None:
        """Give back marks that could not be written, so a later save tries again."""
        with self._lock:
            self._pending[:0] = keys

    @property
    def base(self) -> Packed:
        return self._base

    def freeze(self) -> set[bytes]:
        """Set the loose marks aside to be folded into a new base; returns them.

        Marks made from now on go to a fresh loose set; lookups still see the
        frozen ones until `rebase` replaces them with the new base.
        """
        with self._lock:
            if self._frozen:  # an earlier fold did not finish: fold both
                self._frozen |= self._loose
            else:
                self._frozen = self._loose
            self._loose = set()
            return self._frozen

    def rebase(self, base: Packed) -> None:
        """Replace base and frozen marks with `base`, which must hold all of them."""
        with self._lock:
            self._base = base
            self._frozen = set()

    def replace(self, base: Packed, loose: set[bytes]) -> None:
        """Take a whole new state (the file was rebuilt by another player); pending kept."""
        with self._lock:
            self._base = base
            self._frozen = set()
            self._loose = loose

    # --- the old JSON form ---------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The version-1 JSON form (keys sorted): for export and tests, not for saving."""
        keys = sorted(k.hex() for k in self)
        return {"format": MARKS_FORMAT, "version": MARKS_VERSION, "keys": keys}

    @classmethod
    def from_json(cls, data: object) -> ReadMarks:
        """Read marks back from the version-1 JSON form; ValueError on anything else."""
        return cls(keys_from_json(data))


def keys_from_json(data: object) -> list[bytes]:
    """The marks of a version-1 read-marks.json; ValueError if it is not one.

    Keys that are strings but not content keys (written by hand, say) are
    skipped: they could never match a message.
    """
    if not isinstance(data, dict) or data.get("format") != MARKS_FORMAT:
        raise ValueError("not a chatlog-vn read-marks file")
    if data.get("version") != MARKS_VERSION:
        raise ValueError(f"unsupported read-marks version {data.get('version')!r}")
    keys = data.get("keys")
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ValueError("read-marks 'keys' must be a list of strings")
    out = []
    for key in keys:
        raw = key_bytes(key)
        if raw is not None:
            out.append(raw)
    return out


def fold(base: Packed, new: Iterable[bytes]) -> Iterator[bytes | memoryview]:
    """The pieces of `base` with the keys of `new` added, in order, without duplicates.

    Yields memoryview slices of the base between the new keys, so a new base
    of a million keys is written without building a million objects (and
    without one long hold of the interpreter: each step is short).
    """
    view = memoryview(base.data)
    at = 0  # next base index not yet yielded
    n = len(base)
    fence = base._fence
    cached, keys = -1, []
    for done, key in enumerate(sorted_unique(new)):
        if done % YIELD_EVERY == 0:
            time.sleep(0)  # let the main loop have the interpreter (see YIELD_EVERY)
        b = bisect.bisect_right(fence, key) - 1
        if b < 0:
            i, there = 0, False
        else:
            if b != cached:
                cached, keys = b, base.block(b)
            j = bisect.bisect_left(keys, key)
            i, there = b * BLOCK + j, j < len(keys) and keys[j] == key
        if there:
            continue
        if i > at:
            yield view[at * KEY_BYTES : i * KEY_BYTES]
            at = i
        yield key
    if at < n:
        yield view[at * KEY_BYTES :]


CHUNK = 2048  # keys sorted at a time: each sort is a short hold
# A rebuild runs on the writer thread while the reader reads. The switch
# interval alone lets the main loop wait up to that long for the interpreter
# each time, and on a busy machine longer; the rebuild instead hands it over
# itself (time.sleep(0) releases it) every this many keys, well under 1 ms.
YIELD_EVERY = 128


def sorted_unique(keys: Iterable[bytes]) -> Iterator[bytes]:
    """The keys in order, once each, sorted in chunks merged lazily (no long sort)."""
    import heapq

    chunks: list[list[bytes]] = []
    chunk: list[bytes] = []
    for key in keys:
        chunk.append(key)
        if len(chunk) >= CHUNK:
            chunk.sort()
            chunks.append(chunk)
            chunk = []
            time.sleep(0)
    if chunk:
        chunk.sort()
        chunks.append(chunk)
    prev = None
    for key in heapq.merge(*chunks):
        if key != prev:
            yield key
            prev = key
