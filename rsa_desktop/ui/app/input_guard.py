"""Window-wide input rules, installed once on the application (every form, dialog and editor gets them).

1. The mouse wheel never changes a combo box or spin box that does not have keyboard focus: the
   wheel scrolls the page under it instead. (Qt's default gives such widgets "wheel focus", so
   scrolling a long form silently changed the choice under the pointer.)
2. Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y) work from every widget, text fields included. A text field owns
   the undo of what has been typed in it since its value was last saved (TextEditor resets the
   field's history when the value is saved or reloaded). When the field has nothing of its own to
   undo (or redo), the key goes to the document's undo stack (Redigera → Ångra), which undoes the
   last saved change, whichever field it was made in. So: first the unsaved typing, then the
   saved changes, one at a time, without leaving the field.
3. Focus is always visible: buttons, lists and tables that the style draws without a focus mark
   (Fusion's command-link and tool buttons) get a highlight ring; a plain QScrollArea is no Tab stop
   (it showed nothing and swallowed what was typed next).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFocusFrame,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTextEdit,
    QWidget,
)

_UNDO = (QKeySequence.StandardKey.Undo,)
_REDO = (QKeySequence.StandardKey.Redo,)
_REDO_EXTRA = (QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y"))


def _wheel_target(obj: QObject) -> QWidget | None:
    """The combo box or spin box an event on `obj` belongs to (its own line edit counts)."""
    w = obj if isinstance(obj, QWidget) else None
    for _ in range(2):
        if isinstance(w, (QComboBox, QAbstractSpinBox)):
            return w
        w = w.parentWidget() if w is not None else None
    return None


def _text_widget(w: QWidget | None):
    """The line edit or text edit that owns typed text for the focus widget `w`, if any."""
    if isinstance(w, (QLineEdit, QPlainTextEdit, QTextEdit)):
        return w
    if isinstance(w, QComboBox) and w.isEditable():
        return w.lineEdit()
    if isinstance(w, QAbstractSpinBox):
        return w.findChild(QLineEdit)
    return None


def _can(w, redo: bool) -> bool:
    if isinstance(w, QLineEdit):
        if w.isReadOnly():
            return False
        return w.isRedoAvailable() if redo else w.isUndoAvailable()
    if isinstance(w, (QPlainTextEdit, QTextEdit)):
        if w.isReadOnly():
            return False
        doc = w.document()
        return doc.isRedoAvailable() if redo else doc.isUndoAvailable()
    return False


def _matches(event, sequences) -> bool:
    combo = event.keyCombination()
    pressed = QKeySequence(combo)
    for s in sequences:
        if isinstance(s, QKeySequence.StandardKey):
            if event.matches(s):
                return True
        elif pressed.matches(s) == QKeySequence.SequenceMatch.ExactMatch:
            return True
    return False


class FocusRing(QFocusFrame):
    """A 2 px highlight ring around the focused widget (drawn outside it, so nothing is covered)."""

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), 2)
        p.setPen(pen)
        p.drawRoundedRect(self.rect().adjusted(1, 1, -1, -1), 3, 3)
        p.end()


# The style shows focus on these itself (highlighted frame); a ring would double it.
_OWN_FOCUS_MARK = (QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit, QTextEdit)


class InputGuard(QObject):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.ring: FocusRing | None = None

    def on_focus_changed(self, _old, new) -> None:
        if new is None or isinstance(new, _OWN_FOCUS_MARK) or new.isWindow():
            if self.ring is not None:
                self.ring.setWidget(None)
                self.ring.hide()
            return
        if self.ring is None or self.ring.window() is not new.window():
            if self.ring is not None:
                self.ring.deleteLater()
            self.ring = FocusRing(new.window())
            self.ring.destroyed.connect(self._ring_gone)
        self.ring.setWidget(new)
        self.ring.show()

    def _ring_gone(self, *_args) -> None:
        self.ring = None

    def eventFilter(self, obj, event) -> bool:
        t = event.type()
        if t == QEvent.Type.Wheel:
            target = _wheel_target(obj)
            if target is not None and not target.hasFocus():
                # Ignored and filtered: QApplication passes the wheel on to the parent (the scroll area).
                event.ignore()
                return True
            return False
        if t == QEvent.Type.Polish:
            if isinstance(obj, (QComboBox, QAbstractSpinBox)):
                if obj.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                    obj.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a wheel turn must not grab focus either
            elif type(obj) is QScrollArea:
                obj.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab moves through its content instead
            return False
        if t == QEvent.Type.ShortcutOverride:
            redo = _matches(event, _REDO) or _matches(event, _REDO_EXTRA)
            if not redo and not _matches(event, _UNDO):
                return False
            field = _text_widget(obj if isinstance(obj, QWidget) else None)
            if field is None or _can(field, redo):
                return False  # the field undoes its own typing
            # Not accepted: the text field does not claim the key, so the window's Ångra/Gör om shortcut fires.
            event.ignore()
            return True
        return False


_guard: InputGuard | None = None


def install(app: QApplication | None = None) -> InputGuard:
    """Install the guard on the application once (idempotent)."""
    global _guard
    app = app or QApplication.instance()
    if _guard is None:
        _guard = InputGuard(app)
        app.installEventFilter(_guard)
        app.focusChanged.connect(_guard.on_focus_changed)
    return _guard
