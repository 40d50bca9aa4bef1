"""Arkiv → Sammanställ inlämningar (KS)…: inputs from files and folders, a worker, and the summary."""

from __future__ import annotations

import openpyxl
from PySide6.QtWidgets import QFileDialog

from rsa_desktop.ui.dialogs.consolidate_dialog import ConsolidateDialog
from tests.support.submissions import generate_submissions


def test_consolidation_writes_the_workbook_and_lists_the_corrupt_input(window, qtbot, tmp_path, monkeypatch,
                                                                       qtmodeltester):
    folder = tmp_path / "inlamningar"
    generated = generate_submissions(folder, 3, xlsx_every=3, year=2026)
    assert {g.path.suffix for g in generated} == {".rsa", ".xlsx"}
    corrupt = tmp_path / "trasig.rsa"
    corrupt.write_bytes(b"det har ar ingen analysfil" * 20)

    assert window.consolidate_action.isEnabled()  # no file needs to be open
    dlg = window.consolidate()
    assert isinstance(dlg, ConsolidateDialog) and not dlg.run_button.isEnabled()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(corrupt)], ""))
    dlg.add_folder_button.click()
    dlg.add_files_button.click()
    dlg.add_files_button.click()  # the same file twice is listed once
    assert dlg.paths() == [str(folder), str(corrupt)]
    out = tmp_path / "ut" / "KS 2026.xlsx"
    out.parent.mkdir()
    dlg.xlsx_edit.setText(str(out))
    dlg.pdf_check.setChecked(True)
    dlg.pdf_edit.setText(str(tmp_path / "ut" / "KS 2026.pdf"))
    dlg.year_check.setChecked(True)
    dlg.year.setValue(2026)
    with qtbot.waitSignal(dlg.finished_with, timeout=60_000) as blocker:
        dlg.run_button.click()
    result = blocker.args[0]
    assert result.xlsx == out and out.exists() and result.pdf.exists()
    book = openpyxl.load_workbook(out, read_only=True)
    assert len(book.sheetnames) > 2
    book.close()

    summary = dlg.summary_dialog
    assert summary.isVisible()
    qtmodeltester.check(summary.errors_model)
    qtmodeltester.check(summary.left_out_model)
    assert "3 inlämningar ingår" in summary.summary.text() and "1 kunde inte användas" in summary.summary.text()
    assert summary.errors_model.rowCount() == 1
    assert summary.errors_model.index(0, 0).data() == "trasig.rsa"
    assert summary.errors_model.index(0, 1).data()  # the reason, in Swedish
    assert "Saknas (" in summary.missing.text()
    assert generated[0].organisation not in summary.missing_list.toPlainText()
    assert summary.missing_list.toPlainText().count("\n") >= 3
    assert [e.text() for e in summary.path_edits] == [str(out), str(tmp_path / "ut" / "KS 2026.pdf")]
    summary.close()
    dlg.close()
