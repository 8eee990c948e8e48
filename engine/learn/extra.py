"""The optional `learn` extra: which of its libraries are here, and how to get them.

The learner tools need a tokenizer (fugashi with the unidic-lite
dictionary), JMdict and KANJIDIC2 (jamdict with jamdict-data) and, for
Anki decks, genanki. None of them is needed to play: without the extra,
everything that wants one raises `LearnUnavailable`, whose message says
what is missing and the exact command that installs it.
"""

from __future__ import annotations

import importlib

INSTALL = 'pip install -e ".[learn]"'  # from a checkout
INSTALL_RELEASE = 'pip install "chatlog-vn[learn]"'

# part -> the modules it imports, with the distribution each comes from.
PARTS: dict[str, tuple[tuple[str, str], ...]] = {
    "tokenizer": (("fugashi", "fugashi"), ("unidic_lite", "unidic-lite")),
    "dictionary": (("jamdict", "jamdict"), ("jamdict_data", "jamdict-data")),
    "anki": (("genanki", "genanki"),),
}


class LearnUnavailable(RuntimeError):
    """A learner tool was asked for but the `learn` extra (or part of it) is not installed."""

    def __init__(self, missing: tuple[str, ...], what: str = "the learner tools") -> None:
        self.missing = missing
        super().__init__(
            f"{what} need the optional 'learn' extra, which is not installed "
            f"(missing: {', '.join(missing)}); install it with: {INSTALL} "
            f"(in a checkout) or {INSTALL_RELEASE}"
        )


def missing(*parts: str) -> tuple[str, ...]:
    """The distributions of `parts` (default: all) that cannot be imported, in order."""
    out: list[str] = []
    for part in parts or tuple(PARTS):
        for module, dist in PARTS[part]:
            try:
                importlib.import_module(module)
            except ImportError:
                out.append(dist)
    return tuple(dict.fromkeys(out))


def not_installed(*parts: str) -> tuple[str, ...]:
    """Like `missing`, but only asks whether each module could be found, importing none of
    them: cheap enough for a settings screen drawn every frame."""
    import importlib.util

    out: list[str] = []
    for part in parts or tuple(PARTS):
        for module, dist in PARTS[part]:
            try:
                found = importlib.util.find_spec(module) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                out.append(dist)
    return tuple(dict.fromkeys(out))


def available(*parts: str) -> bool:
    """True if every library of `parts` (default: the whole extra) can be imported."""
    return not missing(*parts)


def require(*parts: str, what: str = "the learner tools") -> None:
    """Raise `LearnUnavailable` naming what is missing of `parts` (default: all)."""
    gone = missing(*parts)
    if gone:
        raise LearnUnavailable(gone, what)
