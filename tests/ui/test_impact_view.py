"""Impact over time → proposed acceptabel avbrottstid: accept, override with motivation, undo."""

from __future__ import annotations

from PySide6.QtCore import Qt

from rsa_desktop.ui.views.impact_view import ImpactProposalPanel
from rsa_desktop.ui.widgets.links import RatingGrid


def _function_panels(window, path, ids, key="V2"):
    window.open_path(path)
    window.go_to("samhallsviktig")
    sec = window.page("samhallsviktig").section("function")
    sec.select_id(ids[key])
    grid = next(w for w in sec.extras if isinstance(w, RatingGrid) and w.which == "impact")
    panel = next(w for w in sec.extras if isinstance(w, ImpactProposalPanel))
    return sec, grid, panel


def _stored(window, ids, key="V2"):
    f = window.session.svc.get("function", ids[key])
    return f.max_tolerable_downtime, f.mtd_motivation


def test_proposal_follows_the_grid_and_can_be_accepted(window, qtbot, sample):
    path, ids = sample
    sec, grid, panel = _function_panels(window, path, ids)
    assert "Inget förslag" in panel.proposal_label.text()
    assert not panel.accept_button.isEnabled()
    horizons = window.session.scales().horizons  # 1 h, 4 h, 1 dygn, 3 dygn, ...; unacceptable level 4
    for h, level in zip(horizons, (1, 2, 3, 4)):
        grid.set_level(h.id, level)
    assert "Förslag: 1 dygn" in panel.proposal_label.text()
    assert "sista tidshorisont innan konsekvensen blir oacceptabel" in panel.proposal_label.text()
    assert panel.accept_button.isEnabled()

    qtbot.mouseClick(panel.accept_button, Qt.MouseButton.LeftButton)
    assert _stored(window, ids) == (1440, "")
    assert "samma som förslaget" in panel.current_label.text()
    assert not panel.accept_button.isEnabled()
    assert window.session.undo_stack.undoText().startswith("Använd föreslagen avbrottstid")
    window.session.undo_stack.undo()
    assert _stored(window, ids)[0] is None
    window.session.undo_stack.redo()
    assert _stored(window, ids)[0] == 1440


def test_override_needs_a_motivation_and_undoes(window, qtbot, sample):
    path, ids = sample
    sec, grid, panel = _function_panels(window, path, ids)
    for h, level in zip(window.session.scales().horizons, (1, 2, 3, 4)):
        grid.set_level(h.id, level)
    panel.accept_proposal()
    depth = window.session.undo_stack.count()

    qtbot.mouseClick(panel.override_button, Qt.MouseButton.LeftButton)
    assert panel.override_box.isVisible()
    panel.minutes_edit.setText("2 dygn")
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert panel.error.isVisible() and "Motivering" in panel.error.text()
    assert _stored(window, ids) == (1440, "")
    assert window.session.undo_stack.count() == depth

    panel.motivation_edit.setPlainText("Manuella rutiner räcker i två dygn enligt enhetschefen.")
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert _stored(window, ids) == (2880, "Manuella rutiner räcker i två dygn enligt enhetschefen.")
    assert not panel.override_box.isVisible()
    assert "avviker från förslaget" in panel.current_label.text()
    assert panel.accept_button.isEnabled()  # going back to the proposal is one click
    window.session.undo_stack.undo()
    assert _stored(window, ids) == (1440, "")
    window.session.undo_stack.redo()
    assert _stored(window, ids)[0] == 2880
