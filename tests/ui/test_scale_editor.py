"""Analys → Skalor…: edits, export, import with an explicit re-mapping of every rating, backups."""

from __future__ import annotations

import copy
import json

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from rsa_desktop.services.scale_edit.template import current_template
from rsa_desktop.storage.backups import list_backups
from rsa_desktop.ui.commands import undo
from rsa_desktop.ui.dialogs.scale_editor import MappingDialog, ScaleEditorDialog


def _ratings(svc, aid):
    """Every stored rating: (risk, dimension code) → level, plus likelihoods."""
    dims = {d.id: d.code for d in svc.scales(aid).dimensions}
    out = {(rid, dims[did]): lv for rid, levels in svc.all_consequences(aid).items() for did, lv in levels.items()}
    out.update({(r.id, "likelihood"): r.likelihood for r in svc.list("risk", aid) if r.likelihood is not None})
    return out


def _dialog(window, qtbot, path):
    window.open_path(path)
    dlg = ScaleEditorDialog(window.session, window)
    qtbot.addWidget(dlg)
    return dlg


def test_edit_a_label_saves_with_backup_and_is_one_undo_step(window, qtbot, sample, pytestconfig):
    path, ids = sample
    dlg = _dialog(window, qtbot, path)
    for editor in dlg.editors.values():
        ModelTester(pytestconfig).check(editor.model, force_py=True)
    assert "kan ångras med Ctrl+Z" in dlg.findChildren(type(dlg.error))[0].text()
    undo.execute(window.session, undo.UpdateCommand(window.session, "risk", ids["R1"], {"title": "Elavbrott"}))
    assert window.session.undo_stack.count() == 1

    model = dlg.editors["likelihood_levels"].model
    assert not dlg.save_button.isEnabled()
    model.setData(model.index(2, 1), "Ganska trolig")
    assert dlg.save_button.isEnabled()
    before = len(list_backups(path))
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    svc = window.session.svc
    assert svc.scales(ids["analysis"]).likelihood_label(3) == "Ganska trolig"
    assert len(list_backups(path)) == before + 1 and "före-skaländring" in list_backups(path)[0].path.name
    stack = window.session.undo_stack
    assert stack.count() == 2 and stack.undoText() == "Ändra skalorna"
    assert window.session.scales().likelihood_label(3) == "Ganska trolig"  # the session cache was refreshed
    stack.undo()
    assert svc.scales(ids["analysis"]).likelihood_label(3) == "Medelhög"
    assert window.session.scales().likelihood_label(3) == "Medelhög"
    stack.undo()  # the earlier edit is still undoable: ids and ratings came back as they were
    assert svc.get("risk", ids["R1"]).title == "Långvarigt elavbrott"
    stack.redo()
    stack.redo()
    assert svc.scales(ids["analysis"]).likelihood_label(3) == "Ganska trolig"
    assert svc.get("risk", ids["R1"]).title == "Elavbrott"
    dlg.stored = current_template(svc, ids["analysis"])
    dlg.template = copy.deepcopy(dlg.stored)
    dlg._load()
    assert not dlg.save_button.isEnabled()

    # an invalid working copy is refused with a message, nothing is written
    bands = dlg.editors["colour_bands"].model
    bands.setData(bands.index(0, 2), "grön")
    assert not dlg.save()
    assert dlg.error.isVisibleTo(dlg) and "#rrggbb" in dlg.error.text()


def test_import_needs_a_mapping_for_every_rating(window, qtbot, sample, tmp_path, monkeypatch, pytestconfig):
    path, ids = sample
    dlg = _dialog(window, qtbot, path)
    svc = window.session.svc
    aid = ids["analysis"]
    before = _ratings(svc, aid)
    assert before[(ids["R1"], svc.scales(aid).dimensions[0].code)] == 4

    exported = dlg.export_to(tmp_path / "skala.json")
    data = json.loads(exported.read_text(encoding="utf-8"))
    data["consequence_levels"] = [lv for lv in data["consequence_levels"] if lv["value"] <= 3]  # 4 and 5 go
    data["unacceptable_level"] = 3
    (tmp_path / "ny.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    seen = {}

    def run(self, mapping_dialog: MappingDialog) -> bool:
        seen["dialog"] = mapping_dialog
        ModelTester(pytestconfig).check(mapping_dialog.affected, force_py=True)
        ok = mapping_dialog.buttons.button(mapping_dialog.buttons.StandardButton.Ok)
        assert not ok.isEnabled()  # nothing is chosen: nothing can be applied
        assert ("consequence", 4) in mapping_dialog.combos
        rows = mapping_dialog.affected.rows
        assert any(r[0] == "R1" and r[3] == "ej vald" for r in rows)
        mapping_dialog.set_choice("consequence", 4, 3)
        assert ok.isEnabled()
        assert any(r[0] == "R1" and r[3].startswith("3") for r in mapping_dialog.affected.rows)
        return True

    monkeypatch.setattr(ScaleEditorDialog, "exec_mapping", run)
    assert dlg.import_from(tmp_path / "ny.json")
    assert "dialog" in seen
    after = _ratings(svc, aid)
    assert set(after) == set(before)  # every rating kept
    assert after[(ids["R1"], svc.scales(aid).dimensions[0].code)] == 3
    assert [lv.value for lv in svc.scales(aid).consequence] == [1, 2, 3]


def test_cancelled_mapping_changes_nothing(window, qtbot, sample, tmp_path, monkeypatch):
    path, ids = sample
    dlg = _dialog(window, qtbot, path)
    svc = window.session.svc
    aid = ids["analysis"]
    fingerprint = svc.scales(aid).fingerprint
    model = dlg.editors["consequence_levels"].model
    model.remove_row(4)
    model.remove_row(3)  # level 4, used by R1
    monkeypatch.setattr(ScaleEditorDialog, "exec_mapping", lambda self, d: False)
    assert not dlg.save()
    assert svc.scales(aid).fingerprint == fingerprint
    assert dlg.dirty  # the working copy is kept for another try


def test_menu_opens_the_dialog(window, qtbot, sample, monkeypatch):
    path, ids = sample
    window.open_path(path)
    opened = []
    monkeypatch.setattr(ScaleEditorDialog, "exec", lambda self: opened.append(self) or 0)
    window.scales_action.trigger()
    assert opened and opened[0].tabs.count() == 7
    assert current_template(window.session.svc, ids["analysis"]) == opened[0].stored
