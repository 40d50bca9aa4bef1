"""Ny årsanalys från föregående år: carry an analysis forward into a new year (Qt-free).

`carry_forward(svc, from_analysis_id, year)` runs as one transaction (`svc.batch()`):

* a new analysis for `year`, status *utkast*, with the previous year's texts (uppdrag, metod,
  verksamhetsbeskrivning …, sekretessmarkering) and a copy of its **scales** (the rows, not the
  default template); the adoption (`adopted_date`, `adopted_decision`) and the confirmation of the
  scales are cleared, so the new year's RSA-kontroll asks for both again;
* the arbetsgrupp (participants) and every verksamhet, beroende, risk, sårbarhet, förmågebedömning
  and kontinuitetsplan (with its reservrutiner and contacts), each with the **same human ID**, with
  impact over time, consequences per dimension and every link between copied items;
* the ID counters, so that new items continue the numbering (a deleted R3 stays unused);
* **åtgärder**: the open ones (planerad, pågående) are carried with their links; their
  `follow_up_note` keeps its history and gets a line "Överförd från RSA 2026 …". Genomförda and
  avbrutna åtgärder are *not* copied: they are the previous year's history, and the Uppföljning view
  (`services.followup`) reports them as completed since;
* **övningar** are history and are not copied; a plan's `last_exercised` becomes the latest of its own
  value and the dates of the previous year's exercises of that plan, so the gap analysis still knows
  when the plan was last exercised;
* a `CarriedFrom` row and an "att granska" `ReviewMark` for every copied item (not for participants,
  reservrutiner and contacts, which are reviewed with their plan);
* the previous year is archived (read-only) with `svc.set_archived`.

Audit: the new analysis gets its usual "skapad" event plus **one** event for the whole carry-forward
(action "skapad", field "Överförd från YYYY", the counts as new value) rather than one per item: the
CarriedFrom rows already say, per item, where it came from.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select

from rsa_desktop.domain.actions import OPEN_STATUSES, is_open, status_label
from rsa_desktop.domain.items import Item
from rsa_desktop.model import entities as e
from rsa_desktop.model.kinds import ITEM_KINDS, KIND_TABLES, KINDS, LINK_TABLES, LINKS
from rsa_desktop.services import audit
from rsa_desktop.services.errors import FieldError, ValidationError
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.services.scales import template_from_scales

# Analysis fields that start the new year empty: the new year is not adopted yet.
_CLEARED = {"year", "status", "adopted_date", "adopted_decision"}
# Item kinds copied, in an order where every reference points at something already copied.
CARRIED_KINDS = ("function", "dependency", "risk", "vulnerability", "capability", "action", "continuity_plan")


def _rows(conn, table, **where) -> list[dict[str, Any]]:
    q = select(table)
    for col, value in where.items():
        q = q.where(table.c[col] == value)
    if "sort_order" in table.c:
        q = q.order_by(table.c.sort_order, table.c.id)
    elif "id" in table.c:
        q = q.order_by(table.c.id)
    return [dict(r._mapping) for r in conn.execute(q).all()]


def _carried_note(row: dict[str, Any], year: int) -> str:
    status = status_label(row["status"])
    line = f"Överförd från RSA {year} (status {status.lower()}"
    if row.get("deadline"):
        line += f", klart senast {row['deadline'].isoformat()}"
    line += ")."
    note = (row.get("follow_up_note") or "").rstrip()
    return f"{note}\n{line}" if note else line


def carry_forward(svc: RsaService, from_analysis_id: int, year: int) -> Item:
    """Create the analysis for `year` from the analysis `from_analysis_id`; returns the new analysis."""
    prev = svc.analysis(from_analysis_id)
    if isinstance(year, bool) or not isinstance(year, int):
        raise ValidationError([FieldError("year", "År", "ange ett årtal.")])
    if year <= prev.year:
        raise ValidationError([FieldError("year", "År", f"det nya året måste vara senare än {prev.year}.")])
    if svc.analysis_for_year(year) is not None:
        raise ValidationError([FieldError("year", "År", f"det finns redan en analys för {year}.")])
    values = {f: prev.get(f) for f in KINDS["analysis"].field_names if f not in _CLEARED}
    old_scales = svc.scales(from_analysis_id)
    with svc.batch():
        new = svc.create_analysis(year, template=template_from_scales(old_scales), **values)
        nid = new.id
        new_scales = svc.scales(nid)
        dim_map = {d.id: n.id for d in old_scales.dimensions for n in new_scales.dimensions if n.code == d.code}
        hor_map = {h.id: n.id for h in old_scales.horizons for n in new_scales.horizons if n.minutes == h.minutes}
        with svc.transaction() as s:
            conn = s.connection()
            ids: dict[str, dict[int, int]] = {k: {} for k in ITEM_KINDS}
            counts: dict[str, int] = {}

            def copy(table, row: dict[str, Any], **changes) -> int:
                vals = {k: v for k, v in row.items() if k != "id"}
                vals.update(changes)
                return conn.execute(insert(table).values(**vals)).inserted_primary_key[0]

            for r in _rows(conn, e.Participant.__table__, analysis_id=from_analysis_id):
                copy(e.Participant.__table__, r, analysis_id=nid)
            for r in _rows(conn, e.IdCounter.__table__, analysis_id=from_analysis_id):
                conn.execute(insert(e.IdCounter.__table__).values(analysis_id=nid, prefix=r["prefix"],
                                                                  next_number=r["next_number"]))

            # Latest exercise date per plan: plans keep it, the exercises themselves stay behind.
            exercised: dict[int, dt.date] = {}
            for x in _rows(conn, e.Exercise.__table__, analysis_id=from_analysis_id):
                if x["plan_id"] is not None and x["date"] is not None:
                    exercised[x["plan_id"]] = max(x["date"], exercised.get(x["plan_id"], x["date"]))

            for kind in CARRIED_KINDS:
                table = KIND_TABLES[kind].__table__
                for r in _rows(conn, table, analysis_id=from_analysis_id):
                    changes: dict[str, Any] = {"analysis_id": nid}
                    if kind == "action":
                        if not is_open(r["status"]):
                            continue
                        changes["follow_up_note"] = _carried_note(r, prev.year)
                    if kind == "continuity_plan":
                        if r["function_id"] is not None:
                            changes["function_id"] = ids["function"].get(r["function_id"])
                        latest = exercised.get(r["id"])
                        if latest is not None and (r["last_exercised"] is None or latest > r["last_exercised"]):
                            changes["last_exercised"] = latest
                    ids[kind][r["id"]] = copy(table, r, **changes)
                counts[kind] = len(ids[kind])

            # Rows owned by a copied item.
            for r in conn.execute(select(e.FunctionImpact.__table__).where(
                    e.FunctionImpact.__table__.c.function_id.in_(list(ids["function"])))).all():
                m = r._mapping
                if m["horizon_id"] in hor_map:
                    conn.execute(insert(e.FunctionImpact.__table__).values(
                        function_id=ids["function"][m["function_id"]], horizon_id=hor_map[m["horizon_id"]],
                        level=m["level"]))
            for r in conn.execute(select(e.RiskConsequence.__table__).where(
                    e.RiskConsequence.__table__.c.risk_id.in_(list(ids["risk"])))).all():
                m = r._mapping
                if m["dimension_id"] in dim_map:
                    conn.execute(insert(e.RiskConsequence.__table__).values(
                        risk_id=ids["risk"][m["risk_id"]], dimension_id=dim_map[m["dimension_id"]],
                        level=m["level"]))
            for old_plan, new_plan in ids["continuity_plan"].items():
                for r in _rows(conn, e.FallbackProcedure.__table__, plan_id=old_plan):
                    dep = ids["dependency"].get(r["dependency_id"]) if r["dependency_id"] is not None else None
                    copy(e.FallbackProcedure.__table__, r, plan_id=new_plan, dependency_id=dep)
                for r in _rows(conn, e.PlanContact.__table__, plan_id=old_plan):
                    copy(e.PlanContact.__table__, r, plan_id=new_plan)

            # Links whose both ends were copied.
            for link in LINKS.values():
                table = LINK_TABLES[link.name].__table__
                left, right = ids[link.left], ids[link.right]
                if not left or not right:
                    continue
                for r in conn.execute(select(table).where(table.c[link.left_col].in_(list(left)))).all():
                    vals = dict(r._mapping)
                    if vals[link.right_col] not in right:
                        continue
                    vals[link.left_col] = left[vals[link.left_col]]
                    vals[link.right_col] = right[vals[link.right_col]]
                    conn.execute(insert(table).values(**vals))

            marks, origins = [], []
            for kind, mapping in ids.items():
                for old_id, new_id in mapping.items():
                    marks.append({"analysis_id": nid, "kind": kind, "item_id": new_id})
                    origins.append({"analysis_id": nid, "kind": kind, "item_id": new_id,
                                    "source_analysis_id": from_analysis_id, "source_item_id": old_id})
            if marks:
                conn.execute(insert(e.ReviewMark.__table__), marks)
                conn.execute(insert(e.CarriedFrom.__table__), origins)
            audit.record(s, analysis_id=nid, kind="analysis", item_id=nid, item=str(year), action="skapad",
                         field=f"Överförd från {prev.year}",
                         new={KINDS[k].plural.lower(): n for k, n in counts.items()})
            s.flush()
            s.expunge_all()
        svc.set_archived(from_analysis_id, True)
    return svc.analysis(nid)


__all__ = ["carry_forward", "OPEN_STATUSES", "CARRIED_KINDS"]
