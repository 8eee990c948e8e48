"""Can the player use this file? Fonts, images and audio, judged by their bytes.

`check` asks this about every file story.yaml names, and the manifest asks
it about fonts, so that a file the player cannot open is reported where it
is named (`story.yaml:LINE:COL`) instead of at run time. Each function
returns None for a usable file, or the reason in plain words ("an empty
file", "not an image …", "truncated: …").

Why header sniffing and not pygame: it needs no display and no audio device
(the mixer cannot be opened without one, so audio could not be tried with
pygame anyway); it stays pure, in the layer above render/; it reads headers
and walks the chunk, segment or page structure without decoding pixels or
samples, so checking a story with hundreds of large pictures stays quick
and flat in memory; and it says *why* ("truncated at byte 9,000 of the
IDAT chunk") where SDL's messages do not. What it cannot see is damage
inside a compressed stream whose framing is intact; the player still warns
about that once when it loads the file.

The formats accepted are those the player's pygame-ce (SDL_image,
SDL_mixer, FreeType) opens. PNG, JPEG, GIF, BMP, WebP, QOI and TGA images,
WAV, AIFF, Ogg and FLAC audio, and TrueType/OpenType fonts are walked to
their end; the rarer formats are recognised by their header only.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, Literal

Kind = Literal["font", "image", "audio"]

IMAGE_FORMATS = "PNG, JPEG, WebP, GIF or BMP"
AUDIO_FORMATS = "Ogg, WAV, FLAC or MP3"
FONT_FORMATS = "TrueType, OpenType, a font collection or WOFF"


def problem(kind: Kind, path: Path) -> str | None:
    """Why the file at `path` cannot be used as a `kind`, or None if it can."""
    return _CHECKS[kind](Path(path))


def font_problem(path: Path) -> str | None:
    """Why `path` is not a usable font file, or None."""
    return _opened(path, _font)


def image_problem(path: Path) -> str | None:
    """Why `path` is not a usable image, or None."""
    return _opened(path, _image)


def audio_problem(path: Path) -> str | None:
    """Why `path` is not usable music or sound, or None."""
    return _opened(path, _audio)


_CHECKS: dict[str, Callable[[Path], str | None]] = {
    "font": font_problem, "image": image_problem, "audio": audio_problem,
}


class _File:
    """A file read at offsets, short reads at the end allowed."""

    def __init__(self, f: BinaryIO, size: int, name: str) -> None:
        self.f, self.size, self.name = f, size, name

    def at(self, offset: int, n: int) -> bytes:
        if offset >= self.size or n <= 0:
            return b""
        self.f.seek(offset)
        return self.f.read(n)


def _opened(path: Path, judge: Callable[[_File], str | None]) -> str | None:
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size == 0:
                return "an empty file (0 bytes)"
            return judge(_File(f, size, Path(path).name.lower()))
    except IsADirectoryError:
        return "a folder, not a file"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or type(exc).__name__})"


def _bytes(n: int) -> str:
    return f"{n:,} byte" + ("" if n == 1 else "s")


def _cut(what: str, needed: int, size: int) -> str:
    return f"truncated: {what} needs {_bytes(needed)}, the file has {_bytes(size)}"


# --- fonts --------------------------------------------------------------------

_SFNT = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"typ1")
_OUTLINES = (b"glyf", b"CFF ", b"CFF2", b"CBDT", b"EBDT", b"sbix", b"bdat")
_OTHER_FONTS = (b"\x80\x01", b"%!PS-AdobeFont", b"%!FontType1", b"STARTFONT", b"\x01fcp")


def _font(file: _File) -> str | None:
    head = file.at(0, 16)
    tag = head[:4]
    if tag == b"ttcf":
        if len(head) < 16:
            return _cut("the collection header", 16, file.size)
        (first,) = struct.unpack(">I", head[12:16])
        return _sfnt(file, first)
    if tag in _SFNT:
        return _sfnt(file, 0)
    if tag in (b"wOFF", b"wOF2"):
        return _woff(file, head)
    if head.startswith(_OTHER_FONTS):
        return None  # Type 1, BDF, PCF: FreeType reads them; their framing is not walked
    return f"not a font file ({FONT_FORMATS} expected)"


def _sfnt(file: _File, start: int) -> str | None:
    header = file.at(start, 12)
    if len(header) < 12:
        return _cut("the font header", start + 12, file.size)
    if header[:4] not in _SFNT:
        return f"not a font file ({FONT_FORMATS} expected)"
    (count,) = struct.unpack(">H", header[4:6])
    if count == 0:
        return "damaged: the font has no tables"
    directory = file.at(start + 12, 16 * count)
    if len(directory) < 16 * count:
        return _cut("the table directory", start + 12 + 16 * count, file.size)
    tags = set()
    for i in range(0, 16 * count, 16):
        tag, _, offset, length = struct.unpack(">4sIII", directory[i:i + 16])
        if offset + length > file.size:
            name = tag.decode("latin-1").strip()
            return _cut(f"the '{name}' table", offset + length, file.size)
        tags.add(tag)
    if b"cmap" not in tags:
        return "damaged: the font has no character map (cmap table)"
    if not tags.intersection(_OUTLINES):
        return "damaged: the font has no glyphs (no glyf, CFF or bitmap table)"
    return None


def _woff(file: _File, head: bytes) -> str | None:
    if len(head) < 12:
        return _cut("the WOFF header", 44, file.size)
    (length,) = struct.unpack(">I", head[8:12])
    if length > file.size:
        return _cut("the WOFF file", length, file.size)
    return None


# --- images -------------------------------------------------------------------

_PNG = b"\x89PNG\r\n\x1a\n"


def _image(file: _File) -> str | None:
    head = file.at(0, 64)
    if head.startswith(_PNG):
        return _png(file)
    if head.startswith(b"\xff\xd8\xff"):
        return _jpeg(file)
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return _gif(file)
    if head.startswith(b"BM"):
        return _bmp(file, head)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _riff_length(file, head, "WebP")
    if head.startswith(b"qoif"):
        return _qoi(file)
    if _other_image(head):
        return None
    if file.name.endswith((".tga", ".icb", ".vda", ".vst")):
        return _tga(file, head)
    return f"not an image ({IMAGE_FORMATS} expected)"


def _other_image(head: bytes) -> bool:
    """Formats SDL_image reads that are recognised by their header alone."""
    return (head[:4] in (b"II*\x00", b"MM\x00*")  # TIFF
            or (head[:1] == b"P" and head[1:2] in b"123456" and head[2:3].isspace())  # PNM
            or (head[:4] == b"FORM" and head[8:12] in (b"ILBM", b"PBM "))  # IFF ILBM
            or (head[:1] == b"\x0a" and head[1:2] in b"\x00\x02\x03\x04\x05"
                and head[2:3] == b"\x01")  # PCX
            or head.startswith((b"/* XPM */", b"gimp xcf", b"\x00\x00\x01\x00",
                                b"\x00\x00\x02\x00"))  # XPM, XCF, ICO, CUR
            or b"<svg" in head.lower()
            or head[4:12] in (b"ftypavif", b"ftypavis")
            or head.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL ")))


def _png(file: _File) -> str | None:
    offset, first, seen_data = 8, True, False
    while True:
        header = file.at(offset, 8)
        if len(header) < 8:
            return f"truncated: the PNG stops after {_bytes(file.size)}, before its end (IEND)"
        length, kind = struct.unpack(">I4s", header)
        end = offset + 12 + length
        if first and (kind != b"IHDR" or length != 13):
            return "damaged: the PNG does not start with its header (IHDR)"
        if end > file.size:
            name = kind.decode("latin-1")
            return _cut(f"the PNG's '{name}' chunk", end, file.size)
        if first:
            width, height = struct.unpack(">II", file.at(offset + 8, 8))
            if width == 0 or height == 0:
                return f"damaged: the PNG is {width}×{height} pixels"
        if kind[:1].isupper() and not _crc_matches(file, offset + 4, length):
            # libpng refuses a critical chunk (IHDR, PLTE, IDAT, IEND) whose checksum fails.
            return f"damaged: the PNG's '{kind.decode('latin-1')}' chunk fails its checksum"
        if kind == b"IEND":
            return None if seen_data else "damaged: the PNG holds no image data (IDAT)"
        seen_data = seen_data or kind == b"IDAT"
        offset, first = end, False


def _crc_matches(file: _File, offset: int, length: int) -> bool:
    """Whether the CRC-32 after a PNG chunk's type and data (at `offset`) matches them."""
    crc, done = 0, 0
    while done < length + 4:
        piece = file.at(offset + done, min(1 << 20, length + 4 - done))
        crc = zlib.crc32(piece, crc)
        done += len(piece)
    return struct.pack(">I", crc) == file.at(offset + 4 + length, 4)


def _jpeg(file: _File) -> str | None:
    offset, framed = 2, False
    while True:
        marker = file.at(offset, 4)
        if len(marker) < 2:
            return f"truncated: the JPEG stops after {_bytes(file.size)}, before its image data"
        if marker[0] != 0xFF:
            return f"damaged: no JPEG marker at byte {offset:,}"
        code = marker[1]
        if code == 0xFF:  # fill byte
            offset += 1
            continue
        if code in (0x01, *range(0xD0, 0xD8)):
            offset += 2
            continue
        if len(marker) < 4:
            return _cut("a JPEG segment", offset + 4, file.size)
        (length,) = struct.unpack(">H", marker[2:4])
        if 0xC0 <= code <= 0xCF and code not in (0xC4, 0xC8, 0xCC):
            framed = True
        if code == 0xDA:
            if not framed:
                return "damaged: the JPEG has no frame header"
            return _jpeg_end(file)
        offset += 2 + length
        if offset > file.size:
            return _cut("a JPEG segment", offset, file.size)


def _jpeg_end(file: _File) -> str | None:
    # Writers sometimes leave bytes after the end marker; look a little before the end.
    tail = file.at(max(0, file.size - 4096), 4096)
    if b"\xff\xd9" in tail:
        return None
    return f"truncated: the JPEG stops after {_bytes(file.size)}, before its end marker"


def _gif(file: _File) -> str | None:
    data = file.at(0, file.size)
    if len(data) < 13:
        return _cut("the GIF header", 13, len(data))
    offset = 13 + _colour_table(data[10])
    while offset < len(data):
        block = data[offset]
        if block == 0x3B:  # trailer
            return None
        if block == 0x21:  # extension: label, then sub-blocks
            offset = _sub_blocks(data, offset + 2)
        elif block == 0x2C:  # image: descriptor, local table, code size, sub-blocks
            if offset + 10 > len(data):
                break
            offset = _sub_blocks(data, offset + 11 + _colour_table(data[offset + 9]))
        else:
            return f"damaged: unexpected byte 0x{block:02X} at byte {offset:,} of the GIF"
    return f"truncated: the GIF stops after {_bytes(file.size)}, before its end (trailer)"


def _colour_table(flags: int) -> int:
    return 3 * (2 << (flags & 7)) if flags & 0x80 else 0


def _sub_blocks(data: bytes, offset: int) -> int:
    while offset < len(data):
        size = data[offset]
        offset += 1 + size
        if size == 0:
            return offset
    return len(data) + 1


def _bmp(file: _File, head: bytes) -> str | None:
    if len(head) < 26:
        return _cut("the BMP header", 26, file.size)
    (pixels_at,) = struct.unpack("<I", head[10:14])
    (info,) = struct.unpack("<I", head[14:18])
    if info == 12:
        width, height = struct.unpack("<HH", head[18:22])
        bpp, compression = struct.unpack("<H", head[24:26])[0], 0
    elif info in (40, 52, 56, 64, 108, 124) and len(head) >= 34:
        width, height = struct.unpack("<ii", head[18:26])
        bpp, compression = struct.unpack("<HI", head[28:34])
    else:
        return "damaged: the BMP header is of no known kind"
    if width <= 0 or height == 0:
        return f"damaged: the BMP is {width}×{abs(height)} pixels"
    needed = pixels_at
    if compression in (0, 3, 6):  # uncompressed rows (bit fields too): size is known
        needed += ((bpp * width + 31) // 32) * 4 * abs(height)
    if needed > file.size:
        return _cut("the BMP's pixels", needed, file.size)
    return None


def _riff_length(file: _File, head: bytes, what: str) -> str | None:
    (length,) = struct.unpack("<I", head[4:8])
    if length + 8 > file.size:
        return _cut(f"the {what} file", length + 8, file.size)
    return None


def _qoi(file: _File) -> str | None:
    if file.size < 22 or file.at(file.size - 8, 8) != b"\x00" * 7 + b"\x01":
        return f"truncated: the QOI image stops after {_bytes(file.size)}, before its end marker"
    return None


def _tga(file: _File, head: bytes) -> str | None:
    if len(head) < 18:
        return _cut("the TGA header", 18, file.size)
    id_len, map_type, kind = head[0], head[1], head[2]
    map_len, map_bits = struct.unpack("<H", head[5:7])[0], head[7]
    width, height, bits = *struct.unpack("<HH", head[12:16]), head[16]
    if map_type > 1 or kind not in (1, 2, 3, 9, 10, 11) or bits not in (8, 15, 16, 24, 32):
        return f"not an image ({IMAGE_FORMATS} expected)"
    if width == 0 or height == 0:
        return f"damaged: the TGA is {width}×{height} pixels"
    needed = 18 + id_len + map_len * ((map_bits + 7) // 8)
    if kind < 9:  # uncompressed: every pixel is there
        needed += width * height * ((bits + 7) // 8)
    if needed > file.size:
        return _cut("the TGA's pixels", needed, file.size)
    return None


# --- audio --------------------------------------------------------------------


def _audio(file: _File) -> str | None:
    head = file.at(0, 64)
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return _wav(file)
    if head[:4] == b"OggS":
        return _ogg(file)
    if head[:4] == b"fLaC":
        return _flac(file)
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return _aiff(file)
    if head[:3] == b"ID3" or _mpeg_frame(head[:4]) is not None:
        return _mp3(file, head)
    if head.startswith(b"MThd"):
        return "a MIDI file, which the player cannot play (it has no synthesiser)"
    if _other_audio(file, head):
        return None
    return f"unknown audio format ({AUDIO_FORMATS} expected)"


def _other_audio(file: _File, head: bytes) -> bool:
    """Formats SDL_mixer plays that are recognised by their header alone."""
    return (head.startswith((b"Extended Module: ", b"IMPM", b"wvpk",
                             b"Creative Voice File"))
            or file.at(44, 4) == b"SCRM" or file.at(1080, 4) in (b"M.K.", b"M!K!", b"FLT4"))


_WAV_CODECS = {1, 2, 3, 6, 7, 0x11, 0x55, 0xFFFE}


def _wav(file: _File) -> str | None:
    offset, codec, samples = 12, None, False
    while offset + 8 <= file.size:
        kind, length = struct.unpack("<4sI", file.at(offset, 8))
        if kind == b"fmt ":
            fmt = file.at(offset + 8, 2)
            codec = struct.unpack("<H", fmt)[0] if len(fmt) == 2 else None
        elif kind == b"data":
            if codec is None:
                return "damaged: the WAV has no format chunk before its data"
            if codec not in _WAV_CODECS:
                return f"a WAV in an encoding the player cannot play (format 0x{codec:04X})"
            if length == 0xFFFFFFFF:  # written while streaming: the data runs to the end
                return None
            samples = True
        # SDL refuses a chunk cut short, the samples' or one after them.
        if offset + 8 + length > file.size:
            what = "the WAV's samples" if kind == b"data" else "a WAV chunk"
            return _cut(what, offset + 8 + length, file.size)
        offset += 8 + length + (length & 1)
    if samples:
        return None
    return f"truncated: the WAV stops after {_bytes(file.size)}, before its samples"


_OGG_CODECS = (b"\x01vorbis", b"OpusHead", b"\x7fFLAC")


def _ogg(file: _File) -> str | None:
    offset, pages, last_flags = 0, 0, 0
    while offset < file.size:
        header = file.at(offset, 27)
        if len(header) < 27:
            return _cut("an Ogg page", offset + 27, file.size)
        if header[:4] != b"OggS":
            return f"damaged: no Ogg page at byte {offset:,}"
        lacing = file.at(offset + 27, header[26])
        body = offset + 27 + header[26]
        if pages == 0 and not file.at(body, 8).startswith(_OGG_CODECS):
            return "an Ogg file holding audio the player cannot play (Vorbis, Opus or FLAC expected)"
        end = body + sum(lacing)
        if end > file.size:
            return _cut("the last Ogg page", end, file.size)
        if pages < _OGG_HEADER_PAGES and not _ogg_crc_matches(file.at(offset, end - offset)):
            return f"damaged: the Ogg page at byte {offset:,} fails its checksum"
        offset = end
        pages, last_flags = pages + 1, header[5]
    if not last_flags & 0x04:
        return (f"truncated: the Ogg stream stops after {_bytes(file.size)} "
                "without its last page")
    return None


# The codec's set-up lives in the first pages, and a damaged one stops the decoder;
# later pages are only audio (a glitch), and checking them all costs seconds.
_OGG_HEADER_PAGES = 3


def _ogg_table() -> tuple[int, ...]:
    table = []
    for i in range(256):
        r = i << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else r << 1
        table.append(r & 0xFFFFFFFF)
    return tuple(table)


_OGG_CRC = _ogg_table()


def _ogg_crc_matches(page: bytes) -> bool:
    """Ogg's own CRC-32 (not zlib's: unreflected, initial 0) over the page, its field zeroed."""
    crc = 0
    for b in page[:22] + b"\x00\x00\x00\x00" + page[26:]:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _OGG_CRC[(crc >> 24) ^ b]
    return struct.pack("<I", crc) == page[22:26]


def _flac(file: _File) -> str | None:
    offset = 4
    while True:
        header = file.at(offset, 4)
        if len(header) < 4:
            return _cut("the FLAC metadata", offset + 4, file.size)
        length = int.from_bytes(header[1:4], "big")
        offset += 4 + length
        if offset > file.size:
            return _cut("the FLAC metadata", offset, file.size)
        if header[0] & 0x80:  # the last metadata block: audio frames follow
            break
    frame = file.at(offset, 2)
    if len(frame) < 2 or frame[0] != 0xFF or frame[1] & 0xFE != 0xF8:
        return f"truncated: the FLAC stops after {_bytes(file.size)}, before its audio"
    return None


def _aiff(file: _File) -> str | None:
    offset, common = 12, False
    while offset + 8 <= file.size:
        kind, length = struct.unpack(">4sI", file.at(offset, 8))
        if kind == b"COMM":
            common = True
        elif kind == b"SSND":
            if not common:
                return "damaged: the AIFF has no format chunk before its samples"
            if offset + 8 + length > file.size:
                return _cut("the AIFF's samples", offset + 8 + length, file.size)
            return None
        offset += 8 + length + (length & 1)
    return f"truncated: the AIFF stops after {_bytes(file.size)}, before its samples"


_MPEG_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_LAYER3_KBPS = {3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
                2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)}


def _mpeg_frame(header: bytes) -> int | None:
    """The length of the MPEG audio frame starting with `header`, or None if it is not one
    (0 for a valid frame whose length is not computed: layers I/II, free bit rate)."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    rate_index, kbps_index = (header[2] >> 2) & 3, header[2] >> 4
    if version == 1 or layer == 0 or rate_index == 3 or kbps_index == 15:
        return None
    if layer != 1 or kbps_index == 0:
        return 0
    kbps = _LAYER3_KBPS[3 if version == 3 else 2][kbps_index]
    rate = _MPEG_RATES[version][rate_index]
    per_frame = 144 if version == 3 else 72
    return per_frame * kbps * 1000 // rate + ((header[2] >> 1) & 1)


def _mp3(file: _File, head: bytes) -> str | None:
    offset = 0
    if head[:3] == b"ID3":
        if len(head) < 10:
            return _cut("the ID3 tag", 10, file.size)
        size = 0
        for b in head[6:10]:
            size = (size << 7) | (b & 0x7F)
        offset = 10 + size + (10 if head[5] & 0x10 else 0)
        if offset >= file.size:
            return f"truncated: the MP3 stops after {_bytes(file.size)}, inside its tag"
    # Some encoders pad between the tag and the first frame.
    window = file.at(offset, 4096)
    start = next((i for i in range(len(window) - 3) if _mpeg_frame(window[i:i + 4]) is not None),
                 None)
    if start is None:
        return f"unknown audio format ({AUDIO_FORMATS} expected)"
    length = _mpeg_frame(window[start:start + 4])
    if length:
        second = file.at(offset + start + length, 4)
        if len(second) == 4 and _mpeg_frame(second) is None:
            return f"unknown audio format ({AUDIO_FORMATS} expected)"
    return None
