"""What a screen showing story text does for the popup dictionary: clicks, hover, the D key.

`WordLookup` is mixed into the view screens and the history. A screen
lists the messages it shows as `engine.learn.hits.TextSpot`s in
`word_spots()` (the current or newest one last) and calls the hooks from
its `handle`, `update` and `wake_in`. Nothing of the learner is imported
until one of them is used, so start-up stays as quick as without it.
"""

from __future__ import annotations

from typing import Any

HOVER_DWELL = 0.3  # seconds the pointer rests on a word before the hover dictionary opens


class WordLookup:
    """The popup dictionary's hooks for a screen with story text (see the module docstring)."""

    app: Any
    _hover: tuple[int, int] | None = None  # a word the pointer rests on (hover mode)
    _hover_wait = 0.0

    def word_spots(self) -> list:
        """The messages on screen whose words the popup can point at, the current one last."""
        return []

    def dictionary_key(self) -> None:
        """D (pad Back): the popup on the first word of the current message on screen."""
        from engine.app.learn_popup import open_popup

        open_popup(self.app, self.word_spots, None)

    def dictionary_click(self, pos: tuple[int, int]) -> bool:
        """A click with the dictionary on: the popup on the word under it; True if opened."""
        if self.app.session.prefs.dictionary == "off":
            return False
        from engine.app.learn_popup import open_popup

        return open_popup(self.app, self.word_spots, pos) is not None

    def dictionary_hover(self, pos: tuple[int, int]) -> None:
        """The pointer moved (hover mode): the popup opens if it rests on a word."""
        if self.app.session.prefs.dictionary != "hover":
            return
        from engine.learn.hits import glyph_at

        over = any(glyph_at(spot, pos) is not None for spot in self.word_spots())
        self._hover, self._hover_wait = (pos if over else None), 0.0

    def dictionary_update(self, dt: float) -> bool:
        """Time for the hover dictionary; True if the popup opened."""
        if self._hover is None:
            return False
        self._hover_wait += dt
        if self._hover_wait < HOVER_DWELL:
            return False
        from engine.app.learn_popup import open_popup

        pos, self._hover = self._hover, None
        return open_popup(self.app, self.word_spots, pos, hover=True) is not None

    def dictionary_wake(self) -> float | None:
        """When the hover dictionary needs a turn (None: not waiting)."""
        return None if self._hover is None else max(0.0, HOVER_DWELL - self._hover_wait)
