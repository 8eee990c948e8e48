"""Images and sounds by path, loaded once and cached.

A missing or unreadable file is never fatal: it is reported once (to stderr
and in `Assets.warnings`) and replaced by a stand-in — the default
gradient for a background, nothing for a portrait, silence for a sound.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable
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


class _Lru(OrderedDict):
    """A dict that forgets its least recently used entries beyond `limit`."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def get_fresh(self, key: object) -> object:
        value = self[key]
        self.move_to_end(key)
        return value

    def put(self, key: object, value: object) -> None:
        self[key] = value
        while len(self) > self.limit:
            self.popitem(last=False)


class Assets:
    """The one cached loader for every image and sound the player shows or plays.

    Caches are small LRUs, so a long story with many pictures keeps memory
    flat: a few backgrounds and portraits at the size drawn, not every file
    ever shown. Originals of scaled images are not kept.
    """

    def __init__(self, images: int = 8, backgrounds: int = 4, portraits: int = 12) -> None:
        self.warnings: list[str] = []
        self._images = _Lru(images)
        self._backgrounds = _Lru(backgrounds)
        self._scaled = _Lru(portraits)
        self._sounds: dict[Path, object | None] = {}
        self._failed: set[Path] = set()
        self._prefetch: dict[Path, pygame.Surface | Exception] = {}
        self._prefetcher: threading.Thread | None = None

    def prefetch(self, paths: Iterable[Path | None]) -> None:
        """Start decoding images in a background thread (for the first frame).

        pygame releases the GIL while it decodes, so this overlaps with the
        start-up work on the main thread; `_load_image` picks the results up.
        """
        wanted = [p for p in dict.fromkeys(paths) if p is not None]
        if not wanted or self._prefetcher is not None:
            return

        def decode() -> None:
            for path in wanted:
                try:
                    self._prefetch[path] = pygame.image.load(str(path))
                except (pygame.error, OSError, ValueError) as exc:
                    self._prefetch[path] = exc

        self._prefetcher = threading.Thread(target=decode, name="prefetch", daemon=True)
        self._prefetcher.start()

    def _decoded(self, path: Path) -> pygame.Surface:
        """The image file decoded: from the prefetch thread if it had it, else now."""
        if self._prefetcher is not None:
            self._prefetcher.join()
            found = self._prefetch.pop(path, None)
            if isinstance(found, Exception):
                raise found
            if found is not None:
                return found
        return pygame.image.load(str(path))

    def warn(self, text: str) -> None:
        """Report a problem once; the game goes on."""
        if text not in self.warnings:
            self.warnings.append(text)
            print(f"chatlog-vn: warning: {text}", file=sys.stderr)

    def image(self, path: Path | None) -> pygame.Surface | None:
        """The image at `path` (cached), or None if there is none or it cannot be read."""
        if path is None or path in self._failed:
            return None
        if path in self._images:
            return self._images.get_fresh(path)
        image = self._load_image(path)
        if image is not None:
            self._images.put(path, image)
        return image

    def _load_image(self, path: Path) -> pygame.Surface | None:
        if path in self._failed:
            return None
        try:
            surface = self._decoded(path)
        except (pygame.error, OSError, ValueError) as exc:
            self.warn(f"cannot load image {path}: {exc}")
            self._failed.add(path)
            return None
        if pygame.display.get_surface() is not None:
            surface = surface.convert_alpha()
        return surface

    def background(self, path: Path | None, size: tuple[int, int]) -> pygame.Surface:
        """A background filling `size`: the image scaled to cover, else the default gradient."""
        key = (path, size)
        if key in self._backgrounds:
            return self._backgrounds.get_fresh(key)
        image = None if path is None else self._load_image(path)
        background = default_background(size) if image is None else cover(image, size)
        self._backgrounds.put(key, background)
        return background

    def scaled_to_height(self, path: Path | None, height: int) -> pygame.Surface | None:
        """An image (a portrait) scaled to `height` with its aspect kept; None if unavailable."""
        if path is None:
            return None
        key = (path, height)
        if key in self._scaled:
            return self._scaled.get_fresh(key)
        image = self._load_image(path)
        if image is None:
            return None
        w, h = image.get_size()
        if h != height:
            image = pygame.transform.smoothscale(image, (max(1, round(w * height / h)), height))
        self._scaled.put(key, image)
        return image

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
