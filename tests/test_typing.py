"""mypy, strict on the domain (pyproject.toml [tool.mypy]): the pure rules are type-checked on every test run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _mypy(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", os.devnull, *args],
                          cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_mypy_is_installed():
    """With the test extras (pyproject.toml); a missing mypy must fail, not skip, the check below."""
    import mypy  # noqa: F401


def test_the_domain_is_clean_under_strict_mypy():
    result = _mypy()  # the files and flags come from pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_strict_mypy_fails_on_an_untyped_domain_function(tmp_path):
    """The configuration is not vacuous: an untyped function in the domain is an error."""
    pkg = tmp_path / "rsa_desktop" / "domain"
    pkg.mkdir(parents=True)
    (tmp_path / "rsa_desktop" / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "probe.py").write_text("def value(x):\n    return x\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    result = _mypy(cwd=tmp_path)
    assert result.returncode == 1 and "no-untyped-def" in result.stdout, result.stdout + result.stderr
