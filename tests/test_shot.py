"""`chatlog-vn shot`: PNG output, and screenshot goldens of the reading frame.

Goldens live in tests/golden/shot/. Regenerate them with
CHATLOG_UPDATE_GOLDENS=1; on a mismatch a side-by-side image
(expected | actual | difference) is written under tests/_failures/.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pygame
import pytest

from engine.app.shot import render_shot
from engine.cli import main
from engine.manifest import load_story
from engine.runtime import StoryIndex

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scripts"
SAMPLE = ROOT / "tests" / "fixtures" / "app" / "sample.log"
GOLDEN = ROOT / "tests" / "golden" / "shot"
FAILURES = ROOT / "tests" / "_failures"
SIZE = (960, 540)
# Tolerance: anti-aliasing may differ a little between FreeType builds.
MEAN_LIMIT = 1.5  # mean absolute difference per channel, 0..255
PIXEL_LIMIT = 0.003  # share of pixels allowed to differ by more than PIXEL_DELTA
PIXEL_DELTA = 48

# name -> (story, text the message contains, page)
CASES = {
    "demo-first": (DEMO, None, 0),
    "demo-ruby-longer": (DEMO, "<ruby>灯<rt>ともしび</rt></ruby>", 0),
    "demo-direction-portrait": (DEMO, "絶体絶命", 0),
    "sample-direction-ruby": (SAMPLE, "天体望遠鏡", 0),
    "sample-latin-ruby": (SAMPLE, "Vega", 0),
    "sample-long-page1": (SAMPLE, "流れ星が三つ", 0),
    "sample-long-page2": (SAMPLE, "流れ星が三つ", 1),
    "sample-jukugo": (SAMPLE, "楽しみ", 0),
    "sample-narration": (SAMPLE, "通信が一瞬途切れる", 0),
}


def _find(story_path: Path, needle: str | None) -> tuple[object, int]:
    story = load_story(story_path)
    if needle is None:
        return story, 0
    needle = needle.replace("<ruby>", "").split("<rt>")[0]
    index = StoryIndex(story)
    for i, cursor in enumerate(index.cursors()):
        if needle in index.message_at(cursor).text:
            return story, i
    raise AssertionError(f"no message containing {needle!r} in {story_path}")


def _difference(a: pygame.Surface, b: pygame.Surface) -> pygame.Surface:
    """|a - b| per channel, computed with saturating blits (no numpy needed)."""
    d1 = a.copy()
    d1.blit(b, (0, 0), special_flags=pygame.BLEND_RGB_SUB)
    d2 = b.copy()
    d2.blit(a, (0, 0), special_flags=pygame.BLEND_RGB_SUB)
    d1.blit(d2, (0, 0), special_flags=pygame.BLEND_RGB_ADD)
    return d1


def _compare(expected: pygame.Surface, actual: pygame.Surface) -> tuple[float, float]:
    """Mean channel difference and the share of pixels that differ clearly."""
    diff = _difference(expected.convert(24), actual.convert(24))
    mean = sum(pygame.transform.average_color(diff)[:3]) / 3
    w, h = diff.get_size()
    close = pygame.mask.from_threshold(diff, (0, 0, 0), (PIXEL_DELTA,) * 3 + (255,))
    return mean, 1 - close.count() / (w * h)


def _write_failure(name: str, expected: pygame.Surface, actual: pygame.Surface) -> Path:
    w, h = actual.get_size()
    sheet = pygame.Surface((w * 3, h))
    sheet.blit(expected, (0, 0))
    sheet.blit(actual, (w, 0))
    diff = _difference(expected.convert(24), actual.convert(24))
    # Amplify so small differences are visible by eye.
    for _ in range(3):
        diff.blit(diff, (0, 0), special_flags=pygame.BLEND_RGB_ADD)
    sheet.blit(diff, (2 * w, 0))
    FAILURES.mkdir(parents=True, exist_ok=True)
    path = FAILURES / f"shot-{name}.png"
    pygame.image.save(sheet, str(path))
    return path


@pytest.mark.parametrize("name", sorted(CASES))
def test_shot_golden(name: str) -> None:
    story_path, needle, page = CASES[name]
    story, message = _find(story_path, needle)
    actual = render_shot(story, message, SIZE, "adv", page, "ja")
    golden = GOLDEN / f"{name}.png"
    if os.environ.get("CHATLOG_UPDATE_GOLDENS") == "1" or not golden.exists():
        if os.environ.get("CHATLOG_UPDATE_GOLDENS") != "1":
            pytest.fail(f"no golden {golden.name}; run with CHATLOG_UPDATE_GOLDENS=1")
        golden.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(actual, str(golden))
        return
    expected = pygame.image.load(str(golden))
    assert expected.get_size() == actual.get_size()
    mean, share = _compare(expected, actual)
    if mean > MEAN_LIMIT or share > PIXEL_LIMIT:
        path = _write_failure(name, expected, actual)
        pytest.fail(f"{name}: mean diff {mean:.2f}, {share:.2%} pixels differ; see {path}")


def test_compare_sees_a_changed_message() -> None:
    """The tolerance is tight enough that another message's frame does not pass."""
    story, first = _find(SAMPLE, "天体望遠鏡")
    a = render_shot(story, first, SIZE, "adv", 0, "ja")
    b = render_shot(story, first + 1, SIZE, "adv", 0, "ja")
    mean, share = _compare(a, b)
    assert share > PIXEL_LIMIT
    assert _compare(a, a.copy()) == (0.0, 0.0)


def test_shot_command_writes_a_png_of_the_size(tmp_path: Path) -> None:
    out = tmp_path / "frame.png"
    assert main(["shot", str(SAMPLE), "--message", "2", "-o", str(out), "--size", "640x360"]) == 0
    image = pygame.image.load(str(out))
    assert image.get_size() == (640, 360)
    default = tmp_path / "default.png"
    assert main(["shot", str(DEMO), "-m", "0", "-o", str(default)]) == 0
    assert pygame.image.load(str(default)).get_size() == (1280, 720)


def test_shot_rejects_a_message_out_of_range(tmp_path: Path, capsys) -> None:
    code = main(["shot", str(SAMPLE), "--message", "999", "-o", str(tmp_path / "x.png")])
    assert code == 2
    assert "outside" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_shot_defaults_to_the_scenes_view(tmp_path: Path) -> None:
    story = load_story(DEMO)
    index = StoryIndex(story)
    ref = story.scenes[index.cursor_at(0).scene]
    view = ref.config.view or story.view
    default, forced = tmp_path / "default.png", tmp_path / "forced.png"
    assert main(["shot", str(DEMO), "-m", "0", "-o", str(default), "--size", "640x360"]) == 0
    code = main(["shot", str(DEMO), "-m", "0", "-o", str(forced), "--size", "640x360",
                 "--view", view])
    if code != 0:
        pytest.skip(f"the {view} view is not available")
    a, b = pygame.image.load(str(default)), pygame.image.load(str(forced))
    assert _compare(a, b) == (0.0, 0.0)


def test_a_mismatch_writes_expected_actual_and_difference(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys.modules[__name__], "FAILURES", tmp_path)
    a = pygame.Surface((30, 20))
    b = a.copy()
    b.fill((200, 0, 0), pygame.Rect(0, 0, 10, 10))
    path = _write_failure("example", a, b)
    sheet = pygame.image.load(str(path))
    assert path.parent == tmp_path and sheet.get_size() == (90, 20)
    assert sheet.get_at((35, 5))[:3] == (200, 0, 0)  # the actual, in the middle
    assert sheet.get_at((65, 5))[0] > 0 and sheet.get_at((85, 15))[:3] == (0, 0, 0)
