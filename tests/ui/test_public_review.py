"""The sekretessgranskning before an öppet utdrag: shown from the Rapport step, decisions stored."""

from pypdf import PdfReader
from PySide6.QtWidgets import QFileDialog

from rsa_desktop.reports.common import review_required
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document
from rsa_desktop.ui.dialogs.public_review import SECRET, PublicReviewDialog


def _with_decision(path, ids):
    with Document.open(path) as doc:
        svc = RsaService(doc)
        svc.update("analysis", ids["analysis"], secrecy_marking="Sekretess enligt 18 kap. 13 § OSL",
                   summary="Verksamhetssystemet är den svagaste länken.")
        svc.update("dependency", ids["B1"], provider="Leverantören Kanarie AB", single_point_of_failure=True)
        assert review_required(svc, ids["analysis"])


def test_review_lists_the_sensitive_items_and_stores_the_decisions(window, qtbot, sample, tmp_path, monkeypatch):
    path, ids = sample
    _with_decision(path, ids)
    assert window.open_path(path)
    window.go_to("rapport")
    panel = window.page("rapport").export_panel
    seen = []

    def review(dialog):
        seen.append(dialog)
        assert dialog.required
        listed = {(e.kind, e.hid): e.categories for e in dialog.entries}
        assert "Namngiven leverantör eller avtal" in listed[("dependency", "B1")]
        assert "Enda felpunkt" in listed[("dependency", "B1")]
        assert ("vulnerability", "S1") in listed and ("continuity_plan", "K1") in listed
        assert ("function", "V2") in listed  # extern regi
        dialog.set_choice("dependency", "B1", True)
        box, edit = dialog.text_choices["summary"]
        box.setCurrentIndex(SECRET)
        dialog.draft_button.click()  # drafted from the public data only
        assert "Verksamhetssystemet" not in edit.toPlainText()
        dialog.accept()
        return PublicReviewDialog.DialogCode.Accepted

    monkeypatch.setattr(PublicReviewDialog, "exec", review)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "utdrag.pdf"), ""))
    panel.public_box.setChecked(True)
    with qtbot.waitSignal(panel.exported, timeout=60_000) as blocker:
        panel.export(".pdf")
    assert len(seen) == 1
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(blocker.args[0]).pages).split())
    assert "Kanarie" not in text and "Verksamhetssystemet är den svagaste" not in text
    assert "1 post har utelämnats" in text
    svc = window.session.svc
    assert svc.get("dependency", ids["B1"]).secret
    assert not review_required(svc, ids["analysis"])


def test_cancelled_review_writes_nothing(window, sample, tmp_path, monkeypatch):
    path, ids = sample
    _with_decision(path, ids)
    assert window.open_path(path)
    panel = window.page("rapport").export_panel
    monkeypatch.setattr(PublicReviewDialog, "exec", lambda self: PublicReviewDialog.DialogCode.Rejected)
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: asked.append(1) or ("", ""))
    panel.public_box.setChecked(True)
    panel.export(".pdf")
    assert not asked and not (tmp_path / "utdrag.pdf").exists()
    assert not window.session.svc.get("dependency", ids["B1"]).secret
