"""Sammanställning för kommunstyrelsen: many submissions in, one city-wide picture out (Qt-free).

Inputs are .rsa files (opened read-only; the newest analysis year unless a year is asked for) and
Excel exports (read with `xlsx_import.read_workbook`: the same defences against hostile files, and
derived columns recomputed – risk values, colour bands, overdue actions and the continuity gaps).
An input that cannot be used is listed with its reason and the others are consolidated anyway.

The consolidation year is the one asked for, else the most common year among the submissions (the
newest on a tie). Submissions of another year and a second submission from the same organisation for
the year are listed but left out of the tables.

Förvaltningsgemensamma beroenden: a dependency's provider is the city organisation it names
(`provider_org`, else `provider`), normalised against the catalogue `city_organisations` (name,
förvaltning, aliases, code; case, spacing and punctuation do not matter, and "SLK IT" is SLK), or –
outside the city – the provider's name as written, normalised the same way. A provider is shared when
dependencies of samhällsviktiga verksamheter in at least two organisations name it. The provider must
meet the strictest tolerance among them: a link's tolerance, else the verksamhet's acceptabel
avbrottstid.

Marking: chosen by the person consolidating (`security_class`, `secrecy`), never copied from a
submission; `public=True` makes an öppet utdrag of the compilation: every item a submission's öppet
utdrag would leave out (the rule of `rsa_desktop.domain.public`) is left out everywhere, and the
compilation is marked "Öppet utdrag". Otherwise such items are kept and flagged (the Sekretess column).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rsa_desktop.domain.actions import is_overdue
from rsa_desktop.domain.fieldtypes import field_type
from rsa_desktop.domain.ids import hid_key
from rsa_desktop.domain.items import Item, make_item
from rsa_desktop.domain.scales import band_for as band_in
from rsa_desktop.domain.scales import risk_value, scales_from_template
from rsa_desktop.domain.severity import rank as severity_rank
from rsa_desktop.model.kinds import ITEM_KINDS, KIND_TABLES, KINDS, LINKS, SECURITY_CLASSES

CLASS_RANK = {code: i + 1 for i, (code, _label) in enumerate(SECURITY_CLASSES)}
CLASS_LABEL = dict(SECURITY_CLASSES)


# -- results ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CityOrg:
    code: str
    name: str  # the catalogue's name (the nämnd or bolag)
    administration: str  # the förvaltning, if any
    submits_rsa: bool


@dataclass(frozen=True)
class SFunction:
    hid: str
    name: str
    msb_sector: str
    preparedness_sector: str
    critical: bool
    mtd: int | None
    operation: str
    secret: bool


@dataclass(frozen=True)
class SDependencyUse:
    """One samhällsviktig verksamhet's dependency on a provider."""
    provider_key: str
    provider: str  # as written in the submission
    city_org: str  # catalogue name, "" for a provider outside the city
    dependency_hid: str
    dependency: str
    dep_type: str
    function_hid: str
    function: str
    tolerance: int | None  # the link's, else the function's acceptabel avbrottstid
    expected_outage: int | None
    has_reserve: bool
    secret: bool = False  # the verksamhet or the beroende is left out of an öppet utdrag


@dataclass(frozen=True)
class SRisk:
    hid: str
    title: str
    category: str
    likelihood: int | None
    consequence: int | None
    band: str
    colour: str
    secret: bool

    @property
    def score(self) -> int | None:
        return risk_value(self.likelihood, self.consequence)


@dataclass(frozen=True)
class SAction:
    hid: str
    title: str
    owner: str
    deadline: dt.date | None
    status: str
    priority: str
    secret: bool = False


@dataclass(frozen=True)
class SGap:
    rule: str
    severity: str
    title: str
    explanation: str
    items: tuple[str, ...]
    secret: bool = False  # involves an item left out of an öppet utdrag


@dataclass(frozen=True)
class Submission:
    source: Path
    source_kind: str  # "rsa" / "xlsx"
    organisation: str
    committee: str
    org_type: str
    year: int
    status: str
    public: bool
    security_class: str  # code, "" if none
    secrecy: str
    functions: tuple[SFunction, ...]
    uses: tuple[SDependencyUse, ...]
    dependency_count: int
    risks: tuple[SRisk, ...]
    actions: tuple[SAction, ...]
    gaps: tuple[SGap, ...]
    city_org: str = ""  # the catalogue organisation it is from ("" if not recognised)
    note: str = ""  # why it is left out of the tables, if it is
    warnings: tuple[str, ...] = ()
    public_dependency_count: int = 0  # the beroenden an öppet utdrag keeps
    self_dependencies: int = 0  # dependencies on the organisation itself (own staff …): never shared

    @property
    def included(self) -> bool:
        return not self.note

    @property
    def marking_rank(self) -> tuple[int, int]:
        if self.public:
            return (0, 0)
        return (CLASS_RANK.get(self.security_class, 0), 1 if self.secrecy.strip() else 0)


@dataclass(frozen=True)
class InputError:
    path: Path
    reason: str


@dataclass(frozen=True)
class SharedProvider:
    key: str
    name: str  # display name: the catalogue name, or the most common spelling
    city_org: str
    organisations: tuple[str, ...]
    uses: tuple[tuple[str, SDependencyUse], ...]  # (organisation, use), strictest first
    strictest: int | None
    strictest_by: tuple[str, ...]  # "Organisation: V1 Verksamhet" having the strictest tolerance
    variants: tuple[str, ...] = ()  # the spellings in the submissions that were matched as this provider


@dataclass
class Consolidation:
    year: int
    submissions: list[Submission]
    errors: list[InputError]
    missing: list[CityOrg]
    shared: list[SharedProvider]
    matrix: dict[str, Counter]  # category ("" = all) → Counter((likelihood, consequence))
    top_risks: list[tuple[Submission, SRisk]]
    gaps: list[tuple[Submission, SGap]]
    overdue: list[tuple[Submission, SAction]]
    marking_security_class: str = ""
    marking_secrecy: str = ""
    bands: tuple = ()  # colour bands used to colour the aggregated matrix
    likelihood_levels: tuple[tuple[int, str], ...] = ()
    consequence_levels: tuple[tuple[int, str], ...] = ()
    today: dt.date = field(default_factory=dt.date.today)
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))
    public: bool = False  # an öppet utdrag of the compilation: nothing secret in it
    all_risks: list[tuple[Submission, SRisk]] = field(default_factory=list)  # every risk, most serious first

    @property
    def included(self) -> list[Submission]:
        return [s for s in self.submissions if s.included]

    def counts(self) -> dict[str, int]:
        inc = self.included
        return {"submissions": len(inc), "listed": len(self.submissions), "errors": len(self.errors),
                "missing": len(self.missing), "functions": sum(len([f for f in s.functions if f.critical])
                                                               for s in inc),
                "dependencies": sum(s.dependency_count for s in inc), "risks": sum(len(s.risks) for s in inc),
                "shared": len(self.shared), "gaps": len(self.gaps), "overdue": len(self.overdue)}


# -- the city organisation catalogue ---------------------------------------------------------------

def normalise(text: str) -> str:
    """Case, accents kept (å ä ö matter in Swedish), punctuation and spacing ignored."""
    text = unicodedata.normalize("NFC", str(text or "")).casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


# A provider's name as written carries details that do not make it another provider: a parenthesised
# unit, a contract or case number, the legal form. They are dropped before names are compared.
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}")
_CONTRACT = re.compile(r"\b(?:avtal(?:snummer|snr|s-?nr|s-?id|nr)?|ramavtal|kontrakt|kontraktsnr|dnr|diarienr|"
                       r"diarienummer|ref|referens|ordernr|nr)\b\.?\s*[:#]?\s*[\w./-]*\d[\w./-]*", re.IGNORECASE)
_NUMBERED = re.compile(r"(?<!\w)[\w./-]*\d[\w./-]*\d[\w./-]*(?!\w)")  # a token with two or more digits
_LEGAL_FORM = re.compile(r"\b(?:ab|aktiebolag|publ|hb|handelsbolag|kb|kommanditbolag|ek för|ekonomisk förening)\b")
# The organisation's own people or units: never a dependency shared with another organisation.
_SELF = re.compile(r"^(?:egen|eget|egna|intern|interna|internt|självförsörjande)\b"
                   r"|\b(?:egen|eget|egna)\s+(?:personal|regi|verksamhet|organisation|enhet|medarbetare|resurs|"
                   r"resurser|förvaltning|kompetens|avdelning|stab)"
                   r"|^(?:förvaltningens|bolagets|nämndens|enhetens|avdelningens|verksamhetens|kontorets|"
                   r"stadsdelens|egna)\b")


def clean_provider(text: str) -> str:
    """A provider's name without what does not tell providers apart: parenthesised details, contract and
    case numbers, the legal form (AB, Aktiebolag, publ), case, punctuation and spacing.
    "Atea Sverige AB (avtal 2021-0456)" and "ATEA Sverige" give the same text."""
    text = unicodedata.normalize("NFC", str(text or "")).casefold()
    text = _BRACKETED.sub(" ", text)
    text = _CONTRACT.sub(" ", text)
    text = _NUMBERED.sub(" ", text)
    text = normalise(text)
    return " ".join(_LEGAL_FORM.sub(" ", text).split())


def is_self_reference(provider: str, own_names: Iterable[str] = ()) -> bool:
    """Whether a dependency's provider is the organisation itself ("Förvaltningens egen personal
    (ekonomienheten)", "egen IT-enhet", or the organisation's own name)."""
    cleaned = clean_provider(provider)
    if not cleaned:
        return False
    if _SELF.search(cleaned):
        return True
    return any(cleaned == clean_provider(n) for n in own_names if n)


class CityCatalogue:
    def __init__(self, items: list[dict[str, Any]] | None = None):
        if items is None:
            from rsa_desktop.services import catalogues

            items = catalogues.load("city_organisations")
        self.orgs: list[CityOrg] = []
        self._names: dict[str, CityOrg] = {}
        for it in items:
            name = str(it.get("name") or "").strip()
            if not name:
                continue
            org = CityOrg(str(it.get("code") or normalise(name)), name, str(it.get("administration") or ""),
                          bool(it.get("submits_rsa")))
            self.orgs.append(org)
            for alias in (name, org.administration, org.code, *(it.get("aliases") or [])):
                key = normalise(alias)
                if key:
                    self._names.setdefault(key, org)
        self._prefixes = sorted(self._names, key=len, reverse=True)

    def match(self, text: str) -> CityOrg | None:
        """The city organisation `text` names (its name, förvaltning, code or an alias): exactly, or as its
        first words ("SLK IT", "Stadsledningskontoret, IT-avdelningen"), also once parenthesised details,
        contract numbers and the legal form are dropped ("Stockholm Vatten och Avfall AB (avtal 12-345)")."""
        for key in dict.fromkeys((normalise(text), clean_provider(text))):
            if not key:
                continue
            if key in self._names:
                return self._names[key]
            for p in self._prefixes:
                if key.startswith(p + " ") and len(p) >= 2:
                    return self._names[p]
        return None


# -- reading one submission --------------------------------------------------------------------------

def _reader_rsa(path: Path, year: int | None):
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.storage.database import Document

    doc = Document.open(path, readonly=True)
    try:
        svc = RsaService(doc)
        with svc.batch():  # one session for the reading
            org, analyses = svc.head()
            if org is None or not analyses:
                raise _Unusable("filen innehåller ingen analys.")
            chosen = analyses[-1] if year is None else next((a for a in analyses if a.year == year), None)
            if chosen is None:
                raise _Unusable(
                    f"filen har ingen analys för {year} (finns: {', '.join(str(a.year) for a in analyses)}).")
            snap = svc.snapshot(chosen.id, kinds=_SNAPSHOT_KINDS, links=_SNAPSHOT_LINKS)
    except BaseException:
        doc.close()
        raise
    return doc, snap, chosen, org


# What _collect and the gap analysis read of an analysis.
_SNAPSHOT_KINDS = ("function", "dependency", "risk", "action", "continuity_plan", "exercise", "fallback")
_SNAPSHOT_LINKS = ("function_dependency", "dependency_dependency")


class _Unusable(Exception):
    pass


class WorkbookView:
    """The reading part of RsaService over a decoded workbook, so that the same services (gap analysis,
    scales) work on an Excel submission as on a file. One analysis, id 1."""

    AID = 1

    def __init__(self, parsed):
        from rsa_desktop.services.scales import load_template
        from rsa_desktop.services.xlsx_import import decode_context, decode_workbook, scale_template_from

        template, _problems = scale_template_from(parsed)
        template = template or load_template()
        self._scales = scales_from_template(template, first_id=1)
        dims, horizons = self._scales.dimensions, self._scales.horizons
        dec = decode_workbook(parsed, decode_context(self._scales))
        self.problems = [p for p in (*parsed.problems, *dec.problems) if p.severity == "fel"]
        self._items: dict[str, list[Item]] = {k: [] for k in (*ITEM_KINDS, "fallback", "contact", "participant")}
        ids: dict[str, dict[str, int]] = {k: {} for k in ITEM_KINDS}
        nxt = 0
        for row in dec.rows:
            if row.hid and row.hid not in ids[row.kind]:
                nxt += 1
                ids[row.kind][row.hid] = nxt
        self._links: dict[str, list] = {}
        self._impacts: dict[int, dict[int, int]] = {}
        self._consequences: dict[int, dict[int, int]] = {}
        hor_id = {h.minutes: h.id for h in horizons}
        dim_id = {d.code: d.id for d in dims}
        from types import MappingProxyType

        from rsa_desktop.services.rsa import LinkRecord

        for row in dec.rows:
            if not row.hid:
                nxt += 1
                iid = nxt
            else:
                iid = ids[row.kind][row.hid]
            values = _defaults(row.kind)
            values.update(row.values)
            for f in KINDS[row.kind].fields:
                if field_type(f).references:
                    values[f.name] = ids[f.ref].get(row.values.get(f.name) or "")
            values.update(id=iid, hid=row.hid, analysis_id=self.AID)
            self._items[row.kind].append(make_item(row.kind, values))
            for link, hids in row.links.items():
                right = LINKS[link].right
                for h in hids:
                    if h in ids[right]:
                        self._links.setdefault(link, []).append(LinkRecord(link, iid, ids[right][h],
                                                                           MappingProxyType({})))
            for minutes, level in row.impacts.items():
                if level is not None:
                    self._impacts.setdefault(iid, {})[hor_id[minutes]] = level
            for code, level in row.consequences.items():
                if level is not None:
                    self._consequences.setdefault(iid, {})[dim_id[code]] = level
        for link in dec.links:
            f, d = ids["function"].get(link.function), ids["dependency"].get(link.dependency)
            if f and d:
                attrs = {"tolerance": link.attrs.get("tolerance"), "note": link.attrs.get("note", "")}
                self._links.setdefault("function_dependency", []).append(
                    LinkRecord("function_dependency", f, d, MappingProxyType(attrs)))
        for ch in dec.children:
            if ch.kind == "participant":
                continue
            plan = ids["continuity_plan"].get(ch.owner)
            if plan is None:
                continue
            nxt += 1
            values = _defaults(ch.kind)
            values.update(ch.values)
            if "dependency_id" in values:
                values["dependency_id"] = ids["dependency"].get(ch.values.get("dependency_id") or "")
            values.update(id=nxt, plan_id=plan)
            self._items[ch.kind].append(make_item(ch.kind, values))
        self.organisation_values = dec.organisation
        self.analysis_values = dec.analysis

    def list(self, kind: str, owner_id: int) -> list[Item]:
        if kind in ("fallback", "contact"):
            return [r for r in self._items[kind] if r.plan_id == owner_id]
        return list(self._items.get(kind, []))

    def links(self, name: str, *, left_id: int | None = None, right_id: int | None = None,
              analysis_id: int | None = None) -> list:
        return [lr for lr in self._links.get(name, []) if (left_id is None or lr.left_id == left_id)
                and (right_id is None or lr.right_id == right_id)]

    def scales(self, analysis_id: int):
        return self._scales

    def all_impacts(self, analysis_id: int) -> dict[int, dict[int, int]]:
        return self._impacts

    def all_consequences(self, analysis_id: int) -> dict[int, dict[int, int]]:
        return self._consequences


_DEFAULTS: dict[str, dict[str, Any]] = {}


def _defaults(kind: str) -> dict[str, Any]:
    if kind not in _DEFAULTS:
        from pydantic_core import PydanticUndefined

        table = KIND_TABLES[kind]
        out = {}
        for name, info in table.model_fields.items():
            default = info.default
            out[name] = None if default is PydanticUndefined else default
        _DEFAULTS[kind] = out
    return dict(_DEFAULTS[kind])


def _collect(source: Path, source_kind: str, svc, aid: int, org: dict[str, Any], analysis: dict[str, Any],
             today: dt.date, catalogue: CityCatalogue, warnings: Iterable[str] = ()) -> Submission:
    """A Submission from anything with RsaService's reading methods."""
    from rsa_desktop.domain import public as public_rule
    from rsa_desktop.services.gaps import analyse_gaps

    scales = svc.scales(aid)
    functions = svc.list("function", aid)
    sel = public_rule.select({k: svc.list(k, aid) for k in _SELECTED_KINDS})
    deps = {d.id: d for d in svc.list("dependency", aid)}
    fmap = {f.id: f for f in functions}
    name = str(org.get("name") or "").strip()
    committee = str(org.get("committee") or "").strip()
    own = catalogue.match(name) or catalogue.match(committee)
    own_names = (name, committee, *((own.name, own.administration) if own else ()))
    uses = []
    own_deps: set[int] = set()
    for lr in svc.links("function_dependency", analysis_id=aid):
        f, d = fmap.get(lr.left_id), deps.get(lr.right_id)
        if f is None or d is None or not f.is_critical:
            continue
        named = d.provider_org or d.provider
        if any(is_self_reference(t, own_names) for t in (d.provider_org, d.provider) if t):
            own_deps.add(d.id)  # the organisation's own staff or unit: not a shared dependency
            continue
        city = catalogue.match(d.provider_org) or catalogue.match(d.provider)
        if city is not None and own is not None and city.code == own.code:
            own_deps.add(d.id)
            continue
        if city is not None:
            key, shown = f"city:{city.code}", city.name
        elif clean_provider(named):
            key, shown = f"ext:{clean_provider(named)}", ""
        else:
            continue
        tol = lr.attrs.get("tolerance")
        uses.append(SDependencyUse(key, " ".join(str(named).split()), shown, d.hid, d.name, d.dep_type, f.hid,
                                   f.name, tol if tol is not None else f.max_tolerable_downtime, d.expected_outage,
                                   bool(d.has_reserve),
                                   not sel.keeps_link("function", f.id, "dependency", d.id)))
    consequences = svc.all_consequences(aid)
    risks = []
    for r in svc.list("risk", aid):
        cons = scales.overall(consequences.get(r.id, {}))
        band = scales.band(r.likelihood, cons)
        risks.append(SRisk(r.hid, r.title, r.category, r.likelihood, cons, band.label if band else "",
                           band.colour if band else "", not sel.keeps("risk", r.id)))
    actions = tuple(SAction(a.hid, a.title, a.owner, a.deadline, a.status, a.priority, not sel.keeps("action", a.id))
                    for a in svc.list("action", aid))
    try:
        gaps = tuple(SGap(g.rule, g.severity, g.title, g.explanation, tuple(g.items), not sel.keeps_finding(g))
                     for g in analyse_gaps(svc, aid, today=today))
    except Exception as exc:  # noqa: BLE001 - one submission's odd data must not stop the consolidation
        gaps = ()
        warnings = (*warnings, f"gapanalysen kunde inte göras ({type(exc).__name__}).")
    city = own
    return Submission(
        source, source_kind, name or "(okänd organisation)", committee, str(org.get("org_type") or ""),
        int(analysis.get("year") or 0), str(analysis.get("status") or ""), bool(analysis.get("_public")),
        str(analysis.get("security_class") or ""), str(analysis.get("secrecy_marking") or ""),
        tuple(SFunction(f.hid, f.name, f.msb_sector, f.preparedness_sector, bool(f.is_critical),
                        f.max_tolerable_downtime, f.operation, not sel.keeps("function", f.id)) for f in functions),
        tuple(uses), len(deps), tuple(risks), actions, gaps, city.name if city else "", "", tuple(warnings),
        sum(1 for d in deps if sel.keeps("dependency", d)), len(own_deps))


def read_submission(path: str | Path, *, year: int | None = None, today: dt.date | None = None,
                    catalogue: CityCatalogue | None = None) -> Submission:
    """One submission; raises SubmissionError (Swedish reason) when it cannot be used."""
    path = Path(path)
    today = today or dt.date.today()
    catalogue = catalogue or CityCatalogue()
    suffix = path.suffix.lower()
    from rsa_desktop.storage.errors import DocumentError

    try:
        if suffix == ".xlsx" or (suffix not in (".rsa",) and _looks_like_zip(path)):
            from rsa_desktop.services.xlsx_import import read_workbook

            parsed = read_workbook(path)
            view = WorkbookView(parsed)
            analysis = dict(view.analysis_values)
            analysis["_public"] = parsed.public
            if parsed.public:
                analysis["security_class"], analysis["secrecy_marking"] = "", ""
            if analysis.get("year") is None:
                raise SubmissionError(path, "arbetsboken anger inget analysår.")
            if year is not None and analysis["year"] != year:
                raise SubmissionError(path, f"arbetsboken gäller {analysis['year']}, inte {year}.")
            warn = [f"{len(view.problems)} celler kunde inte läsas och är utelämnade (första: {view.problems[0]})"] \
                if view.problems else []
            return _collect(path, "xlsx", view, view.AID, view.organisation_values, analysis, today, catalogue, warn)
        doc, snap, chosen, org_rec = _reader_rsa(path, year)
        doc.close()  # everything needed is in the snapshot
        return _collect(path, "rsa", snap, chosen.id, dict(org_rec.values), dict(chosen.values), today, catalogue)
    except SubmissionError:
        raise
    except _Unusable as exc:
        raise SubmissionError(path, str(exc)) from None
    except DocumentError as exc:
        raise SubmissionError(path, _strip_name(str(exc), path)) from None
    except OSError as exc:  # the disk or the share; a damaged file is a DocumentError above, a ValueError a bug
        raise SubmissionError(path, f"filen kunde inte läsas ({exc}).") from None


def _strip_name(message: str, path: Path) -> str:
    for suffix in (f": {path.name}", f": {path}"):
        if message.endswith(suffix):
            message = message[: -len(suffix)] + "."
    return message[:1].lower() + message[1:] if message else message


def _looks_like_zip(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(2) == b"PK"
    except OSError:
        return False


_SELECTED_KINDS = ("function", "dependency", "risk", "action", "continuity_plan", "exercise")


def public_part(s: Submission) -> Submission:
    """What a submission contributes to a public compilation: nothing its öppet utdrag leaves out."""
    from dataclasses import replace

    uses = tuple(u for u in s.uses if not u.secret)
    return replace(s, security_class="", secrecy="", functions=tuple(f for f in s.functions if not f.secret),
                   uses=uses, dependency_count=s.public_dependency_count,
                   risks=tuple(r for r in s.risks if not r.secret), actions=tuple(a for a in s.actions if not a.secret),
                   gaps=tuple(g for g in s.gaps if not g.secret))


class SubmissionError(Exception):
    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path.name}: {reason}")
        self.path = path
        self.reason = reason


# -- consolidating -----------------------------------------------------------------------------------

def expand_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """Files as given; a folder means every .rsa and .xlsx in it (sorted)."""
    out: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            out += sorted(x for x in p.iterdir() if x.suffix.lower() in (".rsa", ".xlsx") and x.is_file())
        else:
            out.append(p)
    return out


def consolidate(inputs: Iterable[str | Path], *, year: int | None = None, today: dt.date | None = None,
                catalogue: CityCatalogue | None = None, top: int = 50,
                progress=None, public: bool = False, security_class: str = "", secrecy: str = "") -> Consolidation:
    """Read every input (listing the unusable ones with their reason) and consolidate them.

    `public` makes an öppet utdrag of the compilation; `security_class` (a code) and `secrecy` are the
    city-level marking chosen by the person consolidating (ignored for an öppet utdrag).
    """
    today = today or dt.date.today()
    catalogue = catalogue or CityCatalogue()
    paths = expand_inputs(inputs)
    submissions: list[Submission] = []
    errors: list[InputError] = []
    for i, path in enumerate(paths):
        if progress is not None:
            progress(i, len(paths), path)
        if not path.exists():
            errors.append(InputError(path, "filen finns inte."))
            continue
        if path.suffix.lower() not in (".rsa", ".xlsx"):
            errors.append(InputError(path, "okänd filtyp (endast .rsa och .xlsx läses)."))
            continue
        try:
            submissions.append(read_submission(path, year=year, today=today, catalogue=catalogue))
        except SubmissionError as exc:
            errors.append(InputError(path, exc.reason))
    if year is None:
        years = Counter(s.year for s in submissions)
        year = max(years, key=lambda y: (years[y], y)) if years else today.year
        # A file that has the consolidation year but was read for its newest year: read it again.
        for i, s in enumerate(submissions):
            if s.year != year and s.source_kind == "rsa":
                try:
                    submissions[i] = read_submission(s.source, year=year, today=today, catalogue=catalogue)
                except SubmissionError:
                    pass
    seen: dict[str, Submission] = {}
    final = []
    for s in submissions:
        note = ""
        key = s.city_org or normalise(s.organisation)
        if s.year != year:
            note = f"gäller {s.year}, inte {year}: ingår inte"
        elif key in seen:
            note = f"ytterligare en inlämning från {s.organisation} ({seen[key].source.name} används)"
        else:
            seen[key] = s
        final.append(_with_note(s, note) if note else s)
    if public:
        final = [public_part(s) for s in final]
        security_class, secrecy = "", ""
    c = _build(final, errors, year, today, catalogue, top)
    c.public = public
    c.marking_security_class = CLASS_LABEL.get(security_class, "")
    c.marking_secrecy = " ".join(str(secrecy or "").split())
    return c


def _with_note(s: Submission, note: str) -> Submission:
    from dataclasses import replace

    return replace(s, note=note)


def _build(submissions: list[Submission], errors: list[InputError], year: int, today: dt.date,
           catalogue: CityCatalogue, top: int) -> Consolidation:
    from rsa_desktop.services.scales import load_template

    inc = [s for s in submissions if s.included]
    submitted = {s.city_org for s in inc if s.city_org}
    missing = [o for o in catalogue.orgs if o.submits_rsa and o.name not in submitted]

    # Shared providers.
    by_key: dict[str, list[tuple[str, SDependencyUse]]] = {}
    for s in inc:
        for u in s.uses:
            by_key.setdefault(u.provider_key, []).append((s.organisation, u))
    shared = []
    for key, uses in by_key.items():
        orgs = sorted({o for o, _u in uses})
        if len(orgs) < 2:
            continue
        inf = float("inf")
        uses.sort(key=lambda x: (x[1].tolerance if x[1].tolerance is not None else inf, x[0], x[1].function_hid))
        known = [u.tolerance for _o, u in uses if u.tolerance is not None]
        strictest = min(known) if known else None
        by = tuple(f"{o}: {u.function_hid} {u.function}" for o, u in uses if u.tolerance == strictest) \
            if strictest is not None else ()
        city = uses[0][1].city_org
        name = city or Counter(u.provider for _o, u in uses).most_common(1)[0][0]
        variants = tuple(sorted({u.provider for _o, u in uses}, key=str.casefold))
        shared.append(SharedProvider(key, name, city, tuple(orgs), tuple(uses), strictest, by, variants))
    shared.sort(key=lambda p: (-len(p.organisations), p.name.casefold()))

    matrix: dict[str, Counter] = {"": Counter()}
    all_risks: list[tuple[Submission, SRisk]] = []
    for s in inc:
        for r in s.risks:
            all_risks.append((s, r))
            if r.likelihood is None or r.consequence is None:
                continue
            matrix[""][(r.likelihood, r.consequence)] += 1
            matrix.setdefault(r.category or "Utan kategori", Counter())[(r.likelihood, r.consequence)] += 1
    ranked = sorted((x for x in all_risks if x[1].score is not None),
                    key=lambda x: (-x[1].score, -(x[1].consequence or 0), x[0].organisation, x[1].hid))
    unscored = sorted((x for x in all_risks if x[1].score is None),
                      key=lambda x: (x[0].organisation.casefold(), hid_key(x[1].hid)))
    gaps = sorted(((s, g) for s in inc for g in s.gaps),
                  key=lambda x: (severity_rank(x[1].severity), x[0].organisation,
                                 tuple(hid_key(h) for h in x[1].items)))
    overdue = sorted(((s, a) for s in inc for a in s.actions
                      if is_overdue(a.status, a.deadline, today)),
                     key=lambda x: (x[1].deadline, x[0].organisation, hid_key(x[1].hid)))
    cls, sec = "", ""  # the city-level marking is the consolidator's choice (consolidate())
    template = load_template()
    bands = scales_from_template(template).bands
    lik = sorted({r.likelihood for _s, r in all_risks if r.likelihood is not None}
                 | {int(lv["value"]) for lv in template["likelihood_levels"]})
    con = sorted({r.consequence for _s, r in all_risks if r.consequence is not None}
                 | {int(lv["value"]) for lv in template["consequence_levels"]})
    llabel = {int(lv["value"]): lv.get("label", "") for lv in template["likelihood_levels"]}
    clabel = {int(lv["value"]): lv.get("label", "") for lv in template["consequence_levels"]}
    return Consolidation(year, submissions, errors, missing, shared, matrix, ranked[:top], gaps, overdue, cls, sec,
                         bands, tuple((v, llabel.get(v, "")) for v in lik), tuple((v, clabel.get(v, "")) for v in con),
                         today, all_risks=ranked + unscored)


def band_for(c: Consolidation, likelihood: int, consequence: int):
    return band_in(c.bands, risk_value(likelihood, consequence))


__all__ = ["consolidate", "read_submission", "expand_inputs", "CityCatalogue", "normalise", "clean_provider",
           "is_self_reference", "Consolidation",
           "Submission", "SharedProvider", "InputError", "SubmissionError", "WorkbookView", "band_for"]
