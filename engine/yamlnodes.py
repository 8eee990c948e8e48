"""story.yaml text -> YAML nodes, with the nesting depth bounded.

PyYAML composes and constructs recursively, so a hostile file (a list nested
10,000 deep, a chain of anchors each wrapping the last) would otherwise end
in a RecursionError. libyaml, which composes here when PyYAML has it, refuses
more than 1000 levels with a scanner error and gives up on the whole file.
Neither is what a writer should see. This module composes the file and
enforces one limit, `MAX_DEPTH` levels counted from the top-level mapping
(through aliases and merge keys too): a top-level entry that goes deeper is
taken out of the document with one error at the place it goes too deep, and
the rest of story.yaml is read as usual.

Pure: no pygame, no files. Diagnostics are YML codes (docs/STORY-YAML.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.model import Diagnostic, Pos

# A story.yaml needs about six levels (characters.LABEL.portrait.EXPRESSION);
# fifty leaves room for anchors and merges and keeps PyYAML's recursive
# constructor far from Python's recursion limit.
MAX_DEPTH = 50

# Each pass takes one too-deep entry out; a file with more than this many
# is refused whole rather than composed again and again.
_MAX_PASSES = 12

_LIBYAML_TOO_DEEP = "maximum nesting depth"


class TooDeep(Exception):
    """Nesting deeper than MAX_DEPTH that cannot be cut out of the text."""


def compose(text: str, file: str, diags: list[Diagnostic]
            ) -> tuple[yaml.SafeLoader | None, Node | None]:
    """The document's root node and the loader that constructs its scalars.

    (None, None) after an error in `diags` when the file cannot be read as
    YAML at all. Top-level entries nested deeper than MAX_DEPTH are removed
    from the result, each with an error (YML020) at the place it goes too deep.
    """
    for _ in range(_MAX_PASSES):
        try:
            loader, root = _compose_once(text, file, diags)
        except _Refused as refused:
            text = _cut_entry(text, refused, file, diags)
            if text is None:
                return None, None
            continue
        if root is not None:
            _prune(root, file, diags)
        return loader, root
    diags.append(Diagnostic(Pos(file, 1), "error", "YML020",
                            f"story.yaml nests more than {MAX_DEPTH} levels deep in too many "
                            "places; it was ignored"))
    return None, None


class _Refused(Exception):
    """libyaml gave up on nesting; where the entry holding it starts and goes too deep."""

    def __init__(self, key: str | None, key_line: int, key_col: int, deep: Pos) -> None:
        super().__init__(key)
        self.key, self.key_line, self.key_col, self.deep = key, key_line, key_col, deep


def _compose_once(text: str, file: str, diags: list[Diagnostic]
                  ) -> tuple[yaml.SafeLoader | None, Node | None]:
    # libyaml's parser, when PyYAML has it, composes ~10x faster (start-up); the
    # constructor is the same SafeConstructor. A file it refuses for another
    # reason is composed again by the pure-Python parser, whose messages the
    # diagnostics quote.
    fast = getattr(yaml, "CSafeLoader", None)
    first: yaml.YAMLError | None = None
    if fast is not None:
        try:
            loader = fast(text)
            return loader, loader.get_single_node()
        except yaml.YAMLError as exc:
            if _LIBYAML_TOO_DEEP in str(getattr(exc, "problem", "")):
                raise _locate_refusal(text, file) from exc
            first = exc
    try:
        loader = yaml.SafeLoader(text)  # its reader refuses NUL and other controls at once
        return loader, loader.get_single_node()
    except yaml.YAMLError as exc:
        _syntax_error(exc, file, diags, text)
    except RecursionError:
        # Only without libyaml, or for a file libyaml refused for a syntax
        # error: report libyaml's words if there are any.
        if first is not None:
            _syntax_error(first, file, diags, text)
        else:
            diags.append(Diagnostic(Pos(file, 1), "error", "YML020",
                                    f"story.yaml nests more than {MAX_DEPTH} levels deep "
                                    "(too deep to read); it was ignored"))
    return None, None


def _syntax_error(exc: yaml.YAMLError, file: str, diags: list[Diagnostic], text: str) -> None:
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow
        at = max(0, min(exc.position, len(text)))
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or " ")
        diags.append(Diagnostic(Pos(file, line, col), "error", "YML001",
                                f"YAML syntax error: character U+{char:04X} is not allowed in "
                                "YAML; story.yaml was ignored"))
    elif isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        diags.append(Diagnostic(Pos(file, line, col), "error", "YML001",
                                f"YAML syntax error: {problem}; story.yaml was ignored"))
    else:
        diags.append(Diagnostic(Pos(file, 1), "error", "YML001",
                                f"YAML error: {exc}; story.yaml was ignored"))


# --- nesting libyaml refused: cut the entry out of the text -------------------


def _locate_refusal(text: str, file: str) -> _Refused:
    """Walk libyaml's events up to where it gave up: the top-level key, and where
    the nesting passed MAX_DEPTH (libyaml stops at 1000, so that came first)."""
    parser = yaml.CSafeLoader(text)  # type: ignore[attr-defined]
    key: str | None = None
    key_line = key_col = 0
    deep: Pos | None = None
    # One entry per open collection: events seen in it (even = a key comes next).
    open_counts: list[int] = []
    root_is_mapping = False
    last_end = (0, 0)
    try:
        while parser.check_event():
            event = parser.get_event()
            last_end = (event.end_mark.line, event.end_mark.column)
            if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                open_counts.pop()
                continue
            is_node = isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent,
                                         yaml.SequenceStartEvent, yaml.MappingStartEvent))
            if not is_node:
                continue
            if len(open_counts) == 1 and open_counts[0] % 2 == 0:
                key = event.value if isinstance(event, yaml.ScalarEvent) else None
                key_line, key_col = event.start_mark.line, event.start_mark.column
                deep = None
            if open_counts:
                open_counts[-1] += 1
            else:
                root_is_mapping = isinstance(event, yaml.MappingStartEvent)
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                open_counts.append(0)
                if len(open_counts) > MAX_DEPTH and deep is None:
                    mark = event.start_mark
                    deep = Pos(file, mark.line + 1, mark.column + 1)
    except yaml.YAMLError:
        if deep is None:
            # libyaml scans a run of brackets ahead of its events: count them here.
            deep = _flow_too_deep(text, file, last_end, len(open_counts))
    if not root_is_mapping or len(open_counts) < 2:
        key = None  # the top level itself is what nests: no entry to take out
    return _Refused(key, key_line, key_col, deep or Pos(file, 1))


def _flow_too_deep(text: str, file: str, after: tuple[int, int], depth: int) -> Pos:
    """Where flow brackets opened after (line, col) take `depth` past MAX_DEPTH."""
    starts = _line_starts(text)
    line, col = after
    for n in range(line, len(starts)):
        start = starts[n] + (col if n == line else 0)
        stop = starts[n + 1] if n + 1 < len(starts) else len(text)
        depth, hit = _bracket_depth(text, start, stop, depth, MAX_DEPTH)
        if hit is not None:
            return Pos(file, n + 1, hit - starts[n] + 1)
    return Pos(file, line + 1, col + 1)


def _cut_entry(text: str, refused: _Refused, file: str, diags: list[Diagnostic]) -> str | None:
    """`text` with the refused top-level entry blanked (line breaks kept, so every
    other position stays where it was); None, after an error, if it cannot be."""
    limit = f"nested more than {MAX_DEPTH} levels deep"
    if refused.key is None or refused.key_col != 0:
        diags.append(Diagnostic(refused.deep, "error", "YML020",
                                f"story.yaml is {limit} here; it was ignored"))
        return None
    starts = _line_starts(text)
    begin = starts[refused.key_line]
    end = _entry_end(text, begin, starts, refused.key_line)
    diags.append(Diagnostic(refused.deep, "error", "YML020",
                            f"{_shown_key(refused.key)}: {limit}; ignored, the default is used"))
    blank = _NOT_A_BREAK.sub(" ", text[begin:end])
    return text[:begin] + blank + text[end:]


_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_NOT_A_BREAK = re.compile(r"[^\r\n\x85\u2028\u2029]")


def _line_starts(text: str) -> list[int]:
    """Offsets where each line starts, counting lines as libyaml does."""
    return [0] + [m.end() for m in _LINE_BREAK.finditer(text)]


def _entry_end(text: str, begin: int, starts: list[int], line: int) -> int:
    """Where the top-level entry starting at `begin` ends: the next line that starts
    in column 0 (a key, a comment excepted) outside brackets and quotes."""
    depth = 0
    for start, stop in zip(starts[line:], [*starts[line + 1:], len(text)], strict=True):
        if start > begin and depth == 0 and _starts_entry(text, start):
            return start
        depth, _ = _bracket_depth(text, start, stop, depth)
    return len(text)


def _starts_entry(text: str, start: int) -> bool:
    return start < len(text) and text[start] not in " \t\r\n#\x85\u2028\u2029]},"


_SCALAR_START = set("[{,:?-")


def _bracket_depth(text: str, start: int, stop: int, depth: int, limit: int | None = None
                   ) -> tuple[int, int | None]:
    """Flow-bracket depth after text[start:stop], skipping quoted scalars and comments,
    and the offset of the bracket that takes it past `limit` (None if none does).

    Approximate on purpose (a quote opens a scalar only where a scalar may
    start): it only has to find the end of an entry libyaml refused, and a
    wrong guess ends in a syntax error with its position, never a crash.
    """
    quote: str | None = None
    prev = ""
    i = start
    while i < stop:
        ch = text[i]
        if quote is not None:
            if ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                quote = None
        elif ch == "#" and (prev == "" or text[i - 1] in " \t"):
            break
        elif ch in "'\"" and (prev == "" or prev in _SCALAR_START):
            quote = ch
        elif ch in "[{" and (prev == "" or prev in _SCALAR_START):
            depth += 1
            if limit is not None and depth > limit:
                return depth, i
        elif ch in "]}" and depth:
            depth -= 1
        if not ch.isspace():
            prev = ch
        i += 1
    return depth, None


def _shown_key(key: str) -> str:
    return key if len(key) <= 40 else key[:39] + "…"


# --- nesting through aliases and merges: take the entry out of the nodes ------


def _prune(root: Node, file: str, diags: list[Diagnostic]) -> None:
    """Remove top-level entries of `root` that reach deeper than MAX_DEPTH."""
    if not isinstance(root, MappingNode):
        return
    heights = _heights(root)
    kept = []
    for knode, vnode in root.value:
        tallest = max((knode, vnode), key=lambda n: heights[id(n)])
        if 1 + heights[id(tallest)] <= MAX_DEPTH:
            kept.append((knode, vnode))
            continue
        deep = _deep_node(tallest, heights, MAX_DEPTH - 1)
        where = deep if _within(deep, vnode) else vnode
        name = knode.value if isinstance(knode, ScalarNode) else "a key"
        what = "" if where is deep else " (through aliases)"
        diags.append(Diagnostic(
            Pos(file, where.start_mark.line + 1, where.start_mark.column + 1), "error", "YML020",
            f"{_shown_key(str(name))}: nested more than {MAX_DEPTH} levels deep{what}; "
            "ignored, the default is used"))
    root.value[:] = kept


def _children(node: Node) -> Iterator[Node]:
    if isinstance(node, MappingNode):
        for knode, vnode in node.value:
            yield knode
            yield vnode
    elif isinstance(node, SequenceNode):
        yield from node.value


def _heights(root: Node) -> dict[int, int]:
    """id(node) -> levels from the node down to its deepest leaf (a scalar is 1).

    Iterative, and each node (an alias target included) is measured once,
    so a billion-laughs file costs no more than its text. A reference back
    to a node still being measured (an alias to its own ancestor) is not
    counted: PyYAML constructs such a loop without recursing along it.
    """
    heights: dict[int, int] = {}
    on_path = {id(root)}
    stack: list[tuple[Node, Iterator[Node], list[int]]] = [(root, _children(root), [0])]
    while stack:
        node, children, best = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            on_path.discard(id(node))
            heights[id(node)] = best[0] + 1
            if stack:
                stack[-1][2][0] = max(stack[-1][2][0], heights[id(node)])
            continue
        if id(child) in heights:
            best[0] = max(best[0], heights[id(child)])
        elif id(child) not in on_path:
            on_path.add(id(child))
            stack.append((child, _children(child), [0]))
    return heights


def _deep_node(node: Node, heights: dict[int, int], steps: int) -> Node:
    """The node `steps` levels below `node` along its deepest path."""
    for _ in range(steps):
        below = [c for c in _children(node) if heights.get(id(c), 0) == heights[id(node)] - 1]
        if not below:
            break
        node = below[0]
    return node


def _within(node: Node, outer: Node) -> bool:
    return outer.start_mark.index <= node.start_mark.index <= outer.end_mark.index
