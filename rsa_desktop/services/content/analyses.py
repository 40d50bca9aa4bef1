"""RsaService's organisation and analysis years: create, scales, reopen, archive, review marks, adopt."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import MappingProxyType
from typing import Any

from sqlmodel import Session, select

from rsa_desktop.domain.items import Item
from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.model import entities as e
from rsa_desktop.services import audit
from rsa_desktop.services import scales as scale_svc
from rsa_desktop.services.content.base import ServiceBase
from rsa_desktop.services.errors import FieldError, ValidationError
from rsa_desktop.services.records import Change, Tombstone, make_record
from rsa_desktop.services.validation import ScaleRanges, clean_values


class AnalysesMixin(ServiceBase):
    # -- organisation and analyses ---------------------------------------------------------

    def organisation(self) -> Item | None:
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

    def analyses(self) -> list[Item]:
        with self._session() as s:
            rows = s.exec(select(e.Analysis).order_by(e.Analysis.year)).all()
            return [make_record("analysis", r) for r in rows]

    def analysis(self, analysis_id: int) -> Item:
        with self._session() as s:
            return make_record("analysis", self._get_row(s, "analysis", analysis_id))

    def analysis_for_year(self, year: int) -> Item | None:
        with self._session() as s:
            row = s.exec(select(e.Analysis).where(e.Analysis.year == year)).first()
            return make_record("analysis", row) if row else None

    def create_analysis(self, year: int, *, template: dict[str, Any] | None = None, **values) -> Item:
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
        """For services that rewrite an analysis' scales (services/scale_edit/): one transaction (the
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
        return {"old": AnalysesMixin._scales_dict(before), "new": {**AnalysesMixin._scales_dict(after), "ändringar": words}}

    @staticmethod
    def _scales_dict(scales: scale_svc.Scales) -> dict[str, Any]:
        return {"version": scales.fingerprint, "skalor": scale_svc.template_from_scales(scales)}

    @staticmethod
    def _scales_value(s: Session, analysis_id: int) -> dict[str, Any]:
        return AnalysesMixin._scales_dict(scale_svc.read_scales(s, analysis_id))

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
