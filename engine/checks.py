"""Deep story checks: problems only visible across a whole story.

The parser checks each line and the manifest loader checks story.yaml
against the scripts; these checks look at the story as a whole, and at what
the player will draw. `chatlog-vn check` runs them after the others.

| code   | severity | what                                                              |
|--------|----------|-------------------------------------------------------------------|
| CHK001 | warning  | a rarely used speaker label close to a common one ("did you mean") |
| CHK002 | warning  | a ruby base read two ways: at the rarer reading, listing the rest  |
| CHK003 | warning  | characters no font of the story can draw (shown as boxes)          |
| CHK004 | warning  | a message longer than N pages of the default text box              |
| CHK005 | warning  | a ruby reading much wider than the text box: squeezed to fit a line |

Left to the others, so nothing is reported twice: dialogue-looking text
outside any block (parser, LOG005), a label used once beside a frequent one
in the same file (parser, LOG040), speakers missing from story.yaml and
missing assets (manifest, YML0xx).

Pure: no pygame. The font is passed in (anything with `missing_chars` and
`measure`, such as `engine.render.FontSet`); without one, CHK003 is skipped
and CHK004 measures with an estimate (one em for wide characters, half an
em for the rest).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from engine.layout import Measure, Settings, layout_message, paginate
from engine.layout.paging import count_lines, lines_upper_bound
from engine.logformat.labels import distance
from engine.model import Diagnostic, Message, Pos, Ruby, Story

DEFAULT_MAX_PAGES = 3
PAGES_COUNTED = 100  # CHK004 counts a message's pages up to this many
SQUEEZE_WARNED = 1.25  # CHK005: a reading this many times the box's width (squeezed to 80%)
_PLACES_SHOWN = 4  # per reading, in a CHK002 message


class FontLike(Protocol):
    """What the checks need from a font set (engine.render.FontSet fits)."""

    def missing_chars(self, text: str) -> set[str]:
        """The characters of `text` no font draws; decided per character (a subset of `text`)."""
        ...

    def measure(self, text: str, size: float) -> float: ...


@dataclass(frozen=True, slots=True)
class TextBox:
    """A text box: text width in px, lines per page, text size in px.

    The defaults are the player's reading frame at its 1280×720 canvas with
    default settings (engine/app/frame.py: 1280 - 2×60 - 2×44 px of text
    width, three lines, text size 30 px).
    """

    width: float = 1072.0
    lines: int = 3
    size: float = 30.0


def deep_checks(
    story: Story,
    fontset: FontLike | None = None,
    box: TextBox | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> tuple[Diagnostic, ...]:
    """Every CHK diagnostic of a story, in a stable order (by check, then play order)."""
    messages = [m for ref in story.scenes for m in ref.scene.messages]
    found: list[Diagnostic] = []
    found += check_speaker_typos(story, messages)
    found += check_ruby_readings(story, messages)
    if fontset is not None:
        found += check_missing_glyphs(story, messages, fontset)
    found += check_long_messages(story, messages, fontset, box or TextBox(), max_pages)
    found += check_long_readings(story, messages, fontset, box or TextBox())
    return tuple(found)


# --- CHK001: speaker typos ---------------------------------------------------


def check_speaker_typos(story: Story, messages: list[Message]) -> list[Diagnostic]:
    """A label used rarely that is one slip away from a label used often (or declared)."""
    uses: dict[str, list[Pos]] = defaultdict(list)
    for m in messages:
        if m.speaker is not None:
            uses[m.speaker].append(m.pos)
    declared = story.declared
    already = _reported_places(story, ("LOG040", "YML012"))
    out = []
    for label, places in uses.items():
        if label in declared or places[0] in already:
            continue
        target = _likely_intended(label, len(places), uses, declared)
        if target is None:
            continue
        used = f"{len(uses[target])} times" if target in uses else "declared in story.yaml"
        for pos in places:
            if pos in already:
                continue
            out.append(Diagnostic(pos, "warning", "CHK001",
                                  f"speaker '{label}' (used {_times(len(places))}) looks like "
                                  f"'{target}' ({used}); did you mean '{target}'?"))
    return out


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _likely_intended(label: str, count: int, uses: dict[str, list[Pos]],
                     declared: set[str]) -> str | None:
    """The label `label` was probably meant to be, or None."""
    best: tuple[int, int, str] | None = None
    for other in set(uses) | declared:
        if other == label:
            continue
        others = len(uses.get(other, ()))
        if other not in declared and others < max(3, 3 * count):
            continue  # not clearly the common spelling
        dist = label_distance(label, other)
        if dist is None:
            continue
        rank = (dist, -others, other)
        if best is None or rank < best:
            best = rank
    return None if best is None else best[2]


def label_distance(a: str, b: str) -> int | None:
    """How far two labels are, if close enough to be a slip; None otherwise.

    0: equal once width and case are folded (`Sora`, `ＳＯＲＡ` for `SORA`);
    else the parser's edit distance (a swap of neighbours is one edit),
    allowed up to 1 for labels of up to 3 characters and 2 for longer ones,
    the same rule as the parser's per-file LOG040.
    """
    fa, fb = _fold(a), _fold(b)
    if fa == fb:
        return 0
    limit = 1 if min(len(fa), len(fb)) <= 3 else 2
    dist = distance(fa, fb, limit)
    return dist if dist <= limit else None


def _fold(label: str) -> str:
    return unicodedata.normalize("NFKC", label).casefold()


def _reported_places(story: Story, codes: Iterable[str]) -> set[Pos]:
    wanted = set(codes)
    return {d.pos for d in story.all_diagnostics() if d.code in wanted}


# --- CHK002: one base, two readings -----------------------------------------


def check_ruby_readings(story: Story, messages: list[Message]) -> list[Diagnostic]:
    """One warning per ruby base given different readings, at the odd one out.

    The warning stands where the reading used least first appears (of
    readings used equally rarely, the later one): that is most likely the
    slip, and where an editor's jump should land. The message lists the
    other places, the usual reading first. A jukugo unit counts as one base,
    like in the glossary: the same kanji may rightly be read differently
    inside different compounds.
    """
    places: dict[str, dict[str, list[Pos]]] = defaultdict(lambda: defaultdict(list))
    for m in messages:
        for run in m.runs:
            if isinstance(run, Ruby):
                places[run.base][run.ruby].append(m.pos)
    out = []
    for base, readings in places.items():
        if len(readings) < 2:
            continue
        # First-seen (play) order; min() over it reversed takes the later of a tie.
        odd = min(reversed(list(readings)), key=lambda r: len(readings[r]))
        out.append(_reading_diagnostic(story, base, odd, readings))
    return out


def _reading_diagnostic(story: Story, base: str, odd: str,
                        readings: dict[str, list[Pos]]) -> Diagnostic:
    """CHK002 at the first place of reading `odd`, naming every other place."""
    first, *rest = readings[odd]
    also = f" (and at {_where(story, rest)})" if rest else ""
    # The others most used first, so the usual reading leads the list.
    others = sorted((r for r in readings if r != odd), key=lambda r: -len(readings[r]))
    listing = "; ".join(f"{_clip(r)} at {_where(story, readings[r])}"
                        for r in others[:_PLACES_SHOWN])
    if len(others) > _PLACES_SHOWN:
        listing += f"; and {len(others) - _PLACES_SHOWN:,} more readings"
    return Diagnostic(first, "warning", "CHK002",
                      f"ruby base '{_clip(base)}' is read {len(readings)} ways: {_clip(odd)} "
                      f"here{also}, but {listing}")


def _percent(ratio: float) -> str:
    return f"{ratio * 100:.0f}%" if ratio >= 0.01 else f"{ratio * 100:.2g}%"


def _clip(text: str, limit: int = 40) -> str:
    """A base or reading as a message quotes it: a hostile one runs to thousands of characters."""
    return text if len(text) <= limit else text[:limit] + "…"


def _where(story: Story, places: list[Pos]) -> str:
    shown = ", ".join(f"{short_file(story, p.file)}:{p.line}" for p in places[:_PLACES_SHOWN])
    more = len(places) - _PLACES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def short_file(story: Story, file: str) -> str:
    """A script's path relative to the story root when it is inside it (for messages)."""
    try:
        return Path(file).relative_to(story.root).as_posix()
    except ValueError:
        return file


# --- CHK003: characters no font can draw --------------------------------------


def check_missing_glyphs(story: Story, messages: list[Message],
                         fontset: FontLike) -> list[Diagnostic]:
    """Per message (text and readings), then names and title: what would show as a box.

    A story uses a few thousand distinct characters at most, so each is asked
    about once (`missing_chars` answers per character), all gathered in one
    pass; a message is asked about whole only when it holds one the fonts lack.
    """
    out = []
    texts = [m.text for m in messages]
    readings = ["".join(r.ruby for r in m.runs if type(r) is Ruby) for m in messages]
    # Every character of the story at once (C-speed joins): in the usual story
    # the fonts draw them all and no message is looked at again.
    chars = set("".join(texts))
    chars.update("".join(readings))
    lacking = {c for c in chars if fontset.missing_chars(c)}
    if lacking:
        for m, text, reading in zip(messages, texts, readings, strict=True):
            if lacking.isdisjoint(text) and lacking.isdisjoint(reading):
                continue
            missing = fontset.missing_chars(text + reading)
            if missing:
                out.append(_glyph_diagnostic(m.pos, "this message", missing))
    where = Pos(str(story.manifest), 1) if story.manifest else None
    if where is not None:
        for label, char in story.characters.items():
            missing = fontset.missing_chars(char.name)
            if missing:
                out.append(_glyph_diagnostic(where, f"the name of {label}", missing))
        missing = fontset.missing_chars(story.title)
        if missing:
            out.append(_glyph_diagnostic(where, "the title", missing))
    return out


def _glyph_diagnostic(pos: Pos, what: str, missing: set[str]) -> Diagnostic:
    chars = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in sorted(missing))
    return Diagnostic(pos, "warning", "CHK003",
                      f"no font can draw {chars} in {what}; it shows as a box "
                      f"(add a font that has it to fallback_fonts in story.yaml)")


# --- CHK004: messages too long for the text box --------------------------------


def estimate_measure(text: str, size: float) -> float:
    """A font-free advance estimate: one em per wide character, half an em otherwise."""
    return sum(size if unicodedata.east_asian_width(c) in "WFA" else size / 2 for c in text)


def check_long_messages(story: Story, messages: list[Message], fontset: FontLike | None,
                        box: TextBox, max_pages: int) -> list[Diagnostic]:
    """Messages that need more than `max_pages` pages of the text box at its default size.

    Most messages are cleared by a bound from their widths alone
    (`lines_upper_bound`, no layout); the rest are laid out, counting pages
    up to `PAGES_COUNTED` (or one past `max_pages` if that is more): a longer
    message is reported as needing over that many, so a million-character
    message costs no more than a hundred pages.
    """
    measure = fontset.measure if fontset is not None else estimate_measure
    settings = box_settings(story, box)
    counted = max(PAGES_COUNTED, max_pages + 1)
    out = []
    for m in messages:
        bound = lines_upper_bound(m.runs, box.width, measure, settings)
        if bound is not None and -(-bound // box.lines) <= max_pages:
            continue
        pages = count_pages(m, story, measure, box, limit=counted)
        if pages > max_pages:
            needs = f"over {counted}" if pages > counted else str(pages)
            out.append(Diagnostic(m.pos, "warning", "CHK004",
                                  f"message needs {needs} pages of the text box "
                                  f"({box.lines} lines of {box.width:g} px at {box.size:g} px); "
                                  f"more than {max_pages}: consider splitting it"))
    return out


def box_settings(story: Story, box: TextBox) -> Settings:
    """The layout settings of the text box at its default size, with the story's options."""
    opts = story.layout
    return Settings(size=box.size, strictness=opts.strictness,
                    phrase_wrapping=opts.phrase_wrapping,
                    hanging_punctuation=opts.hanging_punctuation,
                    latin_spacing=opts.latin_spacing, justify=opts.justify)


def count_pages(message: Message, story: Story, measure: Measure, box: TextBox,
                limit: int | None = None) -> int:
    """How many pages of the text box a message fills, laid out as the player lays it out.

    With `limit`, counting stops past it: a message of more pages gives `limit + 1`.
    """
    settings = box_settings(story, box)
    if limit is None:
        laid = layout_message(message.runs, box.width, measure, settings)
        return len(paginate(laid, box.lines))
    lines = count_lines(message.runs, box.width, measure, settings, limit * box.lines)
    return -(-lines // box.lines)


# --- CHK005: readings wider than the text box -----------------------------------------


def check_long_readings(story: Story, messages: list[Message], fontset: FontLike | None,
                        box: TextBox) -> list[Diagnostic]:
    """Messages with a ruby reading over `SQUEEZE_WARNED` times the text box's width at
    ruby size (one warning per message, for its widest).

    A ruby unit never splits across lines (jukugo ruby only between its
    pairs), so the layout squeezes a reading wider than the line into it: a
    little is barely seen, a reading squeezed to a fraction is unreadable.
    Readings short enough to fit whatever their characters are never measured.
    """
    measure = fontset.measure if fontset is not None else estimate_measure
    ruby_size = box_settings(story, box).ruby_size
    surely_fits = int(box.width // (ruby_size * 1.5))  # no glyph is wider than 1.5 em
    out = []
    for m in messages:
        widest: tuple[float, str, str] | None = None
        for run in m.runs:
            if not isinstance(run, Ruby):
                continue
            units = run.parts if len(run.parts) > 1 else ((run.base, run.ruby),)
            for base, reading in units:
                if len(reading) <= surely_fits:
                    continue
                width = measure(reading, ruby_size)
                if width > box.width * SQUEEZE_WARNED and (widest is None or width > widest[0]):
                    widest = (width, base, reading)
        if widest is not None:
            width, base, reading = widest
            out.append(Diagnostic(m.pos, "warning", "CHK005",
                                  f"the reading over '{_clip(base, 12)}' is {len(reading):,} characters, "
                                  f"{width:,.0f} px at ruby size: wider than the text box "
                                  f"({box.width:g} px), so it is squeezed to "
                                  f"{_percent(box.width / width)} of its width to fit a line"))
    return out
