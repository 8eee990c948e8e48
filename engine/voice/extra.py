"""The optional `voice` extra: whether its speech engine is here, and how to get it.

Self-voicing and `chatlog-vn voice -o` synthesize with OpenJTalk through
pyopenjtalk-plus (its dictionary and HTS voice ship in the wheel, nothing
is downloaded at run time) and shape the samples with numpy. Neither is
needed to play or for `chatlog-vn voice --dry-run`: without them,
everything that wants speech raises `VoiceUnavailable`, whose message says
what is missing and the command that installs it.
"""

from __future__ import annotations

import importlib.util

INSTALL = 'pip install -e ".[voice]"'  # from a checkout
INSTALL_RELEASE = 'pip install "chatlog-vn[voice]"'

# module -> the distribution it comes from.
MODULES: tuple[tuple[str, str], ...] = (("numpy", "numpy"), ("pyopenjtalk", "pyopenjtalk-plus"))


class VoiceUnavailable(RuntimeError):
    """Speech was asked for but the `voice` extra (or part of it) is not installed."""

    def __init__(self, missing: tuple[str, ...], what: str = "the voice") -> None:
        self.missing = missing
        super().__init__(
            f"{what} needs the optional 'voice' extra, which is not installed "
            f"(missing: {', '.join(missing)}); install it with: {INSTALL} "
            f"(in a checkout) or {INSTALL_RELEASE}"
        )


def missing() -> tuple[str, ...]:
    """The distributions of the extra that cannot be found, in order (nothing is imported).

    `find_spec` looks without importing: pyopenjtalk's import loads its
    dictionary (about 0.2 s), which the backend does later, off the main loop.
    """
    out: list[str] = []
    for module, dist in MODULES:
        try:
            found = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            found = None
        if found is None:
            out.append(dist)
    return tuple(out)


def available() -> bool:
    """True if the whole extra is installed."""
    return not missing()


def require(what: str = "the voice") -> None:
    """Raise `VoiceUnavailable` naming what is missing of the extra."""
    gone = missing()
    if gone:
        raise VoiceUnavailable(gone, what)
