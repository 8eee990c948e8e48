"""Deep story checks (engine.checks): golden output on fixtures, and each rule alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.checks import (
    TextBox,
    deep_checks,
    estimate_measure,
    label_distance,
)
from engine.manifest import load_story
from engine.model import Diagnostic

FIXTURES = Path(__file__).parent / "fixtures" / "writer"


class FakeFonts:
    """A font set that lacks exactly the given characters and measures by estimate."""

    def __init__(self, missing: str = "") -> None:
        self.missing = set(missing)

    def missing_chars(self, text: str) -> set[str]:
        return {c for c in text if c in self.missing}

    def measure(self, text: str, size: float) -> float:
        return estimate_measure(text, size)


def formatted(diags: tuple[Diagnostic, ...], root: Path) -> list[str]:
    """Diagnostics as gcc-style lines with files relative to `root` (stable across machines)."""
    out = []
    for d in diags:
        rel = Path(d.pos.file).relative_to(root).as_posix()
        out.append(d.format().replace(d.pos.file, rel, 1))
    return out


def write_story(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def block(*lines: str, stamp: str = "2025.01.01 10:00") -> str:
    body = "".join(f"{line}<br>\n" for line in lines)
    return f"--- LOG START --- {stamp}<br>\n{body}--- LOG END ---\n"


def codes(diags: tuple[Diagnostic, ...]) -> list[str]:
    return [d.code for d in diags]


# --- golden ---------------------------------------------------------------------


def test_golden_deep_fixture_with_the_real_font() -> None:
    from engine.render import FontSet

    story = load_story(FIXTURES / "deep")
    got = formatted(deep_checks(story, FontSet()), FIXTURES / "deep")
    expected = (FIXTURES / "deep.checks.expected").read_text(encoding="utf-8").splitlines()
    assert got == expected


def test_cast_fixture_declared_labels_are_intentional_and_typos_reported_once() -> None:
    story = load_story(FIXTURES / "cast")
    # RIN is declared in story.yaml (so it is a name, not a slip); RENN is already
    # reported by the parser (LOG040, "did you mean 'REN'?"), and only there.
    renn = [d for d in story.all_diagnostics() if "'RENN'" in d.message]
    assert codes(tuple(renn)) == ["LOG040"] and "did you mean 'REN'?" in renn[0].message
    assert deep_checks(story, FakeFonts()) == ()


# --- CHK001 speaker typos ---------------------------------------------------------


def test_typo_across_files_is_found_where_the_parser_cannot(tmp_path: Path) -> None:
    write_story(tmp_path, {
        "1.log": block("KAI: a", "KAI: b", "KAI: c", "SORA: d"),
        "2.log": block("KIA: e", "SORA: f"),
    })
    story = load_story(tmp_path)
    assert "LOG040" not in codes(story.all_diagnostics())
    diags = deep_checks(story)
    assert codes(diags) == ["CHK001"]
    assert diags[0].pos.file.endswith("2.log") and diags[0].pos.line == 2
    assert "did you mean 'KAI'?" in diags[0].message


def test_typo_reported_at_every_place_and_not_where_the_parser_did(tmp_path: Path) -> None:
    write_story(tmp_path, {
        "1.log": block("AKIRA: a", "AKIRA: b", "AKIRA: c", "AKRIA: d"),
        "2.log": block(*["AKIRA: x"] * 6, "AKRIA: e"),
    })
    story = load_story(tmp_path)
    parser_said = {(d.pos.file, d.pos.line) for d in story.all_diagnostics() if d.code == "LOG040"}
    assert parser_said  # the per-file check saw AKRIA in one file at least
    diags = [d for d in deep_checks(story) if d.code == "CHK001"]
    places = {(d.pos.file, d.pos.line) for d in diags}
    assert places.isdisjoint(parser_said)
    assert all("'AKRIA' (used 2 times)" in d.message for d in diags)


def test_two_common_labels_close_to_each_other_are_not_typos(tmp_path: Path) -> None:
    write_story(tmp_path, {"1.log": block(*["KAI: a", "KAT: b"] * 3)})
    assert deep_checks(load_story(tmp_path)) == ()


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("AKRIA", "AKIRA", 1),  # swapped neighbours
    ("Sora", "SORA", 0),  # case
    ("ＳＯＲＡ", "SORA", 0),  # full width
    ("KIA", "KAI", 1),
    ("MIO", "MAKO", None),
    ("TAKU", "TAKUMI", 2),
    ("眞", "真", 1),
    ("A", "B", 1),
    ("AB", "XY", None),
])
def test_label_distance(a: str, b: str, expected: int | None) -> None:
    assert label_distance(a, b) == expected


# --- CHK002 ruby read two ways -------------------------------------------------------


def test_one_warning_per_base_listing_every_place(tmp_path: Path) -> None:
    write_story(tmp_path, {
        "1.log": block("A: <ruby>眞<rt>まこと</rt></ruby>", "A: <ruby>眞<rt>まこと</rt></ruby>"),
        "2.log": block("B: <ruby>眞<rt>しん</rt></ruby>", "B: <ruby>昴<rt>すばる</rt></ruby>"),
    })
    diags = deep_checks(load_story(tmp_path))
    assert codes(diags) == ["CHK002"]
    d = diags[0]
    assert d.pos.file.endswith("2.log") and d.pos.line == 2  # the reading used once
    assert "しん here, but まこと at 1.log:2, 1.log:3" in d.message


def test_ruby_conflict_points_at_the_odd_reading_even_when_it_comes_first(tmp_path: Path) -> None:
    # QA's case: the one あかり is in the first file, the usual ともしび after it.
    write_story(tmp_path, {
        "1.log": block("A: x", "A: <ruby>灯<rt>あかり</rt></ruby>"),
        "2.log": block("B: <ruby>灯<rt>ともしび</rt></ruby>"),
        "3.log": block("B: y", "B: <ruby>灯<rt>ともしび</rt></ruby>", "B: <ruby>灯<rt>ともしび</rt></ruby>"),
    })
    (d,) = deep_checks(load_story(tmp_path))
    assert d.code == "CHK002" and d.pos.file.endswith("1.log") and d.pos.line == 3
    assert d.message == ("ruby base '灯' is read 2 ways: あかり here, "
                         "but ともしび at 2.log:2, 3.log:3, 3.log:4")


def test_ruby_conflict_tie_goes_to_the_later_reading_and_lists_its_other_places(
        tmp_path: Path) -> None:
    write_story(tmp_path, {
        "1.log": block(*["A: <ruby>眞<rt>まこと</rt></ruby>"] * 2),
        "2.log": block(*["A: <ruby>眞<rt>しん</rt></ruby>"] * 2, "A: <ruby>眞<rt>ま</rt></ruby>"),
    })
    (d,) = deep_checks(load_story(tmp_path))
    # ま is used least; the others follow, most used first (a tie in play order).
    assert d.pos.file.endswith("2.log") and d.pos.line == 4
    assert d.message == ("ruby base '眞' is read 3 ways: ま here, "
                         "but まこと at 1.log:2, 1.log:3; しん at 2.log:2, 2.log:3")
    write_story(tmp_path, {"2.log": block(*["A: <ruby>眞<rt>しん</rt></ruby>"] * 2)})
    (d,) = deep_checks(load_story(tmp_path))
    assert d.pos.file.endswith("2.log") and d.pos.line == 2  # a tie: the later reading
    assert d.message == ("ruby base '眞' is read 2 ways: しん here (and at 2.log:3), "
                         "but まこと at 1.log:2, 1.log:3")


def test_jukugo_units_compare_as_wholes(tmp_path: Path) -> None:
    write_story(tmp_path, {"1.log": block(
        "A: <ruby>明<rt>あ</rt>日<rt>した</rt></ruby>",
        "A: <ruby>明日<rt>あした</rt></ruby>",
        "A: <ruby>明<rt>あ</rt>後<rt>さっ</rt>日<rt>て</rt></ruby>",
    )})
    assert deep_checks(load_story(tmp_path)) == ()


# --- CHK003 missing glyphs --------------------------------------------------------------


def test_missing_chars_in_text_readings_and_names(tmp_path: Path) -> None:
    write_story(tmp_path, {
        "story.yaml": "title: 星\ncharacters:\n  A:\n    name: 彁\n",
        "1.log": block("A: ふつう", "A: 星<ruby>空<rt>そら</rt></ruby>"),
    })
    diags = deep_checks(load_story(tmp_path), FakeFonts("彁らう星"))
    assert codes(diags) == ["CHK003"] * 4
    assert [d.pos.line for d in diags] == [2, 3, 1, 1]
    assert "'う' (U+3046)" in diags[0].message
    assert "'ら' (U+3089)" in diags[1].message and "'星' (U+661F)" in diags[1].message
    assert "name of A" in diags[2].message and "title" in diags[3].message


def test_no_fontset_means_no_glyph_check(tmp_path: Path) -> None:
    write_story(tmp_path, {"1.log": block("A: 🎂")})
    assert deep_checks(load_story(tmp_path)) == ()


# --- CHK004 messages too long -------------------------------------------------------------


def test_long_message_threshold_follows_box_and_pages(tmp_path: Path) -> None:
    # 10 wide characters per 320 px line at 32 px; 3 lines a page: 30 per page.
    write_story(tmp_path, {"1.log": block("A: " + "あ" * 60, "A: " + "い" * 61)})
    story = load_story(tmp_path)
    box = TextBox(width=320, lines=3, size=32)
    diags = deep_checks(story, FakeFonts(), box, max_pages=2)
    assert codes(diags) == ["CHK004"]
    assert diags[0].pos.line == 3 and "3 pages" in diags[0].message
    assert len(deep_checks(story, FakeFonts(), box, max_pages=1)) == 2
    assert deep_checks(story, FakeFonts(), box, max_pages=3) == ()


def test_forced_breaks_count_as_lines(tmp_path: Path) -> None:
    write_story(tmp_path, {"1.log": block("A: " + "<br>".join("あ" * 7))})
    diags = deep_checks(load_story(tmp_path), FakeFonts(), TextBox(1100, 3, 32), max_pages=2)
    assert codes(diags) == ["CHK004"] and "3 pages" in diags[0].message


def test_checks_module_is_pure() -> None:
    import subprocess
    import sys

    code = ("import sys; sys.modules['pygame'] = None; "
            "import engine.checks, engine.stats, engine.reload, engine.watch, engine.export_html; "
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.stdout.strip() == "ok", out.stderr


# --- CHK004 on a huge message, and CHK003's per-character shortcut -------------------------


def test_huge_message_is_reported_without_counting_every_page(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    from engine.layout import paging

    body = "むかしむかし、山のふもとの小さな村に、星を数えるのが好きな子どもがいました。" * 20_000
    story = load_story(write_story(tmp_path, {"a.log": block(f"SORA: {body}")}))
    seen: list[int] = []
    real = paging.build_paragraphs

    def counting(runs, *args):  # type: ignore[no-untyped-def]
        seen.append(sum(len(getattr(r, "text", "")) for r in runs))
        return real(runs, *args)

    monkeypatch.setattr(paging, "build_paragraphs", counting)
    found = deep_checks(story, FakeFonts())
    assert codes(found) == ["CHK004"]
    assert "needs over 100 pages of the text box" in found[0].message
    assert sum(seen) < 40_000  # a hundred pages and a bit, of 740,000 characters


def test_page_count_is_exact_up_to_the_counted_limit(tmp_path: Path) -> None:
    from engine.checks import PAGES_COUNTED, count_pages

    box = TextBox()
    line = "あ" * 35  # one full line of the default box (1072 px / 30 px)
    story = load_story(write_story(tmp_path, {"a.log": block(
        "SORA: " + "<br>".join([line] * (3 * 40)),
        "KAI: " + "<br>".join([line] * (3 * PAGES_COUNTED + 1)))}))
    first, second = story.scenes[0].scene.messages
    assert count_pages(first, story, estimate_measure, box) == 40
    assert count_pages(first, story, estimate_measure, box, limit=PAGES_COUNTED) == 40
    assert count_pages(second, story, estimate_measure, box, limit=PAGES_COUNTED) == 101
    found = deep_checks(story, FakeFonts())
    assert [d.message.split(" of ")[0] for d in found] == [
        "message needs 40 pages", f"message needs over {PAGES_COUNTED} pages"]
    # With a page limit at the counted one, the count goes one past it, exactly.
    found = deep_checks(story, FakeFonts(), max_pages=PAGES_COUNTED)
    assert [d.message.split(" of ")[0] for d in found] == [f"message needs {PAGES_COUNTED + 1} pages"]


def test_missing_glyph_after_a_joiner_is_not_drawn_so_not_reported(tmp_path: Path) -> None:
    from engine.render import FontSet

    story = load_story(write_story(tmp_path, {"a.log": block(
        "SORA: 家族\U0001f468\u200d\U0001f469です", "KAI: ふつうの行", "SORA: \U0001f469だけ")}))
    found = deep_checks(story, FontSet())
    assert [(d.pos.line, d.code) for d in found] == [(2, "CHK003"), (4, "CHK003")]
    assert "U+1F469" not in found[0].message and "U+1F468" in found[0].message


def test_fontset_missing_chars_is_the_set_of_drawn_chars_it_lacks() -> None:
    import random

    from engine.render import FontSet
    from engine.render.fonts import drawn_chars

    fonts = FontSet()
    pool = "あ字a \u200d\u200d\ufe0f\U0001f468\U0001f469\U000e0101\u3000🇯🇵\U0001f382\t"
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        slow = {c for c in drawn_chars(text) if not c.isspace() and fonts.font_for(c) is None}
        assert fonts.missing_chars(text) == slow, repr(text)
