"""Rendering laid-out text: fonts, fallbacks, tofu, caches, typewriter reveal, styles.

Layouts are built by hand from engine.layout.boxes types, so these tests pin
the renderer alone: what it draws where, and that its caches are used.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import pygame
import pytest

from engine.layout.boxes import Glyph, Layout, Line, RubyBox, Settings
from engine.render import FontSet, TextColors, TextRenderer, default_font_path
from engine.render.fonts import drawn_chars

SETTINGS = Settings(size=32.0)
PITCH = SETTINGS.line_pitch
BAND = SETTINGS.ruby_band
WHITE = TextColors(text=(255, 255, 255), direction=(110, 110, 110), ruby=(255, 255, 255))


@pytest.fixture(scope="module")
def fonts() -> FontSet:
    return FontSet()


@pytest.fixture()
def renderer(fonts: FontSet) -> TextRenderer:
    return TextRenderer(fonts)


def make_line(text: str, row: int, start_index: int, rubies=(), directions=()) -> Line:
    """A line of 1-em glyphs; `directions` holds the positions styled as a stage direction."""
    glyphs = tuple(
        Glyph(ch, i * 32.0, 32.0, start_index + i, "direction" if i in directions else "text")
        for i, ch in enumerate(text)
    )
    return Line(BAND + row * PITCH, glyphs, tuple(rubies))


def make_layout(*lines: Line, width: float = 640.0) -> Layout:
    return Layout(SETTINGS, width, lines, sum(len(line.glyphs) for line in lines))


def ink(surface: pygame.Surface, rect: pygame.Rect | tuple[int, int, int, int]) -> int:
    """How many pixels inside rect are not fully transparent."""
    rect = pygame.Rect(rect).clip(surface.get_rect())
    mask = pygame.mask.from_surface(surface.subsurface(rect), 1)
    return mask.count()


def max_brightness(surface: pygame.Surface, rect: tuple[int, int, int, int]) -> int:
    sub = surface.subsurface(pygame.Rect(rect).clip(surface.get_rect()))
    best = 0
    for y in range(sub.get_height()):
        for x in range(sub.get_width()):
            r, g, b, a = sub.get_at((x, y))
            if a > 200:
                best = max(best, (r + g + b) // 3)
    return best


def pixels(surface: pygame.Surface) -> bytes:
    return pygame.image.tobytes(surface, "RGBA")


# --- FontSet -----------------------------------------------------------------


def test_default_font_path_is_the_noto_cjk_file() -> None:
    path = default_font_path()
    assert path.is_file()
    assert path.name == "NotoSansCJKjp-Regular.otf"


def test_measure_sums_advances(fonts: FontSet) -> None:
    assert fonts.measure("国", 32) == 32
    assert fonts.measure("あ", 16) == 16
    assert fonts.measure("国語", 32) == 64
    assert fonts.measure("", 32) == 0
    assert 0 < fonts.measure("i", 32) < fonts.measure("W", 32) < 32


def test_measure_is_memoised(fonts: FontSet, monkeypatch: pytest.MonkeyPatch) -> None:
    first = fonts.measure("天体望遠鏡", 24.0)

    def no_more_metrics(ch: str, size: float) -> float:
        raise AssertionError("measured again")

    monkeypatch.setattr(fonts, "_char_advance", no_more_metrics)
    assert fonts.measure("天体望遠鏡", 24.0) == first


def test_has_glyph_and_missing_chars(fonts: FontSet) -> None:
    assert fonts.has_glyph("昴")
    assert fonts.has_glyph("A")
    assert not fonts.has_glyph("\ue000")  # private use: no font has it
    assert fonts.missing_chars("あ\ue000い\U0010fffd") == {"\ue000", "\U0010fffd"}
    assert fonts.missing_chars("起きてる？　Vega") == set()


def test_selectors_and_joiners_draw_nothing() -> None:
    assert list(drawn_chars("\u2764\ufe0f")) == ["\u2764"]
    assert list(drawn_chars("\U0001f468\u200d\U0001f469")) == ["\U0001f468"]
    assert list(drawn_chars("e\u0301")) == ["e", "\u0301"]


def test_fallback_font_draws_what_the_primary_lacks() -> None:
    latin_only = Path(pygame.__file__).with_name("freesansbold.ttf")
    alone = FontSet(latin_only)
    assert not alone.has_glyph("あ")
    with_fallback = FontSet(latin_only, fallbacks=[default_font_path()])
    assert with_fallback.has_glyph("あ")
    assert with_fallback.font_for("あ") is with_fallback.fallbacks[0]
    assert with_fallback.font_for("A") is with_fallback.primary
    assert with_fallback.measure("あ", 32) == 32
    image = with_fallback.render_glyph("あ", 32, (255, 255, 255))
    assert image.surface.get_width() > 10


def test_missing_font_file_warns_and_uses_default(tmp_path: Path) -> None:
    fonts = FontSet(tmp_path / "nope.otf")
    assert len(fonts.warnings) == 1 and "nope.otf" in fonts.warnings[0]
    assert fonts.has_glyph("昴")
    assert fonts.measure("昴", 32) == 32


@pytest.mark.parametrize("content", [b"this is not a font" * 20, b"", bytes(range(256)) * 40])
def test_broken_font_file_warns_once_and_uses_default(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes
) -> None:
    # Issue 17: a 0-byte font stopped the player (ValueError); random bytes were
    # reported twice, once as a raw RuntimeWarning.
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(content)
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING, logger="chatlog-vn"):
        warnings.simplefilter("error")
        fonts = FontSet(broken)
    assert [r.getMessage() for r in caplog.records] == fonts.warnings
    assert len(fonts.warnings) == 1 and "broken.ttf" in fonts.warnings[0]
    assert "not a font file" in fonts.warnings[0] or "empty file" in fonts.warnings[0]
    assert fonts.has_glyph("昴")


def test_broken_fallback_is_skipped_with_a_warning(tmp_path: Path) -> None:
    fonts = FontSet(fallbacks=[tmp_path / "gone.ttf"])
    assert fonts.fallbacks == ()
    assert len(fonts.warnings) == 1 and "fallback" in fonts.warnings[0]


def test_good_fonts_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FontSet(default_font_path(), fallbacks=[Path(pygame.__file__).with_name("freesansbold.ttf")])


def test_a_fontset_made_after_pygame_quit_works() -> None:
    # pygame.quit() kills every loaded freetype Font; the shared font cache must notice.
    # In a subprocess, so this test's pygame.quit() cannot disturb the others.
    code = (
        "import pygame\n"
        "from engine.render import FontSet\n"
        "FontSet().measure('あ', 32)\n"
        "pygame.quit()\n"
        "fonts = FontSet()\n"
        "assert fonts.measure('い', 32) == 32\n"
        "assert fonts.render_glyph('う', 32, (255, 255, 255)).surface.get_width() > 10\n"
        # pygame.init() after a quit starts freetype again: the cache is still stale.
        "pygame.quit()\n"
        "pygame.init()\n"
        "again = FontSet()\n"
        "assert again.render_glyph('え', 32, (255, 255, 255)).surface.get_width() > 10\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("ch", ["\ue000", "\U0010fffd", "\U000f0000"])
def test_missing_character_draws_an_outlined_box(fonts: FontSet, ch: str) -> None:
    image = fonts.render_glyph(ch, 32, (255, 255, 255))
    w, h = image.surface.get_size()
    assert w >= 20 and h >= 16  # a box about one em wide
    assert image.surface.get_at((0, h // 2)).a == 255  # left edge drawn
    assert image.surface.get_at((w - 1, h // 2)).a == 255  # right edge drawn
    assert image.surface.get_at((w // 2, h // 2)).a == 0  # hollow inside
    assert fonts.measure(ch, 32) == 32


def test_missing_character_in_a_layout_does_not_crash(renderer: TextRenderer) -> None:
    layout = make_layout(make_line("あ\ue000い\U0010fffdう", 0, 0))
    surface = renderer.render_layout(layout, WHITE)
    for i in range(5):  # every glyph, tofu included, leaves ink in its own cell
        assert ink(surface, (i * 32, int(BAND), 32, 32)) > 0


def test_em_ascent_reads_the_typographic_em_box() -> None:
    assert FontSet().ascent_ratio == pytest.approx(0.88)  # Noto CJK: 880 / -120
    latin = FontSet(Path(pygame.__file__).with_name("freesansbold.ttf"))
    assert 0.6 < latin.ascent_ratio < 0.85
    assert latin.ascent(40) == pytest.approx(40 * latin.ascent_ratio)


# --- vertical placement ----------------------------------------------------------


def test_base_glyphs_share_a_baseline_and_ruby_sits_in_its_band(renderer: TextRenderer) -> None:
    ruby = RubyBox("すばる", 1, 2, 8.0, 48.0, (8.0, 24.0, 40.0))
    layout = make_layout(make_line("今昴一", 0, 0, [ruby]))
    surface = renderer.render_layout(layout, WHITE)
    band, top = int(BAND), int(BAND)
    total = ink(surface, surface.get_rect())
    # the base ink stays in the line's em box, the ruby ink in the band above it
    ruby_ink = ink(surface, (0, 0, 96, band))
    assert ruby_ink == ink(surface, (8, 0, 48, band)) > 0
    assert ink(surface, (0, top, 96, 32)) == total - ruby_ink
    # over 昴 the ruby ink and the base ink do not touch: their em boxes meet at `top`
    rows = [y for y in range(surface.get_height()) if ink(surface, (32, y, 32, 1))]
    ruby_bottom = max(y for y in rows if y < top)
    base_top = min(y for y in rows if y >= top)
    assert base_top - ruby_bottom >= 2
    # the same character twice on a line is drawn at the same height
    twice = renderer.render_layout(make_layout(make_line("国あ国", 0, 0)), WHITE)
    left = twice.subsurface((0, 0, 32, twice.get_height()))
    right = twice.subsurface((64, 0, 32, twice.get_height()))
    assert pixels(left) == pixels(right)


def test_surface_size_leaves_room_for_hanging_punctuation(renderer: TextRenderer) -> None:
    layout = make_layout(make_line("あい", 0, 0), make_line("う。", 1, 2), width=300.0)
    surface = renderer.render_layout(layout, WHITE)
    assert surface.get_width() >= 300 + 32
    assert surface.get_height() >= int(layout.height)
    assert surface.get_flags() & pygame.SRCALPHA


# --- caches ---------------------------------------------------------------------


def test_second_render_of_the_same_layout_is_a_cache_hit(renderer: TextRenderer) -> None:
    layout = make_layout(make_line("起きてるよ。", 0, 0))
    first = renderer.render_layout(layout, WHITE)
    glyphs = renderer.stats.glyph_renders
    assert renderer.stats.page_builds == 1
    second = renderer.render_layout(layout, WHITE)
    assert second is first
    assert renderer.stats.page_builds == 1
    assert renderer.stats.page_hits == 1
    assert renderer.stats.glyph_renders == glyphs


def test_glyph_images_are_shared_between_layouts(renderer: TextRenderer) -> None:
    renderer.render_layout(make_layout(make_line("起きてる", 0, 0)), WHITE)
    glyphs = renderer.stats.glyph_renders
    renderer.render_layout(make_layout(make_line("てる起き", 0, 0)), WHITE)
    assert renderer.stats.page_builds == 2
    assert renderer.stats.glyph_renders == glyphs  # every glyph came from the cache


def test_equal_lines_that_are_new_objects_share_the_page(renderer: TextRenderer) -> None:
    layout = ruby_layout()
    renderer.render_layout(layout, WHITE)
    # what paginate gives when called again: equal Line values, new objects
    again = tuple(replace(line, y=line.y) for line in layout.lines)
    assert again[0] is not layout.lines[0]
    renderer.render_layout(layout, WHITE, lines=again)
    renderer.render_layout(layout, WHITE, lines=again)
    assert renderer.stats.page_builds == 1
    assert renderer.stats.page_hits == 2


def test_other_colours_are_another_page(renderer: TextRenderer) -> None:
    layout = make_layout(make_line("あ", 0, 0))
    renderer.render_layout(layout, WHITE)
    renderer.render_layout(layout, TextColors(text=(255, 0, 0)))
    assert renderer.stats.page_builds == 2


def test_page_cache_is_bounded(fonts: FontSet) -> None:
    renderer = TextRenderer(fonts, page_cache=2)
    layouts = [make_layout(make_line(text, 0, 0)) for text in ("あい", "いう", "うえ")]
    for layout in layouts:
        renderer.render_layout(layout, WHITE)
    renderer.render_layout(layouts[0], WHITE)  # evicted, so built again
    assert renderer.stats.page_builds == 4


# --- typewriter reveal --------------------------------------------------------


def ruby_layout() -> Layout:
    # 今夜は昴が: the ruby すばる is over glyph 3 (昴), first line; line 2 has 天/あま
    first = make_line("今夜は昴が", 0, 0, [RubyBox("すばる", 3, 4, 88.0, 48.0, (88.0, 104.0, 120.0))])
    second = make_line("の天", 1, 5, [RubyBox("あま", 1, 2, 32.0, 32.0, (32.0, 48.0))])
    return make_layout(first, second)


def test_ruby_appears_with_the_first_glyph_of_its_base(renderer: TextRenderer) -> None:
    layout = ruby_layout()
    band = (80, 0, 64, int(BAND))
    for k in range(layout.chars + 1):
        surface = renderer.render_layout(layout, WHITE, reveal=k)
        glyph_cells = [ink(surface, (i * 32, int(BAND), 32, 32)) > 0 for i in range(5)]
        assert glyph_cells == [i < k for i in range(5)]
        assert (ink(surface, band) > 0) == (k > 3)
        second_band = (32, int(PITCH), 32, int(BAND))
        assert (ink(surface, second_band) > 0) == (k > 6)


def test_typewriter_frames_match_a_fresh_render(fonts: FontSet) -> None:
    layout = ruby_layout()
    typing = TextRenderer(fonts)
    for k in [0, 1, 2, 4, 5, 7, 3, 7]:  # forwards, then back, then forwards again
        incremental = pixels(typing.render_layout(layout, WHITE, reveal=k))
        fresh = pixels(TextRenderer(fonts).render_layout(layout, WHITE, reveal=k))
        assert incremental == fresh, k
    assert typing.stats.page_builds == 1
    assert typing.stats.redraws == 1


def test_reveal_none_and_reveal_all_are_the_same(fonts: FontSet) -> None:
    layout = ruby_layout()
    full = pixels(TextRenderer(fonts).render_layout(layout, WHITE))
    assert full == pixels(TextRenderer(fonts).render_layout(layout, WHITE, reveal=layout.chars))
    assert full == pixels(TextRenderer(fonts).render_layout(layout, WHITE, reveal=10_000))


# --- styles ----------------------------------------------------------------------


def test_direction_glyphs_are_dimmer(renderer: TextRenderer) -> None:
    layout = make_layout(make_line("笑（笑）", 0, 0, directions={1, 2, 3}))
    surface = renderer.render_layout(layout, WHITE)
    top = int(BAND)
    text = max_brightness(surface, (0, top, 32, 32))
    direction = max_brightness(surface, (64, top, 32, 32))
    assert text == 255
    assert 0 < direction < text - 60


def test_shadow_is_drawn_down_right(fonts: FontSet) -> None:
    layout = make_layout(make_line("一", 0, 0))  # one horizontal stroke: easy to find
    plain = TextRenderer(fonts).render_layout(layout, WHITE)
    shaded = TextRenderer(fonts).render_layout(layout, TextColors(shadow=(255, 0, 0)))
    assert ink(shaded, shaded.get_rect()) > ink(plain, plain.get_rect())
    reds = [
        (x, y)
        for y in range(shaded.get_height())
        for x in range(shaded.get_width())
        if tuple(shaded.get_at((x, y)))[:3] == (255, 0, 0) and shaded.get_at((x, y)).a == 255
    ]
    whites = [
        (x, y)
        for y in range(plain.get_height())
        for x in range(plain.get_width())
        if plain.get_at((x, y)).a == 255
    ]
    assert reds and whites
    assert max(x for x, _ in reds) > max(x for x, _ in whites)
    assert max(y for _, y in reds) > max(y for _, y in whites)


def test_outline_surrounds_the_glyph(fonts: FontSet) -> None:
    layout = make_layout(make_line("\u3000一", 0, 0))  # off the surface's left edge
    plain = TextRenderer(fonts).render_layout(layout, WHITE)
    outlined = TextRenderer(fonts).render_layout(layout, TextColors(outline=(0, 0, 255)))
    solid = [(x, y) for y in range(plain.get_height()) for x in range(plain.get_width())
             if plain.get_at((x, y)).a == 255]
    left = min(solid)
    top = min(solid, key=lambda p: p[1])


    def blue(x: int, y: int) -> bool:
        c = outlined.get_at((x, y))
        return c.a >= 128 and c.b == 255 and c.r < 100

    assert any(blue(x, left[1]) for x in range(left[0] - 3, left[0]))  # left of the stroke
    assert any(blue(top[0], y) for y in range(top[1] - 3, top[1]))  # above the stroke
    assert not any(blue(x, y) for x, y in solid)  # the glyph stays on top
    assert tuple(outlined.get_at(left))[:3] == (255, 255, 255)


# --- pages and draw_page ---------------------------------------------------------


def test_draw_page_puts_the_page_top_at_origin(renderer: TextRenderer) -> None:
    layout = ruby_layout()
    target = pygame.Surface((400, 200), pygame.SRCALPHA)
    rect = renderer.draw_page(target, layout.lines[1:], (10, 20), WHITE, settings=SETTINGS)
    assert rect.topleft == (10, 20)
    # the second line is drawn as the first of its page: ruby band, then base
    assert ink(target, (10 + 32, 20, 32, int(BAND))) > 0
    assert ink(target, (10, 20 + int(BAND), 64, 32)) > 0
    assert ink(target, (0, 20 + int(PITCH), 400, 200)) == 0


def test_draw_page_of_a_layout_is_its_cached_surface(renderer: TextRenderer) -> None:
    layout = ruby_layout()
    target = pygame.Surface((700, 200))
    for _ in range(2):
        target.fill((20, 30, 40))
        renderer.draw_page(target, layout, (0, 0), WHITE)
    assert renderer.stats.page_builds == 1
    assert renderer.stats.page_hits == 1
    expected = pygame.Surface((700, 200))
    expected.fill((20, 30, 40))
    expected.blit(renderer.render_layout(layout, WHITE), (0, 0))
    assert pixels(target) == pixels(expected)


def test_draw_page_of_lines_needs_settings(renderer: TextRenderer) -> None:
    target = pygame.Surface((100, 100), pygame.SRCALPHA)
    with pytest.raises(ValueError, match="settings"):
        renderer.draw_page(target, ruby_layout().lines, (0, 0), WHITE)


def test_page_of_a_layout_via_render_layout(renderer: TextRenderer) -> None:
    layout = ruby_layout()
    page = renderer.render_layout(layout, WHITE, lines=layout.lines[1:])
    assert page.get_height() >= int(PITCH)
    assert page.get_height() < int(2 * PITCH)
    assert ink(page, (32, 0, 32, int(BAND))) > 0  # あま over 天


def test_graphemes_and_spaces_render(renderer: TextRenderer) -> None:
    line = Line(BAND, (
        Glyph("e\u0301", 0.0, 18.0, 0),
        Glyph("\u3000", 18.0, 32.0, 1),
        Glyph("\U0001f319", 50.0, 32.0, 2),
        Glyph("\u2764\ufe0f", 82.0, 32.0, 3),
    ))
    surface = renderer.render_layout(Layout(SETTINGS, 200.0, (line,), 4), WHITE)
    assert ink(surface, (0, int(BAND) - 4, 18, 40)) > 0
    assert ink(surface, (20, 0, 28, surface.get_height())) == 0  # a full-width space
    assert ink(surface, (50, int(BAND), 32, 32)) > 0  # the moon: drawn or tofu, never nothing


# --- with the real layout core ---------------------------------------------------


def test_every_sample_message_draws_each_glyph_and_ruby_in_its_box(fonts: FontSet) -> None:
    from engine.layout import layout_message
    from engine.logformat import load

    renderer = TextRenderer(fonts)
    size, band = SETTINGS.size, SETTINGS.ruby_band
    for message in load(Path(__file__).parent / "fixtures/render/sample.log").messages:
        layout = layout_message(message.runs, 420.0, fonts.measure, SETTINGS)
        surface = renderer.render_layout(layout, WHITE)
        for line in layout.lines:
            for g in line.glyphs:
                if g.ch.strip() and g.w > 0:
                    cell = (int(g.x) - 1, int(line.y) - 1, int(g.w) + 3, int(size) + 6)
                    assert ink(surface, cell) > 0, (message.text, g)
            for r in line.rubies:
                assert ink(surface, (int(r.x) - 1, int(line.y - band), int(r.w) + 3, int(band))) > 0
        assert renderer.stats.redraws == 0
