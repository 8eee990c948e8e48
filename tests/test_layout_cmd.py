"""`chatlog-vn layout`: the JSON shape, the readable dump, and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main
from engine.logformat import load

FIXTURES = Path(__file__).parent / "fixtures" / "render"
SAMPLE = FIXTURES / "sample.log"

LINE_KEYS = {"y", "glyphs", "rubies"}
GLYPH_KEYS = {"ch", "x", "w"}
RUBY_KEYS = {"text", "base_start", "base_end", "x", "w", "glyph_x"}


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    code = main(["layout", str(SAMPLE), *args, "--json"])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def numbers(data: dict) -> list[float]:
    found = [data["size"], data["ruby_size"], data["line_pitch"]]
    for line in data["lines"]:
        found.append(line["y"])
        found += [v for g in line["glyphs"] for v in (g["x"], g["w"])]
        found += [v for r in line["rubies"] for v in (r["x"], r["w"], *r["glyph_x"])]
    return found


@pytest.mark.parametrize("width", [200, 480, 900])
def test_json_shape(capsys: pytest.CaptureFixture[str], width: int) -> None:
    data = run_json(capsys, "--message", "1", "--width", str(width))
    assert set(data) == {"size", "ruby_size", "line_pitch", "lines"}
    assert (data["size"], data["ruby_size"], data["line_pitch"]) == (32.0, 16.0, 64.0)
    assert data["lines"]
    for line in data["lines"]:
        assert set(line) == LINE_KEYS
        assert all(set(g) == GLYPH_KEYS for g in line["glyphs"])
        for ruby in line["rubies"]:
            assert set(ruby) == RUBY_KEYS
            assert 0 <= ruby["base_start"] < ruby["base_end"] <= len(line["glyphs"])
            assert len(ruby["glyph_x"]) == len(ruby["text"])
    assert all(round(v, 2) == v for v in numbers(data))
    text = "".join(g["ch"] for line in data["lines"] for g in line["glyphs"])
    assert text == "起きてるよ。今夜は昴がよく見える。"


def test_json_uses_the_real_font_and_the_ruby(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "--message", "1", "--width", "900")
    (line,) = data["lines"]
    widths = {g["ch"]: g["w"] for g in line["glyphs"]}
    assert widths["昴"] == 32.0 and widths["よ"] == 32.0
    (ruby,) = line["rubies"]
    base = "".join(g["ch"] for g in line["glyphs"][ruby["base_start"]:ruby["base_end"]])
    assert (base, ruby["text"]) == ("昴", "すばる")
    assert ruby["w"] == 48.0  # three ruby characters at 16 px, set solid


def test_latin_is_measured_proportionally(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "--message", "3", "--width", "900")
    glyphs = [g for line in data["lines"] for g in line["glyphs"]]
    latin = {g["ch"]: g["w"] for g in glyphs if g["ch"] in "Vega"}
    assert set(latin) == set("Vega")
    assert all(0 < w < 32 for w in latin.values())


def test_size_and_strictness_options(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "--message", "0", "--width", "300", "--size", "24",
                    "--strictness", "loose")
    assert (data["size"], data["ruby_size"]) == (24.0, 12.0)
    assert data["lines"][0]["glyphs"][0]["w"] == 24.0


def test_message_index_counts_across_scenes(capsys: pytest.CaptureFixture[str]) -> None:
    messages = load(SAMPLE).messages
    last = len(messages) - 1
    data = run_json(capsys, "--message", str(last), "--width", "2000")
    text = "".join(g["ch"] for line in data["lines"] for g in line["glyphs"])
    assert text == messages[last].text
    assert [r["text"] for line in data["lines"] for r in line["rubies"]] == ["あ", "さっ", "て"]


def test_readable_dump(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layout", str(SAMPLE), "--message", "2", "--width", "400"]) == 0
    out = capsys.readouterr().out
    assert "SORA" in out
    assert "line 0" in out and "line 1" in out
    assert "てんたいぼうえんきょう" in out
    assert "^^^^^^^^^^" in out  # five wide base characters marked
    assert "--------" in out  # the stage direction （笑う）
    assert "x: 0.00 32.00" in out


@pytest.mark.parametrize("n", ["25", "999", "-1"])
def test_message_out_of_range_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], n: str
) -> None:
    assert main(["layout", str(SAMPLE), "--message", n, "--width", "400"]) == 2
    err = capsys.readouterr().err
    assert f"no message {n}" in err
    assert "25" in err  # says how many there are


def test_missing_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["layout", str(tmp_path / "nope.log"), "-m", "0", "--width", "400"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_file_without_messages(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_text("just a note, no log block\n", encoding="utf-8")
    assert main(["layout", str(empty), "-m", "0", "--width", "400"]) == 2
    assert "it has 0" in capsys.readouterr().err


@pytest.mark.parametrize("args", [
    ["--width", "0"],
    ["--width", "-5"],
    ["--width", "wide"],
    ["--width", "400", "--size", "0"],
    ["--width", "400", "--strictness", "lax"],
    [],  # --width missing
])
def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["layout", str(SAMPLE), "--message", "0", *args])
    assert exc.value.code == 2


def test_a_tmp_script_with_a_missing_glyph(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    script = tmp_path / "pua.log"
    script.write_text("--- LOG START --- 2025.03.14 21:05\nA: あ\ue000い\n--- LOG END ---\n",
                      encoding="utf-8")
    assert main(["layout", str(script), "-m", "0", "--width", "400", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    glyphs = data["lines"][0]["glyphs"]
    assert [g["ch"] for g in glyphs] == ["あ", "\ue000", "い"]
    assert glyphs[1]["w"] == 32.0  # the placeholder box takes a full em


def test_justify_and_latin_spacing_options(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    script = tmp_path / "j.log"
    script.write_text("--- LOG START --- 2025.03.14 21:05\n"
                      "A: ねえカイ、あのさ。子どものころ、屋上で一緒に見たGPUの覚えてる？<br>\n"
                      "--- LOG END ---\n", encoding="utf-8")

    def lay(*extra: str) -> dict:
        assert main(["layout", str(script), "-m", "0", "--width", "300", "--json", *extra]) == 0
        return json.loads(capsys.readouterr().out)

    plain, justified = lay(), lay("--justify")
    ends = [max(g["x"] + g["w"] for g in line["glyphs"]) for line in justified["lines"]]
    assert all(abs(end - 300) < 0.02 for end in ends[:-1]), ends
    assert [max(g["x"] + g["w"] for g in line["glyphs"]) for line in plain["lines"]][0] < 300
    spaced = [g for line in plain["lines"] for g in line["glyphs"]]
    solid = [g for line in lay("--no-latin-spacing")["lines"] for g in line["glyphs"]]
    at = next(i for i, g in enumerate(spaced) if g["ch"] == "G")
    assert spaced[at]["x"] - spaced[at - 1]["x"] == pytest.approx(
        solid[at]["x"] - solid[at - 1]["x"] + 8, abs=0.02)  # 和欧間: a quarter of 32 px
    assert main(["layout", str(script), "-m", "0", "--width", "300", "--justify"]) == 0
    assert ", justified" in capsys.readouterr().out
