"""The architecture holds: the core (domain, model, storage, services, reports, CLI) never imports Qt, so it
runs headless and from the CLI; each layer imports only those below it (ui | cli > reports > services >
storage > model > domain, pyproject.toml [tool.importlinter]); the domain is pure; no import cycle."""

import ast
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
    assert "Contracts: 3 kept, 0 broken." in result.stdout
    for contract in ("The core never imports Qt or the UI", "Layers: ui | cli > reports > services > storage",
                     "The domain is pure"):
        assert contract in result.stdout


def _cycles(graph) -> list[list[str]]:
    """The strongly connected groups of rsa_desktop modules (an import cycle each), lazy imports included."""
    modules = sorted(m for m in graph.modules if m.split(".")[0] == "rsa_desktop")
    known = set(modules)
    edges = {m: sorted(x for x in graph.find_modules_directly_imported_by(m) if x in known) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for m in modules:
        if m not in index:
            visit(m)
    return out


def test_no_import_cycle_between_modules():
    import grimp  # installed with import-linter

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    old_path = list(sys.path)
    sys.path.insert(0, str(ROOT))
    try:
        graph = grimp.build_graph("rsa_desktop", cache_dir=None)
    finally:
        sys.path[:] = old_path
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle():
    import grimp

    graph = grimp.ImportGraph()
    for m in ("rsa_desktop.a", "rsa_desktop.b", "rsa_desktop.c"):
        graph.add_module(m)
    graph.add_import(importer="rsa_desktop.a", imported="rsa_desktop.b")
    graph.add_import(importer="rsa_desktop.b", imported="rsa_desktop.a")
    graph.add_import(importer="rsa_desktop.b", imported="rsa_desktop.c")
    assert _cycles(graph) == [["rsa_desktop.a", "rsa_desktop.b"]]


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


def private_imports(text: str) -> list[str]:
    """Names with a leading underscore that a module takes from another module of the package: a private name
    is the other module's own business, and a caller of it breaks silently when that module changes."""
    out = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rsa_desktop"):
            out += [f"{node.module}.{a.name}" for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")]
    return out


def test_no_module_imports_another_modules_private_names():
    package = Path(__file__).resolve().parent.parent / "rsa_desktop"
    found = [f"{p.relative_to(package)}: {name}" for p in sorted(package.rglob("*.py"))
             for name in private_imports(p.read_text(encoding="utf-8"))]
    assert found == []
    assert private_imports("from rsa_desktop.reports.xlsx import Col, _Workbook") == ["rsa_desktop.reports.xlsx._Workbook"]
