"""RSA-kontroll: completeness and consistency findings for one analysis (Qt-free).

Each finding names its workflow step (for the step navigator and the Rapport page) and the item
it concerns (for "Gå till"). Severity: "fel" must be fixed before the analysis is submitted,
"varning" should be looked at, "info" is advice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rsa_desktop.domain import workflow
from rsa_desktop.domain.actions import counts_as_treatment, is_open, is_overdue
from rsa_desktop.domain.durations import format_duration
from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.services import catalogue_update
from rsa_desktop.services.placeholders import NEW_TITLES, unfilled_fields
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.services.source import SOURCE_KINDS, SOURCE_LINKS, ReviewSource, read_source, reads_on_any_thread  # noqa: F401 - the one read, used by the UI too

ERROR, WARNING, INFO = "fel", "varning", "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
STEPS = workflow.STEP_KEYS
# The step where an item of each kind is filled in and reviewed (one map for every rule here).
KIND_STEP = workflow.KIND_STEP
# The kinds that carry-forward marks "att granska" (exercises and participants are not carried).
REVIEW_STEPS = {kind: step for kind, step in KIND_STEP.items() if kind not in ("exercise", "participant")}



@dataclass(frozen=True)
class ReviewFinding:
    rule: str
    severity: str
    step: str  # one of STEPS
    message: str  # plain Swedish, names the item
    kind: str = ""  # item kind for "Gå till" ("" = the analysis itself)
    item_id: int | None = None
    field: str = ""  # the field to focus, if one

    def __str__(self) -> str:
        return f"[{self.severity}] {self.message}"


def _high_bands(scales) -> set[str]:
    """The two most serious colour bands count as high risk (orange and red by default)."""
    bands = sorted(scales.bands, key=lambda b: b.min_score)
    return {b.label for b in bands[-2:]} if len(bands) > 1 else {b.label for b in bands}


def review(svc: RsaService, analysis_id: int, *, today: dt.date | None = None) -> list[ReviewFinding]:
    today = today or dt.date.today()
    svc = read_source(svc, analysis_id)  # one read instead of ~340 queries
    a = svc.analysis(analysis_id)
    scales = svc.scales(analysis_id)
    out: list[ReviewFinding] = []

    def add(rule, severity, step, message, kind="", item_id=None, field=""):
        out.append(ReviewFinding(rule, severity, step, message, kind, item_id, field))

    # 1. Uppdrag och avgränsning
    if not svc.list("participant", analysis_id):
        add("no_participants", WARNING, "uppdrag", "Arbetsgruppen saknas: ange vilka som deltagit i analysen.",
            "analysis", analysis_id, "participants")
    for field, label in (("assignment", "Uppdraget"), ("method", "Arbetsprocess och metod")):
        if not a.get(field).strip():
            add(f"no_{field}", WARNING, "uppdrag", f"{label} är inte beskrivet.", "analysis", analysis_id, field)
    if not a.secrecy_marking.strip() and not a.security_class:
        add("no_secrecy_decision", WARNING, "uppdrag",
            "Ta ställning till sekretess: skriv in sekretessbeslutet, eller att analysen är offentlig.",
            "analysis", analysis_id, "secrecy_marking")
    if a.scales_confirmed != scales.fingerprint:
        add("scales_unconfirmed", WARNING, "uppdrag",
            "Skalorna är inte granskade: se att sannolikhet, konsekvens och tidshorisonter passar er verksamhet "
            "och bekräfta dem (Skalor: Granska och bekräfta)." if not a.scales_confirmed else
            "Skalorna har ändrats sedan de bekräftades. Granska ändringarna och bekräfta dem igen.",
            "analysis", analysis_id, "scales")

    # 2. Verksamhetsbeskrivning
    if not a.business_description.strip():
        add("no_business_description", WARNING, "verksamhet", "Verksamhetsbeskrivningen saknas.",
            "analysis", analysis_id, "business_description")

    if not a.summary.strip():
        add("no_summary", WARNING, "verksamhet",
            "Sammanfattningen saknas; den inleder rapporten till kommunstyrelsen. Skriv den när analysen är "
            "klar, eller använd Föreslå text.", "analysis", analysis_id, "summary")

    # 3. Samhällsviktig verksamhet
    functions = svc.list("function", analysis_id)
    critical = [f for f in functions if f.is_critical]
    impacts = svc.all_impacts(analysis_id)
    fd_links = svc.links("function_dependency", analysis_id=analysis_id)
    deps_of: dict[int, list[int]] = {}
    for link in fd_links:
        deps_of.setdefault(link.left_id, []).append(link.right_id)
    if not functions:
        add("no_functions", ERROR, "samhallsviktig", "Inga verksamheter är listade.")
    elif not critical:
        add("no_critical_functions", WARNING, "samhallsviktig",
            "Ingen verksamhet är markerad som samhällsviktig. Stämmer det? Motivera i så fall i sammanfattningen.")
    for f in critical:
        if f.max_tolerable_downtime is None:
            add("function_no_mtd", ERROR, "samhallsviktig", f"{f.label}: acceptabel avbrottstid saknas.",
                "function", f.id, "max_tolerable_downtime")
        if not impacts.get(f.id):
            add("function_no_impacts", WARNING, "samhallsviktig",
                f"{f.label}: konsekvenser över tid är inte bedömda.", "function", f.id, "impacts")
        if not f.critical_motivation.strip():
            add("function_no_motivation", INFO, "samhallsviktig",
                f"{f.label}: motivera varför verksamheten är samhällsviktig.", "function", f.id,
                "critical_motivation")
        if f.id not in deps_of:
            add("function_no_dependencies", WARNING, "beroenden",
                f"{f.label}: inga kritiska beroenden är kartlagda.", "function", f.id)

    # Values of a closed catalogue (the sector lists) that the catalogues in use do not have.
    for c in catalogue_update.invalid_values(svc, analysis_id):
        add("catalogue_value_invalid", WARNING, KIND_STEP.get(c.kind, "samhallsviktig"),
            f"{c.item}: {c.field_label.lower()} ”{c.old}” {c.reason}.", c.kind, c.item_id, c.field)

    from rsa_desktop.services.gaps import analyse_gaps  # the rule for extern regi lives there

    function_of = {f.id: f for f in functions}
    for g in analyse_gaps(svc, analysis_id, today=today):
        if g.rule == "extern_without_continuity_clause" and g.function_id is not None:
            f = function_of.get(g.function_id) or svc.get("function", g.function_id)
            unknown = f.continuity_in_contract is None
            add("function_extern_no_continuity_clause", WARNING, "samhallsviktig",
                f"{f.label}: drivs i extern regi"
                + (f" ({f.supplier})" if f.supplier else "")
                + (", men det är inte kontrollerat att avtalet ställer krav på kontinuitet." if unknown
                   else ", men avtalet ställer inga krav på kontinuitet.")
                + " Ange kontinuitetskraven i avtalet, eller planera en åtgärd.",
                "function", f.id, "continuity_in_contract")

    # 4. Kritiska beroenden
    critical_ids = {f.id for f in critical}
    plans = svc.list("continuity_plan", analysis_id)
    covered: set[int] = set()
    for p in plans:
        covered.update(fb.dependency_id for fb in svc.list("fallback", p.id) if fb.dependency_id)
    # A set, not a scan of every link per dependency (that grew with the square of the analysis).
    serving_critical = {l.right_id for l in fd_links if l.left_id in critical_ids}
    for d in svc.list("dependency", analysis_id):
        if d.id not in serving_critical:
            continue
        if not d.has_reserve and d.id not in covered:
            add("dependency_no_reserve_or_plan", WARNING, "beroenden",
                f"{d.label}: kritiskt beroende utan reserv och utan reservrutin i någon kontinuitetsplan.",
                "dependency", d.id, "has_reserve")
        if d.expected_outage is None:
            add("dependency_no_outage", INFO, "beroenden",
                f"{d.label}: ange hur länge ett avbrott troligen varar.", "dependency", d.id, "expected_outage")

    # 5. Risker
    risks = svc.list("risk", analysis_id)
    consequences = svc.all_consequences(analysis_id)
    action_risk = svc.links("action_risk", analysis_id=analysis_id)
    actions = {x.id: x for x in svc.list("action", analysis_id)}
    treated = {l.right_id for l in action_risk if counts_as_treatment(actions[l.left_id].status)}
    risk_functions = {l.left_id for l in svc.links("risk_function", analysis_id=analysis_id)}
    high = _high_bands(scales)
    if not risks:
        add("no_risks", ERROR, "risker", "Inga risker är identifierade.")
    for r in risks:
        consequence = scales.overall(consequences.get(r.id, {}))
        if r.likelihood is None or consequence is None:
            add("risk_no_rating", ERROR, "risker",
                f"{r.label}: sannolikhet eller konsekvens är inte bedömd.", "risk", r.id,
                "likelihood" if r.likelihood is None else "consequences")
        elif (band := scales.band(r.likelihood, consequence)) and band.label in high and r.id not in treated:
            add("high_risk_no_action", ERROR, "atgarder",
                f"{r.label}: {band.label.lower()} utan någon åtgärd kopplad.", "risk", r.id)
        if not r.motivation.strip():
            add("risk_no_motivation", WARNING, "risker", f"{r.label}: bedömningen saknar motivering.", "risk",
                r.id, "motivation")
        if r.id not in risk_functions:
            add("risk_no_function", WARNING, "risker", f"{r.label}: ingen verksamhet är kopplad till risken.",
                "risk", r.id)

    # 6. Sårbarheter och förmåga
    if not svc.list("vulnerability", analysis_id):
        add("no_vulnerabilities", WARNING, "sarbarheter",
            "Inga sårbarheter eller brister i krisberedskapen är beskrivna (punkt 6 i redovisningen).")
    capabilities = svc.list("capability", analysis_id)
    if not capabilities:
        add("no_capabilities", INFO, "sarbarheter", "Förmågan (krisledning, larmvägar, uthållighet …) är inte bedömd.")
    for c in capabilities:
        if c.rating is None:
            add("capability_no_rating", WARNING, "sarbarheter", f"{c.label}: förmågan är inte bedömd.",
                "capability", c.id, "rating")

    # 7. Åtgärder
    for x in actions.values():
        if not is_open(x.status):
            continue
        if not x.owner.strip():
            add("action_no_owner", WARNING, "atgarder", f"{x.label}: ansvarig saknas.", "action", x.id, "owner")
        if x.deadline is None:
            add("action_no_deadline", WARNING, "atgarder", f"{x.label}: datum för när åtgärden ska vara klar saknas.",
                "action", x.id, "deadline")
        elif is_overdue(x.status, x.deadline, today):
            add("action_overdue", WARNING, "atgarder",
                f"{x.label}: skulle ha varit klar {x.deadline.isoformat()} men är inte genomförd.",
                "action", x.id, "deadline")

    # 8. Kontinuitetsplaner
    planned = {p.function_id for p in plans if p.function_id}
    mtd_of = {f.id: f.max_tolerable_downtime for f in critical}
    for f in critical:
        if f.id not in planned:
            add("function_no_plan", WARNING, "kontinuitet", f"{f.label}: ingen kontinuitetsplan.", "function", f.id)
    for p in plans:
        if p.last_exercised is None:
            add("plan_never_exercised", WARNING, "kontinuitet", f"{p.label}: planen har aldrig övats.",
                "continuity_plan", p.id, "last_exercised")
        elif (today - p.last_exercised).days > 365:
            add("plan_not_exercised_12m", WARNING, "kontinuitet",
                f"{p.label}: senast övad {p.last_exercised.isoformat()}, mer än 12 månader sedan.",
                "continuity_plan", p.id, "last_exercised")
        mtd = mtd_of.get(p.function_id)
        for fb in svc.list("fallback", p.id):
            if mtd and fb.duration is not None and fb.duration < mtd:
                add("fallback_shorter_than_mtd", INFO, "kontinuitet",
                    f"{p.label}: en reservrutin räcker {format_duration(fb.duration)}, kortare än verksamhetens "
                    f"acceptabla avbrottstid ({format_duration(mtd)}).", "continuity_plan", p.id)

    # Carried forward and still "att granska": the step is not done until someone has looked at them.
    marks = svc.review_marks(analysis_id)
    if marks:
        sources = {src for src, _ in svc.carried_from(analysis_id).values()}
        years = sorted(x.year for x in svc.analyses() if x.id in sources)
        since = f"från {years[-1]}" if years else "från föregående år"
        for kind, step in REVIEW_STEPS.items():
            pending = [x for x in svc.list(kind, analysis_id) if (kind, x.id) in marks]
            if not pending:
                continue
            spec = KINDS[kind]
            what = f"1 {spec.label.lower()}" if len(pending) == 1 else f"{len(pending)} {spec.plural.lower()}"
            hids = ", ".join(x.hid for x in pending[:6]) + (" …" if len(pending) > 6 else "")
            add("not_reviewed", WARNING, step,
                f"{what} {since} är ännu inte {'granskad' if len(pending) == 1 else 'granskade'} ({hids}). "
                "Gå igenom dem och välj Markera som granskad.", kind, pending[0].id)

    # Items still as "Lägg till" made them ("Ny sårbarhet", a typ not chosen) are not done.
    for kind, step in KIND_STEP.items():
        spec = KINDS[kind]
        for rec in svc.list(kind, analysis_id):
            unfilled = unfilled_fields(kind, rec.values)
            if not unfilled:
                continue
            if spec.title_field in unfilled:
                text = (f"{rec.get('hid') or rec.label}: heter fortfarande ”{NEW_TITLES[kind]}”. "
                        "Ge posten ett eget namn och fyll i "
                        "den, eller ta bort den.")
            else:
                text = f"{rec.label}: {spec.field(unfilled[0]).label.lower()} är inte vald."
            add("placeholder_item", WARNING, step, text, kind, rec.id, unfilled[0])

    out.sort(key=lambda f: (STEPS.index(f.step), SEVERITY_ORDER[f.severity]))
    return out


def step_states(findings: list[ReviewFinding], started: dict[str, bool]) -> dict[str, str]:
    """Per step: "ej_paborjad", "paborjad" (started, with errors or warnings left) or "klar"."""
    out = {}
    for step in STEPS:
        if not started.get(step):
            out[step] = "ej_paborjad"
        elif any(f.step == step and f.severity in (ERROR, WARNING) for f in findings):
            out[step] = "paborjad"
        else:
            out[step] = "klar"
    return out
