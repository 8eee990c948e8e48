"""The layer order of README's "How it is built", held true: every module placed,
imports only downward (or within a layer), pygame only in render/ and app/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "engine"

# Bottom first. A module may import its own layer and the layers below it.
LAYERS: list[set[str]] = [
    {"model"},
    {"logformat/", "yamlnodes", "layout/", "marks", "voice/", "export_html", "diskio", "watch",
     "assetfiles"},
    {"manifest"},
    {"chatlayout", "checks", "stats", "runtime", "marksfile"},
    {"saves", "reload"},
    {"preferences"},
    {"learn/"},
    {"render/"},
    {"app/"},
    {"commands/", "bundle/", "cli", "__main__", "engine"},
]
PYGAME_LAYERS = {"render/", "app/"}


def unit_of(module: str) -> str:
    """`engine.app.chat` -> "app/", `engine.saves` -> "saves", `engine` -> "engine"."""
    parts = module.split(".")
    if len(parts) == 1:
        return "engine"
    return parts[1] + "/" if (ENGINE / parts[1]).is_dir() else parts[1]


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(ENGINE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(path: Path) -> list[tuple[str, int]]:
    """Every module an engine file imports (at any depth: lazy imports count), with its line."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.module, node.lineno))
            if node.module == "engine":  # from engine import saves (not __version__)
                out += [(f"engine.{a.name}", node.lineno) for a in node.names
                        if (ENGINE / f"{a.name}.py").exists() or (ENGINE / a.name).is_dir()]
    return out


def layer_of(unit: str) -> int:
    for i, layer in enumerate(LAYERS):
        if unit in layer:
            return i
    raise AssertionError(f"{unit} is in no layer: place it in README and tests/test_layers.py")


def test_every_module_is_in_a_layer() -> None:
    units = {unit_of(m) for m in modules()}
    placed = set().union(*LAYERS)
    assert units - placed == set(), "modules in no layer"
    assert placed - units == set(), "layers naming modules that are gone"


def test_imports_go_only_downward() -> None:
    wrong = []
    for module, path in modules().items():
        mine = layer_of(unit_of(module))
        for name, line in imports(path):
            if name.split(".")[0] != "engine" or name == "engine":
                continue
            theirs = layer_of(unit_of(name))
            if theirs > mine:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {module} imports {name} (upward)")
    assert wrong == []


def test_pygame_only_in_render_and_app() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: imports {name}"
        for module, path in modules().items()
        if unit_of(module) not in PYGAME_LAYERS
        for name, line in imports(path)
        if name.split(".")[0] == "pygame"
    ]
    assert wrong == []


def test_the_readme_map_names_every_module_in_layer_order() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## How it is built", 1)[1].split("```", 2)[1]
    # Each row: the modules (comma-separated), two spaces or more, what they do.
    rows = [re.split(r"\s{2,}", line.strip())[0] for line in block.splitlines()
            if line.startswith("  ")]
    named = [u.strip() for row in rows for u in row.split(",") if u.strip()]
    order = [layer_of(u) for u in named]
    assert order == sorted(order), f"README lists layers out of order: {named}"
    assert set(named) == set().union(*LAYERS), "README and LAYERS name different modules"
