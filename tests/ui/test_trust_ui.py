"""Trust on an air-gapped laptop, UI parts: a locked file opens read-only on request, backups on open and
close with a restore dialog, and the Ändringslogg with filter, item history and a safe CSV export."""

from __future__ import annotations

from rsa_desktop.storage.backups import list_backups
from rsa_desktop.storage.database import Document
from rsa_desktop.ui.commands import undo
from rsa_desktop.ui.dialogs import common
from rsa_desktop.ui.views import audit_view, backups_view


def test_locked_file_offers_read_only_with_banner(window, sample, monkeypatch):
    path, _ids = sample
    other = Document.open(path)  # another instance holds the file
    try:
        asked = []
        monkeypatch.setattr(common, "ask_open_readonly", lambda _p, msg: asked.append(msg) or False)
        assert not window.open_path(path)
        assert "redan öppen" in asked[0] and not window.session.is_open
        monkeypatch.setattr(common, "ask_open_readonly", lambda _p, msg: asked.append(msg) or True)
        assert window.open_path(path)
        s = window.session
        assert s.doc.readonly and s.read_only()
        assert window.readonly_banner.isVisible() and "skrivskyddad" in window.readonly_label.text()
        assert not window.reopen_button.isVisible()
        window.go_to("samhallsviktig")
        sec = window.page("samhallsviktig").section("function")
        assert not sec.add_button.isEnabled()
        assert sec.form.editors["name"].widget.isReadOnly()
        assert not window.new_year_action.isEnabled() and not window.restore_backup_action.isEnabled()
        assert [b for b in list_backups(path) if b.reason == "öppnad"] == []  # nothing written for a reader
        window.close_document()
    finally:
        other.close()


def test_backups_on_open_and_close_and_restore(window, sample, monkeypatch, confirm_yes):
    path, _ids = sample
    assert window.open_path(path)
    s = window.session
    s.wait_for_backup()  # written on a worker thread while the window paints
    opened = list_backups(path)
    assert [b.reason for b in opened] == ["öppnad"]
    original = s.analysis().assignment
    undo.execute(s, undo.UpdateCommand(s, "analysis", s.analysis_id, {"assignment": "Fel text"}))
    model = backups_view.BackupTableModel(list_backups(path))
    assert model.rowCount() == 1 and model.data(model.index(0, 1)) == "När filen öppnades"

    monkeypatch.setattr(backups_view, "choose_backup", lambda _p, doc: list_backups(doc)[-1])
    assert window.restore_from_backup()
    assert window.session.is_open and window.session.analysis().assignment == original
    reasons = [b.reason for b in list_backups(path)]
    assert {"stängd", "före-återställning", "öppnad"} <= set(reasons)
    window.close_document()
    assert list_backups(path)[0].reason == "stängd"


def test_backup_dialog_and_table_model(qtbot, qtmodeltester, window, sample):
    path, _ids = sample
    assert window.open_path(path)
    window.session.wait_for_backup()  # the backup on open is written on a worker thread
    dlg = backups_view.BackupDialog(path, window)
    qtbot.addWidget(dlg)
    qtmodeltester.check(dlg.model)
    assert dlg.restore_button.isEnabled() and dlg.chosen() == list_backups(path)[0]


def test_audit_trail_dialog_filters_history_and_exports_csv(window, sample, qtmodeltester, tmp_path):
    path, ids = sample
    assert window.open_path(path)
    s = window.session
    window.go_to("risker")
    sec = window.page("risker").section("risk")
    sec.select_id(ids["R1"])
    assert sec.edit_field("title", "=HYPERLINK(\"x\")")
    assert sec.edit_field("motivation", "Bedömt på en workshop, två år utan avbrott.")

    dlg = window.show_audit()
    qtmodeltester.check(dlg.model)
    assert dlg.model.rowCount() > 3 and dlg.only_item.isEnabled() and not dlg.only_item.isChecked()
    dlg.only_item.setChecked(True)
    assert dlg.model.rowCount() >= 3
    assert all(e.kind == "risk" and e.item_id == ids["R1"] for e in dlg.model.entries)
    dlg.filter_edit.setText("workshop")
    dlg.reload()
    assert dlg.model.rowCount() == 1
    assert dlg.model.data(dlg.model.index(0, 5)) == "Motivering"
    dlg.filter_edit.clear()
    dlg.reload()
    out = dlg.export(tmp_path / "logg.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads å ä ö
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Tid;Användare;")
    assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text
    assert audit_view.csv_cell("-1") == "'-1" and audit_view.csv_cell("@a") == "'@a" and audit_view.csv_cell("ok") == "ok"
    dlg.close()

    # "Historik" in the detail form opens the log filtered on the item.
    assert sec.history_link.isVisible()
    hist = sec.show_history()
    assert hist.only_item.isChecked() and {e.item_id for e in hist.model.entries} == {ids["R1"]}
    hist.close()
    # Undo is recorded too, with the values before and after.
    s.undo_stack.undo()
    assert s.svc.audit_trail(analysis_id=s.analysis_id, kind="risk", item_id=ids["R1"], limit=1)[0].field == "Motivering"
