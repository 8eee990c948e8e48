"""`chatlog-vn dump FILE`: print a script's parsed model as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from engine.commands.common import write_utf8
from engine.logformat import load
from engine.logformat.lazy import Messages
from engine.model import Break, Diagnostic, Direction, Message, Ruby, Run, Scene, Script, Text


def add_parser(p: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    p.add_argument("file", help="a LOG script (.log, .txt or .html)")


def run(args: argparse.Namespace) -> int:
    """Print the JSON dump to stdout; exit 1 if the script has errors."""
    script = load(args.file)
    write_dump(script, sys.stdout)
    for d in script.diagnostics:
        print(d.format(), file=sys.stderr)
    return 1 if any(d.severity == "error" for d in script.diagnostics) else 0


def write_dump(script: Script, out: TextIO) -> None:
    """Write `json.dumps(script_to_dict(script), ensure_ascii=False, indent=1)` and a
    newline, the same text, a scene at a time: a scene's messages are built for its
    piece and dropped after it, so the dump holds no more than one scene's objects."""
    write_utf8(out, "{\n" + _member("file", script.file) + ",\n" + ' "scenes": ')
    if not script.scenes:
        write_utf8(out, "[]")
    for i, scene in enumerate(script.scenes):
        piece = _dumps(scene_to_dict(scene, fresh_messages(scene)))
        write_utf8(out, ("[\n" if i == 0 else ",\n") + _indented(piece, "  "))
    if script.scenes:
        write_utf8(out, "\n ]")
    diags = [diagnostic_to_dict(d) for d in script.diagnostics]
    write_utf8(out, ",\n" + _member("diagnostics", diags) + "\n}\n")


def fresh_messages(scene: Scene) -> Sequence[Message]:
    """A scene's messages, built for the caller without being kept in the scene."""
    messages = scene.messages
    return messages.unkept() if isinstance(messages, Messages) else messages


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


def _member(key: str, value: Any) -> str:
    """`key: value` as it stands one level inside the top object."""
    return " " + _dumps(key) + ": " + _indented(_dumps(value), " ").lstrip(" ")


def _indented(text: str, pad: str) -> str:
    """JSON text moved right by `pad` (JSON strings hold no raw newline)."""
    return pad + text.replace("\n", "\n" + pad)


def script_to_dict(script: Script) -> dict[str, Any]:
    """The JSON-ready form of a Script: file, scenes (messages, runs), diagnostics."""
    return {
        "file": script.file,
        "scenes": [scene_to_dict(s) for s in script.scenes],
        "diagnostics": [diagnostic_to_dict(d) for d in script.diagnostics],
    }


def scene_to_dict(scene: Scene, messages: Sequence[Message] | None = None) -> dict[str, Any]:
    """One scene (with `messages` in place of its own if given); the timestamp in
    ISO 8601 or None."""
    return {
        "title": scene.title,
        "timestamp": scene.timestamp.isoformat() if scene.timestamp else None,
        "line": scene.pos.line,
        "messages": [message_to_dict(m) for m in (scene.messages if messages is None
                                                   else messages)],
    }


def message_to_dict(message: Message) -> dict[str, Any]:
    """One message: its line, speaker (or None), reader's text and runs."""
    return {
        "line": message.pos.line,
        "speaker": message.speaker,
        "text": message.text,
        "runs": [run_to_dict(r) for r in message.runs],
    }


def run_to_dict(run: Run) -> dict[str, Any]:
    """One run as {"type": ...} with its fields."""
    if isinstance(run, Text):
        return {"type": "text", "text": run.text}
    if isinstance(run, Ruby):
        return {"type": "ruby", "base": run.base, "ruby": run.ruby,
                "parts": [[b, r] for b, r in run.parts]}
    if isinstance(run, Direction):
        return {"type": "direction", "text": run.text}
    if isinstance(run, Break):
        return {"type": "break"}
    raise TypeError(f"unknown run type {type(run).__name__}")


def diagnostic_to_dict(d: Diagnostic) -> dict[str, Any]:
    """One diagnostic with its 1-based line and column."""
    return {"line": d.pos.line, "col": d.pos.col, "severity": d.severity,
            "code": d.code, "message": d.message}
