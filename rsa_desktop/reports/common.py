"""What goes into a submission export, gathered once and rendered twice (Excel and PDF).

Qt-free and free of heavy imports: reportlab, openpyxl and matplotlib are imported by the renderers.

`gather()` reads one analysis into a `ReportData` snapshot. For an *öppet utdrag* (`public=True`) it
applies the one rule of what an excerpt keeps (`rsa_desktop.domain.public`) before any renderer sees the
data: items, links, gap findings, free texts and markings; counts and figures are computed from what is
left. Renderers (PDF, Excel, Word) never filter on their own.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from rsa_desktop import __version__, paths
from rsa_desktop.domain import public as public_rule
from rsa_desktop.domain.actions import is_overdue
from rsa_desktop.domain.ids import hid_key
from rsa_desktop.domain.items import Item, make_item
from rsa_desktop.domain.kinds import ITEM_KINDS, KINDS
from rsa_desktop.domain.scales import risk_value
from rsa_desktop.domain.severity import counts as severity_counts
from rsa_desktop.services.rsa import LinkRecord, RsaService

PUBLIC_MARKING = public_rule.PUBLIC_MARKING
SECRET_MARK = "(S)"
SECRET_LEGEND = ("(S) = uppgiften är markerad med sekretess och utelämnas i ett öppet utdrag.")
TEMPLATE_FORMAT = "rsa-desktop-report-template"

# Characters that XML 1.0 (and so xlsx) cannot hold, and that print as nothing in a PDF:
# C0 controls except tab, newline and carriage return, DEL..C1 controls, and U+FFFE/U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def _visible(m: re.Match) -> str:
    ch = m.group(0)
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400 Control Pictures: ␀ ␁ … ␟
    if code == 0x7f:
        return "\u2421"  # ␡
    return "\ufffd"


def clean_text(value: Any) -> str:
    """User text made safe to write anywhere: line breaks normalised, control characters made visible.

    A control character (which Excel files cannot hold at all) is replaced by its visible symbol from
    Unicode's Control Pictures block (U+0001 → ␁), so that nothing is silently dropped.
    """
    if value is None:
        return ""
    s = str(value)
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(_visible, s)


def yes_no(value: bool | None) -> str:
    if value is None:
        return "Okänt"
    return "Ja" if value else "Nej"


# -- marking ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Marking:
    """The classification a report carries on every page and sheet (or none, if none was decided)."""
    public: bool = False
    security_class: str = ""  # Swedish label, e.g. "Konfidentiell"
    secrecy: str = ""  # the analysis' sekretessmarkering, free text

    @property
    def empty(self) -> bool:
        return not (self.public or self.security_class or self.secrecy)

    @property
    def stamp(self) -> str:
        """The short, prominent part: "ÖPPET UTDRAG", "KONFIDENTIELL", or "SEKRETESS" for a secrecy note."""
        if self.public:
            return PUBLIC_MARKING.upper()
        if self.security_class:
            return self.security_class.upper()
        if self.secrecy:
            return "SEKRETESS" if "sekretess" in self.secrecy.lower() else ""
        return ""

    @property
    def text(self) -> str:
        """The whole marking as one line of text (empty if no marking was decided)."""
        if self.public:
            return PUBLIC_MARKING
        parts = []
        if self.security_class:
            parts.append(f"Säkerhetsskyddsklass: {self.security_class}")
        if self.secrecy:
            parts.append(" ".join(self.secrecy.split()))
        return " – ".join(parts)

    def short(self, limit: int = 110) -> str:
        """The marking shortened at a word boundary for a page header; the full text is in the report."""
        text = self.text
        if len(text) <= limit:
            return text
        cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:–(")
        return cut + " …"


# -- report template ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Chapter:
    key: str
    number: str
    heading: str
    intro: str = ""
    sections: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportTemplate:
    title: str
    basis: str
    chapters: tuple[Chapter, ...]
    texts: dict[str, str]

    def chapter(self, key: str) -> Chapter:
        for c in self.chapters:
            if c.key == key:
                return c
        raise KeyError(key)

    def heading(self, key: str) -> str:
        c = self.chapter(key)
        return f"{c.number} {c.heading}".strip()

    def section(self, chapter: str, key: str) -> str:
        return self.chapter(chapter).sections.get(key, key)


def load_template() -> ReportTemplate:
    """Chapter headings and fixed texts of the report (resources/report/template.json, or a catalogue package's)."""
    from rsa_desktop.reports import prose
    from rsa_desktop.services import catalogues

    builtin = json.loads(paths.resource("report", "template.json").read_text(encoding="utf-8"))
    data = catalogues.report_template() or builtin
    if data.get("format") != TEMPLATE_FORMAT:
        raise ValueError("resources/report/template.json är ingen rapportmall för RSA Desktop.")
    chapters = tuple(Chapter(c["key"], str(c.get("number", "")), c["heading"], c.get("intro", ""),
                             dict(c.get("sections", {}))) for c in data["chapters"])
    # A package's template rewords the texts it has (checked when it was read); the rest are the program's.
    own = data.get("texts", {})
    texts = {key: own.get(key, text) for key, text in builtin.get("texts", {}).items()}
    return ReportTemplate(data.get("title", "Risk- och sårbarhetsanalys"), data.get("basis", ""), chapters,
                          prose.checked(texts, source="resources/report/template.json"))


# -- the gathered data --------------------------------------------------------------------------

@dataclass
class PlanData:
    plan: Item
    fallbacks: list[Item]
    contacts: list[Item]


@dataclass
class ReportData:
    public: bool
    marking: Marking
    organisation: Item | None
    analysis: Item
    scales: Any  # services.scales.Scales
    participants: list[Item]
    items: dict[str, list[Item]]  # kind → records in display order (ITEM_KINDS)
    plans: list[PlanData]
    links: dict[str, list[LinkRecord]]
    impacts: dict[int, dict[int, int]]  # function id → {horizon id → level}
    consequences: dict[int, dict[int, int]]  # risk id → {dimension id → level}
    matrix: Any  # services.matrix.MatrixData, by likelihood and overall consequence
    residual_matrix: Any  # the same risks by residual likelihood and consequence
    gaps: list[Any] | None  # GapFinding list; None when the gap analysis is not available
    previous: tuple[int, list[Item]] | None  # (year, actions) of the previous analysis year
    exported_at: dt.datetime
    today: dt.date
    program_version: str = __version__
    omitted: int = 0  # how many items the public excerpt left out (stated in `public_note`)
    withheld_texts: int = 0  # how many free texts the excerpt replaced or left out
    _by_id: dict[tuple[str, int], Item] = field(default_factory=dict, repr=False)
    # (link, side) → item id → ids on the other side, in the order of `links[link]` (built on first use)
    _linked: dict[tuple[str, str], dict[int, list[int]]] = field(default_factory=dict, repr=False)

    # -- look-ups --

    def get(self, kind: str, item_id: int | None) -> Item | None:
        if item_id is None:
            return None
        return self._by_id.get((kind, item_id))

    def hid(self, kind: str, item_id: int | None) -> str:
        rec = self.get(kind, item_id)
        return rec.hid if rec is not None else ""

    def linked(self, link: str, item_id: int, *, side: str = "left") -> list[int]:
        """Ids on the other side of `link` for an item on `side`."""
        index = self._linked.get((link, side))
        if index is None:  # one pass over the link rows instead of one per item
            index = {}
            for lr in self.links.get(link, []):
                mine, other = (lr.left_id, lr.right_id) if side == "left" else (lr.right_id, lr.left_id)
                index.setdefault(mine, []).append(other)
            self._linked[(link, side)] = index
        return list(index.get(item_id, ()))

    def linked_hids(self, link: str, item_id: int, *, side: str = "left") -> list[str]:
        from rsa_desktop.domain.kinds import LINKS

        spec = LINKS[link]
        kind = spec.right if side == "left" else spec.left
        return sorted((self.hid(kind, i) for i in self.linked(link, item_id, side=side)), key=hid_key)

    def counts(self) -> dict[str, int]:
        out = {"participant": len(self.participants)}
        for kind in ITEM_KINDS:
            out[kind] = len(self.items[kind])
        out["function_critical"] = sum(1 for f in self.items["function"] if f.is_critical)
        return out

    def risk_consequence(self, risk_id: int) -> int | None:
        return self.scales.overall(self.consequences.get(risk_id, {}))

    def plans_for_function(self, function_id: int) -> list[PlanData]:
        return [p for p in self.plans if p.plan.function_id == function_id]

    def overdue(self, action: Item) -> bool:
        return is_overdue(action.status, action.deadline, self.today)

    @property
    def public_note(self) -> str:
        """The excerpt's honest statement of what was left out ("" for a full report)."""
        return public_rule.omission_note(self.omitted, self.withheld_texts) if self.public else ""

    @property
    def secret_legend(self) -> str:
        """The legend of the secret mark in a full report ("" when nothing is marked or in an excerpt)."""
        if self.public or not any(public_rule.is_marked(r) for rs in self.items.values() for r in rs):
            return ""
        return SECRET_LEGEND

    def mark(self, item: Item) -> str:
        """The item's ID with the visible secret mark in a full report: "R3 (S)"."""
        return f"{item.hid} {SECRET_MARK}" if not self.public and public_rule.is_marked(item) else item.hid

    @property
    def title(self) -> str:
        org = self.organisation.name if self.organisation is not None else ""
        return f"Risk- och sårbarhetsanalys {self.analysis.year}" + (f" – {org}" if org else "")


def _marking(analysis: Item, public: bool) -> Marking:
    if public:
        return Marking(public=True)
    sec = KINDS["analysis"].field("security_class").choice_label(analysis.security_class) \
        if analysis.security_class else ""
    return Marking(False, clean_text(sec).strip(), clean_text(analysis.secrecy_marking).strip())


def _gaps(svc: RsaService, analysis_id: int, today: dt.date) -> list[Any] | None:
    try:
        from rsa_desktop.services.gaps import analyse_gaps
    except ImportError:
        return None
    return list(analyse_gaps(svc, analysis_id, today=today))


def title_fields() -> dict[str, str]:
    """Kind → the field that names an item (for finding a left-out item's name in a free text)."""
    return {k: KINDS[k].title_field for k in ITEM_KINDS}


def public_selection(svc: RsaService, analysis_id: int,
                     items: dict[str, list[Item]] | None = None) -> public_rule.Selection:
    """The öppet utdrag's selection for one analysis (the rule is domain/public.py's)."""
    if items is None:
        items = {k: svc.list(k, analysis_id) for k in ITEM_KINDS}
    return public_rule.select(items, title_of=title_fields())


def review_required(svc: RsaService, analysis_id: int) -> bool:
    """Whether an öppet utdrag of this analysis needs a sekretessgranskning first (domain/public.py)."""
    return public_rule.review_required(svc.analysis(analysis_id), public_selection(svc, analysis_id))


def sensitive_items(svc: RsaService, analysis_id: int) -> list[public_rule.Sensitive]:
    """What the sekretessgranskning shows: published items in the categories MSB names as sensitive."""
    items = {k: svc.list(k, analysis_id) for k in ITEM_KINDS}
    selection = public_selection(svc, analysis_id, items)
    parts = {p.id: (len(svc.list("fallback", p.id)), len(svc.list("contact", p.id)))
             for p in items["continuity_plan"]}
    return public_rule.sensitive_items(items, selection, plan_parts=parts)


def gather(svc: RsaService, analysis_id: int, *, public: bool = False, today: dt.date | None = None,
           now: dt.datetime | None = None) -> ReportData:
    """Read everything the exports show for one analysis; `public` applies the öppet utdrag's rule.

    The rule (domain/public.py) is applied here in full, so that no renderer filters on its own.

    The analysis is read once: one session (one connection, also for a read-only document) and one
    snapshot of every item, part and link (RsaService.snapshot), which the matrix and the gap analysis
    read too, instead of some 300 separate list queries.
    """
    with svc.batch():
        return _gather(svc, analysis_id, public=public, today=today, now=now)


SNAPSHOT_KINDS = (*ITEM_KINDS, "participant", "fallback", "contact")


def _gather(svc: RsaService, analysis_id: int, *, public: bool, today: dt.date | None,
            now: dt.datetime | None) -> ReportData:
    from rsa_desktop.domain.kinds import LINKS
    from rsa_desktop.services.matrix import matrix_data

    today = today or dt.date.today()
    now = now or dt.datetime.now().replace(microsecond=0)
    analysis = svc.analysis(analysis_id)
    snap = svc.snapshot(analysis_id, kinds=SNAPSHOT_KINDS, links=tuple(LINKS))
    all_items: dict[str, list[Item]] = {k: snap.list(k, analysis_id) for k in ITEM_KINDS}
    selection = public_selection(svc, analysis_id, all_items) if public else None
    items = public_rule.keep_items(all_items, selection)
    omitted = selection.omitted if selection is not None else 0
    withheld = 0
    if selection is not None:
        withheld = sum(1 for ft in public_rule.free_texts(analysis, selection) if ft.withheld)
        analysis = make_item("analysis", public_rule.public_analysis_values(analysis.values, analysis, selection))
    kept = {k: {r.id for r in items[k]} for k in ITEM_KINDS}

    links: dict[str, list[LinkRecord]] = {}
    for name, spec in LINKS.items():
        rows = snap.links(name, analysis_id=analysis_id)
        links[name] = [lr for lr in rows if lr.left_id in kept[spec.left] and lr.right_id in kept[spec.right]]

    plans = []
    for p in items["continuity_plan"]:
        fallbacks = snap.list("fallback", p.id)
        if selection is not None:
            fallbacks = [fb for fb in fallbacks if selection.keeps_fallback(fb)]
        plans.append(PlanData(p, fallbacks, snap.list("contact", p.id)))

    impacts = {fid: lv for fid, lv in snap.all_impacts(analysis_id).items() if fid in kept["function"]}
    consequences = {rid: lv for rid, lv in snap.all_consequences(analysis_id).items() if rid in kept["risk"]}
    matrix = matrix_data(snap, analysis_id, include_secret=not public)
    residual = matrix_data(snap, analysis_id, include_secret=not public, residual=True)

    gaps = _gaps(snap, analysis_id, today)
    if gaps is not None and selection is not None:
        gaps = [g for g in gaps if selection.keeps_finding(g)]

    previous = None
    earlier = [a for a in svc.analyses() if a.year < analysis.year]
    if earlier:
        prev = earlier[-1]
        acts = svc.list("action", prev.id)
        if public:
            prev_sel = public_selection(svc, prev.id)
            acts = [a for a in acts if prev_sel.keeps("action", a.id)]
        previous = (prev.year, acts)

    data = ReportData(
        public=public, marking=_marking(analysis, public), organisation=svc.organisation(), analysis=analysis,
        scales=snap.scales(analysis_id), participants=snap.list("participant", analysis_id), items=items,
        plans=plans, links=links, impacts=impacts, consequences=consequences, matrix=matrix,
        residual_matrix=residual, gaps=gaps, previous=previous, exported_at=now, today=today, omitted=omitted,
        withheld_texts=withheld)
    for kind in ITEM_KINDS:
        for r in items[kind]:
            data._by_id[(kind, r.id)] = r
    return data


def dependency_graph(svc: RsaService, data: ReportData) -> Any | None:
    """The dependency graph of the samhällsviktiga verksamheter for the map figure (None without depmap)."""
    try:
        from rsa_desktop.services.depmap import build_graph
    except ImportError:
        return None
    # The already filtered findings: in an öppet utdrag a node's colour must not come from a secret gap.
    findings = list(data.gaps) if data.gaps is not None else None
    return build_graph(svc, data.analysis.id, include_secret=not data.public, today=data.today, findings=findings,
                       critical_only=True)


def export_stamp(data: ReportData) -> str:
    return data.exported_at.strftime("%Y-%m-%d %H:%M")


def report_filename(data: ReportData, suffix: str) -> str:
    """A default file name: "RSA 2026 Överförmyndarförvaltningen (öppet utdrag).pdf"."""
    org = data.organisation.name if data.organisation is not None else ""
    name = f"RSA {data.analysis.year} {org}".strip() + (" (öppet utdrag)" if data.public else "")
    name = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", name)
    return f"{name}{suffix}"


# -- what the report chapters compute from the data (shared by the PDF and Word reports) --------

TABLE_CELL_LIMIT = 900  # characters of user text in a table cell; the full text is in a section of its own
CONSEQUENCE_RAMP = ("#C8E6C9", "#FFF59D", "#FFCC80", "#EF9A9A", "#E57373", "#D32F2F")
SHORTENED = " … (förkortad här; hela texten finns i beskrivningen)"


def shorten(text: str, limit: int) -> str:
    """Text cut at a word boundary for a table cell, saying where the whole text is."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + SHORTENED


def top_risks(d: ReportData, n: int = 5) -> list[tuple[int, int, Item]]:
    """The highest rated risks as (risk value, overall consequence, risk), highest first."""
    scored = []
    for r in d.items["risk"]:
        c = d.risk_consequence(r.id)
        if r.likelihood is not None and c is not None:
            scored.append((risk_value(r.likelihood, c), c, r))
    scored.sort(key=lambda x: (-x[0], -x[1], hid_key(x[2].hid)))
    return scored[:n]


def impact_colour(level: int | None, d: ReportData) -> str | None:
    """The fill for a consequence level in the impact-over-time table (green → red over the scale)."""
    if level is None:
        return None
    values = [lv.value for lv in d.scales.consequence] or [1]
    lo, hi = min(values), max(values)
    frac = 0 if hi == lo else (level - lo) / (hi - lo)
    return CONSEQUENCE_RAMP[min(len(CONSEQUENCE_RAMP) - 1, round(frac * (len(CONSEQUENCE_RAMP) - 2)))]


def key_figures(d: ReportData) -> list[list[str]]:
    """The summary's "Analysen i siffror": rows of (what, count, comment)."""
    c = d.counts()
    spof = sum(1 for x in d.items["dependency"] if x.single_point_of_failure)
    overdue = sum(1 for x in d.items["action"] if d.overdue(x))
    bands: dict[str, int] = {}
    for r in d.items["risk"]:
        band = d.scales.band(r.likelihood, d.risk_consequence(r.id))
        if band:
            bands[band.label] = bands.get(band.label, 0) + 1
    band_text = ", ".join(f"{n} {lbl.lower()}" for lbl, n in
                          sorted(bands.items(), key=lambda kv: -next((x.min_score for x in d.scales.bands
                                                                      if x.label == kv[0]), 0)))
    rows = [["Verksamheter", c["function"], f"varav {c['function_critical']} samhällsviktiga"],
            ["Beroenden", c["dependency"], f"varav {spof} enda felpunkt" if spof else ""],
            ["Risker", c["risk"], band_text],
            ["Sårbarheter och brister", c["vulnerability"], ""],
            ["Förmågebedömningar", c["capability"], ""],
            ["Åtgärder", c["action"], f"varav {overdue} försenade" if overdue else ""],
            ["Kontinuitetsplaner", c["continuity_plan"], ""],
            ["Övningar", c["exercise"], ""]]
    if d.gaps is not None:
        sev = severity_counts(g.severity for g in d.gaps)
        rows.append(["Kontinuitetsgap", len(d.gaps), ", ".join(f"{n} {s}" for s, n in sev.items() if n)])
    return [[r[0], str(r[1]), r[2]] for r in rows]


@dataclass
class ReserveCard:
    """What a reservrutinkort shows for one samhällsviktig verksamhet."""
    function: Item
    plans: list[PlanData]
    # (beroende or None for a general routine, how long the verksamhet tolerates its loss, the routine),
    # the most urgent (shortest tolerance) first
    fallbacks: list[tuple[Item | None, int | None, Item]]
    # the verksamhet's other beroenden, without a routine: (beroende, tolerance)
    rest: list[tuple[Item, int | None]]
    contacts: list[Item]
    recovery: list[str]


def reserve_card(d: ReportData, f: Item) -> ReserveCard:
    plans = d.plans_for_function(f.id)
    dep_links = sorted((lr for lr in d.links["function_dependency"] if lr.left_id == f.id),
                       key=lambda lr: (lr.attrs.get("tolerance") is None, lr.attrs.get("tolerance") or 0,
                                       hid_key(d.hid("dependency", lr.right_id))))
    tolerance = {lr.right_id: lr.attrs.get("tolerance") for lr in dep_links}
    fallbacks = [fb for p in plans for fb in p.fallbacks]
    fallbacks.sort(key=lambda fb: (tolerance.get(fb.dependency_id) is None, tolerance.get(fb.dependency_id) or 0))
    covered = {fb.dependency_id for fb in fallbacks}
    return ReserveCard(
        f, plans,
        [(d.get("dependency", fb.dependency_id), tolerance.get(fb.dependency_id), fb) for fb in fallbacks],
        [(d.get("dependency", lr.right_id), lr.attrs.get("tolerance")) for lr in dep_links
         if lr.right_id not in covered],
        [c for p in plans for c in p.contacts],
        [p.plan.recovery_order for p in plans if clean_text(p.plan.recovery_order).strip()])
