"""Every module of the package imports, and every module path written as a string names one that exists.

A module is often imported lazily (a step page when it is first built, a dialog when its menu item is chosen) or
named in a string (`sys.modules.get(...)`, a monkeypatch target): a moved or renamed module then fails only at
runtime, or a patch silently misses. These checks find both at test time."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREES = ("rsa_desktop", "tests", "bench", "scripts", "installer")
DOTTED = re.compile(r"rsa_desktop(?:\.\w+)+")
# Module names made up to test the checks themselves (the cycle check and this file's), not module paths.
SYNTHETIC = {"tests/test_architecture.py", "tests/test_imports.py"}


def test_every_module_imports():
    code = (
        "import importlib, pkgutil, rsa_desktop\n"
        "names = [m.name for m in pkgutil.walk_packages(rsa_desktop.__path__, 'rsa_desktop.')\n"
        "         if m.name != 'rsa_desktop.__main__']\n"  # runs the program
        "bad = []\n"
        "for n in names:\n"
        "    try:\n"
        "        importlib.import_module(n)\n"
        "    except Exception as exc:\n"
        "        bad.append(f'{n}: {exc!r}')\n"
        "print(len(names))\n"
        "print('\\n'.join(bad))\n"
        "raise SystemExit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert int(result.stdout.split()[0]) > 60  # the walk saw the subpackages, not only the top level


def dotted_names(text: str) -> set[str]:
    """The string literals of a source file that are a module path (or a module path and an attribute)."""
    return {n.value for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and DOTTED.fullmatch(n.value)}


def embedded_imports(text: str) -> set[str]:
    """What the code in a source file's string literals (a snippet run in a subprocess) imports from the
    package: "module" for `import module`, "module.name" for `from module import name`."""
    out = set()
    for n in ast.walk(ast.parse(text)):
        if not (isinstance(n, ast.Constant) and isinstance(n.value, str) and "rsa_desktop" in n.value
                and "import" in n.value):
            continue
        try:
            snippet = ast.parse(n.value)
        except SyntaxError:  # prose, not code
            continue
        for node in ast.walk(snippet):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "rsa_desktop":
                out.update(f"{node.module}.{a.name}" for a in node.names if a.name != "*")
            elif isinstance(node, ast.Import):
                out.update(a.name for a in node.names if a.name.split(".")[0] == "rsa_desktop")
    return out


def resolves(name: str) -> bool:
    """A module, or a module's attribute (a monkeypatch target such as "rsa_desktop.ui.dialogs.common.confirm")."""
    import importlib

    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


def test_every_module_path_in_a_string_exists():
    found = {}
    for tree in TREES:
        for path in sorted((ROOT / tree).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel not in SYNTHETIC and "/.cache/" not in rel:
                text = path.read_text(encoding="utf-8")
                for name in dotted_names(text) | embedded_imports(text):
                    found.setdefault(name, rel)
    assert "rsa_desktop.ui.dialogs.common.confirm" in found  # tests/ui/conftest.py's patch target is seen
    assert "rsa_desktop.ui.app.errors" in found  # and tests/ui/test_crash_notice.py's subprocess import
    missing = sorted(f"{rel}: {name}" for name, rel in found.items() if not resolves(name))
    assert not missing, missing


def test_the_string_check_finds_a_moved_module():
    """Not vacuous: a path to a module that moved away, or to a name it does not have, is reported."""
    assert dotted_names('x = "rsa_desktop.ui.dialogs"\nsys.modules.get("rsa_desktop.ui.steps.pages")\n') == {
        "rsa_desktop.ui.dialogs", "rsa_desktop.ui.steps.pages"}
    assert embedded_imports('code = ("from rsa_desktop.ui import errors; errors.mark_clean_exit()")\n'
                            'note = "import rsa_desktop, then look"\n') == {"rsa_desktop.ui.errors"}
    assert not resolves("rsa_desktop.ui.errors")  # errors moved to ui/app/
    assert not resolves("rsa_desktop.ui.main_window")
    assert not resolves("rsa_desktop.ui.dialogs.common.no_such_function")
    assert resolves("rsa_desktop.ui.steps.pages.StepPage")


def statement_imports(text: str) -> set[str]:
    """What a source file's own import statements take from the package, wherever they are (a function-local
    import resolves only when the function runs, and no linter resolves it)."""
    out = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "rsa_desktop":
            out.update(f"{node.module}.{a.name}" for a in node.names if a.name != "*")
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "rsa_desktop")
    return out


def test_every_import_statement_resolves():
    missing = []
    for tree in TREES:
        for path in sorted((ROOT / tree).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in SYNTHETIC or "/.cache/" in rel:
                continue
            missing += [f"{rel}: {name}" for name in sorted(statement_imports(path.read_text(encoding="utf-8")))
                        if not resolves(name)]
    assert not missing, missing


def test_the_statement_check_finds_a_stale_local_import():
    names = statement_imports("def f():\n    from rsa_desktop.ui import fmt\n    import rsa_desktop.domain.ids\n")
    assert names == {"rsa_desktop.ui.fmt", "rsa_desktop.domain.ids"}
    assert not resolves("rsa_desktop.ui.fmt") and resolves("rsa_desktop.domain.ids")
