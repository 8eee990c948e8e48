"""Stories built in code for tests; pure (no pygame), so the pure-layer tests can use it."""

from __future__ import annotations

from pathlib import Path

from engine.model import Character, SceneConfig, SceneRef, Script, Story


def story_from(*scripts: Script, root: Path, title: str,
               characters: dict[str, Character] | None = None,
               configs: dict[int, SceneConfig] | None = None) -> Story:
    """A story playing every scene of every script in order.

    `configs` gives a scene's settings by its play-order index (default: none).
    """
    refs: list[SceneRef] = []
    for si, s in enumerate(scripts):
        for sc in s.scenes:
            cfg = (configs or {}).get(len(refs), SceneConfig())
            refs.append(SceneRef(len(refs), si, sc, cfg))
    return Story(root, title, tuple(scripts), characters or {}, tuple(refs))
