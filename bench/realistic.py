"""Realistic generated chat scripts for the benchmarks: every line distinct.

A script reads like a serial chat story: a handful of speakers, sentences
built from Japanese words, particles and endings (with the punctuation
kinsoku cares about), now and then a number, a Latin word or an emoji, ruby
in about one message of ten, a stage direction in about one of fifteen, a
forced line break in about one of fifty, and a new scene (LOG block) every
~200 messages. Message lengths follow a long-tailed spread like real chat
(most under 40 characters, a few over 200). No two message lines are equal.

Used by bench/check.py, bench/chat.py and bench/render.py (run them from the
repository root; this file sits beside them).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

SPEAKERS = ("SORA", "KAI", "MAKO", "AKIRA", "眞", "RIN")
WEIGHTS = (30, 28, 14, 12, 10, 6)
# Base words: kanji compounds, kana words, katakana loans.
NOUNS = (
    "星", "夜", "空", "月", "海", "駅", "電車", "部屋", "窓", "屋上", "望遠鏡", "レンズ", "写真",
    "手紙", "約束", "記憶", "時間", "明日", "昨日", "今夜", "朝", "雨", "傘", "灯台", "岬", "波",
    "ベランダ", "コーヒー", "スマホ", "メッセージ", "アルバム", "ノート", "鉛筆", "教室", "先生",
    "友だち", "家族", "猫", "犬", "花", "桜", "風", "雲", "流れ星", "願い事", "地図", "道", "橋",
    "町", "村", "森", "山", "川", "音楽", "ギター", "歌", "声", "夢", "秘密", "答え", "質問",
)
VERBS = (
    "見る", "見た", "見える", "行く", "行った", "来る", "来た", "待つ", "待ってる", "話す",
    "話した", "覚えてる", "忘れた", "数える", "数えた", "探す", "探してる", "撮った", "送った",
    "聞いた", "書いた", "読んだ", "歩いた", "走った", "笑った", "泣いた", "起きてる", "寝てた",
)
ADJ = ("きれいな", "小さな", "大きな", "古い", "新しい", "静かな", "明るい", "暗い", "遠い",
       "近い", "懐かしい", "不思議な", "冷たい", "あたたかい")
PARTICLES = ("は", "が", "を", "に", "で", "と", "も", "の", "から", "まで", "へ")
ADVERBS = ("ねえ、", "あのさ、", "たぶん", "ずっと", "まだ", "もう", "ちょっと", "すごく",
           "やっぱり", "なんか", "ほんとに", "いつか", "さっき", "そういえば、")
ENDINGS = ("。", "よ。", "ね。", "の？", "？", "！", "……。", "って。", "かな。", "でしょ？",
           "んだ。", "じゃん。", "な。", "――。", "！？", "っけ？", "わ。", "ー！")
TOKENS = ("80mm", "f/11.4", "3.14", "1,000円", "95.8GB", "RTX-3080", "50%", "10時", "7月7日",
          "OK", "LINE", "Vega", "iPhone", "PM2.5", "#12", "2025年")
EMOJI = ("🌙", "⭐", "😊", "👍", "❤️", "🎂", "📷", "☔")
# Ruby: (base, reading) pairs read the same way everywhere, plus two bases a
# writer reads two ways (a realistic source of CHK002).
RUBY = (
    ("昴", "すばる"), ("灯台守", "とうだいもり"), ("天体望遠鏡", "てんたいぼうえんきょう"),
    ("北斗七星", "ほくとしちせい"), ("瑞舗", "みずほ"), ("眞", "まこと"), ("宇宙", "そら"),
    ("流星群", "りゅうせいぐん"), ("蛍", "ほたる"), ("黄昏", "たそがれ"), ("陽炎", "かげろう"),
    ("十六夜", "いざよい"), ("Vega", "ベガ"), ("東雲", "しののめ"), ("木漏れ日", "こもれび"),
)
JUKUGO = ((("明", "あ"), ("日", "した")), (("東", "とう"), ("京", "きょう")),
          (("銀", "ぎん"), ("河", "が")))
TWO_WAYS = (("明日", ("あした", "あす")), ("今日", ("きょう", "こんにち")))
DIRECTIONS = ("（笑う）", "（通信が途切れる）", "（電車の音）", "（沈黙）", "（ため息）",
              "（既読がつく）", "（スタンプ）")


class Generator:
    """Draws message lines from a seeded random source, never the same line twice."""

    def __init__(self, seed: int = 2025) -> None:
        self.rng = random.Random(seed)
        self.seen: set[int] = set()

    def phrase(self) -> str:
        r = self.rng
        kind = r.random()
        if kind < 0.55:
            return r.choice(NOUNS) + r.choice(PARTICLES)
        if kind < 0.7:
            return r.choice(ADJ) + r.choice(NOUNS) + r.choice(PARTICLES)
        if kind < 0.85:
            return r.choice(ADVERBS)
        if kind < 0.93:
            return r.choice(TOKENS) + r.choice(PARTICLES)
        if kind < 0.97:
            return "「" + r.choice(NOUNS) + "」" + r.choice(PARTICLES)
        if kind < 0.98:
            return r.choice(EMOJI)
        return r.choice(NOUNS) + "、"

    def sentence(self) -> str:
        r = self.rng
        words = [self.phrase() for _ in range(r.choice((1, 1, 2, 2, 2, 3, 3, 4, 5)))]
        return "".join(words) + r.choice(VERBS) + r.choice(ENDINGS)

    def ruby(self) -> str:
        r = self.rng
        kind = r.random()
        if kind < 0.7:
            base, reading = r.choice(RUBY)
            return f"<ruby>{base}<rt>{reading}</rt></ruby>"
        if kind < 0.9:
            parts = r.choice(JUKUGO)
            return "<ruby>" + "".join(f"{b}<rt>{t}</rt>" for b, t in parts) + "</ruby>"
        base, readings = r.choice(TWO_WAYS)
        reading = readings[0] if r.random() < 0.9 else readings[1]
        return f"<ruby>{base}<rt>{reading}</rt></ruby>"

    def body(self) -> str:
        """A message's text: a long-tailed number of sentences, with the odd extra."""
        r = self.rng
        count = 1 + min(int(r.expovariate(0.9)), 14)
        if r.random() < 0.002:
            count += r.randint(15, 40)  # the rare monologue
        parts = [self.sentence() for _ in range(count)]
        if r.random() < 0.1:
            i = r.randrange(len(parts))
            parts[i] = self.ruby() + parts[i]
        if r.random() < 0.07:
            parts.insert(0, r.choice(DIRECTIONS))
        if count > 1 and r.random() < 0.02:
            parts.insert(r.randrange(1, len(parts)), "<br>")
        return "".join(parts)

    def line(self) -> str:
        """One distinct message line (`NAME: text<br>` or a narration line)."""
        r = self.rng
        while True:
            if r.random() < 1 / 15:
                text = r.choice(DIRECTIONS)[:-1] + self.sentence()[:-1] + "）<br>"
            else:
                speaker = r.choices(SPEAKERS, WEIGHTS)[0]
                text = f"{speaker}: {self.body()}<br>"
            key = hash(text)
            if key not in self.seen:
                self.seen.add(key)
                return text


def lines(messages: int, seed: int = 2025) -> Iterator[str]:
    """The script's lines: LOG blocks of ~200 messages (150 to 250), `messages` in all."""
    gen = Generator(seed)
    r = random.Random(seed + 1)
    done, scene = 0, 0
    while done < messages:
        size = min(messages - done, r.randint(150, 250))
        day, minute = divmod(scene * 37, 24 * 60)
        yield (f"--- LOG START --- {2025 + day // 365}.{1 + day % 365 // 31:02d}."
               f"{1 + day % 31:02d} {minute // 60:02d}:{minute % 60:02d}<br>")
        for _ in range(size):
            yield gen.line()
        yield "--- LOG END ---"
        done += size
        scene += 1


def write_script(path: Path, messages: int, seed: int = 2025) -> Path:
    """Write a generated script of `messages` messages to `path`; return the path."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for text in lines(messages, seed):
            f.write(text + "\n")
    return path


def story_text(messages: int, seed: int = 2025) -> str:
    """The same script as one string (for benchmarks that parse from memory)."""
    return "\n".join(lines(messages, seed)) + "\n"


def huge_message(kind: str, chars: int = 1_000_000) -> str:
    """One message's text of `chars` characters: realistic sentences ("one-message"), one
    word, words with a space between every two, or a million spaces on one line."""
    if kind == "one-word":
        return "a" * chars
    if kind == "spaced":
        return "あ " * (chars // 2)
    if kind == "one-line":  # a million spaces between two characters: all one line
        return "あ" + " " * (chars - 2) + "い"
    gen = Generator(7)
    parts: list[str] = []
    size = 0
    while size < chars:
        parts.append(gen.sentence())
        size += len(parts[-1])
    return "".join(parts)[:chars]


def write_huge(path: Path, kind: str) -> Path:
    """A script of one block holding one message of a million characters."""
    path.write_text(f"--- LOG START --- 2025.01.01 10:00<br>\nSORA: {huge_message(kind)}<br>\n"
                    "--- LOG END ---\n", encoding="utf-8")
    return path


def write_in_child(path: Path, messages: int | None = None, huge: str | None = None) -> Path:
    """Write a script from a separate process, so the caller stays small.

    A benchmark measures its children's peak memory; on Linux a child starts
    from its parent's memory, so a parent that generated a big script itself
    would inflate every figure it measures.
    """
    import subprocess
    import sys

    args = ["--huge", huge] if huge is not None else [str(messages)]
    subprocess.run([sys.executable, __file__, str(path), *args], check=True)
    return path


if __name__ == "__main__":
    import sys

    out = Path(sys.argv[1])
    if sys.argv[2] == "--huge":
        write_huge(out, sys.argv[3])
    else:
        write_script(out, int(sys.argv[2]))
