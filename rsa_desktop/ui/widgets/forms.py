"""One form builder for every kind: a widget per FieldSpec, chosen by the field's type (its `widget` key in
domain/fieldtypes.py; `EDITORS` maps each key to its widget class).

Edits are committed field by field (when a line loses focus, a choice is made, a box is ticked):
the form emits `edited(field, value)`; the page turns that into an UpdateCommand. A ValidationError
comes back through `show_errors`, which writes the message under the field; nothing is applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.domain.durations import format_duration
from rsa_desktop.domain.fieldtypes import DURATION, InvalidValue, field_type
from rsa_desktop.domain.items import Item
from rsa_desktop.domain.kinds import FieldSpec, KindSpec
from rsa_desktop.services import catalogues
from rsa_desktop.services.errors import ValidationError
from rsa_desktop.ui.app import i18n
from rsa_desktop.ui.widgets import fmt, hints


class _FocusOut(QObject):
    """Calls `callback` when the watched widget loses focus (QPlainTextEdit has no editingFinished)."""

    def __init__(self, widget: QWidget, callback: Callable[[], None]):
        super().__init__(widget)
        self._callback = callback
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self._callback()
        return False


class FieldEditor(QObject):
    """A widget for one field: `value()` in the stored form, `set_value()`, and `committed`."""

    committed = Signal(str, object)

    def __init__(self, spec: FieldSpec, session, parent: QWidget):
        super().__init__(parent)
        self.spec = spec
        self.session = session
        self._loaded: Any = None
        self._loading = False
        self.widget = self._build(parent)
        label = i18n.field_label(spec)
        self.widget.setAccessibleName(label)
        if spec.help:
            self.widget.setToolTip(i18n.field_help(spec))
            self.widget.setAccessibleDescription(i18n.field_help(spec))

    # subclasses
    def _build(self, parent: QWidget) -> QWidget:
        raise NotImplementedError

    def value(self) -> Any:
        raise NotImplementedError

    def _show(self, value: Any) -> None:
        raise NotImplementedError

    def refresh_options(self) -> None:
        """Choices that depend on the analysis (scale levels, items to refer to)."""

    def set_read_only(self, ro: bool) -> None:
        self.widget.setEnabled(not ro)

    def focus_widget(self) -> QWidget:
        return self.widget

    # common
    def set_value(self, value: Any) -> None:
        self._loading = True
        try:
            self._loaded = value
            self._show(value)
        finally:
            self._loading = False

    def commit(self) -> None:
        if self._loading:
            return
        value = self.value()  # text that is no value comes back as the text, for the service to refuse
        if value == self._loaded:
            return
        self.committed.emit(self.spec.name, value)


class TextEditor(FieldEditor):
    def _build(self, parent):
        w = QLineEdit(parent)
        w.editingFinished.connect(self.commit)
        return w

    def value(self):
        return self.widget.text().strip()

    def _show(self, value):
        _set_line_text(self.widget, "" if value is None else str(value))

    def set_read_only(self, ro):
        self.widget.setReadOnly(ro)


class IntEditor(TextEditor):
    def _build(self, parent):
        w = super()._build(parent)
        w.setMaximumWidth(140)
        if self.spec.minimum is not None and self.spec.maximum is not None:
            w.setPlaceholderText(f"{self.spec.minimum}–{self.spec.maximum}")
        return w

    def value(self):
        text = self.widget.text().strip().replace(" ", "")
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            return text  # the service rejects it with a Swedish message


class DurationEditor(TextEditor):
    def _build(self, parent):
        w = super()._build(parent)
        w.setPlaceholderText(self.tr("t.ex. 4 h, 3 dygn eller 1 vecka"))
        w.setMaximumWidth(220)
        return w

    def value(self):
        text = self.widget.text().strip()
        try:
            return DURATION.clean(self.spec, text)
        except InvalidValue:
            return text  # the service rejects it and the message appears under the field

    def _show(self, value):
        super()._show(format_duration(value) if isinstance(value, int) else value)


class LongTextEditor(FieldEditor):
    def _build(self, parent):
        w = QPlainTextEdit(parent)
        w.setTabChangesFocus(True)
        w.setFixedHeight(74)
        w.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        _FocusOut(w, self.commit)
        return w

    def value(self):
        return self.widget.toPlainText().strip()

    def _show(self, value):
        text = "" if value is None else str(value)
        if self.widget.toPlainText() != text:
            self.widget.setPlainText(text)
        else:
            self.widget.document().clearUndoRedoStacks()  # saved: further undo is the document's (input_guard)

    def set_read_only(self, ro):
        self.widget.setReadOnly(ro)


class BoolEditor(FieldEditor):
    def _build(self, parent):
        w = QCheckBox(i18n.field_label(self.spec), parent)
        w.clicked.connect(lambda _checked: self.commit())
        return w

    def value(self):
        return self.widget.isChecked()

    def _show(self, value):
        self.widget.setChecked(bool(value))


class ComboEditor(FieldEditor):
    """Fixed choices: (value, text) pairs; an empty first entry when the field is optional."""

    empty_text = "(ej angivet)"

    def _build(self, parent):
        w = QComboBox(parent)
        w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        w.setMinimumContentsLength(14)
        w.activated.connect(lambda _i: self.commit())
        self._values: list[Any] = []
        self.widget = w
        self.refresh_options()
        return w

    def options(self) -> list[tuple[Any, str]]:
        return []

    def refresh_options(self) -> None:
        opts = self.options()
        if not self.spec.required:
            opts = [(None, self.tr(self.empty_text))] + opts
        if [v for v, _ in opts] == self._values and self.widget.count() == len(opts):
            for i, (_v, text) in enumerate(opts):
                self.widget.setItemText(i, text)
            return
        current = self._loaded
        self.widget.blockSignals(True)
        self.widget.clear()
        self._values = [v for v, _ in opts]
        for _v, text in opts:
            self.widget.addItem(text)
        self.widget.blockSignals(False)
        self._show(current)

    def value(self):
        i = self.widget.currentIndex()
        return self._values[i] if 0 <= i < len(self._values) else None

    def _show(self, value):
        if value in self._values:
            self.widget.setCurrentIndex(self._values.index(value))
        elif value is not None and value != "":
            self._values.append(value)  # a stored value outside today's choices stays visible
            self.widget.addItem(str(value))
            self.widget.setCurrentIndex(len(self._values) - 1)
        else:
            self.widget.setCurrentIndex(0 if self._values and self._values[0] is None else -1)


class EnumEditor(ComboEditor):
    def options(self):
        return [(code, i18n.tr(label, "kinds")) for code, label in self.spec.choices]


class OptBoolEditor(ComboEditor):
    empty_text = "Okänt"

    def options(self):
        return [(True, self.tr("Ja")), (False, self.tr("Nej"))]


class LevelEditor(ComboEditor):
    empty_text = "(ej bedömd)"

    def options(self):
        scales = self.session.scales() if self.session else None
        levels = field_type(self.spec).levels(scales) if scales else ()
        return [(lv.value, fmt.level_text(lv.value, lv.label)) for lv in levels]


class StyrelEditor(ComboEditor):
    empty_text = "(ingen klass angiven)"

    def options(self):
        items = catalogues.load("styrel_classes")
        if not items:
            return [(n, str(n)) for n in range(1, 9)]
        return [(int(i.get("value")), f"{i.get('value')} – {i.get('label', '')}") for i in items
                if str(i.get("value", "")).isdigit()]


class RefEditor(ComboEditor):
    empty_text = "(ingen)"

    def options(self):
        if not self.session:
            return []
        return [(r.id, r.label) for r in self.session.items(self.spec.ref)]


class CatalogEditor(FieldEditor):
    """Suggestions from a catalogue, free text still allowed (editable combo box with a completer)."""

    def _build(self, parent):
        w = QComboBox(parent)
        w.setEditable(True)
        w.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        w.setMinimumContentsLength(14)
        self._fill(w)
        w.lineEdit().editingFinished.connect(self.commit)
        w.activated.connect(lambda _i: self.commit())
        w.lineEdit().setPlaceholderText(self.tr("Välj i listan eller skriv fritt"))
        return w

    def _fill(self, w) -> None:
        # Again whenever another catalogue set becomes active (a package read in or undone).
        self._generation = catalogues.generation()
        labels = catalogues.labels(self.spec.catalog)
        w.blockSignals(True)
        w.clear()
        w.addItem("")
        w.addItems(labels)
        for i, label in enumerate(labels, start=1):
            desc = catalogues.describe(self.spec.catalog, label)
            if desc:
                w.setItemData(i, desc, Qt.ItemDataRole.ToolTipRole)
        w.blockSignals(False)
        completer = QCompleter(labels, w)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        w.setCompleter(completer)

    def value(self):
        return self.widget.currentText().strip()

    def _show(self, value):
        text = "" if value is None else str(value)
        if self._generation != catalogues.generation():
            self._fill(self.widget)
            self.widget.setEditText("")
        if self.widget.currentText() != text:
            i = self.widget.findText(text)
            if i >= 0:
                self.widget.setCurrentIndex(i)
            else:
                self.widget.setEditText(text)
            self.widget.lineEdit().setCursorPosition(0)
        _set_line_text(self.widget.lineEdit(), text)

    def set_read_only(self, ro):
        self.widget.setEnabled(not ro)


class DateEditor(FieldEditor):
    """An ISO date typed as text (ÅÅÅÅ-MM-DD), or picked in a calendar that opens at the analysis year.

    A line edit rather than a QDateEdit: QDateEdit's section editing with a "no date" special value
    mangled typed dates ("…et datum0270930", 2027-06-30 stored as 2027-01-06). Text that is not a
    date goes to the service, which rejects it with a message under the field; nothing is stored.
    """

    def _build(self, parent):
        box = QWidget(parent)
        lay = QHBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(box)
        self.edit.setPlaceholderText(self.tr("ÅÅÅÅ-MM-DD (inget datum)"))
        # wide enough for the whole placeholder: "(inget datum)" was cut to "(ing…" at 1366 px
        need = self.edit.fontMetrics().horizontalAdvance(self.edit.placeholderText()) + 24
        self.edit.setMaximumWidth(max(170, need))
        self.edit.setMinimumWidth(max(130, need))
        self.edit.editingFinished.connect(self.commit)
        self.edit.installEventFilter(self)
        self.calendar_button = QToolButton(box)
        self.calendar_button.setText(self.tr("Kalender…"))
        self.calendar_button.setAccessibleName(self.tr("Välj datum i kalender"))
        self.calendar_button.setToolTip(self.tr("Välj datum i en kalender (Alt+Nedåtpil i datumfältet)"))
        self.calendar_button.clicked.connect(self.open_calendar)
        self.clear_button = QToolButton(box)
        self.clear_button.setText(self.tr("Rensa"))
        self.clear_button.setAccessibleName(self.tr("Rensa datum"))
        self.clear_button.clicked.connect(self._clear)
        self.popup: QDialog | None = None
        lay.addWidget(self.edit)
        lay.addWidget(self.calendar_button)
        lay.addWidget(self.clear_button)
        lay.addStretch(1)
        self.edit.setAccessibleName(i18n.field_label(self.spec))
        return box

    def eventFilter(self, obj, event) -> bool:
        if obj is self.edit and event.type() == QEvent.Type.KeyPress:
            if (event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier) \
                    or event.key() == Qt.Key.Key_F4:
                self.open_calendar()
                return True
        return False

    def calendar_start(self) -> QDate:
        """The date the calendar shows first: the field's date, else today in the analysis' year."""
        current = self.value()  # a date, or the text when it is none
        if isinstance(current, dt.date):
            return QDate(current.year, current.month, current.day)
        today = dt.date.today()
        analysis = self.session.analysis() if self.session else None
        year = analysis.get("year") if analysis is not None else None
        if isinstance(year, int) and 1900 < year < 3000:
            day = min(today.day, 28) if today.month == 2 else today.day
            return QDate(year, today.month, day)
        return QDate(today.year, today.month, today.day)

    def open_calendar(self) -> None:
        if self.edit.isReadOnly():
            return
        self.popup = QDialog(self.widget.window())
        self.popup.setWindowTitle(i18n.field_label(self.spec))
        lay = QVBoxLayout(self.popup)
        cal = QCalendarWidget(self.popup)
        cal.setLocale(i18n.SWEDISH)
        cal.setGridVisible(True)
        start = self.calendar_start()
        cal.setSelectedDate(start)
        cal.setCurrentPage(start.year(), start.month())
        lay.addWidget(cal)
        self.calendar = cal

        def picked(d: QDate) -> None:
            self.edit.setText(d.toString("yyyy-MM-dd"))
            self.popup.accept()
            self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.commit()

        cal.activated.connect(picked)  # Enter or double click
        cal.clicked.connect(picked)
        self.popup.finished.connect(self.popup.deleteLater)
        self.popup.open()
        cal.setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear(self):
        self.edit.clear()
        self.commit()

    def focus_widget(self):
        return self.edit

    def value(self):
        text = self.edit.text().strip()
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text  # the service rejects it: "… är inget giltigt datum. Skriv ÅÅÅÅ-MM-DD."

    def _show(self, value):
        text = value.isoformat() if isinstance(value, dt.date) else ("" if value is None else str(value))
        _set_line_text(self.edit, text)

    def set_read_only(self, ro):
        self.edit.setReadOnly(ro)
        self.calendar_button.setEnabled(not ro)
        self.clear_button.setEnabled(not ro)


def _set_line_text(w: QLineEdit, text: str) -> None:
    """Show a saved value and start the field's own undo history afresh (ui/app/input_guard.py: what the
    field has not saved is undone by the field, what is saved by the document's undo)."""
    if w.text() == text:
        if w.isUndoAvailable() or w.isRedoAvailable():
            pos = w.cursorPosition()
            w.setText(text)  # QLineEdit.setText clears the field's undo history
            w.setCursorPosition(pos)
        return
    w.setText(text)
    w.setCursorPosition(0)


# The field type's widget key (domain/fieldtypes.py, `FieldType.widget_for`) → the widget class that edits it.
EDITORS: dict[str, type[FieldEditor]] = {
    "line": TextEditor, "long": LongTextEditor, "int": IntEditor, "styrel": StyrelEditor, "check": BoolEditor,
    "optbool": OptBoolEditor, "date": DateEditor, "duration": DurationEditor, "enum": EnumEditor,
    "catalog": CatalogEditor, "ref": RefEditor, "level": LevelEditor,
}


def make_editor(spec: FieldSpec, session, parent: QWidget) -> FieldEditor:
    return EDITORS[field_type(spec).widget_for(spec)](spec, session, parent)


class ItemForm(QWidget):
    """A form for one item of `kind`, with every field (or the given subset) of the registry."""

    edited = Signal(str, object)  # field name, new value

    def __init__(self, session, kind: KindSpec, fields: tuple[str, ...] | None = None, parent=None):
        super().__init__(parent)
        self.session = session
        self.kind = kind
        self.record: Item | None = None
        self._read_only = False
        names = fields or kind.field_names
        self.editors: dict[str, FieldEditor] = {}
        self.error_labels: dict[str, QLabel] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.general_error = QLabel(self)
        self.general_error.setWordWrap(True)
        self.general_error.setObjectName("formError")
        self.general_error.setStyleSheet("color: #b3261e;")
        self.general_error.hide()
        outer.addWidget(self.general_error)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        outer.addLayout(self.form)
        for name in names:
            spec = kind.field(name)
            editor = make_editor(spec, session, self)
            editor.committed.connect(self.edited)
            self.editors[name] = editor
            help_text = i18n.help_text(kind.kind, spec)
            if help_text:  # tooltip, Skift+F1 "Vad är det här?" and the screen reader's description
                for w in {editor.widget, editor.focus_widget()}:
                    w.setToolTip(help_text)
                    w.setWhatsThis(help_text)
                    w.setAccessibleDescription(help_text)
            cell = QWidget(self)
            cell_layout = QVBoxLayout(cell)
            cell_layout.setContentsMargins(0, 0, 0, 0)
            cell_layout.setSpacing(2)
            cell_layout.addWidget(editor.widget)
            labelled = isinstance(editor, BoolEditor)  # a check box carries its own label (and help)
            if spec.help and not labelled:
                hint = QLabel(i18n.field_help(spec), cell)
                hint.setWordWrap(True)
                hints.style_hint(hint, "font-size: 9pt;")
                hint.setObjectName("fieldHelp")
                cell_layout.addWidget(hint)
            err = QLabel(cell)
            err.setWordWrap(True)
            err.setStyleSheet("color: #b3261e;")
            err.hide()
            cell_layout.addWidget(err)
            self.error_labels[name] = err
            if labelled:
                self.form.addRow("", cell)
            else:
                label = QLabel(i18n.field_label(spec) + (" *" if spec.required else ""), self)
                label.setToolTip(help_text)
                label.setWhatsThis(help_text)
                label.setBuddy(editor.focus_widget())
                label.setWordWrap(True)
                label.setMinimumWidth(120)
                label.setMaximumWidth(170)
                self.form.addRow(label, cell)
        self.set_record(None)

    def set_record(self, record: Item | None) -> None:
        same = self.record is not None and record is not None and record.id == self.record.id
        self.record = record
        if not same:
            self.clear_errors()
        for name, editor in self.editors.items():
            editor.refresh_options()
            editor.set_value(record.get(name) if record else None)
        self._apply_enabled()

    def set_read_only(self, ro: bool) -> None:
        self._read_only = ro
        self._apply_enabled()

    def _apply_enabled(self) -> None:
        for editor in self.editors.values():
            editor.set_read_only(self._read_only or self.record is None)

    def clear_errors(self) -> None:
        for lbl in self.error_labels.values():
            lbl.hide()
            lbl.clear()
        self.general_error.hide()

    def show_errors(self, err: ValidationError) -> None:
        general = []
        for fe in err.errors:
            lbl = self.error_labels.get(fe.field)
            if lbl is not None:
                lbl.setText(fe.message[:1].upper() + fe.message[1:])
                lbl.show()
            else:
                general.append(str(fe))
        if general:
            self.general_error.setText("\n".join(general))
            self.general_error.show()

    def revert_refused(self, name: str, err: ValidationError) -> None:
        """After a refused edit, a choice (combo box, check box) shows the stored value again: a combo left on
        "Fastställd" beside the error reads as if the change was made. Typed text stays, to be corrected."""
        editor = self.editors.get(name)
        if editor is None or self.record is None or not isinstance(editor, (ComboEditor, BoolEditor)):
            return
        editor.set_value(self.record.get(name))
        lbl = self.error_labels[name]
        if lbl.isHidden():  # the reason is under another field: say here that nothing changed, and why
            lbl.setText(self.tr("Inte ändrad: {0}").format("; ".join(fe.message for fe in err.errors)))
            lbl.show()

    def focus_field(self, name: str) -> None:
        editor = self.editors.get(name)
        if editor:
            w = editor.focus_widget()
            w.setFocus(Qt.FocusReason.OtherFocusReason)
            if isinstance(w, QLineEdit):
                w.selectAll()
