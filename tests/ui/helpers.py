"""Driving forms the way a user does: widgets change, then the widget's own commit signal fires."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QApplication

from rsa_desktop.ui.widgets import forms


def set_field(qtbot, form, name: str, value) -> None:
    ed = form.editors[name]
    w = ed.widget
    if isinstance(ed, forms.BoolEditor):
        if w.isChecked() != bool(value):
            w.setFocus()
            qtbot.keyClick(w, Qt.Key.Key_Space)  # keyboard, as a keyboard user would
    elif isinstance(ed, forms.CatalogEditor):
        w.setEditText(str(value))
        w.lineEdit().editingFinished.emit()
    elif isinstance(ed, forms.ComboEditor):
        i = ed._values.index(value)
        w.setCurrentIndex(i)
        w.activated.emit(i)
    elif isinstance(ed, forms.DateEditor):
        ed.edit.setText(value.isoformat() if isinstance(value, dt.date) else "")
        ed.edit.editingFinished.emit()
    elif isinstance(ed, forms.LongTextEditor):
        w.setFocus()
        w.setPlainText(str(value))
        QApplication.sendEvent(w, QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.TabFocusReason))
    else:  # line edits: text, int, duration
        w.setText(str(value))
        w.editingFinished.emit()


def type_into_line(qtbot, form, name: str, ascii_text: str) -> None:
    """Real key clicks (ASCII only, see ENGINEERING.md) followed by Enter."""
    w = form.editors[name].widget
    w.setFocus()
    w.selectAll()
    qtbot.keyClicks(w, ascii_text)
    qtbot.keyClick(w, Qt.Key.Key_Return)


def choose_candidate(panel, label_start: str) -> None:
    for i in range(panel.candidates.count()):
        if panel.candidates.itemText(i).startswith(label_start):
            panel.candidates.setCurrentIndex(i)
            return
    raise AssertionError(f"{label_start} finns inte bland {[panel.candidates.itemText(i) for i in range(panel.candidates.count())]}")
