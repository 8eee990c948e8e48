"""The story manifest (engine.manifest): story.yaml keys, diagnostics with lines, safety, layouts."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine.manifest import (
    PALETTE,
    StoryError,
    default_color,
    find_story,
    load_story,
    resolve_asset,
    story_id,
)
from engine.model import LayoutOptions, Story
from tests.asset_samples import font_bytes

REPO = Path(__file__).resolve().parent.parent
STORIES = Path(__file__).resolve().parent / "fixtures" / "stories"
LOG = "--- LOG START --- {stamp}\n{body}\n--- LOG END ---\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def block(body: str, stamp: str = "2025.03.14 21:05") -> str:
    return LOG.format(stamp=stamp, body=body)


def codes(story: Story) -> list[tuple[int, str]]:
    return sorted((d.pos.line, d.code) for d in story.diagnostics)


# --- every key -----------------------------------------------------------------


def test_full_manifest_reads_every_key() -> None:
    root = STORIES / "full"
    story = load_story(root)
    assert story.diagnostics == ()
    assert story.root == root.resolve()
    assert story.manifest == (root / "story.yaml").resolve()
    assert story.title == "雨の日の星"
    assert story.ui_language == "en"
    assert story.view == "chat"
    assert [Path(s.file).name for s in story.scripts] == ["b.log", "a.log"]  # listed order
    assert story.layout == LayoutOptions("loose", True, False)


def test_full_manifest_characters() -> None:
    root = (STORIES / "full").resolve()
    sora, kai = load_story(root).characters["SORA"], load_story(root).characters["KAI"]
    assert (sora.name, sora.color, sora.side) == ("空", (0xE8, 0xA0, 0xB4), "right")
    assert sora.portraits == {"default": root / "assets/images/sora.png",
                              "smile": root / "assets/images/sora-smile.png"}
    # a direction written without its parentheses is read with them
    assert sora.expressions == {"（笑う）": "smile", "（笑う笑う）": "smile"}
    assert sora.sound == root / "assets/sounds/pop.wav"
    assert (kai.name, kai.color, kai.portraits, kai.sound) == ("カイ", (143, 184, 232), {}, None)
    assert kai.side == "left"  # someone was placed explicitly, so the rest default to the left


def test_full_manifest_scenes_by_index_and_timestamp() -> None:
    root = (STORIES / "full").resolve()
    scenes = load_story(root).scenes
    assert [(r.index, r.script, r.scene.title) for r in scenes] == [
        (0, 0, "2025-03-16 20:00"), (1, 1, "2025.03.14 21:05"), (2, 1, "2025.03.15 07:42")]
    assert scenes[0].config.background == root / "assets/images/night.png"
    assert scenes[0].config.view == "adv"
    assert scenes[1].config.background is None and scenes[1].config.view == "chat"  # story default
    assert scenes[2].config.background == root / "assets/images/morning.png"
    assert scenes[2].config.music == root / "assets/music/night.wav"


def test_expression_for_uses_mapped_directions() -> None:
    story = load_story(STORIES / "full")
    sora = story.characters["SORA"]
    said = {m.text: m for s in story.scripts for m in s.messages if m.speaker == "SORA"}
    assert sora.expression_for(said["（笑う）よかった。"]) == "smile"
    assert sora.expression_for(said["ない。"]) == "default"


def test_fonts_and_string_shorthands(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: やあ\nSORA: うん"))
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts/main.otf").write_bytes(font_bytes())
    (tmp_path / "fonts/emoji.ttf").write_bytes(font_bytes())
    write(tmp_path, "sora.png", "x")
    write(tmp_path, "story.yaml", """\
        font: fonts/main.otf
        fallback_fonts: fonts/emoji.ttf
        scripts: a.log
        characters:
          KAI: カイ
          SORA: {portrait: sora.png, color: "#abc"}
        """)
    story = load_story(tmp_path)
    assert story.diagnostics == ()
    assert story.font == (tmp_path / "fonts/main.otf").resolve()
    assert story.fallback_fonts == ((tmp_path / "fonts/emoji.ttf").resolve(),)
    assert story.characters["KAI"].name == "カイ"
    assert story.characters["SORA"].color == (0xAA, 0xBB, 0xCC)
    assert story.characters["SORA"].portraits == {"default": (tmp_path / "sora.png").resolve()}


def test_missing_font_warns_and_falls_back_to_default(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: やあ"))
    write(tmp_path, "story.yaml", "font: fonts/none.otf\nfallback_fonts: [fonts/no.ttf]\n")
    story = load_story(tmp_path)
    assert story.font is None and story.fallback_fonts == ()
    assert codes(story) == [(1, "YML008"), (2, "YML008")]


# --- diagnostics with lines -------------------------------------------------------


def test_broken_manifest_reports_every_problem_with_its_line() -> None:
    story = load_story(STORIES / "broken")
    got = sorted((d.pos.line, d.pos.col, d.severity, d.code) for d in story.diagnostics
                 if d.pos.file.endswith("story.yaml"))
    assert got == [
        (1, 8, "error", "YML004"),      # title: a list
        (2, 7, "error", "YML005"),      # view: chatt
        (3, 1, "warning", "YML003"),    # colour
        (6, 12, "error", "YML015"),     # color: pink
        (7, 11, "error", "YML005"),     # side: up
        (8, 5, "warning", "YML003"),    # portraitt
        (10, 15, "error", "YML007"),    # ../outside.png
        (12, 5, "warning", "YML010"),   # name twice
        (13, 3, "warning", "YML011"),   # MAKO never speaks
        (15, 3, "warning", "YML013"),   # scene 9 of 1
        (15, 19, "warning", "YML008"),  # missing.png
        (16, 3, "warning", "YML013"),   # no such timestamp
        (16, 31, "error", "YML007"),    # /etc/passwd
        (18, 20, "error", "YML004"),    # phrase_wrapping: maybe
    ]


def test_error_messages_name_the_key() -> None:
    story = load_story(STORIES / "broken")
    by_line = {d.pos.line: d.message for d in story.diagnostics if d.pos.file.endswith(".yaml")}
    assert by_line[6].startswith("characters.SORA.color:")
    assert "did you mean 'portrait'" in by_line[8]
    assert by_line[18].startswith("layout.phrase_wrapping:")
    assert by_line[12].startswith("characters.KAI.name:")


def test_bad_values_fall_back_to_defaults() -> None:
    story = load_story(STORIES / "broken")
    assert story.title == "broken" and story.view == "adv"
    sora = story.characters["SORA"]
    assert sora.color == PALETTE[0] and sora.side == "left" and sora.portraits == {}
    assert story.characters["KAI"].name == "海"  # the last of a repeated key wins
    assert story.layout == LayoutOptions()


def test_speaker_missing_from_manifest_is_warned_at_its_first_use(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("AKIRA: a\nAKRIA: b\nMAKO: c\nMAKO: d"))
    write(tmp_path, "story.yaml", "characters:\n  AKIRA: {}\n")
    story = load_story(tmp_path)
    found = {d.message.split("'")[1]: d for d in story.diagnostics if d.code == "YML012"}
    assert set(found) == {"AKRIA", "MAKO"}
    assert found["AKRIA"].pos.line == 3 and found["AKRIA"].pos.file.endswith("a.log")
    assert "did you mean 'AKIRA'" in found["AKRIA"].message
    assert "used 2 times" in found["MAKO"].message
    assert list(story.characters) == ["AKIRA", "AKRIA", "MAKO"]  # still played


def test_speaker_the_parser_flags_as_a_typo_is_not_reported_again(tmp_path: Path) -> None:
    # LOG040 already says "'AKRIA' appears only once; did you mean 'AKIRA'?" at line 5.
    write(tmp_path, "a.log", block("AKIRA: a\nAKIRA: b\nAKIRA: c\nAKRIA: d\nMAKO: e"))
    write(tmp_path, "story.yaml", "characters:\n  AKIRA: {}\n")
    story = load_story(tmp_path)
    about = {d.code for d in story.all_diagnostics() if "'AKRIA'" in d.message}
    assert about == {"LOG040"}
    yml012 = [d.message.split("'")[1] for d in story.diagnostics if d.code == "YML012"]
    assert yml012 == ["MAKO"]  # a speaker the parser said nothing about is still listed


def test_label_story_yaml_declares_is_not_a_typo(tmp_path: Path) -> None:
    # RIN is used once next to a frequent REN: the parser alone would suggest 'REN'.
    write(tmp_path, "a.log", block("REN: a\nREN: b\nRIN: c\nREN: d\nRENN: e"))
    alone = load_story(tmp_path / "a.log")
    flagged = sorted(d.message.split("'")[1] for d in alone.all_diagnostics() if d.code == "LOG040")
    assert flagged == ["RENN", "RIN"]
    write(tmp_path, "story.yaml", "characters:\n  REN: {}\n  RIN: {}\n")
    story = load_story(tmp_path)
    log040 = [d for d in story.all_diagnostics() if d.code == "LOG040"]
    # The declared spelling is a name; the undeclared one-off is still a likely slip.
    assert [d.message.split("'")[1] for d in log040] == ["RENN"]
    assert log040[0].pos.line == 6 and "did you mean 'REN'?" in log040[0].message
    assert story.scripts[0].scenes == alone.scripts[0].scenes  # only diagnostics change


def test_manifest_without_characters_does_not_warn_about_speakers(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("AKIRA: a\nMAKO: b"))
    write(tmp_path, "story.yaml", "title: t\n")
    assert load_story(tmp_path).diagnostics == ()


def test_missing_asset_is_a_warning_and_the_path_is_kept(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: a"))
    write(tmp_path, "story.yaml", "scenes:\n  0:\n    background: img/later.png\n")
    story = load_story(tmp_path)
    assert [(d.pos.line, d.severity, d.code) for d in story.diagnostics] == [(3, "warning", "YML008")]
    assert story.scenes[0].config.background == (tmp_path / "img/later.png").resolve()


def test_expression_without_portrait_is_warned(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: a"))
    write(tmp_path, "k.png", "x")
    write(tmp_path, "story.yaml", """\
        characters:
          KAI:
            expressions: {（泣く）: cry}
            portrait: {default: k.png}
        """)
    story = load_story(tmp_path)
    assert codes(story) == [(3, "YML014")]


def test_unknown_keys_are_warnings_everywhere(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: a"))
    write(tmp_path, "story.yaml", """\
        titel: x
        characters:
          KAI: {colour: "#fff"}
        scenes:
          0: {backgruond: x.png}
        layout: {strict: true}
        """)
    story = load_story(tmp_path)
    assert codes(story) == [(1, "YML003"), (3, "YML003"), (5, "YML003"), (6, "YML003")]
    assert all(d.severity == "warning" for d in story.diagnostics)
    assert "did you mean 'title'" in story.diagnostics[0].message


def test_wrong_types_are_errors_and_ignored(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: a"))
    write(tmp_path, "story.yaml", """\
        characters: [KAI]
        scenes: 3
        scripts: {a: b}
        ui_language: fr
        """)
    story = load_story(tmp_path)
    assert codes(story) == [(1, "YML004"), (2, "YML004"), (3, "YML004"), (4, "YML005")]
    assert story.ui_language is None and len(story.scripts) == 1


def test_yaml_syntax_error_is_one_error_and_the_story_still_plays(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: a\nSORA: b"))
    write(tmp_path, "story.yaml", "title: ok\ncharacters:\n  KAI: {name: [unclosed\n")
    story = load_story(tmp_path)
    assert [(d.severity, d.code) for d in story.diagnostics] == [("error", "YML001")]
    assert story.diagnostics[0].pos.line >= 3
    assert story.title == tmp_path.name and list(story.characters) == ["KAI", "SORA"]


def test_manifest_not_a_mapping_and_not_utf8(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: a"))
    write(tmp_path, "story.yaml", "- just\n- a list\n")
    assert codes(load_story(tmp_path)) == [(1, "YML002")]
    (tmp_path / "story.yaml").write_bytes("title: 星\n".encode("cp932"))
    assert codes(load_story(tmp_path)) == [(1, "YML017")]


def test_empty_manifest_is_fine(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: a"))
    write(tmp_path, "story.yaml", "# nothing yet\n")
    story = load_story(tmp_path)
    assert story.diagnostics == () and story.title == tmp_path.name


def test_merge_keys_work_as_in_safe_load(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: a\nSORA: b"))
    write(tmp_path, "story.yaml", """\
        characters:
          KAI: &base {color: "#102030", side: right}
          SORA:
            <<: *base
            name: 空
        """)
    story = load_story(tmp_path)
    assert story.diagnostics == ()
    sora = story.characters["SORA"]
    assert (sora.name, sora.color, sora.side) == ("空", (0x10, 0x20, 0x30), "right")


# --- safety ---------------------------------------------------------------------


def test_python_tags_are_rejected_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    write(tmp_path, "a.log", block("KAI: a"))
    write(tmp_path, "story.yaml", f"""\
        title: !!python/object/apply:os.system ["touch {marker}"]
        view: !!python/name:os.system
        characters:
          KAI: !!python/object:builtins.dict {{name: x}}
        """)
    story = load_story(tmp_path)
    assert not marker.exists()
    assert codes(story) == [(1, "YML006"), (2, "YML006"), (4, "YML006")]
    assert all(d.severity == "error" for d in story.diagnostics)
    assert story.title == tmp_path.name and story.characters["KAI"].name == "KAI"


def test_a_whole_manifest_under_a_python_tag_is_rejected(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: a"))
    write(tmp_path, "story.yaml", "--- !!python/object/new:os.system [echo hi]\n")
    story = load_story(tmp_path)
    assert [d.code for d in story.diagnostics] in (["YML002"], ["YML006"])


@pytest.mark.parametrize("value", ["../x.png", "a/../../x.png", "/etc/passwd", "C:\\x.png",
                                   "C:x.png", "\\\\server\\share\\x.png", ""])
def test_resolve_asset_refuses_paths_leaving_the_root(tmp_path: Path, value: str) -> None:
    with pytest.raises(ValueError):
        resolve_asset(tmp_path, value)


def test_resolve_asset_inside_the_root(tmp_path: Path) -> None:
    assert resolve_asset(tmp_path, "a/../b.png") == tmp_path.resolve() / "b.png"
    assert resolve_asset(tmp_path, "img\\bg.png") == tmp_path.resolve() / "img" / "bg.png"


def test_resolve_asset_follows_symlinks(tmp_path: Path) -> None:
    root, outside = tmp_path / "story", tmp_path / "secret"
    root.mkdir()
    outside.mkdir()
    (outside / "key.png").write_text("x")
    (root / "real.png").write_text("x")
    (root / "out").symlink_to(outside, target_is_directory=True)
    (root / "alias.png").symlink_to(root / "real.png")
    with pytest.raises(ValueError):
        resolve_asset(root, "out/key.png")
    assert resolve_asset(root, "alias.png") == (root / "real.png").resolve()


def test_escaping_paths_in_the_manifest_are_errors(tmp_path: Path) -> None:
    root = tmp_path / "story"
    write(root, "a.log", block("KAI: a"))
    (tmp_path / "outside.png").write_text("x")
    (root / "link.png").symlink_to(tmp_path / "outside.png")
    write(root, "story.yaml", """\
        scenes:
          0:
            background: ../outside.png
            music: /etc/hostname
        characters:
          KAI: {portrait: link.png}
        """)
    story = load_story(root)
    assert [(d.pos.line, d.severity, d.code) for d in sorted(story.diagnostics, key=lambda d: d.pos.line)] == [
        (3, "error", "YML007"), (4, "error", "YML007"), (6, "error", "YML007")]
    assert story.scenes[0].config.background is None and story.characters["KAI"].portraits == {}


def test_manifest_module_imports_without_pygame() -> None:
    code = ("import sys; sys.modules['pygame'] = None\n"
            "import engine.manifest, engine.logformat, engine.model\n"
            "assert 'pygame' not in [m for m in sys.modules if sys.modules[m] is not None]\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr


# --- where the story is --------------------------------------------------------------


def test_folder_without_manifest(tmp_path: Path) -> None:
    story = load_story(STORIES / "plain")
    assert story.manifest is None and story.diagnostics == ()
    assert story.title == "plain"
    assert [Path(s.file).name for s in story.scripts] == ["2.log", "10.log"]  # natural order, no README
    assert list(story.characters) == ["NAO", "RIN", "TOMO"]
    assert [c.side for c in story.characters.values()] == ["left", "right", "left"]
    colours = [c.color for c in story.characters.values()]
    assert len(set(colours)) == 3 and colours == [default_color(c, i) for i, c in enumerate(story.characters)]
    assert [r.config.view for r in story.scenes] == ["adv", "adv"]


def test_single_script_file() -> None:
    story = load_story(STORIES / "plain" / "10.log")
    assert story.title == "10" and len(story.scripts) == 1 and story.manifest is None
    assert story.root == (STORIES / "plain").resolve()
    assert list(story.characters) == ["RIN", "TOMO", "NAO"]


@pytest.mark.parametrize("where", ["", "scripts", "scripts/story.yaml"])
def test_repo_layout_root_is_the_folder_above_scripts(where: str) -> None:
    root = (STORIES / "repo").resolve()
    story = load_story(root / where if where else root)
    assert story.root == root and story.title == "元日"
    assert story.manifest == root / "scripts" / "story.yaml"
    assert story.scenes[0].config.background == root / "assets/images/bg.png"
    assert story.diagnostics == ()


def test_this_repository_loads_from_its_root_and_from_scripts() -> None:
    a, b = load_story(REPO), load_story(REPO / "scripts")
    assert a.root == b.root == REPO and a.title == b.title == "灯を運ぶ夜"


def test_manifest_beside_scripts_without_assets_folder_is_its_own_root(tmp_path: Path) -> None:
    write(tmp_path, "scripts/a.log", block("KAI: a"))
    write(tmp_path, "scripts/story.yaml", "scripts: [a.log]\n")
    story = load_story(tmp_path)
    assert story.root == (tmp_path / "scripts").resolve() and story.diagnostics == ()


def test_scripts_subfolder_without_manifest(tmp_path: Path) -> None:
    write(tmp_path, "scripts/a.log", block("KAI: a"))
    story = load_story(tmp_path)
    assert story.root == tmp_path.resolve() and len(story.scripts) == 1


def test_script_paths_relative_to_the_manifest_folder_also_work(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    write(tmp_path, "scripts/a.log", block("KAI: a"))
    write(tmp_path, "scripts/story.yaml", "scripts: [a.log]\n")
    story = load_story(tmp_path)
    assert story.root == tmp_path.resolve() and story.diagnostics == () and len(story.scripts) == 1


def test_listed_scripts_missing_twice_and_unlisted(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: a"))
    write(tmp_path, "b.log", block("KAI: b"))
    write(tmp_path, "story.yaml", "scripts:\n  - a.log\n  - gone.log\n  - a.log\n")
    story = load_story(tmp_path)
    assert codes(story) == [(1, "YML019"), (3, "YML009"), (4, "YML018")]
    assert [d.severity for d in sorted(story.diagnostics, key=lambda d: d.pos.line)] == [
        "warning", "error", "warning"]
    assert [Path(s.file).name for s in story.scripts] == ["a.log"]


def test_all_listed_scripts_missing_falls_back_to_the_folder(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: a"))
    write(tmp_path, "story.yaml", "scripts: [gone.log]\n")
    story = load_story(tmp_path)
    assert codes(story) == [(1, "YML009")] and len(story.scripts) == 1


def test_nothing_playable_raises(tmp_path: Path) -> None:
    with pytest.raises(StoryError):
        load_story(tmp_path / "nope")
    with pytest.raises(StoryError):
        load_story(tmp_path)  # an empty folder
    write(tmp_path, "story.yaml", "title: t\n")
    with pytest.raises(StoryError):
        load_story(tmp_path)


def test_find_story(tmp_path: Path) -> None:
    assert find_story(tmp_path) is None
    write(tmp_path, "notes.txt", "hello")
    assert find_story(tmp_path) is None  # .txt alone is not taken for a story
    write(tmp_path, "scripts/a.log", block("KAI: a"))
    assert find_story(tmp_path) == tmp_path
    other = tmp_path / "other"
    write(other, "story.yaml", "title: t\n")
    assert find_story(other) == other
    assert find_story(REPO) == REPO
    assert find_story(tmp_path / "missing") is None


# --- scenes ---------------------------------------------------------------------------


def test_scene_keys_by_index_and_timestamp_forms(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: a", "2025.03.14 21:05") + block("KAI: b", "2025.03.15 07:42")
          + block("KAI: c", "2025.03.15 07:42"))
    write(tmp_path, "bg.png", "x")
    write(tmp_path, "story.yaml", """\
        scenes:
          "0": {view: chat}
          2025-03-14 21:05: {background: bg.png}
          "2025.03.15 07:42": {view: chat}
          7: {view: adv}
          "2030.01.01": {view: adv}
        """)
    story = load_story(tmp_path)
    assert [r.config.view for r in story.scenes] == ["chat", "chat", "chat"]
    assert story.scenes[0].config.background == (tmp_path / "bg.png").resolve()
    assert codes(story) == [(4, "YML016"), (5, "YML013"), (6, "YML013")]


def test_later_scene_entries_override_earlier_ones_key_by_key(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: a"))
    write(tmp_path, "x.png", "x")
    write(tmp_path, "story.yaml", """\
        view: chat
        scenes:
          0: {background: x.png, view: adv}
          "2025.03.14 21:05": {view: chat}
        """)
    config = load_story(tmp_path).scenes[0].config
    assert config.background == (tmp_path / "x.png").resolve() and config.view == "chat"


# --- colours and ids ----------------------------------------------------------------


def test_default_colours_are_distinct_and_stable() -> None:
    first = [default_color(f"C{i}", i) for i in range(len(PALETTE))]
    assert len(set(first)) == len(PALETTE)
    many = [default_color(f"LABEL{i}", i) for i in range(40)]
    assert all(0 <= c <= 255 for rgb in many for c in rgb)
    assert len(set(many)) >= 36
    assert default_color("ZED", 50) == default_color("ZED", 50)
    assert all(sum(rgb) > 350 for rgb in many)  # light enough to read on a dark name plate


def test_story_id_is_stable_and_distinct(tmp_path: Path) -> None:
    a1, a2 = load_story(STORIES / "full"), load_story(STORIES / "full")
    assert story_id(a1) == story_id(a2)
    assert story_id(a1) != story_id(load_story(STORIES / "plain"))
    assert story_id(load_story(STORIES / "plain" / "2.log")) != story_id(
        load_story(STORIES / "plain" / "10.log"))
    assert all(ch.isalnum() or ch == "-" for ch in story_id(a1))


def test_load_story_accepts_str_and_pathlike() -> None:
    assert load_story(str(STORIES / "plain")).title == load_story(os.fspath(STORIES / "plain")).title


def test_alias_bombs_stay_small_and_fast(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: a"))
    lines = ["x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 9)}]" for i in range(1, 9)]
    lines.append("characters:\n  KAI: {color: *x8, name: *x8}\nscripts: *x8\n")
    write(tmp_path, "story.yaml", "\n".join(lines))
    story = load_story(tmp_path)
    assert {d.code for d in story.diagnostics} == {"YML003", "YML004", "YML015"}
    assert all(len(d.message) < 300 for d in story.diagnostics)
    assert len(story.scripts) == 1


def test_a_story_of_scripts_alone_never_imports_pyyaml() -> None:
    sample = Path(__file__).parent / "fixtures" / "app" / "sample.log"
    code = (
        "import sys\n"
        "sys.modules['yaml'] = None  # any import of PyYAML fails\n"
        "from engine.manifest import load_story\n"
        f"story = load_story({str(sample)!r})\n"
        "assert story.scenes and story.manifest is None\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_libyaml_and_the_pure_parser_read_story_yaml_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    demo = Path(__file__).resolve().parents[1] / "scripts"
    if not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML built without libyaml")
    fast = load_story(demo)
    monkeypatch.delattr(yaml, "CSafeLoader")
    assert load_story(demo) == fast


def test_icon_is_an_asset_path_inside_the_story(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: a"))
    write(tmp_path, "icon.png", "x")
    write(tmp_path, "story.yaml", "icon: icon.png\n")
    story = load_story(tmp_path)
    assert story.icon == (tmp_path / "icon.png").resolve() and story.diagnostics == ()


def test_a_missing_or_escaping_icon_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.log", block("KAI: a"))
    write(tmp_path, "story.yaml", "icon: later.png\n")
    story = load_story(tmp_path)
    assert [(d.severity, d.code) for d in story.diagnostics] == [("warning", "YML008")]
    assert "default window icon" in story.diagnostics[0].message
    write(tmp_path, "story.yaml", "icon: ../../etc/passwd\n")
    story = load_story(tmp_path)
    assert story.icon is None and [d.code for d in story.diagnostics] == ["YML007"]
