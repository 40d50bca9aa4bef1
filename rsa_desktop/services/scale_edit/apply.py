"""Writing a new scale to the database: every rating moved by the mapping, one transaction, refused if unmapped."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update

from rsa_desktop.domain.durations import format_duration
from rsa_desktop.model import entities as e
from rsa_desktop.services.errors import FieldError, ValidationError
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.services.scale_edit.mapping import map_level, normalise_mapping
from rsa_desktop.services.scale_edit.preview import AffectedRating, preview_scale_change
from rsa_desktop.services.scale_edit.template import LEVEL_KEYS, PART_LABELS, validate_template


def apply_scale(svc: RsaService, analysis_id: int, new_template: dict[str, Any], mapping: dict | None = None) -> None:
    """Replace the analysis' scales by `new_template`, re-mapping stored ratings by `mapping`.

    mapping = {"likelihood": {old: new}, "consequence": {…}, "capability": {…},
               "dimensions": {old_code: new_code | None}, "horizons": {old_minutes: new_minutes | None}}
    Refuses (ValidationError, nothing changed) if a used value is left without a valid place.
    """
    tpl = validate_template(new_template)
    mp = normalise_mapping(mapping)
    with svc.batch():
        preview = preview_scale_change(svc, analysis_id, tpl, mapping)
        if not preview.ok:
            errs = [FieldError("mapping", "Mappning", m) for m in preview.mapping_errors]
            by_part: dict[str, list[AffectedRating]] = {}
            for r in preview.unmapped:
                by_part.setdefault(r.part, []).append(r)
            for part, rows in by_part.items():
                values = sorted({r.old for r in rows}, key=str)
                shown = ", ".join(format_duration(v) if part == "horizons" else str(v) for v in values)
                items = ", ".join(dict.fromkeys(f"{r.hid}" for r in rows))
                errs.append(FieldError(part, PART_LABELS[part].capitalize(),
                                       f"{shown} används av {items} men finns inte i den nya skalan. "
                                       "Välj vart bedömningarna ska flyttas."))
            raise ValidationError(errs)
        with svc.scale_transaction(analysis_id) as s:
            _write(s, analysis_id, tpl, mp)
            s.expunge_all()


def _write(s, aid: int, tpl: dict[str, Any], mp: dict[str, dict]) -> None:
    conn = s.connection()
    # plain ratings on the items
    risk_t, fn_t, cap_t = e.Risk.__table__, e.Function.__table__, e.Capability.__table__
    for row in conn.execute(sa_select(risk_t).where(risk_t.c.analysis_id == aid)).all():
        m = row._mapping
        vals = {"likelihood": map_level(mp, "likelihood", m["likelihood"]),
                "residual_likelihood": map_level(mp, "likelihood", m["residual_likelihood"]),
                "residual_consequence": map_level(mp, "consequence", m["residual_consequence"])}
        if any(vals[k] != m[k] for k in vals):
            conn.execute(sa_update(risk_t).where(risk_t.c.id == m["id"]).values(**vals))
    for row in conn.execute(sa_select(fn_t).where(fn_t.c.analysis_id == aid)).all():
        m = row._mapping
        vals = {k: map_level(mp, "consequence", m[k]) for k in ("criticality_life_health", "criticality_functionality")}
        if any(vals[k] != m[k] for k in vals):
            conn.execute(sa_update(fn_t).where(fn_t.c.id == m["id"]).values(**vals))
    for row in conn.execute(sa_select(cap_t).where(cap_t.c.analysis_id == aid)).all():
        m = row._mapping
        new = map_level(mp, "capability", m["rating"])
        if new != m["rating"]:
            conn.execute(sa_update(cap_t).where(cap_t.c.id == m["id"]).values(rating=new))

    # dimensions (keyed by code) with the per-risk consequences
    _rekey(conn, aid, e.ConsequenceDimension.__table__, "code",
           [(d["code"], {"label": d["label"], "description": d["description"], "sort_order": i})
            for i, d in enumerate(tpl["consequence_dimensions"])],
           mp["dimensions"], e.RiskConsequence.__table__, "dimension_id", "risk_id", mp["consequence"])
    # horizons (keyed by minutes) with the per-function impacts
    _rekey(conn, aid, e.TimeHorizon.__table__, "minutes",
           [(h["minutes"], {"label": h["label"]}) for h in tpl["time_horizons"]],
           mp["horizons"], e.FunctionImpact.__table__, "horizon_id", "function_id", mp["consequence"])

    # levels and bands carry no references: replace them
    for part, model in (("likelihood", e.LikelihoodLevel), ("consequence", e.ConsequenceLevel),
                        ("capability", e.CapabilityLevel)):
        t = model.__table__
        conn.execute(delete(t).where(t.c.analysis_id == aid))
        for lv in tpl[LEVEL_KEYS[part]]:
            conn.execute(insert(t).values(analysis_id=aid, **lv))
    bt = e.ColourBand.__table__
    conn.execute(delete(bt).where(bt.c.analysis_id == aid))
    for b in tpl["colour_bands"]:
        conn.execute(insert(bt).values(analysis_id=aid, **b))
    at = e.Analysis.__table__
    conn.execute(sa_update(at).where(at.c.id == aid).values(consequence_aggregation=tpl["consequence_aggregation"],
                                                            unacceptable_level=tpl["unacceptable_level"]))


def _rekey(conn, aid: int, table, key_col: str, wanted: list[tuple[Any, dict]], key_map: dict,
           rating_t, rating_key: str, owner_col: str, level_map: dict) -> None:
    """Make the rows of `table` match `wanted`, moving ratings from removed keys to their mapped key."""
    rows = {r._mapping[key_col]: r._mapping["id"]
            for r in conn.execute(sa_select(table).where(table.c.analysis_id == aid)).all()}
    wanted_keys = [k for k, _ in wanted]
    targets: dict[Any, Any] = {}  # old key → new key (or None: drop)
    for old in rows:
        if old in key_map:
            targets[old] = key_map[old]
        elif old in wanted_keys:
            targets[old] = old
        else:
            targets[old] = None  # unused (preview guaranteed it): nothing to move
    ids: dict[Any, int] = {}
    for key, attrs in wanted:
        if key in rows:
            conn.execute(sa_update(table).where(table.c.id == rows[key]).values(**attrs))
            ids[key] = rows[key]
            continue
        sources = [old for old, new in targets.items() if new == key and old not in wanted_keys]
        if len(sources) == 1:  # a pure rename: keep the row (and its id)
            conn.execute(sa_update(table).where(table.c.id == rows[sources[0]]).values(**{key_col: key}, **attrs))
            ids[key] = rows[sources[0]]
            targets[sources[0]] = key
            rows[key] = rows.pop(sources[0])
            continue
        res = conn.execute(insert(table).values(analysis_id=aid, **{key_col: key}, **attrs))
        ids[key] = res.inserted_primary_key[0]
    # move ratings to their new row, merging (higher level wins) where two land on one
    old_rows = [(old, rid) for old, rid in rows.items()]
    merged: dict[tuple[int, int], int] = {}
    for old, rid in old_rows:
        for r in conn.execute(sa_select(rating_t).where(rating_t.c[rating_key] == rid)).all():
            m = r._mapping
            new_key = targets.get(old, old)
            if new_key is None:
                continue
            level = level_map.get(m["level"], m["level"])
            spot = (m[owner_col], ids[new_key])
            merged[spot] = max(merged.get(spot, level), level)
    for _old, rid in old_rows:
        conn.execute(delete(rating_t).where(rating_t.c[rating_key] == rid))
    for old, rid in old_rows:
        if old not in wanted_keys and rid not in ids.values():
            conn.execute(delete(table).where(table.c.id == rid))
    for (owner, key_id), level in sorted(merged.items()):
        conn.execute(insert(rating_t).values(**{owner_col: owner, rating_key: key_id, "level": level}))
