"""The parser and the model are pure: importable and usable with pygame blocked."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_logformat_and_model_import_without_pygame() -> None:
    code = textwrap.dedent("""
        import sys
        sys.modules["pygame"] = None  # any `import pygame` now raises ImportError
        import engine.model
        import engine.logformat
        from engine.logformat import parse, load, decode
        from engine.commands.dump import script_to_dict
        script = parse("--- LOG START --- 2025.01.01<br>\\nA: <ruby>昴<rt>すばる</rt></ruby><br>")
        assert script.messages[0].text == "昴", script
        assert script_to_dict(script)["scenes"][0]["messages"][0]["speaker"] == "A"
        loaded = [m for m in sys.modules if m == "pygame" or m.startswith("pygame.")]
        assert loaded == ["pygame"] and sys.modules["pygame"] is None, loaded
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
