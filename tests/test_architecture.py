"""The core (model, storage, services, CLI) never imports Qt: it must run headless and from the CLI."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contract_holds():
    from importlinter.cli import lint_imports  # noqa: F401  (installed with the test extras)

    result = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                             "lint_imports_command()"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_core_modules_load_without_qt():
    code = (
        "import sys, pkgutil, importlib, rsa_desktop\n"
        "names = [m.name for m in pkgutil.walk_packages(rsa_desktop.__path__, 'rsa_desktop.')\n"
        "         if not m.name.startswith(('rsa_desktop.ui', 'rsa_desktop.app', 'rsa_desktop.__main__'))]\n"
        "for n in names: importlib.import_module(n)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'matplotlib'))\n"
        "print(len(names), bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
