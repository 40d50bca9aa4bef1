"""The core of RsaService: the document, sessions and batches, lookups, editability, audit helpers."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from rsa_desktop.domain.fieldtypes import field_type
from rsa_desktop.domain.items import Item
from rsa_desktop.model import entities as e
from rsa_desktop.model.kinds import KIND_TABLES, KINDS, KindSpec, LinkSpec
from rsa_desktop.services import audit
from rsa_desktop.services import scales as scale_svc
from rsa_desktop.services.errors import FieldError, NotFoundError, ReadOnlyAnalysisError, ValidationError
from rsa_desktop.services.records import Change, Tombstone
from rsa_desktop.services.validation import ScaleRanges
from rsa_desktop.storage.database import Document


class ServiceBase:
    """What the parts of RsaService (services/content/*.py) share: the document, sessions, lookups, audit."""

    def __init__(self, doc: Document):
        self.doc = doc
        self._batch: Session | None = None
        self._batch_scales: dict[int, scale_svc.Scales] = {}

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _row_dict(table, row) -> dict[str, Any]:
        return {c.name: row._mapping[c] for c in table.columns}

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
        row = s.get(KIND_TABLES[self._spec(kind).kind], item_id)
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
                target = s.get(KIND_TABLES[f.ref], values[f.name])
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

    def _audit_values(self, kind: str, rec: Item) -> dict[str, Any]:
        """Every field of an item, by its label: what a create records as new and a delete as old."""
        spec = self._spec(kind)
        return {spec.field(f).label: rec.get(f) for f in spec.field_names}

    def audit_chain_breaks(self) -> list[audit.ChainBreak]:
        """Where the audit trail was changed behind the program's back ([] when it is intact)."""
        with self._session() as s:
            return audit.chain_breaks(s)

    def audit_trail(self, *, analysis_id: int | None = None, kind: str | None = None, item_id: int | None = None,
                    text: str = "", limit: int | None = None) -> list[audit.AuditEntry]:
        with self._session() as s:
            return audit.entries(s, analysis_id=analysis_id, kind=kind, item_id=item_id, text=text, limit=limit)

    if TYPE_CHECKING:
        # Provided by the other parts (services/content/*.py), which call one another through self.

        def get(self, kind: str, item_id: int) -> Item: ...

        def update(self, kind: str, item_id: int, /, **values) -> Change: ...

        def set_organisation(self, **values) -> Change: ...

        def _delete_rows(self, s: Session, kind: str, item_id: int) -> None: ...

        def _insert_rows(self, s: Session, tomb: Tombstone) -> None: ...

        @staticmethod
        def _link(name: str) -> LinkSpec: ...

        def _links_query(self, name: str, left_id: int | None, right_id: int | None, analysis_id: int | None): ...
