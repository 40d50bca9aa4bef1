"""Entry script of the frozen program (PyInstaller spec: installer/rsa-desktop.spec).

Besides everything `rsa-desktop` does (rsa_desktop.cli.main), it handles two flags itself, so the
frozen bundle can be tested on the build machine and on a freshly installed laptop:

  --selftest    headless: file, demo, migrations, integrity, Excel and PDF (rsa_desktop.selftest)
  --smoke-gui   starts the real main window off-screen on the demo analysis, checks that it is shown
                and that Qt's Swedish translation is loaded, then quits (exit code 0 when all is well)
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path


def _bundle_file(name: str) -> Path | None:
    base = getattr(sys, "_MEIPASS", None)
    path = Path(base) / name if base else Path(__file__).resolve().parent.parent / "build" / "installer" / name
    return path if path.is_file() else None


def _ensure_streams() -> None:
    # A windowed Windows executable has no console: stdout/stderr are None and print() would fail.
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the life of the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def _make_app(argv0: str):
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([argv0])
    icon = _bundle_file("rsa-desktop.png")
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))
    return app


def smoke_gui(timeout_s: float = 120.0) -> int:
    """Open the demo analysis in the main window off-screen, check it, quit. 0 = passed."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="rsa-smoke-"))
    os.environ["RSA_DESKTOP_DATA"] = str(work / "data")  # keep the user's settings untouched
    # A modal dialog would wait for a click that never comes: give up loudly instead of hanging.
    watchdog = threading.Timer(timeout_s, lambda: (print(f"FEL GUI: ingen avslutning inom {timeout_s:.0f} s",
                                                         flush=True), os._exit(3)))
    watchdog.daemon = True
    watchdog.start()
    try:
        return _smoke_gui(work)
    finally:
        watchdog.cancel()
        shutil.rmtree(work, ignore_errors=True)


def _smoke_gui(work: Path) -> int:
    from rsa_desktop.services.demo import write_demo

    demo = write_demo(work / "exempel.rsa")
    print(f"OK  GUI: exempelanalys skriven till {demo}")

    from PySide6.QtCore import QCoreApplication, QLibraryInfo

    app = _make_app(sys.argv[0])
    from rsa_desktop import APP_NAME
    from rsa_desktop.ui.app import errors, i18n
    from rsa_desktop.ui.app.main_window import MainWindow

    errors.install_crash_handlers()
    app.setApplicationName(APP_NAME)
    if not i18n.install_translations(app):
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        print(f"FEL GUI: Qt:s svenska översättning (qtbase_sv.qm) hittades inte i {folder}")
        return 1
    cancel = QCoreApplication.translate("QPlatformTheme", "Cancel")
    if cancel != "Avbryt":
        print(f"FEL GUI: Qt:s svenska översättning är inte aktiv ('Cancel' → {cancel!r})")
        return 1
    print(f"OK  GUI: Qt:s svenska översättning laddad ('Cancel' → {cancel!r}), plattform {app.platformName()}")

    window = MainWindow()
    window.resize(1366, 768)
    if not window.open_path(demo):
        print("FEL GUI: huvudfönstret kunde inte öppna exempelanalysen")
        return 1
    window.show()
    for _ in range(20):
        app.processEvents()
    if not window.isVisible():
        print("FEL GUI: huvudfönstret visas inte")
        return 1
    title = window.windowTitle()
    print(f"OK  GUI: huvudfönstret visas ({window.width()}×{window.height()}), titel {title!r}")
    window.close()
    app.processEvents()
    app.quit()
    print("GUI-röktestet lyckades.")
    return 0


def main(argv: list[str] | None = None) -> int:
    _ensure_streams()
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--selftest"]:
        from rsa_desktop.selftest import run_selftest

        return run_selftest()
    if args[:1] == ["--smoke-gui"]:
        return smoke_gui()
    from rsa_desktop.cli import SUBCOMMANDS
    from rsa_desktop.cli import main as cli_main

    if len(args) <= 1 and (not args or (args[0] not in SUBCOMMANDS and not args[0].startswith("-"))):
        _make_app(sys.argv[0])  # the GUI path: create the application first, to give it the app icon
    return cli_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
