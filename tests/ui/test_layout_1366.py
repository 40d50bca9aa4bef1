"""Layout at 1366×768 and narrower (issue 21): nothing a newcomer needs is cut off, and nothing jumps
under the pointer. Screenshots go to $RSA_SCREENSHOTS when it is set (the engineers look at them)."""

from __future__ import annotations

import os

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document


def _shot(widget, name: str) -> None:
    folder = os.environ.get("RSA_SCREENSHOTS")
    if folder:
        widget.grab().save(os.path.join(folder, f"{name}.png"))


def _cell_text_fits(view, index) -> bool:
    text = index.data() or ""
    from PySide6.QtWidgets import QStyle
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1  # as the delegate
    rect = view.visualRect(index).adjusted(margin, 0, -margin, 0)
    need = QFontMetrics(view.font()).boundingRect(QRect(0, 0, rect.width(), 10_000),
                                                  int(Qt.TextFlag.TextWordWrap), text)
    return need.width() <= rect.width() + 1 and need.height() <= rect.height() + 1


def test_arbetsgrupp_shows_whole_names_and_roles(window, qtbot, sample):
    path, ids = sample
    doc = Document.open(path)
    svc = RsaService(doc)
    with svc.batch():
        svc.create("participant", ids["analysis"], name="Karl-Johan Lindqvist Bergström",
                   role="Säkerhetssamordnare (processledare)", unit="Avdelningen för juridik och ställföreträdarfrågor")
        svc.create("participant", ids["analysis"], name="Maria Eriksson", role="Förvaltningschef (uppdragsgivare)")
    doc.close()
    assert window.open_path(path)
    window.go_to("uppdrag")
    QApplication.processEvents()
    sec = window.page("uppdrag").section("participant")
    view = sec.view
    model = view.model()
    assert model.rowCount() == 3
    total = sum(view.horizontalHeader().sectionSize(c) for c in range(model.columnCount()))
    assert total <= view.viewport().width()  # no sideways scrolling to read a column
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            idx = model.index(r, c)
            assert _cell_text_fits(view, idx), (idx.data(), view.visualRect(idx), view.rowHeight(r))
    # the count beside the buttons is not cut off either
    label = sec.count_label
    assert label.text() == "3 st" and label.width() >= label.sizeHint().width()
    right = label.mapTo(window, QPoint(label.width(), 0)).x()
    group = sec.parentWidget()
    assert right <= group.mapTo(window, QPoint(group.width(), 0)).x()
    _shot(window, "arbetsgrupp_1366")
