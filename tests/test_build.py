"""`chatlog-vn build`: the demo frozen once per session (PyInstaller), then started as a reader
would, with a clean environment; refusals; the zip; the licences; the pieces it is made of."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from engine.bundle import archive, launch, plan
from engine.bundle.freeze import _check_replaceable, executable_path, player_modules
from engine.cli import main
from engine.manifest import load_story, story_id
from engine.marksfile import MarksFile
from engine.model import Story

ROOT = Path(__file__).resolve().parents[1]
ICON = "assets/images/mio-smile.png"
BLOCK = "--- LOG START --- 2024.11.29 19:42\nMIO: こんばんは。<br>\nTAKU: 起きてる？<br>\n--- LOG END ---\n"


def _demo_copy(dest: Path) -> Path:
    """The repository's demo (scripts/ and assets/) in `dest`, with a window icon."""
    shutil.copytree(ROOT / "scripts", dest / "scripts")
    shutil.copytree(ROOT / "assets", dest / "assets")
    manifest = dest / "scripts" / "story.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + f"\nicon: {ICON}\n",
                        encoding="utf-8")
    return dest


def _clean_env(home: Path) -> dict[str, str]:
    """What `env -i` leaves, plus what a reader's desktop session would have."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home),
            "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}


def _snapshot(folder: Path) -> dict[str, tuple[int, int, float]]:
    return {p.relative_to(folder).as_posix(): (p.lstat().st_mode, p.lstat().st_size,
                                               p.lstat().st_mtime)
            for p in folder.rglob("*")}


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The demo built once: (story folder, output folder, the build's output, app folder)."""
    base = tmp_path_factory.mktemp("build")
    story_dir = _demo_copy(base / "灯台の町")
    out = base / "out"
    # Relative paths, as a writer types them.
    result = subprocess.run([sys.executable, "-m", "engine", "build", f"{story_dir.name}/scripts",
                             "-o", "out"], cwd=base, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    story = load_story(story_dir / "scripts")
    app = out / plan.app_name(story.title)
    return story_dir, out, result, app, story


def _start(app: Path, story: Story, home: Path, *args: str) -> subprocess.CompletedProcess:
    exe = executable_path(app, plan.app_name(story.title))
    return subprocess.run([str(exe), *args], env=_clean_env(home), cwd=home,
                          capture_output=True, text=True, timeout=120)


# --- the built app, started as a reader would -------------------------------------------------


def test_the_build_says_where_the_app_and_zip_are(built) -> None:
    _, out, result, app, story = built
    assert "check: " in result.stderr  # check ran first, as `chatlog-vn check` prints
    assert f"{app}  (" in result.stdout and f"{out / (app.name + '.zip')}  (" in result.stdout
    assert app.name == story.title == "灯を運ぶ夜"
    assert (app / "README.txt").is_file() and (app / "LICENSES" / "README.txt").is_file()
    assert os.access(executable_path(app, app.name), os.X_OK)


def test_the_app_reads_the_whole_story_unattended_in_a_clean_environment(built, tmp_path) -> None:
    story_dir, _, _, app, story = built
    before = _snapshot(app)
    home = tmp_path / "home"
    home.mkdir()
    saves = tmp_path / "asked"
    run = _start(app, story, home, "--autoplay", "--quit-at-end", "--fast",
                 "--save-dir", str(saves))
    assert run.returncode == 0, run.stderr
    assert not list(home.rglob("*"))  # the folder asked for, and nowhere else
    assert _snapshot(app) == before  # the story inside is read, never written
    # The same read marks as the venv's player reading the same story to its end.
    venv_saves = tmp_path / "venv"
    ref = subprocess.run([sys.executable, "-m", "engine", "play", str(story_dir / "scripts"),
                          "--autoplay", "--quit-at-end", "--fast", "--save-dir", str(venv_saves)],
                         env={**os.environ, "HOME": str(home)}, capture_output=True, text=True,
                         timeout=120)
    assert ref.returncode == 0, ref.stderr
    marks = set(MarksFile(saves, read_only=True).load())
    assert marks == set(MarksFile(venv_saves, read_only=True).load())
    assert len(marks) > 100
    assert (saves / "auto.json").is_file()


def test_with_no_option_the_saves_go_to_the_story_s_own_save_folder(built, tmp_path) -> None:
    _, _, _, app, story = built
    run = _start(app, story, tmp_path, "--autoplay", "--quit-at-end", "--fast")
    assert run.returncode == 0, run.stderr
    folder = tmp_path / ".local" / "share" / "chatlog-vn" / "saves" / story_id(story)
    assert (folder / "read-marks.bin").is_file()  # as `chatlog-vn play` of the original would


def test_the_player_s_options_work_in_the_app(built, tmp_path) -> None:
    _, _, _, app, story = built
    run = _start(app, story, tmp_path, "--first-frame-exit", "--benchmark", "--view", "chat",
                 "--lang", "en", "--size", "640x360", "--save-dir", str(tmp_path / "s"))
    assert run.returncode == 0, run.stderr
    assert "first message frame:" in run.stdout
    bad = _start(app, story, tmp_path, "--size", "10x10")
    assert bad.returncode == 2 and "out of range" in bad.stderr
    assert "--watch" not in _start(app, story, tmp_path, "--help").stdout  # writers' options


def test_the_app_carries_the_story_its_fonts_and_its_icon(built) -> None:
    story_dir, _, _, app, _ = built
    data = app / "_internal"
    info = json.loads((data / plan.BUNDLE_FILE).read_text(encoding="utf-8"))
    carried = data / info["story"]
    assert carried == data / "story" / story_dir.name
    for rel in ("scripts/story.yaml", "scripts/01-yoru.log", ICON, "assets/music/yoru.wav"):
        assert (carried / rel).read_bytes() == (story_dir / rel).read_bytes()
    assert list(data.rglob("NotoSansCJKjp-Regular.otf"))
    copy = load_story(carried)
    assert copy.icon == (carried / ICON).resolve()
    assert not list(data.glob("engine/commands/check*"))  # writer tools stay out


def test_the_test_tools_and_their_start_up_hooks_stay_out_of_the_app(built, tmp_path) -> None:
    # pytest is installed beside the engine here (the test extra); platformdirs' pytest plugin
    # would bring it, Pygments and pkg_resources, whose run-time hook runs at every start.
    from PyInstaller.archive.readers import CArchiveReader, ZlibArchiveReader

    _, _, _, app, story = built
    package = CArchiveReader(str(executable_path(app, plan.app_name(story.title))))
    assert "launch" in package.toc
    assert not {"pyi_rth_pkgres", "pyi_rth_multiprocessing"} & set(package.toc)
    pyz = tmp_path / "PYZ.pyz"
    pyz.write_bytes(package.extract("PYZ.pyz"))
    tops = {name.split(".")[0] for name in ZlibArchiveReader(str(pyz)).toc}
    assert {"engine", "pygame", "yaml", "platformdirs", "budoux"} <= tops
    assert not {"pytest", "_pytest", "pluggy", "pygments", "pkg_resources", "hypothesis",
                "multiprocessing", "fugashi", "pyopenjtalk", "numpy"} & tops
    assert not list((app / "_internal").glob("pluggy*"))

def test_the_zip_holds_the_same_files_with_their_modes(built) -> None:
    _, out, _, app, _ = built
    with zipfile.ZipFile(out / f"{app.name}.zip") as zf:
        entries = {i.filename.rstrip("/"): i for i in zf.infolist()}
        for path in app.rglob("*"):
            name = f"{app.name}/{path.relative_to(app).as_posix()}"
            info = entries.pop(name)
            st = path.lstat()
            assert archive.entry_mode(info) == (st.st_mode if not stat.S_ISDIR(st.st_mode)
                                                else st.st_mode & 0xFFFF), name
            if path.is_symlink():
                assert zf.read(info).decode() == os.readlink(path)
            elif path.is_file():
                assert zlib.crc32(path.read_bytes()) == info.CRC, name
        assert set(entries) == {app.name}  # and the top folder itself


def test_the_unzipped_app_starts(built, tmp_path) -> None:
    _, out, _, app, story = built
    if shutil.which("unzip") is None:
        pytest.skip("no unzip command here")
    subprocess.run(["unzip", "-q", str(out / f"{app.name}.zip"), "-d", str(tmp_path)], check=True)
    run = _start(tmp_path / app.name, story, tmp_path, "--first-frame-exit",
                 "--save-dir", str(tmp_path / "s"))
    assert run.returncode == 0, run.stderr


def test_licenses_hold_every_bundled_component_s_text(built) -> None:
    _, _, _, app, _ = built
    index = (app / "LICENSES" / "README.txt").read_text(encoding="utf-8")
    for name in ("Python", "pygame-ce", "SDL2", "SDL2_ttf", "FreeType", "HarfBuzz", "PyYAML",
                 "platformdirs", "budoux", "noto-cjk-sans-jp-regular", "pyinstaller"):
        assert f"\n{name} " in index, name
    assert "No licence text was found" not in index
    font = (app / "LICENSES" / "noto-cjk-sans-jp-regular" / "LICENSE").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in font
    lgpl = (app / "LICENSES" / "pygame-ce" / "LGPL.txt").read_text(encoding="utf-8")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in lgpl and "Version 2.1" in lgpl
    for line in index.splitlines():
        if line.strip().startswith("text: "):
            for rel in line.split(": ", 1)[1].split(", "):
                assert (app / "LICENSES" / rel).stat().st_size > 500, rel


def test_readme_says_how_to_start_where_saves_go_and_the_keys(built) -> None:
    _, _, _, app, story = built
    text = (app / "README.txt").read_text(encoding="utf-8")
    assert text.startswith(story.title)  # ui_language: ja -> Japanese first
    assert f"./{app.name}" in text and story_id(story) in text
    assert "F5 / F9" in text and "クイックセーブ" in text and "quick save" in text


# --- refusals: nothing is written ---------------------------------------------------------------


def test_a_story_with_errors_is_refused_with_check_s_diagnostics(tmp_path, capsys) -> None:
    story = tmp_path / "story"
    story.mkdir()
    (story / "01.log").write_text(BLOCK, encoding="utf-8")
    (story / "story.yaml").write_text("title: 壊れた話\nview: chatt\n", encoding="utf-8")
    assert main(["check", str(story)]) == 1
    expected = capsys.readouterr()
    out = tmp_path / "out"
    assert main(["build", str(story), "-o", str(out)]) == 1
    got = capsys.readouterr()
    assert "YML005" in expected.out and got.out == expected.out
    assert "nothing was built" in got.err
    assert not out.exists()


def test_without_pyinstaller_the_command_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "PyInstaller" else real(name, *a))
    assert main(["build", str(ROOT / "scripts"), "-o", str(tmp_path / "out")]) == 2
    assert "chatlog-vn[build]" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_with_voice_says_the_voice_extra_is_not_installed(tmp_path, monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "pyopenjtalk" else real(name, *a))
    assert main(["build", str(ROOT / "scripts"), "-o", str(tmp_path / "out"), "--with-voice"]) == 2
    err = capsys.readouterr().err
    assert "the voice extra is not installed" in err and "chatlog-vn[voice]" in err
    assert not (tmp_path / "out").exists()


def test_a_folder_in_the_way_that_is_not_a_build_is_not_replaced(tmp_path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(plan.BuildError, match="not an app built by chatlog-vn"):
        _check_replaceable(tmp_path / "mine")
    (tmp_path / "old" / "_internal").mkdir(parents=True)
    (tmp_path / "old" / "_internal" / plan.BUNDLE_FILE).write_text("{}", encoding="utf-8")
    _check_replaceable(tmp_path / "old")  # an earlier build: replaced
    _check_replaceable(tmp_path / "absent")


# --- the pieces -------------------------------------------------------------------------------


@pytest.mark.parametrize(("title", "name"), [
    ("灯を運ぶ夜", "灯を運ぶ夜"),
    ("Who? Me: a/b\\c", "Who_ Me_ a_b_c"),
    ("  trailing dots...  ", "trailing dots"),
    ("CON", "CON_"),
    ("nul.txt", "nul.txt_"),
    ("???", "story"),
    ("", "story"),
    ("a\tb\n c", "a b c"),
    ("ｶﾞ", "ｶﾞ"),
])
def test_app_name_is_a_safe_file_name(title: str, name: str) -> None:
    assert plan.app_name(title) == name


def test_app_names_are_bounded() -> None:
    assert len(plan.app_name("長" * 500)) == plan.MAX_NAME


def test_story_files_are_what_the_story_uses_and_exist(tmp_path) -> None:
    story = load_story(ROOT / "scripts")
    files = {p.relative_to(story.root.resolve()).as_posix() for p in plan.story_files(story)}
    assert {"scripts/story.yaml", "scripts/01-yoru.log", "assets/images/mio-sad.png",
            "assets/sounds/taku.wav", "assets/music/asa.wav"} <= files
    assert not any(f.startswith(("engine/", "tests/", "docs/")) for f in files)


def test_the_story_s_voices_and_recorded_lines_are_carried(tmp_path) -> None:
    root = tmp_path / "story"
    (root / "voices" / "rec" / "01").mkdir(parents=True)
    (root / "01.log").write_text(BLOCK, encoding="utf-8")
    (root / "voices" / "narr.htsvoice").write_bytes(b"hts")
    (root / "voices" / "mio.htsvoice").write_bytes(b"hts")
    (root / "voices" / "rec" / "01" / "2.ogg").write_bytes(b"OggS")
    (root / "voices" / "rec" / "01" / "3.wav").write_bytes(b"RIFF")
    (root / "voices" / "rec" / "01" / "notes.txt").write_text("not a recording")
    (root / "voices" / "rec" / "01" / "4.wav").symlink_to("3.wav")  # found by its own name
    (root / "story.yaml").write_text(
        "title: 声\nvoice:\n  narrator: {speaker: voices/narr.htsvoice}\n"
        "  recorded: voices/rec\ncharacters:\n  MIO: {voice: {speaker: voices/mio.htsvoice}}\n"
        "  TAKU: {}\n", encoding="utf-8")
    story = load_story(root)
    files = {p.relative_to(root.resolve()).as_posix() for p in plan.story_files(story)}
    assert {"voices/narr.htsvoice", "voices/mio.htsvoice", "voices/rec/01/2.ogg",
            "voices/rec/01/3.wav", "voices/rec/01/4.wav"} <= files
    assert "voices/rec/01/notes.txt" not in files
    target = plan.copy_story(story, root, tmp_path / "data")
    assert (target / "voices" / "rec" / "01" / "4.wav").read_bytes() == b"RIFF"
    copy = load_story(target)
    assert copy.voice.recorded == (target / "voices" / "rec").resolve()

def test_a_one_file_story_is_carried_as_that_file(tmp_path) -> None:
    (tmp_path / "話.log").write_text(BLOCK, encoding="utf-8")
    (tmp_path / "other.log").write_text(BLOCK, encoding="utf-8")
    story = load_story(tmp_path / "話.log")
    target = plan.copy_story(story, tmp_path / "話.log", tmp_path / "data")
    assert target == tmp_path / "data" / "story" / tmp_path.name / "話.log"
    assert not (target.parent / "other.log").exists()
    assert story_id(load_story(target)) == story_id(story)


def test_read_bundle_refuses_a_damaged_or_escaping_record(tmp_path) -> None:
    with pytest.raises(ValueError, match="cannot be read"):
        launch.read_bundle(tmp_path)
    (tmp_path / plan.BUNDLE_FILE).write_text('{"format": 1, "story": "../x"}', encoding="utf-8")
    with pytest.raises(ValueError, match="names no story"):
        launch.read_bundle(tmp_path)
    (tmp_path / plan.BUNDLE_FILE).write_text('{"format": 9, "story": "s"}', encoding="utf-8")
    with pytest.raises(ValueError, match="format"):
        launch.read_bundle(tmp_path)


def test_a_damaged_app_says_so(tmp_path, capsys) -> None:
    assert launch.main([], base=tmp_path) == 2
    assert "this app is damaged" in capsys.readouterr().err


def test_zip_keeps_run_bits_symlinks_and_empty_folders(tmp_path) -> None:
    app = tmp_path / "App"
    (app / "lib").mkdir(parents=True)
    (app / "empty").mkdir()
    (app / "run").write_bytes(b"#!/bin/sh\necho hi\n")
    (app / "run").chmod(0o755)
    (app / "lib" / "libx.so.1").write_bytes(b"\x7fELF" + bytes(1000))
    (app / "libx.so.1").symlink_to("lib/libx.so.1")
    made = archive.zip_folder(app, tmp_path / "App.zip")
    with zipfile.ZipFile(made) as zf:
        info = {i.filename: i for i in zf.infolist()}
    assert stat.S_IMODE(archive.entry_mode(info["App/run"])) == 0o755
    assert stat.S_ISLNK(archive.entry_mode(info["App/libx.so.1"]))
    assert "App/empty/" in info
    assert not list(tmp_path.glob(".*partial"))
    if shutil.which("unzip"):
        subprocess.run(["unzip", "-q", str(made), "-d", str(tmp_path / "x")], check=True)
        assert os.access(tmp_path / "x" / "App" / "run", os.X_OK)
        assert (tmp_path / "x" / "App" / "libx.so.1").is_symlink()


def test_the_player_s_modules_are_named_and_the_writer_tools_are_not() -> None:
    modules = player_modules()
    assert {"engine.commands.play", "engine.app.chat", "engine.app.title", "engine.bundle.launch",
            "engine.app.settings_screen"} <= set(modules)
    assert "engine.commands.check" not in modules and "engine.cli" not in modules


@pytest.mark.skipif(not Path("/proc/self/comm").exists(), reason="Linux /proc")
def test_first_frame_is_timed_from_process_start_under_a_japanese_executable_name() -> None:
    # A built app's process is named after the story's title; --benchmark's "first message
    # frame ... after process start" must still count from the process's start, not fall
    # back to the time since the player was imported (here 0.3 s later than the start).
    code = """if True:
        import os, time
        with open("/proc/self/comm", "w", encoding="utf-8") as f:
            f.write("灯を運ぶ夜")
        time.sleep(0.3)
        from engine.commands.play import _since_process_start
        print(_since_process_start())
    """
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert float(out) >= 0.3


@pytest.mark.skipif(importlib.util.find_spec("pyopenjtalk") is None, reason="no voice extra")
def test_with_voice_every_distribution_the_voice_brings_is_listed() -> None:
    from engine.bundle import extras
    from engine.bundle.freeze import _voice_names

    names = {extras.normalize(n) for n in _voice_names()}
    assert {"pyopenjtalk-plus", "numpy", "sudachipy", "sudachidict-core", "pydantic"} <= names
    assert not {"pygame-ce", "pyyaml", "platformdirs", "budoux", "pyinstaller"} & names
    assert "marine-plus" not in names  # an extra of pyopenjtalk-plus the voice does not ask for


def test_requirement_markers_are_evaluated_for_the_extra_asked() -> None:
    from engine.bundle import extras

    assert extras._applies('numpy>=1; extra == "voice"', "voice")
    assert not extras._applies('numpy>=1; extra == "voice"', "")
    assert not extras._applies('x; python_version < "3.0"', "")
    assert extras._has_extra('pyopenjtalk-plus[onnxruntime]; extra == "voice"', "voice")
    assert not extras._has_extra('pytest; extra == "test"', "voice")


@pytest.mark.skipif(importlib.util.find_spec("numpy") is None
                    or importlib.util.find_spec("onnxruntime") is None
                    or importlib.util.find_spec("flatbuffers") is None, reason="no voice extra")
def test_extra_licences_keep_every_file_and_give_apache_its_text(tmp_path) -> None:
    from engine.bundle.licenses import write_licences

    app = tmp_path / "app"
    app.mkdir()
    found = write_licences(app, tmp_path / "LICENSES", ("numpy", "onnxruntime", "flatbuffers"))
    by_name = {c.name: c for c in found.components}
    numpy_texts = by_name["numpy"].texts
    assert len(numpy_texts) == len(set(numpy_texts)) > 5  # nested LICENSE files not overwritten
    assert "numpy/numpy/linalg/lapack_lite/LICENSE.txt" in numpy_texts
    assert "onnxruntime/LICENSE" in by_name["onnxruntime"].texts
    flat = tmp_path / "LICENSES" / by_name["flatbuffers"].texts[0]
    assert "Apache License" in flat.read_text(encoding="utf-8")
    assert not {"numpy", "onnxruntime", "flatbuffers"} & set(found.missing)


def test_pyinstaller_is_asked_for_one_folder_and_strips_only_without_the_voice(tmp_path) -> None:
    from engine.bundle.freeze import pyinstaller_args

    story = load_story(ROOT / "scripts")
    plain = pyinstaller_args("app", tmp_path / "e.py", tmp_path, tmp_path, story, voice=False)
    voiced = pyinstaller_args("app", tmp_path / "e.py", tmp_path, tmp_path, story, voice=True)
    assert "--onedir" in plain and "--onefile" not in plain
    excluded = {plain[i + 1] for i, a in enumerate(plain) if a == "--exclude-module"}
    assert {"pyopenjtalk", "numpy", "pytest", "platformdirs.pytest_plugin", "fugashi"} <= excluded
    assert ("--strip" in plain) == sys.platform.startswith("linux")
    # Stripped, numpy's OpenBLAS does not load: the voice would fail in the app.
    assert "--strip" not in voiced
    assert voiced[voiced.index("--collect-all") + 1] == "pyopenjtalk"
    assert "numpy" not in {voiced[i + 1] for i, a in enumerate(voiced) if a == "--exclude-module"}


def test_a_built_app_says_an_extra_was_left_out_instead_of_how_to_pip_install_it() -> None:
    # In a fresh process, as in the app: launch registers before the screens do.
    code = """if True:
        from engine.bundle.launch import reader_texts
        reader_texts()
        import engine.app.view, engine.app.settings_screen
        from engine.app.i18n import set_language, tr
        for lang in ("ja", "en"):
            set_language(lang)
            print(tr("voice_missing"), tr("help_self_voicing_missing"),
                  tr("help_learn_missing", missing="fugashi"), sep="|")
    """
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "PYGAME_HIDE_SUPPORT_PROMPT": "1"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True, env=env).stdout
    assert "pip" not in out and out.count("このアプリ") == 3 and out.count("This app") == 3


def test_the_readme_lists_v_only_when_the_app_carries_the_voice() -> None:
    from engine.bundle.readme import readme_text

    plain = readme_text("話", "話", "id", "linux", "ja")
    voiced = readme_text("話", "話", "id", "linux", "ja", voice=True)
    assert "読み上げ" not in plain and "読み上げのオン・オフ" in voiced and "read aloud" in voiced
