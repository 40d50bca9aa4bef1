"""RsaService's reading of items: one, a list, by ID, counts, and the bulk readers with SQLAlchemy Core."""

from __future__ import annotations

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import select

from rsa_desktop.domain.items import Item, make_item
from rsa_desktop.model import entities as e
from rsa_desktop.model.kinds import ITEM_KINDS, KIND_TABLES
from rsa_desktop.services.content.base import ServiceBase
from rsa_desktop.services.records import make_record

# Compiled SQL of the bulk readers: (key, dialect name) → (sql, bind order, result processors).
_FAST_SQL: dict = {}


class ReadingMixin(ServiceBase):
    # -- generic items ---------------------------------------------------------------------

    def list(self, kind: str, owner_id: int) -> list[Item]:
        """Items of `kind` in an analysis (or, for fallback/contact, in a continuity plan)."""
        spec = self._spec(kind)
        table = KIND_TABLES[kind]
        with self._session() as s:
            col = getattr(table, spec.parent)
            order = [table.sort_order] if hasattr(table, "sort_order") else []
            rows = s.exec(select(table).where(col == owner_id).order_by(*order, table.id)).all()
            return [make_record(kind, r) for r in rows]

    def list_fast(self, kind: str, owner_id: int) -> list[Item]:
        """list() read with SQLAlchemy Core (no ORM objects): the same records in the same order, several times
        faster for a long list (the UI's tables and pickers read whole lists after every change)."""
        if self._batch is not None:  # pending ORM changes are seen by the ORM read only
            return self.list(kind, owner_id)
        spec = self._spec(kind)

        def build():
            table = KIND_TABLES[spec.kind].__table__
            order = [table.c.sort_order] if "sort_order" in table.c else []
            return sa_select(*(table.c[n] for n in KIND_TABLES[spec.kind].model_fields)) \
                .where(table.c[spec.parent] == bindparam("p0")).order_by(*order, table.c.id)

        with self._session() as s:
            return self._fast_records(s.connection(), kind, ("list", kind), build, (owner_id,))

    def get_fast(self, kind: str, item_id: int) -> Item | None:
        """One item as list_fast() reads it (None when it is gone): a list refreshes the one row an edit
        changed instead of reading the whole list again."""
        if self._batch is not None:  # pending ORM changes are seen by the ORM read only
            try:
                return self.get(kind, item_id)
            except Exception:  # noqa: BLE001 - gone
                return None
        spec = self._spec(kind)

        def build():
            table = KIND_TABLES[spec.kind].__table__
            return sa_select(*(table.c[n] for n in KIND_TABLES[spec.kind].model_fields)).where(table.c.id == bindparam("p0"))

        with self._session() as s:
            rows = self._fast_records(s.connection(), kind, ("get", kind), build, (item_id,))
        return rows[0] if rows else None

    def get(self, kind: str, item_id: int) -> Item:
        with self._session() as s:
            return make_record(kind, self._get_row(s, kind, item_id))

    def find_by_hid(self, kind: str, analysis_id: int, hid: str) -> Item | None:
        table = KIND_TABLES[self._spec(kind).kind]
        with self._session() as s:
            row = s.exec(select(table).where(table.analysis_id == analysis_id, table.hid == hid)).first()
            return make_record(kind, row) if row else None

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

    def _fast_records(self, conn, kind: str, key, build, params: tuple = ()) -> list[Item]:
        names = list(KIND_TABLES[self._spec(kind).kind].model_fields)
        out = []
        for r in self._fast_rows(conn, key, build, params):
            data = dict(zip(names, r))
            out.append(make_item(kind, data))
        return out

    def head(self) -> tuple[Item | None, list[Item]]:
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

    # -- summaries -------------------------------------------------------------------------

    def counts(self, analysis_id: int) -> dict[str, int]:
        with self._session() as s:
            out = {}
            for kind in ("participant", *ITEM_KINDS):
                table = KIND_TABLES[kind]
                out[kind] = s.exec(sa_select(func.count()).select_from(table)
                                   .where(table.analysis_id == analysis_id)).scalar()
            out["function_critical"] = s.exec(sa_select(func.count()).select_from(e.Function).where(
                e.Function.analysis_id == analysis_id, e.Function.is_critical)).scalar()
            return out
