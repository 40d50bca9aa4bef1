"""RSA-kontroll in the UI: severity icons, the findings strip under each step page, the HTML list on the
Rapport page, and "Gå till" (select the item, focus the field).

The findings themselves come from services/review.py; nothing here decides what is missing.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap, QPolygonF, QTextDocument
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.domain import workflow
from rsa_desktop.services.review import ERROR, INFO, WARNING, ReviewFinding
from rsa_desktop.ui.widgets import hints

SEVERITIES = (ERROR, WARNING, INFO)
SEVERITY_TEXT = {ERROR: "Fel", WARNING: "Varning", INFO: "Tips"}
SEVERITY_COLOUR = {ERROR: "#b3261e", WARNING: "#b26a00", INFO: "#1f5fa8"}
# Where an item of each kind is edited.
KIND_PAGE = workflow.KIND_STEP


def _t(text: str) -> str:
    return QCoreApplication.translate("findings", text)


def severity_pixmap(severity: str, size: int = 16) -> QPixmap:
    """Red disc with "!" (fel), amber triangle with "!" (varning), blue disc with "i" (info)."""
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(SEVERITY_COLOUR.get(severity, "#757575"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    s = float(size)
    if severity == WARNING:
        p.drawPolygon(QPolygonF([QPointF(s / 2, 1), QPointF(s - 1, s - 1.5), QPointF(1, s - 1.5)]))
    else:
        p.drawEllipse(QRectF(1, 1, s - 2, s - 2))
    p.setPen(QPen(QColor("white")))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(s * 0.65))
    p.setFont(font)
    rect = QRectF(0, 2 if severity == WARNING else 0, s, s)
    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, "i" if severity == INFO else "!")
    p.end()
    return pm


def severity_icon(severity: str) -> QIcon:
    return QIcon(severity_pixmap(severity))


def add_icon_resources(doc: QTextDocument) -> None:
    """Make <img src='sev:fel'> etc. work in a QTextBrowser."""
    for sev in SEVERITIES:
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"sev:{sev}"), severity_pixmap(sev, 14))


def count_text(findings: list[ReviewFinding]) -> str:
    parts = []
    for sev, one, many in ((ERROR, "fel", "fel"), (WARNING, "varning", "varningar"), (INFO, "tips", "tips")):
        n = sum(1 for f in findings if f.severity == sev)
        if n:
            parts.append(f"{n} {_t(one if n == 1 else many)}")
    return ", ".join(parts)


def findings_html(findings: list[ReviewFinding], offset: int = 0) -> str:
    """One row per finding: icon, message, "Gå till" link (href "fynd:<offset+i>")."""
    rows = []
    for i, f in enumerate(findings):
        label = _t(SEVERITY_TEXT[f.severity])
        rows.append(
            f"<tr><td width='18' valign='top'><img src='sev:{f.severity}' alt='{label}' title='{label}'></td>"
            f"<td valign='top'>{html.escape(f.message)}</td>"
            f"<td valign='top' style='white-space:nowrap'>&nbsp;<a href='fynd:{offset + i}'>{_t('Gå till')}</a></td></tr>")
    return "<table cellspacing='2' cellpadding='1' width='100%'>" + "".join(rows) + "</table>"


class FindingsPanel(QFrame):
    """The step's RSA-kontroll findings, below the page content; collapsible."""

    goTo = Signal(object)  # ReviewFinding

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("findingsPanel")
        self.setStyleSheet("#findingsPanel { border-top: 1px solid #d0d0d0; }")
        self.findings: list[ReviewFinding] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.setSpacing(2)
        head = QHBoxLayout()
        self.toggle = QToolButton(self)
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow)
        self.toggle.setAccessibleName(_t("Visa eller dölj RSA-kontrollen"))
        self.toggle.setToolTip(_t("Visa eller dölj RSA-kontrollen för steget"))
        self.toggle.toggled.connect(self.set_expanded)
        head.addWidget(self.toggle)
        self.header = QLabel(self)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        head.addWidget(self.header, 1)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName(_t("RSA-kontroll för steget"))
        self.browser.setFrameShape(QFrame.Shape.NoFrame)
        # A fixed height, also when the step has no findings: fixing the last one (or a new one appearing)
        # must not resize the page and move its buttons under the pointer. Only the user collapses it.
        self.browser.setFixedHeight(72)
        self.browser.anchorClicked.connect(self._anchor)
        add_icon_resources(self.browser.document())
        # The list opens above its header row (as a status-bar drawer does): collapsing or expanding it
        # leaves the toggle under the pointer instead of moving it by the list's height.
        lay.addWidget(self.browser)
        lay.addLayout(head)
        self.set_findings([])

    def set_expanded(self, on: bool) -> None:
        self.toggle.blockSignals(True)
        self.toggle.setChecked(on)
        self.toggle.blockSignals(False)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.UpArrow)  # the list opens upwards
        self.browser.setVisible(on)

    def set_findings(self, findings: list[ReviewFinding]) -> None:
        self.findings = list(findings)
        if not findings:
            self.header.setText("<b>" + _t("RSA-kontroll:") + "</b> " + _t("inga anmärkningar för det här steget."))
            self.browser.setHtml(f"<p style='{hints.hint_css()}'>" + html.escape(
                _t("Det här steget har inga fel eller varningar just nu. Anmärkningar visas här när du arbetar.")) + "</p>")
            self.browser.setVisible(self.toggle.isChecked())
            return
        self.header.setText("<b>" + _t("RSA-kontroll:") + "</b> " + html.escape(count_text(findings)))
        self.shown = min(len(findings), self.PAGE)
        self._render()
        self.browser.setVisible(self.toggle.isChecked())

    # Laying out a long list of findings costs ~1 ms per row (hundreds on a large analysis, every time
    # the list changes) while the panel shows three or four: the first PAGE rows, then "Visa fler".
    PAGE = 40
    shown = 0

    def _render(self) -> None:
        text = findings_html(self.findings[:self.shown])
        rest = len(self.findings) - self.shown
        if rest > 0:
            text += (f"<p><a href='fler:'>{html.escape(_t('Visa fler'))}</a> "
                     f"({html.escape(_t('{0} till').format(rest))})</p>")
        add_icon_resources(self.browser.document())  # clear() drops the document's resources
        self.browser.setHtml(text)

    def show_more(self) -> None:
        """The next PAGE findings in the list (the "Visa fler" link)."""
        if self.shown >= len(self.findings):
            return
        top = self.browser.verticalScrollBar().value()
        self.shown = min(len(self.findings), self.shown + self.PAGE)
        self._render()
        self.browser.verticalScrollBar().setValue(top)

    def _anchor(self, url: QUrl) -> None:
        text = url.toString()
        if text == "fler:":
            self.show_more()
            return
        if text.startswith("fynd:"):
            i = int(text.removeprefix("fynd:"))
            if 0 <= i < len(self.findings):
                self.goTo.emit(self.findings[i])


# -- "Gå till" ------------------------------------------------------------------------------------

def _reveal(widget: QWidget) -> None:
    """Switch enclosing tabs, scroll enclosing scroll areas so the widget is visible, then focus it."""
    ancestors = []
    w = widget
    while w is not None:
        ancestors.append(w)
        w = w.parentWidget()
    for a in ancestors:
        stack = a.parentWidget()
        tabs = stack.parentWidget() if stack is not None else None
        if isinstance(tabs, QTabWidget) and tabs.indexOf(a) >= 0:
            tabs.setCurrentWidget(a)
    for a in ancestors:
        if isinstance(a, QScrollArea):
            a.ensureWidgetVisible(widget)
    widget.setFocus(Qt.FocusReason.OtherFocusReason)


def finding_target(window, f: ReviewFinding) -> QWidget | None:
    """Show the page of the finding, select its item, and return the widget to focus."""
    from rsa_desktop.ui.widgets.links import LinkPanel, RatingGrid

    if f.kind in ("", "analysis", "organisation") or f.kind not in KIND_PAGE:
        key = f.step if f.kind in ("", "analysis", "organisation") else KIND_PAGE.get(f.kind, f.step)
        window.go_to(key)
        page = window.page(key)
        if f.field == "participants":
            sec = page.section("participant")
            return sec.add_button if sec.model.rowCount() == 0 else sec.view
        if f.field == "scales":
            return getattr(page, "scales_button", None)
        for g in getattr(page, "record_groups", []):
            if f.field in g.form.editors:
                return g.form.editors[f.field].focus_widget()
        sections = getattr(page, "sections", [])
        return sections[0].view if sections else None
    key = KIND_PAGE[f.kind]
    window.go_to(key)
    page = window.page(key)
    try:
        sec = page.section(f.kind)
    except StopIteration:
        return None
    tabs = getattr(page, "tabs", None)
    if isinstance(tabs, QTabWidget) and tabs.indexOf(sec) >= 0:
        tabs.setCurrentWidget(sec)
    if sec._dirty:
        sec.refresh()
    if f.item_id is not None:
        sec.select_id(f.item_id)
    grids = {"impacts": "impact", "consequences": "consequence"}
    if f.field in grids:
        grid = next((w for w in sec.extras if isinstance(w, RatingGrid) and w.which == grids[f.field]), None)
        if grid is not None:
            return next(iter(grid.combos.values()), grid)
    if f.field in sec.form.editors:
        return sec.form.editors[f.field].focus_widget()
    panels = {"function_no_dependencies": "function_dependency", "risk_no_function": "risk_function"}
    if f.rule in panels:
        panel = next((w for w in sec.extras if isinstance(w, LinkPanel) and w.link_name == panels[f.rule]), None)
        if panel is not None:
            return panel.candidates
    return sec.view


def go_to_finding(window, f: ReviewFinding) -> QWidget | None:
    target = finding_target(window, f)
    if target is not None:
        _reveal(target)
    return target
