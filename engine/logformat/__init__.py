"""The LOG format reader: chat-log text -> `engine.model.Script`.

`parse` is pure (text in, Script out); `load` does the file I/O and
`decode` the bytes -> text step. See shared LOG-FORMAT.md for the format
and docs/DIAGNOSTICS.md for the codes in `CODES`.
"""

from engine.logformat.codes import CODES
from engine.logformat.encoding import decode
from engine.logformat.lazy import speaker_uses
from engine.logformat.loader import load
from engine.logformat.parser import parse

__all__ = ["CODES", "decode", "load", "parse", "speaker_uses"]
