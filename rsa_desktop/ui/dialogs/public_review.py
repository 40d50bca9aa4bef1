"""Sekretessgranskning before an öppet utdrag: what is about to be published, item by item.

Lists every item the excerpt would publish that falls in a category MSB names as typically secret
(named suppliers and contracts, single points of failure and missing reserves, reservrutiner, contact
details, sårbarheter, staff endurance), each with "Publicera" or "Markera sekretess", and the analysis'
free texts with the same choice and a "text för öppet utdrag". What is shown and what the choices mean
come from the one rule (rsa_desktop.domain.public, through reports.common); this dialog only asks.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def _t(text: str) -> str:
    return QCoreApplication.translate("public_review", text)


PUBLISH, SECRET = 0, 1


def _choice(parent) -> QComboBox:
    box = QComboBox(parent)
    box.addItem(_t("Publicera"))
    box.addItem(_t("Markera sekretess"))
    box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return box


class PublicReviewDialog(QDialog):
    """Returns Accepted after the choices were stored; the caller then writes the excerpt."""

    def __init__(self, svc, analysis_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        from rsa_desktop.domain import public as public_rule
        from rsa_desktop.reports.common import public_selection, review_required, sensitive_items

        self.svc, self.aid = svc, analysis_id
        self.setWindowTitle(_t("Sekretessgranskning före öppet utdrag"))
        self.resize(1040, 700)
        analysis = svc.analysis(analysis_id)
        selection = public_selection(svc, analysis_id)
        self.required = review_required(svc, analysis_id)
        lay = QVBoxLayout(self)
        intro = QLabel(_t("Det här kommer att publiceras i det öppna utdraget och hör till de uppgifter som MSB "
                          "anger som ofta sekretessbelagda. Välj för varje rad om den ska publiceras eller "
                          "markeras med sekretess (den utelämnas då ur utdraget). Det som redan är markerat "
                          "med sekretess visas inte."), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        if self.required:
            note = QLabel(_t("Analysen har ett sekretessbeslut, men ingenting är markerat med sekretess. "
                             "Gå igenom listan innan du exporterar."), self)
            note.setWordWrap(True)
            note.setStyleSheet("font-weight: bold; color: #a00000;")
            lay.addWidget(note)
        self.required_note = self.required

        items_box = QGroupBox(_t("Poster i känsliga kategorier"), self)
        il = QVBoxLayout(items_box)
        self.entries = sensitive_items(svc, analysis_id)
        self.table = QTableWidget(len(self.entries), 4, items_box)
        self.table.setHorizontalHeaderLabels([_t("ID"), _t("Benämning"), _t("Varför den granskas"), _t("Beslut")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setAccessibleName(_t("Poster i känsliga kategorier"))
        self.choices: list[QComboBox] = []
        for row, entry in enumerate(self.entries):
            self.table.setItem(row, 0, QTableWidgetItem(entry.hid))
            self.table.setItem(row, 1, QTableWidgetItem(entry.title))
            self.table.setItem(row, 2, QTableWidgetItem(", ".join(entry.categories)))
            box = _choice(self.table)
            box.setAccessibleName(_t("Beslut för {0}").format(entry.hid))
            self.table.setCellWidget(row, 3, box)
            self.choices.append(box)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        il.addWidget(self.table)
        if not self.entries:
            il.addWidget(QLabel(_t("Inga publicerade poster hör till de känsliga kategorierna."), items_box))
        lay.addWidget(items_box, 3)

        texts_box = QGroupBox(_t("Fritexter"), self)
        tl = QVBoxLayout(texts_box)
        hint = QLabel(_t("En fritext som markeras med sekretess ersätts i utdraget med texten för öppet utdrag, "
                         "eller med ”{0}” om den lämnas tom.").format(public_rule.WITHHELD_TEXT), texts_box)
        hint.setWordWrap(True)
        tl.addWidget(hint)
        scroll = QScrollArea(texts_box)
        scroll.setWidgetResizable(True)
        inner = QWidget(scroll)
        grid = QGridLayout(inner)
        grid.setColumnStretch(2, 1)
        stored = public_rule.parse_public_texts(analysis.public_texts)
        self.text_choices: dict[str, tuple[QComboBox, QPlainTextEdit]] = {}
        row = 0
        for name, label in public_rule.FREE_TEXT_FIELDS:
            written = str(analysis.get(name) or "")
            if not written.strip() and name not in stored:
                continue
            named = public_rule.names_left_out(written, selection)
            excerpt = " ".join(written.split())
            excerpt = excerpt[:140].rsplit(" ", 1)[0] + " …" if len(excerpt) > 140 else excerpt
            title = QLabel(f"<b>{escape(label)}</b><br><span style='color:#555'>{escape(excerpt)}</span>" + (
                "<br><span style='color:#a00000'>" + escape(_t("Nämner sekretessmarkerade uppgifter: {0}")
                                                            .format(", ".join(named[:3]))) + "</span>"
                if named else ""), inner)
            title.setWordWrap(True)
            title.setFixedWidth(340)
            title.setToolTip(written[:2000])
            box = _choice(inner)
            box.setAccessibleName(_t("Beslut för {0}").format(label))
            edit = QPlainTextEdit(inner)
            edit.setAccessibleName(_t("Text för öppet utdrag: {0}").format(label))
            edit.setPlaceholderText(_t("Text för öppet utdrag (lämna tom för att utelämna texten)"))
            edit.setFixedHeight(72)
            if name in stored:
                box.setCurrentIndex(SECRET)
                edit.setPlainText(stored[name])
            elif named:
                box.setCurrentIndex(SECRET)  # fail closed: it is withheld anyway (domain rule)
            edit.setEnabled(box.currentIndex() == SECRET)
            box.currentIndexChanged.connect(lambda i, e=edit: e.setEnabled(i == SECRET))
            grid.addWidget(title, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(box, row, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(edit, row, 2)
            if name == "summary":
                draft = QPushButton(_t("Föreslå text"), inner)
                draft.setToolTip(_t("Skriver ett förslag enbart utifrån det som publiceras i utdraget"))
                draft.clicked.connect(lambda _=False, b=box, e=edit: self.draft_summary(b, e))
                grid.addWidget(draft, row, 3, Qt.AlignmentFlag.AlignTop)
                self.draft_button = draft
            self.text_choices[name] = (box, edit)
            row += 1
        if not self.text_choices:
            grid.addWidget(QLabel(_t("Analysen har inga fritexter."), inner), 0, 0)
        scroll.setWidget(inner)
        tl.addWidget(scroll)
        lay.addWidget(texts_box, 2)

        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton(_t("Spara besluten och exportera"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(_t("Avbryt"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

    def draft_summary(self, box: QComboBox, edit: QPlainTextEdit) -> None:
        from rsa_desktop.services.drafts import draft_summary

        box.setCurrentIndex(SECRET)
        edit.setPlainText(draft_summary(self.svc, self.aid, public=True))

    def set_choice(self, kind: str, hid: str, secret: bool) -> None:
        """Choose for one listed item (for tests and keyboard-free use)."""
        for entry, box in zip(self.entries, self.choices):
            if entry.kind == kind and entry.hid == hid:
                box.setCurrentIndex(SECRET if secret else PUBLISH)
                return
        raise KeyError(f"{kind} {hid}")

    def marked(self) -> list[tuple[str, int]]:
        return [(e.kind, e.id) for e, box in zip(self.entries, self.choices) if box.currentIndex() == SECRET]

    def public_texts(self) -> dict[str, str]:
        return {name: edit.toPlainText() for name, (box, edit) in self.text_choices.items()
                if box.currentIndex() == SECRET}

    def apply(self) -> None:
        """Store the decisions: items marked sekretess, free texts' choices (all in the audit trail)."""
        with self.svc.batch():
            for kind, item_id in self.marked():
                self.svc.update(kind, item_id, secret=True)
            self.svc.set_public_texts(self.aid, self.public_texts())

    def accept(self) -> None:
        from rsa_desktop.ui.commands import ops

        if ops.run_op(self, self.apply, title=_t("Sekretessgranskning")).ok:  # a bug goes to the crash dialog
            super().accept()
