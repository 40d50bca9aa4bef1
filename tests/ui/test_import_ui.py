"""Arkiv → Importera från Excel…: preview (Ändringar, Problem), apply as one undo step, refused files."""

from __future__ import annotations

import datetime as dt
import warnings

import openpyxl
from PySide6.QtWidgets import QFileDialog

from rsa_desktop.reports.xlsx import export_xlsx
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document
from tests.support.submissions import snapshot

HEADER = 4


def _export(path, tmp_path, change) -> str:
    """The sample exported and edited as a colleague would in Excel."""
    with Document.open(path, readonly=True) as doc:
        svc = RsaService(doc)
        aid = svc.analyses()[-1].id
        src = export_xlsx(svc, aid, tmp_path / "export.xlsx", today=dt.date(2026, 11, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(src)
    change(wb)
    out = tmp_path / "ändrad.xlsx"
    wb.save(out)
    return str(out)


def _put(ws, hid: str, heading: str, value) -> None:
    col = next(c.column for c in ws[HEADER] if c.value == heading)
    row = next(r for r in range(HEADER + 1, ws.max_row + 1) if ws.cell(r, 1).value == hid)
    ws.cell(row, col).value = value


def _open_preview(window, qtbot, monkeypatch, xlsx):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (xlsx, ""))
    ready = []
    assert window.import_excel(on_ready=ready.append)
    qtbot.waitUntil(lambda: bool(ready), timeout=30_000)
    return ready[0]


def _rows(model):
    return [tuple(model.index(r, c).data() or "" for c in range(model.columnCount()))
            for r in range(model.rowCount())]


def test_import_of_an_edited_workbook_applies_as_one_undo_step(window, qtbot, sample, tmp_path, monkeypatch,
                                                               qtmodeltester):
    path, ids = sample

    def change(wb):
        _put(wb["Risker"], "R1", "Sannolikhet", 5)
        _put(wb["Verksamheter"], "V2", "Namn", "Utbetalningar (ändrat i Excel)")

    xlsx = _export(path, tmp_path, change)
    assert window.open_path(path)
    s = window.session
    aid = s.analysis_id
    before = snapshot(s.svc, aid)
    dlg = _open_preview(window, qtbot, monkeypatch, xlsx)
    qtmodeltester.check(dlg.changes_model)
    qtmodeltester.check(dlg.problems_model)
    rows = _rows(dlg.changes_model)
    assert [dlg.changes_model.headerData(c, __import__("PySide6.QtCore").QtCore.Qt.Orientation.Horizontal)
            for c in range(4)] == ["Objekt", "Fält", "Före", "Efter"]
    assert ("Risk R1", "Sannolikhet", "3", "5") in rows
    assert ("Verksamhet V2", "Namn", "Utbetalningar", "Utbetalningar (ändrat i Excel)") in rows
    assert dlg.problems_model.rowCount() == 0
    assert dlg.apply_button.isEnabled() and not dlg.valid_button.isVisibleTo(dlg)

    with qtbot.waitSignal(dlg.applied, timeout=30_000):
        dlg.apply_button.click()
    assert s.svc.find_by_hid("risk", aid, "R1").likelihood == 5
    assert s.svc.find_by_hid("function", aid, "V2").name == "Utbetalningar (ändrat i Excel)"
    after = snapshot(s.svc, aid)
    assert window.undo_action.text() == "Ångra Läs in ändrad.xlsx"
    window.undo_action.trigger()  # one step puts everything back exactly
    assert snapshot(s.svc, aid) == before
    window.redo_action.trigger()
    assert snapshot(s.svc, aid) == after
    window.undo_action.trigger()
    window.session.close()
    with Document.open(path, readonly=True) as doc:  # and so it is in the file
        assert snapshot(RsaService(doc), aid) == before


def test_invalid_workbook_shows_problems_and_only_valid_rows_is_explicit(window, qtbot, sample, tmp_path,
                                                                         monkeypatch, qtmodeltester):
    path, ids = sample

    def change(wb):
        _put(wb["Risker"], "R1", "Sannolikhet", 9)  # not on the scale
        _put(wb["Verksamheter"], "V2", "Namn", "Utbetalningar (giltig ändring)")

    xlsx = _export(path, tmp_path, change)
    assert window.open_path(path)
    s = window.session
    aid = s.analysis_id
    dlg = _open_preview(window, qtbot, monkeypatch, xlsx)
    qtmodeltester.check(dlg.problems_model)
    problems = _rows(dlg.problems_model)
    assert len(problems) == 1
    sheet, row, column, message = problems[0]
    assert sheet == "Risker" and row == "5" and "Sannolikhet" in column and "finns inte på skalan" in message
    assert dlg.tabs.currentWidget() is dlg.problems_view
    assert not dlg.apply_button.isEnabled()
    assert dlg.valid_button.isVisibleTo(dlg) and dlg.valid_button.isEnabled()
    with qtbot.waitSignal(dlg.applied, timeout=30_000):
        dlg.valid_button.click()
    assert s.svc.find_by_hid("function", aid, "V2").name == "Utbetalningar (giltig ändring)"
    assert s.svc.find_by_hid("risk", aid, "R1").likelihood == 3
    window.undo_action.trigger()
    assert s.svc.find_by_hid("function", aid, "V2").name == "Utbetalningar"


def test_import_as_new_year_is_undoable(window, qtbot, sample, tmp_path, monkeypatch):
    path, ids = sample
    xlsx = _export(path, tmp_path, lambda wb: None)
    assert window.open_path(path)
    s = window.session
    dlg = _open_preview(window, qtbot, monkeypatch, xlsx)
    assert not dlg.apply_button.isEnabled()  # nothing to change
    with qtbot.waitSignal(dlg.createdNew, timeout=30_000):
        dlg.import_as_new(2027)
    assert s.analysis().year == 2027
    assert {r.hid for r in s.items("risk")} == {"R1"}
    window.undo_action.trigger()
    assert [a.year for a in s.svc.analyses()] == [2026]


def test_refused_workbook_shows_its_swedish_message(window, qtbot, sample, tmp_path, monkeypatch, messages):
    path, ids = sample
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Budget 2026"
    foreign = tmp_path / "budget.xlsx"
    wb.save(foreign)
    assert window.open_path(path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(foreign), ""))
    assert window.import_excel()
    qtbot.waitUntil(lambda: bool(messages), timeout=30_000)
    kind, title, text = messages[0]
    assert kind == "warning" and title == "Arbetsboken kan inte läsas in" and "budget.xlsx" in text


def test_preview_shows_labels_and_rows_kept_and_can_delete_them(window, qtbot, sample, tmp_path, monkeypatch,
                                                                 qtmodeltester):
    """Issue 17: labels, never codes; a row deleted in Excel is said to be kept, and a tick deletes it."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    path, ids = sample
    with Document.open(path, readonly=True) as doc:
        svc = RsaService(doc)
        aid = svc.analyses()[-1].id
        risks = [r.hid for r in svc.list("risk", aid)]
        a1 = svc.list("action", aid)[0]
    gone = risks[-1]
    new_priority = "Hög" if a1.priority != "hog" else "Låg"

    def change(wb):
        _put(wb["Åtgärder"], a1.hid, "Prioritet", new_priority)
        ws = wb["Risker"]
        ws.delete_rows(next(r for r in range(HEADER + 1, ws.max_row + 1) if ws.cell(r, 1).value == gone))

    xlsx = _export(path, tmp_path, change)
    assert window.open_path(path)
    s = window.session
    dlg = _open_preview(window, qtbot, monkeypatch, xlsx)
    rows = _rows(dlg.changes_model)
    prio = next(r for r in rows if r[0] == f"Åtgärd {a1.hid}" and r[1] == "Prioritet")
    assert prio[3] == new_priority and prio[2] in ("", "Låg", "Medel", "Hög"), prio
    kept = [r for r in rows if r[0] == f"Risk {gone}"]
    assert kept and "behålls" in kept[0][1]
    assert "saknas i arbetsboken" in dlg.summary.text() and "behålls" in dlg.summary.text()
    assert dlg.delete_missing.isVisibleTo(dlg) and not dlg.delete_missing.isChecked()
    qtmodeltester.check(dlg.changes_model)
    dlg.delete_missing.setFocus()
    QTest.keyClick(dlg.delete_missing, Qt.Key.Key_Space)  # the user ticks it
    assert dlg.delete_missing.isChecked()
    rows = _rows(dlg.changes_model)
    assert (f"Risk {gone}", "(tas bort)") == rows[[r[0] for r in rows].index(f"Risk {gone}")][:2]
    assert "tas bort ur analysen" in dlg.summary.text()
    with qtbot.waitSignal(dlg.applied, timeout=30_000):
        dlg.apply_button.click()
    assert s.svc.find_by_hid("risk", s.analysis_id, gone) is None
    window.undo_action.trigger()
    assert s.svc.find_by_hid("risk", s.analysis_id, gone) is not None
