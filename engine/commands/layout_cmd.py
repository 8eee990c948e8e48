"""`chatlog-vn layout FILE --message N --width PX`: how one message is laid out.

The layout is computed with the real font (Noto Sans CJK JP), exactly as the
player sets it, and printed either as JSON (for tests and tools) or as a
readable dump: each line's text, a marker row under it (`^` under ruby
bases, followed by the readings; `-` under stage directions) and the glyphs'
x positions. Positions are pixels from the text box's top-left.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

from engine.layout.boxes import Glyph, Layout, Line, Settings
from engine.model import Run

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def add_parser(p: argparse.ArgumentParser) -> None:
    """Arguments of `chatlog-vn layout`."""
    p.add_argument("file", metavar="FILE", help="a script file (.log, .txt, .html)")
    p.add_argument("--message", "-m", type=int, required=True, metavar="N",
                   help="which message, 0-based across the whole file")
    p.add_argument("--width", type=_positive, required=True, metavar="PX",
                   help="width of the text box in pixels")
    p.add_argument("--size", type=_positive, default=32.0, metavar="PX",
                   help="base text size in pixels (default 32); ruby is half")
    p.add_argument("--strictness", choices=("strict", "normal", "loose"), default="strict",
                   help="line-breaking strictness (default strict)")
    p.add_argument("--justify", action="store_true",
                   help="justify the lines (every line but a paragraph's last ends at the width), "
                        "as the text box does")
    p.add_argument("--no-latin-spacing", dest="latin_spacing", action="store_false",
                   help="no quarter em between Japanese and Latin letters or digits (和欧間)")
    p.add_argument("--json", action="store_true", help="print the layout as JSON")
    p.add_argument("--furigana", type=_furigana, default=None, metavar="MODE",
                   help="add furigana (the learn extra): off, names, all, grade:N or jlpt:N")


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number: {text!r}")
    return value


def _furigana(text: str) -> object:
    from engine.learn.furigana import parse_mode

    try:
        return parse_mode(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    """Lay out message N of FILE and print it."""
    from engine.logformat import load

    path = Path(args.file)
    if not path.is_file():
        return _usage(f"no such file: {args.file}")
    script = load(path)
    messages = script.messages
    if not messages and any(d.severity == "error" for d in script.diagnostics):
        for d in script.diagnostics:
            print(d.format(), file=sys.stderr)
        return EXIT_ERRORS
    if not 0 <= args.message < len(messages):
        have = f"0 to {len(messages) - 1}" if messages else "none"
        return _usage(f"no message {args.message} in {args.file}: it has {len(messages)} "
                      f"(N is 0-based: {have})")
    settings = Settings(size=args.size, strictness=args.strictness, justify=args.justify,
                        latin_spacing=args.latin_spacing)
    runs = messages[args.message].runs
    if args.furigana is not None:
        from engine.learn import LearnUnavailable
        from engine.learn.service import furigana_in_script

        try:
            runs = furigana_in_script(path, messages[args.message], args.furigana)
        except LearnUnavailable as exc:
            return _usage(f"--furigana: {exc}")
    layout = lay_out(runs, args.width, settings)
    if args.json:
        print(json.dumps(layout_json(layout), ensure_ascii=False, indent=2))
    else:
        print(dump(layout, messages[args.message].speaker))
    return EXIT_OK


def _usage(message: str) -> int:
    print(f"chatlog-vn layout: {message}", file=sys.stderr)
    return EXIT_USAGE


def lay_out(runs: tuple[Run, ...], width: float, settings: Settings) -> Layout:
    """The layout of `runs` measured with the real (default) font."""
    from engine.layout import layout_message
    from engine.render import FontSet

    return layout_message(runs, width, FontSet().measure, settings)


# --- JSON -------------------------------------------------------------------------


def _r(value: float) -> float:
    return round(float(value), 2)


def layout_json(layout: Layout) -> dict[str, Any]:
    """The layout as the JSON object `layout --json` prints (numbers to 2 decimals)."""
    s = layout.settings
    return {
        "size": _r(s.size),
        "ruby_size": _r(s.ruby_size),
        "line_pitch": _r(s.line_pitch),
        "lines": [_line_json(line) for line in layout.lines],
    }


def _glyph_json(g: Glyph) -> dict[str, Any]:
    out: dict[str, Any] = {"ch": g.ch, "x": _r(g.x), "w": _r(g.w)}
    if g.dx:
        out["dx"] = _r(g.dx)  # a compressed opening bracket is drawn left of x
    return out


def _line_json(line: Line) -> dict[str, Any]:
    return {
        "y": _r(line.y),
        "glyphs": [_glyph_json(g) for g in line.glyphs],
        "rubies": [
            {
                "text": r.text,
                "base_start": r.base_start,
                "base_end": r.base_end,
                "x": _r(r.x),
                "w": _r(r.w),
                "glyph_x": [_r(x) for x in r.glyph_x],
            }
            for r in line.rubies
        ],
    }


# --- the readable dump --------------------------------------------------------------


def _cells(ch: str) -> int:
    """Terminal columns a glyph takes: two for wide (CJK) characters."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
               for c in ch if not unicodedata.combining(c)) or 1


def dump(layout: Layout, speaker: str | None = None) -> str:
    """A human-readable account of the layout, one block per line."""
    s = layout.settings
    head = (f"{speaker or '(narration)'}: width {_fmt(layout.width)}, size {_fmt(s.size)}, "
            f"ruby {_fmt(s.ruby_size)}, line pitch {_fmt(s.line_pitch)}, "
            f"{len(layout.lines)} line(s), {layout.chars} character(s), {s.strictness}"
            + (", justified" if s.justify else "") + ("" if s.latin_spacing else ", no 和欧間"))
    blocks = [head, "marker row: ^ ruby base (reading after the row), - stage direction"]
    for n, line in enumerate(layout.lines):
        blocks.append(_dump_line(n, line, layout.width))
    return "\n\n".join(blocks)


def _dump_line(n: int, line: Line, width: float) -> str:
    overhang = line.right - width
    hang = f"  (hangs {_fmt(overhang)} past the box)" if overhang > 0.005 else ""
    rows = [f"line {n}  y={_fmt(line.y)}  right={_fmt(line.right)}{hang}", "  " + line.text]
    markers = _marker_row(line)
    if markers:
        rows.append("  " + markers)
    rows.append("  x: " + " ".join(_fmt(g.x) for g in line.glyphs))
    for r in line.rubies:
        base = "".join(g.ch for g in line.glyphs[r.base_start:r.base_end])
        rows.append(f"  ruby {base}/{r.text}: glyphs {r.base_start}-{r.base_end - 1}, "
                    f"x={_fmt(r.x)} w={_fmt(r.w)} glyph_x=" + " ".join(map(_fmt, r.glyph_x)))
    return "\n".join(rows)


def _marker_row(line: Line) -> str:
    marks = []
    in_ruby = set()
    for r in line.rubies:
        in_ruby.update(range(r.base_start, r.base_end))
    for i, g in enumerate(line.glyphs):
        mark = "^" if i in in_ruby else "-" if g.style == "direction" else " "
        marks.append(mark * _cells(g.ch))
    readings = "  ".join(r.text for r in line.rubies)
    return ("".join(marks).rstrip() + ("  " + readings if readings else "")).rstrip()


def _fmt(value: float) -> str:
    return f"{value:.2f}"
