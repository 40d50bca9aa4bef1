"""The UI writes "known error → message box, else raise" once: in ui/commands/ops.py (on top of ui/app/errors.py)."""

from __future__ import annotations

import re
from pathlib import Path

UI = Path(__file__).resolve().parent.parent / "rsa_desktop" / "ui"
OWNERS = {"commands/ops.py", "app/errors.py"}


def _callers() -> set[str]:
    return {p.relative_to(UI).as_posix() for p in UI.rglob("*.py")
            if re.search(r"\bis_known\(", p.read_text(encoding="utf-8"))}


def test_only_ops_decides_what_a_known_error_is():
    stray = _callers() - OWNERS
    assert not stray, f"Använd rsa_desktop.ui.commands.ops (run_op/run_command/report_worker_failure) i: {sorted(stray)}"


def test_the_check_sees_a_copy(tmp_path):
    """Not vacuous: a view that writes the block itself is found."""
    (tmp_path / "commands").mkdir()
    (tmp_path / "commands" / "ops.py").write_text("def is_known(exc): ...\n", encoding="utf-8")
    (tmp_path / "view.py").write_text("if errors.is_known(exc):\n    pass\n", encoding="utf-8")
    globals()["UI"], old = tmp_path, UI
    try:
        assert _callers() - OWNERS == {"view.py"}
    finally:
        globals()["UI"] = old
