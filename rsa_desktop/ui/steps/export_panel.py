"""The Rapport step's export: the Excel workbook and the PDF report for KS, full or öppet utdrag.

Exports run in a worker (a PDF of a large analysis takes seconds) and are written atomically by
the reports layer, so a failed export never replaces a good file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.ui.commands import ops, workers


def _t(text: str) -> str:
    return QCoreApplication.translate("export", text)


class ExportPanel(QWidget):
    exported = Signal(str)  # the written path

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.error_count = 0  # RSA-kontroll errors, set by the Rapport page
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.intro = QLabel(_t("Skriv underlaget till kommunstyrelsen: Excelarbetsboken (enhetligt format som "
                               "stadsledningskontoret sammanställer) och PDF-rapporten med redovisningens sju punkter."),
                            self)
        self.intro.setWordWrap(True)
        lay.addWidget(self.intro)
        row = QHBoxLayout()
        self.xlsx_button = QPushButton(_t("Exportera Excel…"), self)
        self.pdf_button = QPushButton(_t("Exportera PDF…"), self)
        self.docx_button = QPushButton(_t("Exportera Word…"), self)
        self.docx_button.setToolTip(_t("Samma rapport som PDF:en, som ett Worddokument att redigera inför "
                                       "tjänsteutlåtandet."))
        self.public_box = QCheckBox(_t("Öppet utdrag (utan sekretessmarkerade uppgifter)"), self)
        for w in (self.xlsx_button, self.pdf_button, self.docx_button):
            w.setAccessibleName(w.text().rstrip("…"))
        self.public_box.setToolTip(_t("Ett öppet utdrag utelämnar allt som är markerat med sekretess och märks "
                                      "”Öppet utdrag” i stället för med sekretessmarkeringen."))
        row.addWidget(self.xlsx_button)
        row.addWidget(self.pdf_button)
        row.addWidget(self.docx_button)
        row.addWidget(self.public_box)
        row.addStretch(1)
        lay.addLayout(row)
        self.public_note = QLabel(_t("Före exporten visas en sekretessgranskning: det som ska publiceras och hör "
                                     "till de känsliga kategorierna, och fritexterna, var och en med ”Publicera” "
                                     "eller ”Markera sekretess”."), self)
        self.public_note.setWordWrap(True)
        self.public_note.setVisible(False)
        keep = self.public_note.sizePolicy()
        keep.setRetainSizeWhenHidden(True)  # ticking the box must not move the buttons under the pointer
        self.public_note.setSizePolicy(keep)
        lay.addWidget(self.public_note)
        self.xlsx_button.clicked.connect(lambda: self.export(".xlsx"))
        self.pdf_button.clicked.connect(lambda: self.export(".pdf"))
        self.docx_button.clicked.connect(lambda: self.export(".docx"))
        self.public_box.toggled.connect(self.public_note.setVisible)
        self.last_path: Path | None = None

    def refresh(self) -> None:
        enabled = self.session.svc is not None and self.session.analysis_id is not None
        for w in (self.xlsx_button, self.pdf_button, self.docx_button, self.public_box):
            w.setEnabled(enabled)

    def default_name(self, suffix: str, public: bool) -> str:
        from rsa_desktop.reports.common import report_filename

        a = self.session.analysis()
        org = self.session.organisation()

        class _Data:  # report_filename needs only these three attributes
            pass

        d = _Data()
        d.analysis, d.organisation, d.public = a, org, public
        return report_filename(d, suffix)

    def choose_path(self, suffix: str, public: bool) -> Path | None:
        folder = (self.last_path.parent if self.last_path else
                  Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
                       or Path.home()))
        kind = {".xlsx": _t("Excelarbetsbok (*.xlsx)"), ".docx": _t("Worddokument (*.docx)")}.get(
            suffix, _t("PDF-dokument (*.pdf)"))
        name, _ = QFileDialog.getSaveFileName(self, _t("Exportera"), str(folder / self.default_name(suffix, public)),
                                              kind)
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == suffix else path.with_suffix(suffix)

    def confirm(self, public: bool) -> bool:
        notes = []
        if self.error_count:
            notes.append(_t("RSA-kontrollen har {0} fel som bör rättas innan analysen lämnas in.")
                         .format(self.error_count))
        doc = self.session.doc
        if doc is not None and getattr(doc, "encrypted", False):
            notes.append(_t("Analysfilen är skyddad med lösenfras, men exporten blir en vanlig, okrypterad fil. "
                            "Spara den bara där sådana uppgifter får finnas."))
        if not notes:
            return True
        answer = QMessageBox.question(self, _t("Exportera"), "\n\n".join(notes) + "\n\n" + _t("Exportera ändå?"))
        return answer == QMessageBox.StandardButton.Yes

    def review(self) -> bool:
        """The sekretessgranskning before an öppet utdrag (stores the choices); False if cancelled."""
        from rsa_desktop.ui.dialogs.public_review import PublicReviewDialog

        dialog = PublicReviewDialog(self.session.svc, self.session.analysis_id, self)
        accepted = dialog.exec() == PublicReviewDialog.DialogCode.Accepted
        if accepted:
            self.session.notify("")  # items may have been marked sekretess
        return accepted

    def export(self, suffix: str, path: Path | None = None) -> None:
        public = self.public_box.isChecked()
        if not self.confirm(public):
            return
        if public and not self.review():
            return
        path = path or self.choose_path(suffix, public)
        if path is None:
            return
        doc, aid = self.session.doc, self.session.analysis_id

        def work():
            from rsa_desktop.services.rsa import RsaService

            svc = RsaService(doc)  # its own service: the window's session is used by the GUI thread meanwhile
            if suffix == ".xlsx":
                from rsa_desktop.reports.xlsx import export_xlsx

                return export_xlsx(svc, aid, path, public=public)
            if suffix == ".docx":
                from rsa_desktop.reports.docx import export_docx

                return export_docx(svc, aid, path, public=public)
            from rsa_desktop.reports.pdf import export_pdf

            return export_pdf(svc, aid, path, public=public)

        def done(result):
            self.last_path = Path(result)
            self.exported.emit(str(result))
            QMessageBox.information(self, _t("Exporten är klar"), _t("Skrev {0}").format(result))

        def failed(exc):
            from rsa_desktop.reports.atomic import ExportError

            ops.report_worker_failure(self, exc, title=_t("Exporten misslyckades"), expected=(ExportError,))

        label = _t("Skriver {0}…").format(path.name)
        workers.run_in_background(self, label, work, done, failed)
