"""The riskmatris: a 5 × 5 (or whatever the scale says) grid with band colours and risk IDs."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class RiskMatrixWidget(QWidget):
    """Paints sannolikhet (rows, highest on top) against konsekvens (columns) with the risks' IDs."""

    def __init__(self, parent=None, *, thumbnail: bool = False):
        super().__init__(parent)
        self.thumbnail = thumbnail
        self.scales = None
        self.risks: list[tuple[str, int | None, int | None]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(QSize(220, 200) if thumbnail else QSize(420, 360))
        self.setAccessibleName(self.tr("Riskmatris"))

    def sizeHint(self) -> QSize:
        return QSize(280, 250) if self.thumbnail else QSize(640, 520)

    def set_data(self, scales, risks: list[tuple[str, int | None, int | None]]) -> None:
        self.scales = scales
        self.risks = list(risks)
        placed = [f"{hid} ({lik}, {con})" for hid, lik, con in risks if lik and con]
        self.setAccessibleDescription(self.tr("Risker i matrisen (sannolikhet, konsekvens): ") + ", ".join(placed))
        self.update()

    def cell_risks(self, likelihood: int, consequence: int) -> list[str]:
        return [hid for hid, lik, con in self.risks if lik == likelihood and con == consequence]

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        if self.scales is None or not self.scales.likelihood or not self.scales.consequence:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("Ingen skala"))
            return
        likes = [lv.value for lv in self.scales.likelihood]
        cons = [lv.value for lv in self.scales.consequence]
        left = 30 if self.thumbnail else 150
        bottom = 22 if self.thumbnail else 70
        top = 6
        right = 6
        w = (self.width() - left - right) / len(cons)
        h = (self.height() - top - bottom) / len(likes)
        font = QFont(self.font())
        small = QFont(self.font())
        small.setPointSizeF(max(font.pointSizeF() - (2 if self.thumbnail else 1), 6))
        p.setFont(small)
        text_pen = QPen(QColor("#1b1b1b"))
        for row, lik in enumerate(reversed(likes)):
            for col, con in enumerate(cons):
                rect = QRectF(left + col * w, top + row * h, w, h)
                band = self.scales.band(lik, con)
                p.fillRect(rect, QColor(band.colour) if band else QColor("#eeeeee"))
                p.setPen(QPen(QColor("#ffffff"), 2))
                p.drawRect(rect)
                ids = self.cell_risks(lik, con)
                if ids:
                    p.setPen(text_pen)
                    bold = QFont(small)
                    bold.setBold(True)
                    p.setFont(bold)
                    p.drawText(rect.adjusted(3, 2, -3, -2), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                               " ".join(ids))
                    p.setFont(small)
        p.setPen(QPen(self.palette().text().color()))
        for row, lik in enumerate(reversed(likes)):
            rect = QRectF(0, top + row * h, left - 6, h)
            text = str(lik) if self.thumbnail else f"{lik} {self.scales.likelihood_label(lik)}"
            p.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap,
                       text)
        for col, con in enumerate(cons):
            rect = QRectF(left + col * w, self.height() - bottom + 2, w, bottom / 2 if not self.thumbnail else bottom)
            text = str(con) if self.thumbnail else f"{con}\n{self.scales.consequence_label(con)}"
            p.drawText(rect.adjusted(0, 0, 0, 14 if not self.thumbnail else 0),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, text)
        if not self.thumbnail:
            bold = QFont(font)
            bold.setBold(True)
            p.setFont(bold)
            p.drawText(QRectF(left, self.height() - 22, self.width() - left, 20), Qt.AlignmentFlag.AlignCenter,
                       self.tr("Konsekvens"))
            p.save()
            p.translate(12, top + (self.height() - top - bottom) / 2)
            p.rotate(-90)
            p.drawText(QRectF(-80, -10, 160, 20), Qt.AlignmentFlag.AlignCenter, self.tr("Sannolikhet"))
            p.restore()
        p.end()
