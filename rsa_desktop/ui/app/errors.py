"""Error handling: known problems get a Swedish message, bugs get a crash dialog and a log file.

Known problems are `DocumentError` (locked, read-only, newer version, disk full, corrupt ...) and
`ReadOnlyAnalysisError`; their `str()` is a complete Swedish sentence. `ValidationError` is shown
next to the field by the form. Anything else is a bug: it is logged to user_data_dir()/logs and
shown in a dialog with copyable details.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import faulthandler
import logging
import os
import platform
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop import __version__, paths
from rsa_desktop.services import crashlog
from rsa_desktop.services.errors import NotFoundError, ReadOnlyAnalysisError
from rsa_desktop.storage import private
from rsa_desktop.storage.errors import DocumentError

log = logging.getLogger("rsa_desktop.ui")
_fault_file = None
_showing = False


def _t(text: str) -> str:
    return QCoreApplication.translate("errors", text)


def log_dir() -> Path:
    return private.mkdir(paths.user_data_dir() / "logs")


def crash_log_path() -> Path:
    return log_dir() / "krasch.log"


def is_known(exc: BaseException) -> bool:
    return isinstance(exc, (DocumentError, ReadOnlyAnalysisError, NotFoundError))


def show_known_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> None:
    """A Swedish message box with the error's own one-line message."""
    if isinstance(exc, ReadOnlyAnalysisError):
        title = title or (_t("Analysen är arkiverad") if "arkiverad" in str(exc) else _t("Analysen är fastställd"))
    elif isinstance(exc, NotFoundError):
        title = title or _t("Uppgiften finns inte längre")
    else:
        title = title or _t("Filen kan inte användas")
    QMessageBox.warning(parent, title, str(exc))


def write_crash_log(exc_type, exc, tb) -> str:
    details = crashlog.format_exception(exc_type, exc, tb)  # no field values or SQL parameters
    header = (f"RSA Desktop {__version__} – {dt.datetime.now().isoformat(timespec='seconds')}\n"
              f"Python {platform.python_version()} på {platform.platform()}\n")
    text = header + details
    try:
        with private.open_append(crash_log_path()) as fh:
            fh.write(text + "\n" + "-" * 72 + "\n")
    except OSError:
        pass
    return text


class CrashDialog(QDialog):
    """An unexpected error: what happened in plain Swedish, with details the user can copy."""

    def __init__(self, details: str, parent: QWidget | None = None, *, title: str | None = None,
                 intro_text: str | None = None):
        super().__init__(parent)
        self.setWindowTitle(title or self.tr("Ett oväntat fel inträffade"))
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        intro = QLabel(intro_text or self.tr(
            "Programmet råkade ut för ett fel som inte borde hända. Det som redan fanns i filen är kvar: "
            "varje ändring sparas direkt när du gör den. Den senaste åtgärden kan ha misslyckats.\n\n"
            "Kopiera detaljerna nedan och skicka dem till den som förvaltar programmet. "
            "De har också sparats i {0}.").format(crash_log_path()))
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(intro)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setAccessibleName(self.tr("Feldetaljer"))
        layout.addWidget(self.details, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton(self.tr("Kopiera detaljer"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.details.toPlainText()))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def excepthook(exc_type, exc, tb) -> None:
    """sys.excepthook: known problems → message box; bugs → log file + crash dialog."""
    global _showing
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    app = QApplication.instance()
    parent = app.activeWindow() if app else None
    if is_known(exc):
        if app:
            show_known_error(parent, exc)
        return
    details = write_crash_log(exc_type, exc, tb)
    log.error("Oväntat fel:\n%s", details)
    if app is None or _showing:
        sys.__excepthook__(exc_type, exc, tb)
        return
    _showing = True
    try:
        CrashDialog(details, parent).exec()
    finally:
        _showing = False


def fault_log_path() -> Path:
    return log_dir() / "faulthandler.log"


def clean_exit_marker() -> Path:
    return log_dir() / "senaste-normala-avslut"


def mark_clean_exit() -> None:
    """Called when the event loop ends normally: later crash logs then mean an abnormal end."""
    try:
        marker = clean_exit_marker()
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(dt.datetime.now().isoformat(timespec="seconds") + "\n")
    except OSError:
        pass


def crash_since_last_clean_exit() -> Path | None:
    """The crash log written after the last normal end, if any (hard crashes go to faulthandler.log)."""
    try:
        marker = clean_exit_marker()
        since = marker.stat().st_mtime if marker.exists() else None
        newest: tuple[float, Path] | None = None
        for log_file in (crash_log_path(), fault_log_path()):
            if not log_file.exists():
                continue
            st = log_file.stat()
            if st.st_size and (since is None or st.st_mtime > since) and (newest is None or st.st_mtime > newest[0]):
                newest = (st.st_mtime, log_file)
        return newest[1] if newest else None
    except OSError:
        return None


def read_log_tail(path: Path, limit: int = 200_000) -> str:
    """The end of a log file as text, for showing it (a log can grow over months)."""
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - limit))
        return fh.read().decode("utf-8", errors="replace")


def install_crash_handlers() -> None:
    """Install the excepthook and faulthandler (hard crashes are written to logs/faulthandler.log)."""
    global _fault_file
    sys.excepthook = excepthook
    if _fault_file is None:
        try:
            _fault_file = private.open_append(fault_log_path())
            faulthandler.enable(file=_fault_file, all_threads=True)
        except OSError:
            faulthandler.enable()
    with contextlib.suppress(OSError):
        private.open_append(log_dir() / "rsa-desktop.log").close()  # created 0600 before logging opens it
    logging.basicConfig(
        level=logging.INFO, filename=str(log_dir() / "rsa-desktop.log"), encoding="utf-8",
        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
