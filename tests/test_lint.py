"""ruff over the whole tree (pyproject.toml [tool.ruff]): bugbear, pyflakes, pyupgrade and import order on every
test run, so an unused variable, a loop variable captured late or a stray import fails the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREES = ("rsa_desktop", "tests", "bench", "scripts", "installer")


def _ruff(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_ruff_is_installed():
    """With the test extras; a missing ruff must fail, not skip, the check below."""
    import ruff  # noqa: F401


def test_the_tree_is_clean_under_ruff():
    result = _ruff(*TREES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_a_late_bound_loop_variable(tmp_path):
    """The configuration is not vacuous: bugbear's B023 (a closure reading a loop variable later) is reported."""
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "probe.py").write_text("fs = []\nfor i in range(3):\n    fs.append(lambda: i)\n", encoding="utf-8")
    result = _ruff("probe.py", cwd=tmp_path)
    assert result.returncode == 1 and "B023" in result.stdout, result.stdout + result.stderr
