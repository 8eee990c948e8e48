"""The base every screen builds on: a small object on the App's stack.

A screen gets input through `handle(event)` (mouse positions are already in
canvas coordinates), advances its own clocks in `update(dt)` and says
whether it needs drawing, draws itself in `draw(surface)`, and tells the
loop how long it can sleep with `wake_in()`. The loop never redraws a screen
that has nothing new to show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

if TYPE_CHECKING:
    from engine.app.app import App, Session


class Screen:
    """One layer of the interface. Subclass and override what you need.

    `opaque` screens hide everything below them, so the App does not draw the
    screens underneath; an overlay (a menu over the reading screen) sets it
    False and draws on top of the frame below.
    """

    opaque: bool = True
    # Where toasts go unless `toast_area` says otherwise: centred across the
    # canvas top, clear of the page headers drawn at the left.
    TOAST_AREA = (0, 16, 1280, 160)

    def __init__(self, app: App) -> None:
        self.app = app

    @property
    def session(self) -> Session:
        return self.app.session

    # --- lifecycle ------------------------------------------------------

    def on_enter(self) -> None:
        """Called when pushed (or put in place by replace)."""

    def on_resume(self) -> None:
        """Called when the screen above was popped and this one is on top again."""

    def on_exit(self) -> None:
        """Called when popped or replaced."""

    # --- the loop's three calls -----------------------------------------

    def handle(self, event: pygame.event.Event) -> bool | None:
        """React to one input event (already mapped to canvas coordinates).

        The App redraws after input unless this returns False (for example a
        mouse move that changed no highlight).
        """
        return None

    def update(self, dt: float) -> bool:
        """Advance timers by dt seconds; True if something visible changed."""
        return False

    def draw(self, surface: pygame.Surface) -> list[pygame.Rect] | None:
        """Draw the whole screen; return the changed rects, or None for all of it."""
        return None

    def wake_in(self) -> float | None:
        """Seconds until `update` has something to do; 0 while animating, None when idle."""
        return None

    def toast_area(self) -> pygame.Rect:
        """Where the App draws toasts over this screen (canvas coordinates).

        Toasts are centred across the rect and stacked from its top down, or
        from its bottom up when the rect lies in the lower half of the
        canvas. Override it to keep them off a screen's own headers and tabs.
        """
        return pygame.Rect(self.TOAST_AREA)

    def on_quit(self) -> None:
        """The application is closing (window closed or Quit): persist what matters."""
