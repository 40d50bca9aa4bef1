"""Uppföljning: what changed between the previous year's analysis and this year's (Qt-free).

Items are matched through the `CarriedFrom` rows that `services.carry.carry_forward` writes; an item
without such a row is matched by its human ID (V3 ↔ V3), so two analyses that were not carried forward
(for example one imported from Excel) can be compared too. Human IDs are never reused within an
analysis, and carried items keep theirs, so the fall-back cannot match two different items.

`compare()` reports:

* new and removed items of every kind (the view shows verksamheter, beroenden and risker) and new and
  removed verksamhet–beroende links;
* risks that moved in the matrix: old and new (sannolikhet, sammanvägd konsekvens) and colour band,
  for drawing arrows;
* åtgärder: completed since (a carried action now genomförd, or one the previous year finished and so
  did not carry), cancelled, overdue now (open with a passed deadline, carried or new), still open and
  carried over (in time), open but gone from this year without being completed ("dropped"), and new this
  year (not overdue).

Every action lands in exactly one of these groups, so the counts add up: an overdue action is listed
under "försenade" only, whether it was carried over or is new this year (`_action_group` is the rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rsa_desktop.domain.actions import CANCELLED, DONE, is_open, is_overdue
from rsa_desktop.domain.ids import hid_key as _hid_key
from rsa_desktop.domain.items import Item
from rsa_desktop.domain.kinds import ITEM_KINDS, KINDS
from rsa_desktop.domain.pairing import pair_with_previous
from rsa_desktop.domain.scales import risk_value
from rsa_desktop.services.rsa import RsaService

VIEW_KINDS = ("function", "dependency", "risk")


@dataclass(frozen=True)
class ItemRef:
    kind: str
    hid: str
    title: str
    previous_id: int | None
    current_id: int | None


@dataclass(frozen=True)
class LinkRef:
    function_hid: str
    dependency_hid: str
    tolerance: int | None


@dataclass(frozen=True)
class RiskMove:
    hid: str
    title: str
    previous_id: int
    current_id: int
    old_likelihood: int | None
    old_consequence: int | None
    new_likelihood: int | None
    new_consequence: int | None
    old_band: str
    new_band: str

    @property
    def old_score(self) -> int | None:
        return risk_value(self.old_likelihood, self.old_consequence)

    @property
    def new_score(self) -> int | None:
        return risk_value(self.new_likelihood, self.new_consequence)

    @property
    def direction(self) -> str:
        """"högre", "lägre" or "oförändrad" (riskvärde), "ny bedömning" or "bedömning borttagen"."""
        o, n = self.old_score, self.new_score
        if o is None and n is None:
            return "oförändrad"
        if o is None:
            return "ny bedömning"
        if n is None:
            return "bedömning borttagen"
        return "högre" if n > o else "lägre" if n < o else "oförändrad"

    def describe(self) -> str:
        """"sannolikhet 3 → 1, konsekvens 4 (lägre; Hög → Måttlig)" – the move in words."""
        def part(word: str, old: int | None, new: int | None) -> str:
            if old == new:
                return f"{word} {old}" if old is not None else f"{word} ej bedömd"
            shown = lambda v: "ej bedömd" if v is None else str(v)  # noqa: E731
            return f"{word} {shown(old)} → {shown(new)}"

        text = ", ".join((part("sannolikhet", self.old_likelihood, self.new_likelihood),
                          part("konsekvens", self.old_consequence, self.new_consequence)))
        notes = [{"oförändrad": "samma riskvärde"}.get(self.direction, self.direction)]
        if self.old_band != self.new_band and self.old_band and self.new_band:
            notes.append(f"{self.old_band} → {self.new_band}")
        return f"{text} ({'; '.join(notes)})"


@dataclass(frozen=True)
class ActionFollowUp:
    hid: str
    title: str
    previous_id: int | None
    current_id: int | None
    previous_status: str  # "" when the action is new this year
    current_status: str  # "" when it is not in this year
    deadline: dt.date | None
    owner: str = ""


@dataclass(frozen=True)
class Comparison:
    previous_id: int
    current_id: int
    previous_year: int
    current_year: int
    new: dict[str, tuple[ItemRef, ...]]  # kind → items only this year has
    removed: dict[str, tuple[ItemRef, ...]]  # kind → items only the previous year has
    matched: dict[str, dict[int, int]]  # kind → {current id: previous id}
    new_links: tuple[LinkRef, ...]
    removed_links: tuple[LinkRef, ...]
    moved_risks: tuple[RiskMove, ...]
    actions_completed: tuple[ActionFollowUp, ...]
    actions_cancelled: tuple[ActionFollowUp, ...]
    actions_carried_over: tuple[ActionFollowUp, ...]
    actions_dropped: tuple[ActionFollowUp, ...]
    actions_new: tuple[ActionFollowUp, ...]
    actions_overdue: tuple[ActionFollowUp, ...]
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def empty(self) -> bool:
        return not (any(self.new.values()) or any(self.removed.values()) or self.moved_risks
                    or self.new_links or self.removed_links or self.actions_completed or self.actions_cancelled
                    or self.actions_dropped or self.actions_new)

    def summary(self) -> list[str]:
        """Swedish lines for the top of the Uppföljning view."""
        out = []
        for kind in VIEW_KINDS:
            plural = KINDS[kind].plural.lower()
            n, r = len(self.new[kind]), len(self.removed[kind])
            if n or r:
                out.append(f"{plural.capitalize()}: {n} nya, {r} borttagna sedan {self.previous_year}.")
        if self.moved_risks:
            up = sum(1 for m in self.moved_risks if m.direction == "högre")
            down = sum(1 for m in self.moved_risks if m.direction == "lägre")
            n = len(self.moved_risks)
            out.append(f"{n} {'risk' if n == 1 else 'risker'} har flyttats i riskmatrisen ({up} högre, {down} lägre).")
        out.append(f"Åtgärder: {len(self.actions_completed)} genomförda, {len(self.actions_overdue)} försenade, "
                    f"{len(self.actions_carried_over)} överförda och öppna i tid, {len(self.actions_new)} nya "
                    f"(varje åtgärd räknas en gång).")
        if self.actions_dropped:
            out.append(f"{len(self.actions_dropped)} öppna åtgärder från {self.previous_year} finns inte med i "
                       f"{self.current_year} och är inte markerade som genomförda.")
        return out


def _match(svc: RsaService, previous_id: int, current_id: int, prev: dict[str, dict[int, Item]],
           cur: dict[str, dict[int, Item]], kinds: tuple[str, ...] = ITEM_KINDS) -> dict[str, dict[int, int]]:
    carried = svc.carried_from(current_id)
    return {kind: pair_with_previous({i: r.hid for i, r in cur[kind].items()},
                                     {i: r.hid for i, r in prev[kind].items()},
                                     {item_id: src for (k, item_id), src in carried.items() if k == kind},
                                     previous_id)
            for kind in kinds}


def paired(svc: RsaService, previous_id: int, current_id: int, kind: str) -> dict[int, int]:
    """{current id: previous id} of one kind between two analyses: what Uppföljning compares, for any view
    that shows last year beside this one (domain.pairing is the rule)."""
    prev = {kind: {r.id: r for r in svc.list(kind, previous_id)}}
    cur = {kind: {r.id: r for r in svc.list(kind, current_id)}}
    return _match(svc, previous_id, current_id, prev, cur, (kind,))[kind]


def compare(svc: RsaService, previous_id: int, current_id: int, *, today: dt.date | None = None) -> Comparison:
    """What changed from analysis `previous_id` to analysis `current_id`."""
    today = today or dt.date.today()
    pa, ca = svc.analysis(previous_id), svc.analysis(current_id)
    prev = {k: {r.id: r for r in svc.list(k, previous_id)} for k in ITEM_KINDS}
    cur = {k: {r.id: r for r in svc.list(k, current_id)} for k in ITEM_KINDS}
    matched = _match(svc, previous_id, current_id, prev, cur)

    def ref(kind: str, rec: Item, pid: int | None, cid: int | None) -> ItemRef:
        title = str(rec.get(KINDS[kind].title_field) or "")
        return ItemRef(kind, rec.hid, title, pid, cid)

    new, removed = {}, {}
    for kind in ITEM_KINDS:
        back = set(matched[kind].values())
        new[kind] = tuple(sorted((ref(kind, r, None, r.id) for cid, r in cur[kind].items()
                                  if cid not in matched[kind]), key=lambda x: _hid_key(x.hid)))
        removed[kind] = tuple(sorted((ref(kind, r, r.id, None) for pid, r in prev[kind].items() if pid not in back),
                                     key=lambda x: _hid_key(x.hid)))

    # Function–dependency links, compared by the previous year's ids (an unmatched item by its own).
    def link_set(aid: int, recs, to_prev: dict[str, dict[int, int]] | None):
        def key(kind: str, item_id: int):
            if to_prev is None:
                return ("p", item_id)
            return ("p", to_prev[kind][item_id]) if item_id in to_prev[kind] else ("c", item_id)

        out = {}
        for lr in svc.links("function_dependency", analysis_id=aid):
            f, d = recs["function"].get(lr.left_id), recs["dependency"].get(lr.right_id)
            if f is not None and d is not None:
                out[(key("function", f.id), key("dependency", d.id))] = LinkRef(f.hid, d.hid,
                                                                                lr.attrs.get("tolerance"))
        return out

    prev_links = link_set(previous_id, prev, None)
    cur_links = link_set(current_id, cur, matched)
    order = lambda lr: (_hid_key(lr.function_hid), _hid_key(lr.dependency_hid))  # noqa: E731
    new_links = tuple(sorted((v for k, v in cur_links.items() if k not in prev_links), key=order))
    removed_links = tuple(sorted((v for k, v in prev_links.items() if k not in cur_links), key=order))

    # Risks in the matrix.
    ps, cs = svc.scales(previous_id), svc.scales(current_id)
    pcons, ccons = svc.all_consequences(previous_id), svc.all_consequences(current_id)
    moves = []
    for cid, pid in matched["risk"].items():
        p, c = prev["risk"][pid], cur["risk"][cid]
        oc, nc = ps.overall(pcons.get(pid, {})), cs.overall(ccons.get(cid, {}))
        if (p.likelihood, oc) != (c.likelihood, nc):
            ob, nb = ps.band(p.likelihood, oc), cs.band(c.likelihood, nc)
            moves.append(RiskMove(c.hid, c.title, pid, cid, p.likelihood, oc, c.likelihood, nc,
                                  ob.label if ob else "", nb.label if nb else ""))
    moves.sort(key=lambda m: _hid_key(m.hid))

    # Actions: each lands in one group (_action_group).
    groups: dict[str, list[ActionFollowUp]] = {g: [] for g in ACTION_GROUPS}
    back = {pid: cid for cid, pid in matched["action"].items()}
    for pid, p in prev["action"].items():
        cid = back.get(pid)
        c = cur["action"].get(cid) if cid is not None else None
        item = ActionFollowUp(p.hid, p.title, pid, cid, p.status, c.status if c else "",
                              c.deadline if c else p.deadline, c.owner if c else p.owner)
        group = _action_group(p, c, today)
        if group:
            groups[group].append(item)
    for cid, c in cur["action"].items():
        pid = matched["action"].get(cid)
        if pid is not None:
            continue  # judged above, with its previous year
        group = _action_group(None, c, today)
        if group:
            groups[group].append(ActionFollowUp(c.hid, c.title, None, cid, "", c.status, c.deadline, c.owner))
    key = lambda a: _hid_key(a.hid)  # noqa: E731
    g = {name: tuple(sorted(items, key=key)) for name, items in groups.items()}
    return Comparison(
        previous_id, current_id, pa.year, ca.year, new, removed, matched, new_links, removed_links, tuple(moves),
        g["completed"], g["cancelled"], g["carried_over"], g["dropped"], g["new"], g["overdue"], today)


ACTION_GROUPS = ("completed", "cancelled", "overdue", "carried_over", "dropped", "new")


def _action_group(previous: Item | None, current: Item | None, today: dt.date) -> str:
    """The one follow-up group of an action ("" = nothing to report, e.g. finished in both years).

    Order matters: done or cancelled since last year first, then overdue (open with a passed deadline, carried
    or new: it needs attention whatever its origin), then open and in time (carried over, or new this year),
    then open last year but gone without being finished."""
    if current is None:
        if previous is None:
            return ""
        if previous.status == DONE:
            return "completed"
        if previous.status == CANCELLED:
            return "cancelled"
        return "dropped" if is_open(previous.status) else ""
    if current.status == DONE:
        return "completed" if previous is None or previous.status != DONE else ""
    if current.status == CANCELLED:
        return "cancelled" if previous is None or previous.status != CANCELLED else ""
    if is_overdue(current.status, current.deadline, today):
        return "overdue"
    if previous is None:
        return "new"
    return "carried_over" if is_open(current.status) and is_open(previous.status) else ""


def previous_analysis(svc: RsaService, analysis_id: int) -> Item | None:
    """The analysis this one was carried forward from, else the latest earlier year in the file."""
    sources = {src for src, _ in svc.carried_from(analysis_id).values()}
    analyses = svc.analyses()
    if len(sources) == 1:
        sid = next(iter(sources))
        found = next((a for a in analyses if a.id == sid), None)
        if found is not None:
            return found
    year = svc.analysis(analysis_id).year
    earlier = [a for a in analyses if a.year < year]
    return earlier[-1] if earlier else None


__all__ = ["compare", "paired", "previous_analysis", "Comparison", "ItemRef", "LinkRef", "RiskMove", "ActionFollowUp"]
