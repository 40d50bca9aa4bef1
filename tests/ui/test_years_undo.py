"""Undo per analysis year (one QUndoStack per year in a QUndoGroup) and undoable creation of a year."""

from __future__ import annotations

from PySide6.QtCore import Qt

from rsa_desktop.services.templates import templates
from rsa_desktop.storage.database import Document
from rsa_desktop.ui.commands import undo


def _switch(window, year: int) -> None:
    i = window.year_combo.findText(str(year), Qt.MatchFlag.MatchStartsWith)
    window.year_combo.setCurrentIndex(i)
    window.year_combo.activated.emit(i)


def test_ctrl_z_only_undoes_the_shown_year_and_creation_is_undoable(window, sample):
    path, ids = sample
    assert window.open_path(path)
    s = window.session
    first = s.analysis_id
    assert window.new_year(2027)
    new = s.analysis_id
    assert s.analysis().year == 2027
    assert window.undo_action.text() == "Ångra Skapa analysen för 2027"
    undo.execute(s, undo.UpdateCommand(s, "analysis", new, {"assignment": "Nytt uppdrag"}))
    assert "*" not in window.windowTitle()

    _switch(window, 2026)
    assert s.analysis_id == first
    assert not window.undo_action.isEnabled()  # 2026 has nothing to undo: 2027's edits are not reachable
    window.undo_action.trigger()
    assert s.svc.analysis(new).assignment == "Nytt uppdrag"
    assert "*" not in window.windowTitle()  # the marker considers every year's stack

    _switch(window, 2027)
    window.undo_action.trigger()
    assert s.svc.analysis(new).assignment == ""
    assert window.undo_action.text() == "Ångra Skapa analysen för 2027"
    window.undo_action.trigger()  # the year itself goes away, the previous one is shown
    assert [a.year for a in s.svc.analyses()] == [2026]
    assert s.analysis_id == first and window.year_combo.count() == 1
    assert window.redo_action.text() == "Gör om Skapa analysen för 2027"
    window.redo_action.trigger()  # the very same analysis comes back
    assert s.analysis_id == new and s.analysis().year == 2027
    window.redo_action.trigger()
    assert s.svc.analysis(new).assignment == "Nytt uppdrag"
    window.save()
    assert "*" not in window.windowTitle()


def test_first_analysis_from_template_is_one_undoable_step(window, tmp_path, qtbot):
    path = tmp_path / "mall.rsa"
    Document.create(path).close()
    assert window.open_path(path)
    setup = window.setup
    setup.name.setEditText("Överförmyndarförvaltningen")
    setup.year.setValue(2026)
    picker = setup.template
    picker.enabled.setChecked(True)
    code = templates()[0]["code"]
    assert picker.set_template(code)
    funcs = templates()[0]["functions"]
    assert len(picker.checks) == len(funcs)
    first = picker.item_text(0)
    assert funcs[0]["name"] in first and "samhällsviktig: " in first and funcs[0]["description"][:20] in first
    picker.set_checked([0, 1])
    qtbot.mouseClick(setup.create_button, Qt.MouseButton.LeftButton)
    s = window.session
    aid = s.analysis_id
    assert aid is not None and window.stack.currentWidget() is window.workspace
    names = [f.name for f in s.items("function")]
    assert names == [funcs[0]["name"], funcs[1]["name"]]
    deps = s.items("dependency")
    assert deps and s.svc.links("function_dependency", analysis_id=aid)
    assert "från mallen" in window.undo_action.text()

    window.undo_action.trigger()
    assert s.svc.analyses() == [] and s.analysis_id is None
    assert window.stack.currentWidget() is window.setup
    window.redo_action.trigger()
    assert s.analysis_id == aid
    assert [f.name for f in s.items("function")] == names
    assert len(s.items("dependency")) == len(deps)
