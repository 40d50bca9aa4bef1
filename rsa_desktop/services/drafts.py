"""Drafted text: the sammanfattning and chapter introductions written from the analysis' data.

Offered as an editable suggestion; never written over the user's own text.
"""

from __future__ import annotations

import datetime as dt

from rsa_desktop.domain.actions import DONE, is_open, is_overdue
from rsa_desktop.domain.durations import format_duration
from rsa_desktop.domain.kinds import ITEM_KINDS, LINKS
from rsa_desktop.domain.scales import risk_value
from rsa_desktop.services.rsa import RsaService

CHAPTERS = ("samhallsviktig", "beroenden", "risker", "sarbarheter", "atgarder", "kontinuitet")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]


class _Source:
    """The items a draft is written from: all of them, or (public=True) what an öppet utdrag keeps."""

    def __init__(self, svc: RsaService, aid: int, public: bool):
        from rsa_desktop.domain import public as public_rule

        self.svc, self.aid = svc, aid
        items = {k: svc.list(k, aid) for k in ITEM_KINDS}
        self.selection = public_rule.select(items) if public else None
        self.items = public_rule.keep_items(items, self.selection)

    def list(self, kind: str) -> list:
        return self.items[kind]

    def links(self, name: str) -> list:
        spec = LINKS[name]
        rows = self.svc.links(name, analysis_id=self.aid)
        if self.selection is None:
            return rows
        return [lr for lr in rows if self.selection.keeps_link(spec.left, lr.left_id, spec.right, lr.right_id)]


def _serious_risks(src: _Source, limit: int = 3) -> list[tuple[int, str]]:
    svc, aid = src.svc, src.aid
    scales = svc.scales(aid)
    cons = svc.all_consequences(aid)
    scored = []
    for r in src.list("risk"):
        c = scales.overall(cons.get(r.id, {}))
        if r.likelihood and c:
            scored.append((risk_value(r.likelihood, c), r.likelihood, f"{r.hid} {r.title}".strip(), r.id))
    scored.sort(key=lambda t: (-t[0], -t[1], t[3]))
    return [(score, label) for score, _, label, _ in scored[:limit]]


def draft_chapter(svc: RsaService, aid: int, chapter: str, *, today: dt.date | None = None,
                  public: bool = False, source: _Source | None = None) -> str:
    """A chapter's drafted text; `public=True` writes it from what the öppet utdrag keeps, nothing else."""
    today = today or dt.date.today()
    src = source or _Source(svc, aid, public)
    org = svc.organisation()
    name = org.name if org else "Förvaltningen"
    if chapter == "samhallsviktig":
        functions = src.list("function")
        critical = [f for f in functions if f.is_critical]
        text = (f"{name} har gått igenom {_count(len(functions), 'verksamhet', 'verksamheter')} och bedömt "
                f"{_count(len(critical), 'av dem', 'av dem')} som samhällsviktiga.")
        with_mtd = sorted((f for f in critical if f.max_tolerable_downtime), key=lambda f: f.max_tolerable_downtime)
        if with_mtd:
            f = with_mtd[0]
            text += f" Kortast acceptabel avbrottstid har ”{f.name}” ({format_duration(f.max_tolerable_downtime)})."
        return text
    if chapter == "beroenden":
        deps = src.list("dependency")
        links = src.links("function_dependency")
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
        risks = src.list("risk")
        serious = _serious_risks(src)
        text = f"{_count(len(risks), 'risk', 'risker')} har identifierats och bedömts."
        if serious:
            text += f" De allvarligaste är {_join([label for _, label in serious])}."
        return text
    if chapter == "sarbarheter":
        vulns = src.list("vulnerability")
        gaps = [v for v in vulns if v.vuln_type == "brist_krisberedskap"]
        caps = src.list("capability")
        # On the förmåga scale a higher value is weaker (1 God … 3 Bristande).
        worst = max((c.rating for c in caps if c.rating is not None), default=None)
        weak = [c.area for c in caps if worst is not None and worst > 1 and c.rating == worst]
        text = (f"{_count(len(vulns), 'sårbarhet', 'sårbarheter')} har beskrivits, varav "
                f"{_count(len(gaps), 'brist', 'brister')} i krisberedskapen.")
        if weak:
            text += f" Förmågan bedöms som svagast inom {_join([w.lower() for w in weak[:3]])}."
        return text
    if chapter == "atgarder":
        actions = src.list("action")
        open_ = [a for a in actions if is_open(a.status)]
        overdue = [a for a in open_ if is_overdue(a.status, a.deadline, today)]
        soon = [a for a in open_ if a.deadline and today <= a.deadline <= today + dt.timedelta(days=90)]
        done = [a for a in actions if a.status == DONE]
        text = (f"{_count(len(actions), 'åtgärd', 'åtgärder')} finns i handlingsplanen: {len(open_)} planerade "
                f"eller pågående och {len(done)} genomförda.")
        if soon:
            text += f" {_count(len(soon), 'åtgärd', 'åtgärder')} ska vara klara inom 90 dagar."
        if overdue:
            text += f" {_count(len(overdue), 'åtgärd är', 'åtgärder är')} försenade: {_join([a.hid for a in overdue])}."
        return text
    if chapter == "kontinuitet":
        plans = src.list("continuity_plan")
        critical = [f for f in src.list("function") if f.is_critical]
        covered = {p.function_id for p in plans}
        missing = [f.name for f in critical if f.id not in covered]
        text = (f"Det finns {_count(len(plans), 'kontinuitetsplan', 'kontinuitetsplaner')} för "
                f"{len(covered & {f.id for f in critical})} av {len(critical)} samhällsviktiga verksamheter.")
        if missing:
            text += f" Plan saknas för {_join(missing[:3])}{' m.fl.' if len(missing) > 3 else ''}."
        return text
    raise KeyError(chapter)


def draft_summary(svc: RsaService, aid: int, *, today: dt.date | None = None, public: bool = False) -> str:
    """The drafted sammanfattning; `public=True` for the öppet utdrag (made from public data only)."""
    a = svc.analysis(aid)
    org = svc.organisation()
    name = org.name if org else "Förvaltningen"
    src = _Source(svc, aid, public)
    parts = [f"{name} har genomfört risk- och sårbarhetsanalysen för {a.year}."]
    parts += [draft_chapter(svc, aid, ch, today=today, source=src) for ch in CHAPTERS]
    return "\n\n".join(p for p in parts if p)


def offer_summary(svc: RsaService, aid: int, *, today: dt.date | None = None) -> tuple[str, bool]:
    """(suggested text, whether it may be filled in directly): only an empty sammanfattning is filled."""
    return draft_summary(svc, aid, today=today), not svc.analysis(aid).summary.strip()
