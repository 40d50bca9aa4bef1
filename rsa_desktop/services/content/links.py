"""RsaService's links between items: create, update, remove and read them (LinkRecord)."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy import and_, delete, insert
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update
from sqlmodel import Session

from rsa_desktop.domain.fieldtypes import InvalidValue
from rsa_desktop.model import entities as e
from rsa_desktop.model.kinds import KIND_TABLES, LINK_TABLES, LINKS, LinkSpec
from rsa_desktop.services import audit
from rsa_desktop.services.content.base import ServiceBase
from rsa_desktop.services.errors import FieldError, NotFoundError, ValidationError
from rsa_desktop.services.records import make_record
from rsa_desktop.services.validation import clean_value


@dataclass(frozen=True)
class LinkRecord:
    link: str
    left_id: int
    right_id: int
    attrs: MappingProxyType


class LinksMixin(ServiceBase):
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
        table = LINK_TABLES[spec.name].__table__
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
        table = LINK_TABLES[spec.name].__table__
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
        table = LINK_TABLES[spec.name].__table__
        q = sa_select(table)
        if left_id is not None:
            q = q.where(table.c[spec.left_col] == left_id)
        if right_id is not None:
            q = q.where(table.c[spec.right_col] == right_id)
        if analysis_id is not None:
            left_table = KIND_TABLES[spec.left].__table__
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
