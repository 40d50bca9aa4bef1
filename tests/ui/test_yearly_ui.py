"""The yearly cycle in the window: carry forward (undo/redo as one step), archived years, "att granska"
marks, and the Uppföljning view."""

from __future__ import annotations

from PySide6.QtCore import Qt

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document
from rsa_desktop.ui.views import yearly
from tests.support.submissions import snapshot


def _carry(window, qtbot, year=2027):
    created = []
    assert window.carry_forward(year=year, ask=False, on_done=created.append)
    qtbot.waitUntil(lambda: bool(created), timeout=30_000)
    return created[0]


def _on_disk(path):
    """The file as another reader sees it (the window holds the single-writer lock)."""
    doc = Document.open(path, readonly=True)
    svc = RsaService(doc)
    try:
        return {a.year: (a.id, bool(a.get("archived"))) for a in svc.analyses()}, svc, doc
    except Exception:
        doc.close()
        raise


def test_carry_forward_is_one_undoable_step_and_archives_the_previous_year(window, qtbot, sample, confirm_yes):
    path, ids = sample
    assert window.open_path(path)
    s = window.session
    first = s.analysis_id
    new = _carry(window, qtbot)
    assert s.analysis_id == new and s.analysis().year == 2027
    assert window.undo_action.text() == "Ångra Skapa analysen för 2027 från 2026"
    years, svc, doc = _on_disk(path)
    try:
        assert years == {2026: (first, True), 2027: (new, False)}
        assert {r.hid for r in svc.list("risk", new)} == {"R1"}
        carried = snapshot(svc, new)
    finally:
        doc.close()
    # Every carried item is "att granska": the step table shows it and the bar offers to mark it reviewed.
    window.go_to("risker")
    sec = window.page("risker").section("risk")
    col = sec.model.columnCount() - 1
    assert sec.model.headerData(col, Qt.Orientation.Horizontal) == yearly.REVIEW_FLAG
    assert not sec.view.isColumnHidden(col)
    assert sec.model.index(0, col).data() == yearly.REVIEW_FLAG
    assert "att granska" in sec.model.index(0, col).data(Qt.ItemDataRole.ToolTipRole)
    assert sec.review_bar.isVisibleTo(sec) and "2026" in sec.review_bar.label.text()

    # The archived year: read-only banner with "Avarkivera".
    window.set_year(2026)
    assert s.read_only() and window.readonly_banner.isVisible()
    assert "Arkiverad: en senare årsanalys bygger på den" in window.readonly_label.text()
    assert window.unarchive_button.isVisible() and not window.reopen_button.isVisible()
    assert not window.page("risker").section("risk").add_button.isEnabled()

    window.set_year(2027)
    window.undo_action.trigger()  # the whole carry-forward goes, and 2026 is no longer archived
    assert s.analysis_id == first
    years, svc, doc = _on_disk(path)
    doc.close()
    assert years == {2026: (first, False)}
    assert not window.readonly_banner.isVisible()

    window.redo_action.trigger()  # the very same analysis (ids, marks, links) comes back
    assert s.analysis_id == new
    years, svc, doc = _on_disk(path)
    try:
        assert years == {2026: (first, True), 2027: (new, False)}
        assert snapshot(svc, new) == carried
    finally:
        doc.close()

    # Avarkivera (confirmed), undoable.
    window.set_year(2026)
    assert window.unarchive_analysis()
    assert confirm_yes and not s.read_only() and not window.readonly_banner.isVisible()
    window.undo_action.trigger()
    assert s.read_only() and window.unarchive_button.isVisible()


def test_new_year_dialog_offers_carry_forward(window, qtbot, sample, monkeypatch):
    from rsa_desktop.ui.dialogs import templates_ui

    path, _ids = sample
    assert window.open_path(path)
    dlg = templates_ui.NewYearDialog(window, [2026])
    assert dlg.carry_button is not None
    monkeypatch.setattr(templates_ui.NewYearDialog, "exec", lambda self: (self._carry(), 1)[1])
    seen = []
    monkeypatch.setattr(yearly.CarryForwardDialog, "exec", lambda self: seen.append(
        (self.source.currentText(), self.year.value(), self.problem())) or 0)
    assert window.new_year() is False  # the carry dialog was cancelled
    assert seen == [("2026 (utkast)", 2027, "")]


def test_review_mark_set_and_undone(window, qtbot, sample):
    path, ids = sample
    assert window.open_path(path)
    s = window.session
    new = _carry(window, qtbot)
    window.go_to("samhallsviktig")
    sec = window.page("samhallsviktig").section("function")
    before = len(s.svc.review_marks(new))
    assert before == 9  # V1 V2 B1 B2 R1 S1 F1 Å1 K1 (not the exercise, not the participant)
    assert len(yearly.pending_reviews(s)) == before
    rec = sec.current()
    assert rec is not None and sec.review_bar.isVisibleTo(sec)
    qtbot.mouseClick(sec.review_bar.button, Qt.MouseButton.LeftButton)
    assert ("function", rec.id) not in s.svc.review_marks(new)
    assert len(s.svc.review_marks(new)) == before - 1
    assert not sec.review_bar.isVisibleTo(sec)
    assert window.undo_action.text().startswith("Ångra Markera") and "granskad" in window.undo_action.text()
    window.undo_action.trigger()
    assert ("function", rec.id) in s.svc.review_marks(new)
    assert sec.review_bar.isVisibleTo(sec)
    # The Översikt counts them and links to the first one.
    window.refresh_status()
    ov = window.page("oversikt")
    assert ov.review_line.isVisibleTo(ov)
    assert f"{before} objekt att granska" in ov.review_line.text()
    ov.review_line.linkActivated.emit("granska")
    assert window.current_key() == "samhallsviktig"


def test_followup_shows_a_moved_risk_and_a_new_function(window, qtbot, sample, qtmodeltester):
    from rsa_desktop.ui.commands import undo

    path, ids = sample
    assert window.open_path(path)
    s = window.session
    assert window.previous_analysis() is None and not window.followup_action.isEnabled()
    first = s.analysis_id
    new = _carry(window, qtbot)
    assert window.followup_action.isEnabled()
    r1 = s.svc.find_by_hid("risk", new, "R1")
    undo.execute(s, undo.UpdateCommand(s, "risk", r1.id, {"likelihood": 5}))
    window.go_to("samhallsviktig")
    v3 = window.page("samhallsviktig").section("function").add_item({"name": "Digital brevlåda"})
    dlg = window.show_followup()
    view = dlg.view
    qtmodeltester.check(view.model)
    rows = view.items()
    assert ("Nya verksamheter (1)", "V3 Digital brevlåda", "ny 2027") in rows
    moved = [r for r in rows if r[0].startswith("Risker som har flyttats")]
    assert moved == [("Risker som har flyttats i riskmatrisen (1)", "R1 Långvarigt elavbrott",
                      "sannolikhet 3 → 5, konsekvens 4 (högre; Hög risk → Mycket hög risk)")]
    # The matrix shows R1 only, with last year's position as a hollow marker (arrow to the new one).
    assert [p.hid for p in view.matrix.data.points] == ["R1"]
    assert view.matrix.previous == {r1.id: (3, 4)}
    view.matrix.grab()  # paints without warnings
    assert "R1" in view.matrix.accessibleDescription()
    # Gå till: this year's new function; a removed item would open the previous year.
    view.tree.setCurrentIndex(view.find("V3"))
    assert view.go_button.isEnabled()
    view.go_button.click()
    assert window.current_key() == "samhallsviktig"
    assert window.page("samhallsviktig").section("function").current_id() == v3
    # An edit updates the open view.
    window.undo_action.trigger()  # the new function goes
    assert not any(r[1].startswith("V3") for r in view.items())
    # A removed function opens in the previous year.
    v2 = s.svc.find_by_hid("function", new, "V2")
    undo.execute(s, undo.DeleteCommand(s, "function", v2.id))
    item = view.find("V2")
    assert item.isValid() and item.parent().data().startswith("Borttagna verksamheter")
    view.go_to(item)
    assert s.analysis_id == first and window.page("samhallsviktig").section("function").current().hid == "V2"
    dlg.close()


def test_last_years_placement_follows_the_carried_risk_even_when_renamed(window, qtbot, sample):
    from rsa_desktop.services.matrix import previous_positions
    from rsa_desktop.ui.commands import undo

    path, ids = sample
    assert window.open_path(path)
    s = window.session
    new = _carry(window, qtbot)
    r1 = s.svc.find_by_hid("risk", new, "R1")
    undo.execute(s, undo.UpdateCommand(s, "risk", r1.id, {"title": "Elavbrott i flera dygn",
                                                                  "likelihood": 5}))
    # Risks without a carried-from record match by ID (Pandemi is R2 in both years), never by title.
    first = s.svc.analysis_for_year(2026).id
    s.svc.set_archived(first, False)
    s.svc.create("risk", first, title="Pandemi", likelihood=2)
    s.svc.set_archived(first, True)
    pandemic = s.svc.create("risk", new, title="pandemi ", likelihood=4).id
    twin = s.svc.create("risk", new, title="Långvarigt elavbrott", likelihood=1).id
    s.notify("risk")
    year, positions = previous_positions(s.svc, new)
    assert year == 2026 and positions == {r1.id: (3, 4)}  # Pandemi is not placed last year
    assert pandemic not in positions and twin not in positions
    s.svc.set_archived(first, False)
    old = s.svc.find_by_hid("risk", first, "R2")
    s.svc.set_consequence(old.id, s.svc.scales(first).dimensions[0].id, 2)
    s.svc.set_archived(first, True)
    year, positions = previous_positions(s.svc, new)
    assert positions == {r1.id: (3, 4), pandemic: (2, 2)}
    window.go_to("risker")
    view = window.page("risker").matrix
    window.page("risker").tabs.setCurrentWidget(view)
    assert view.previous_check.isVisibleTo(view) and "2026" in view.previous_check.text()
    view.previous_check.setChecked(True)
    assert view.canvas.previous[r1.id] == (3, 4)
