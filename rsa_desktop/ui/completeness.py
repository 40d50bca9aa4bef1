"""How far each step of the workflow has come, and what is still missing (no Qt; used by the
navigator, the Översikt page and the Rapport page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rsa_desktop.model.kinds import LINKS

STEP_KEYS = ("uppdrag", "verksamhet", "samhallsviktig", "beroenden", "risker", "sarbarheter", "atgarder",
             "kontinuitet", "rapport")
DONE_STATUSES = {"genomford", "avbruten"}


@dataclass
class StepStatus:
    key: str
    started: bool = False
    missing: list[str] = field(default_factory=list)
    summary: str = ""

    @property
    def complete(self) -> bool:
        return self.started and not self.missing

    @property
    def state(self) -> str:
        return "klar" if self.complete else ("paborjad" if self.started else "ej_paborjad")


@dataclass
class Snapshot:
    """All of one analysis that the checks need, read once."""
    organisation: object
    analysis: object
    participants: list
    functions: list
    dependencies: list
    risks: list
    vulnerabilities: list
    capabilities: list
    actions: list
    plans: list
    exercises: list
    fallbacks: dict
    links: dict
    consequences: dict
    scales: object


def snapshot(svc, analysis_id: int) -> Snapshot:
    plans = svc.list("continuity_plan", analysis_id)
    return Snapshot(
        organisation=svc.organisation(), analysis=svc.analysis(analysis_id),
        participants=svc.list("participant", analysis_id), functions=svc.list("function", analysis_id),
        dependencies=svc.list("dependency", analysis_id), risks=svc.list("risk", analysis_id),
        vulnerabilities=svc.list("vulnerability", analysis_id), capabilities=svc.list("capability", analysis_id),
        actions=svc.list("action", analysis_id), plans=plans, exercises=svc.list("exercise", analysis_id),
        fallbacks={p.id: svc.list("fallback", p.id) for p in plans},
        links={name: svc.links(name, analysis_id=analysis_id) for name in LINKS},
        consequences=svc.all_consequences(analysis_id), scales=svc.scales(analysis_id))


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def risk_levels(snap: Snapshot) -> dict[int, tuple[int | None, int | None]]:
    """risk id → (likelihood, overall consequence)."""
    return {r.id: (r.likelihood, snap.scales.overall(snap.consequences.get(r.id, {}))) for r in snap.risks}


def high_risks(snap: Snapshot) -> list:
    """Risks in the two highest colour bands."""
    bands = sorted(snap.scales.bands, key=lambda b: b.min_score)
    if not bands:
        return []
    threshold = bands[max(len(bands) - 2, 0)].min_score
    out = []
    for r in snap.risks:
        lik, con = risk_levels(snap)[r.id]
        if lik and con and lik * con >= threshold:
            out.append(r)
    return out


def assess(svc, analysis_id: int, today: dt.date | None = None) -> dict[str, StepStatus]:
    snap = snapshot(svc, analysis_id)
    return assess_snapshot(snap, today)


def assess_snapshot(snap: Snapshot, today: dt.date | None = None) -> dict[str, StepStatus]:
    a, org = snap.analysis, snap.organisation
    st = {k: StepStatus(k) for k in STEP_KEYS}

    s = st["uppdrag"]
    s.started = bool(a.assignment or a.delimitations or a.method or snap.participants)
    if not a.assignment:
        s.missing.append("Uppdraget är inte beskrivet.")
    if not a.delimitations:
        s.missing.append("Avgränsningarna är inte beskrivna.")
    if not a.method:
        s.missing.append("Arbetsprocess och metod är inte beskrivna.")
    if not snap.participants:
        s.missing.append("Arbetsgruppen har inga deltagare.")
    s.summary = _n(len(snap.participants), "deltagare", "deltagare") + " i arbetsgruppen"

    s = st["verksamhet"]
    s.started = bool(a.business_description or a.locations or (org and org.employees))
    if not a.business_description:
        s.missing.append("Verksamhetsbeskrivningen saknas.")
    if not a.locations:
        s.missing.append("Lokaler och geografiskt område är inte beskrivna.")
    if org is not None and org.employees is None:
        s.missing.append("Antal anställda är inte angivet.")
    s.summary = org.name if org else ""

    critical = [f for f in snap.functions if f.is_critical]
    s = st["samhallsviktig"]
    s.started = bool(snap.functions)
    if not snap.functions:
        s.missing.append("Inga verksamheter är listade.")
    elif not critical:
        s.missing.append("Ingen verksamhet är markerad som samhällsviktig.")
    for f in critical:
        if f.max_tolerable_downtime is None:
            s.missing.append(f"{f.label} saknar acceptabel avbrottstid.")
        if not f.minimum_level:
            s.missing.append(f"{f.label} saknar lägsta acceptabla nivå.")
        if f.criticality_life_health is None and f.criticality_functionality is None:
            s.missing.append(f"{f.label} saknar bedömning av kritikalitet.")
        if f.operation == "extern" and f.continuity_in_contract is None:
            s.missing.append(f"{f.label} (extern regi): okänt om avtalet ställer krav på kontinuitet.")
    s.summary = (_n(len(snap.functions), "verksamhet", "verksamheter")
                 + f", {len(critical)} samhällsviktiga")

    fd = snap.links["function_dependency"]
    s = st["beroenden"]
    s.started = bool(snap.dependencies)
    if not snap.dependencies:
        s.missing.append("Inga kritiska beroenden är listade.")
    served = {l.right_id for l in fd}
    with_deps = {l.left_id for l in fd}
    for f in critical:
        if f.id not in with_deps:
            s.missing.append(f"{f.label} har inga beroenden kopplade.")
    for d in snap.dependencies:
        if d.id not in served:
            s.missing.append(f"{d.label} är inte kopplat till någon verksamhet.")
        if d.expected_outage is None:
            s.missing.append(f"{d.label} saknar förväntad avbrottstid.")
    s.summary = _n(len(snap.dependencies), "beroende", "beroenden") + f", {len(fd)} kopplingar"

    s = st["risker"]
    s.started = bool(snap.risks)
    if not snap.risks:
        s.missing.append("Inga risker är identifierade.")
    hit = {l.left_id for l in snap.links["risk_function"]} | {l.left_id for l in snap.links["risk_dependency"]}
    for r in snap.risks:
        if r.likelihood is None:
            s.missing.append(f"{r.label} saknar sannolikhet.")
        if not snap.consequences.get(r.id):
            s.missing.append(f"{r.label} saknar konsekvensbedömning.")
        if r.id not in hit:
            s.missing.append(f"{r.label} är inte kopplad till någon verksamhet eller något beroende.")
    s.summary = _n(len(snap.risks), "risk", "risker")

    s = st["sarbarheter"]
    s.started = bool(snap.vulnerabilities or snap.capabilities)
    if not snap.vulnerabilities:
        s.missing.append("Inga sårbarheter eller brister i krisberedskapen är beskrivna.")
    if not snap.capabilities:
        s.missing.append("Förmågan är inte bedömd.")
    for c in snap.capabilities:
        if c.rating is None:
            s.missing.append(f"{c.label} saknar bedömning.")
        if not c.motivation:
            s.missing.append(f"{c.label} saknar motivering.")
    s.summary = (_n(len(snap.vulnerabilities), "sårbarhet", "sårbarheter") + ", "
                 + _n(len(snap.capabilities), "förmågebedömning", "förmågebedömningar"))

    s = st["atgarder"]
    s.started = bool(snap.actions)
    if not snap.actions:
        s.missing.append("Inga åtgärder är beslutade.")
    treated = {l.right_id for l in snap.links["action_risk"]}
    linked_actions = set()
    for name in ("action_risk", "action_dependency", "action_function", "action_vulnerability"):
        linked_actions |= {l.left_id for l in snap.links[name]}
    for act in snap.actions:
        if act.status in DONE_STATUSES:
            continue
        if not act.owner:
            s.missing.append(f"{act.label} saknar ansvarig.")
        if act.deadline is None:
            s.missing.append(f"{act.label} saknar datum för när den ska vara klar.")
        if act.id not in linked_actions:
            s.missing.append(f"{act.label} är inte kopplad till någon risk, sårbarhet, verksamhet eller beroende.")
    for r in high_risks(snap):
        if r.id not in treated:
            s.missing.append(f"{r.label} har hög risknivå men ingen åtgärd.")
    s.summary = _n(len(snap.actions), "åtgärd", "åtgärder")

    s = st["kontinuitet"]
    s.started = bool(snap.plans)
    planned = {p.function_id for p in snap.plans if p.function_id}
    for f in critical:
        if f.id not in planned:
            s.missing.append(f"{f.label} har ingen kontinuitetsplan.")
    for p in snap.plans:
        if not snap.fallbacks.get(p.id):
            s.missing.append(f"{p.label} har inga reservrutiner.")
        if not p.activation_criteria:
            s.missing.append(f"{p.label} saknar aktiveringskriterier.")
        if p.last_exercised is None:
            s.missing.append(f"{p.label} har inte övats.")
    s.summary = _n(len(snap.plans), "plan", "planer") + ", " + _n(len(snap.exercises), "övning", "övningar")

    s = st["rapport"]
    others = [st[k] for k in STEP_KEYS if k != "rapport"]
    s.started = any(o.started for o in others)
    n_missing = sum(len(o.missing) for o in others)
    if n_missing:
        s.missing.append(f"{n_missing} uppgifter saknas i stegen ovan.")
    s.summary = f"{sum(o.complete for o in others)} av {len(others)} steg klara"
    return st


def due_actions(actions, today: dt.date | None = None, days: int = 30) -> tuple[list, list]:
    """(overdue, due within `days`) among actions that are not done."""
    today = today or dt.date.today()
    overdue, soon = [], []
    for a in actions:
        if a.status in DONE_STATUSES or a.deadline is None:
            continue
        if a.deadline < today:
            overdue.append(a)
        elif (a.deadline - today).days <= days:
            soon.append(a)
    key = lambda a: a.deadline  # noqa: E731
    return sorted(overdue, key=key), sorted(soon, key=key)
