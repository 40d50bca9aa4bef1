"""The UI writes "known error → message box, else raise" once: in ui/ops.py (on top of ui/errors.py)."""

from __future__ import annotations

import re
from pathlib import Path

UI = Path(__file__).resolve().parent.parent / "rsa_desktop" / "ui"
OWNERS = {"ops.py", "errors.py"}
# Not converted yet (other engineers were editing them); the integrator converts them and empties this set.
# (completeness.py, overview.py, table_model.py, session.py and depmap_view.py were being edited too but had
# no copy of the block; a copy that appears there while merging belongs in ops.py as well.)
NOT_YET_CONVERTED = {"main_window.py", "links.py", "sections.py", "steps.py"}


def _callers() -> set[str]:
    return {p.relative_to(UI).as_posix() for p in UI.rglob("*.py")
            if re.search(r"\bis_known\(", p.read_text(encoding="utf-8"))}


def test_only_ops_decides_what_a_known_error_is():
    stray = _callers() - OWNERS - NOT_YET_CONVERTED
    assert not stray, f"Använd rsa_desktop.ui.ops (run_op/run_command/report_worker_failure) i: {sorted(stray)}"


def test_allow_list_is_not_stale():
    """A converted file leaves the allow-list, so it cannot quietly start copying the block again."""
    stale = {name for name in NOT_YET_CONVERTED if (UI / name).exists()} - _callers()
    assert not stale, f"Ta bort ur NOT_YET_CONVERTED: {sorted(stale)}"
