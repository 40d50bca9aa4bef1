"""RsaService.snapshot: a whole analysis read at once, and the Snapshot that answers the reading calls for it."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select

from rsa_desktop.domain.items import Item
from rsa_desktop.model import entities as e
from rsa_desktop.model.kinds import KIND_TABLES, LINK_TABLES
from rsa_desktop.services import scales as scale_svc
from rsa_desktop.services.content.links import LinkRecord
from rsa_desktop.services.content.reading import ReadingMixin
from rsa_desktop.services.errors import NotFoundError


class SnapshotMixin(ReadingMixin):
    def snapshot(self, analysis_id: int, kinds: tuple[str, ...] = (), links: tuple[str, ...] = ()) -> Snapshot:
        """Everything a reader of a whole analysis needs, read at once with SQLAlchemy Core (no ORM objects):
        the items of `kinds` (fallback/contact: those of every continuity plan of the analysis), the links
        `links`, the scales, impacts and consequences. The result answers list()/links()/scales()/
        all_impacts()/all_consequences() exactly as this service would (same records, same order), for the
        analysis only; NotFoundError when the analysis does not exist."""
        with self._session() as s:
            conn = s.connection()
            a_table = e.Analysis.__table__
            arows = self._fast_rows(
                conn, "snapshot:analysis",
                lambda: sa_select(a_table.c.consequence_aggregation, a_table.c.unacceptable_level)
                .where(a_table.c.id == bindparam("p0")), (analysis_id,))
            if not arows:
                raise NotFoundError(f"{self._spec('analysis').label} finns inte (id {analysis_id}).")
            arow = {"consequence_aggregation": arows[0][0], "unacceptable_level": arows[0][1]}
            records: dict[str, list[Item]] = {}
            children: dict[str, dict[int, list[Item]]] = {}
            for kind in kinds:
                spec = self._spec(kind)

                def build(spec=spec):
                    table = KIND_TABLES[spec.kind].__table__
                    q = sa_select(*(table.c[n] for n in KIND_TABLES[spec.kind].model_fields))
                    order = [table.c.sort_order] if "sort_order" in table.c else []
                    if spec.parent == "plan_id":
                        plans = e.ContinuityPlan.__table__
                        return q.join(plans, plans.c.id == table.c.plan_id) \
                            .where(plans.c.analysis_id == bindparam("p0")) \
                            .order_by(table.c.plan_id, *order, table.c.id)
                    return q.where(table.c[spec.parent] == bindparam("p0")).order_by(*order, table.c.id)

                out = self._fast_records(conn, kind, ("snapshot", kind), build, (analysis_id,))
                if spec.parent == "plan_id":
                    by_plan: dict[int, list[Item]] = {}
                    for rec in out:
                        by_plan.setdefault(rec.get("plan_id"), []).append(rec)
                    children[kind] = by_plan
                else:
                    records[kind] = out
            link_records = {}
            for name in links:
                spec = self._link(name)
                # The same statement as links(name, analysis_id=…), so the rows come in the same order.
                lbuild = lambda name=name: self._links_query(name, None, None, bindparam("p0"))[2]  # noqa: E731
                attr_names = [f.name for f in spec.fields]
                table = LINK_TABLES[spec.name].__table__
                names = list(table.c.keys())
                li, ri = names.index(spec.left_col), names.index(spec.right_col)
                ai = [names.index(n) for n in attr_names]
                link_records[name] = [
                    LinkRecord(name, r[li], r[ri], MappingProxyType({n: r[i] for n, i in zip(attr_names, ai)}))
                    for r in self._fast_rows(conn, ("links", name), lbuild, (analysis_id,))]
            scales = self._core_scales(conn, analysis_id, arow)

            def impacts_q():
                fi, fn = e.FunctionImpact.__table__, e.Function.__table__
                return sa_select(fi.c.function_id, fi.c.horizon_id, fi.c.level) \
                    .join(fn, fn.c.id == fi.c.function_id).where(fn.c.analysis_id == bindparam("p0"))

            def consequences_q():
                rc, rk = e.RiskConsequence.__table__, e.Risk.__table__
                return sa_select(rc.c.risk_id, rc.c.dimension_id, rc.c.level) \
                    .join(rk, rk.c.id == rc.c.risk_id).where(rk.c.analysis_id == bindparam("p0"))

            impacts: dict[int, dict[int, int]] = {}
            for fid, hid, level in self._fast_rows(conn, "snapshot:impacts", impacts_q, (analysis_id,)):
                impacts.setdefault(fid, {})[hid] = level
            consequences: dict[int, dict[int, int]] = {}
            for rid, did, level in self._fast_rows(conn, "snapshot:consequences", consequences_q, (analysis_id,)):
                consequences.setdefault(rid, {})[did] = level
            return Snapshot(analysis_id, records, children, link_records, scales, impacts, consequences)

    @staticmethod
    def _core_scales(conn, analysis_id: int, analysis) -> scale_svc.Scales:
        """scales.read_scales with Core (the same Scales)."""
        def rows(model, *order):
            t = model.__table__
            names = list(t.c.keys())

            def build():
                return sa_select(t).where(t.c.analysis_id == bindparam("p0")).order_by(*(t.c[o] for o in order))

            from types import SimpleNamespace

            return [SimpleNamespace(**dict(zip(names, r)))
                    for r in ReadingMixin._fast_rows(conn, ("scales", t.name), build, (analysis_id,))]

        return scale_svc.scales_from_rows(
            likelihood=rows(e.LikelihoodLevel, "value"),
            consequence=rows(e.ConsequenceLevel, "value"),
            dimensions=rows(e.ConsequenceDimension, "sort_order", "id"),
            bands=rows(e.ColourBand, "min_score"),
            capability=rows(e.CapabilityLevel, "value"),
            horizons=rows(e.TimeHorizon, "minutes"),
            aggregation=analysis["consequence_aggregation"],
            unacceptable_level=analysis["unacceptable_level"],
        )


@dataclass(frozen=True)
class Snapshot:
    """A whole analysis read at once (RsaService.snapshot); answers the reading calls of RsaService for it."""
    analysis_id: int
    records: dict[str, list[Item]]
    children: dict[str, dict[int, list[Item]]]  # fallback/contact → plan id → records
    link_records: dict[str, list[LinkRecord]]
    scale: scale_svc.Scales
    impacts: dict[int, dict[int, int]]
    consequences: dict[int, dict[int, int]]

    def list(self, kind: str, owner_id: int) -> list[Item]:
        if kind in self.children:
            return list(self.children[kind].get(owner_id, ()))
        if owner_id != self.analysis_id or kind not in self.records:
            raise KeyError(f"{kind} of {owner_id} is not in the snapshot")
        return list(self.records[kind])

    def links(self, name: str, *, left_id: int | None = None, right_id: int | None = None,
              analysis_id: int | None = None) -> list[LinkRecord]:
        if name not in self.link_records or (analysis_id is not None and analysis_id != self.analysis_id):
            raise KeyError(f"{name} is not in the snapshot")
        return [lr for lr in self.link_records[name] if (left_id is None or lr.left_id == left_id)
                and (right_id is None or lr.right_id == right_id)]

    def scales(self, analysis_id: int) -> scale_svc.Scales:
        return self.scale

    def all_impacts(self, analysis_id: int) -> dict[int, dict[int, int]]:
        return {k: dict(v) for k, v in self.impacts.items()}

    def all_consequences(self, analysis_id: int) -> dict[int, dict[int, int]]:
        return {k: dict(v) for k, v in self.consequences.items()}
