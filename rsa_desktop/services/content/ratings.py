"""RsaService's ratings: a function's impact per time horizon and a risk's consequence per dimension."""

from __future__ import annotations

from sqlmodel import select

from rsa_desktop.model import entities as e
from rsa_desktop.services import audit
from rsa_desktop.services.content.base import ServiceBase
from rsa_desktop.services.errors import FieldError, ValidationError
from rsa_desktop.services.records import make_record


class RatingsMixin(ServiceBase):
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
