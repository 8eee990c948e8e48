"""Small, valid asset files built in code, and pygame's own sample files; pure (no pygame import)."""

from __future__ import annotations

import importlib.util
import io
import struct
import wave
import zlib
from pathlib import Path


def font_bytes() -> bytes:
    """The smallest sfnt whose framing is sound: a directory of cmap and glyf, each 4 bytes."""
    tables = [(b"cmap", b"\x00" * 4), (b"glyf", b"\x00" * 4)]
    offset = 12 + 16 * len(tables)
    directory, data = b"", b""
    for tag, body in tables:
        directory += struct.pack(">4sIII", tag, 0, offset + len(data), len(body))
        data += body
    return struct.pack(">IHHHH", 0x00010000, len(tables), 32, 1, 0) + directory + data


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A real RGB PNG (grey), which pygame can load too."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    rows = b"".join(b"\x00" + b"\x80" * (3 * width) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def wav_bytes(frames: int = 800) -> bytes:
    """A real 8 kHz mono 16-bit WAV of silence."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * frames)
    return out.getvalue()


def pygame_sample(name: str) -> Path | None:
    """A file from pygame's examples/data (installed with pygame-ce), or None if absent."""
    spec = importlib.util.find_spec("pygame")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "examples" / "data" / name
    return path if path.is_file() else None
