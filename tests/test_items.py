"""Typed items: one frozen dataclass per kind (domain/items.py), and the three declarations of a kind's
fields – the table column (model/entities.py), the item field and the form's FieldSpec (domain/kinds.py) –
kept from diverging: a column added to one and not the others fails here, naming where. The table is the one
model/kinds.py maps the kind to."""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing

import pytest
from sqlalchemy.types import TypeDecorator

from rsa_desktop.domain import items
from rsa_desktop.domain.fieldtypes import field_type
from rsa_desktop.model import entities as e
from rsa_desktop.model.kinds import KINDS, LINKS, link_table, table

# Columns that are bookkeeping, not a field a person edits: the row id, the owner, the human ID, the order
# in lists, and the analysis' own state.
BOOKKEEPING = {"analysis": {"organisation_id", "scales_confirmed", "archived", "catalogue_version", "public_texts",
                            "created_at"}}


def _column_type(col) -> type:
    t = col.type
    while isinstance(t, TypeDecorator):
        if isinstance(t, e.TolerantDate):
            return dt.date
        t = t.impl
    return t.python_type


def _item_types(cls) -> dict[str, object]:
    return typing.get_type_hints(cls, vars(items))


def test_every_kind_and_link_names_the_table_the_model_maps_it_to():
    assert {k: s.table_name for k, s in KINDS.items()} == {k: table(k).__tablename__ for k in KINDS}
    assert {n: s.table_name for n, s in LINKS.items()} == {n: link_table(n).__tablename__ for n in LINKS}


def test_every_kind_has_an_item_type():
    assert set(items.ITEM_TYPES) == set(KINDS)
    for kind, cls in items.ITEM_TYPES.items():
        assert cls.kind == kind and cls.title_field == KINDS[kind].title_field, kind


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_item_fields_are_the_table_columns_with_the_same_types(kind):
    stored = table(kind)  # the model's lookup from kind to its SQLModel table
    cls = items.ITEM_TYPES[kind]
    assert cls.field_names() == tuple(stored.model_fields), f"{kind}: domain/items.py and model/entities.py differ"
    hints = _item_types(cls)
    for name in cls.field_names():
        col = stored.__table__.c[name]
        expected = _column_type(col)
        if col.nullable and not col.primary_key:
            expected = expected | None
        assert hints[name] == expected, f"{kind}.{name}: item says {hints[name]}, column says {expected}"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_column_is_a_field_spec_or_declared_bookkeeping(kind):
    spec = KINDS[kind]
    columns = set(table(kind).model_fields)
    assert set(spec.field_names) <= columns, f"{kind}: a FieldSpec without a column"
    internal = {"id", spec.parent, "sort_order"} | ({"hid"} if spec.prefix else set()) | BOOKKEEPING.get(kind, set())
    assert columns - set(spec.field_names) == internal & columns, (
        f"{kind}: a column that no form edits and no one declared as bookkeeping")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_field_specs_type_stores_what_its_item_field_holds(kind):
    hints = _item_types(items.ITEM_TYPES[kind])
    for f in KINDS[kind].fields:
        stored = field_type(f).stored
        assert hints[f.name] in (stored, stored | None), f"{kind}.{f.name}: {f.type} stores {stored}"


def test_an_item_is_immutable_typed_and_read_by_name():
    risk = items.make_item("risk", {n: None for n in items.Risk.field_names()} | {
        "id": 7, "analysis_id": 1, "hid": "R3", "title": "Långvarigt elavbrott", "likelihood": 4, "extra": "ignored"})
    assert isinstance(risk, items.Risk)
    assert risk.likelihood == risk.get("likelihood") == risk.values["likelihood"] == 4
    assert risk.label == "R3 Långvarigt elavbrott"
    assert risk.get("kind") is None and risk.get("no_such_field", "-") == "-"  # a field, not the class constant
    assert "extra" not in risk.values
    with pytest.raises(dataclasses.FrozenInstanceError):
        risk.title = "annan"  # type: ignore[misc]
    with pytest.raises(TypeError):
        risk.values["title"] = "annan"  # type: ignore[index]
    with pytest.raises(KeyError):
        items.make_item("risk", {"id": 1})  # a missing field is a bug, not a silent default


def test_services_hand_out_typed_items(demo_file):
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.storage.database import Document

    with Document.open(demo_file, readonly=True) as doc:
        _check_typed(RsaService(doc))


def _check_typed(svc):
    aid = svc.analyses()[0].id
    assert isinstance(svc.analysis(aid), items.Analysis)
    snap = svc.snapshot(aid, ("risk", "action"))
    for kind in ("risk", "action"):
        slow, fast = svc.list(kind, aid), snap.list(kind, aid)
        assert slow and all(type(r) is items.ITEM_TYPES[kind] for r in slow + fast)
        assert slow == fast  # the ORM read and the bulk read give equal items
