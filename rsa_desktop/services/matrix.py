"""Where every risk sits on the riskmatris, and what colour each cell has (Qt-free).

One source for the interactive matrix in the GUI, the matplotlib figure in the reports and the
Excel sheet, so that all three place and colour risks identically.
"""

from __future__ import annotations

from dataclasses import dataclass

from rsa_desktop.domain.ids import hid_key as _hid_key
from rsa_desktop.domain.public import is_marked
from rsa_desktop.services.followup import paired, previous_analysis
from rsa_desktop.services.rsa import RsaService


@dataclass(frozen=True)
class RiskPoint:
    risk_id: int
    hid: str
    title: str
    likelihood: int | None
    consequence: int | None  # overall, or in the chosen dimension
    residual_likelihood: int | None
    residual_consequence: int | None
    category: str
    secret: bool

    @property
    def placed(self) -> bool:
        return self.likelihood is not None and self.consequence is not None

    def position(self, residual: bool = False) -> tuple[int, int] | None:
        """(S, K) where the risk sits: by its rating now, or after planned actions; None if not rated."""
        where = ((self.residual_likelihood, self.residual_consequence) if residual
                 else (self.likelihood, self.consequence))
        return where if None not in where else None


@dataclass(frozen=True)
class Cell:
    likelihood: int
    consequence: int
    colour: str  # "#rrggbb" from the analysis' colour bands
    band: str  # the band's label, e.g. "Hög risk"
    hids: tuple[str, ...]  # risks in the cell, in risk order


@dataclass(frozen=True)
class MatrixData:
    likelihood_levels: tuple[tuple[int, str], ...]  # (value, label), ascending
    consequence_levels: tuple[tuple[int, str], ...]
    cells: tuple[Cell, ...]  # every cell of the grid, row by row from low likelihood
    points: tuple[RiskPoint, ...]
    dimension: str  # "" for the overall consequence, else the dimension code
    dimension_label: str

    def cell(self, likelihood: int, consequence: int) -> Cell:
        for c in self.cells:
            if c.likelihood == likelihood and c.consequence == consequence:
                return c
        raise KeyError((likelihood, consequence))

    @property
    def unplaced(self) -> tuple[RiskPoint, ...]:
        """Risks that lack a likelihood or a consequence and so are not in any cell."""
        return tuple(p for p in self.points if not p.placed)

    def unplaced_at(self, residual: bool) -> tuple[RiskPoint, ...]:
        """Risks that are in no cell when placed by their rating now, or after planned actions."""
        return tuple(p for p in self.points if p.position(residual) is None)

    def cell_points(self, likelihood: int, consequence: int) -> list[RiskPoint]:
        """The risks in a cell, in risk order ([] for a cell not on the grid)."""
        try:
            hids = self.cell(likelihood, consequence).hids
        except KeyError:
            return []
        by_hid = {p.hid: p for p in self.points}
        return [by_hid[h] for h in hids if h in by_hid]


Marker = tuple[str, int, str]  # ("solid" | "residual" | "previous", risk id, human ID)


def cell_markers(data: MatrixData, *, residual: bool = False, previous: dict[int, tuple[int, int]] | None = None
                 ) -> dict[tuple[int, int], list[Marker]]:
    """What each cell shows, in drawing order: its risks (solid), then hollow markers where a risk is not
    drawn now – its present place when showing the residual, last year's place when `previous` is given."""
    content: dict[tuple[int, int], list[Marker]] = {}
    for c in data.cells:
        for p in data.cell_points(c.likelihood, c.consequence):
            content.setdefault((c.likelihood, c.consequence), []).append(("solid", p.risk_id, p.hid))
    for p in data.points:
        here = p.position(residual)
        if here is None:
            continue
        if residual and p.placed and (p.likelihood, p.consequence) != here:
            content.setdefault((p.likelihood, p.consequence), []).append(("residual", p.risk_id, p.hid))
        if previous and p.risk_id in previous:
            then = previous[p.risk_id]
            if then != here:
                content.setdefault(then, []).append(("previous", p.risk_id, p.hid))
    valid = {(c.likelihood, c.consequence) for c in data.cells}
    return {key: entries for key, entries in content.items() if key in valid}


def matrix_data(svc: RsaService, analysis_id: int, *, dimension: str = "", residual: bool = False,
                include_secret: bool = True) -> MatrixData:
    """Risks of an analysis on its matrix.

    `dimension` (a dimension code) places risks by that dimension's consequence instead of the overall
    one; `residual` places them by their residual (after planned actions) likelihood and consequence.
    """
    scales = svc.scales(analysis_id)
    dims = {d.id: d for d in scales.dimensions}
    dim_label = ""
    if dimension:
        match = [d for d in scales.dimensions if d.code == dimension]
        if not match:
            raise KeyError(f"okänd konsekvensdimension: {dimension}")
        dim_label = match[0].label
    consequences = svc.all_consequences(analysis_id)
    points = []
    for r in svc.list("risk", analysis_id):
        if not include_secret and is_marked(r):  # the öppet utdrag's rule (domain/public.py)
            continue
        levels = consequences.get(r.id, {})
        if dimension:
            cons = next((lv for did, lv in levels.items() if dims[did].code == dimension), None)
        else:
            cons = scales.overall(levels)
        points.append(RiskPoint(r.id, r.hid, r.title, r.likelihood, cons, r.residual_likelihood,
                                r.residual_consequence, r.category, r.secret))
    cells = []
    for lv in scales.likelihood:
        for cv in scales.consequence:
            band = scales.band(lv.value, cv.value)
            inside = [p.hid for p in points if p.position(residual) == (lv.value, cv.value)]
            cells.append(Cell(lv.value, cv.value, band.colour if band else "#ffffff", band.label if band else "",
                              tuple(sorted(inside, key=_hid_key))))
    return MatrixData(tuple((l.value, l.label) for l in scales.likelihood),
                      tuple((c.value, c.label) for c in scales.consequence), tuple(cells), tuple(points),
                      dimension, dim_label)


def previous_positions(svc: RsaService, analysis_id: int, dimension: str = "") -> tuple[int | None, dict[int, tuple[int, int]]]:
    """Last year's placement of this year's risks: (previous year, risk id → (S, K)).

    The previous analysis is the one this year was carried forward from, else the latest year before
    (services.followup.previous_analysis). Risks are paired exactly as Uppföljning pairs them
    (services.followup.paired: carried-from link, then ID, never title)."""
    prev = previous_analysis(svc, analysis_id)
    if prev is None:
        return None, {}
    try:
        old = matrix_data(svc, prev.id, dimension=dimension)
    except KeyError:  # the dimension did not exist last year
        old = matrix_data(svc, prev.id)
    old_by_id = {p.risk_id: p for p in old.points}
    out = {}
    for cid, pid in paired(svc, prev.id, analysis_id, "risk").items():
        o = old_by_id.get(pid)
        if o is not None and o.placed:
            out[cid] = (o.likelihood, o.consequence)
    return prev.year, out
