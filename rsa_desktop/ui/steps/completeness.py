"""How far each step of the workflow has come (no Qt; used by the navigator, Översikt and Rapport).

The rules live in one place: services/review.py (RSA-kontroll). This module only adds what the UI
needs on top of the findings: whether a step has any content yet ("started"), a one-line count per
step, and the listing of actions that are due for the Översikt page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rsa_desktop.domain.actions import is_open, is_overdue
from rsa_desktop.services import review as review_svc
from rsa_desktop.services.review import ERROR, INFO, WARNING, ReviewFinding

STEP_KEYS = review_svc.STEPS
BLOCKING = (ERROR, WARNING)


@dataclass
class StepStatus:
    key: str
    state: str = "ej_paborjad"  # "ej_paborjad" | "paborjad" | "klar" (review.step_states)
    started: bool = False
    findings: list[ReviewFinding] = field(default_factory=list)
    summary: str = ""

    @property
    def complete(self) -> bool:
        return self.state == "klar"

    @property
    def missing(self) -> list[str]:
        """Messages of the findings that keep the step from being done (fel and varning)."""
        return [f.message for f in self.findings if f.severity in BLOCKING]

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


@dataclass
class Snapshot:
    """What the UI shows besides the findings, read once per refresh."""
    organisation: object
    analysis: object
    participants: int
    functions: list
    dependencies: list
    risks: list
    actions: list
    plans: list
    vulnerabilities: int
    capabilities: int
    exercises: int
    consequences: dict
    scales: object


def snapshot(svc, analysis_id: int) -> Snapshot:
    def n(kind):
        return len(svc.list(kind, analysis_id))
    return Snapshot(
        organisation=svc.organisation(), analysis=svc.analysis(analysis_id),
        participants=n("participant"), functions=svc.list("function", analysis_id),
        dependencies=svc.list("dependency", analysis_id), risks=svc.list("risk", analysis_id),
        actions=svc.list("action", analysis_id), plans=svc.list("continuity_plan", analysis_id),
        vulnerabilities=n("vulnerability"), capabilities=n("capability"), exercises=n("exercise"),
        consequences=svc.all_consequences(analysis_id), scales=svc.scales(analysis_id))


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def started(snap: Snapshot) -> dict[str, bool]:
    """A step is started when it has content (not a rule: it only separates "ej påbörjad" from "påbörjad")."""
    a, org = snap.analysis, snap.organisation
    out = {
        "uppdrag": bool(a.assignment or a.delimitations or a.method or snap.participants),
        "verksamhet": bool(a.business_description or a.locations or (org and org.employees)),
        "samhallsviktig": bool(snap.functions),
        "beroenden": bool(snap.dependencies),
        "risker": bool(snap.risks),
        "sarbarheter": bool(snap.vulnerabilities or snap.capabilities),
        "atgarder": bool(snap.actions),
        "kontinuitet": bool(snap.plans or snap.exercises),
    }
    out["rapport"] = any(out.values())
    return out


def summaries(snap: Snapshot) -> dict[str, str]:
    critical = sum(1 for f in snap.functions if f.is_critical)
    return {
        "uppdrag": _n(snap.participants, "deltagare", "deltagare") + " i arbetsgruppen",
        "verksamhet": snap.organisation.name if snap.organisation else "",
        "samhallsviktig": _n(len(snap.functions), "verksamhet", "verksamheter") + f", {critical} samhällsviktiga",
        "beroenden": _n(len(snap.dependencies), "beroende", "beroenden"),
        "risker": _n(len(snap.risks), "risk", "risker"),
        "sarbarheter": (_n(snap.vulnerabilities, "sårbarhet", "sårbarheter") + ", "
                        + _n(snap.capabilities, "förmågebedömning", "förmågebedömningar")),
        "atgarder": _n(len(snap.actions), "åtgärd", "åtgärder"),
        "kontinuitet": _n(len(snap.plans), "plan", "planer") + ", " + _n(snap.exercises, "övning", "övningar"),
        "rapport": "",
    }


def assess(svc, analysis_id: int, today: dt.date | None = None
           ) -> tuple[dict[str, StepStatus], Snapshot, list[ReviewFinding]]:
    source = review_svc.read_source(svc, analysis_id)  # one read for the statuses and the findings
    snap = snapshot(source, analysis_id)
    findings = review_svc.review(source, analysis_id, today=today)
    return assess_snapshot(snap, findings), snap, findings


@dataclass(frozen=True)
class Assessment:
    """Everything the status refresh shows, computed from one ReviewSource (on any thread: no Qt, no file)."""
    statuses: dict
    snapshot: Snapshot
    findings: list
    gaps: list  # gaps.analyse_gaps of the same source (Översikt's gap line)


def assess_all(source, analysis_id: int, today: dt.date | None = None) -> Assessment:
    from rsa_desktop.services.gaps import analyse_gaps

    statuses, snap, found = assess(source, analysis_id, today)
    return Assessment(statuses, snap, found, analyse_gaps(source, analysis_id, today=today))


def assess_snapshot(snap: Snapshot, findings: list[ReviewFinding]) -> dict[str, StepStatus]:
    begun = started(snap)
    states = review_svc.step_states(findings, begun)
    texts = summaries(snap)
    out = {k: StepStatus(k, states[k], begun[k], [f for f in findings if f.step == k], texts[k]) for k in STEP_KEYS}
    # No åtgärder is a finished step, not an unstarted one, once the risks are assessed and RSA-kontroll asks for
    # none (no risk is high enough to need one): otherwise a newcomer reads the empty circle as "still to do".
    act = out["atgarder"]
    if not act.started and out["risker"].state == "klar" and not act.findings:
        act.state = "klar"
        act.summary = "Inga åtgärder behövs enligt RSA-kontrollen"
    # The report step is done when every other step is.
    others = [out[k] for k in STEP_KEYS if k != "rapport"]
    rep = out["rapport"]
    if rep.started:
        rep.state = "klar" if all(o.complete for o in others) else "paborjad"
    rep.summary = f"{sum(o.complete for o in others)} av {len(others)} arbetssteg klara (steg 1–{len(others)})"
    return out


def severity_counts(findings: list[ReviewFinding]) -> dict[str, int]:
    return {sev: sum(1 for f in findings if f.severity == sev) for sev in (ERROR, WARNING, INFO)}


def risk_levels(snap: Snapshot) -> dict[int, tuple[int | None, int | None]]:
    """risk id → (likelihood, overall consequence), for the matrix thumbnail."""
    return {r.id: (r.likelihood, snap.scales.overall(snap.consequences.get(r.id, {}))) for r in snap.risks}


def due_actions(actions, today: dt.date | None = None, days: int = 30) -> tuple[list, list]:
    """(overdue, due within `days`) among actions that are not done: a listing for Översikt, not a rule."""
    today = today or dt.date.today()
    overdue, soon = [], []
    for a in actions:
        if not is_open(a.status) or a.deadline is None:
            continue
        if is_overdue(a.status, a.deadline, today):
            overdue.append(a)
        elif (a.deadline - today).days <= days:
            soon.append(a)
    key = lambda a: a.deadline  # noqa: E731
    return sorted(overdue, key=key), sorted(soon, key=key)
