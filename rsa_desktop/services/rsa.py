"""Use cases on an open document: create, read, update, delete and link every item, with validation.

No Qt. Each call is one short transaction; results are immutable snapshots (`Record`), and every
write returns what is needed to undo it (`Change`, `Tombstone`, the previous link attributes).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update
from sqlmodel import Session, SQLModel, select

from rsa_desktop.domain.fieldtypes import InvalidValue, field_type
from rsa_desktop.domain.items import make_item
from rsa_desktop.model import entities as e
from rsa_desktop.model.kinds import CHILD_KINDS, ITEM_KINDS, KINDS, LINKS, KindSpec, LinkSpec
from rsa_desktop.services import audit
from rsa_desktop.services import scales as scale_svc
from rsa_desktop.services.errors import FieldError, NotFoundError, ReadOnlyAnalysisError, ValidationError
from rsa_desktop.services.records import TABLE_LABELS, Change, Record, Tombstone, make_record
from rsa_desktop.services.validation import ScaleRanges, clean_value, clean_values
from rsa_desktop.storage.database import Document

# Rows owned by an item that a duplicate copies along with it.
_COPIED_CHILDREN = {
    "function": ((e.FunctionImpact, "function_id"),),
    "risk": ((e.RiskConsequence, "risk_id"),),
    "continuity_plan": ((e.FallbackProcedure, "plan_id"), (e.PlanContact, "plan_id")),
}

# Fields that may still be edited on a fastställd analysis: reopening it.
_ANALYSIS_UNLOCK_FIELDS = {"status"}


# Compiled SQL of the bulk readers: (key, dialect name) → (sql, bind order, result processors).
_FAST_SQL: dict = {}


@dataclass(frozen=True)
class LinkRecord:
    link: str
    left_id: int
    right_id: int
    attrs: MappingProxyType


def _row_dict(table, row) -> dict[str, Any]:
    return {c.name: row._mapping[c] for c in table.columns}


class RsaService:
    """All reading and writing of one document's content."""

    def __init__(self, doc: Document):
        self.doc = doc
        self._batch: Session | None = None
        self._batch_scales: dict[int, scale_svc.Scales] = {}

    # -- helpers ---------------------------------------------------------------------------

    def _session(self):
        if self._batch is not None:
            return contextlib.nullcontext(self._batch)
        return self.doc.session()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Run many service calls as one transaction: all of them land, or none (imports, demo)."""
        if self._batch is not None:
            yield
            return
        with self.doc.session() as s:
            self._batch = s
            try:
                yield
            finally:
                self._batch = None
                self._batch_scales.clear()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """The session of the running batch (or one of its own, committed at the end) for services that
        write many rows at once with SQLAlchemy Core (services/carry.py, services/xlsx_import.py).

        The caller checks editability itself, records audit events with `services.audit.record`, and
        must call `session.expunge_all()` after changing rows behind the ORM's back.
        """
        with self._session() as s:
            yield s
            self._batch_scales.clear()

    def _read_scales(self, s: Session, analysis_id: int) -> scale_svc.Scales:
        # Inside a batch nothing else writes, so the scales are read once per analysis.
        if self._batch is None:
            return scale_svc.read_scales(s, analysis_id)
        if analysis_id not in self._batch_scales:
            self._batch_scales[analysis_id] = scale_svc.read_scales(s, analysis_id)
        return self._batch_scales[analysis_id]

    @staticmethod
    def _spec(kind: str) -> KindSpec:
        try:
            return KINDS[kind]
        except KeyError:
            raise NotFoundError(f"Okänd typ: {kind}") from None

    def _get_row(self, s: Session, kind: str, item_id: int):
        row = s.get(self._spec(kind).table, item_id)
        if row is None:
            raise NotFoundError(f"{self._spec(kind).label} finns inte (id {item_id}).")
        return row

    def _analysis_id_of(self, s: Session, kind: str, row) -> int | None:
        if kind == "organisation":
            return None
        if kind == "analysis":
            return row.id
        if kind in ("fallback", "contact"):
            return s.get(e.ContinuityPlan, row.plan_id).analysis_id
        return row.analysis_id

    def _ensure_editable(self, s: Session, analysis_id: int | None, *, unlocking: bool = False) -> None:
        """Refuse changes to a fastställd analysis, except the edit that reopens it."""
        if analysis_id is None:
            return
        a = s.get(e.Analysis, analysis_id)
        if a is None:
            raise NotFoundError(f"Analysen finns inte (id {analysis_id}).")
        if a.status == "faststalld" and not unlocking:
            raise ReadOnlyAnalysisError(
                f"Analysen för {a.year} är fastställd och kan inte ändras. Återöppna den som utkast först.")
        if a.archived and not unlocking:
            raise ReadOnlyAnalysisError(
                f"Analysen för {a.year} är arkiverad: en senare årsanalys bygger på den. "
                "Avarkivera den först om den verkligen ska ändras.")

    def _ranges(self, s: Session, analysis_id: int | None) -> ScaleRanges:
        if analysis_id is None:
            return ScaleRanges()
        return self._read_scales(s, analysis_id).ranges

    def _check_ref(self, s: Session, kind: KindSpec, values: dict[str, Any], analysis_id: int) -> None:
        for f in kind.fields:
            if field_type(f).references and values.get(f.name) is not None:
                target = s.get(KINDS[f.ref].table, values[f.name])
                if target is None or target.analysis_id != analysis_id:
                    raise ValidationError([FieldError(f.name, f.label, "det valda objektet finns inte i analysen.")])

    def _audit_changes(self, s: Session, analysis_id: int | None, kind: str, item_id: int, item: str,
                       old: dict[str, Any], new: dict[str, Any]) -> None:
        spec = self._spec(kind)
        for name, value in new.items():
            if old.get(name) != value:
                label = spec.field(name).label if name in spec.field_names else name
                audit.record(s, analysis_id=analysis_id, kind=kind, item_id=item_id, item=item, action="ändrad",
                             field=label, old=old.get(name), new=value)

    def _audit_values(self, kind: str, rec: Record) -> dict[str, Any]:
        """Every field of an item, by its label: what a create records as new and a delete as old."""
        spec = self._spec(kind)
        return {spec.field(f).label: rec.values.get(f) for f in spec.field_names}

    def audit_chain_breaks(self) -> list[audit.ChainBreak]:
        """Where the audit trail was changed behind the program's back ([] when it is intact)."""
        with self._session() as s:
            return audit.chain_breaks(s)

    def audit_trail(self, *, analysis_id: int | None = None, kind: str | None = None, item_id: int | None = None,
                    text: str = "", limit: int | None = None) -> list[audit.AuditEntry]:
        with self._session() as s:
            return audit.entries(s, analysis_id=analysis_id, kind=kind, item_id=item_id, text=text, limit=limit)

    # -- organisation and analyses ---------------------------------------------------------

    def organisation(self) -> Record | None:
        with self._session() as s:
            row = s.exec(select(e.Organisation).order_by(e.Organisation.id)).first()
            return make_record("organisation", row) if row else None

    def set_organisation(self, **values) -> Change:
        """Create the file's organisation, or update it."""
        spec = KINDS["organisation"]
        with self._session() as s:
            row = s.exec(select(e.Organisation).order_by(e.Organisation.id)).first()
            current = {f: getattr(row, f) for f in spec.field_names} if row else None
            clean = clean_values(spec, values, ScaleRanges(), creating=row is None, current=current)
            if row is None:
                row = e.Organisation(**clean)
                s.add(row)
                s.flush()
                audit.record(s, analysis_id=None, kind="organisation", item_id=row.id, item=row.name,
                             action="skapad", new=self._audit_values("organisation", make_record("organisation", row)))
                return Change("organisation", row.id, MappingProxyType({}), MappingProxyType(clean))
            old = {k: getattr(row, k) for k in clean}
            for k, v in clean.items():
                setattr(row, k, v)
            self._audit_changes(s, None, "organisation", row.id, row.name, old, clean)
            return Change("organisation", row.id, MappingProxyType(old), MappingProxyType(clean))

    def analyses(self) -> list[Record]:
        with self._session() as s:
            rows = s.exec(select(e.Analysis).order_by(e.Analysis.year)).all()
            return [make_record("analysis", r) for r in rows]

    def analysis(self, analysis_id: int) -> Record:
        with self._session() as s:
            return make_record("analysis", self._get_row(s, "analysis", analysis_id))

    def analysis_for_year(self, year: int) -> Record | None:
        with self._session() as s:
            row = s.exec(select(e.Analysis).where(e.Analysis.year == year)).first()
            return make_record("analysis", row) if row else None

    def create_analysis(self, year: int, *, template: dict[str, Any] | None = None, **values) -> Record:
        """A new analysis year with the scales copied from `template` (default: resources/scales)."""
        template = template or scale_svc.load_template()
        spec = KINDS["analysis"]
        values = {"status": "utkast", "consequence_aggregation": template.get("consequence_aggregation", "max"),
                  "unacceptable_level": template.get("unacceptable_level", 4), **values, "year": year}
        consequence = tuple(int(lv["value"]) for lv in template["consequence_levels"])
        ranges = ScaleRanges(consequence=consequence)
        clean = clean_values(spec, values, ranges, creating=True)
        with self._session() as s:
            org = s.exec(select(e.Organisation).order_by(e.Organisation.id)).first()
            if org is None:
                raise ValidationError([FieldError("organisation", "Organisation",
                                                  "ange organisationen innan en analys skapas.")])
            if s.exec(select(e.Analysis).where(e.Analysis.year == clean["year"])).first():
                raise ValidationError([FieldError("year", "År", f"det finns redan en analys för {clean['year']}.")])
            from rsa_desktop.services import catalogues  # the catalogues its values will come from
            row = e.Analysis(organisation_id=org.id, catalogue_version=catalogues.active_set().version, **clean)
            s.add(row)
            s.flush()
            scale_svc.apply_template(s, row, template)
            row.consequence_aggregation = clean["consequence_aggregation"]
            row.unacceptable_level = clean["unacceptable_level"]
            s.flush()
            rec = make_record("analysis", row)
            audit.record(s, analysis_id=row.id, kind="analysis", item_id=row.id, item=str(row.year),
                         action="skapad", new={**self._audit_values("analysis", rec),
                                               "Skalor": self._scales_value(s, row.id)})
            return rec

    def confirm_scales(self, analysis_id: int, fingerprint: str | None = None) -> Change:
        """The user has reviewed the analysis' scales as they are now (RSA-kontroll stops asking).

        `fingerprint` puts back an earlier confirmation instead (undo; "" = never confirmed).
        """
        with self._session() as s:
            row = self._get_row(s, "analysis", analysis_id)
            self._ensure_editable(s, analysis_id)
            old = row.scales_confirmed
            row.scales_confirmed = (scale_svc.read_scales(s, analysis_id).fingerprint if fingerprint is None
                                    else fingerprint)
            audit.record(s, analysis_id=analysis_id, kind="analysis", item_id=analysis_id, item=str(row.year),
                         action="bekräftad", field="Skalor", old=old, new=row.scales_confirmed)
            return Change("analysis", analysis_id, MappingProxyType({"scales_confirmed": old}),
                          MappingProxyType({"scales_confirmed": row.scales_confirmed}))

    @contextlib.contextmanager
    def scale_transaction(self, analysis_id: int) -> Iterator[Session]:
        """For services that rewrite an analysis' scales (services/scale_edit.py): one transaction (the
        batch's, if one is running), refused on a fastställd analysis, recorded in the audit trail."""
        with self._session() as s:
            row = self._get_row(s, "analysis", analysis_id)
            self._ensure_editable(s, analysis_id)
            year = str(row.year)
            before = scale_svc.read_scales(s, analysis_id)
            places = scale_svc.risk_places(s, analysis_id, before)
            s.flush()
            yield s
            s.flush()
            self._batch_scales.pop(analysis_id, None)
            after = scale_svc.read_scales(s, analysis_id)
            if after.fingerprint != before.fingerprint:
                audit.record(s, analysis_id=analysis_id, kind="analysis", item_id=analysis_id, item=year,
                             action="ändrad", field="Skalor",
                             **self._scale_change_values(s, analysis_id, before, after, places))

    @staticmethod
    def _scale_change_values(s: Session, analysis_id: int, before, after, places) -> dict[str, Any]:
        """The audit values of a scale change (or its undo): the whole scales before and after, so that what
        changed can be read back, and in words what it did (the scales, then the risks that moved or changed
        band), which the Ändringslogg shows."""
        words = (scale_svc.describe_change(before, after)
                 + scale_svc.describe_moves(places, scale_svc.risk_places(s, analysis_id, after)))
        return {"old": RsaService._scales_dict(before), "new": {**RsaService._scales_dict(after), "ändringar": words}}

    @staticmethod
    def _scales_dict(scales: scale_svc.Scales) -> dict[str, Any]:
        return {"version": scales.fingerprint, "skalor": scale_svc.template_from_scales(scales)}

    @staticmethod
    def _scales_value(s: Session, analysis_id: int) -> dict[str, Any]:
        return RsaService._scales_dict(scale_svc.read_scales(s, analysis_id))

    def replace_analysis(self, state: Tombstone, *, action: str) -> None:
        """Put an analysis back to a captured state (undo and redo of a scale change) in one transaction.

        Recorded as one event that says in words what changed (`action`: "ångrad" / "gjord om"), not as the
        analysis deleted and restored, which is what happens to the rows."""
        with self._session() as s:
            row = self._get_row(s, "analysis", state.id)
            year = str(row.year)
            before = scale_svc.read_scales(s, state.id)
            places = scale_svc.risk_places(s, state.id, before)
            self._delete_rows(s, "analysis", state.id)
            self._insert_rows(s, state)
            self._batch_scales.pop(state.id, None)
            after = scale_svc.read_scales(s, state.id)
            audit.record(s, analysis_id=state.id, kind="analysis", item_id=state.id, item=year, action=action,
                         field="Skalor", **self._scale_change_values(s, state.id, before, after, places))

    def scales(self, analysis_id: int) -> scale_svc.Scales:
        with self._session() as s:
            self._get_row(s, "analysis", analysis_id)
            return scale_svc.read_scales(s, analysis_id)

    # -- generic items ---------------------------------------------------------------------

    def list(self, kind: str, owner_id: int) -> list[Record]:
        """Items of `kind` in an analysis (or, for fallback/contact, in a continuity plan)."""
        spec = self._spec(kind)
        table = spec.table
        with self._session() as s:
            col = getattr(table, spec.parent)
            order = [table.sort_order] if hasattr(table, "sort_order") else []
            rows = s.exec(select(table).where(col == owner_id).order_by(*order, table.id)).all()
            return [make_record(kind, r) for r in rows]

    def list_fast(self, kind: str, owner_id: int) -> list[Record]:
        """list() read with SQLAlchemy Core (no ORM objects): the same records in the same order, several times
        faster for a long list (the UI's tables and pickers read whole lists after every change)."""
        if self._batch is not None:  # pending ORM changes are seen by the ORM read only
            return self.list(kind, owner_id)
        spec = self._spec(kind)

        def build():
            table = spec.table.__table__
            order = [table.c.sort_order] if "sort_order" in table.c else []
            return sa_select(*(table.c[n] for n in spec.table.model_fields)) \
                .where(table.c[spec.parent] == bindparam("p0")).order_by(*order, table.c.id)

        with self._session() as s:
            return self._fast_records(s.connection(), kind, ("list", kind), build, (owner_id,))

    def get_fast(self, kind: str, item_id: int) -> Record | None:
        """One item as list_fast() reads it (None when it is gone): a list refreshes the one row an edit
        changed instead of reading the whole list again."""
        if self._batch is not None:  # pending ORM changes are seen by the ORM read only
            try:
                return self.get(kind, item_id)
            except Exception:  # noqa: BLE001 - gone
                return None
        spec = self._spec(kind)

        def build():
            table = spec.table.__table__
            return sa_select(*(table.c[n] for n in spec.table.model_fields)).where(table.c.id == bindparam("p0"))

        with self._session() as s:
            rows = self._fast_records(s.connection(), kind, ("get", kind), build, (item_id,))
        return rows[0] if rows else None

    def get(self, kind: str, item_id: int) -> Record:
        with self._session() as s:
            return make_record(kind, self._get_row(s, kind, item_id))

    def find_by_hid(self, kind: str, analysis_id: int, hid: str) -> Record | None:
        table = self._spec(kind).table
        with self._session() as s:
            row = s.exec(select(table).where(table.analysis_id == analysis_id, table.hid == hid)).first()
            return make_record(kind, row) if row else None

    def _next_hid(self, s: Session, analysis_id: int, prefix: str) -> str:
        counter = s.get(e.IdCounter, (analysis_id, prefix))
        if counter is None:
            counter = e.IdCounter(analysis_id=analysis_id, prefix=prefix, next_number=1)
            s.add(counter)
        hid = f"{prefix}{counter.next_number}"
        counter.next_number += 1
        return hid

    def create(self, kind: str, owner_id: int, /, **values) -> Record:
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
            table = spec.table
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

    def reopen_analysis(self, analysis_id: int) -> Change:
        """A fastställd analysis goes back to utkast (the decision data is kept)."""
        return self.update("analysis", analysis_id, status="utkast")

    def set_archived(self, analysis_id: int, archived: bool) -> Change:
        """Keep a year read-only (or open it again); recorded in the audit trail."""
        with self._session() as s:
            row = self._get_row(s, "analysis", analysis_id)
            old = row.archived
            row.archived = bool(archived)
            if old != row.archived:
                audit.record(s, analysis_id=analysis_id, kind="analysis", item_id=analysis_id, item=str(row.year),
                             action="ändrad", field="Arkiverad", old=old, new=row.archived)
            return Change("analysis", analysis_id, MappingProxyType({"archived": old}),
                          MappingProxyType({"archived": row.archived}))

    def set_public_texts(self, analysis_id: int, choices: dict[str, str]) -> Change:
        """Store the öppet utdrag's choice per free-text field (domain/public.py); in the audit trail."""
        from rsa_desktop.domain.public import dump_public_texts

        with self._session() as s:
            row = self._get_row(s, "analysis", analysis_id)
            self._ensure_editable(s, analysis_id)
            old, new = row.public_texts, dump_public_texts(choices)
            row.public_texts = new
            if old != new:
                audit.record(s, analysis_id=analysis_id, kind="analysis", item_id=analysis_id, item=str(row.year),
                             action="ändrad", field="Texter för öppet utdrag", old=old, new=new)
            return Change("analysis", analysis_id, MappingProxyType({"public_texts": old}),
                          MappingProxyType({"public_texts": new}))

    # -- "att granska" marks of carried-forward items ----------------------------------------

    def review_marks(self, analysis_id: int) -> set[tuple[str, int]]:
        with self._session() as s:
            rows = s.exec(select(e.ReviewMark).where(e.ReviewMark.analysis_id == analysis_id)).all()
            return {(r.kind, r.item_id) for r in rows}

    def set_review_mark(self, analysis_id: int, kind: str, item_id: int, pending: bool) -> bool:
        """Mark an item "att granska" (pending=True) or reviewed; returns the previous state (for undo)."""
        with self._session() as s:
            self._ensure_editable(s, analysis_id)
            row = s.get(e.ReviewMark, (analysis_id, kind, item_id))
            before = row is not None
            if pending and row is None:
                s.add(e.ReviewMark(analysis_id=analysis_id, kind=kind, item_id=item_id))
            elif not pending and row is not None:
                s.delete(row)
            if before != pending:
                item = make_record(kind, self._get_row(s, kind, item_id)).label
                audit.record(s, analysis_id=analysis_id, kind=kind, item_id=item_id, item=item,
                             action="ändrad", field="Att granska", old=before, new=pending)
            return before

    def carried_from(self, analysis_id: int) -> dict[tuple[str, int], tuple[int, int]]:
        """(kind, item id) → (source analysis id, source item id) for the items carried into this year."""
        with self._session() as s:
            rows = s.exec(select(e.CarriedFrom).where(e.CarriedFrom.analysis_id == analysis_id)).all()
            return {(r.kind, r.item_id): (r.source_analysis_id, r.source_item_id) for r in rows}

    def adopt_analysis(self, analysis_id: int, date, decision: str = "") -> Change:
        return self.update("analysis", analysis_id, status="faststalld", adopted_date=date,
                           adopted_decision=decision)

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

    # -- delete and restore ----------------------------------------------------------------

    def _capture(self, s: Session, table_name: str, pk: dict[str, Any], rows, nulled, seen) -> None:
        meta = SQLModel.metadata
        table = meta.tables[table_name]
        key = (table_name, tuple(sorted(pk.items())))
        if key in seen:
            return
        seen.add(key)
        cond = and_(*[table.c[k] == v for k, v in pk.items()])
        found = s.connection().execute(sa_select(table).where(cond)).first()
        if found is None:
            return
        rows.append((table_name, MappingProxyType(_row_dict(table, found))))
        if "id" not in pk:
            return
        for child in meta.sorted_tables:
            for fk in child.foreign_keys:
                if fk.column.table is not table:
                    continue
                col = fk.parent
                child_rows = s.connection().execute(sa_select(child).where(col == pk["id"])).all()
                for cr in child_rows:
                    cpk = {c.name: cr._mapping[c] for c in child.primary_key.columns}
                    if (fk.ondelete or "").upper() == "SET NULL":
                        nulled.append((child.name, tuple(sorted(cpk.items())), col.name, pk["id"]))
                    else:
                        self._capture(s, child.name, cpk, rows, nulled, seen)

    def _tombstone(self, s: Session, kind: str, item_id: int) -> Tombstone:
        row = self._get_row(s, kind, item_id)
        rows: list = []
        nulled: list = []
        self._capture(s, self._spec(kind).table.__tablename__, {"id": item_id}, rows, nulled, set())
        # Marks that name the item by kind and id (no foreign key, since they span kinds) go with it.
        for model in (e.ReviewMark, e.CarriedFrom):
            table = model.__table__
            for r in s.connection().execute(sa_select(table).where(table.c.kind == kind,
                                                                   table.c.item_id == item_id)).all():
                rows.append((table.name, MappingProxyType(_row_dict(table, r))))
        return Tombstone(kind, item_id, make_record(kind, row).label, tuple(rows), tuple(nulled))

    def _deleted_value(self, kind: str, row, tomb: Tombstone) -> dict[str, Any]:
        """The item's fields and every row removed with it (links, ratings, children): nothing is lost."""
        value: dict[str, Any] = self._audit_values(kind, make_record(kind, row))
        own = self._spec(kind).table.__tablename__
        rows = [{"tabell": TABLE_LABELS.get(t, t), **dict(v)} for t, v in tomb.rows
                if not (t == own and v.get("id") == tomb.id)]
        if rows:
            value["Borttaget med objektet"] = rows
        return value

    def delete_preview(self, kind: str, item_id: int) -> Tombstone:
        """What a delete would remove, without removing it."""
        with self._session() as s:
            return self._tombstone(s, kind, item_id)

    def delete(self, kind: str, item_id: int) -> Tombstone:
        with self._session() as s:
            row = self._get_row(s, kind, item_id)
            analysis_id = self._analysis_id_of(s, kind, row)
            if kind != "analysis":
                self._ensure_editable(s, analysis_id)
            tomb = self._tombstone(s, kind, item_id)
            audit.record(s, analysis_id=analysis_id, kind=kind, item_id=item_id, item=tomb.label,
                         action="borttagen", old=self._deleted_value(kind, row, tomb))
            self._delete_rows(s, kind, item_id)
            return tomb

    def _delete_rows(self, s: Session, kind: str, item_id: int) -> None:
        table = self._spec(kind).table.__table__
        s.flush()  # an audit row may be pending; expunging below would drop it
        s.connection().execute(delete(table).where(table.c.id == item_id))
        for model in (e.ReviewMark, e.CarriedFrom):
            marks = model.__table__
            s.connection().execute(delete(marks).where(marks.c.kind == kind, marks.c.item_id == item_id))
        s.expunge_all()

    def _insert_rows(self, s: Session, tomb: Tombstone) -> None:
        meta = SQLModel.metadata
        order = {t.name: i for i, t in enumerate(meta.sorted_tables)}
        conn = s.connection()
        for table_name, values in sorted(tomb.rows, key=lambda r: order[r[0]]):
            conn.execute(insert(meta.tables[table_name]).values(**values))
        for table_name, pk, column, value in tomb.nulled:
            table = meta.tables[table_name]
            cond = and_(*[table.c[k] == v for k, v in pk])
            conn.execute(sa_update(table).where(cond).values({column: value}))
        s.expunge_all()

    def restore(self, tomb: Tombstone) -> Record:
        """Undo a delete: the same ids, links and dependents come back."""
        with self._session() as s:
            self._insert_rows(s, tomb)
            row = self._get_row(s, tomb.kind, tomb.id)
            audit.record(s, analysis_id=self._analysis_id_of(s, tomb.kind, row), kind=tomb.kind, item_id=tomb.id,
                         item=tomb.label, action="återställd",
                         new=self._deleted_value(tomb.kind, row, tomb))
            return make_record(tomb.kind, row)

    def duplicate(self, kind: str, item_id: int) -> Record:
        """A copy with a new ID, its links and per-horizon/per-dimension ratings."""
        spec = self._spec(kind)
        src = self.get(kind, item_id)
        values = {f: src.values[f] for f in spec.field_names}
        values[spec.title_field] = f"{values[spec.title_field]} (kopia)"
        owner = src.values[spec.parent]
        copy = self.create(kind, owner, **values)
        with self._session() as s:
            conn = s.connection()
            for link in LINKS.values():
                for side, _other in (("left", "right"), ("right", "left")):
                    if getattr(link, side) != kind:
                        continue
                    table = link.table.__table__
                    col = getattr(link, f"{side}_col")
                    if link.left == link.right and side == "right":
                        continue
                    for r in conn.execute(sa_select(table).where(table.c[col] == item_id)).all():
                        vals = _row_dict(table, r)
                        vals[col] = copy.id
                        conn.execute(insert(table).values(**vals))
            for model, col in _COPIED_CHILDREN.get(kind, ()):
                table = model.__table__
                for r in conn.execute(sa_select(table).where(table.c[col] == item_id)).all():
                    vals = _row_dict(table, r)
                    vals[col] = copy.id
                    if "id" in table.c:
                        del vals["id"]  # a new row of its own, not a shared one
                    conn.execute(insert(table).values(**vals))
        return self.get(kind, copy.id)

    # -- links -----------------------------------------------------------------------------

    @staticmethod
    def _link(name: str) -> LinkSpec:
        try:
            return LINKS[name]
        except KeyError:
            raise NotFoundError(f"Okänd koppling: {name}") from None

    def link(self, name: str, left_id: int, right_id: int, /, **attrs) -> LinkRecord | None:
        """Create or update a link; returns the previous link (for undo) or None if it was new."""
        spec = self._link(name)
        table = spec.table.__table__
        with self._session() as s:
            left = self._get_row(s, spec.left, left_id)
            right = self._get_row(s, spec.right, right_id)
            if left.analysis_id != right.analysis_id:
                raise ValidationError([FieldError(name, spec.label, "objekten hör till olika analyser.")])
            if spec.left == spec.right and left_id == right_id:
                raise ValidationError([FieldError(name, spec.label, "ett beroende kan inte bero på sig självt.")])
            if name == "dependency_dependency" and self._reaches(s, right_id, left_id):
                raise ValidationError([FieldError(name, spec.label,
                                                  f"{right.hid} beror redan (direkt eller indirekt) på {left.hid}; "
                                                  "en cirkel av beroenden är inte tillåten.")])
            self._ensure_editable(s, left.analysis_id)
            ranges = self._ranges(s, left.analysis_id)
            errors, clean = [], {}
            for f in spec.fields:
                if f.name in attrs:
                    try:
                        clean[f.name] = clean_value(f, attrs[f.name], ranges)
                    except InvalidValue as exc:
                        errors.append(FieldError(f.name, f.label, str(exc)))
            unknown = set(attrs) - {f.name for f in spec.fields}
            errors += [FieldError(k, k, "okänt fält för kopplingen.") for k in unknown]
            if errors:
                raise ValidationError(errors)
            cond = and_(table.c[spec.left_col] == left_id, table.c[spec.right_col] == right_id)
            conn = s.connection()
            existing = conn.execute(sa_select(table).where(cond)).first()
            left_label = make_record(spec.left, left).label
            right_label = make_record(spec.right, right).label
            if existing is None:
                conn.execute(insert(table).values({spec.left_col: left_id, spec.right_col: right_id, **clean}))
                audit.record(s, analysis_id=left.analysis_id, kind=spec.left, item_id=left_id, item=left_label,
                             action="kopplad", field=spec.label, new={"till": right_label, **clean})
                return None
            previous = LinkRecord(name, left_id, right_id, MappingProxyType(
                {f.name: existing._mapping[table.c[f.name]] for f in spec.fields}))
            if clean:
                conn.execute(sa_update(table).where(cond).values(**clean))
                labels = {f.name: f.label for f in spec.fields}
                for name, value in clean.items():
                    if previous.attrs.get(name) != value:
                        audit.record(s, analysis_id=left.analysis_id, kind=spec.left, item_id=left_id,
                                     item=left_label, action="ändrad",
                                     field=f"{spec.label} ({right_label}): {labels[name]}",
                                     old=previous.attrs.get(name), new=value)
            return previous

    def _reaches(self, s: Session, start: int, target: int) -> bool:
        table = e.DependencyDependency.__table__
        seen, todo = set(), [start]
        while todo:
            cur = todo.pop()
            if cur == target:
                return True
            if cur in seen:
                continue
            seen.add(cur)
            todo += [r[0] for r in s.connection().execute(
                sa_select(table.c.depends_on_id).where(table.c.dependency_id == cur)).all()]
        return False

    def unlink(self, name: str, left_id: int, right_id: int) -> LinkRecord | None:
        """Remove a link; returns it (for undo) or None if there was none."""
        spec = self._link(name)
        table = spec.table.__table__
        with self._session() as s:
            left = self._get_row(s, spec.left, left_id)
            self._ensure_editable(s, left.analysis_id)
            cond = and_(table.c[spec.left_col] == left_id, table.c[spec.right_col] == right_id)
            conn = s.connection()
            existing = conn.execute(sa_select(table).where(cond)).first()
            if existing is None:
                return None
            conn.execute(delete(table).where(cond))
            right = self._get_row(s, spec.right, right_id)
            audit.record(s, analysis_id=left.analysis_id, kind=spec.left, item_id=left_id,
                         item=make_record(spec.left, left).label, action="bortkopplad", field=spec.label,
                         old={"till": make_record(spec.right, right).label})
            return LinkRecord(name, left_id, right_id, MappingProxyType(
                {f.name: existing._mapping[table.c[f.name]] for f in spec.fields}))

    def _links_query(self, name: str, left_id: int | None, right_id: int | None, analysis_id: int | None):
        spec = self._link(name)
        table = spec.table.__table__
        q = sa_select(table)
        if left_id is not None:
            q = q.where(table.c[spec.left_col] == left_id)
        if right_id is not None:
            q = q.where(table.c[spec.right_col] == right_id)
        if analysis_id is not None:
            left_table = KINDS[spec.left].table.__table__
            q = q.join(left_table, left_table.c.id == table.c[spec.left_col]).where(
                left_table.c.analysis_id == analysis_id)
        return spec, table, q

    @staticmethod
    def _link_records(name: str, spec, table, rows) -> list[LinkRecord]:
        left_c, right_c = table.c[spec.left_col], table.c[spec.right_col]
        attr_cols = [(f.name, table.c[f.name]) for f in spec.fields]
        out = []
        for r in rows:
            m = r._mapping
            out.append(LinkRecord(name, m[left_c], m[right_c], MappingProxyType({n: m[c] for n, c in attr_cols})))
        return out

    def links(self, name: str, *, left_id: int | None = None, right_id: int | None = None,
              analysis_id: int | None = None) -> list[LinkRecord]:
        spec, table, q = self._links_query(name, left_id, right_id, analysis_id)
        with self._session() as s:
            return self._link_records(name, spec, table, s.connection().execute(q).all())

    # -- bulk reading: a whole analysis in one connection ------------------------------------

    @staticmethod
    def _fast_rows(conn, key, build, params: tuple = ()) -> list[tuple]:
        """Rows of the Core select `build()` (bind parameters named "p0", "p1", …, given by `params`), with
        the columns' own result processing – as conn.execute would return them. The SQL is compiled once per
        `key` and process: every Document has an engine of its own, so SQLAlchemy's compiled cache (one per
        engine) would compile every statement again for every file a bulk reader opens."""
        dialect = conn.dialect
        entry = _FAST_SQL.get((key, dialect.name))
        if entry is None:
            q = build()
            compiled = q.compile(dialect=dialect)
            fixed = {name: bp.value for bp, name in compiled.bind_names.items()}
            # ("p", i): the i-th of `params`; ("c", value): a constant of the statement (a LIMIT)
            order = [("p", int(name[1:])) if name[:1] == "p" and name[1:].isdigit() else ("c", fixed[name])
                     for name in (compiled.positiontup or ())]
            procs = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in q.selected_columns]
            entry = (str(compiled), order, procs if any(procs) else None)
            _FAST_SQL[(key, dialect.name)] = entry
        sql, order, procs = entry
        rows = conn.exec_driver_sql(sql, tuple(params[v] if k == "p" else v for k, v in order)).all()
        if procs is None:
            return [tuple(r) for r in rows]
        return [tuple(f(v) if f is not None else v for f, v in zip(procs, r))
                for r in rows]

    def _fast_records(self, conn, kind: str, key, build, params: tuple = ()) -> list[Record]:
        names = list(self._spec(kind).table.model_fields)
        out = []
        for r in self._fast_rows(conn, key, build, params):
            data = dict(zip(names, r))
            out.append(make_item(kind, data))
        return out

    def head(self) -> tuple[Record | None, list[Record]]:
        """(organisation(), analyses()) in one go, for readers that open many files."""
        def org_q():
            t = e.Organisation.__table__
            return sa_select(*(t.c[n] for n in e.Organisation.model_fields)).order_by(t.c.id).limit(1)

        def analyses_q():
            t = e.Analysis.__table__
            return sa_select(*(t.c[n] for n in e.Analysis.model_fields)).order_by(t.c.year)

        with self._session() as s:
            conn = s.connection()
            org = self._fast_records(conn, "organisation", "head:organisation", org_q)
            analyses = self._fast_records(conn, "analysis", "head:analyses", analyses_q)
            return (org[0] if org else None), analyses

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
            records: dict[str, list[Record]] = {}
            children: dict[str, dict[int, list[Record]]] = {}
            for kind in kinds:
                spec = self._spec(kind)

                def build(spec=spec):
                    table = spec.table.__table__
                    q = sa_select(*(table.c[n] for n in spec.table.model_fields))
                    order = [table.c.sort_order] if "sort_order" in table.c else []
                    if spec.parent == "plan_id":
                        plans = e.ContinuityPlan.__table__
                        return q.join(plans, plans.c.id == table.c.plan_id) \
                            .where(plans.c.analysis_id == bindparam("p0")) \
                            .order_by(table.c.plan_id, *order, table.c.id)
                    return q.where(table.c[spec.parent] == bindparam("p0")).order_by(*order, table.c.id)

                out = self._fast_records(conn, kind, ("snapshot", kind), build, (analysis_id,))
                if spec.parent == "plan_id":
                    by_plan: dict[int, list[Record]] = {}
                    for rec in out:
                        by_plan.setdefault(rec.values["plan_id"], []).append(rec)
                    children[kind] = by_plan
                else:
                    records[kind] = out
            link_records = {}
            for name in links:
                spec = self._link(name)
                # The same statement as links(name, analysis_id=…), so the rows come in the same order.
                lbuild = lambda name=name: self._links_query(name, None, None, bindparam("p0"))[2]  # noqa: E731
                attr_names = [f.name for f in spec.fields]
                table = spec.table.__table__
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
                    for r in RsaService._fast_rows(conn, ("scales", t.name), build, (analysis_id,))]

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

    # -- ratings: impact over time and consequence per dimension ----------------------------

    def set_impact(self, function_id: int, horizon_id: int, level: int | None) -> int | None:
        """Set (or clear with None) the consequence for a function at a time horizon; returns the old level."""
        return self._set_rating(e.FunctionImpact, "function", function_id, "horizon_id", horizon_id,
                                e.TimeHorizon, level, "Konsekvens över tid")

    def impacts(self, function_id: int) -> dict[int, int]:
        with self._session() as s:
            rows = s.exec(select(e.FunctionImpact).where(e.FunctionImpact.function_id == function_id)).all()
            return {r.horizon_id: r.level for r in rows}

    def set_consequence(self, risk_id: int, dimension_id: int, level: int | None) -> int | None:
        """Set (or clear) a risk's consequence in one dimension; returns the old level."""
        return self._set_rating(e.RiskConsequence, "risk", risk_id, "dimension_id", dimension_id,
                                e.ConsequenceDimension, level, "Konsekvens")

    def consequences(self, risk_id: int) -> dict[int, int]:
        with self._session() as s:
            rows = s.exec(select(e.RiskConsequence).where(e.RiskConsequence.risk_id == risk_id)).all()
            return {r.dimension_id: r.level for r in rows}

    def all_consequences(self, analysis_id: int) -> dict[int, dict[int, int]]:
        """risk id → {dimension id → level} for a whole analysis in one query."""
        with self._session() as s:
            rows = s.exec(select(e.RiskConsequence).join(e.Risk).where(e.Risk.analysis_id == analysis_id)).all()
            out: dict[int, dict[int, int]] = {}
            for r in rows:
                out.setdefault(r.risk_id, {})[r.dimension_id] = r.level
            return out

    def all_impacts(self, analysis_id: int) -> dict[int, dict[int, int]]:
        with self._session() as s:
            rows = s.exec(select(e.FunctionImpact).join(e.Function)
                          .where(e.Function.analysis_id == analysis_id)).all()
            out: dict[int, dict[int, int]] = {}
            for r in rows:
                out.setdefault(r.function_id, {})[r.horizon_id] = r.level
            return out

    def _set_rating(self, table, owner_kind, owner_id, key_col, key_id, key_table, level, label):
        with self._session() as s:
            owner = self._get_row(s, owner_kind, owner_id)
            self._ensure_editable(s, owner.analysis_id)
            key = s.get(key_table, key_id)
            if key is None or key.analysis_id != owner.analysis_id:
                raise ValidationError([FieldError(key_col, label, "finns inte i analysens skala.")])
            if level is not None:
                allowed = self._read_scales(s, owner.analysis_id).ranges.consequence
                if isinstance(level, bool) or not isinstance(level, int) or level not in allowed:
                    raise ValidationError([FieldError(key_col, label,
                                                      f"värdet {level} finns inte på konsekvensskalan.")])
            pk = (owner_id, key_id)
            row = s.get(table, pk)
            old = row.level if row else None
            if old != level:
                audit.record(s, analysis_id=owner.analysis_id, kind=owner_kind, item_id=owner_id,
                             item=make_record(owner_kind, owner).label, action="ändrad",
                             field=f"{label}: {key.label}", old=old, new=level)
            if level is None:
                if row:
                    s.delete(row)
            elif row:
                row.level = level
            else:
                s.add(table(**{f"{owner_kind}_id": owner_id, key_col: key_id, "level": level}))
            return old

    # -- summaries -------------------------------------------------------------------------

    def counts(self, analysis_id: int) -> dict[str, int]:
        with self._session() as s:
            out = {}
            for kind in ("participant", *ITEM_KINDS):
                table = KINDS[kind].table
                out[kind] = s.exec(sa_select(func.count()).select_from(table)
                                   .where(table.analysis_id == analysis_id)).scalar()
            out["function_critical"] = s.exec(sa_select(func.count()).select_from(e.Function).where(
                e.Function.analysis_id == analysis_id, e.Function.is_critical)).scalar()
            return out


@dataclass(frozen=True)
class Snapshot:
    """A whole analysis read at once (RsaService.snapshot); answers the reading calls of RsaService for it."""
    analysis_id: int
    records: dict[str, list[Record]]
    children: dict[str, dict[int, list[Record]]]  # fallback/contact → plan id → records
    link_records: dict[str, list[LinkRecord]]
    scale: scale_svc.Scales
    impacts: dict[int, dict[int, int]]
    consequences: dict[int, dict[int, int]]

    def list(self, kind: str, owner_id: int) -> list[Record]:
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


__all__ = ["RsaService", "LinkRecord", "Snapshot", "TABLE_LABELS", "CHILD_KINDS"]
