"""Packaging for air-gapped laptops: the installer files hang together, and the wheel carries everything.

PyInstaller itself is not run here (a minute or more): installer/build_linux.sh freezes, self-tests
and smoke-tests the bundle.
"""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "installer"
sys.path.insert(0, str(INSTALLER))  # collect_licenses: the same closure the lock and the licences are made from


def read(name: str) -> str:
    return (INSTALLER / name).read_text(encoding="utf-8")


def test_spec_freezes_the_entry_script_with_what_is_loaded_at_run_time():
    spec = read("rsa-desktop.spec")
    assert 'installer" / "entry.py"' in spec
    assert 'collect_submodules("rsa_desktop")' in spec and "sqlalchemy.dialects.sqlite" in spec
    assert '"resources"), "resources"' in spec  # all of resources/, licences included
    assert "upx=False" in spec and "upx=True" not in spec
    for qm in ("qtbase_sv.qm", "qt_sv.qm"):
        assert qm in spec
    for plugin in ("libqxcb", "libqoffscreen", "qwindows", "qoffscreen"):
        assert plugin in spec
    assert "PySide6.QtWebEngineCore" in spec  # excluded
    assert "version_info.txt" in spec and "rsa-desktop.ico" in spec


def test_entry_script_handles_selftest_and_smoke_gui_and_delegates_to_the_cli():
    entry = read("entry.py")
    assert '"--selftest"' in entry and "run_selftest" in entry
    assert '"--smoke-gui"' in entry and "offscreen" in entry
    assert "from rsa_desktop.cli import main" in entry


def test_build_scripts_share_one_structure():
    linux, windows = read("build_linux.sh"), read("build_windows.ps1")
    steps = ["Byggmiljö", "Genererade filer", "PyInstaller", "Självtest", "GUI-röktest", "Paketering"]
    for text in (linux, windows):
        found = [re.search(rf"{i}/6 {re.escape(s)}", text) for i, s in enumerate(steps, 1)]
        assert all(found), [s for s, f in zip(steps, found) if not f]
        assert [f.start() for f in found] == sorted(f.start() for f in found)
        assert "installer/rsa-desktop.spec" in text.replace("\\", "/")
        assert "--selftest" in text and "--smoke-gui" in text and "SHA256SUMS" in text
        assert "requirements-lock.txt" in text and "prepare_build.py" in text
    iss = read("rsa-desktop.iss")
    assert "RSA Desktop.exe" in iss and ".rsa" in iss and "PrivilegesRequiredOverridesAllowed" in iss
    assert "[UninstallDelete]" not in iss.split("; No [UninstallDelete]")[0]  # user data is kept
    assert (INSTALLER.parent / ".github" / "workflows" / "windows-build.yml").is_file()


def test_wheelhouse_script_targets_both_platforms_offline():
    text = read("make_wheelhouse.sh")
    for needle in ("--platform win_amd64", "manylinux_2_28_x86_64", "manylinux2014_x86_64", "--python-version",
                   "--only-binary=:all:", "pip wheel", "--no-deps", "--no-index --find-links", "requirements-lock.txt"):
        assert needle in text, needle


def _lock_pins() -> dict[str, str]:
    from collect_licenses import canonical

    return {canonical(ln.split("==")[0]): ln.split("==")[1].strip()
            for ln in read("requirements-lock.txt").splitlines() if "==" in ln and not ln.startswith("#")}


def test_lock_pins_every_runtime_dependency():
    """The offline builds install exactly the lock: a dependency missing there breaks them (defusedxml did)."""
    import tomllib

    from collect_licenses import canonical, runtime_closure
    from packaging.requirements import Requirement

    pins = _lock_pins()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for line in project["dependencies"]:
        req = Requirement(line)
        name = canonical(req.name)
        assert name in pins, f"{name} krävs av pyproject.toml men saknas i installer/requirements-lock.txt"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"låsningen {name}=={pins[name]} uppfyller inte pyproject.toml:s {req.specifier}"
    for dist in runtime_closure():  # the installed closure, recursively (what the bundle will contain)
        name = canonical(dist.metadata["Name"])
        if name == "pyinstaller":
            continue
        assert name in pins, f"{name} (ett indirekt beroende) saknas i installer/requirements-lock.txt"
    assert not any(name.startswith(("pyside6-addons", "pyside6==")) for name in pins)  # essentials only


def test_tests_run_on_the_locked_versions():
    """scripts/bootstrap.sh installs with the lock as constraints, so the suite tests what is shipped."""
    from importlib import metadata

    for name, version in _lock_pins().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # a Windows-only dependency, for example
        assert installed == version, f"{name} {installed} är installerat, men låsningen säger {version}"


def test_licence_notices_cover_the_components():
    folder = ROOT / "resources" / "licenses"
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    for name in ("qt.txt", "pyside6-essentials.txt", "shiboken6.txt", "matplotlib.txt", "reportlab.txt",
                 "openpyxl.txt", "sqlalchemy.txt", "sqlmodel.txt", "cryptography.txt", "svglib.txt", "python-docx.txt",
                 "dejavu-fonts.txt", "LGPL-3.0.txt", "GPL-3.0.txt"):
        assert (folder / name).is_file(), name
        assert name in readme, name
    qt = (folder / "qt.txt").read_text(encoding="utf-8")
    assert "LGPL" in qt and "_internal" in qt and "libQt6" in qt and "Qt6*.dll" in qt  # how to replace Qt
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in (folder / "LGPL-3.0.txt").read_text(encoding="utf-8")
    assert "Permission is hereby granted" in (folder / "sqlmodel.txt").read_text(encoding="utf-8")


def test_build_outputs_are_ignored_by_git():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    for entry in ("build/", "dist/", "/wheelhouse/"):
        assert entry in ignored


def _offline_build_possible() -> bool:
    """setuptools >= 70.1 has bdist_wheel built in; older ones need the `wheel` package."""
    try:
        import setuptools
    except ImportError:
        return False
    version = tuple(int(x) for x in re.findall(r"\d+", setuptools.__version__)[:2])
    if version >= (70, 1):
        return True
    try:
        import wheel  # noqa: F401
    except ImportError:
        return False
    return version >= (64, 0)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """`pip wheel --no-deps .`: offline without build isolation when this environment can build wheels,
    else with build isolation (which needs the package index once); skipped when neither works."""
    out = tmp_path_factory.mktemp("wheel")
    flags = ["--no-build-isolation", "--no-index"] if _offline_build_possible() else []
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", *flags, "--quiet",
                           "--wheel-dir", str(out), str(ROOT)], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        pytest.skip(f"the wheel cannot be built here: {proc.stderr.strip()[-300:]}")
    (whl,) = out.glob("rsa_desktop-*.whl")
    return whl


def test_wheel_carries_every_package_and_resource_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "rsa_desktop").rglob("__init__.py")}
    for pkg in packages:
        assert f"{pkg}/__init__.py" in names, f"{pkg} is missing from the wheel: add it to [tool.setuptools] packages"
    resources = [p.relative_to(ROOT / "resources").as_posix() for p in (ROOT / "resources").rglob("*") if p.is_file()]
    missing = [r for r in resources if f"rsa_desktop/_resources/{r}" not in names]
    assert not missing
    assert "rsa_desktop/_resources/licenses/README.txt" in names
    assert "rsa_desktop/_resources/licenses/qt.txt" in names
    assert "rsa_desktop/selftest.py" in names


def test_installed_wheel_finds_its_resources(wheel, tmp_path):
    # Unpacked as pip would install it, away from the checkout: paths.resources_dir() uses _resources.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import rsa_desktop.paths as p, sys; r = p.resources_dir(); "
            "assert r == p.Path(sys.argv[1]) / 'rsa_desktop' / '_resources', r; "
            "assert (r / 'scales' / 'default.json').is_file() and (r / 'licenses' / 'README.txt').is_file()")
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", code, str(site)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
