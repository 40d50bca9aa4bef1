"""Kontinuitetsgap: the list, the severity filter, "Gå till", "Skapa åtgärd" with undo, Översikt's line."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document


def _open_gaps(window, path):
    window.open_path(path)
    window.go_to("beroenden/kontinuitetsgap")
    page = window.page("beroenden")
    assert page.tabs.currentWidget() is page.gaps
    return page.gaps


def _select(view, rule, hid):
    for row, f in enumerate(view.model.rows):
        if f.rule == rule and f.items[0] == hid:
            view.select_row(row)
            return f
    raise AssertionError(f"{rule} {hid} saknas: {[(f.rule, f.items) for f in view.model.rows]}")


def test_gap_list_filter_and_models(window, sample, pytestconfig):
    path, ids = sample
    view = _open_gaps(window, path)
    for model in (view.model, view.proxy):
        ModelTester(pytestconfig).check(model, force_py=True)
    rules = {(f.rule, f.items) for f in view.model.rows}
    assert ("no_mtd", ("V2",)) in rules and ("no_reserve", ("V1", "B1")) in rules
    assert view.proxy.rowCount() == len(view.model.rows)
    view.severity_checks["medel"].setChecked(False)
    view.severity_checks["låg"].setChecked(False)
    shown = {view.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 22) for r in range(view.proxy.rowCount())}
    assert shown == {"hög"} and 0 < view.proxy.rowCount() < len(view.model.rows)
    assert "Hög (" in view.severity_checks["hög"].text()


def test_create_action_from_finding_and_undo(window, qtbot, sample):
    path, ids = sample
    view = _open_gaps(window, path)
    f = _select(view, "no_mtd", "V2")
    assert f.suggested_action in view.suggestion.text()
    svc = window.session.svc
    before = {a.id for a in svc.list("action", ids["analysis"])}
    qtbot.mouseClick(view.create_button, Qt.MouseButton.LeftButton)
    new = [a for a in svc.list("action", ids["analysis"]) if a.id not in before]
    assert len(new) == 1 and new[0].title == f.suggested_action and new[0].status == "planerad"
    assert [l.right_id for l in svc.links("action_function", left_id=new[0].id)] == [ids["V2"]]
    # the finding now shows its action and cannot create a second one
    f2 = _select(view, "no_mtd", "V2")
    assert f2 == f and not view.create_button.isEnabled() and new[0].hid in view.action_link.text()

    window.session.undo_stack.undo()
    assert {a.id for a in svc.list("action", ids["analysis"])} == before
    assert not svc.links("action_function", right_id=ids["V2"])
    _select(view, "no_mtd", "V2")
    assert view.create_button.isEnabled()
    window.session.undo_stack.redo()
    again = [a for a in svc.list("action", ids["analysis"]) if a.id not in before]
    assert [a.id for a in again] == [new[0].id]
    assert [l.right_id for l in svc.links("action_function", left_id=new[0].id)] == [ids["V2"]]


def test_dependency_gap_creates_links_to_both(window, qtbot, sample):
    path, ids = sample
    view = _open_gaps(window, path)
    _select(view, "no_reserve", "V1")
    action_id = view.create_action()
    svc = window.session.svc
    assert [l.right_id for l in svc.links("action_dependency", left_id=action_id)] == [ids["B1"]]
    assert [l.right_id for l in svc.links("action_function", left_id=action_id)] == [ids["V1"]]


def test_go_to_links_and_overview_line(window, qtbot, sample):
    path, ids = sample
    view = _open_gaps(window, path)
    _select(view, "no_reserve", "V1")
    assert "item:dependency:" in view.items_label.text()
    view.items_label.linkActivated.emit(f"item:dependency:{ids['B1']}")
    assert window.current_key() == "beroenden"
    sec = window.page("beroenden").section("dependency")
    assert window.page("beroenden").tabs.currentWidget() is sec and sec.current_id() == ids["B1"]

    window.go_to("oversikt")
    line = window.page("oversikt").gap_line
    qtbot.waitUntil(lambda: "hög allvarlighet" in line.text())
    high = sum(1 for f in view.model.rows if f.severity == "hög")
    assert line.text().count(str(high)) >= 1
    line.linkActivated.emit("beroenden/kontinuitetsgap")
    assert window.current_key() == "beroenden" and window.page("beroenden").tabs.currentWidget() is view


def test_read_only_analysis_cannot_create_actions(window, sample):
    path, ids = sample
    doc = Document.open(path)
    RsaService(doc).adopt_analysis(ids["analysis"], dt.date(2026, 3, 1), "KS 2026-03-01")
    doc.close()
    view = _open_gaps(window, path)
    _select(view, "no_mtd", "V2")
    assert not view.create_button.isEnabled()
