"""An edit of one item's values refreshes its row only, and every view still shows the new value (and undo)."""

from __future__ import annotations

from helpers import set_field
from PySide6.QtCore import Qt

from rsa_desktop.ui.widgets.links import LinkPanel


def _row_text(section, item_id: int) -> str:
    row = section.model.row_of(item_id)
    return " ".join(str(section.model.index(row, c).data()) for c in range(section.model.columnCount()))


def _panel(page_section, link_name: str) -> LinkPanel:
    return next(w for w in page_section.extras if isinstance(w, LinkPanel) and w.link_name == link_name)


def test_a_title_edit_refreshes_its_row_without_reading_the_list_again(window, qtbot, sample, monkeypatch):
    path, ids = sample
    assert window.open_path(path)
    window.go_to("samhallsviktig")
    funcs = window.page("samhallsviktig").section("function")
    assert funcs.select_id(ids["V1"])
    reads = []
    real = window.session.svc.list_fast
    monkeypatch.setattr(window.session.svc, "list_fast", lambda *a, **k: reads.append(a) or real(*a, **k))

    set_field(qtbot, funcs.form, "name", "Tillsyn och granskning")

    assert reads == []  # neither the list nor the link panels read whole lists again
    assert "Tillsyn och granskning" in _row_text(funcs, ids["V1"])
    assert funcs.current_id() == ids["V1"]
    assert funcs.heading.text().endswith("Tillsyn och granskning")
    # the link panels of the edited item still show its links
    assert [r[0] for r in _panel(funcs, "function_dependency").model.rows] == [ids["B1"]]

    # another step's link panel shows the new title when visited
    window.go_to("beroenden")
    deps = window.page("beroenden").section("dependency")
    assert deps.select_id(ids["B1"])
    served = _panel(deps, "function_dependency")
    assert any("Tillsyn och granskning" in r[1] for r in served.model.rows)

    # undo restores both
    window.session.undo_stack.undo()
    assert any("Tillsyn över ställföreträdare" in r[1] for r in served.model.rows)
    window.go_to("samhallsviktig")
    assert "Tillsyn över ställföreträdare" in _row_text(funcs, ids["V1"])
    assert "Tillsyn och granskning" not in _row_text(funcs, ids["V1"])


def test_an_edit_of_the_sorted_column_sorts_the_list_again(window, qtbot, sample):
    path, ids = sample
    assert window.open_path(path)
    window.go_to("samhallsviktig")
    funcs = window.page("samhallsviktig").section("function")
    col = funcs.column_names.index("name")
    funcs.view.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    assert funcs.select_id(ids["V1"])
    set_field(qtbot, funcs.form, "name", "Öööö sist")
    names = [funcs.proxy.index(r, col).data() for r in range(funcs.proxy.rowCount())]
    assert names[-1] == "Öööö sist"
    assert funcs.current_id() == ids["V1"]


def test_a_long_findings_list_shows_its_first_rows_and_the_rest_through_visa_fler(qtbot):
    from PySide6.QtCore import QUrl

    from rsa_desktop.services.review import WARNING, ReviewFinding
    from rsa_desktop.ui.steps.findings import FindingsPanel

    panel = FindingsPanel()
    qtbot.addWidget(panel)
    findings = [ReviewFinding("r", WARNING, "risker", f"Fynd nummer {i}.", "risk", i) for i in range(95)]
    panel.set_findings(findings)
    text = panel.browser.toPlainText()
    assert "Fynd nummer 0." in text and f"Fynd nummer {panel.PAGE - 1}." in text
    assert "Fynd nummer 94." not in text and "Visa fler" in text
    while "Visa fler" in panel.browser.toPlainText():
        panel.browser.anchorClicked.emit(QUrl("fler:"))
    text = panel.browser.toPlainText()
    assert all(f"Fynd nummer {i}." in text for i in range(95))
    got = []
    panel.goTo.connect(got.append)
    panel.browser.anchorClicked.emit(QUrl("fynd:94"))  # "Gå till" still names the right finding
    assert got == [findings[94]]


def test_the_risk_list_keeps_consequences_across_a_title_edit_and_follows_a_rating(window, qtbot, sample,
                                                                                   monkeypatch):
    from rsa_desktop.ui.widgets.links import RatingGrid

    path, ids = sample
    assert window.open_path(path)
    window.go_to("risker")
    risks = window.page("risker").section("risk")
    assert risks.select_id(ids["R1"])
    col = next(i for i, c in enumerate(risks.model.columns) if c.title == "Konsekvens")
    assert _cell(risks, ids["R1"], col) == "4"
    calls = []
    real = window.session.svc.all_consequences
    monkeypatch.setattr(window.session.svc, "all_consequences", lambda *a: calls.append(a) or real(*a))
    set_field(qtbot, risks.form, "title", "Elavbrott i veckor")
    assert _cell(risks, ids["R1"], col) == "4" and calls == []
    grid = next(w for w in risks.extras if isinstance(w, RatingGrid) and w.which == "consequence")
    key = next(k for k in grid.combos)
    grid.set_level(key, 2)
    assert _cell(risks, ids["R1"], col) == "2"
    window.session.undo_stack.undo()
    assert _cell(risks, ids["R1"], col) == "4"


def _cell(section, item_id: int, column: int) -> str:
    return section.model.index(section.model.row_of(item_id), column).data()
