"""Starting the desktop program: `rsa-desktop [PATH]` → run_gui(PATH)."""

from __future__ import annotations

import sys
from pathlib import Path


def run_gui(path: str | None = None, argv: list[str] | None = None) -> int:
    """Open `path`, else the last used file, else the welcome screen. Returns the exit code."""
    from PySide6.QtWidgets import QApplication

    from rsa_desktop import APP_NAME, __version__
    from rsa_desktop.ui.app import errors, i18n, settings
    from rsa_desktop.ui.app.main_window import MainWindow

    errors.install_crash_handlers()
    app = QApplication.instance() or QApplication(list(argv) if argv is not None else [sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Stockholms stad")
    i18n.install_translations(app)
    window = MainWindow()
    window.resize(1366, 768)
    window.restore_geometry()
    target = path or settings.last_file()
    if target:
        if not window.open_path(Path(target)) and path is None:
            settings.forget_last_file()
    window.show()
    window.crash_notice.check()
    code = app.exec()
    errors.mark_clean_exit()
    return code


__all__ = ["run_gui"]
