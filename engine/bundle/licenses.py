"""LICENSES/ of a built app: the licence text of every bundled component.

Texts are only ever copied, never written here:

- Python packages (pygame-ce, PyYAML, platformdirs, BudouX, the Noto font,
  PyInstaller's bootloader; with `--with-voice` pyopenjtalk-plus and every
  distribution it brings, see engine.bundle.extras): the licence
  files their installed distribution records (`.dist-info/licenses/`,
  `License-File`), or a licence file among the package's own files where the
  distribution records none (pygame-ce ships the LGPL in its docs);
- Python itself: the LICENSE.txt of the interpreter that built the app;
- the native libraries pygame-ce's wheel bundles (SDL2 and what it loads):
  the copyright records in engine/bundle/texts/ (texts/SOURCES.txt says where
  each comes from), matched by the library's file name;
- other shared libraries the app carries (zlib, libffi, libstdc++, ...): the
  build machine's own record of them where it has one (Debian's
  /usr/share/doc/PACKAGE/copyright), else they are listed as not found.

LICENSES/README.txt lists every component, its licence as its metadata names
it, and the files that hold the text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

TEXTS = Path(__file__).with_name("texts")

# The runtime's Python distributions; PyInstaller's bootloader starts every app.
DISTRIBUTIONS = ("pygame-ce", "PyYAML", "platformdirs", "budoux",
                 "noto-cjk-sans-jp-regular", "pyinstaller")
# Licence files inside a package's own files, for distributions that record none.
PACKAGE_LICENSE_FILES: dict[str, tuple[str, ...]] = {
    "pygame-ce": ("pygame/docs/generated/LGPL.txt",),
    "onnxruntime": ("onnxruntime/LICENSE", "onnxruntime/ThirdPartyNotices.txt"),
}
_APACHE = re.compile(r"apache[- ]?(license[- ]?)?(version[- ]?)?2", re.IGNORECASE)
_LICENSE_NAME = re.compile(r"^(licen[cs]e|copying|notice|authors|copyright)", re.IGNORECASE)

# File name (without `lib`, lower case) -> (component, the record in texts/).
NATIVE: tuple[tuple[str, str, str], ...] = (
    (r"sdl2[-.]", "SDL2", "libsdl2-2.0-0"),
    (r"sdl2_image", "SDL2_image", "libsdl2-image-2.0-0"),
    (r"sdl2_mixer", "SDL2_mixer", "libsdl2-mixer-2.0-0"),
    (r"sdl2_ttf", "SDL2_ttf", "libsdl2-ttf-2.0-0"),
    (r"flac", "FLAC", "libflac12"),
    (r"asound", "alsa-lib", "libasound2"),
    (r"brotli", "Brotli", "libbrotli1"),
    (r"fluidsynth", "FluidSynth", "libfluidsynth3"),
    (r"freetype", "FreeType", "libfreetype6"),
    (r"harfbuzz", "HarfBuzz", "libharfbuzz0b"),
    (r"(turbo)?jpeg", "libjpeg-turbo", "libjpeg62-turbo"),
    (r"mpg123", "mpg123", "libmpg123-0"),
    (r"ogg[-.]", "libogg", "libogg0"),
    (r"opus[-.]", "Opus", "libopus0"),
    (r"opusfile", "opusfile", "libopusfile0"),
    (r"png", "libpng", "libpng16-16"),
    (r"portmidi", "PortMidi", "libportmidi0"),
    (r"(sharpyuv|webp)", "libwebp", "libwebp7"),
    (r"sndfile", "libsndfile", "libsndfile1"),
    (r"tiff", "LibTIFF", "libtiff6"),
    (r"vorbis", "libvorbis", "libvorbis0a"),
    (r"wavpack", "WavPack", "libwavpack1"),
    (r"xmp", "libxmp", "libxmp4"),
)
_SHARED = re.compile(r"\.(so(\.\d+)*|dll|dylib)$", re.IGNORECASE)
_EXTENSION = re.compile(r"\.(cpython-|abi3|pypy)|\.pyd$", re.IGNORECASE)
_PYTHON_LIB = re.compile(r"^(lib)?python\d", re.IGNORECASE)


@dataclass
class Component:
    """One bundled component and where its licence text was put in LICENSES/."""

    name: str
    version: str
    licence: str
    texts: list[str] = field(default_factory=list)  # paths relative to LICENSES/
    files: list[str] = field(default_factory=list)  # the bundled files it covers (natives)


@dataclass
class Licences:
    """What write_licences found: components with texts, and those without."""

    components: list[Component]
    missing: list[str]


def write_licences(app_dir: Path, dest: Path, extra: Sequence[str] = ()) -> Licences:
    """Fill `dest` (LICENSES/) for the app in `app_dir`; `extra`: more distributions."""
    dest.mkdir(parents=True, exist_ok=True)
    components: list[Component] = [_python(dest)]
    missing: list[str] = []
    for name in DISTRIBUTIONS:
        components.append(_distribution(name, dest))
    # An extra's distributions (--with-voice) cover the libraries their wheels carry
    # (numpy's LICENSE.txt, for one, holds the texts of the OpenBLAS and GCC runtime it ships).
    shipped: dict[str, Component] = {}
    for name in extra:
        comp = _distribution(name, dest)
        components.append(comp)
        shipped.update(dict.fromkeys(_library_names(name), comp))
    native, unknown = _native(_shared_libraries(app_dir), dest)
    components += native
    for lib in unknown:
        if lib in shipped:
            shipped[lib].files.append(lib)
            continue
        found = _system_record(lib, dest)
        if found is None:
            missing.append(lib)
        else:
            components.append(found)
    missing += [c.name for c in components if not c.texts]
    (dest / "README.txt").write_text(index_text(components, missing), encoding="utf-8")
    return Licences(components, missing)


def _python(dest: Path) -> Component:
    """Python's own LICENSE.txt (it also covers the standard library it ships)."""
    version = ".".join(map(str, sys.version_info[:3]))
    comp = Component("Python", version, "PSF-2.0 (Python Software Foundation License)")
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    short = f"{sys.version_info[0]}.{sys.version_info[1]}"
    for candidate in (stdlib / "LICENSE.txt", Path(sys.base_prefix) / "LICENSE.txt",
                      Path(f"/usr/share/doc/python{short}/copyright")):
        if candidate.is_file():
            comp.texts.append(_copy(candidate, dest / "Python", "LICENSE.txt"))
            break
    return comp


def _distribution(name: str, dest: Path) -> Component:
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return Component(name, "?", "not installed")
    comp = Component(dist.metadata["Name"] or name, dist.version, _licence_name(dist))
    folder = dest / comp.name
    for source in _licence_files(dist, name):
        # Kept at its path under the record's licenses/ (numpy has a dozen LICENSE files).
        rel = _licence_rel(source)
        comp.texts.append(_copy(source, folder / rel.parent, rel.name, base=dest))
    if not comp.texts and _APACHE.search(comp.licence):
        # A distribution that names the Apache License 2.0 but ships no text of it
        # (flatbuffers): the licence's own text, which the licence asks to be given.
        comp.texts.append(_copy(TEXTS / "Apache-2.0.txt", folder, "Apache-2.0.txt", base=dest))
    return comp


def _licence_rel(source: Path) -> Path:
    """A licence file's path below its record's licenses/ folder, else its name."""
    parts = source.parts
    for i in range(len(parts) - 1, 0, -1):
        if parts[i] == "licenses" and parts[i - 1].endswith(".dist-info"):
            return Path(*parts[i + 1:])
    return Path(source.name)


def _library_names(name: str) -> set[str]:
    """File names of the shared libraries a distribution installed."""
    try:
        files = metadata.distribution(name).files or ()
    except metadata.PackageNotFoundError:
        return set()
    return {f.parts[-1] for f in files if f.parts and _SHARED.search(f.parts[-1])}


def _licence_name(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    for key in ("License-Expression", "License"):
        value = (meta.get(key) or "").strip()
        if value and "\n" not in value and len(value) < 200:
            return value
    classifiers = [c.rsplit("::", 1)[-1].strip() for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::")]
    return "; ".join(classifiers) or "see the text"


def _licence_files(dist: metadata.Distribution, name: str) -> list[Path]:
    found: dict[Path, None] = {}
    for entry in dist.files or ():
        parts = entry.parts
        in_info = any(p.endswith(".dist-info") for p in parts[:-1])
        if in_info and ("licenses" in parts[:-1] or _LICENSE_NAME.match(parts[-1])):
            found.setdefault(Path(str(dist.locate_file(entry))), None)
    for listed in dist.metadata.get_all("License-File") or ():
        for base in ("licenses/", ""):
            path = Path(str(dist.locate_file(f"{_info_dir(dist)}/{base}{listed}")))
            if path.is_file():
                found.setdefault(path, None)
                break
    if not found:
        for rel in PACKAGE_LICENSE_FILES.get(name, ()):
            path = Path(str(dist.locate_file(rel)))
            if path.is_file():
                found.setdefault(path, None)
    return [p for p in found if p.is_file()]


def _info_dir(dist: metadata.Distribution) -> str:
    for entry in dist.files or ():
        if entry.parts and entry.parts[0].endswith(".dist-info"):
            return entry.parts[0]
    return ""


def _shared_libraries(app_dir: Path) -> list[Path]:
    """The native libraries in the app (symlinks to them left out), not Python extensions."""
    return sorted(p for p in app_dir.rglob("*")
                  if p.is_file() and not p.is_symlink() and _SHARED.search(p.name)
                  and not _EXTENSION.search(p.name))


def _native(libs: Iterable[Path], dest: Path) -> tuple[list[Component], list[str]]:
    """pygame-ce's bundled libraries matched to texts/; the names left unmatched."""
    by_name: dict[str, Component] = {}
    unknown: list[str] = []
    for lib in libs:
        key = lib.name.lower().removeprefix("lib")
        match = next((row for row in NATIVE if re.match(row[0], key)), None)
        if match is None:
            if not _PYTHON_LIB.match(lib.name):  # libpython: Python's licence, above
                unknown.append(lib.name)
            continue
        _, component, record = match
        comp = by_name.get(component)
        if comp is None:
            text = TEXTS / f"{record}.copyright"
            comp = Component(component, "bundled with pygame-ce", debian_licence(text))
            comp.texts.append(_copy(text, dest / "native", f"{component}.txt"))
            by_name[component] = comp
        comp.files.append(lib.name)
    if by_name:
        _copy(TEXTS / "SOURCES.txt", dest / "native", "SOURCES.txt")
    return list(by_name.values()), unknown


def debian_licence(record: Path) -> str:
    """The `License:` of a Debian copyright file's `Files: *` stanza ('see the text' if none)."""
    stanza = False
    for line in record.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("Files:"):
            stanza = line.split(":", 1)[1].strip() == "*"
        elif stanza and line.startswith("License:"):
            return line.split(":", 1)[1].strip() or "see the text"
        elif not line.strip():
            stanza = False
    return "see the text"


_LIB_DIRS = ("/lib", "/usr/lib", "/lib64", "/usr/lib64")


def _system_record(name: str, dest: Path) -> Component | None:
    """A system library's licence from the build machine's package records (Debian's)."""
    if shutil.which("dpkg-query") is None:
        return None
    for source in _system_candidates(name):
        try:
            out = subprocess.run(["dpkg-query", "-S", str(source)], capture_output=True,
                                 text=True, timeout=10, check=False).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        package = out.split(":", 1)[0].strip() if out else ""
        record = Path("/usr/share/doc") / package / "copyright"
        if package and record.is_file():
            comp = Component(package, _package_version(package), debian_licence(record))
            comp.texts.append(_copy(record, dest / "system", f"{package}.copyright"))
            comp.files.append(name)
            return comp
    return None


def _system_candidates(name: str) -> list[Path]:
    arch = sysconfig.get_config_var("MULTIARCH") or ""
    dirs = [Path(d) / arch for d in _LIB_DIRS if arch] + [Path(d) for d in _LIB_DIRS]
    return [d / name for d in dirs if (d / name).exists()]


def _package_version(package: str) -> str:
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True,
                              text=True, timeout=10, check=False).stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def _copy(source: Path, folder: Path, name: str, base: Path | None = None) -> str:
    """Copy into `folder`; the copy's path relative to `base` (default: folder's parent)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, folder / name)
    return (folder / name).relative_to(base if base is not None else folder.parent).as_posix()


def index_text(components: Sequence[Component], missing: Sequence[str]) -> str:
    """LICENSES/README.txt: every component, its licence and where its text is."""
    lines = ["Licences of the components this app carries", "",
             "Each component is listed with its licence as its own records name it and",
             "the file(s) in this folder holding the licence text.", ""]
    for comp in components:
        lines.append(f"{comp.name} {comp.version}: {comp.licence}")
        if comp.files:
            lines.append(f"    files: {', '.join(sorted(comp.files))}")
        lines.append(f"    text: {', '.join(comp.texts) if comp.texts else 'not found'}")
    lines += ["", "The LGPL-licensed libraries (pygame-ce and some that SDL loads) are",
              "separate files in the app's _internal folder and may be replaced.",
              "The full LGPL 2.1 text is pygame-ce/LGPL.txt."]
    if missing:
        lines += ["", "No licence text was found on the machine that built this app for:",
                  *(f"    {name}" for name in missing)]
    return "\n".join(lines) + "\n"
