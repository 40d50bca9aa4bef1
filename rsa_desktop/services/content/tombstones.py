"""RsaService's delete and restore: what an item takes with it (a Tombstone), and putting it back."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from sqlalchemy import and_, delete, insert
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update
from sqlmodel import Session, SQLModel

from rsa_desktop.domain.items import Item
from rsa_desktop.model import entities as e
from rsa_desktop.model.kinds import KIND_TABLES
from rsa_desktop.services import audit
from rsa_desktop.services.content.base import ServiceBase
from rsa_desktop.services.records import TABLE_LABELS, Tombstone, make_record


class TombstonesMixin(ServiceBase):
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
        rows.append((table_name, MappingProxyType(self._row_dict(table, found))))
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
        self._capture(s, self._spec(kind).table_name, {"id": item_id}, rows, nulled, set())
        # Marks that name the item by kind and id (no foreign key, since they span kinds) go with it.
        for model in (e.ReviewMark, e.CarriedFrom):
            table = model.__table__
            for r in s.connection().execute(sa_select(table).where(table.c.kind == kind,
                                                                   table.c.item_id == item_id)).all():
                rows.append((table.name, MappingProxyType(self._row_dict(table, r))))
        return Tombstone(kind, item_id, make_record(kind, row).label, tuple(rows), tuple(nulled))

    def _deleted_value(self, kind: str, row, tomb: Tombstone) -> dict[str, Any]:
        """The item's fields and every row removed with it (links, ratings, children): nothing is lost."""
        value: dict[str, Any] = self._audit_values(kind, make_record(kind, row))
        own = self._spec(kind).table_name
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
        table = KIND_TABLES[self._spec(kind).kind].__table__
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

    def restore(self, tomb: Tombstone) -> Item:
        """Undo a delete: the same ids, links and dependents come back."""
        with self._session() as s:
            self._insert_rows(s, tomb)
            row = self._get_row(s, tomb.kind, tomb.id)
            audit.record(s, analysis_id=self._analysis_id_of(s, tomb.kind, row), kind=tomb.kind, item_id=tomb.id,
                         item=tomb.label, action="återställd",
                         new=self._deleted_value(tomb.kind, row, tomb))
            return make_record(tomb.kind, row)
