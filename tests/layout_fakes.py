"""Fake metrics for layout tests: every width is known exactly.

Full-width characters advance `size`, ASCII and half-width forms advance
`size / 2`; a grapheme (emoji with selector, letter with mark) is measured by
its first code point. Ruby is measured at ruby size by the same rule, so a
kana reading advances ruby_size per character.
"""

from __future__ import annotations

import unicodedata
from itertools import pairwise

from engine.layout import Settings
from engine.layout.graphemes import split_graphemes
from engine.model import BREAK, Direction, Ruby, Run, Text


def fake_width(ch: str, size: float) -> float:
    """The advance of one grapheme: half for ASCII and half-width forms."""
    c = ch[0]
    half = ord(c) < 0x80 or unicodedata.east_asian_width(c) == "H"
    return size / 2 if half else size


def fake_measure(text: str, size: float) -> float:
    """A Measure: the sum of `fake_width` over the graphemes of `text`."""
    return sum(fake_width(g, size) for g in split_graphemes(text))


SIZE = 32.0
RUBY = SIZE / 2
DEFAULT = Settings(size=SIZE)


def runs(*pieces: str | tuple[str, str] | tuple[tuple[str, str], ...]) -> tuple[Run, ...]:
    """Build runs from a compact spec.

    A str is Text, except "\\n" (a Break) and strings starting with "（" and
    ending with "）" (a Direction); a (base, reading) pair is mono/group ruby;
    a tuple of pairs is jukugo ruby.
    """
    out: list[Run] = []
    for p in pieces:
        if isinstance(p, str):
            if p == "\n":
                out.append(BREAK)
            elif p.startswith("（") and p.endswith("）"):
                out.append(Direction(p))
            else:
                out.append(Text(p))
        elif isinstance(p[0], str):
            out.append(Ruby((p,)))  # type: ignore[arg-type]
        else:
            out.append(Ruby(tuple(p)))  # type: ignore[arg-type]
    return tuple(out)


def joined_text(lines) -> str:  # type: ignore[no-untyped-def]
    """The lines' text joined: "\\n" after each hard_break line."""
    return "".join(line.text + ("\n" if line.hard_break else "") for line in lines)


# --- invariants every layout must satisfy (used by property and real-font tests) ---

EPS = 1e-6
TOKENISH = frozenset("¥$€£￥＄＃#№%％‰°℃")


def glyph_runs(runs_: tuple[Run, ...]) -> list[tuple[int, int]]:
    """For each glyph index: (run number, ruby part number or -1)."""
    out: list[tuple[int, int]] = []
    for r_no, run in enumerate(runs_):
        if isinstance(run, Ruby):
            for p_no, (base, _) in enumerate(run.parts):
                out.extend((r_no, p_no) for _ in split_graphemes(base))
        elif isinstance(run, (Text, Direction)):
            out.extend((r_no, -1) for _ in split_graphemes(run.text))
    return out


def _tokenish(ch: str) -> bool:
    return (ord(ch[0]) < 0x80 and not ch.isspace()) or ch[0] in TOKENISH or (
        0xFF10 <= ord(ch[0]) <= 0xFF5A)


def boundary_may_be_illegal(prev: str, nxt: str, same_ruby: bool, strictness: str) -> bool:
    """A generous oracle: True when the rules could forbid a break between prev|nxt."""
    from engine.layout import classes

    return (
        same_ruby
        or classes.is_line_start_prohibited(nxt, strictness)  # type: ignore[arg-type]
        or classes.is_line_end_prohibited(prev)
        or (classes.is_inseparable(prev) and classes.is_inseparable(nxt))
        or nxt[0] in " \u3000"
        or (_tokenish(prev) and _tokenish(nxt))
        or prev[0] in classes.NO_BREAK_SPACES
        or nxt[0] in classes.NO_BREAK_SPACES
    )


def check_layout(layout, runs_: tuple[Run, ...], width: float,  # type: ignore[no-untyped-def]
                 atomic: tuple[tuple[int, int], ...] = ()) -> list[str]:
    """Every rule a layout must keep, as a list of violations (empty when all hold).

    `atomic` lists glyph-index ranges [a, b) that no soft break may enter. With
    ruby hidden, ruby bases are plain text and may break like it.
    """
    from engine.model import runs_text

    s = layout.settings
    problems: list[str] = []
    if joined_text(layout.lines) != runs_text(runs_):
        problems.append(f"text {joined_text(layout.lines)!r} != {runs_text(runs_)!r}")
    indexes = [g.index for line in layout.lines for g in line.glyphs]
    if indexes != list(range(layout.chars)):
        problems.append("glyph indexes are not 0..chars-1 in order")
    owners = glyph_runs(runs_)
    for i, line in enumerate(layout.lines):
        if abs(line.y - (s.ruby_band + i * s.line_pitch)) > EPS:
            problems.append(f"line {i}: y {line.y} off the even pitch")
        problems += [f"line {i}: {p}" for p in _check_glyphs(line, width)]
        problems += [f"line {i}: {p}" for p in _check_rubies(line, width, s)]
    problems += _check_breaks(layout, owners if s.show_ruby else None, atomic, s.strictness)
    if s.show_ruby:
        problems += _check_readings(layout, runs_)
    elif any(line.rubies for line in layout.lines):
        problems.append("ruby boxes with show_ruby off")
    return problems


def _check_glyphs(line, width: float) -> list[str]:  # type: ignore[no-untyped-def]
    from engine.layout import classes

    out = []
    gs = line.glyphs
    for a, b in pairwise(gs):
        if a.x + a.w > b.x + EPS:
            out.append(f"glyph {a.ch!r} at {a.x}+{a.w} overlaps {b.ch!r} at {b.x}")
    inked = [g for g in gs if g.w > 0]
    for j, g in enumerate(inked):
        hanging = j == len(inked) - 1 and classes.can_hang(g.ch) and g.x <= width + EPS
        too_wide = len(inked) == 1  # one glyph wider than the line: nothing to do
        if g.x < -EPS or (g.x + g.w > width + EPS and not hanging and not too_wide):
            out.append(f"glyph {g.ch!r} at {g.x}+{g.w} leaves [0, {width}]")
    return out


def _check_rubies(line, width: float, s: Settings) -> list[str]:  # type: ignore[no-untyped-def]
    from engine.layout import classes

    out = []
    for a, b in pairwise(line.rubies):
        if a.x + a.w > b.x + EPS:
            out.append(f"ruby {a.text!r} overlaps ruby {b.text!r}")
    for r in line.rubies:
        if r.x < -EPS or r.x + r.w > width + EPS:
            out.append(f"ruby {r.text!r} at {r.x}+{r.w} leaves [0, {width}]")
        for k, g in enumerate(line.glyphs):
            if r.base_start <= k < r.base_end or g.w == 0:
                continue
            over = min(r.x + r.w, g.x + g.w) - max(r.x, g.x)
            if over <= EPS:
                continue
            blank = (classes.BLANK_RIGHT_HALF if k < r.base_start else classes.BLANK_LEFT_HALF)
            limit = min(s.ruby_size, g.w / 2)
            if not (classes.is_kana(g.ch) or g.ch in blank) or over > limit + EPS:
                out.append(f"ruby {r.text!r} overhangs {g.ch!r} by {over}")
    return out


def _check_breaks(layout, owners, atomic, strictness: str) -> list[str]:  # type: ignore[no-untyped-def]
    from engine.layout import classes

    out = []
    lines = layout.lines
    for i, line in enumerate(lines[:-1]):
        nxt = lines[i + 1]
        if line.hard_break or not line.glyphs or not nxt.glyphs:
            continue
        prev_g, next_g = line.glyphs[-1], nxt.glyphs[0]
        if line.forced:
            out += _check_forced(line.glyphs + (next_g,), owners, strictness, i)
            continue
        if classes.is_line_start_prohibited(next_g.ch, strictness):  # type: ignore[arg-type]
            out.append(f"line {i + 1} starts with {next_g.ch!r}")
        if classes.is_line_end_prohibited(prev_g.ch):
            out.append(f"line {i} ends with {prev_g.ch!r}")
        if next_g.ch in (" ", "\u3000"):
            out.append(f"line {i + 1} starts with a space")
        cut = next_g.index
        if owners and owners[cut - 1] == owners[cut] and owners[cut][1] >= 0:
            out.append(f"line {i}: a ruby unit split at {cut}")
        if any(a < cut < b for a, b in atomic):
            out.append(f"line {i}: an unbreakable sequence split at {cut}")
    return out


def _check_forced(glyphs, owners, strictness: str, i: int) -> list[str]:  # type: ignore[no-untyped-def]
    """A forced line must have had no legal break anywhere in it."""
    out = []
    for a, b in pairwise(glyphs):
        same = bool(owners) and owners[a.index][0] == owners[b.index][0] and owners[a.index][1] >= 0
        if not boundary_may_be_illegal(a.ch, b.ch, same, strictness):
            out.append(f"line {i} forced, but {a.ch!r}|{b.ch!r} was a legal break")
    return out


def _check_readings(layout, runs_: tuple[Run, ...]) -> list[str]:  # type: ignore[no-untyped-def]
    """Each ruby run's readings, in order over all its boxes, give its reading back."""
    got: dict[int, str] = {}
    owners = glyph_runs(runs_)
    for line in layout.lines:
        for r in line.rubies:
            run_no = owners[line.glyphs[r.base_start].index][0]
            got[run_no] = got.get(run_no, "") + r.text
            if len(r.glyph_x) != len(split_graphemes(r.text)):
                return [f"ruby {r.text!r}: glyph_x count"]
    want = {i: run.ruby for i, run in enumerate(runs_)
            if isinstance(run, Ruby) and run.ruby and run.base}
    return [] if got == want else [f"readings {got} != {want}"]
