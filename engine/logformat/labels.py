"""Speaker labels: what counts as one, and "did you mean" for likely typos."""

from __future__ import annotations

import re

MAX_LABEL = 32
# Characters that show the text before a colon is prose or markup, not a name.
_NOT_IN_LABEL = re.compile(r"[\s<>&\"()（）「」『』【】\[\]{}]")


def label_end(text: str) -> int:
    """Index of the first ':' or '：' if it can end a label (1..32 chars in), else -1."""
    a = text.find(":", 0, MAX_LABEL + 1)
    b = text.find("：", 0, MAX_LABEL + 1)
    k = a if b < 0 or 0 <= a < b else b
    return k if k > 0 else -1


def is_label_text(label: str) -> bool:
    """The label rules that depend only on the label itself.

    1-32 characters, no white space, at least one letter (so `20:28` is a
    time, not a speaker), and none of the brackets, quotes or markup
    characters that only prose or HTML put before a colon.
    """
    return (0 < len(label) <= MAX_LABEL and not _NOT_IN_LABEL.search(label)
            and any(c.isalpha() for c in label))


def colon_context_ok(text: str, k: int) -> bool:
    """The rules that look past the colon at text[k]: not a time (`午後8:30`), not a URL."""
    if text.startswith("//", k + 1):
        return False
    return not (text[k - 1].isdigit() and text[k + 1 : k + 2].isdigit())


def distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment edit distance (a swap of neighbours costs 1).

    Returns limit + 1 as soon as the distance must exceed `limit`.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[len(b)]


def suggest(label: str, counts: dict[str, int], frequent: int = 3) -> str | None:
    """A label used at least `frequent` times that `label` is probably a typo of.

    Close means the same letters in another case, or a small edit distance
    that grows with length: none for 1-2 characters (`A` and `B` are two
    people), 1 for 3-4 characters, 1-2 for longer labels (`AKRIA`, `AKIRA`).
    """
    best: tuple[int, int, str] | None = None
    letters = set(label)
    for other, n in counts.items():
        if n < frequent or other == label:
            continue
        if other.casefold() == label.casefold():
            d = 0
        else:
            shorter = min(len(label), len(other))
            limit = 0 if shorter <= 2 else 1 if shorter <= 4 else 2
            # each edit adds or removes at most two distinct letters: a cheap first test
            if len(letters.symmetric_difference(other)) > 2 * limit:
                continue
            d = distance(label, other, limit)
            if d > limit:
                continue
        key = (d, -n, other)
        if best is None or key < best:
            best = key
    return None if best is None else best[2]
