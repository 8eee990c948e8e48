"""Where a message's glyphs and words are on screen: hit tests for the popup dictionary.

Pure (no pygame): a `TextSpot` is a page of laid-out lines (engine.layout)
drawn at an origin, as the renderer draws it (the page's top edge is the
first line's ruby band). A glyph's box is its advance box on its line, the
base text's height; a point hits a glyph when it lies in that box widened
up through the ruby band (clicking a reading picks its base) and down to
half the leading. A word's boxes are its glyphs' boxes, found through the
glyph indexes `engine.learn.words.Word` carries, which are the layout's.
"""

from __future__ import annotations

from engine.layout.boxes import Line, Settings
from engine.learn.words import MessageWords
from engine.model import Message, record, set_field

Box = tuple[float, float, float, float]  # x, y, width, height


@record
class TextSpot:
    """A message's page of lines on screen: what the popup dictionary can point into."""

    message: Message  # the message as written (its words are looked up)
    lines: tuple[Line, ...]
    settings: Settings
    origin: tuple[float, float]  # where the page's top-left (the first ruby band) is drawn
    clip: Box | None = None  # only glyphs inside this box are on screen (a scrolled list)

    def __init__(self, message: Message, lines: tuple[Line, ...], settings: Settings,
                 origin: tuple[float, float], clip: Box | None = None) -> None:
        set_field(self, "message", message)
        set_field(self, "lines", lines)
        set_field(self, "settings", settings)
        set_field(self, "origin", origin)
        set_field(self, "clip", clip)


def glyph_boxes(spot: TextSpot) -> dict[int, Box]:
    """Each glyph index on the page -> its box (x, y, w, h) in screen coordinates."""
    out: dict[int, Box] = {}
    if not spot.lines:
        return out
    s = spot.settings
    ox, oy = spot.origin
    top = spot.lines[0].y - s.ruby_band
    for line in spot.lines:
        y = oy + line.y - top
        for g in line.glyphs:
            box = (ox + g.x, y, g.w, s.size)
            if spot.clip is None or _overlaps(box, spot.clip):
                out[g.index] = box
    return out


def glyph_at(spot: TextSpot, pos: tuple[float, float]) -> int | None:
    """The glyph index under `pos`, or None (see the module docstring for the hit box)."""
    px, py = pos
    if spot.clip is not None and not _inside(pos, spot.clip):
        return None
    s = spot.settings
    below = s.size * s.line_gap / 2
    for index, (x, y, w, h) in glyph_boxes(spot).items():
        if x <= px < x + w and y - s.ruby_band <= py < y + h + below:
            return index
    return None


def word_at(spot: TextSpot, words: MessageWords, pos: tuple[float, float]) -> int | None:
    """The index in `words.words` of the word under `pos`, or None."""
    glyph = glyph_at(spot, pos)
    return None if glyph is None else words.index_at_glyph(glyph)


def word_boxes(spot: TextSpot, words: MessageWords, index: int) -> list[Box]:
    """The boxes of word `index`'s glyphs that are on this page, in reading order."""
    w = words.words[index]
    boxes = glyph_boxes(spot)
    return [boxes[g] for g in range(w.glyph_start, w.glyph_end) if g in boxes]


def union(boxes: list[Box], above: float = 0.0) -> Box | None:
    """The smallest box holding `boxes`, grown by `above` at the top (the ruby band)."""
    if not boxes:
        return None
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes) - above
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


def words_on_page(spot: TextSpot, words: MessageWords) -> list[int]:
    """The indexes of the words with at least one glyph on the page, in order."""
    shown = glyph_boxes(spot)
    return [i for i, w in enumerate(words.words)
            if any(g in shown for g in range(w.glyph_start, w.glyph_end))]


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _inside(p: tuple[float, float], b: Box) -> bool:
    return b[0] <= p[0] < b[0] + b[2] and b[1] <= p[1] < b[1] + b[3]
