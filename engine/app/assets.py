"""Images and sounds by path, loaded once and cached.

A missing or unreadable file is never fatal: it is reported once (to stderr
and in `Assets.warnings`) and replaced by a placeholder — the default
gradient for a background, nothing for a portrait, silence for a sound.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pygame

# Default background: a night sky fading to dusk, dark enough for white text.
_GRADIENT = ((22, 26, 52), (44, 42, 78), (86, 66, 96))


def default_background(size: tuple[int, int]) -> pygame.Surface:
    """A quiet vertical three-stop gradient the size of the canvas."""
    column = pygame.Surface((1, 3))
    for y, colour in enumerate(_GRADIENT):
        column.set_at((0, y), colour)
    # smoothscale interpolates between the three stops for us.
    strip = pygame.transform.smoothscale(column, (2, max(2, size[1])))
    return pygame.transform.scale(strip, size)


def cover(image: pygame.Surface, size: tuple[int, int]) -> pygame.Surface:
    """Scale an image to fill `size` with its aspect kept, cropping the overflow centred."""
    iw, ih = image.get_size()
    if (iw, ih) == size:
        return image
    k = max(size[0] / iw, size[1] / ih)
    scaled = pygame.transform.smoothscale(image, (max(1, round(iw * k)), max(1, round(ih * k))))
    x = (scaled.get_width() - size[0]) // 2
    y = (scaled.get_height() - size[1]) // 2
    return scaled.subsurface(pygame.Rect(x, y, *size)).copy()


class Assets:
    """The one cached loader for every image and sound the player shows or plays."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self._images: dict[Path, pygame.Surface | None] = {}
        self._backgrounds: dict[tuple[Path | None, tuple[int, int]], pygame.Surface] = {}
        self._scaled: dict[tuple[Path, int], pygame.Surface | None] = {}
        self._sounds: dict[Path, object | None] = {}

    def warn(self, text: str) -> None:
        """Report a problem once; the game goes on."""
        if text not in self.warnings:
            self.warnings.append(text)
            print(f"chatlog-vn: warning: {text}", file=sys.stderr)

    def image(self, path: Path | None) -> pygame.Surface | None:
        """The image at `path` (cached), or None if there is none or it cannot be read."""
        if path is None:
            return None
        if path not in self._images:
            self._images[path] = self._load_image(path)
        return self._images[path]

    def _load_image(self, path: Path) -> pygame.Surface | None:
        try:
            surface = pygame.image.load(str(path))
        except (pygame.error, OSError, ValueError) as exc:
            self.warn(f"cannot load image {path}: {exc}")
            return None
        if pygame.display.get_surface() is not None:
            surface = surface.convert_alpha()
        return surface

    def background(self, path: Path | None, size: tuple[int, int]) -> pygame.Surface:
        """A background filling `size`: the image scaled to cover, else the default gradient."""
        key = (path, size)
        if key not in self._backgrounds:
            image = self.image(path)
            self._backgrounds[key] = default_background(size) if image is None else cover(image, size)
        return self._backgrounds[key]

    def scaled_to_height(self, path: Path | None, height: int) -> pygame.Surface | None:
        """An image (a portrait) scaled to `height` with its aspect kept; None if unavailable."""
        if path is None:
            return None
        key = (path, height)
        if key not in self._scaled:
            image = self.image(path)
            if image is None:
                self._scaled[key] = None
            else:
                w, h = image.get_size()
                width = max(1, round(w * height / h))
                self._scaled[key] = pygame.transform.smoothscale(image, (width, height))
        return self._scaled[key]

    def sound(self, path: Path | None) -> object | None:
        """A pygame Sound for `path`, or None without a mixer or when the file is bad."""
        if path is None or not pygame.mixer.get_init():
            return None
        if path not in self._sounds:
            try:
                self._sounds[path] = pygame.mixer.Sound(str(path))
            except (pygame.error, OSError) as exc:
                self.warn(f"cannot load sound {path}: {exc}")
                self._sounds[path] = None
        return self._sounds[path]
