"""The interactive riskmatris: cell filter, residual and dimension placement, last year, unplaced risks."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from pytestqt.modeltest import ModelTester

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document
from rsa_desktop.ui.commands import undo


def _more_risks(path, ids) -> dict[str, int]:
    doc = Document.open(path)
    svc = RsaService(doc)
    aid = ids["analysis"]
    dims = svc.scales(aid).dimensions
    with svc.batch():
        svc.update("risk", ids["R1"], residual_likelihood=2, residual_consequence=2)
        ids["R2"] = svc.create("risk", aid, title="Cyberangrepp mot verksamhetssystemet", likelihood=3).id
        svc.set_consequence(ids["R2"], dims[0].id, 4)
        ids["R3"] = svc.create("risk", aid, title="Pandemi", likelihood=2).id
        svc.set_consequence(ids["R3"], dims[1].id, 5)
        ids["R4"] = svc.create("risk", aid, title="Ej bedömd risk").id
        prev = svc.create_analysis(2025)
        old = svc.create("risk", prev.id, title="långvarigt  elavbrott", likelihood=5)  # same title, other case
        svc.set_consequence(old.id, svc.scales(prev.id).dimensions[0].id, 5)
    doc.close()
    return ids


def _open_matrix(window, path):
    window.open_path(path)
    window.go_to("risker")
    page = window.page("risker")
    page.tabs.setCurrentWidget(page.matrix)
    return page, page.matrix, page.section("risk")


def _click_cell(qtbot, canvas, lik, con):
    centre = canvas.cell_rect(lik, con).center()
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(int(centre.x()), int(centre.y())))


def _shown_ids(sec) -> set[int]:
    from rsa_desktop.ui.widgets.table_model import ID_ROLE
    return {sec.proxy.index(r, 0).data(ID_ROLE) for r in range(sec.proxy.rowCount())}


def test_clicking_a_cell_filters_the_risk_table(window, qtbot, sample, pytestconfig):
    path, ids = sample
    ids = _more_risks(path, ids)
    page, view, sec = _open_matrix(window, path)
    ModelTester(pytestconfig).check(sec.proxy, force_py=True)
    assert view.cell_risks(3, 4) == ["R1", "R2"]
    assert sec.proxy.rowCount() == 4

    _click_cell(qtbot, view.canvas, 3, 4)
    assert _shown_ids(sec) == {ids["R1"], ids["R2"]}
    assert [view.cell_list.item(i).text() for i in range(view.cell_list.count())] == [
        "R1 Långvarigt elavbrott", "R2 Cyberangrepp mot verksamhetssystemet"]
    assert view.filter_bar.isVisibleTo(sec) and "2 risker" in view.filter_bar.label.text()

    _click_cell(qtbot, view.canvas, 2, 5)  # R3 sits there only by its dimension 1 rating (max = overall)
    assert _shown_ids(sec) == {ids["R3"]}

    # keyboard: arrows move, Enter chooses
    view.canvas.setFocus()
    qtbot.keyClick(view.canvas, Qt.Key.Key_Up)
    qtbot.keyClick(view.canvas, Qt.Key.Key_Left)
    qtbot.keyClick(view.canvas, Qt.Key.Key_Return)
    assert view.canvas.selected == (3, 4) and _shown_ids(sec) == {ids["R1"], ids["R2"]}

    # an edit moves R2 out of the cell: the matrix and the filtered table follow
    undo.execute(window.session, undo.UpdateCommand(window.session, "risk", ids["R2"], {"likelihood": 4}))
    assert view.cell_risks(3, 4) == ["R1"] and view.cell_risks(4, 4) == ["R2"]
    assert _shown_ids(sec) == {ids["R1"]}
    window.session.undo_stack.undo()
    assert view.cell_risks(3, 4) == ["R1", "R2"]

    qtbot.mouseClick(view.filter_bar.clear_button, Qt.MouseButton.LeftButton)
    assert sec.proxy.rowCount() == 4 and view.canvas.selected is None


def test_residual_dimension_and_previous_year(window, qtbot, sample):
    path, ids = sample
    ids = _more_risks(path, ids)
    page, view, sec = _open_matrix(window, path)

    view.residual_check.setChecked(True)
    assert view.cell_risks(2, 2) == ["R1"]
    assert view.cell_risks(3, 4) == []
    view.canvas.grab()  # paint: R1's current position is a hollow marker with an arrow to its residual one
    assert ("residual", ids["R1"]) in view.canvas._ghosts
    assert {p.hid for p in view.unplaced()} == {"R2", "R3", "R4"}  # no residual rating
    view.residual_check.setChecked(False)

    dims = window.session.scales().dimensions
    view.dimension_combo.setCurrentIndex(view.dimension_combo.findData(dims[1].code))
    assert view.cell_risks(2, 5) == ["R3"] and view.cell_risks(3, 4) == []
    assert {p.hid for p in view.unplaced()} == {"R1", "R2", "R4"}
    view.dimension_combo.setCurrentIndex(0)
    assert view.cell_risks(3, 4) == ["R1", "R2"]

    assert view.previous_check.isVisibleTo(view) and "2025" in view.previous_check.text()
    view.previous_check.setChecked(True)
    view.canvas.grab()
    assert view.canvas.previous == {ids["R1"]: (5, 5)}
    assert ("previous", ids["R1"]) in view.canvas._ghosts


def test_unplaced_risks_have_go_to(window, qtbot, sample):
    path, ids = sample
    ids = _more_risks(path, ids)
    page, view, sec = _open_matrix(window, path)
    _click_cell(qtbot, view.canvas, 3, 4)
    assert [view.unplaced_list.item(i).text() for i in range(view.unplaced_list.count())] == [
        "R4 Ej bedömd risk – sannolikhet och konsekvens saknas"]
    view.unplaced_list.setCurrentRow(0)
    qtbot.mouseClick(view.unplaced_goto, Qt.MouseButton.LeftButton)
    assert page.tabs.currentWidget() is sec
    assert sec.current_id() == ids["R4"]
    assert sec.proxy.id_filter is None  # the cell filter gave way to show the risk
