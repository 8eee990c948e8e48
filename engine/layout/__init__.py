"""Japanese text layout (pure: no pygame): runs + metrics -> positioned lines.

Public API: `layout_message`, `paginate`, the result types from `boxes`,
and `classes` (JLREQ character classes and kinsoku predicates).
"""

from engine.layout import classes
from engine.layout.boxes import Glyph, Layout, Line, Measure, RubyBox, Settings
from engine.layout.core import layout_message, paginate

__all__ = [
    "Glyph",
    "Layout",
    "Line",
    "Measure",
    "RubyBox",
    "Settings",
    "classes",
    "layout_message",
    "paginate",
]
