"""Fonts: which font draws each character, how wide text is, and glyph images.

A `FontSet` is a primary font plus fallbacks. Every character is drawn by the
first font that has it; a character no font has is drawn as an outlined box
(tofu) with a sensible advance, so a script can never crash the player.
`FontSet.measure` is the `Measure` the pure layout core is given.
"""

from __future__ import annotations

import re
import struct
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pygame
import pygame.freetype

from engine.model import record, set_field

if TYPE_CHECKING:
    import logging


def _log() -> logging.Logger:
    """The logger, importing `logging` only when there is something to say (start-up)."""
    import logging

    return logging.getLogger("chatlog-vn")


Color = tuple[int, int, int] | tuple[int, int, int, int]

# Loaded fonts by resolved path, shared by every FontSet: a CJK font is large
# and pygame.freetype.Font is size-independent, so one object per file is enough.
_LOADED: dict[Path, pygame.freetype.Font] = {}

# Caps on the per-FontSet memo tables; the sets of (text, size) pairs a story
# uses are small, so a cap only guards against pathological input.
_MEMO_LIMIT = 1 << 16

_ZWJ = "\u200d"
_AFTER_ZWJ = re.compile("\u200d.?", re.DOTALL)


def default_font_path() -> Path:
    """The bundled Noto Sans CJK JP Regular font file."""
    import noto_cjk_sans_jp_regular as noto

    return Path(str(noto.FONT_PATH))


def _is_invisible(ch: str) -> bool:
    """Variation selectors and the joiner shape their neighbour; they draw nothing alone."""
    cp = ord(ch)
    return ch == _ZWJ or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def drawn_chars(text: str) -> Iterator[str]:
    """The code points of `text` that are drawn, in order.

    pygame.freetype draws code points one by one (no shaping), so an emoji
    sequence is reduced to its first emoji: selectors and the joiner are
    dropped, and so is the code point a joiner glues on.
    """
    skip_next = False
    for ch in text:
        if skip_next:
            skip_next = False
            continue
        if ch == _ZWJ:
            skip_next = True
            continue
        if not _is_invisible(ch):
            yield ch


def _load(path: Path) -> pygame.freetype.Font:
    """Open (once) a font file; OSError, pygame.error or ValueError if it cannot be."""
    key = path.resolve()
    font = _LOADED.get(key)
    if font is None:
        if not key.is_file():
            raise FileNotFoundError(f"no such font file: {path}")
        font = pygame.freetype.Font(str(key))
        font.pad = False
        _LOADED[key] = font
    return font


def _start_freetype() -> None:
    """Initialise freetype, dropping the cached fonts if they belong to an earlier start.

    pygame.quit() (or freetype.quit()) kills every Font object loaded before
    it; using one then fails with "Invalid freetype font". A FontSet made
    afterwards must load its files again. pygame.init() after a quit starts
    freetype again too, so an initialised freetype does not prove the cache
    is alive: one cached font is asked as well.
    """
    if not pygame.freetype.get_init():
        _LOADED.clear()
        pygame.freetype.init()
    elif _LOADED and not _alive(next(iter(_LOADED.values()))):
        _LOADED.clear()


def _alive(font: pygame.freetype.Font) -> bool:
    try:
        font.path  # noqa: B018 -- any attribute access raises once freetype has quit
    except pygame.error:
        return False
    return True


_CANNOT_LOAD = (OSError, pygame.error, ValueError)  # ValueError: FreeType on a 0-byte file


def _why(path: Path, exc: Exception) -> str:
    """Why a font file could not be opened, in plain words where the bytes say it."""
    from engine.assetfiles import font_problem

    return font_problem(path) or str(exc)


@record
class GlyphImage:
    """A rendered character: blit `surface` at (pen_x + dx, baseline - dy)."""

    surface: pygame.Surface
    dx: int
    dy: int

    def __init__(self, surface: pygame.Surface, dx: int, dy: int) -> None:
        set_field(self, "surface", surface)
        set_field(self, "dx", dx)
        set_field(self, "dy", dy)


class FontSet:
    """A primary font with fallbacks, measuring and drawing single characters."""

    def __init__(self, path: Path | str | None = None, fallbacks: Sequence[Path | str] = ()) -> None:
        """Load `path` (default: Noto Sans CJK JP) and the fallbacks.

        A missing or broken primary font is a warning and the default font is
        used; a broken fallback is a warning and is skipped.
        """
        _start_freetype()
        # Each problem once, as one plain line (the "chatlog-vn" logger prints it):
        # not also as a Python warning with a source location, which says it again.
        self.warnings: list[str] = []
        self.primary = self._primary(path)
        self.fallbacks: tuple[pygame.freetype.Font, ...] = tuple(
            f for f in (self._fallback(Path(p)) for p in fallbacks) if f is not None
        )
        self._fonts = (self.primary, *self.fallbacks)
        self._font_for: dict[str, pygame.freetype.Font | None] = {}
        self._advance: dict[tuple[str, float], float] = {}
        self._measure: dict[tuple[str, float], float] = {}
        self.ascent_ratio = em_ascent(self.primary)

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        _log().warning(message)

    def _primary(self, path: Path | str | None) -> pygame.freetype.Font:
        if path is not None:
            try:
                return _load(Path(path))
            except _CANNOT_LOAD as exc:
                self._warn(f"cannot use font {path} ({_why(Path(path), exc)}); "
                           "using the default font")
        return _load(default_font_path())

    def _fallback(self, path: Path) -> pygame.freetype.Font | None:
        try:
            return _load(path)
        except _CANNOT_LOAD as exc:
            self._warn(f"cannot use fallback font {path} ({_why(path, exc)}); skipping it")
            return None

    # --- which font draws what ------------------------------------------

    def font_for(self, ch: str) -> pygame.freetype.Font | None:
        """The first font that has a glyph for the code point `ch`, or None."""
        try:
            return self._font_for[ch]
        except KeyError:
            pass
        found = next((f for f in self._fonts if f.get_metrics(ch, size=16)[0] is not None), None)
        self._font_for[ch] = found
        return found

    def has_glyph(self, ch: str) -> bool:
        """Whether some font draws `ch` (a code point or a grapheme such as an emoji sequence)."""
        return all(self.font_for(c) is not None for c in drawn_chars(ch))

    def missing_chars(self, text: str) -> set[str]:
        """The drawn characters of `text` that no font has (shown as boxes)."""
        # The set of drawn_chars(text), found at C speed: a joiner hides itself and
        # the code point after it, scanning left to right, as drawn_chars does.
        kept = _AFTER_ZWJ.sub("", text) if _ZWJ in text else text
        return {c for c in set(kept)
                if not _is_invisible(c) and not c.isspace() and self.font_for(c) is None}

    # --- metrics -----------------------------------------------------------

    def measure(self, text: str, size: float) -> float:
        """The advance width of `text` at `size` px: the layout core's Measure."""
        key = (text, size)
        width = self._measure.get(key)
        if width is None:
            width = sum(self._char_advance(c, size) for c in drawn_chars(text))
            if len(self._measure) >= _MEMO_LIMIT:
                self._measure.clear()
            self._measure[key] = width
        return width

    def _char_advance(self, ch: str, size: float) -> float:
        key = (ch, size)
        adv = self._advance.get(key)
        if adv is None:
            font = self.font_for(ch)
            if font is None:
                adv = placeholder_advance(ch, size)
            else:
                adv = float(font.get_metrics(ch, size=size)[0][4])
            self._advance[key] = adv
        return adv

    def ascent(self, size: float) -> float:
        """Distance from the top of a line's em box to its baseline at `size` px."""
        return self.ascent_ratio * size

    # --- drawing -------------------------------------------------------------

    def render_glyph(self, ch: str, size: float, color: Color) -> GlyphImage:
        """An image of one glyph (a grapheme), missing characters as an outlined box."""
        parts = [(c, self.font_for(c)) for c in drawn_chars(ch) if not c.isspace()]
        if len(parts) == 1:
            return self._render_one(parts[0][0], parts[0][1], size, color)
        return self._compose(parts, size, color)

    def _render_one(
        self, ch: str, font: pygame.freetype.Font | None, size: float, color: Color
    ) -> GlyphImage:
        if font is None:
            return self._placeholder(ch, size, color)
        surface, rect = font.render(ch, color, size=size)
        if surface.get_width() == 0 or surface.get_height() == 0:
            return _empty_glyph()
        return GlyphImage(surface.convert_alpha() if _has_display() else surface, rect.x, rect.y)

    def _compose(
        self, parts: list[tuple[str, pygame.freetype.Font | None]], size: float, color: Color
    ) -> GlyphImage:
        """Several drawn code points side by side (a base with combining marks, say)."""
        images, pen, placed = [], 0.0, []
        base_pen, base_adv = 0.0, 0.0
        for c, font in parts:
            img = self._render_one(c, font, size, color)
            images.append(img)
            if unicodedata.category(c).startswith("M"):
                # No shaping engine places the mark, so centre its ink over its base.
                centred = base_pen + (base_adv - img.surface.get_width()) / 2 - img.dx
                placed.append((img, centred))
                continue
            base_pen, base_adv = pen, self._char_advance(c, size)
            placed.append((img, pen))
            pen += base_adv
        if not images:
            return _empty_glyph()
        left = min(round(p) + i.dx for i, p in placed)
        top = max(i.dy for i in images)
        right = max(round(p) + i.dx + i.surface.get_width() for i, p in placed)
        bottom = max(i.surface.get_height() - i.dy for i in images)
        surface = pygame.Surface((max(1, right - left), max(1, top + bottom)), pygame.SRCALPHA)
        for img, p in placed:
            surface.blit(img.surface, (round(p) + img.dx - left, top - img.dy))
        return GlyphImage(surface, left, top)

    def _placeholder(self, ch: str, size: float, color: Color) -> GlyphImage:
        """Tofu: an outlined box filling the character's advance, standing on the baseline."""
        advance = placeholder_advance(ch, size)
        inset = max(1, round(size * 0.08))
        w = max(3, round(advance) - 2 * inset)
        h = max(3, round(self.ascent(size) * 0.9))
        surface = pygame.Surface((w, h), pygame.SRCALPHA)
        pygame.draw.rect(surface, color, surface.get_rect(), width=max(1, round(size / 16)))
        return GlyphImage(surface, inset, h)


def em_ascent(font: pygame.freetype.Font) -> float:
    """How far (in em) the baseline sits below the top of the font's em box.

    The OS/2 typographic ascender and descender say where the design's em box
    is (880/-120 in CJK fonts, so that ruby set on the box above touches the
    box, not the ink). pygame does not expose them, so they are read from the
    file; failing that, the hhea ascender and descender scaled to one em.
    """
    typo = _typo_metrics(Path(font.path))
    if typo is not None:
        asc, desc = typo
    else:
        asc, desc = font.get_sized_ascender(1000), font.get_sized_descender(1000)
    return asc / (asc - desc) if asc > 0 and asc - desc > 0 else 0.8


def _typo_metrics(path: Path) -> tuple[int, int] | None:
    """sTypoAscender and sTypoDescender from an sfnt file's OS/2 table (first font of a .ttc)."""
    try:
        with path.open("rb") as f:
            header = f.read(12)
            if header[:4] == b"ttcf":  # a collection: the first font's offset follows
                f.seek(struct.unpack(">I", f.read(4))[0])
                header = f.read(12)
            (tables,) = struct.unpack(">H", header[4:6])
            directory = f.read(16 * tables)
            for i in range(0, len(directory), 16):
                tag, _, offset, length = struct.unpack(">4sIII", directory[i:i + 16])
                if tag == b"OS/2" and length >= 72:
                    f.seek(offset + 68)
                    asc, desc = struct.unpack(">hh", f.read(4))
                    return asc, desc
    except (OSError, struct.error):
        return None
    return None


def placeholder_advance(ch: str, size: float) -> float:
    """The advance given to a character no font has: one em if wide, else half."""
    wide = unicodedata.east_asian_width(ch) in ("W", "F", "A") or ord(ch) > 0xFFFF
    return size if wide else size / 2


def _empty_glyph() -> GlyphImage:
    return GlyphImage(pygame.Surface((0, 0), pygame.SRCALPHA), 0, 0)


def _has_display() -> bool:
    """convert_alpha needs a display surface; offscreen use keeps pygame's own format."""
    return pygame.display.get_init() and pygame.display.get_surface() is not None
