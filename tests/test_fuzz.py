"""Hostile scripts never reach a traceback (issue 17, item 10).

About two hundred mutants (180 of the sample script and the demo's three
scripts, 24 of the demo's story.yaml) made on a fixed seed: bytes flipped,
files cut short, stray and nested ruby tags, nested wrapper tags, NUL,
invalid UTF-8, combining marks, other encodings and line ends, very long
lines, markers taken out or doubled. For each, `check` and `dump` must end
with their diagnostics (exit 0, 1 or 2, never the internal error, 3), the
parser must place every problem and message inside the file, and the player
must show and advance through the first messages headless in the text box
(every third mutant in the chat view too, every sixth also as a live reload,
`play --watch`, of the script it came from). A failure names the mutant and
keeps its file in the test's tmp folder, to run `chatlog-vn check` on it.
"""

from __future__ import annotations

import json
import random
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pygame
import pytest

from engine import logformat
from engine.app.app import App, PlayOptions, Session
from engine.app.i18n import set_language
from engine.cli import main
from engine.commands import check as check_command
from engine.manifest import StoryError, load_story, story_id
from engine.preferences import Preferences
from engine.render import FontSet
from engine.runtime import EmptyStoryError, Runtime
from engine.saves import ReadMarks, SaveStore

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "fixtures" / "app" / "sample.log"
DEMO = sorted((ROOT / "scripts").glob("*.log"))
SEED = 17
SCRIPT_MUTANTS = 180
YAML_MUTANTS = 24
PLAYED = 2  # messages shown and advanced past per mutant

Mutator = Callable[[random.Random, bytes], bytes]

TAGS = (b"<ruby>", b"</ruby>", b"<rt>", b"</rt>", b"<rp>", b"</rp>", b"<rb>", b"</rb>",
        b"<br>", b"<br/>", b"<pre>", b"</pre>", b"<code>", b"</code>", b"<", b">", b"</",
        b"&", b"&#", b"&#x;", b"&#1114112;", b"&#xD800;", b"&#0;", b"&amp", b"&nbsp;",
        b"--- LOG START ---", b"--- LOG END ---", b"--- LOG START --- 9999.99.99 99:99",
        b"\n--- LOG START --- 2024.12.20 20:28<br>\n", b"\n--- LOG END ---\n",
        "（".encode(), "）".encode(), "：".encode(), b":", b"A:", b"\t", b" ")
BAD_UTF8 = (b"\xff", b"\xfe", b"\xc3", b"\xe3\x81", b"\xed\xa0\x80", b"\xc0\xaf",
            b"\xf4\x90\x80\x80", b"\x80\x80", b"\xef\xbb\xbf")
COMBINING = ("\u0301", "\u3099", "\u200d", "\ufe0f", "\u202e", "\u0000", "\ufeff")


def _at(rng: random.Random, data: bytes) -> int:
    return rng.randrange(len(data) + 1)


def _insert(rng: random.Random, data: bytes, piece: bytes) -> bytes:
    i = _at(rng, data)
    return data[:i] + piece + data[i:]


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 24)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[:_at(rng, data)]


def stray_tags(rng: random.Random, data: bytes) -> bytes:
    for _ in range(rng.randint(1, 12)):
        data = _insert(rng, data, rng.choice(TAGS))
    return data


def nested_ruby(rng: random.Random, data: bytes) -> bytes:
    depth = rng.choice((2, 3, 50, 500, 3_000))
    closers = rng.choice((0, 1, depth))
    piece = b"<ruby>" * depth + "空".encode() + b"<rt>\xe3\x81\x9d</rt></ruby>" * closers
    if rng.random() < 0.5:
        piece = b"<ruby>x<rt>" * depth + b"y" + b"</rt></ruby>" * closers
    return _insert(rng, data, piece)


def nested_wrappers(rng: random.Random, data: bytes) -> bytes:
    depth = rng.choice((3, 100, 2_000, 8_000))
    tag = rng.choice((b"<pre>", b"<code>", b'<pre class="uk-pre">', b"<div>", b"<span>"))
    close = b"</" + tag[1:].split(b" ")[0].rstrip(b">") + b">"
    if rng.random() < 0.5:  # around the whole file, as a pasted page is
        return tag * depth + data + close * rng.choice((0, depth))
    return _insert(rng, data, tag * depth + b"x" + close * rng.choice((0, 1, depth)))


def nul_bytes(rng: random.Random, data: bytes) -> bytes:
    for _ in range(rng.randint(1, 8)):
        data = _insert(rng, data, b"\x00" * rng.choice((1, 1, 3, 1000)))
    return data


def invalid_utf8(rng: random.Random, data: bytes) -> bytes:
    for _ in range(rng.randint(1, 8)):
        data = _insert(rng, data, rng.choice(BAD_UTF8))
    return data


def combining_marks(rng: random.Random, data: bytes) -> bytes:
    mark = rng.choice(COMBINING)
    return _insert(rng, data, (mark * rng.choice((1, 30, 2_000))).encode("utf-8", "surrogatepass"))


def long_line(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    talk = [i for i, line in enumerate(lines) if b":" in line] or [0]
    i = rng.choice(talk)
    size = rng.choice((3_000, 20_000, 60_000))
    filler = rng.choice(("あいうえお、かきくけこ。", "ruby ", "<ruby>漢<rt>かん</rt></ruby>", "――……"))
    text = (filler * (size // len(filler) + 1))[:size].encode()
    lines[i] = lines[i].removesuffix(b"<br>") + text + (b"<br>" if rng.random() < 0.7 else b"")
    return b"\n".join(lines)


def other_encoding(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    codec = rng.choice(("shift_jis", "euc_jp", "utf-16", "utf-16-le", "cp932", "latin-1"))
    raw = text.encode(codec, "replace")
    return raw[:_at(rng, raw)] if rng.random() < 0.3 else raw


def line_ends(rng: random.Random, data: bytes) -> bytes:
    return data.replace(b"\n", rng.choice((b"\r\n", b"\r", b"\n\n", b"\x0b", b"\x85",
                                           "\u2028".encode(), b"")))


def markers(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    marked = [i for i, line in enumerate(lines) if b"--- LOG" in line]
    for i in rng.sample(marked, k=min(len(marked), rng.randint(1, 3))):
        lines[i] = rng.choice((b"", lines[i] * 2, lines[i][: len(lines[i]) // 2],
                               lines[i].replace(b"START", b"END"), lines[i].replace(b"END", b"START")))
    if rng.random() < 0.5:
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(lines))
    return b"\n".join(lines)


def shuffle_lines(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    rng.shuffle(lines)
    return b"\n".join(lines)


MUTATORS: tuple[Mutator, ...] = (
    flip_bytes, truncate, stray_tags, nested_ruby, nested_wrappers, nul_bytes, invalid_utf8,
    combining_marks, long_line, other_encoding, line_ends, markers, shuffle_lines,
)


SOURCES = [SAMPLE, *DEMO]


def script_mutants(count: int, seed: int = SEED) -> Iterator[tuple[str, bytes]]:
    """(name, bytes): each source in turn, one to three mutators each, on a fixed seed."""
    rng = random.Random(seed)
    sources = SOURCES
    originals = {p.name: p.read_bytes() for p in sources}
    for n in range(count):
        name = sources[n % len(sources)].name
        data = originals[name]
        used = []
        for mutator in rng.sample(MUTATORS, k=rng.choice((1, 1, 2, 3))):
            data = mutator(rng, data)
            used.append(mutator.__name__)
        yield f"{n:03d}-{'+'.join(used)}-{name}", data


# --- what each mutant must survive ------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _check_and_dump(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(capsys, ["check", str(path)])
    assert code in (0, 1, 2) and "internal error" not in err, f"check {path}: {err[-800:]}"
    code, out, err = _cli(capsys, ["dump", str(path)])
    assert code in (0, 1) and "internal error" not in err, f"dump {path}: {err[-800:]}"
    json.loads(out)


def _parse(path: Path) -> None:
    """Parse; every diagnostic and message placed inside the file."""
    script = logformat.load(path)
    data = path.read_bytes()
    text, _ = logformat.decode(data, str(path))
    # The parser's lines (LF ends after decoding), or the raw file's for a refused one.
    lines = max((text or "").count("\n"), data.count(b"\n") + data.count(b"\r")) + 2
    for d in script.diagnostics:
        assert 1 <= d.pos.line <= lines and d.pos.col >= 1, f"{path}: {d.format()}"
        assert d.code in logformat.CODES, f"{path}: {d.format()}"
    for scene in script.scenes:
        for message in scene.messages:
            assert 1 <= message.pos.line <= lines, f"{path}: message at {message.pos}"


def _play(target: Path, saves: Path, chat: bool, fonts: object = None) -> None:
    """Show the first messages headless: draw, complete the text, advance; both views.

    `fonts`: a FontSet of the story's fonts already loaded (one player process
    loads them once; the mutants of a script share them to keep the test quick).
    """
    try:
        story = load_story(target)
        runtime = Runtime(story)
    except (StoryError, EmptyStoryError):
        return  # `play` refuses it with its own message (test_app_play_cli)
    session = Session(story=story, runtime=runtime, marks=ReadMarks(),
                      prefs=Preferences(), prefs_dir=saves, saves=SaveStore(saves),
                      story_id=story_id(story), options=PlayOptions(view="adv"))
    if fonts is not None and story.font is None and not story.fallback_fonts:
        session._fonts = fonts
    app = App(session)
    app.open_window()
    app.running = True
    app.start_reading()
    for view in ("adv", "chat") if chat else ("adv",):
        if view == "chat":
            app.session.options.view = "chat"
            app.start_reading()
        app.draw()  # the first frame: the typewriter's start
        for _ in range(PLAYED):
            reading = app.reading_screen()
            if reading is None:  # past the last message: the end of the story is shown
                break
            reading.complete = True
            app.draw()
            reading.forward()
            app.step(max_wait=0)


@pytest.fixture
def display():
    set_language("ja")
    pygame.display.init()
    yield
    pygame.display.quit()


def _reload(original: Path, mutant: Path, saves: Path, fonts: object) -> None:
    """`play --watch` saving a hostile edit: read the original to its third message, then
    swap the mutant in as live reload does (the place relocated by content) and go on."""
    story = load_story(original)
    session = Session(story=story, runtime=Runtime(story), marks=ReadMarks(),
                      prefs=Preferences(), prefs_dir=saves, saves=SaveStore(saves),
                      story_id=story_id(story), options=PlayOptions(view="adv"))
    session._fonts = fonts
    app = App(session)
    app.open_window()
    app.running = True
    app.start_reading()
    for _ in range(2):
        reading = app.reading_screen()
        reading.complete = True
        reading.forward()
    try:
        edited = load_story(mutant)
        session.replace_story(edited)
    except (StoryError, EmptyStoryError):
        return  # the overlay shows the errors; the old version plays on
    app.story_replaced()
    app.draw()
    reading = app.reading_screen()
    if reading is not None:
        reading.complete = True
        reading.forward()
        app.draw()


def _engine_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [f"{w.filename}:{w.lineno}: {w.message}" for w in caught
            if str(ROOT / "engine") in str(w.filename) or w.category is RuntimeWarning]


def test_mutated_scripts_never_raise(tmp_path: Path, capsys, display, monkeypatch) -> None:
    folder = tmp_path / "mutants"
    folder.mkdir()
    played = chats = 0
    # The default font, loaded once and shared by every check and play of the
    # mutants (none has a story.yaml naming another): most of a small check was
    # loading it and measuring its glyphs again.
    fonts = FontSet()
    own_fonts = check_command._fonts
    monkeypatch.setattr(check_command, "_fonts", lambda story: (
        fonts if story.font is None and not story.fallback_fonts else own_fonts(story)))
    for n, (name, data) in enumerate(script_mutants(SCRIPT_MUTANTS)):
        path = folder / name
        path.write_bytes(data)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _parse(path)
            _check_and_dump(path, capsys)
            chat = n % 3 == 0  # the chat view too: every third one
            _play(path, tmp_path / "saves", chat, fonts)
            if n % 6 == 1:  # and as an edit saved under `play --watch`
                _reload(SOURCES[n % len(SOURCES)], path, tmp_path / "saves", fonts)
        assert not _engine_warnings(caught), f"{path}: {_engine_warnings(caught)}"
        played += 1
        chats += chat
        path.unlink()  # kept only when it failed
    assert played == SCRIPT_MUTANTS and chats == -(-SCRIPT_MUTANTS // 3)


def test_mutated_story_yaml_never_raises(tmp_path: Path, capsys, display) -> None:
    """The demo with a mutated story.yaml (its assets beside it): check, then play."""
    shutil.copytree(ROOT / "assets", tmp_path / "assets")
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    manifest = tmp_path / "scripts" / "story.yaml"
    original = manifest.read_bytes()
    rng = random.Random(SEED)
    yaml_tags = (b"!!python/object:os.system", b"*a", b"&a ", b"<<: ", b"[", b"{", b"- ",
                 b": ", b"\t", b"'", b'"', b"../../etc/passwd", b"/dev/zero", b"~", b"!!binary ")
    for n in range(YAML_MUTANTS):
        data = original
        for mutator in rng.sample((flip_bytes, truncate, nul_bytes, invalid_utf8, line_ends,
                                   shuffle_lines, combining_marks), k=rng.choice((1, 2))):
            data = mutator(rng, data)
        for _ in range(rng.randint(0, 4)):
            data = _insert(rng, data, rng.choice(yaml_tags))
        manifest.write_bytes(data)
        code, _, err = _cli(capsys, ["check", str(tmp_path)])
        assert code in (0, 1, 2) and "internal error" not in err, \
            f"story.yaml mutant {n}: {err[-800:]}\n{data[:2000]!r}"
        _play(tmp_path, tmp_path / "saves", chat=n % 4 == 0)


def test_the_mutants_are_the_same_on_every_run() -> None:
    """A fixed seed: a failure is reproduced by its name alone."""
    first = [(name, len(data)) for name, data in script_mutants(30)]
    assert first == [(name, len(data)) for name, data in script_mutants(30)]
    assert len({name.split("-")[1] for name, _ in script_mutants(SCRIPT_MUTANTS)}) > 30
    kinds = {m for name, _ in script_mutants(SCRIPT_MUTANTS) for m in name.split("-")[1].split("+")}
    assert kinds == {m.__name__ for m in MUTATORS}  # every mutator is used


@pytest.mark.parametrize("piece", [
    b"<ruby>" * 30_000 + "空".encode() + b"<rt>x</rt></ruby>" * 30_000,
    b"<ruby>a<rt>" * 30_000 + b"b" + b"</rt></ruby>" * 30_000,
    b"<pre><code>" * 30_000,
    b"<span>" * 30_000 + b"x" + b"</span>" * 30_000,
    b"&amp;" * 30_000,
])
def test_nesting_depth_costs_no_stack(piece: bytes) -> None:
    """Nested ruby and wrapper tags are read without recursion: the parser runs with
    only a little more stack than a plain script needs, however deep the nesting."""
    import inspect
    import sys

    data = b"--- LOG START --- 2024.12.20 20:28<br>\nA: " + piece + b"<br>\n--- LOG END ---\n"
    wrapped = piece + b"\n" + data + b"</code></pre>" * 30_000
    logformat.parse("--- LOG START --- 2024.12.20 20:28<br>\nA: x<br>\n--- LOG END ---\n")
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 150)
    try:
        for raw in (data, wrapped):
            text, _ = logformat.decode(raw, "deep.log")
            script = logformat.parse(text or "", "deep.log")
            assert script.diagnostics or script.scenes
    finally:
        sys.setrecursionlimit(old)
