"""The step pages of the workflow (BRIEF §2), assembled from generic parts.

Each page = title + collapsible guidance + content. Content is one or more `ItemSection`s (tabs when a
step covers several kinds) or record forms for the analysis and the organisation. What differs per
kind is declared in SECTION_CONFIGS.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.domain import workflow
from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.services.errors import ValidationError
from rsa_desktop.ui.commands import ops, undo
from rsa_desktop.ui.steps.completeness import STEP_KEYS, StepStatus
from rsa_desktop.ui.steps.drafting import ScalesBox, attach_summary_button
from rsa_desktop.ui.steps.export_panel import ExportPanel
from rsa_desktop.ui.steps.findings import FindingsPanel, add_icon_resources, count_text, findings_html
from rsa_desktop.ui.steps.guidance import CTX, GUIDANCE
from rsa_desktop.ui.steps.sections import ItemSection, SectionConfig
from rsa_desktop.ui.steps.step_titles import step_title  # noqa: F401 - where pages and older callers find it
from rsa_desktop.ui.views.impact_view import ImpactProposalPanel
from rsa_desktop.ui.views.matrix_view import MatrixView
from rsa_desktop.ui.widgets import fmt, hints
from rsa_desktop.ui.widgets.forms import ItemForm, LongTextEditor
from rsa_desktop.ui.widgets.lazy import RefreshWhenVisible
from rsa_desktop.ui.widgets.links import LinkPanel, RatingGrid
from rsa_desktop.ui.widgets.table_model import Column


def _t(text: str) -> str:
    return QCoreApplication.translate("steps", text)




# -- per-kind configuration ------------------------------------------------------------------------

def _risk_columns(session) -> list[Column]:
    # Every risk's consequence levels, read once (~0.1 s on a large analysis) and kept across edits of a
    # risk's own values (a title edit must not read them again); any other change reads them again, and so
    # does an unknown risk after a risk change (a new or duplicated risk may come with ratings).
    state: dict = {"levels": None, "complete": False}

    def on_changed(kind: str = "") -> None:
        if kind == "risk":
            state["complete"] = False
        else:
            state["levels"] = None

    session.changed.connect(on_changed)
    session.analysisChanged.connect(on_changed)
    session.documentChanged.connect(on_changed)

    def levels_of(rid: int) -> dict:
        lv = state["levels"]
        if lv is None or (rid not in lv and not state["complete"]):
            lv = state["levels"] = session.svc.all_consequences(session.analysis_id)
            state["complete"] = True
        return lv.get(rid, {})

    def overall(r):
        scales = session.scales()
        return scales.overall(levels_of(r.id)) if scales else None

    def band(r):
        scales = session.scales()
        return scales.band(r.likelihood, overall(r)) if scales else None

    return [
        Column(_t("Konsekvens"), lambda r: str(overall(r) or ""), lambda r: fmt.sort_key(None, overall(r)),
               tooltip=lambda r: session.scales().consequence_label(overall(r)) if overall(r) else ""),
        Column(_t("Risknivå"), lambda r: band(r).label if band(r) else "",
               lambda r: fmt.sort_key(None, (r.likelihood or 0) * (overall(r) or 0) or None),
               background=lambda r: band(r).colour if band(r) else None),
    ]


class ChildGroup(QGroupBox):
    """A child list (reservrutiner, kontakter) inside the form of its parent item."""

    def __init__(self, session, kind: str, title: str, columns: tuple[str, ...], hint: str = "", parent=None):
        super().__init__(title, parent)
        self.parent_id: int | None = None
        lay = QVBoxLayout(self)
        if hint:
            h = QLabel(hint, self)
            h.setWordWrap(True)
            hints.style_hint(h)
            lay.addWidget(h)
        self.section = ItemSection(session, SectionConfig(kind, columns, compact=True),
                                   owner=lambda: self.parent_id, parent=self)
        lay.addWidget(self.section)

    def set_item(self, item_id: int | None) -> None:
        self.parent_id = item_id
        self.section.refresh()

    def set_read_only(self, ro: bool) -> None:
        self.section.set_read_only(ro)


def _function_extras(sec: ItemSection) -> list[QWidget]:
    s = sec.session
    return [
        RatingGrid(s, "impact", _t("Konsekvens över tid"),
                   _t("Hur allvarliga blir konsekvenserna om verksamheten ligger nere så här länge? "
                      "Det hjälper er att bestämma acceptabel avbrottstid."), sec.detail),
        ImpactProposalPanel(s, sec.detail),  # ui/views/impact_view.py: proposal from the grid above
        LinkPanel(s, "function_dependency", "left", _t("Beroenden som verksamheten behöver"),
                  _t("Tolerans: hur länge verksamheten klarar sig utan beroendet. Dubbelklicka för att ändra."),
                  sec.detail),
        LinkPanel(s, "risk_function", "right", _t("Risker som kan drabba verksamheten"), parent=sec.detail),
    ]


def _dependency_extras(sec: ItemSection) -> list[QWidget]:
    s = sec.session
    return [
        LinkPanel(s, "function_dependency", "right", _t("Verksamheter som beroendet betjänar"),
                  _t("Ange för varje verksamhet hur länge den klarar sig utan beroendet (tolerans). "
                     "Dubbelklicka på toleransen för att ändra den."), sec.detail),
        LinkPanel(s, "dependency_dependency", "left", _t("Underliggande beroenden"),
                  _t("Vad beroendet i sin tur behöver, t.ex. att verksamhetssystemet kräver el och nätverk."),
                  sec.detail),
    ]


def _risk_extras(sec: ItemSection) -> list[QWidget]:
    s = sec.session
    return [
        RatingGrid(s, "consequence", _t("Konsekvens per skyddsvärde"),
                   _t("Bedöm konsekvensen för varje skyddsvärde. Den sammanvägda konsekvensen placerar risken i "
                      "riskmatrisen."), sec.detail),
        LinkPanel(s, "risk_function", "left", _t("Verksamheter som drabbas"), parent=sec.detail),
        LinkPanel(s, "risk_dependency", "left", _t("Beroenden som drabbas"), parent=sec.detail),
    ]


def _vulnerability_extras(sec: ItemSection) -> list[QWidget]:
    return [LinkPanel(sec.session, "action_vulnerability", "right", _t("Åtgärder som behandlar sårbarheten"),
                      parent=sec.detail)]


def _action_extras(sec: ItemSection) -> list[QWidget]:
    s = sec.session
    return [
        LinkPanel(s, "action_risk", "left", _t("Risker som åtgärden behandlar"), parent=sec.detail),
        LinkPanel(s, "action_vulnerability", "left", _t("Sårbarheter som åtgärden behandlar"), parent=sec.detail),
        LinkPanel(s, "action_function", "left", _t("Verksamheter som åtgärden stärker"), parent=sec.detail),
        LinkPanel(s, "action_dependency", "left", _t("Beroenden som åtgärden stärker"), parent=sec.detail),
    ]


def _plan_extras(sec: ItemSection) -> list[QWidget]:
    s = sec.session
    return [
        ChildGroup(s, "fallback", _t("Reservrutiner per kritiskt beroende"), ("dependency_id", "procedure", "duration"),
                   _t("Vad gör ni när beroendet faller bort, och hur länge räcker reservrutinen?"), sec.detail),
        ChildGroup(s, "contact", _t("Roller och kontakter"), ("name", "role", "phone"), parent=sec.detail),
    ]


def _exercise_extras(sec: ItemSection) -> list[QWidget]:
    return [LinkPanel(sec.session, "exercise_action", "left", _t("Åtgärder som övningen följer upp"),
                      parent=sec.detail)]


SECTION_CONFIGS: dict[str, SectionConfig] = {
    "function": SectionConfig("function", ("hid", "name", "is_critical", "max_tolerable_downtime", "operation"),
                              extras=_function_extras),
    "dependency": SectionConfig("dependency", ("hid", "name", "dep_type", "expected_outage", "has_reserve"),
                                extras=_dependency_extras),
    "risk": SectionConfig("risk", ("hid", "title", "likelihood"), extra_columns=_risk_columns, extras=_risk_extras),
    "vulnerability": SectionConfig("vulnerability", ("hid", "title", "vuln_type"), extras=_vulnerability_extras),
    "capability": SectionConfig("capability", ("hid", "area", "rating")),
    "action": SectionConfig("action", ("hid", "title", "owner", "deadline", "status"), extras=_action_extras),
    "continuity_plan": SectionConfig("continuity_plan", ("hid", "title", "function_id", "last_exercised"),
                                     extras=_plan_extras),
    "exercise": SectionConfig("exercise", ("hid", "title", "date", "exercise_type"), extras=_exercise_extras),
    "participant": SectionConfig("participant", ("name", "role", "unit"), compact=True),
}


# -- page parts ------------------------------------------------------------------------------------

class GuidanceBox(QFrame):
    """A short text on what to do in this step; collapsible (the arrow or Alt+V)."""

    def __init__(self, text: str, parent=None):
        super().__init__(parent)
        self.setObjectName("guidance")
        self.setStyleSheet("#guidance { background: #eef4fb; border: 1px solid #c9dcf0; border-radius: 4px; }")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 4, 8, 4)
        self.toggle = QToolButton(self)
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow)
        self.toggle.setAutoRaise(True)
        self.toggle.setAccessibleName(self.tr("Visa eller dölj vägledningen"))
        self.toggle.setToolTip(self.tr("Visa eller dölj vägledningen"))
        self.toggle.toggled.connect(self.set_expanded)
        lay.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignTop)
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAccessibleName(self.tr("Vägledning"))
        self.label.linkActivated.connect(self._open_link)  # "ordlista:VoR" opens the glossary on that word
        lay.addWidget(self.label, 1)
        self.collapsed_label = QLabel(self.tr("Vägledning (dold) – klicka på pilen för att visa"), self)
        hints.style_hint(self.collapsed_label)
        self.collapsed_label.hide()
        lay.addWidget(self.collapsed_label, 1)

    def set_expanded(self, on: bool) -> None:
        self.toggle.blockSignals(True)
        self.toggle.setChecked(on)
        self.toggle.blockSignals(False)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.label.setVisible(on)
        self.collapsed_label.setVisible(not on)

    def is_expanded(self) -> bool:
        return self.label.isVisibleTo(self)

    def _open_link(self, href: str) -> None:
        if href.startswith("ordlista:"):
            from rsa_desktop.ui.dialogs import common
            self.glossary = common.open_glossary(self.window(), href.removeprefix("ordlista:"))


class RecordFormGroup(QGroupBox):
    """A form for the analysis or the organisation (one record, no list)."""

    def __init__(self, session, kind: str, fields: tuple[str, ...], title: str, parent=None):
        super().__init__(title, parent)
        self.session = session
        self.kind = kind
        lay = QVBoxLayout(self)
        self.form = ItemForm(session, KINDS[kind], fields, self)
        self.form.edited.connect(self.edit_field)
        lay.addWidget(self.form)
        self._read_only = False
        for editor in self.form.editors.values():  # one record per page: room for real text
            if isinstance(editor, LongTextEditor):
                editor.widget.setFixedHeight(150 if len(fields) <= 4 else 96)

    def record(self):
        return self.session.analysis() if self.kind == "analysis" else self.session.organisation()

    def refresh(self) -> None:
        self.form.set_record(self.record())
        self.form.set_read_only(self._read_only)

    def set_read_only(self, ro: bool) -> None:
        self._read_only = ro
        self.form.set_read_only(ro)

    def edit_field(self, name: str, value) -> bool:
        rec = self.record()
        if rec is None:
            return False
        self.form.error_labels[name].hide()
        def invalid(exc) -> None:
            self.form.show_errors(exc)
            self.form.revert_refused(name, exc)

        result = ops.run_command(self, self.session, undo.UpdateCommand(self.session, self.kind, rec.id,
                                                                            {name: value}), on_error=invalid)
        if result.ok:
            return bool(result.value)
        if not isinstance(result.error, ValidationError):  # a known error was shown: show what is stored
            self.refresh()
        return False


class StepPage(RefreshWhenVisible, QWidget):
    """Title, guidance, content. `sections` are the item sections on the page (for read-only and tests)."""

    navigate = Signal(str)
    goToFinding = Signal(object)  # a ReviewFinding whose "Gå till" was clicked

    def hasHeightForWidth(self) -> bool:
        # The page fills the window's page stack, whose height does not follow its width. Without this the
        # stack (QStackedLayout asks every page, shown or not) lays out the word-wrapped texts of all ten
        # pages again whenever anything in the window asks for a new layout – most of a step switch.
        return False

    def __init__(self, session, key: str, parent=None):
        super().__init__(parent)
        self.session = session
        self.key = key
        self.sections: list[ItemSection] = []
        self.record_groups: list[RecordFormGroup] = []
        self._dirty = True
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 6)
        self.title = QLabel(step_title(key), self)
        self.title.setObjectName("stepTitle")
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        lay.addWidget(self.title)
        self.guidance = GuidanceBox(QCoreApplication.translate(CTX, GUIDANCE[key]), self) if key in GUIDANCE else None
        if self.guidance:
            lay.addWidget(self.guidance)
        self.body = QVBoxLayout()
        lay.addLayout(self.body, 1)
        self.findings_panel = FindingsPanel(self) if key != "rapport" else None  # RSA-kontroll for this step
        if self.findings_panel:
            self.findings_panel.goTo.connect(self.goToFinding)
            lay.addWidget(self.findings_panel)
        session.changed.connect(self._on_changed)
        session.analysisChanged.connect(lambda: self._on_changed(""))

    def add_section(self, kind: str, parent=None) -> ItemSection:
        sec = ItemSection(self.session, SECTION_CONFIGS[kind], parent=parent or self)
        from rsa_desktop.ui.views.yearly import attach_review
        attach_review(sec)  # "Granska" column and "Markera som granskad" for items carried from last year
        self.sections.append(sec)
        return sec

    def section(self, kind: str) -> ItemSection:
        return next(s for s in self.sections if s.kind == kind)


    def refresh(self) -> None:
        self._dirty = False
        for g in self.record_groups:
            g.refresh()

    _pending_findings = None

    def set_findings(self, findings) -> None:
        if not self.findings_panel:
            return
        if self._pending_findings is None and list(findings) == self.findings_panel.findings:
            return  # most edits leave a step's findings as they were: laying them out again costs ~0.1–0.5 s
        if self.isVisible():
            self._pending_findings = None
            self.findings_panel.set_findings(findings)
        else:  # rendered when the page is shown: a long list of findings is slow to lay out
            self.findings_panel.findings = list(findings)  # what "Gå till" uses is current at once
            self._pending_findings = list(findings)

    def showEvent(self, event) -> None:
        if self._pending_findings is not None:
            pending, self._pending_findings = self._pending_findings, None
            self.findings_panel.set_findings(pending)
        super().showEvent(event)

    def set_read_only(self, ro: bool) -> None:
        for s in self.sections:
            s.set_read_only(ro)
        for g in self.record_groups:
            g.set_read_only(ro)


def _scroll(widget: QWidget, parent: QWidget) -> QScrollArea:
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    return area


class AssignmentPage(StepPage):
    """Step 1: the analysis' assignment, scope, method, secrecy; the working group."""

    ANALYSIS_FIELDS = ("year", "status", "adopted_date", "adopted_decision", "assignment", "delimitations", "method",
                       "secrecy_marking", "security_class", "consequence_aggregation", "unacceptable_level")

    def __init__(self, session, parent=None):
        super().__init__(session, "uppdrag", parent)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        host = QWidget()
        hl = QVBoxLayout(host)
        self.analysis_group = RecordFormGroup(session, "analysis", self.ANALYSIS_FIELDS,
                                              _t("Uppdrag, avgränsning och metod"), host)
        self.record_groups.append(self.analysis_group)
        self.scales_box = ScalesBox(session, host)  # "Skalor: Granska och bekräfta" (RSA-kontroll asks for it)
        self.scales_button = self.scales_box.button
        hl.addWidget(self.scales_box)
        hl.addWidget(self.analysis_group)
        hl.addStretch(1)
        split.addWidget(_scroll(host, split))
        group = QGroupBox(_t("Arbetsgrupp"), split)
        gl = QVBoxLayout(group)
        hint = QLabel(_t("Vilka deltar i analysarbetet, och med vilken roll? T.ex. förvaltningschef (uppdragsgivare), "
                         "säkerhetssamordnare (processledare), enhetschefer."), group)
        hint.setWordWrap(True)
        hints.style_hint(hint)
        gl.addWidget(hint)
        sec = self.add_section("participant", group)
        gl.addWidget(sec)
        gl.addStretch(1)
        split.addWidget(_scroll(group, split))
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        split.setSizes([620, 460])  # the arbetsgrupp's names and roles readable at 1366 px (issue 21)
        self.body.addWidget(split, 1)


class BusinessPage(StepPage):
    """Step 2: the organisation and a description of what it does."""

    def __init__(self, session, parent=None):
        super().__init__(session, "verksamhet", parent)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget()
        ll = QVBoxLayout(left)
        self.organisation_group = RecordFormGroup(session, "organisation", KINDS["organisation"].field_names,
                                                  _t("Organisation"), left)
        ll.addWidget(self.organisation_group)
        ll.addStretch(1)
        right = QWidget()
        rl = QVBoxLayout(right)
        self.description_group = RecordFormGroup(session, "analysis", ("business_description", "locations", "summary"),
                                                 _t("Verksamhetsbeskrivning"), right)
        self.summary_button = attach_summary_button(self.description_group)  # "Föreslå text"
        rl.addWidget(self.description_group)
        rl.addStretch(1)
        self.record_groups += [self.organisation_group, self.description_group]
        split.addWidget(_scroll(left, split))
        split.addWidget(_scroll(right, split))
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        split.setSizes([440, 640])
        self.body.addWidget(split, 1)


class SectionsPage(StepPage):
    """A step with one kind, or several kinds in tabs."""

    def __init__(self, session, key: str, kinds: tuple[tuple[str, str], ...], parent=None):
        super().__init__(session, key, parent)
        if len(kinds) == 1:
            self.body.addWidget(self.add_section(kinds[0][0]), 1)
            self.tabs = None
        else:
            self.tabs = QTabWidget(self)
            for kind, title in kinds:
                self.tabs.addTab(self.add_section(kind, self.tabs), QCoreApplication.translate("steps", title))
            self.body.addWidget(self.tabs, 1)


class RiskPage(SectionsPage):
    """Step 5: the risk list, and the riskmatris in a second tab."""

    def __init__(self, session, parent=None):
        super().__init__(session, "risker", (("risk", "Risker"),), parent)
        sec = self.sections[0]
        self.body.removeWidget(sec)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(sec, _t("Risker"))
        self.matrix = MatrixView(session, sec, self.tabs)  # ui/views/matrix_view.py: filters `sec` by cell
        self.matrix.showRisk.connect(lambda rid: (self.tabs.setCurrentWidget(sec), sec.select_id(rid)))
        self.tabs.addTab(self.matrix, _t("Riskmatris"))
        self.body.addWidget(self.tabs, 1)


class DependencyPage(SectionsPage):
    """Step 4: the dependencies, the Beroendekarta (ui/views/depmap_view.py) and the Kontinuitetsgap (ui/views/gap_view.py)."""

    def __init__(self, session, parent=None):
        super().__init__(session, "beroenden", STEP_KINDS["beroenden"], parent)
        from rsa_desktop.ui.views.depmap_view import DepMapView
        from rsa_desktop.ui.views.gap_view import GapView

        sec = self.sections[0]
        self.body.removeWidget(sec)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(sec, _t("Beroenden"))
        self.depmap = DepMapView(session, self.tabs)
        self.tabs.addTab(self.depmap, _t("Beroendekarta"))
        self.gaps = GapView(session, self.tabs)
        self.tabs.addTab(self.gaps, _t("Kontinuitetsgap"))
        self.depmap.navigate.connect(self.navigate)
        self.gaps.navigate.connect(self.navigate)
        self.body.addWidget(self.tabs, 1)

    def set_read_only(self, ro: bool) -> None:
        super().set_read_only(ro)
        self.gaps.set_read_only(ro)


class ReportPage(StepPage):
    """Step 9: the RSA-kontroll of the whole analysis per step, with "Gå till"; the export area below."""

    def __init__(self, session, parent=None):
        super().__init__(session, "rapport", parent)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName(_t("RSA-kontroll för hela analysen"))
        self.browser.anchorClicked.connect(self._anchor)
        add_icon_resources(self.browser.document())
        self.body.addWidget(self.browser, 1)
        from rsa_desktop.ui.views.calendar_view import DeadlinesBox
        calendar_row = QHBoxLayout()  # the reporting calendar and the city's deadline, set here
        self.deadlines = DeadlinesBox(self)
        calendar_row.addWidget(self.deadlines, 3)
        self.deadline_group = RecordFormGroup(session, "analysis", ("report_deadline",),
                                              _t("Stadens sista dag"), self)
        self.record_groups.append(self.deadline_group)
        calendar_row.addWidget(self.deadline_group, 2)
        self.body.addLayout(calendar_row)
        self.export_group = QGroupBox(_t("Export till kommunstyrelsen"), self)
        self.export_group.setObjectName("exportGroup")
        el = QVBoxLayout(self.export_group)
        self.export_panel = ExportPanel(session, self.export_group)
        el.addWidget(self.export_panel)
        self.body.addWidget(self.export_group)
        self.statuses: dict[str, StepStatus] = {}
        self.findings: list = []

    def _anchor(self, url) -> None:
        text = url.toString()
        if text.startswith("steg:"):
            self.navigate.emit(text.removeprefix("steg:"))
        elif text.startswith("fynd:"):
            i = int(text.removeprefix("fynd:"))
            if 0 <= i < len(self.findings):
                self.goToFinding.emit(self.findings[i])

    def set_statuses(self, statuses: dict[str, StepStatus], findings: list | None = None) -> None:
        self.statuses = statuses
        a = self.session.analysis()
        org = self.session.organisation()
        self.deadlines.set_analysis(a)
        others = [statuses[k] for k in STEP_KEYS if k != "rapport"]
        self.findings = [f for s in others for f in s.findings]
        blocking = sum(len(s.missing) for s in others)
        errors_ = sum(s.count("fel") for s in others)
        self.export_panel.error_count = errors_
        self.export_panel.refresh()
        done = sum(s.complete for s in others)
        title = "{0} – {1} {2}".format(org.name if org else "", _t("analys"), a.year if a else "")
        parts = [f"<h2>{html.escape(title)}</h2>"]
        if blocking:
            parts.append("<p>" + _t("{0} av {1} arbetssteg (steg 1–{1}) är klara. RSA-kontrollen har <b>{2} anmärkningar</b> "
                                    "({3}). Fel ska rättas innan analysen lämnas in; varningar bör ses över. "
                                    "Klicka på <i>Gå till</i> för att komma direkt till uppgiften.").format(
                done, len(others), len(self.findings), html.escape(count_text(self.findings))) + "</p>")
        else:
            parts.append("<p><b>" + _t("RSA-kontrollen hittar inga fel eller varningar.") + "</b> " + _t(
                "Analysen kan fastställas: ändra status till Fastställd under Uppdrag och avgränsning.") + "</p>")
        if errors_ == 0 and blocking:
            parts.append("<p>" + _t("Inga fel återstår, bara varningar.") + "</p>")
        signature = (title, blocking, errors_, done, tuple((s.key, s.state, s.summary, tuple(s.findings)) for s in others))
        if signature == getattr(self, "_signature", None):
            return  # the same text as shown (laying out every finding of the analysis again costs up to a second)
        self._signature = signature
        offset = 0
        for s in others:
            state = {"klar": _t("Klar"), "paborjad": _t("Påbörjad"), "ej_paborjad": _t("Ej påbörjad")}[s.state]
            colour = {"klar": "#2e7d32", "paborjad": "#b26a00", "ej_paborjad": "#757575"}[s.state]
            parts.append(f"<h3><a href='steg:{s.key}'>{html.escape(step_title(s.key))}</a> "
                         f"<span style='color:{colour}; font-weight:normal'>– {state}</span></h3>")
            parts.append(f"<p style='color:#555'>{html.escape(s.summary)}</p>")
            if s.findings:
                parts.append(findings_html(s.findings, offset))
            offset += len(s.findings)
        add_icon_resources(self.browser.document())
        self.browser.setHtml("".join(parts))


# The tab of each kind on a page of sections; which kinds a step has is the step table's (domain.workflow).
_SECTION_LABELS = {"function": "Verksamheter", "dependency": "Beroenden", "vulnerability": "Sårbarheter och brister",
                   "capability": "Förmåga", "action": "Åtgärder", "continuity_plan": "Kontinuitetsplaner",
                   "exercise": "Övningar"}
STEP_KINDS = {s.key: tuple((k, _SECTION_LABELS[k]) for k in s.kinds) for s in workflow.STEPS
              if s.kinds and all(k in _SECTION_LABELS for k in s.kinds)}


def build_page(session, key: str, parent=None) -> StepPage:
    if key == "uppdrag":
        return AssignmentPage(session, parent)
    if key == "verksamhet":
        return BusinessPage(session, parent)
    if key == "risker":
        return RiskPage(session, parent)
    if key == "rapport":
        return ReportPage(session, parent)
    if key == "beroenden":
        return DependencyPage(session, parent)
    return SectionsPage(session, key, STEP_KINDS[key], parent)
