"""The tokenizer: fugashi (MeCab) with the unidic-lite dictionary, placed in the text.

Opened once, on first use. MeCab skips whitespace and reads a line at a
time, so each line of the visible text is tokenized alone and every token
is found again in the text: the offsets are exact whatever MeCab skipped.
One tagger is not safe to share between threads; a lock makes it so.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from engine.learn.analysis import Token
from engine.learn.extra import LearnUnavailable, missing


class Tokenizer:
    """Cuts Japanese text into `Token`s (surface, offsets, part of speech, lemma, reading)."""

    def __init__(self) -> None:
        self._tagger: Any = None
        self._lock = threading.Lock()

    def _open(self) -> Any:
        if self._tagger is None:
            gone = missing("tokenizer")
            if gone:
                raise LearnUnavailable(gone, "tokenizing Japanese")
            import fugashi

            self._tagger = fugashi.Tagger()
        return self._tagger

    def open(self) -> None:
        """Load the tokenizer now (it is otherwise loaded by the first `tokens` call)."""
        with self._lock:
            self._open()

    def tokens(self, text: str) -> list[Token]:
        """The tokens of `text`, with code-point offsets into it."""
        out: list[Token] = []
        with self._lock:
            tagger = self._open()
            at = 0
            for line in text.split("\n"):
                if line.strip():
                    out.extend(_placed(tagger(line), line, at))
                at += len(line) + 1
        return out


def _placed(nodes: Any, line: str, offset: int) -> list[Token]:
    out: list[Token] = []
    at = 0
    for node in nodes:
        surface = node.surface
        found = line.find(surface, at)
        if not surface or found < 0:
            continue  # MeCab gave back text the line does not hold; nothing to point at
        at = found + len(surface)
        token = _token(node, surface, offset + found)
        out.append(_unvoiced(token, node, out[-1] if out else None))
    return out


_VOICED = dict(zip("ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポ",
                   "カキクケコサシスセソタチツテトハヒフヘホハヒフヘホ", strict=True))


def _unvoiced(token: Token, node: Any, before: Token | None) -> Token:
    """`token` read without rendaku when nothing it could compound with comes before.

    UniDic sometimes reads a noun in its compound form where it stands alone
    (古い箱 as ふるいばこ); the lemma's reading (ハコ) is right unless a noun
    or prefix is written right before it (本箱, ほんばこ).
    """
    r = token.reading
    if not r or r[0] not in _VOICED or token.pos1 != "名詞":
        return token
    plain = _field(node.feature, "lForm")
    if plain != _VOICED[r[0]] + r[1:]:
        return token
    if before is not None and before.end == token.start and before.pos1 in ("名詞", "接頭辞"):
        return token
    return replace(token, reading=plain, base_reading=plain)


# Readings UniDic gives that furigana must not show: it reads 私 as the formal わたくし
# and writes 言う's kana as the spoken ゆう (言った it reads いった).
_SURFACE_FIXES = {"私": "ワタシ"}


def _fixed_reading(surface: str, reading: str | None) -> str | None:
    if reading is None:
        return None
    if surface in _SURFACE_FIXES:
        return _SURFACE_FIXES[surface]
    if surface.startswith("言") and reading.startswith("ユ"):
        return "イ" + reading[1:]
    return reading


def _field(feature: Any, name: str) -> str | None:
    value = getattr(feature, name, None)
    return value if value and value != "*" else None


def _token(node: Any, surface: str, start: int) -> Token:
    f = node.feature
    base = _field(f, "orthBase") or surface
    lemma = _field(f, "lemma") or base
    if "-" in lemma and "-" not in surface:
        lemma = lemma.split("-", 1)[0]  # UniDic writes loanwords as サーバー-server
    unknown = getattr(node, "is_unk", False)
    return Token(
        surface=surface, start=start, end=start + len(surface),
        pos1=_field(f, "pos1") or "*", pos2=_field(f, "pos2") or "*",
        base=base, lemma=lemma,
        reading=None if unknown else _fixed_reading(surface, _field(f, "kana")),
        base_reading=None if unknown else _fixed_reading(base, _field(f, "kanaBase")),
    )
