"""After an abnormal end: one line at the top of the window the next time, with the log one click away."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from rsa_desktop.ui.app import errors


class CrashNotice(QFrame):
    """Hidden unless `check()` finds a crash log newer than the last normal end of the program."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("crashNotice")
        self.setStyleSheet("#crashNotice { background: #fde7e4; border-bottom: 1px solid #d9a39b; }")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 10, 4)
        self.label = QLabel(self)
        row.addWidget(self.label, 1)
        self.show_button = QPushButton(self.tr("Visa loggen"), self)
        self.show_button.clicked.connect(self.show_log)
        row.addWidget(self.show_button)
        self.close_button = QPushButton(self.tr("Stäng"), self)
        self.close_button.setToolTip(self.tr("Dölj meddelandet"))
        self.close_button.clicked.connect(self.hide)
        row.addWidget(self.close_button)
        self.log_path: Path | None = None
        self.hide()

    def check(self) -> bool:
        self.log_path = errors.crash_since_last_clean_exit()
        if self.log_path is None:
            self.hide()
            return False
        when = dt.datetime.fromtimestamp(self.log_path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        self.label.setText(self.tr("RSA Desktop avslutades oväntat förra gången ({0}). Det som sparats finns kvar; "
                                   "loggen kan hjälpa den som förvaltar programmet.").format(when))
        self.label.setAccessibleName(self.label.text())
        self.show()
        return True

    def show_log(self) -> None:
        if self.log_path is None:
            return
        try:
            text = errors.read_log_tail(self.log_path)
        except OSError as exc:
            text = str(exc)
        dialog = errors.CrashDialog(text, self.window(), title=self.tr("Loggen från förra gången"),
                                    intro_text=self.tr("Loggen {0}. Kopiera den och skicka den till den som förvaltar "
                                                       "programmet.").format(self.log_path))
        dialog.exec()
