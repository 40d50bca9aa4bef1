"""Drafted text: the sammanfattning and chapter introductions written from the analysis' data.

Offered as an editable suggestion; never written over the user's own text.
"""

from __future__ import annotations

import datetime as dt

from rsa_desktop.model.durations import format_duration
from rsa_desktop.services.review import OPEN_STATUSES
from rsa_desktop.services.rsa import RsaService

CHAPTERS = ("samhallsviktig", "beroenden", "risker", "sarbarheter", "atgarder", "kontinuitet")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]


def _serious_risks(svc: RsaService, aid: int, limit: int = 3) -> list[tuple[int, str]]:
    scales = svc.scales(aid)
    cons = svc.all_consequences(aid)
    scored = []
    for r in svc.list("risk", aid):
        c = scales.overall(cons.get(r.id, {}))
        if r.likelihood and c:
            scored.append((r.likelihood * c, r.likelihood, f"{r.hid} {r.title}".strip(), r.id))
    scored.sort(key=lambda t: (-t[0], -t[1], t[3]))
    return [(score, label) for score, _, label, _ in scored[:limit]]


def draft_chapter(svc: RsaService, aid: int, chapter: str, *, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    org = svc.organisation()
    name = org.name if org else "Förvaltningen"
    if chapter == "samhallsviktig":
        functions = svc.list("function", aid)
        critical = [f for f in functions if f.is_critical]
        text = (f"{name} har gått igenom {_count(len(functions), 'verksamhet', 'verksamheter')} och bedömt "
                f"{_count(len(critical), 'av dem', 'av dem')} som samhällsviktiga.")
        with_mtd = sorted((f for f in critical if f.max_tolerable_downtime), key=lambda f: f.max_tolerable_downtime)
        if with_mtd:
            f = with_mtd[0]
            text += f" Kortast acceptabel avbrottstid har ”{f.name}” ({format_duration(f.max_tolerable_downtime)})."
        return text
    if chapter == "beroenden":
        deps = svc.list("dependency", aid)
        links = svc.links("function_dependency", analysis_id=aid)
        served: dict[int, int] = {}
        for l in links:
            served[l.right_id] = served.get(l.right_id, 0) + 1
        shared = [d for d in deps if served.get(d.id, 0) > 1]
        no_reserve = [d for d in deps if not d.has_reserve and d.id in served]
        text = f"Analysen omfattar {_count(len(deps), 'kritiskt beroende', 'kritiska beroenden')}."
        if shared:
            top = sorted(shared, key=lambda d: -served[d.id])[:3]
            text += (f" {_count(len(shared), 'beroende', 'beroenden')} delas av flera verksamheter, främst "
                     f"{_join([d.name for d in top])}.")
        if no_reserve:
            text += f" {_count(len(no_reserve), 'beroende', 'beroenden')} saknar reserv."
        return text
    if chapter == "risker":
        risks = svc.list("risk", aid)
        serious = _serious_risks(svc, aid)
        text = f"{_count(len(risks), 'risk', 'risker')} har identifierats och bedömts."
        if serious:
            text += f" De allvarligaste är {_join([label for _, label in serious])}."
        return text
    if chapter == "sarbarheter":
        vulns = svc.list("vulnerability", aid)
        gaps = [v for v in vulns if v.vuln_type == "brist_krisberedskap"]
        caps = svc.list("capability", aid)
        # On the förmåga scale a higher value is weaker (1 God … 3 Bristande).
        worst = max((c.rating for c in caps if c.rating is not None), default=None)
        weak = [c.area for c in caps if worst is not None and worst > 1 and c.rating == worst]
        text = (f"{_count(len(vulns), 'sårbarhet', 'sårbarheter')} har beskrivits, varav "
                f"{_count(len(gaps), 'brist', 'brister')} i krisberedskapen.")
        if weak:
            text += f" Förmågan bedöms som svagast inom {_join([w.lower() for w in weak[:3]])}."
        return text
    if chapter == "atgarder":
        actions = svc.list("action", aid)
        open_ = [a for a in actions if a.status in OPEN_STATUSES]
        overdue = [a for a in open_ if a.deadline and a.deadline < today]
        soon = [a for a in open_ if a.deadline and today <= a.deadline <= today + dt.timedelta(days=90)]
        done = [a for a in actions if a.status == "genomford"]
        text = (f"{_count(len(actions), 'åtgärd', 'åtgärder')} finns i handlingsplanen: {len(open_)} planerade "
                f"eller pågående och {len(done)} genomförda.")
        if soon:
            text += f" {_count(len(soon), 'åtgärd', 'åtgärder')} ska vara klara inom 90 dagar."
        if overdue:
            text += f" {_count(len(overdue), 'åtgärd är', 'åtgärder är')} försenade: {_join([a.hid for a in overdue])}."
        return text
    if chapter == "kontinuitet":
        plans = svc.list("continuity_plan", aid)
        critical = [f for f in svc.list("function", aid) if f.is_critical]
        covered = {p.function_id for p in plans}
        missing = [f.name for f in critical if f.id not in covered]
        text = (f"Det finns {_count(len(plans), 'kontinuitetsplan', 'kontinuitetsplaner')} för "
                f"{len(covered & {f.id for f in critical})} av {len(critical)} samhällsviktiga verksamheter.")
        if missing:
            text += f" Plan saknas för {_join(missing[:3])}{' m.fl.' if len(missing) > 3 else ''}."
        return text
    raise KeyError(chapter)


def draft_summary(svc: RsaService, aid: int, *, today: dt.date | None = None) -> str:
    a = svc.analysis(aid)
    org = svc.organisation()
    name = org.name if org else "Förvaltningen"
    parts = [f"{name} har genomfört risk- och sårbarhetsanalysen för {a.year}."]
    parts += [draft_chapter(svc, aid, ch, today=today) for ch in CHAPTERS]
    return "\n\n".join(p for p in parts if p)


def offer_summary(svc: RsaService, aid: int, *, today: dt.date | None = None) -> tuple[str, bool]:
    """(suggested text, whether it may be filled in directly): only an empty sammanfattning is filled."""
    return draft_summary(svc, aid, today=today), not svc.analysis(aid).summary.strip()
