"""`chatlog-vn dump FILE`: the JSON shape, exit codes, and no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine import cli

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "parse" / "sample.log"


def run_dump(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict | None, str]:
    code = cli.main(["dump", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def test_dump_prints_the_model_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, err = run_dump(capsys, str(SAMPLE))
    assert code == 0 and err == ""
    assert data is not None
    assert list(data) == ["file", "scenes", "diagnostics"]
    assert data["file"] == str(SAMPLE)
    assert data["diagnostics"] == []
    expected = json.loads((FIXTURES / "parse" / "sample.json").read_text("utf-8"))
    assert data["scenes"] == expected["scenes"]
    scene = data["scenes"][0]
    assert list(scene) == ["title", "timestamp", "line", "messages"]
    assert list(scene["messages"][0]) == ["line", "speaker", "text", "runs"]


def test_dump_exit_1_with_errors_and_diagnostics_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, err = run_dump(capsys, str(FIXTURES / "broken" / "ruby_unclosed.log"))
    assert code == 1
    assert data is not None
    assert data["diagnostics"] == [{
        "line": 2, "col": 7, "severity": "error", "code": "LOG011",
        "message": "<ruby> with no </ruby> on its line; the line is shown as written",
    }]
    assert "ruby_unclosed.log:2:7: error:" in err and "[LOG011]" in err


def test_dump_exit_0_with_warnings_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, _ = run_dump(capsys, str(FIXTURES / "broken" / "did_you_mean.log"))
    assert code == 0
    assert data is not None and {d["severity"] for d in data["diagnostics"]} == {"warning"}


def test_dump_missing_file_is_an_error_not_a_crash(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    code, data, err = run_dump(capsys, str(tmp_path / "nope.log"))
    assert code == 1
    assert data is not None and data["scenes"] == []
    assert [d["code"] for d in data["diagnostics"]] == ["LOG050"]
    assert "Traceback" not in err


def test_dump_internal_error_is_one_line_exit_3(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(path: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("engine.commands.dump.load", explode)
    code = cli.main(["dump", str(SAMPLE)])
    out, err = capsys.readouterr()
    assert code == 3
    assert out == ""
    assert "Traceback" not in err
    assert err.count("\n") == 1 and str(SAMPLE) in err and "boom" in err


def test_dump_without_a_file_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["dump"])
    assert exc.value.code == 2


def test_dump_writes_utf8_whatever_the_locale(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONIOENCODING="ascii", LC_ALL="C", LANG="C")
    result = subprocess.run([sys.executable, "-m", "engine", "dump", str(SAMPLE)],
                            capture_output=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    text = result.stdout.decode("utf-8")
    assert "ねえ、起きてる？" in text  # ensure_ascii=False: Japanese as is, not \\u escapes
    assert json.loads(text)["scenes"][1]["messages"][-1]["text"] == "明後日も晴れるって。\u00a0楽しみ！"


def test_dump_streams_the_same_text_as_one_json_dumps(tmp_path: Path) -> None:
    """write_dump's scene-at-a-time output is byte for byte json.dumps of the whole."""
    import io

    from engine.commands.dump import script_to_dict, write_dump
    from engine.logformat import load, parse

    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    import realistic

    scripts = [load(SAMPLE), load(FIXTURES / "broken" / "ruby_unclosed.log"),
               load(tmp_path / "missing.log"), parse("", "empty.log"),
               parse("--- LOG START ---\n--- LOG END ---\n", "no-messages.log"),
               parse(realistic.story_text(700), 'q"uote\n.log')]
    for script in scripts:
        out = io.StringIO()
        write_dump(script, out)
        want = json.dumps(script_to_dict(script), ensure_ascii=False, indent=1) + "\n"
        assert out.getvalue() == want


def test_dump_keeps_no_scene_built(tmp_path: Path) -> None:
    import io

    from engine.commands.dump import write_dump
    from engine.logformat import parse

    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    import realistic

    script = parse(realistic.story_text(1000), "r.log")
    write_dump(script, io.StringIO())
    assert not any(s.messages.built for s in script.scenes[1:])
