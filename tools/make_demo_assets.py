"""Generate the demo story's images and sounds (run from the repository root).

    .venv/bin/python tools/make_demo_assets.py

Everything is drawn or synthesised here, deterministically, so the demo's
assets are ours and can be rebuilt: 1280x720 backgrounds, character busts
with transparency (one PNG per expression), short loopable ambient music and
soft per-character message sounds as 16-bit mono WAV (stdlib `wave`).
The generated files are committed; rerunning rewrites them identically.
"""

from __future__ import annotations

import math
import os
import random
import struct
import sys
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "assets" / "images"
MUSIC = ROOT / "assets" / "music"
SOUNDS = ROOT / "assets" / "sounds"

W, H = 1280, 720
RATE = 22050  # Hz; ambient pads need no more, and it keeps each loop under 1 MB
Color = tuple[int, int, int]


# --- drawing helpers --------------------------------------------------------


def mix(a: Sequence[int], b: Sequence[int], t: float) -> Color:
    """Linear blend of two colours, t in 0..1."""
    t = max(0.0, min(1.0, t))
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t),
            round(a[2] + (b[2] - a[2]) * t))


def gradient(surface: pygame.Surface, stops: Sequence[tuple[float, Color]],
             top: int = 0, bottom: int | None = None) -> None:
    """Fill rows top..bottom with a vertical gradient through (position 0..1, colour) stops."""
    bottom = surface.get_height() if bottom is None else bottom
    for y in range(top, bottom):
        t = (y - top) / max(1, bottom - top - 1)
        for (p0, c0), (p1, c1) in zip(stops, stops[1:], strict=False):
            if p0 <= t <= p1:
                colour = mix(c0, c1, (t - p0) / max(1e-9, p1 - p0))
                pygame.draw.line(surface, colour, (0, y), (surface.get_width(), y))
                break


def glow(surface: pygame.Surface, centre: tuple[int, int], radius: int, colour: Color,
         strength: float = 0.6) -> None:
    """A soft additive light whose intensity falls off with the square of the distance to its edge."""
    layer = pygame.Surface((radius * 2, radius * 2))
    for r in range(radius, 0, -2):
        k = strength * (1 - r / radius) ** 2  # inner discs overwrite outer ones: k at distance r
        pygame.draw.circle(layer, mix((0, 0, 0), colour, k), (radius, radius), r)
    surface.blit(layer, (centre[0] - radius, centre[1] - radius),
                 special_flags=pygame.BLEND_RGB_ADD)


def stars(surface: pygame.Surface, rng: random.Random, area: pygame.Rect, count: int) -> None:
    """Small stars of varied brightness, a few with a cross glint."""
    for _ in range(count):
        x = rng.randrange(area.left, area.right)
        y = rng.randrange(area.top, area.bottom)
        level = rng.randint(120, 255)
        colour = mix((level, level, level), (200, 215, 255), rng.random() * 0.5)
        surface.set_at((x, y), colour)
        if level > 235:
            for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                surface.set_at((x + dx, y + dy), mix(colour, (20, 30, 60), 0.5))


# --- backgrounds --------------------------------------------------------------


def night_room() -> pygame.Surface:
    """Scene 1: a dark room at night, a window full of stars, a desk lamp's glow."""
    s = pygame.Surface((W, H))
    gradient(s, [(0, (18, 22, 40)), (1, (34, 30, 46))])
    window = pygame.Rect(700, 90, 440, 360)
    sky = s.subsurface(window)
    gradient(sky, [(0, (10, 16, 44)), (0.7, (30, 44, 90)), (1, (60, 70, 110))])
    stars(sky, random.Random(7), sky.get_rect(), 170)
    pygame.draw.circle(sky, (240, 236, 210), (330, 80), 26)
    pygame.draw.circle(sky, (16, 22, 50), (342, 72), 24)  # a crescent
    pygame.draw.rect(s, (52, 46, 60), window, 14)
    pygame.draw.line(s, (52, 46, 60), (window.centerx, window.top), (window.centerx, window.bottom), 8)
    _bookshelf(s, pygame.Rect(60, 120, 360, 460), random.Random(3))
    pygame.draw.rect(s, (26, 20, 28), (0, 560, W, 160))  # desk
    pygame.draw.rect(s, (40, 32, 42), (0, 556, W, 8))
    glow(s, (520, 540), 260, (120, 90, 50), 0.9)
    pygame.draw.polygon(s, (30, 26, 34), [(480, 556), (560, 556), (540, 500), (500, 500)])
    return s


def _bookshelf(s: pygame.Surface, area: pygame.Rect, rng: random.Random) -> None:
    pygame.draw.rect(s, (30, 26, 36), area)
    shelf_h = area.height // 4
    for row in range(4):
        y = area.top + row * shelf_h
        x = area.left + 10
        while x < area.right - 30:
            w, h = rng.randint(14, 30), rng.randint(shelf_h - 50, shelf_h - 14)
            tone = rng.choice([(70, 52, 60), (50, 60, 80), (80, 70, 50), (60, 70, 62)])
            pygame.draw.rect(s, mix(tone, (20, 20, 30), 0.45), (x, y + shelf_h - h - 6, w, h))
            x += w + rng.randint(2, 6)
        pygame.draw.rect(s, (46, 38, 48), (area.left, y + shelf_h - 8, area.width, 8))


def server_room(late: bool) -> pygame.Surface:
    """Scenes 2 and 3: the basement machine room; `late` dims it and adds warning light."""
    s = pygame.Surface((W, H))
    top, bottom = ((24, 40, 46), (10, 16, 20)) if not late else ((30, 22, 30), (10, 8, 14))
    gradient(s, [(0, top), (0.62, mix(top, bottom, 0.6)), (1, bottom)])
    for x in range(-600, W + 600, 120):  # floor tiles in perspective
        pygame.draw.line(s, mix(bottom, top, 0.5), (W // 2 + (x - W // 2) // 4, 470), (x, H), 1)
    for y in (500, 540, 600, 680):
        pygame.draw.line(s, mix(bottom, top, 0.4), (0, y), (W, y), 1)
    for x in (220, 640, 1060):
        tube = (210, 235, 230) if not late else (120, 110, 120)
        pygame.draw.rect(s, tube, (x - 90, 30, 180, 8))
        glow(s, (x, 40), 180, (40, 60, 60) if not late else (30, 20, 30), 0.7)
    rng = random.Random(11)
    for i, x in enumerate((40, 230, 900, 1090)):
        _rack(s, pygame.Rect(x, 170 + (i % 2) * 20, 160, 320), rng, late)
    _old_tower(s, pygame.Rect(560, 300, 150, 200), late)
    if late:
        glow(s, (640, 330), 420, (70, 10, 10), 0.8)
    return s


def _rack(s: pygame.Surface, r: pygame.Rect, rng: random.Random, late: bool) -> None:
    pygame.draw.rect(s, (18, 22, 26), r)
    pygame.draw.rect(s, (40, 48, 54), r, 3)
    for y in range(r.top + 14, r.bottom - 14, 22):
        pygame.draw.rect(s, (28, 34, 40), (r.left + 10, y, r.width - 20, 16))
        for k in range(rng.randint(1, 3)):
            on = rng.random() < (0.85 if not late else 0.45)
            led = rng.choice([(90, 230, 120), (90, 230, 120), (240, 180, 60)]) if on else (40, 50, 44)
            pygame.draw.circle(s, led, (r.right - 20 - k * 10, y + 8), 2)


def _old_tower(s: pygame.Surface, r: pygame.Rect, late: bool) -> None:
    """灯: the beige tower server the story is about, with its one amber light."""
    pygame.draw.rect(s, (150, 140, 116) if not late else (110, 96, 88), r, border_radius=6)
    pygame.draw.rect(s, (120, 110, 90) if not late else (86, 74, 70), r.inflate(-20, -20), 2, 4)
    for y in range(r.top + 30, r.top + 90, 18):
        pygame.draw.rect(s, (100, 92, 76), (r.left + 25, y, r.width - 50, 10))
    led = (255, 170, 60) if not late else (255, 70, 50)
    pygame.draw.circle(s, led, (r.right - 30, r.bottom - 30), 4)
    glow(s, (r.right - 30, r.bottom - 30), 40, (120, 60, 20), 1.0)


def dawn_sea() -> pygame.Surface:
    """Scene 4: dawn over the harbour, a lighthouse on the breakwater, gulls."""
    s = pygame.Surface((W, H))
    horizon = 430
    gradient(s, [(0, (40, 46, 96)), (0.45, (150, 110, 150)), (0.8, (246, 170, 120)),
                 (1, (255, 214, 160))], 0, horizon)
    glow(s, (420, horizon), 300, (120, 70, 30), 1.2)
    pygame.draw.circle(s, (255, 236, 200), (420, horizon), 46)
    gradient(s, [(0, (230, 160, 130)), (0.3, (90, 90, 130)), (1, (30, 36, 70))], horizon, H)
    rng = random.Random(5)
    for _ in range(160):  # the sun's path on the water
        y = rng.randint(horizon + 4, H - 10)
        spread = 30 + (y - horizon) * 0.9
        x = round(420 + rng.uniform(-spread, spread))
        length = rng.randint(8, 40)
        pygame.draw.line(s, mix((255, 220, 170), (90, 90, 130), (y - horizon) / 400),
                         (x, y), (x + length, y), 2)
    _lighthouse(s)
    for gx, gy, size in ((700, 200, 16), (760, 170, 12), (640, 240, 10)):
        pygame.draw.lines(s, (50, 40, 60), False,
                          [(gx - size, gy - size // 3), (gx, gy), (gx + size, gy - size // 3)], 3)
    return s


def _lighthouse(s: pygame.Surface) -> None:
    pygame.draw.polygon(s, (36, 30, 50), [(860, 470), (1280, 450), (1280, 500), (860, 500)])
    pygame.draw.polygon(s, (44, 36, 58), [(1040, 460), (1100, 460), (1090, 250), (1050, 250)])
    pygame.draw.rect(s, (44, 36, 58), (1040, 226, 60, 26))
    pygame.draw.polygon(s, (44, 36, 58), [(1036, 228), (1104, 228), (1070, 196)])
    pygame.draw.rect(s, (255, 220, 150), (1052, 232, 36, 14))
    glow(s, (1070, 239), 90, (110, 80, 30), 1.0)


# --- portraits ----------------------------------------------------------------

PW, PH, SCALE = 520, 640, 2  # drawn at 2x and scaled down, which smooths the edges


@dataclass(frozen=True)
class Look:
    """How one character is drawn."""

    skin: Color
    hair: Color
    clothes: Color
    accent: Color
    hair_style: str  # long | short | bob | grey
    glasses: bool = False


LOOKS: dict[str, Look] = {
    "mio": Look((244, 218, 200), (36, 30, 40), (104, 128, 110), (230, 220, 200), "long"),
    "taku": Look((226, 190, 160), (60, 44, 36), (52, 66, 96), (230, 140, 60), "short"),
    "yuzu": Look((250, 224, 206), (140, 88, 52), (40, 48, 84), (214, 60, 70), "bob"),
    "kancho": Look((232, 204, 184), (196, 196, 200), (92, 78, 70), (160, 150, 120), "grey",
                   glasses=True),
}

EXPRESSIONS: dict[str, tuple[str, ...]] = {
    "mio": ("default", "smile", "sad", "worried", "surprised"),
    "taku": ("default", "smile", "surprised"),
    "yuzu": ("default", "smile", "surprised"),
    "kancho": ("default", "smile"),
}


def portrait(look: Look, expression: str) -> pygame.Surface:
    """One bust: body, hair, head and a face showing `expression`, on transparency."""
    big = pygame.Surface((PW * SCALE, PH * SCALE), pygame.SRCALPHA)
    draw = _Pen(big)
    _hair_back(draw, look)
    draw.ellipse(look.clothes, (60, 470, 400, 320))
    draw.polygon(look.accent, [(210, 470), (310, 470), (260, 540)])  # collar / ribbon
    draw.rect(look.skin, (228, 390, 64, 90))
    draw.ellipse(look.skin, (150, 160, 220, 270))
    _hair_front(draw, look)
    _face(draw, look, expression)
    return pygame.transform.smoothscale(big, (PW, PH))


class _Pen:
    """pygame.draw in 1x coordinates on the 2x surface."""

    def __init__(self, surface: pygame.Surface) -> None:
        self.s = surface

    def _r(self, rect: Sequence[float]) -> pygame.Rect:
        return pygame.Rect(*(round(v * SCALE) for v in rect))

    def ellipse(self, c: Sequence[int], rect: Sequence[float], width: int = 0) -> None:
        pygame.draw.ellipse(self.s, c, self._r(rect), width * SCALE)

    def rect(self, c: Sequence[int], rect: Sequence[float]) -> None:
        pygame.draw.rect(self.s, c, self._r(rect))

    def polygon(self, c: Sequence[int], points: Sequence[tuple[float, float]]) -> None:
        pygame.draw.polygon(self.s, c, [(x * SCALE, y * SCALE) for x, y in points])

    def arc(self, c: Sequence[int], rect: Sequence[float], a0: float, a1: float, w: int) -> None:
        pygame.draw.arc(self.s, c, self._r(rect), a0, a1, w * SCALE)

    def line(self, c: Sequence[int], p0: tuple[float, float], p1: tuple[float, float], w: int) -> None:
        pygame.draw.line(self.s, c, (p0[0] * SCALE, p0[1] * SCALE), (p1[0] * SCALE, p1[1] * SCALE),
                         w * SCALE)


def _hair_back(d: _Pen, look: Look) -> None:
    if look.hair_style == "long":
        d.ellipse(look.hair, (120, 130, 280, 470))
    elif look.hair_style == "bob":
        d.ellipse(look.hair, (128, 140, 264, 330))
        d.ellipse(look.hair, (360, 200, 90, 150))  # side ponytail
        d.ellipse(look.accent, (352, 206, 30, 22))  # its hair tie
    elif look.hair_style == "short":
        d.ellipse(look.hair, (140, 130, 240, 200))
    else:
        d.ellipse(look.hair, (146, 200, 228, 160))


def _hair_front(d: _Pen, look: Look) -> None:
    if look.hair_style == "short":
        spikes = [(140, 250), (150, 170), (190, 120), (230, 150), (260, 110), (300, 150),
                  (340, 125), (372, 180), (380, 250), (330, 200), (260, 210), (190, 205)]
        d.polygon(look.hair, spikes)
        d.rect(look.accent, (150, 206, 220, 12))  # a work headband
    elif look.hair_style == "grey":
        d.ellipse(look.hair, (150, 150, 220, 110))
        d.ellipse(look.skin, (200, 158, 120, 60))  # a high forehead
    else:
        d.polygon(look.hair, [(146, 290), (160, 175), (260, 140), (362, 175), (376, 290),
                              (340, 215), (290, 235), (250, 205), (200, 240), (170, 215)])
        if look.hair_style == "long":
            d.ellipse((230, 210, 120), (320, 196, 26, 14))  # a hair clip


def _face(d: _Pen, look: Look, expression: str) -> None:
    ink = (50, 36, 40)
    _eyes(d, expression, ink)
    _brows(d, look, expression)
    _mouth(d, expression, ink)
    if expression in ("smile", "surprised"):
        for x in (176, 306):
            d.ellipse((240, 150, 160), (x, 340, 40, 18))
    if expression == "worried":
        d.polygon((170, 210, 240), [(368, 250), (360, 272), (376, 272)])
        d.ellipse((170, 210, 240), (359, 264, 18, 18))
    if look.glasses:
        for x in (190, 280):
            d.ellipse((80, 70, 60), (x, 280, 56, 46), 3)
        d.line((80, 70, 60), (246, 300), (280, 300), 3)


def _eyes(d: _Pen, expression: str, ink: Color) -> None:
    for cx in (218, 302):
        if expression == "smile":
            d.arc(ink, (cx - 18, 292, 36, 26), 0.3, math.pi - 0.3, 4)
        elif expression == "sad":
            d.line(ink, (cx - 16, 306), (cx + 16, 306), 4)
            d.arc(ink, (cx - 16, 296, 32, 20), math.pi + 0.4, 2 * math.pi - 0.4, 3)
        elif expression == "surprised":
            d.ellipse((255, 255, 255), (cx - 16, 286, 32, 36))
            d.ellipse(ink, (cx - 16, 286, 32, 36), 3)
            d.ellipse(ink, (cx - 6, 298, 12, 14))
        else:
            d.ellipse(ink, (cx - 11, 288, 22, 30))
            d.ellipse((255, 255, 255), (cx - 5, 293, 8, 9))


def _brows(d: _Pen, look: Look, expression: str) -> None:
    colour = mix(look.hair, (40, 30, 30), 0.4)
    lift = {"surprised": -14, "sad": 4}.get(expression, 0)
    inner = {"worried": -10, "sad": -8}.get(expression, 0)
    width = 5 if look.hair_style == "short" else 3
    d.line(colour, (196, 270 + lift), (234, 268 + lift + inner), width)
    d.line(colour, (286, 268 + lift + inner), (324, 270 + lift), width)


def _mouth(d: _Pen, expression: str, ink: Color) -> None:
    if expression == "smile":
        d.arc(ink, (232, 350, 56, 34), math.pi + 0.35, 2 * math.pi - 0.35, 4)
    elif expression == "sad":
        d.arc(ink, (242, 372, 36, 20), 0.4, math.pi - 0.4, 3)
    elif expression == "worried":
        d.arc(ink, (238, 372, 22, 12), 0.2, math.pi - 0.2, 3)
        d.arc(ink, (258, 368, 22, 12), math.pi + 0.2, 2 * math.pi - 0.2, 3)
    elif expression == "surprised":
        d.ellipse((150, 70, 80), (248, 364, 24, 30))
    else:
        d.line(ink, (248, 376), (272, 376), 3)


# --- sound ------------------------------------------------------------------


def write_wav(path: Path, samples: Sequence[float]) -> None:
    """Mono 16-bit WAV, samples in -1..1 (clipped)."""
    frames = b"".join(struct.pack("<h", round(max(-1.0, min(1.0, v)) * 32000)) for v in samples)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames)


def loop_freq(freq: float, seconds: float) -> float:
    """The nearest frequency with a whole number of cycles in the loop, so it loops seamlessly."""
    return max(1, round(freq * seconds)) / seconds


def midi(note: int) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


@dataclass(frozen=True)
class Piece:
    """An ambient loop: chords held in turn, and bell notes (start beat, midi note)."""

    seconds: float
    chords: tuple[tuple[int, ...], ...]
    bells: tuple[tuple[float, int], ...]
    drone: float = 0.0  # a low hum's frequency in Hz, 0 for none
    brightness: float = 0.3


def render_piece(p: Piece) -> list[float]:
    """Samples of one loop: each chord fades in and out over its slot, wrapping at the end."""
    n = round(p.seconds * RATE)
    out = [0.0] * n
    slot = p.seconds / len(p.chords)
    for k, chord in enumerate(p.chords):
        for note in chord:
            _add_pad(out, loop_freq(midi(note), p.seconds), k * slot, slot, p.brightness)
    for beat, note in p.bells:
        _add_bell(out, loop_freq(midi(note), p.seconds), beat * slot / 4)
    if p.drone:
        _add_drone(out, p.drone, p.seconds)
    peak = max(1e-9, max(abs(v) for v in out))
    return [v * 0.7 / peak for v in out]


def _add_pad(out: list[float], f: float, start: float, length: float, bright: float) -> None:
    n = len(out)
    span = round(length * 1.5 * RATE)  # overlap the next chord by half a slot
    first = round(start * RATE)
    w = 2 * math.pi * f / RATE
    for i in range(span):
        env = math.sin(math.pi * i / span) ** 2
        ph = w * (first + i)
        out[(first + i) % n] += 0.08 * env * (math.sin(ph) + bright * math.sin(2 * ph) * 0.5)


def _add_bell(out: list[float], f: float, start: float) -> None:
    n = len(out)
    first = round(start * RATE)
    w = 2 * math.pi * f / RATE
    for i in range(round(2.5 * RATE)):
        env = math.exp(-i / (0.45 * RATE)) * min(1.0, i / 60)
        out[(first + i) % n] += 0.12 * env * (math.sin(w * i) + 0.3 * math.sin(2.76 * w * i))


def _add_drone(out: list[float], f: float, seconds: float) -> None:
    a, b = loop_freq(f, seconds), loop_freq(f * 2.003, seconds)
    wobble = 2 * math.pi / len(out) * 2
    for i in range(len(out)):
        t = i / RATE
        out[i] += 0.1 * (math.sin(2 * math.pi * a * t) * (0.7 + 0.3 * math.sin(wobble * i))
                         + 0.4 * math.sin(2 * math.pi * b * t))


PIECES: dict[str, Piece] = {
    # night, waiting for news: Am7 - Fmaj7 - Cmaj7 - G6 with sparse bells
    "yoru.wav": Piece(16.0, ((57, 60, 64, 67), (53, 57, 60, 64), (48, 55, 59, 64), (55, 59, 62, 64)),
                      ((1, 76), (5, 72), (7, 74), (10, 69), (13, 72), (14.5, 67))),
    # the machine room: a low hum under two uneasy chords
    "kikai.wav": Piece(16.0, ((45, 52, 55, 60), (46, 53, 57, 62)),
                       ((2, 64), (6, 63), (10, 64), (13, 60)), drone=55.0, brightness=0.15),
    # dawn: C - G/B - Am - F, brighter, bells rising
    "asa.wav": Piece(16.0, ((48, 55, 60, 64), (47, 55, 62, 67), (45, 57, 60, 64), (41, 57, 60, 65)),
                     ((0, 72), (2, 74), (4, 76), (6, 79), (8, 81), (11, 79), (13, 76), (15, 74)),
                     brightness=0.45),
}


def blip(freq: float, seconds: float = 0.14) -> list[float]:
    """A soft rounded pop for a character's messages."""
    n = round(seconds * RATE)
    w = 2 * math.pi * freq / RATE
    return [0.45 * math.sin(w * i) * math.exp(-i / (0.035 * RATE)) * min(1.0, i / 40)
            for i in range(n)]


BLIPS: dict[str, float] = {"mio.wav": 880.0, "taku.wav": 587.3, "yuzu.wav": 1174.7}


# --- main -------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    """Write every asset; prints what it wrote and the total size."""
    for folder in (IMAGES, MUSIC, SOUNDS):
        folder.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[Path, Callable[[], None]]] = []
    backgrounds = {"night-room.png": night_room, "server-room.png": lambda: server_room(False),
                   "server-room-late.png": lambda: server_room(True), "dawn-sea.png": dawn_sea}
    for name, make in backgrounds.items():
        jobs.append((IMAGES / name, lambda n=name, m=make: pygame.image.save(m(), IMAGES / n)))
    for who, expressions in EXPRESSIONS.items():
        for e in expressions:
            path = IMAGES / f"{who}-{e}.png"
            jobs.append((path, lambda p=path, w=who, e=e: pygame.image.save(portrait(LOOKS[w], e), p)))
    for name, piece in PIECES.items():
        jobs.append((MUSIC / name, lambda n=name, p=piece: write_wav(MUSIC / n, render_piece(p))))
    for name, freq in BLIPS.items():
        jobs.append((SOUNDS / name, lambda n=name, f=freq: write_wav(SOUNDS / n, blip(f))))
    total = 0
    for path, job in jobs:
        job()
        total += path.stat().st_size
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")
    print(f"total {total / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
