"""`chatlog-vn export html`: a self-contained, escaped page holding every message."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from engine.cli import main
from engine.export_html import render_html
from engine.manifest import load_story

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path("/work/shared/format/sample.log")
FIXTURES = Path(__file__).parent / "fixtures" / "writer"
TOOL = ROOT / "tools" / "check_export_chromium.py"


def _tool():
    spec = importlib.util.spec_from_file_location("check_export_chromium", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOL_MODULE = _tool()


class Tags(HTMLParser):
    """Every start tag with its attributes, to look for anything that loads or runs."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def page_messages(html: str) -> tuple[str | None, list[tuple[str | None, str]]]:
    parser = TOOL_MODULE.PageMessages()
    parser.feed(html)
    parser.close()
    return parser.lang, parser.messages


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def story_from(tmp_path: Path, files: dict[str, str]):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return load_story(tmp_path)


@pytest.fixture(scope="module")
def demo_story():
    path = SAMPLE if SAMPLE.is_file() else FIXTURES / "stats"
    return load_story(path)


def test_every_message_is_on_the_page_in_order(demo_story) -> None:
    lang, found = page_messages(render_html(demo_story))
    assert lang == "ja"
    assert found == TOOL_MODULE.expected_messages(demo_story)
    assert len(found) == sum(len(r.scene.messages) for r in demo_story.scenes) > 0


def test_stats_fixture_names_ruby_breaks_and_headings() -> None:
    story = load_story(FIXTURES / "stats")
    html = render_html(story)
    assert page_messages(html)[1] == TOOL_MODULE.expected_messages(story)
    assert "<ruby><rb>明</rb><rt>あ</rt><rb>日</rb><rt>した</rt></ruby>" in html  # jukugo pairs
    assert "<ruby><rb>灯台</rb><rt>とうだい</rt></ruby>" in html
    assert "見える　と思う。<br>ほんとに。" in html
    assert '<span class="dir">（笑う）</span>' in html
    assert '<time datetime="2025-08-01T22:10">2025.08.01 22:10</time>' in html
    assert '<div class="msg narration"' in html
    assert '<div class="who">澪</div>' in html
    r, g, b = next(c for c in story.characters.values() if c.label == "MIO").color
    assert f"{{ color: #{r:02x}{g:02x}{b:02x}; }}" in html


def test_nothing_from_a_script_becomes_markup(tmp_path: Path) -> None:
    story = story_from(tmp_path, {
        "story.yaml": 'title: "</title><script>alert(1)</script>"\n'
                      'characters:\n  A:\n    name: "<img src=x onerror=alert(1)>"\n',
        "1.log": "--- LOG START --- 2025.01.01<br>\n"
                 "A: <script>alert('x')</script> &lt;b&gt; <a href=\"http://e.com\">link</a><br>\n"
                 "<iframe src=\"http://e.com\"></iframe><br>\n"
                 "--- LOG END ---\n",
    })
    html = render_html(story)
    names = [t for t, _ in tags(html)]
    for bad in ("script", "img", "a", "iframe", "link", "object", "embed"):
        assert bad not in names
    assert not any(k.startswith("on") or k in ("src", "href") for _, a in tags(html) for k in a)
    _, found = page_messages(html)
    assert found == TOOL_MODULE.expected_messages(story)
    assert "<script>" in found[0][1] and "<b>" in found[0][1]  # shown as text, exactly


def test_page_is_self_contained(demo_story) -> None:
    html = render_html(demo_story)
    assert "http://" not in html and "https://" not in html and "url(" not in html
    csp = [a for t, a in tags(html) if t == "meta" and a.get("http-equiv")]
    assert csp and "default-src 'none'" in (csp[0].get("content") or "")


def test_cli_writes_the_page_and_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.html"
    story_path = FIXTURES / "stats"
    assert main(["export", "html", str(story_path), "-o", str(out)]) == 0
    assert "8 messages" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == render_html(load_story(story_path))
    single = FIXTURES / "stats" / "scripts" / "02-dawn.log"
    assert main(["export", "html", str(single)]) == 0
    _, found = page_messages(capsys.readouterr().out)
    assert len(found) == 3
    assert not list(tmp_path.glob(".out.html.*"))  # no temporary file left behind


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "html", str(tmp_path / "nowhere")]) == 2
    assert main(["export", "html", str(FIXTURES / "stats"), "-o",
                 str(tmp_path / "no" / "such" / "dir" / "x.html")]) == 2
    assert "cannot write" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["export", "pdf", str(FIXTURES / "stats")])
    assert exc.value.code == 2


@pytest.mark.skipif(shutil.which("chromium") is None and shutil.which("chromium-browser") is None
                    and shutil.which("google-chrome") is None, reason="chromium is not installed")
def test_demo_page_in_headless_chromium(tmp_path: Path) -> None:
    shot = tmp_path / "page.png"
    result = subprocess.run([sys.executable, str(TOOL), "--screenshot", str(shot)],
                            capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("ok: ")
    assert shot.is_file() and shot.stat().st_size > 10_000
