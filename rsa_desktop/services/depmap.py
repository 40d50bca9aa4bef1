"""The dependency map as data (Qt-free): functions and dependencies as a layered graph.

Nodes are functions ("V1") and dependencies ("B3"); edges are "serves" (a dependency serves a
function: source = dependency, target = function, with the link's tolerance) and "depends_on" (source
= dependency, target = the dependency it needs). Shared dependencies – serving several functions or
provided by another organisation in the city – are marked, and nodes and edges carry the worst
severity of the continuity gaps that involve them (see `services.gaps`).

The layout is deterministic and needs no graph library: functions in column 0, dependencies in
columns 1… by their level (`dependency_levels`: the fewest steps from a function, so a dependency a
function needs directly is always level 1, whatever else needs it too); rows are ordered by the
barycentre of the neighbours in earlier columns. A "depends_on" edge may therefore stay in its column
or point back to a lower level.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rsa_desktop.services.gaps import GapFinding, analyse_gaps, hid_key, worst
from rsa_desktop.services.rsa import RsaService

SHARED_MIN_FUNCTIONS = 3  # a dependency serving at least this many functions directly is "shared"


@dataclass(frozen=True)
class Node:
    id: str  # human ID, "V1" / "B3"
    kind: str  # "function" | "dependency"
    label: str  # the name
    shared: bool
    severity: str | None  # worst gap severity involving the node, None without gaps
    db_id: int = 0
    critical: bool = False  # functions: samhällsviktig
    secret: bool = False
    dep_type: str = ""
    provider_org: str = ""
    functions_served: int = 0  # dependencies: functions relying on it directly or through chains
    column: int = 0  # layout: 0 = functions, 1… = dependency layers
    row: int = 0  # layout: position in the column, 0 at the top
    x: float = 0.0  # layout coordinates (column, centred row), for drawing
    y: float = 0.0


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # "serves" (dependency → function) | "depends_on" (dependency → the dependency it needs)
    tolerance: int | None  # minutes, "serves" only
    severity: str | None


@dataclass(frozen=True)
class DependencyGraph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    columns: int  # number of layout columns
    rows: int  # rows in the tallest column
    findings: tuple[GapFinding, ...] = ()

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def edge(self, source: str, target: str) -> Edge:
        for e in self.edges:
            if e.source == source and e.target == target:
                return e
        raise KeyError((source, target))

    @property
    def shared(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.shared)

    def column(self, index: int) -> tuple[Node, ...]:
        return tuple(sorted((n for n in self.nodes if n.column == index), key=lambda n: n.row))


def dependency_levels(dependencies, direct, needs) -> dict:
    """The level ("nivå") of each dependency: 1 + the fewest "needs" steps from a dependency that a
    function needs directly. The one rule for the map's columns (UI and PDF).

    `dependencies`: the ids, in order; `direct`: the ids some function needs directly (level 1,
    whatever else also needs them); `needs`: id → ids of the dependencies it needs. A dependency no
    function reaches is placed as if its top-most dependencies (those nothing needs) were level 1;
    a cycle nothing leads into starts at its first member.
    """
    order = list(dependencies)
    known = set(order)
    level: dict = {}

    def spread(frontier: list) -> None:
        while frontier:
            nxt = []
            for cur in frontier:
                for below in needs.get(cur, ()):
                    if below in known and below not in level:
                        level[below] = level[cur] + 1
                        nxt.append(below)
            frontier = nxt

    roots = [d for d in order if d in direct]
    for d in roots:
        level[d] = 1
    spread(roots)
    while len(level) < len(order):  # parts of the graph no function reaches
        rest = [d for d in order if d not in level]
        needed = {b for d in rest for b in needs.get(d, ()) if b in known}
        tops = [d for d in rest if d not in needed] or rest[:1]
        for d in tops:
            level[d] = 1
        spread(tops)
    return level


def _spread(i: int, n: int, rows: int) -> float:
    """Row coordinate of the i-th of n nodes, spread evenly over the tallest column's height."""
    return round((i + 0.5) * rows / n - 0.5, 4) if n else 0.0


def build_graph(svc: RsaService, analysis_id: int, *, include_secret: bool = True,
                shared_min: int = SHARED_MIN_FUNCTIONS, today: dt.date | None = None,
                findings: list[GapFinding] | None = None, critical_only: bool = False) -> DependencyGraph:
    """The analysis' dependency map. `include_secret=False` leaves out secret items (öppet utdrag);
    `critical_only=True` keeps only samhällsviktiga functions and the dependencies they reach (a
    smaller map for large analyses)."""
    from rsa_desktop.domain.public import is_marked

    functions = [f for f in svc.list("function", analysis_id)
                 if (include_secret or not is_marked(f)) and (f.is_critical or not critical_only)]
    deps = [d for d in svc.list("dependency", analysis_id) if include_secret or not is_marked(d)]
    fids = {f.id: f for f in functions}
    dids = {d.id: d for d in deps}
    fd = [l for l in svc.links("function_dependency", analysis_id=analysis_id)
          if l.left_id in fids and l.right_id in dids]
    dd = [l for l in svc.links("dependency_dependency", analysis_id=analysis_id)
          if l.left_id in dids and l.right_id in dids]
    if critical_only:
        below: dict[int, list[int]] = {}
        for l in dd:
            below.setdefault(l.left_id, []).append(l.right_id)
        keep, todo = set(), [l.right_id for l in fd]
        while todo:
            cur = todo.pop()
            if cur not in keep:
                keep.add(cur)
                todo += below.get(cur, [])
        deps = [d for d in deps if d.id in keep]
        dids = {d.id: d for d in deps}
        dd = [l for l in dd if l.left_id in dids and l.right_id in dids]
    if findings is None:
        findings = analyse_gaps(svc, analysis_id, today=today, include_secret=include_secret)
    org = svc.organisation()
    own_org = (org.name if org else "").strip().lower()

    # functions served, directly or through chains
    parents: dict[int, list[int]] = {}  # dependency → dependencies that need it
    for l in dd:
        parents.setdefault(l.right_id, []).append(l.left_id)
    direct: dict[int, set[int]] = {}
    for l in fd:
        direct.setdefault(l.right_id, set()).add(l.left_id)
    served_cache: dict[int, set[int]] = {}

    def served(did: int, stack: frozenset = frozenset()) -> set[int]:
        if did in served_cache:
            return served_cache[did]
        out = set(direct.get(did, ()))
        for p in parents.get(did, ()):
            if p not in stack:
                out |= served(p, stack | {did})
        served_cache[did] = out
        return out

    needs: dict[int, list[int]] = {}
    for l in dd:
        needs.setdefault(l.left_id, []).append(l.right_id)
    levels = dependency_levels([d.id for d in deps], set(direct), needs)

    # severities
    node_sev: dict[str, list[str]] = {}
    edge_sev: dict[tuple[str, str], list[str]] = {}
    for g in findings:
        if not g.items:
            continue
        # A finding grouped per dependency names several verksamheter first (services/gaps.py), then the chain.
        fns = g.functions if len(g.functions) > 1 else g.items[:1]
        chain = g.items[len(fns):]
        for hid in fns if g.dependency_id is None else (*fns, g.items[-1]):
            node_sev.setdefault(hid, []).append(g.severity)
        if g.dependency_id is not None and chain:
            for fn in fns:
                edge_sev.setdefault((chain[0], fn), []).append(g.severity)  # serves: dependency → function
            for a, b in zip(chain, chain[1:]):
                edge_sev.setdefault((a, b), []).append(g.severity)

    # order: functions by their order; dependency columns by barycentre of earlier neighbours
    columns: dict[int, list[str]] = {0: [f.hid for f in functions]}
    col_of = {f.hid: 0 for f in functions}
    for d in deps:
        col_of[d.hid] = levels[d.id]
        columns.setdefault(col_of[d.hid], []).append(d.hid)
    upper: dict[str, list[str]] = {}  # node → neighbours in earlier columns
    for l in fd:
        upper.setdefault(dids[l.right_id].hid, []).append(fids[l.left_id].hid)
    for l in dd:
        upper.setdefault(dids[l.right_id].hid, []).append(dids[l.left_id].hid)
    pos: dict[str, float] = {}
    ncols = max(columns) + 1 if columns else 1
    for c in range(ncols):
        col = columns.setdefault(c, [])
        if c > 0:
            def bary(hid: str) -> tuple:
                ups = [pos[u] for u in upper.get(hid, ()) if u in pos]
                return (sum(ups) / len(ups) if ups else float("inf"), hid_key(hid))
            col.sort(key=bary)
        n = len(col)
        for i, hid in enumerate(col):
            pos[hid] = (i + 0.5) / n if n else 0.0
    rows = max((len(c) for c in columns.values()), default=0)

    nodes = []
    for f in functions:
        col = columns[0]
        i = col.index(f.hid)
        nodes.append(Node(f.hid, "function", f.name, False, worst(node_sev.get(f.hid, ())), f.id, bool(f.is_critical),
                          bool(f.secret), column=0, row=i, x=0.0, y=_spread(i, len(col), rows)))
    for d in deps:
        c = col_of[d.hid]
        col = columns[c]
        i = col.index(d.hid)
        n_served = len(served(d.id) & set(fids))
        n_direct = len(direct.get(d.id, set()) & set(fids))
        other_org = bool(d.provider_org.strip()) and d.provider_org.strip().lower() != own_org
        nodes.append(Node(d.hid, "dependency", d.name, n_direct >= shared_min or other_org,
                          worst(node_sev.get(d.hid, ())), d.id, False, bool(d.secret), d.dep_type, d.provider_org,
                          n_served, c, i, float(c), _spread(i, len(col), rows)))
    edges = []
    for l in sorted(fd, key=lambda l: (hid_key(dids[l.right_id].hid), hid_key(fids[l.left_id].hid))):
        s, t = dids[l.right_id].hid, fids[l.left_id].hid
        edges.append(Edge(s, t, "serves", l.attrs.get("tolerance"), worst(edge_sev.get((s, t), ()))))
    for l in sorted(dd, key=lambda l: (hid_key(dids[l.left_id].hid), hid_key(dids[l.right_id].hid))):
        s, t = dids[l.left_id].hid, dids[l.right_id].hid
        edges.append(Edge(s, t, "depends_on", None, worst(edge_sev.get((s, t), ()))))
    return DependencyGraph(tuple(nodes), tuple(edges), ncols, rows, tuple(findings))
