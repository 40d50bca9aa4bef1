"""Automatic continuity-gap analysis (Qt-free): where acceptable and expected downtime do not meet.

For every samhällsviktig function (`is_critical`) and every dependency it has – directly, or through
a chain of dependencies (`dependency_dependency`: the IT system needs the network needs el) – the
tolerance is compared with the dependency's expected outage and its reserve:

* tolerance = the function–dependency link's tolerance, else the function's acceptabel avbrottstid.
  A dependency reached through a chain inherits the tolerance of the chain's first link (losing B7
  means losing B3, which V1 tolerates for that long). When a dependency is reached several ways the
  strictest tolerance counts, then the shortest chain; the chain is shown ("V1 → B3 → B7").
* expected outage > tolerance and no reserve → ``no_reserve`` (hög);
  reserve shorter than the outage → ``reserve_shorter_than_outage`` (hög when reserve + tolerance still
  do not cover the outage, else medel); a reserve of unknown length → ``restore_slower_than_tolerated``
  (medel); a reserve that covers the outage → ``restore_slower_than_tolerated`` (låg: the function
  depends on the reserve working).
* no reserve although the outage is within the tolerance → ``no_reserve`` (låg), medel when the
  expected outage or the tolerance is unknown.
* ``single_point_of_failure``: the dependency is marked as enda felpunkt (hög without reserve, else medel).

A dependency finding is reported once per dependency and rule, listing every verksamhet it concerns
(`functions`); its severity, headline and numbers are those of the verksamhet hit hardest.

And per critical function: ``no_mtd`` (no acceptabel avbrottstid), ``extern_without_continuity_clause``
(extern regi and the contract is not known to contain continuity requirements), ``no_continuity_plan``,
``plan_never_exercised`` and ``plan_not_exercised_12m`` (the plan's `last_exercised`, or the latest
exercise recorded for the plan, whichever is later).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass

from rsa_desktop.domain.actions import counts_as_treatment
from rsa_desktop.domain.durations import format_duration
from rsa_desktop.domain.ids import hid_key, hid_prefix
from rsa_desktop.domain.items import Item
from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.domain.severity import ACTION_PRIORITY, SEVERITIES, rank
from rsa_desktop.domain.severity import counts as severity_counts
from rsa_desktop.services.rsa import RsaService

RULES = {
    "no_mtd": "Acceptabel avbrottstid saknas",
    "no_reserve": "Reserv saknas",
    "reserve_shorter_than_outage": "Reserven räcker inte hela avbrottet",
    "restore_slower_than_tolerated": "Återställning tar längre tid än verksamheten tål",
    "single_point_of_failure": "Enda felpunkt",
    "extern_without_continuity_clause": "Extern regi utan kontinuitetskrav i avtalet",
    "no_continuity_plan": "Kontinuitetsplan saknas",
    "plan_never_exercised": "Kontinuitetsplanen har aldrig övats",
    "plan_not_exercised_12m": "Kontinuitetsplanen har inte övats på 12 månader",
}


@dataclass(frozen=True)
class GapFinding:
    rule: str  # a key of RULES
    severity: str  # "hög" | "medel" | "låg"
    function_id: int | None
    dependency_id: int | None
    title: str  # short Swedish headline
    explanation: str  # plain Swedish, with the numbers
    items: tuple[str, ...]  # human IDs involved: the verksamheter, then the chain, e.g. ("V1", "B3", "B7")
    suggested_action: str  # Swedish title for an action that would close the gap
    functions: tuple[str, ...] = ()  # every verksamhet concerned, in ID order (function_id: the hardest hit)

    @property
    def chain(self) -> str:
        """The items for display: "V1 → B3 → B7", or "V1, V2, V3 → B1" for a dependency several need."""
        if len(self.functions) > 1 and tuple(self.items[:len(self.functions)]) == self.functions:
            rest = self.items[len(self.functions):]
            return " → ".join((", ".join(self.functions), *rest))
        return " → ".join(self.items)

    @property
    def rule_label(self) -> str:
        return RULES.get(self.rule, self.rule)


def sort_key(f: GapFinding):
    return (rank(f.severity), tuple(hid_key(h) for h in f.items), f.rule)


def _one_year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _fmt(minutes: int | None) -> str:
    return format_duration(minutes) if minutes is not None else "okänd tid"


def _name(rec: Item) -> str:
    return rec.label


@dataclass(frozen=True)
class _Reach:
    dependency_id: int
    path: tuple[int, ...]  # dependency ids from the direct dependency to this one
    tolerance: int | None
    tolerance_from_link: bool


def dependency_paths(deps: dict[int, Item], edges: dict[int, list[int]], start: int) -> dict[int, tuple[int, ...]]:
    """Shortest chain (breadth first, neighbours in ID order) from `start` to every dependency below it."""
    out = {start: (start,)}
    todo = deque([start])
    while todo:
        cur = todo.popleft()
        for nxt in sorted(edges.get(cur, ()), key=lambda i: hid_key(deps[i].hid)):
            if nxt not in out:
                out[nxt] = out[cur] + (nxt,)
                todo.append(nxt)
    return out


def reachable(svc: RsaService, analysis_id: int) -> dict[int, dict[int, _Reach]]:
    """For every function: each dependency it relies on, directly or through chains, with the chain."""
    functions = {f.id: f for f in svc.list("function", analysis_id)}
    deps = {d.id: d for d in svc.list("dependency", analysis_id)}
    return _reachable(functions, deps, svc.links("function_dependency", analysis_id=analysis_id),
                      svc.links("dependency_dependency", analysis_id=analysis_id))


def _reachable(functions, deps, fd_links, dd_links) -> dict[int, dict[int, _Reach]]:
    edges: dict[int, list[int]] = {}
    for link in dd_links:
        edges.setdefault(link.left_id, []).append(link.right_id)
    paths_cache: dict[int, dict[int, tuple[int, ...]]] = {}
    direct: dict[int, list] = {}
    for link in fd_links:
        direct.setdefault(link.left_id, []).append(link)
    inf = float("inf")
    hid_keys: dict[int, tuple] = {}  # dependency id → hid_key, computed once (not once per chain and function)
    result: dict[int, dict[int, _Reach]] = {}
    for fid, f in functions.items():
        best: dict[int, tuple] = {}
        for link in direct.get(fid, ()):
            tol_link = link.attrs.get("tolerance")
            tol = tol_link if tol_link is not None else f.max_tolerable_downtime
            if link.right_id not in paths_cache:
                paths = dependency_paths(deps, edges, link.right_id)
                for i in {i for path in paths.values() for i in path} - hid_keys.keys():
                    hid_keys[i] = hid_key(deps[i].hid)
                paths_cache[link.right_id] = {target: (path, (len(path), tuple(hid_keys[i] for i in path)))
                                              for target, path in paths.items()}
            for target, (path, order) in paths_cache[link.right_id].items():
                key = (inf if tol is None else tol, *order)
                if target not in best or key < best[target][0]:
                    best[target] = (key, _Reach(target, path, tol, tol_link is not None))
        result[fid] = {t: r for t, (_, r) in best.items()}
    return result


def analyse_gaps(svc: RsaService, analysis_id: int, *, today: dt.date | None = None,
                 include_secret: bool = True) -> list[GapFinding]:
    """Every continuity gap of the analysis, sorted by severity, then by the items involved.

    `today` decides what "within 12 months" means (default: today's date). With
    `include_secret=False` findings that involve an item marked secret are left out (öppet utdrag).
    """
    from rsa_desktop.services.impact import propose_mtd
    from rsa_desktop.services.source import read_source

    today = today or dt.date.today()
    svc = read_source(svc, analysis_id)  # one read of the analysis instead of a query per plan and list
    functions = {f.id: f for f in svc.list("function", analysis_id)}
    deps = {d.id: d for d in svc.list("dependency", analysis_id)}
    reach = _reachable(functions, deps, svc.links("function_dependency", analysis_id=analysis_id),
                       svc.links("dependency_dependency", analysis_id=analysis_id))
    plans = svc.list("continuity_plan", analysis_id)
    exercised: dict[int, dt.date] = {}
    for ex in svc.list("exercise", analysis_id):
        if ex.plan_id is not None and ex.date is not None and ex.date <= today:
            if ex.plan_id not in exercised or ex.date > exercised[ex.plan_id]:
                exercised[ex.plan_id] = ex.date
    fallbacks: dict[tuple[int, int], tuple[str, int | None]] = {}  # (function, dependency) → (plan, duration)
    for p in plans:
        if p.function_id is None or not functions.get(p.function_id, None) or not functions[p.function_id].is_critical:
            continue
        for fb in svc.list("fallback", p.id):
            if fb.dependency_id is not None:
                fallbacks.setdefault((p.function_id, fb.dependency_id), (p.hid, fb.duration))
    scales = svc.scales(analysis_id)
    impacts = svc.all_impacts(analysis_id)
    plans_of: dict[int, list[Item]] = {}
    for p in plans:
        plans_of.setdefault(p.function_id, []).append(p)
    out: list[GapFinding] = []

    for fid, f in functions.items():
        if not f.is_critical:
            continue
        fn = _name(f)
        # -- the function itself ---------------------------------------------------------
        if f.max_tolerable_downtime is None:
            proposal = propose_mtd(scales, impacts.get(fid, {}))
            hint = (f" Utifrån konsekvensbedömningen över tid föreslås {proposal.horizon_label}."
                    if proposal.minutes is not None else " Bedöm konsekvensen över tid för att få ett förslag.")
            out.append(GapFinding(
                "no_mtd", "hög", fid, None, f"{f.hid}: acceptabel avbrottstid saknas",
                f"{fn} är samhällsviktig men har ingen acceptabel avbrottstid. Utan den går det inte att "
                f"avgöra om beroendenas reserver räcker.{hint}",
                (f.hid,), f"Bestäm acceptabel avbrottstid för {fn}"))
        if f.operation == "extern" and f.continuity_in_contract is not True:
            known = f.continuity_in_contract is False
            supplier = f" ({f.supplier})" if f.supplier else ""
            out.append(GapFinding(
                "extern_without_continuity_clause", "hög" if known else "medel", fid, None,
                f"{f.hid}: extern regi utan kontinuitetskrav i avtalet",
                f"{fn} drivs i extern regi{supplier}, och avtalet "
                + ("innehåller inga krav på kontinuitet." if known else "är inte kontrollerat för krav på kontinuitet.")
                + " Samhällsviktig verksamhet i extern regi ska hålla samma säkerhetsnivå som i egen regi.",
                (f.hid,), f"Ställ krav på kontinuitet och reservrutiner i avtalet för {fn}"))
        own_plans = plans_of.get(fid, [])
        if not own_plans:
            out.append(GapFinding(
                "no_continuity_plan", "hög", fid, None, f"{f.hid}: kontinuitetsplan saknas",
                f"{fn} är samhällsviktig men har ingen kontinuitetsplan. Planen ska ange hur verksamheten hålls "
                f"på lägsta acceptabla nivå när ett kritiskt beroende faller bort.",
                (f.hid,), f"Ta fram en kontinuitetsplan för {fn}"))
        for p in own_plans:
            last = max((d for d in (p.last_exercised, exercised.get(p.id)) if d is not None), default=None)
            if last is None:
                out.append(GapFinding(
                    "plan_never_exercised", "medel", fid, None, f"{p.hid}: planen har aldrig övats",
                    f"Kontinuitetsplanen {_name(p)} för {fn} har inte övats. En plan som inte är övad fungerar "
                    f"sällan när den behövs.", (f.hid, p.hid), f"Öva kontinuitetsplanen {_name(p)}"))
            elif last < _one_year_before(today):
                months = (today.year - last.year) * 12 + today.month - last.month - (today.day < last.day)
                out.append(GapFinding(
                    "plan_not_exercised_12m", "låg", fid, None, f"{p.hid}: inte övad på {months} månader",
                    f"Kontinuitetsplanen {_name(p)} för {fn} övades senast {last.isoformat()}, för {months} "
                    f"månader sedan. Planen bör övas minst en gång om året.",
                    (f.hid, p.hid), f"Öva kontinuitetsplanen {_name(p)}"))

        # -- its dependencies, direct and through chains -----------------------------------
        for did, r in reach.get(fid, {}).items():
            d = deps[did]
            items = (f.hid, *(deps[i].hid for i in r.path))
            chain = " → ".join(items)
            via = f" (via {chain})" if len(r.path) > 1 else ""
            dn = _name(d)
            tol, out_t = r.tolerance, d.expected_outage
            res = d.reserve_duration if d.has_reserve else None
            tol_text = (f"tål att vara utan {deps[r.path[0]].hid} i {_fmt(tol)}" if r.tolerance_from_link
                        else f"har en acceptabel avbrottstid på {_fmt(tol)}")
            if len(r.path) > 1:
                tol_text += f", och {deps[r.path[0]].hid} fungerar inte utan {d.hid}"

            plan_note = ""
            if not d.has_reserve and (fid, did) in fallbacks:
                plan_hid, fb_duration = fallbacks[(fid, did)]
                plan_note = (f" Kontinuitetsplanen {plan_hid} har en reservrutin för {d.hid}"
                             + (f" som räcker {_fmt(fb_duration)}" if fb_duration is not None else "")
                             + ", men beroendet är inte markerat med reserv; stäm av uppgifterna.")

            def add(rule, severity, title, explanation, action, fid=fid, did=did, plan_note=plan_note, items=items,
                    f=f):  # called within this iteration; the defaults only say so to the reader and to ruff
                out.append(GapFinding(rule, severity, fid, did, title, explanation + plan_note, items, action,
                                      (f.hid,)))

            if out_t is not None and tol is not None and out_t > tol:
                base = f"{fn} {tol_text}. Ett avbrott i {dn}{via} väntas vara i {_fmt(out_t)}"
                if not d.has_reserve:
                    add("no_reserve", "hög", f"{d.hid}: ingen reserv, {_fmt(out_t)} avbrott mot {_fmt(tol)} tolerans",
                        f"{base}, och det finns ingen reserv. Glappet är {_fmt(out_t - tol)}.",
                        f"Ordna reserv för {dn} som räcker ett avbrott på {_fmt(out_t)}")
                elif res is None:
                    add("restore_slower_than_tolerated", "medel",
                        f"{d.hid}: återställning {_fmt(out_t)} mot {_fmt(tol)} tolerans",
                        f"{base}. Det finns en reserv, men det står inte hur länge den räcker.",
                        f"Ta reda på hur länge reserven för {dn} räcker")
                elif res < out_t:
                    uncovered = out_t - res - tol
                    severe = uncovered > 0
                    add("reserve_shorter_than_outage", "hög" if severe else "medel",
                        f"{d.hid}: reserven räcker {_fmt(res)} av {_fmt(out_t)}",
                        f"{base}, men reserven räcker bara {_fmt(res)}. "
                        + (f"Även med reserven saknas {_fmt(uncovered)}." if severe else
                           "Reserven och verksamhetens tolerans räcker tillsammans precis, utan marginal."),
                        f"Förläng reserven för {dn} till minst {_fmt(out_t)}")
                else:
                    add("restore_slower_than_tolerated", "låg",
                        f"{d.hid}: återställning {_fmt(out_t)} mot {_fmt(tol)} tolerans, reserven täcker",
                        f"{base}. Reserven räcker {_fmt(res)} och täcker avbrottet, så verksamheten är beroende "
                        f"av att reserven fungerar.", f"Öva reserven för {dn}")
            elif not d.has_reserve:
                if out_t is None or tol is None:
                    unknown = "förväntad avbrottstid" if out_t is None else "tolerans"
                    add("no_reserve", "medel", f"{d.hid}: ingen reserv och okänd {unknown}",
                        f"{fn} är beroende av {dn}{via}. Det finns ingen reserv, och {unknown} är inte angiven, så "
                        f"det går inte att avgöra om verksamheten klarar ett avbrott.",
                        f"Bedöm avbrottstid och ordna reserv för {dn}")
                else:
                    add("no_reserve", "låg", f"{d.hid}: ingen reserv",
                        f"{fn} {tol_text}. Ett avbrott i {dn}{via} väntas vara i {_fmt(out_t)}, vilket ryms inom "
                        f"toleransen, men det finns ingen reserv om avbrottet blir längre.",
                        f"Ordna reserv för {dn}")
            if d.single_point_of_failure:
                add("single_point_of_failure", "medel" if d.has_reserve else "hög", f"{d.hid}: enda felpunkt",
                    f"{dn} är en enda felpunkt för {fn}{via}: om den faller bort finns ingen annan väg"
                    + (", och det finns ingen reserv." if not d.has_reserve else
                       f". Reserven räcker {_fmt(res)}." if res is not None else "; reservens uthållighet är okänd."),
                    f"Minska sårbarheten i {dn} (redundans eller alternativ leverantör)")

    if not include_secret:  # the öppet utdrag's rule for derived findings (domain/public.py)
        from rsa_desktop.domain.public import select

        kept = select({"function": list(functions.values()), "dependency": list(deps.values()),
                       "continuity_plan": list(plans)})
        out = [x for x in out if kept.keeps_finding(x)]
    out = group_per_dependency(out, functions)
    out.sort(key=sort_key)
    return out


def group_per_dependency(found: list[GapFinding], functions: dict[int, Item]) -> list[GapFinding]:
    """One finding per (dependency, rule) instead of one per verksamhet: "B1: enda felpunkt" once, for
    V1, V2, V3 and V4. The hardest-hit verksamhet (worst severity, then ID order) gives the headline."""
    groups: dict[tuple[int, str], list[GapFinding]] = {}
    out: list[GapFinding] = []
    for f in found:
        if f.dependency_id is None:
            out.append(f)
        else:
            groups.setdefault((f.dependency_id, f.rule), []).append(f)
    for members in groups.values():
        members.sort(key=lambda g: (rank(g.severity), hid_key(g.items[0])))
        first = members[0]
        if len(members) == 1:
            out.append(first)
            continue
        hids = tuple(sorted(dict.fromkeys(g.items[0] for g in members), key=hid_key))
        others = [functions[g.function_id] for g in members[1:] if g.function_id in functions]
        names = ", ".join(_name(o) for o in others)
        explanation = (first.explanation + f" Samma brist gäller också {names}: alla {len(hids)} verksamheter "
                       f"({', '.join(hids)}) behöver {first.items[-1]}.")
        out.append(GapFinding(first.rule, first.severity, first.function_id, first.dependency_id, first.title,
                              explanation, hids + first.items[1:], first.suggested_action, hids))
    return out


def per_dependency(found: list[GapFinding]) -> list[tuple[int | None, list[GapFinding]]]:
    """Findings grouped by dependency, as the reports print them: (dependency_id, its findings) with the
    most severe dependency first (then in finding order), and the findings about a verksamhet itself
    (dependency_id None) last."""
    groups: dict[int | None, list[GapFinding]] = {}
    for f in sorted(found, key=sort_key):
        groups.setdefault(f.dependency_id, []).append(f)
    order = sorted((k for k in groups if k is not None),
                   key=lambda k: (min(rank(g.severity) for g in groups[k]), sort_key(groups[k][0])))
    return [(k, groups[k]) for k in order] + ([(None, groups[None])] if None in groups else [])


def worst(severities) -> str | None:
    """The most severe of some severities (None when there are none)."""
    found = [s for s in severities if s in SEVERITIES]
    return min(found, key=rank) if found else None


def summary(findings: list[GapFinding]) -> dict[str, int]:
    """Count per severity, for headlines ("3 höga, 5 medel, 2 låga")."""
    return severity_counts(f.severity for f in findings)


_PREFIX_KIND = {spec.prefix: kind for kind, spec in KINDS.items() if spec.prefix}


def _resolve(svc: RsaService, analysis_id: int, hid: str) -> Item | None:
    kind = _PREFIX_KIND.get(hid_prefix(hid))
    return svc.find_by_hid(kind, analysis_id, hid) if kind else None


def _action_text(finding: GapFinding) -> str:
    return (f"Förslag från kontinuitetsanalysen ({finding.rule_label.lower()}, allvarlighet {finding.severity}).\n"
            f"{finding.explanation}\nBerör: {finding.chain}")


def find_action_for_finding(svc: RsaService, analysis_id: int, finding: GapFinding) -> Item | None:
    """An action that already answers this finding, if any (see `actions_for_findings`)."""
    return actions_for_findings(svc, analysis_id, [finding]).get(0)


def actions_for_findings(svc: RsaService, analysis_id: int, found: list[GapFinding]) -> dict[int, Item]:
    """Finding index → an action that already answers it: one created from it (same title, linked to
    one of its verksamheter), else, for a dependency finding, an action linked to that dependency
    that is not avbruten (it was planned for the dependency by hand)."""
    if not found:
        return {}
    actions = svc.list("action", analysis_id)
    by_title: dict[str, list[Item]] = {}
    for a in actions:
        by_title.setdefault(a.title, []).append(a)
    by_id = {a.id: a for a in actions}
    af = {(l.left_id, l.right_id) for l in svc.links("action_function", analysis_id=analysis_id)}
    on_dependency: dict[int, list[Item]] = {}
    for l in svc.links("action_dependency", analysis_id=analysis_id):
        a = by_id.get(l.left_id)
        if a is not None and counts_as_treatment(a.status):
            on_dependency.setdefault(l.right_id, []).append(a)
    fid_of = {f.hid: f.id for f in svc.list("function", analysis_id)}
    out: dict[int, Item] = {}
    for i, f in enumerate(found):
        fids = {fid_of[h] for h in (f.functions or ()) if h in fid_of} | ({f.function_id} - {None})
        match = next((a for a in by_title.get(f.suggested_action, ())
                      if not fids or any((a.id, fid) in af for fid in fids)), None)
        if match is None and f.dependency_id is not None:
            linked = sorted(on_dependency.get(f.dependency_id, ()), key=lambda a: hid_key(a.hid))
            match = linked[0] if linked else None
        if match is not None:
            out[i] = match
    return out


def create_action_from_finding(svc: RsaService, analysis_id: int, finding: GapFinding) -> Item:
    """Create the suggested action (status planerad, priority from the severity) and link it to the
    function and every dependency the finding involves. One transaction."""
    with svc.batch():
        action = svc.create("action", analysis_id, title=finding.suggested_action, description=_action_text(finding),
                            status="planerad", priority=ACTION_PRIORITY.get(finding.severity, "medel"))
        function_ids = {finding.function_id} - {None}
        dependency_ids = {finding.dependency_id} - {None}
        for hid in finding.items:
            rec = _resolve(svc, analysis_id, hid)
            if rec is None:
                continue
            if rec.kind == "function":
                function_ids.add(rec.id)
            elif rec.kind == "dependency":
                dependency_ids.add(rec.id)
        for fid in sorted(function_ids):
            svc.link("action_function", action.id, fid)
        for did in sorted(dependency_ids):
            svc.link("action_dependency", action.id, did)
        return svc.get("action", action.id)
