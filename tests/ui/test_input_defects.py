"""Input that must never silently lose or change data, driven with real key, mouse and wheel events."""

from __future__ import annotations

import datetime as dt

from conftest import type_text
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget


def _action_form(window, sample):
    path, ids = sample
    assert window.open_path(path)
    window.go_to("atgarder")
    sec = window.page("atgarder").section("action")
    assert sec.select_id(ids["A1"])
    return sec, ids


def test_typed_iso_date_into_empty_date_field_is_stored(window, qtbot, sample):
    sec, ids = _action_form(window, sample)
    svc = window.session.svc
    ed = sec.form.editors["deadline"]
    ed.edit.setFocus()
    ed.edit.selectAll()
    qtbot.keyClick(ed.edit, Qt.Key.Key_Delete)
    qtbot.keyClick(ed.edit, Qt.Key.Key_Return)
    assert svc.get("action", ids["A1"]).deadline is None
    assert ed.edit.text() == ""
    qtbot.keyClick(ed.edit, Qt.Key.Key_Up)  # stray arrow keys on an empty date field change nothing
    qtbot.keyClicks(ed.edit, "2027-06-30")
    qtbot.keyClick(ed.edit, Qt.Key.Key_Tab)
    assert svc.get("action", ids["A1"]).deadline == dt.date(2027, 6, 30)
    assert ed.edit.text() == "2027-06-30"


def test_bad_typed_date_is_rejected_with_a_message_and_keeps_the_old_value(window, qtbot, sample):
    sec, ids = _action_form(window, sample)
    svc = window.session.svc
    before = svc.get("action", ids["A1"]).deadline
    ed = sec.form.editors["deadline"]
    ed.edit.setFocus()
    ed.edit.selectAll()
    qtbot.keyClicks(ed.edit, "2027-02-30")
    qtbot.keyClick(ed.edit, Qt.Key.Key_Return)
    assert svc.get("action", ids["A1"]).deadline == before
    err = sec.form.error_labels["deadline"]
    assert not err.isHidden() and "ÅÅÅÅ-MM-DD" in err.text()
    assert ed.edit.text() == "2027-02-30"  # what was typed stays to be corrected


def test_calendar_opens_at_analysis_year_and_picks_with_keyboard(window, qtbot, sample):
    sec, ids = _action_form(window, sample)
    svc = window.session.svc
    sec.form.editors["deadline"].edit.clear()
    sec.form.editors["deadline"].commit()
    ed = sec.form.editors["deadline"]
    ed.edit.setFocus()
    qtbot.keyClick(ed.edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    cal = ed.calendar
    assert ed.popup.isVisible()
    year = window.session.analysis().get("year")
    assert cal.selectedDate().year() == year and cal.yearShown() == year
    view = cal.findChild(QAbstractScrollArea)  # the day table
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    expected = dt.date(year, dt.date.today().month, min(dt.date.today().day, 28 if dt.date.today().month == 2
                                                         else 31)) + dt.timedelta(days=1)
    assert svc.get("action", ids["A1"]).deadline == expected


def _wheel(widget: QWidget, delta: int = -120) -> None:
    pos = QPointF(widget.rect().center())
    ev = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, delta),
                     Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, ev)


def test_wheel_over_unfocused_combo_scrolls_the_form_and_changes_nothing(window, qtbot, sample):
    path, ids = sample
    assert window.open_path(path)
    window.go_to("samhallsviktig")
    sec = window.page("samhallsviktig").section("function")
    assert sec.select_id(ids["V1"])
    combo = sec.form.editors["criticality_life_health"].widget
    before = window.session.svc.get("function", ids["V1"]).criticality_life_health
    index = combo.currentIndex()
    sec.view.setFocus()
    assert combo.focusPolicy() == Qt.FocusPolicy.StrongFocus  # a wheel turn does not give it focus
    for _ in range(4):
        _wheel(combo)
    assert combo.currentIndex() == index and not combo.hasFocus()
    assert window.session.svc.get("function", ids["V1"]).criticality_life_health == before
    # with focus (clicked, tabbed to), the wheel works as usual
    combo.setFocus()
    _wheel(combo)
    assert combo.currentIndex() != index


def test_wheel_over_unfocused_spin_box_is_ignored(window, qtbot):
    spin = window.setup.year
    window.stack.setCurrentWidget(window.setup)
    value = spin.value()
    window.setup.setFocus()
    _wheel(spin)
    assert spin.value() == value


def test_undo_and_redo_from_a_text_field(window, qtbot, sample):
    """The field undoes its own unsaved typing first; then Ctrl+Z undoes saved changes (document stack)."""
    path, ids = sample
    assert window.open_path(path)
    svc = window.session.svc
    window.go_to("samhallsviktig")
    funcs = window.page("samhallsviktig").section("function")
    assert funcs.select_id(ids["V1"])
    name = funcs.form.editors["name"].widget
    old = svc.get("function", ids["V1"]).name
    name.setFocus()
    name.selectAll()
    qtbot.keyClicks(name, "Tillsyn")
    qtbot.keyClick(name, Qt.Key.Key_Return)  # saved
    assert svc.get("function", ids["V1"]).name == "Tillsyn"
    qtbot.keyClicks(name, " X")  # unsaved typing
    qtbot.keyClick(name, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert name.text() == "Tillsyn"  # the field's own undo
    assert svc.get("function", ids["V1"]).name == "Tillsyn"
    qtbot.keyClick(name, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert svc.get("function", ids["V1"]).name == old  # the document's undo, from inside the field
    assert name.text() == old and name.hasFocus()
    qtbot.keyClick(name, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert svc.get("function", ids["V1"]).name == "Tillsyn"
    assert name.text() == "Tillsyn"


def test_undo_from_a_long_text_field_and_a_combo(window, qtbot, sample):
    path, ids = sample
    assert window.open_path(path)
    svc = window.session.svc
    window.go_to("samhallsviktig")
    funcs = window.page("samhallsviktig").section("function")
    assert funcs.select_id(ids["V1"])
    desc = funcs.form.editors["description"].widget
    assert isinstance(desc, QPlainTextEdit)
    old = svc.get("function", ids["V1"]).description
    type_text(qtbot, desc, "Ny beskrivning")
    qtbot.keyClick(desc, Qt.Key.Key_Tab)  # leaving the field saves it
    assert svc.get("function", ids["V1"]).description.endswith("Ny beskrivning")
    desc.setFocus()
    qtbot.keyClick(desc, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert svc.get("function", ids["V1"]).description == old
    qtbot.keyClick(desc, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert svc.get("function", ids["V1"]).description.endswith("Ny beskrivning")


def test_no_invisible_focus_stop_after_the_last_organisation_field(window, qtbot, sample):
    path, _ids = sample
    assert window.open_path(path)
    window.go_to("verksamhet")
    form = window.page("verksamhet").organisation_group.form
    field = form.editors["security_coordinator"].widget
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    target = QApplication.focusWidget()
    assert isinstance(target, (QLineEdit, QPlainTextEdit, QComboBox)) or target.inherits("QAbstractButton"), target
    assert target.isVisible()
    type_text(qtbot, target, "Text")
    if isinstance(target, QPlainTextEdit):
        assert "Text" in target.toPlainText()


def test_every_tab_stop_is_visible_and_shows_focus(window, qtbot, sample):
    """Tab through a step: each stop is a visible, enabled input widget (no scroll area, no label)."""
    path, _ids = sample
    assert window.open_path(path)
    window.go_to("verksamhet")
    window.page("verksamhet").organisation_group.form.editors["name"].widget.setFocus()
    seen = []
    for _ in range(30):
        w = QApplication.focusWidget()
        assert w is not None and w.isVisible(), seen
        assert not isinstance(w, (QLabel,)) and not w.inherits("QScrollArea"), (w, seen)
        seen.append(w)
        qtbot.keyClick(w, Qt.Key.Key_Tab)


def test_welcome_buttons_show_focus(window, qtbot):
    """Fusion draws no focus mark on command-link buttons: the focus ring does, and it follows Tab."""
    from rsa_desktop.ui.app import input_guard

    window.activateWindow()
    window.welcome.new_button.setFocus(Qt.FocusReason.TabFocusReason)
    before = window.grab(window.welcome.open_button.geometry().adjusted(-4, -4, 4, 4)
                         .translated(window.welcome.mapTo(window, QPoint(0, 0)))).toImage()
    qtbot.keyClick(window.welcome.new_button, Qt.Key.Key_Tab)
    assert window.welcome.open_button.hasFocus()
    ring = input_guard.install().ring
    assert ring is not None and ring.isVisible() and ring.widget() is window.welcome.open_button
    after = window.grab(window.welcome.open_button.geometry().adjusted(-4, -4, 4, 4)
                        .translated(window.welcome.mapTo(window, QPoint(0, 0)))).toImage()
    assert before != after  # the focused button now looks different


def test_layout_does_not_jump_when_findings_change_or_the_public_box_is_ticked(window, qtbot, sample):
    """The RSA-kontroll strip and the export row keep their size, so buttons stay under the pointer."""
    from rsa_desktop.ui.steps.findings import FindingsPanel

    path, _ids = sample
    assert window.open_path(path)
    window.refresh_status()
    panel = FindingsPanel(window)
    panel.resize(800, 200)
    panel.show()
    panel.set_findings(window.findings[:3])
    QApplication.processEvents()
    full = panel.sizeHint().height()
    panel.set_findings([])  # the last finding fixed: no collapse
    QApplication.processEvents()
    assert panel.sizeHint().height() == full and panel.browser.isVisible()
    panel.set_findings(window.findings[:1])
    assert panel.sizeHint().height() == full

    window.go_to("rapport")
    export = window.page("rapport").export_panel
    QApplication.processEvents()
    button_pos = export.pdf_button.mapTo(window, QPoint(0, 0))
    height = export.sizeHint().height()
    qtbot.mouseClick(export.public_box, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert export.public_box.isChecked() and export.public_note.isVisible()
    assert export.pdf_button.mapTo(window, QPoint(0, 0)) == button_pos and export.sizeHint().height() == height
