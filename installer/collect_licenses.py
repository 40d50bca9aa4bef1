"""Write resources/licenses/: one notice file per third-party component, plus README.txt (Swedish).

Run with the Python environment that will be frozen or shipped (the build scripts do), so every
version and licence text is the one that is actually bundled:

    python installer/collect_licenses.py [--out resources/licenses]

Texts come from each installed distribution's own metadata (importlib.metadata: License-Expression,
License, classifiers) and the licence files in its .dist-info. Components without licence files in
their wheel (Qt/PySide6/shiboken6) get the LGPLv3/GPLv3 texts from this system's
/usr/share/common-licenses or from the already committed copies.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PLATFORMS = ({"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"},
             {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"})
# Only in the frozen bundle (not a dependency of the package): listed when installed here.
BUNDLE_ONLY = ("pyinstaller",)
QT_NOTE = """\
Qt {qt} och PySide6 {pyside} (Qt for Python) – licensinformation
================================================================

RSA Desktop använder Qt {qt} genom PySide6-Essentials {pyside} och shiboken6 {pyside}
(The Qt Company Ltd. och andra bidragsgivare). Vi använder dem under GNU Lesser General Public
License version 3 (LGPLv3); texterna finns i LGPL-3.0.txt och GPL-3.0.txt i den här mappen.
Qt:s svenska översättningar (qtbase_sv.qm, qt_sv.qm) ingår under samma licens.

Biblioteken är oförändrade och kommer från PyPI-paketen pyside6-essentials och shiboken6.
Källkod: https://download.qt.io/official_releases/qt/ (Qt) och
https://code.qt.io/cgit/pyside/pyside-setup.git/ (PySide6, shiboken6). På begäran lämnar
förvaltningen som distribuerar programmet ut en kopia av källkoden för exakt dessa versioner.

Att byta ut Qt-biblioteken (LGPLv3 avsnitt 4 d)
-----------------------------------------------
Installationen är en PyInstaller-"onedir"-mapp: Qt och PySide6 är vanliga delade bibliotek i
mappen _internal bredvid programfilen och länkas dynamiskt när programmet startar. Du får ersätta
dem med egna, modifierade eller nyare, ABI-kompatibla versioner:

  Windows: _internal\\PySide6\\Qt6*.dll, _internal\\PySide6\\*.pyd, _internal\\shiboken6\\*,
           insticksmoduler i _internal\\PySide6\\plugins\\
  Linux:   _internal/PySide6/Qt/lib/libQt6*.so.6, _internal/PySide6/*.abi3.so,
           _internal/shiboken6/*, insticksmoduler i _internal/PySide6/Qt/plugins/

Bygg Qt {qt_minor}.x och PySide6/shiboken6 av samma version från källkoden (eller installera
pyside6-essentials i en Python 3.11-miljö), kopiera de motsvarande filerna över dem i
installationsmappen och starta programmet. `RSA Desktop --selftest` och ”Hjälp → Om” visar att
det fungerar. Alternativt: installera RSA Desktop från hjulkatalogen (se README, ”Installation på
en frånkopplad dator”) och byt PySide6 med pip.

English: this program dynamically links unmodified Qt {qt} libraries (via PySide6 {pyside}) under
the LGPLv3. You may replace them with your own ABI-compatible builds by overwriting the files
listed above in the installation folder.
"""
README_HEAD = """\
Licenser för komponenter från tredje part i RSA Desktop {version}
{underline}

RSA Desktop är proprietär programvara från Stockholms stad. Programmet innehåller eller använder
följande fria komponenter. Varje fil i den här mappen innehåller komponentens egen licenstext,
hämtad ur det installerade paketets metadata. Filerna skapas av installer/collect_licenses.py.

Fil                       Komponent, version och licens
"""
README_TAIL = """
Allmänna licenstexter: LGPL-3.0.txt, GPL-3.0.txt.
Qt och PySide6 används under LGPLv3; hur du byter ut Qt-biblioteken står i qt.txt.
Typsnitten DejaVu Sans (resources/fonts och matplotlib) har Bitstream Vera-licensen: dejavu-fonts.txt.
"""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_closure() -> list[metadata.Distribution]:
    """rsa-desktop's runtime dependencies (from pyproject.toml), recursively, for Linux and Windows."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    todo = [Requirement(r) for r in project["dependencies"]]
    seen: dict[str, metadata.Distribution] = {}
    while todo:
        req = todo.pop()
        if req.marker is not None and not any(req.marker.evaluate({**env, "extra": ""}) for env in PLATFORMS):
            continue
        key = canonical(req.name)
        if key in seen:
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            if req.marker is None or req.marker.evaluate({**PLATFORMS[0], "extra": ""}):
                raise SystemExit(f"collect_licenses: {req.name} is not installed in {sys.prefix}") from None
            continue  # a Windows-only dependency, not installed on this Linux machine
        seen[key] = dist
        todo.extend(Requirement(r) for r in (dist.requires or []))
    for name in BUNDLE_ONLY:
        try:
            seen[name] = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            pass
    return sorted(seen.values(), key=lambda d: canonical(d.metadata["Name"]))


LICENCE_OVERRIDE = {  # where the metadata's short form is misleading
    "pyinstaller": "GPL-2.0-or-later med undantag som tillåter spridning av frysta program (bootloader)",
    # Offered under GPL-2.0+/LGPL-2.1+/MPL-1.1 at the recipient's choice; the metadata names GPL first.
    "pyphen": "MPL-1.1 (vi använder MPL 1.1 av trippellicensen GPL-2.0+/LGPL-2.1+/MPL-1.1; "
              "svenska ordlistan hyph_sv: MPL/LGPL-3.0+)",
}


def licence_name(dist: metadata.Distribution) -> str:
    md = dist.metadata
    if canonical(md["Name"]) in LICENCE_OVERRIDE:
        return LICENCE_OVERRIDE[canonical(md["Name"])]
    expr = md.get("License-Expression")
    if expr:
        return expr.strip()
    lic = (md.get("License") or "").strip()
    if lic and "\n" not in lic and len(lic) <= 60:
        return lic
    classifiers = [c.split("::")[-1].strip() for c in md.get_all("Classifier") or [] if c.startswith("License ::")]
    if classifiers:
        return classifiers[0]
    return lic.splitlines()[0][:60] if lic else "se filen"


def licence_files(dist: metadata.Distribution) -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    for f in dist.files or []:
        parts = f.parts
        if not parts or not parts[0].endswith(".dist-info"):
            continue
        name = parts[-1].upper()
        if (len(parts) > 2 and parts[1] == "licenses") or name.startswith(("LICEN", "COPYING", "NOTICE", "AUTHORS")):
            path = Path(dist.locate_file(f))
            if path.is_file():
                label = "/".join(parts[2:] if len(parts) > 2 and parts[1] == "licenses" else parts[1:])
                texts.append((label, path.read_text(encoding="utf-8", errors="replace")))
    return sorted(texts)


def common_licence(name: str, out: Path) -> str:
    for candidate in (Path("/usr/share/common-licenses") / name.replace(".0", ""), out / f"{name}.txt"):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise SystemExit(f"collect_licenses: cannot find the {name} text (install base-files or keep {out}/{name}.txt)")


def write(out: Path) -> list[tuple[str, str, str, str]]:
    out.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, str, str]] = []
    for dist in runtime_closure():
        md = dist.metadata
        name, version = md["Name"], md["Version"]
        fname = f"{canonical(name)}.txt"
        files = licence_files(dist)
        urls = [md.get("Home-page")] + [u.split(",", 1)[-1].strip() for u in md.get_all("Project-URL") or []]
        url = next((u for u in urls if u), "")
        lines = [f"{name} {version}", "=" * len(f"{name} {version}"), "",
                 f"Licens (enligt paketets metadata): {licence_name(dist)}"]
        if url:
            lines.append(f"Webbplats: {url}")
        if not files:
            if canonical(name) in ("pyside6-essentials", "shiboken6"):
                lines.append("Paketet innehåller ingen licensfil; se qt.txt, LGPL-3.0.txt och GPL-3.0.txt.")
            else:
                lines += ["", (md.get("License") or "").strip()]
        for label, text in files:
            lines += ["", f"--- {label} ---", "", text.rstrip()]
        (out / fname).write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
        rows.append((name, version, licence_name(dist), fname))

    pyside = metadata.version("pyside6-essentials")
    qt = pyside  # PySide6 x.y.z wraps Qt x.y.z
    (out / "qt.txt").write_text(QT_NOTE.format(qt=qt, pyside=pyside, qt_minor=".".join(qt.split(".")[:2])),
                                encoding="utf-8")
    rows.insert(0, ("Qt", qt, "LGPL-3.0-only", "qt.txt"))
    for name in ("LGPL-3.0", "GPL-3.0"):
        text = common_licence(name, out)
        (out / f"{name}.txt").write_text(text, encoding="utf-8")

    fonts = (ROOT / "resources" / "fonts" / "LICENSE-DejaVu.txt").read_text(encoding="utf-8")
    (out / "dejavu-fonts.txt").write_text(
        "Typsnitten DejaVu Sans (resources/fonts/ och matplotlib/mpl-data/fonts/)\n"
        "======================================================================\n\n"
        "Licens: Bitstream Vera Fonts License (fri), DejaVu-ändringarna är allmän egendom.\n\n"
        + fonts.rstrip() + "\n", encoding="utf-8")
    rows.append(("DejaVu Sans (typsnitt)", "2.37", "Bitstream Vera License", "dejavu-fonts.txt"))

    py_licence = Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "LICENSE.txt"
    if not py_licence.is_file():
        py_licence = Path(sys.base_prefix) / "LICENSE.txt"  # Windows
    if py_licence.is_file():
        (out / "python.txt").write_text(
            f"Python {sys.version_info[0]}.{sys.version_info[1]} (i det frysta paketet)\n"
            "=================================\n\nLicens: Python Software Foundation License (PSF-2.0)\n\n"
            + py_licence.read_text(encoding="utf-8").rstrip() + "\n", encoding="utf-8")
        rows.append(("Python", f"{sys.version_info[0]}.{sys.version_info[1]}", "PSF-2.0", "python.txt"))

    from_version = re.search(r'__version__ = "([^"]+)"', (ROOT / "rsa_desktop" / "__init__.py").read_text())
    version = from_version.group(1) if from_version else ""
    head = README_HEAD.format(version=version, underline="=" * (55 + len(version)))
    table = "".join(f"{f:<26}{n} {v} – {lic}\n" for n, v, lic, f in rows)
    (out / "README.txt").write_text(head + table + README_TAIL, encoding="utf-8")
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=ROOT / "resources" / "licenses")
    args = p.parse_args()
    rows = write(args.out)
    print(f"{len(rows)} licensfiler skrivna till {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
