"""RsaService's writing of items: create (with its human ID), update, move and duplicate."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from rsa_desktop.domain.fieldtypes import field_type
from rsa_desktop.domain.items import Item
from rsa_desktop.model import entities as e
from rsa_desktop.model.kinds import KIND_TABLES, LINK_TABLES, LINKS
from rsa_desktop.services import audit
from rsa_desktop.services.content.base import ServiceBase
from rsa_desktop.services.errors import FieldError, NotFoundError, ValidationError
from rsa_desktop.services.records import Change, make_record
from rsa_desktop.services.validation import clean_values

# Rows owned by an item that a duplicate copies along with it.
_COPIED_CHILDREN = {
    "function": ((e.FunctionImpact, "function_id"),),
    "risk": ((e.RiskConsequence, "risk_id"),),
    "continuity_plan": ((e.FallbackProcedure, "plan_id"), (e.PlanContact, "plan_id")),
}

# Fields that may still be edited on a fastställd analysis: reopening it.
_ANALYSIS_UNLOCK_FIELDS = {"status"}


class ItemsMixin(ServiceBase):
    def _next_hid(self, s: Session, analysis_id: int, prefix: str) -> str:
        counter = s.get(e.IdCounter, (analysis_id, prefix))
        if counter is None:
            counter = e.IdCounter(analysis_id=analysis_id, prefix=prefix, next_number=1)
            s.add(counter)
        hid = f"{prefix}{counter.next_number}"
        counter.next_number += 1
        return hid

    def create(self, kind: str, owner_id: int, /, **values) -> Item:
        spec = self._spec(kind)
        if kind in ("organisation", "analysis"):
            raise NotFoundError("Använd set_organisation/create_analysis.")
        with self._session() as s:
            if spec.parent == "plan_id":
                plan = self._get_row(s, "continuity_plan", owner_id)
                analysis_id = plan.analysis_id
            else:
                self._get_row(s, "analysis", owner_id)
                analysis_id = owner_id
            self._ensure_editable(s, analysis_id)
            defaults = {f.name: f.choices[0][0] for f in spec.fields
                        if field_type(f).fixed_choices and f.required and f.name not in values}
            clean = clean_values(spec, {**defaults, **values}, self._ranges(s, analysis_id), creating=True)
            self._check_ref(s, spec, clean, analysis_id)
            extra: dict[str, Any] = {spec.parent: owner_id}
            table = KIND_TABLES[spec.kind]
            if hasattr(table, "sort_order"):
                col = getattr(table, spec.parent)
                extra["sort_order"] = (s.exec(sa_select(func.max(table.sort_order)).where(col == owner_id))
                                       .scalar() or 0) + 1
            if spec.prefix:
                extra["hid"] = self._next_hid(s, analysis_id, spec.prefix)
            row = table(**clean, **extra)
            s.add(row)
            s.flush()
            rec = make_record(kind, row)
            audit.record(s, analysis_id=analysis_id, kind=kind, item_id=row.id, item=rec.label, action="skapad",
                         new=self._audit_values(kind, rec))
            return rec

    def update(self, kind: str, item_id: int, /, **values) -> Change:
        spec = self._spec(kind)
        if kind == "organisation":
            return self.set_organisation(**values)
        with self._session() as s:
            row = self._get_row(s, kind, item_id)
            analysis_id = self._analysis_id_of(s, kind, row)
            self._ensure_editable(s, analysis_id, unlocking=kind == "analysis" and bool(values)
                                  and set(values) <= _ANALYSIS_UNLOCK_FIELDS)
            current = {f: getattr(row, f) for f in spec.field_names}
            clean = clean_values(spec, values, self._ranges(s, analysis_id), creating=False, current=current)
            if analysis_id is not None and kind != "analysis":
                self._check_ref(s, spec, clean, analysis_id)
            if kind == "analysis" and "year" in clean and clean["year"] != row.year:
                if s.exec(select(e.Analysis).where(e.Analysis.year == clean["year"])).first():
                    raise ValidationError([FieldError("year", "År",
                                                      f"det finns redan en analys för {clean['year']}.")])
            old = {k: getattr(row, k) for k in clean}
            for k, v in clean.items():
                setattr(row, k, v)
            self._audit_changes(s, analysis_id, kind, item_id, make_record(kind, row).label, old, clean)
            return Change(kind, item_id, MappingProxyType(old), MappingProxyType(clean))

    def move(self, kind: str, item_id: int, new_sort_order: int) -> Change:
        with self._session() as s:
            row = self._get_row(s, kind, item_id)
            self._ensure_editable(s, self._analysis_id_of(s, kind, row))
            old = row.sort_order
            row.sort_order = int(new_sort_order)
            if old != row.sort_order:
                audit.record(s, analysis_id=self._analysis_id_of(s, kind, row), kind=kind, item_id=item_id,
                             item=make_record(kind, row).label, action="flyttad", field="Ordning", old=old,
                             new=row.sort_order)
            return Change(kind, item_id, MappingProxyType({"sort_order": old}),
                          MappingProxyType({"sort_order": row.sort_order}))

    def duplicate(self, kind: str, item_id: int) -> Item:
        """A copy with a new ID, its links and per-horizon/per-dimension ratings."""
        spec = self._spec(kind)
        src = self.get(kind, item_id)
        values = {f: src.get(f) for f in spec.field_names}
        values[spec.title_field] = f"{values[spec.title_field]} (kopia)"
        owner = src.get(spec.parent)
        copy = self.create(kind, owner, **values)
        with self._session() as s:
            conn = s.connection()
            for link in LINKS.values():
                for side, _other in (("left", "right"), ("right", "left")):
                    if getattr(link, side) != kind:
                        continue
                    table = LINK_TABLES[link.name].__table__
                    col = getattr(link, f"{side}_col")
                    if link.left == link.right and side == "right":
                        continue
                    for r in conn.execute(sa_select(table).where(table.c[col] == item_id)).all():
                        vals = self._row_dict(table, r)
                        vals[col] = copy.id
                        conn.execute(insert(table).values(**vals))
            for model, col in _COPIED_CHILDREN.get(kind, ()):
                table = model.__table__
                for r in conn.execute(sa_select(table).where(table.c[col] == item_id)).all():
                    vals = self._row_dict(table, r)
                    vals[col] = copy.id
                    if "id" in table.c:
                        del vals["id"]  # a new row of its own, not a shared one
                    conn.execute(insert(table).values(**vals))
        return self.get(kind, copy.id)
