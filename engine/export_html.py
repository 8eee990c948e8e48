"""A story as one self-contained HTML page, for proofreading in a browser.

The page needs nothing but itself: the style sheet is inline, there is no
script, and a Content-Security-Policy forbids loading anything else, so a
script file can never make the page fetch or run something. Every piece of
text from the story is HTML-escaped; ruby becomes real `<ruby>` markup
(jukugo ruby as one `<rb>`/`<rt>` pair per part), forced breaks become
`<br>`, stage directions and narration get their own classes.

Pure: a `Story` in, a string out.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from engine.model import Break, Direction, Message, Ruby, SceneRef, Story, Text

_STYLE = """
:root { color-scheme: dark; }
body { margin: 0; background: #1b1d24; color: #ecebe8; line-height: 1.9;
  font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif; }
main, header { max-width: 46em; margin: 0 auto; padding: 0 1.25em; }
header { padding-top: 2em; }
h1 { font-size: 1.6em; font-weight: 600; margin: 0 0 .2em; }
.meta, .src { color: #8c8f99; font-size: .8em; }
.scene { margin: 2.5em 0; }
.scene h2 { font-size: 1.05em; font-weight: 600; color: #c9c7c0; margin: 0;
  padding-bottom: .3em; border-bottom: 1px solid #3a3d48; }
.scene h2 .num { color: #8c8f99; margin-right: .6em; }
.msg { display: flex; gap: .9em; margin: .35em 0; padding: .15em 0; }
.who { flex: 0 0 6.5em; text-align: right; font-weight: 600; overflow-wrap: anywhere; }
.text { flex: 1; min-width: 0; }
.narration .text { color: #b4b6be; font-style: italic; text-align: center; }
.dir { color: #8f929c; font-size: .9em; }
ruby rt { font-size: .5em; color: #d6d3cb; }
.empty { color: #8c8f99; }
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'"

# The page's own words, in the story's interface language (Japanese unless
# story.yaml says `ui_language: en`): the page is for the story's proofreaders.
_WORDS: dict[str, dict[str, str]] = {
    "ja": {"scene": "シーン {n}", "none": "（メッセージなし）",
           "counts": "{scenes} シーン · {messages} メッセージ"},
    "en": {"scene": "scene {n}", "none": "(no messages)", "counts": "{scenes} · {messages}"},
}


def page_language(story: Story) -> str:
    """The language of the page's own words and its `lang`: the story's, else Japanese."""
    return story.ui_language if story.ui_language in _WORDS else "ja"


def counted(n: int, noun: str) -> str:
    """`1 scene`, `2 scenes`: an English count with its noun in the right number."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _counts(story: Story) -> str:
    scenes = len(story.scenes)
    messages = sum(len(ref.scene.messages) for ref in story.scenes)
    if page_language(story) == "en":
        return _WORDS["en"]["counts"].format(scenes=counted(scenes, "scene"),
                                             messages=counted(messages, "message"))
    return _WORDS["ja"]["counts"].format(scenes=f"{scenes:,}", messages=f"{messages:,}")


def render_html(story: Story) -> str:
    """The whole page for a story."""
    classes = _speaker_classes(story)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{page_language(story)}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(story.title)}</title>",
        f"<style>{_STYLE}{_colour_rules(story, classes)}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(story.title)}</h1>",
        f'<p class="meta">{escape(_counts(story))}</p>',
        "</header>",
        "<main>",
    ]
    for ref in story.scenes:
        parts.append(render_scene(story, ref, classes))
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _speaker_classes(story: Story) -> dict[str, str]:
    """A CSS class per speaker label (labels themselves may hold any character)."""
    labels: list[str] = list(story.characters)
    for ref in story.scenes:
        for m in ref.scene.messages:
            if m.speaker is not None and m.speaker not in labels:
                labels.append(m.speaker)
    return {label: f"c{i}" for i, label in enumerate(labels)}


def _colour_rules(story: Story, classes: dict[str, str]) -> str:
    rules = []
    for label, cls in classes.items():
        char = story.character(label)
        if char is not None:
            r, g, b = char.color
            rules.append(f".{cls} .who {{ color: #{r:02x}{g:02x}{b:02x}; }}")
    return "\n".join(rules) + "\n"


def render_scene(story: Story, ref: SceneRef, classes: dict[str, str]) -> str:
    """One scene: a heading (number, date and time) and its messages."""
    scene = ref.scene
    words = _WORDS[page_language(story)]
    title = escape(scene.title or words["scene"].format(n=ref.index + 1))
    if scene.timestamp is not None:
        iso = scene.timestamp.isoformat(timespec="minutes")
        title = f'<time datetime="{escape(iso)}">{title}</time>'
    file = _short_file(story, story.scripts[ref.script].file)
    lines = [
        f'<section class="scene" id="scene-{ref.index + 1}">',
        f'<h2><span class="num">{ref.index + 1}</span>{title}</h2>',
        f'<p class="src">{escape(file)}:{scene.pos.line}</p>',
    ]
    lines += [render_message(story, m, file, classes) for m in scene.messages]
    if not scene.messages:
        lines.append(f'<p class="empty">{escape(words["none"])}</p>')
    lines.append("</section>")
    return "\n".join(lines)


def render_message(story: Story, message: Message, file: str, classes: dict[str, str]) -> str:
    """One message: the speaker's name in its colour (or narration), then the text."""
    src = escape(f"{file}:{message.pos.line}")
    body = f'<div class="text">{render_runs(message)}</div>'
    if message.speaker is None:
        return f'<div class="msg narration" title="{src}">{body}</div>'
    char = story.character(message.speaker)
    name = char.name if char is not None else message.speaker
    cls = classes.get(message.speaker, "")
    return (f'<div class="msg say {cls}" title="{src}" data-speaker="{escape(message.speaker)}">'
            f'<div class="who">{escape(name)}</div>{body}</div>')


def render_runs(message: Message) -> str:
    """A message's runs as inline HTML."""
    out = []
    for run in message.runs:
        if isinstance(run, Ruby):
            pairs = "".join(
                f"<rb>{escape(base)}</rb><rt>{escape(reading)}</rt>" for base, reading in run.parts
            )
            out.append(f"<ruby>{pairs}</ruby>")
        elif isinstance(run, Direction):
            out.append(f'<span class="dir">{escape(run.text)}</span>')
        elif isinstance(run, Break):
            out.append("<br>")
        elif isinstance(run, Text):
            out.append(escape(run.text))
    return "".join(out)


def _short_file(story: Story, file: str) -> str:
    try:
        return Path(file).relative_to(story.root).as_posix()
    except ValueError:
        return Path(file).name
