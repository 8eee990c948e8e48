"""Which installed distributions an extra brings into a built app, and how big they are there.

`--with-voice` packs pyopenjtalk-plus and everything it needs (numpy,
onnxruntime, SudachiPy and its dictionary, pydantic, ...): each of those
needs its licence in LICENSES/, and the build says how much they add. The
list is the extra's requirements followed through the installed
distributions' own requirements (markers evaluated for this interpreter),
less what the app carries without the extra.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path

PROJECT = "chatlog-vn"
# What pyproject.toml's `voice` extra asks for, used when chatlog-vn itself is not installed
# as a distribution (run from a source tree).
VOICE_FALLBACK = ("pyopenjtalk-plus[onnxruntime]", "numpy")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[([^\]]*)\])?")


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def extra_requirements(extra: str, fallback: Sequence[str] = VOICE_FALLBACK) -> list[str]:
    """The requirement strings chatlog-vn's `extra` adds (its own metadata, else `fallback`)."""
    try:
        requires = metadata.requires(PROJECT) or []
    except metadata.PackageNotFoundError:
        return list(fallback)
    return [r.split(";", 1)[0] for r in requires if _applies(r, extra) and _has_extra(r, extra)]


def base_requirements() -> list[str]:
    """chatlog-vn's own requirements (no extra)."""
    try:
        requires = metadata.requires(PROJECT) or []
    except metadata.PackageNotFoundError:
        return []
    return [r.split(";", 1)[0] for r in requires if ";" not in r or _applies(r, "")]


def closure(requirements: Iterable[str]) -> dict[str, metadata.Distribution]:
    """The installed distributions `requirements` need, recursively (normalized name -> dist)."""
    found: dict[str, metadata.Distribution] = {}
    todo = list(requirements)
    while todo:
        match = _NAME.match(todo.pop())
        if match is None:
            continue
        name = normalize(match.group(1))
        extras = [e.strip() for e in (match.group(3) or "").split(",") if e.strip()]
        if name in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional dependency not installed: not in the app either
        found[name] = dist
        for req in dist.requires or ():
            if any(_applies(req, e) for e in ["", *extras]):
                todo.append(req.split(";", 1)[0])
    return found


def extra_distributions(extra: str, carried: Iterable[str]) -> list[metadata.Distribution]:
    """What `extra` brings beyond `carried` (the app's own distributions) and chatlog-vn's."""
    base = closure([*carried, *base_requirements()])
    added = closure(extra_requirements(extra))
    return [dist for name, dist in sorted(added.items()) if name not in base]


def _applies(requirement: str, extra: str) -> bool:
    """Whether a requirement's marker holds here with `extra` requested ('' for none)."""
    if ";" not in requirement:
        return True
    from packaging.markers import InvalidMarker, Marker, UndefinedEnvironmentName

    try:
        return Marker(requirement.split(";", 1)[1]).evaluate({"extra": extra})
    except (InvalidMarker, UndefinedEnvironmentName):
        return False


def _has_extra(requirement: str, extra: str) -> bool:
    marker = requirement.split(";", 1)[1] if ";" in requirement else ""
    pattern = r"""extra\s*==\s*['"]""" + re.escape(extra) + r"""['"]"""
    return re.search(pattern, marker) is not None


def top_level_names(dists: Iterable[metadata.Distribution]) -> tuple[set[str], set[str]]:
    """(the first path parts of the distributions' files, the file names of their libraries)."""
    tops: set[str] = set()
    libs: set[str] = set()
    for dist in dists:
        for entry in dist.files or ():
            parts = entry.parts
            if not parts or parts[0] in ("..", "__pycache__") or parts[0].endswith(".pth"):
                continue
            tops.add(parts[0])
            if re.search(r"\.(so(\.\d+)*|dll|dylib)$", parts[-1]):
                libs.add(parts[-1])
    tops.discard("bin")
    return tops, libs


def size_in_app(app_dir: Path, dists: Iterable[metadata.Distribution]) -> int:
    """Bytes of the app's files that came from `dists`: their folders, and their libraries
    wherever PyInstaller put a copy or a link (pure-Python modules inside the app's
    archive are not counted)."""
    tops, libs = top_level_names(dists)
    total = 0
    for path in app_dir.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            continue
        parts = path.relative_to(app_dir).parts
        if any(p in tops for p in parts[:-1]) or parts[-1] in tops or parts[-1] in libs:
            total += path.lstat().st_size
    return total
