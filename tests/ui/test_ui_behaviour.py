"""Undo of every command, validation next to the field, read-only analyses, banners, errors, settings."""

from __future__ import annotations

import os

from helpers import choose_candidate, set_field
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document
from rsa_desktop.ui.app import errors, settings
from rsa_desktop.ui.widgets.links import LinkPanel


def _fresh(path):
    doc = Document.open(path, readonly=True)  # the window holds the (single) writer's lock
    return doc, RsaService(doc)


def test_every_command_undoes_and_redoes_on_disk(window, qtbot, sample, confirm_yes):
    path, ids = sample
    assert window.open_path(path)
    stack = window.session.undo_stack
    svc = window.session.svc
    window.go_to("samhallsviktig")
    funcs = window.page("samhallsviktig").section("function")
    assert funcs.select_id(ids["V1"])

    # update
    set_field(qtbot, funcs.form, "name", "Tillsyn och granskning")
    assert window.undo_action.text() == "Ångra Ändra namn på V1"
    assert "*" not in window.windowTitle()
    stack.undo()
    doc, other = _fresh(path)  # a second connection sees what is on disk
    assert other.get("function", ids["V1"]).name == "Tillsyn över ställföreträdare"
    doc.close()
    stack.redo()
    assert svc.get("function", ids["V1"]).name == "Tillsyn och granskning"

    # duplicate (with links) and its undo
    dup = funcs.duplicate_current()
    assert svc.get("function", dup).name.endswith("(kopia)")
    stack.undo()
    assert dup not in [f.id for f in svc.list("function", ids["analysis"])]
    stack.redo()
    assert svc.get("function", dup).id == dup

    # delete with confirmation naming what goes, undo restores links too
    assert funcs.select_id(ids["V1"])
    assert funcs.delete_current()
    text, informative = confirm_yes[-1]
    assert "V1" in text and "kopplingar" in informative
    assert ids["V1"] not in [f.id for f in svc.list("function", ids["analysis"])]
    stack.undo()
    assert svc.get("function", ids["V1"]).name == "Tillsyn och granskning"
    assert [l.right_id for l in svc.links("function_dependency", left_id=ids["V1"])] == [ids["B1"]]
    assert svc.get("continuity_plan", ids["K1"]).function_id == ids["V1"]

    # link, link attribute, unlink
    window.go_to("beroenden")
    deps = window.page("beroenden").section("dependency")
    deps.select_id(ids["B2"])
    panel = next(w for w in deps.extras if isinstance(w, LinkPanel) and w.link_name == "function_dependency")
    choose_candidate(panel, "V2")
    panel.attr_edits["tolerance"].setText("2 dygn")
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert svc.links("function_dependency", left_id=ids["V2"], right_id=ids["B2"])[0].attrs["tolerance"] == 2880
    assert window.undo_action.text() == "Ångra Koppla V2 till B2"
    assert panel.model.setData(panel.model.index(0, 1), "1 dygn")
    assert svc.links("function_dependency", left_id=ids["V2"], right_id=ids["B2"])[0].attrs["tolerance"] == 1440
    stack.undo()
    assert svc.links("function_dependency", left_id=ids["V2"], right_id=ids["B2"])[0].attrs["tolerance"] == 2880
    stack.undo()
    assert svc.links("function_dependency", left_id=ids["V2"], right_id=ids["B2"]) == []
    stack.redo()
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert svc.links("function_dependency", left_id=ids["V2"], right_id=ids["B2"]) == []
    assert window.undo_action.text() == "Ångra Ta bort kopplingen V2–B2"
    stack.undo()
    assert svc.links("function_dependency", left_id=ids["V2"], right_id=ids["B2"])[0].attrs["tolerance"] == 2880

    # rating: consequence per dimension
    window.go_to("risker")
    risks = window.page("risker").section("risk")
    risks.select_id(ids["R1"])
    grid = risks.extras[0]
    dim = window.session.scales().dimensions[0].id
    grid.set_level(dim, 5)
    assert svc.consequences(ids["R1"])[dim] == 5
    stack.undo()
    assert svc.consequences(ids["R1"])[dim] == 4
    grid.set_level(dim, None)
    assert dim not in svc.consequences(ids["R1"])
    stack.undo()
    assert svc.consequences(ids["R1"])[dim] == 4

    # keyboard: Ctrl+Z and Ctrl+Y
    window.activateWindow()
    risks.view.setFocus()
    set_field(qtbot, risks.form, "title", "Elavbrott i flera dygn")
    qtbot.keyClick(risks.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert svc.get("risk", ids["R1"]).title == "Långvarigt elavbrott"
    qtbot.keyClick(risks.view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert svc.get("risk", ids["R1"]).title == "Elavbrott i flera dygn"

    # save point: the modified marker follows the undo stack's clean state
    window.save()
    assert "*" not in window.windowTitle()
    stack.undo()
    assert "*" not in window.windowTitle()
    assert "Varje ändring sparas redan direkt" in window.save_action.statusTip()


def test_validation_error_shown_next_to_field_and_not_applied(window, qtbot, sample):
    path, ids = sample
    window.open_path(path)
    window.go_to("samhallsviktig")
    funcs = window.page("samhallsviktig").section("function")
    funcs.select_id(ids["V1"])
    depth = window.session.undo_stack.count()
    set_field(qtbot, funcs.form, "rto", "5 dygn")  # longer than acceptabel avbrottstid (3 dygn)
    label = funcs.form.error_labels["rto"]
    assert label.isVisible() and "får inte vara längre" in label.text()
    assert window.session.svc.get("function", ids["V1"]).rto is None
    assert window.session.undo_stack.count() == depth
    set_field(qtbot, funcs.form, "max_tolerable_downtime", "tre dagar")
    assert "Förstår inte tiden" in funcs.form.error_labels["max_tolerable_downtime"].text()
    assert funcs.form.editors["max_tolerable_downtime"].widget.text() == "tre dagar"  # the user's text stays
    set_field(qtbot, funcs.form, "max_tolerable_downtime", "6 dygn")
    assert not funcs.form.error_labels["max_tolerable_downtime"].isVisible()
    set_field(qtbot, funcs.form, "name", "")
    assert funcs.form.error_labels["name"].text() == "Måste fyllas i."


def test_adopted_analysis_is_read_only_until_reopened(window, qtbot, sample):
    path, ids = sample
    import datetime as dt
    doc = Document.open(path)
    RsaService(doc).adopt_analysis(ids["analysis"], dt.date(2026, 3, 1), "Dnr 2026/12")
    doc.close()
    window.open_path(path)
    assert window.readonly_banner.isVisible()
    assert "fastställd" in window.readonly_label.text()
    window.go_to("risker")
    risks = window.page("risker").section("risk")
    assert not risks.add_button.isEnabled()
    assert not risks.form.editors["title"].widget.isEnabled() or risks.form.editors["title"].widget.isReadOnly()
    qtbot.mouseClick(window.reopen_button, Qt.MouseButton.LeftButton)
    assert window.session.analysis().status == "utkast"
    assert not window.readonly_banner.isVisible()
    assert risks.add_button.isEnabled()
    assert window.undo_action.text() == "Ångra Återöppna analysen 2026 som utkast"
    window.session.undo_stack.undo()
    assert window.session.analysis().status == "faststalld"
    assert window.readonly_banner.isVisible()


def test_classification_banner(window, qtbot, sample):
    path, ids = sample
    window.open_path(path)
    assert not window.classification_banner.isVisible()
    window.go_to("uppdrag")
    form = window.page("uppdrag").analysis_group.form
    set_field(qtbot, form, "security_class", "konfidentiell")
    assert window.classification_banner.isVisible()
    assert "KONFIDENTIELL" in window.classification_banner.text()
    window.session.undo_stack.undo()
    assert not window.classification_banner.isVisible()


def test_swedish_standard_buttons(qapp):
    box = QMessageBox(QMessageBox.Icon.Question, "t", "t", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    assert box.button(QMessageBox.StandardButton.Yes).text().replace("&", "") == "Ja"
    assert box.button(QMessageBox.StandardButton.No).text().replace("&", "") == "Nej"
    bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert bb.button(QDialogButtonBox.StandardButton.Cancel).text().replace("&", "") == "Avbryt"


def test_known_file_problem_gives_swedish_message(window, tmp_path, messages):
    bad = tmp_path / "inte.rsa"
    bad.write_text("det här är ingen databas" * 10)
    assert not window.open_path(bad)
    kind, title, text = messages[-1]
    assert kind == "warning" and title == "Filen kunde inte öppnas"
    assert "inte en RSA-fil" in text


def test_crash_handler_logs_and_shows_details(qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(errors.CrashDialog, "exec", lambda self: shown.append(self.details.toPlainText()))
    try:
        raise RuntimeError("oväntat")
    except RuntimeError as exc:
        errors.excepthook(type(exc), exc, exc.__traceback__)
    assert shown and "RuntimeError: oväntat" in shown[0]
    assert "RuntimeError: oväntat" in errors.crash_log_path().read_text(encoding="utf-8")
    assert str(errors.crash_log_path()).startswith(os.environ["RSA_DESKTOP_DATA"])


def test_settings_remember_recent_and_last_file(window, sample):
    path, _ids = sample
    window.open_path(path)
    assert settings.last_file() == str(path.resolve())
    assert settings.recent_files()[0] == str(path.resolve())
    ini = settings.settings().fileName()
    assert ini.startswith(os.environ["RSA_DESKTOP_DATA"]) and ini.endswith(".ini")
    window.close_document()
    assert window.stack.currentWidget() is window.welcome
    assert window.welcome.recent.count() == 1


def test_keyboard_navigation_between_steps(window, qtbot, sample):
    path, _ids = sample
    window.open_path(path)
    for i, key in enumerate(("oversikt", "uppdrag", "verksamhet", "samhallsviktig")):
        window.step_actions[i].trigger()
        assert window.current_key() == key
    assert window.step_actions[3].shortcut().toString() == "Ctrl+3"
    window.next_step_action.trigger()
    assert window.current_key() == "beroenden"


def test_overview_shows_progress_matrix_and_due_actions(window, qtbot, sample):
    path, ids = sample
    window.open_path(path)
    window.go_to("oversikt")
    page = window.page("oversikt")
    qtbot.waitUntil(lambda: "Å1 Utbilda ersättare" in page.due.text())
    assert "Snart" in page.due.text()
    assert page.matrix.isVisible() and page.matrix.cell_risks(3, 4) == ["R1"]
    assert page.step_state["uppdrag"].text() in ("Påbörjad", "Klar")
    assert window.navigator.item(1).toolTip()
