"""The diagnostic codes the LOG parser reports, with their severities.

Codes are stable: tools and tests match on them, so a code is never reused
for a different problem. docs/DIAGNOSTICS.md is the reader's table.
"""

from __future__ import annotations

from engine.model import Diagnostic, Pos, Severity

# code -> (severity, one-line meaning)
CODES: dict[str, tuple[Severity, str]] = {
    "LOG001": ("error", "LOG END with no open block"),
    "LOG002": ("warning", "LOG START inside an open block; the open block is closed there"),
    "LOG003": ("warning", "block never closed; closed at end of file"),
    "LOG004": ("warning", "START line without a readable timestamp"),
    "LOG005": ("warning", "dialogue-like line outside any block (ignored)"),
    "LOG006": ("warning", "text after the LOG END marker (ignored)"),
    "LOG007": ("warning", "block with no messages"),
    "LOG010": ("warning", "unknown or misplaced tag, kept as literal text"),
    "LOG011": ("error", "<ruby> with no </ruby> on its line"),
    "LOG012": ("error", "</ruby> with no <ruby> before it"),
    "LOG013": ("error", "<rt>, <rp> or <rb> outside <ruby>"),
    "LOG014": ("error", "ruby with an empty base"),
    "LOG015": ("error", "ruby with an empty reading"),
    "LOG016": ("error", "ruby base with no reading (<rt> missing)"),
    "LOG017": ("error", "<ruby> inside <ruby>"),
    "LOG018": ("error", "ruby markup out of order (e.g. </rt> without <rt>, unclosed <rp>)"),
    "LOG019": ("error", "<br> inside <ruby>"),
    "LOG020": ("warning", "unknown named entity, kept as literal text"),
    "LOG021": ("warning", "invalid numeric character reference, kept as literal text"),
    "LOG030": ("warning", "speaker label with no text"),
    "LOG031": ("warning", "white space before the colon: not read as a speaker label"),
    "LOG032": ("warning", "control character in a message"),
    "LOG040": ("warning", "speaker label used once, close to a frequent one (did you mean ...?)"),
    "LOG050": ("error", "file cannot be read"),
    "LOG051": ("warning", "file is not UTF-8 but was read in the encoding named"),
    "LOG052": ("error", "invalid UTF-8 bytes (shown as U+FFFD)"),
    "LOG053": ("error", "file cannot be decoded; the encoding is named"),
}


def diagnostic(file: str, line: int, col: int, code: str, message: str) -> Diagnostic:
    """A Diagnostic with the severity that belongs to `code`."""
    return Diagnostic(Pos(file, line, col), CODES[code][0], code, message)
