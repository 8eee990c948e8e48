"""Rendering: laid-out text to pygame surfaces (fonts, glyph and page caches).

The only layer besides the app that imports pygame.
"""

import os

# pygame prints a banner to stdout on import; commands such as `layout --json`
# write machine-read output there.
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from engine.render.fonts import FontSet, GlyphImage, default_font_path, placeholder_advance
from engine.render.text import RenderStats, TextColors, TextRenderer, hang_margin

__all__ = [
    "FontSet",
    "GlyphImage",
    "RenderStats",
    "TextColors",
    "TextRenderer",
    "default_font_path",
    "hang_margin",
    "placeholder_advance",
]
