"""The Rapport step writes the Excel workbook and the PDF report, full or as öppet utdrag, without freezing."""

import openpyxl
from pypdf import PdfReader
from PySide6.QtWidgets import QFileDialog, QMessageBox

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document


def _export(qtbot, panel, monkeypatch, target, suffix):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    with qtbot.waitSignal(panel.exported, timeout=60_000) as blocker:
        panel.export(suffix)
    return blocker.args[0]


def test_export_both_formats_and_the_public_excerpt(window, qtbot, sample, tmp_path, monkeypatch, messages):
    path, ids = sample
    with Document.open(path) as doc:
        svc = RsaService(doc)
        svc.update("analysis", ids["analysis"], secrecy_marking="Sekretess enligt 18 kap. 13 § OSL")
        svc.create("risk", ids["analysis"], title="Hemlig sårbarhet i betalningar", secret=True, likelihood=2)
    assert window.open_path(path)
    window.go_to("rapport")
    panel = window.page("rapport").export_panel
    assert panel.xlsx_button.isEnabled() and panel.pdf_button.isEnabled()
    assert "Hemlig" not in panel.default_name(".pdf", True) and panel.default_name(".pdf", True).endswith(
        "(öppet utdrag).pdf")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)

    written = _export(qtbot, panel, monkeypatch, tmp_path / "rsa.xlsx", ".xlsx")
    book = openpyxl.load_workbook(written, read_only=True)
    titles = [r[1] for r in book["Risker"].iter_rows(values_only=True) if r and r[0] in ("R1", "R2")]
    assert titles == ["Långvarigt elavbrott", "Hemlig sårbarhet i betalningar"]
    book.close()

    from rsa_desktop.ui.dialogs.public_review import PublicReviewDialog

    reviewed = []  # the sekretessgranskning is shown before an öppet utdrag; accepted unchanged here
    monkeypatch.setattr(PublicReviewDialog, "exec", lambda self: reviewed.append(self) or self.accept()
                        or PublicReviewDialog.DialogCode.Accepted)
    panel.public_box.setChecked(True)
    assert panel.public_note.isVisibleTo(panel)
    written = _export(qtbot, panel, monkeypatch, tmp_path / "utdrag.pdf", ".pdf")
    text = "".join(page.extract_text() for page in PdfReader(written).pages)
    assert "Öppet utdrag" in text and "Långvarigt elavbrott" in text
    assert "Hemlig sårbarhet" not in text and "18 kap. 13 §" not in text
    assert len(reviewed) == 1 and "1 post har utelämnats" in " ".join(text.split())
    assert any(kind == "information" and "Skrev" in msg for kind, _t, msg in messages)


def test_export_of_a_protected_file_warns_that_the_export_is_unencrypted(window, tmp_path, monkeypatch):
    path = tmp_path / "skyddad.rsa"
    with Document.create(path, passphrase="lång lösenfras 2026") as doc:
        svc = RsaService(doc)
        svc.set_organisation(name="Kulturförvaltningen", org_type="facknamnd")
        svc.create_analysis(2026)
    monkeypatch.setattr("rsa_desktop.ui.dialogs.common.ask_passphrase", lambda *a, **k: "lång lösenfras 2026")
    assert window.open_path(path)
    panel = window.page("rapport").export_panel
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a, **k: asked.append(text)
                        or QMessageBox.StandardButton.No)
    assert panel.confirm(public=False) is False
    assert "okrypterad" in asked[0]


def test_export_word_from_the_rapport_step(window, qtbot, sample, tmp_path, monkeypatch, messages):
    import docx

    path, ids = sample
    with Document.open(path) as doc:
        RsaService(doc).create("risk", ids["analysis"], title="Hemlig sårbarhet i betalningar", secret=True)
    assert window.open_path(path)
    window.go_to("rapport")
    panel = window.page("rapport").export_panel
    assert panel.docx_button.isEnabled() and panel.docx_button.text() == "Exportera Word…"
    assert panel.default_name(".docx", True).endswith("(öppet utdrag).docx")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    from rsa_desktop.ui.dialogs.public_review import PublicReviewDialog

    reviewed = []  # the sekretessgranskning comes first for every öppet utdrag, the Word one too
    monkeypatch.setattr(PublicReviewDialog, "exec", lambda self: reviewed.append(self) or self.accept()
                        or PublicReviewDialog.DialogCode.Accepted)
    panel.public_box.setChecked(True)
    written = _export(qtbot, panel, monkeypatch, tmp_path / "utdrag", ".docx")
    assert reviewed  # the suffix is added
    assert written.endswith("utdrag.docx")
    d = docx.Document(written)
    text = " ".join(p.text for p in d.paragraphs)
    assert "Öppet utdrag" in " ".join(p.text for p in d.sections[0].header.paragraphs)
    assert "Hemlig sårbarhet" not in text and "Långvarigt elavbrott" in text
    assert any(kind == "information" and "Skrev" in msg for kind, _t, msg in messages)
