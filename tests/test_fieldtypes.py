"""One FieldType per field type (domain/fieldtypes.py): clean, show, write to and read from a cell, and the
widget key; bad input gets its Swedish message as InvalidValue, and a bug's ValueError is not taken for one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rsa_desktop.domain import fieldtypes as ft
from rsa_desktop.domain.excel_format import ID, RISK_SHEET, minutes_heading
from rsa_desktop.domain.fieldtypes import InvalidValue, field_type
from rsa_desktop.domain.kinds import KINDS, LINKS, FieldSpec
from rsa_desktop.domain.scales import Level, ScaleRanges, Scales
from rsa_desktop.services.errors import ValidationError

CHOICES = (("hog", "Hög"), ("lag", "Låg"))
RANGES = ScaleRanges(likelihood=(1, 2, 3), consequence=(1, 2, 4), capability=(1, 2))
SCALES = Scales(likelihood=(Level(1, "Liten"), Level(2, "Måttlig"), Level(3, "Stor")),
                consequence=(Level(1, "Begränsad"), Level(2, ""), Level(4, "Katastrofal")),
                dimensions=(), bands=(), capability=(Level(1, "God"), Level(2, "Bristfällig")), horizons=())


def spec(type_: str, **kw) -> FieldSpec:
    return FieldSpec(kw.pop("name", "f"), kw.pop("label", "Fält"), type_, **kw)


class Names:
    def __init__(self, scales=SCALES):
        self._scales = scales

    def scales(self):
        return self._scales

    def label_of(self, kind, item_id):
        return f"{kind}:{item_id}"


class Hids:
    def hid(self, kind, item_id):
        return {("function", 7): "V3"}.get((kind, item_id), "")


class Bug:
    """A value whose text fails the way a bug would: with a ValueError that carries no user's message."""

    def __str__(self):
        raise ValueError("a bug, not a user's message")


def every_spec():
    for kind in KINDS.values():
        yield from ((kind.kind, f) for f in kind.fields)
    for link in LINKS.values():
        yield from ((link.name, f) for f in link.fields)


# -- the registry ----------------------------------------------------------------------------------------

def test_every_field_type_in_use_has_its_object():
    used = {f.type for _owner, f in every_spec()}
    assert used <= set(ft.FIELD_TYPES), used - set(ft.FIELD_TYPES)
    # the documented types (domain/kinds.py's top comment) are all there, and all in use
    assert set(ft.FIELD_TYPES) == {"text", "longtext", "int", "bool", "optbool", "date", "duration", "likelihood",
                                   "consequence", "capability", "enum", "catalog", "ref"} == used
    for owner, f in every_spec():
        t = field_type(f)
        assert t is field_type(f.type) and t.code == f.type, (owner, f.name)


def test_an_unknown_type_is_a_key_error_not_a_users_message():
    with pytest.raises(KeyError, match="unknown field type 'colour'"):
        field_type("colour")
    assert not issubclass(InvalidValue, ValueError) and not issubclass(ValidationError, ValueError)


def test_every_field_gets_a_widget_the_form_has():
    from rsa_desktop.ui.widgets import forms

    keys = {field_type(f).widget_for(f) for _owner, f in every_spec()}
    assert keys == set(forms.EDITORS)  # every key is used, every widget is reachable
    styrel = KINDS["function"].field("styrel_class")
    assert forms.EDITORS[field_type(styrel).widget_for(styrel)] is forms.StyrelEditor
    assert forms.EDITORS[field_type("bool").widget] is forms.BoolEditor
    assert {field_type(t).widget for t in ("likelihood", "consequence", "capability")} == {"level"}


# -- clean: stored values and the messages for bad input --------------------------------------------------

@pytest.mark.parametrize("type_, kw, given, stored", [
    ("text", {}, "  Rad ett\nrad två\x00 ", "Rad ett rad två"),
    ("text", {}, None, ""),
    ("catalog", {}, "El\r\n", "El"),
    ("longtext", {}, "A\x0cB\r\nC\x1b", "A\nB\nC"),
    ("int", {"minimum": 0, "maximum": 10}, " 7", 7),
    ("int", {}, 3.0, 3),
    ("int", {}, "", None),
    ("bool", {}, "Ja", True),
    ("bool", {}, "x", True),
    ("bool", {}, "", False),
    ("bool", {}, None, False),
    ("bool", {}, "falskt", False),
    ("optbool", {}, "vet ej", None),
    ("optbool", {}, "NEJ", False),
    ("optbool", {}, True, True),
    ("date", {}, " 2026-12-31 ", dt.date(2026, 12, 31)),
    ("date", {}, dt.datetime(2026, 1, 2, 13, 5), dt.date(2026, 1, 2)),
    ("date", {}, "", None),
    ("duration", {}, "1 dygn 12 h", 2160),
    ("duration", {}, 90, 90),
    ("duration", {}, "", None),
    ("likelihood", {}, "3", 3),
    ("consequence", {}, 4, 4),
    ("capability", {}, None, None),
    ("ref", {}, "12", 12),
    ("enum", {"choices": CHOICES}, "låg", "lag"),
    ("enum", {"choices": CHOICES}, "hog", "hog"),
    ("enum", {"choices": CHOICES}, " ", ""),
])
def test_clean_gives_the_stored_value(type_, kw, given, stored):
    s = spec(type_, **kw)
    value = field_type(s).clean(s, given, RANGES)
    assert value == stored and type(value) is type(stored)
    assert field_type(s).clean(s, value, RANGES) == stored  # the stored form is clean already


@pytest.mark.parametrize("type_, kw, given, message", [
    ("text", {}, "x" * 1001, "texten är för lång (1001 tecken, högst 1000). Använd ett beskrivningsfält för längre text."),
    ("longtext", {}, "x" * 200_001, "texten är för lång (200001 tecken, högst 200000)."),
    ("int", {"minimum": 1, "maximum": 8}, 9, "värdet 9 är större än 8."),
    ("int", {"minimum": 1, "maximum": 8}, "0", "värdet 0 är mindre än 1."),
    ("int", {}, "tre", "”tre” är inget heltal."),
    ("int", {}, 2.5, "”2.5” är inget heltal."),
    ("int", {}, True, "ett heltal behövs."),
    ("ref", {}, "V3", "”V3” är inget heltal."),
    ("likelihood", {}, 4, "värdet 4 finns inte på skalan (1–3)."),
    ("consequence", {}, 3, "värdet 3 finns inte på skalan (1, 2, 4)."),
    ("capability", {}, "9", "värdet 9 finns inte på skalan (1–2)."),
    ("bool", {}, "kanske", "”kanske” är inte ja eller nej."),
    ("optbool", {}, "kanske", "”kanske” är inte ja, nej eller okänt."),
    ("date", {}, "31/12 2026", "”31/12 2026” är inget giltigt datum. Skriv ÅÅÅÅ-MM-DD."),
    ("duration", {}, "snart", "Förstår inte tiden ”snart”. Skriv t.ex. 30 min, 4 h, 3 dygn, 1 vecka eller 1 månad."),
    ("duration", {}, "11 år", "Okänd tidsenhet ”år”. Använd min, h, dygn, vecka eller månad."),
    ("duration", {}, "600 månader", "tiden är orimligt lång (mer än tio år)."),
    # more digits than a float holds: once an OverflowError (the crash dialog from a form)
    ("duration", {}, "9" * 400 + " h", "tiden är orimligt lång (mer än tio år)."),
    ("enum", {"choices": CHOICES}, "akut", "”akut” är inte ett tillåtet val (Hög, Låg)."),
])
def test_bad_input_gets_its_swedish_message(type_, kw, given, message):
    s = spec(type_, **kw)
    with pytest.raises(InvalidValue) as exc:
        field_type(s).clean(s, given, RANGES)
    assert str(exc.value) == message


def test_a_scale_without_levels_says_so():
    with pytest.raises(InvalidValue, match=r"finns inte på skalan \(\(skalan saknar nivåer\)\)"):
        field_type("capability").clean(spec("capability"), 1, ScaleRanges(capability=()))


# -- display ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("type_, kw, value, names, shown", [
    ("bool", {}, True, None, "Ja"),
    ("bool", {}, False, None, "Nej"),
    ("optbool", {}, False, None, "Nej"),
    ("optbool", {}, None, None, ""),
    ("duration", {}, 2160, None, "1 dygn 12 h"),
    ("duration", {}, 0, None, "0 min"),
    ("date", {}, dt.date(2026, 3, 1), None, "2026-03-01"),
    ("date", {}, "2026-03-01", None, "2026-03-01"),  # as logged
    ("enum", {"choices": CHOICES}, "hog", None, "Hög"),
    ("enum", {"choices": CHOICES}, "gammal", None, "gammal"),  # outside today's choices: as it is
    ("likelihood", {}, 3, Names(), "3 – Stor"),
    ("consequence", {}, 2, Names(), "2"),  # a level without a label
    ("capability", {}, 2, None, "2"),
    ("capability", {}, 2, Names(scales=None), "2"),
    ("ref", {"ref": "function"}, 7, Names(), "function:7"),
    ("ref", {"ref": "function"}, 7, None, "7"),
    ("longtext", {}, "a\nb", None, "a b"),
    ("longtext", {}, "x" * 81, None, "x" * 79 + "…"),
    ("longtext", {}, "x" * 80, None, "x" * 80),
    ("int", {}, 0, None, "0"),
    ("text", {}, "", None, ""),
    ("catalog", {}, "El", None, "El"),
])
def test_display(type_, kw, value, names, shown):
    s = spec(type_, **kw)
    assert field_type(s).display(s, value, names) == shown


def test_ui_fmt_display_is_the_types_rule():
    from rsa_desktop.ui.widgets import fmt

    s = KINDS["risk"].field("likelihood")
    assert fmt.display(s, 3, Names()) == "3 – Stor" == field_type(s).display(s, 3, Names())
    assert fmt.level_text(2, "") == "2" and fmt.YES == "Ja" and fmt.UNKNOWN == "Okänt"


# -- Excel: to_cell / from_cell round trip -------------------------------------------------------------------

ROUND_TRIP = [
    ("text", {}, "Elavbrott", "Elavbrott"),
    ("text", {}, "=HYPERLINK(1)", "=HYPERLINK(1)"),
    ("catalog", {}, "Socialtjänst", "Socialtjänst"),
    ("longtext", {}, "rad 1\nrad 2", "rad 1\nrad 2"),
    ("int", {"minimum": 0}, 1200, 1200),
    ("int", {"name": "styrel_class"}, 3, 3),
    ("bool", {}, True, "Ja"),
    ("bool", {}, False, "Nej"),
    ("bool", {}, None, "Nej"),
    ("optbool", {}, None, "Okänt"),
    ("optbool", {}, True, "Ja"),
    ("optbool", {}, False, "Nej"),
    ("date", {}, dt.date(2026, 5, 17), dt.date(2026, 5, 17)),
    ("duration", {}, 2160, "1 dygn 12 h"),
    ("duration", {}, 90, "1 h 30 min"),
    ("likelihood", {}, 2, 2),
    ("consequence", {}, 4, 4),
    ("capability", {}, 1, 1),
    ("enum", {"choices": CHOICES}, "lag", "Låg"),
    ("enum", {"choices": CHOICES}, "", ""),
]


@pytest.mark.parametrize("type_, kw, stored, cell", ROUND_TRIP)
def test_to_cell_and_back(type_, kw, stored, cell):
    s = spec(type_, **kw)
    t = field_type(s)
    assert t.to_cell(s, stored, Hids()) == cell
    back = t.from_cell(s, cell, RANGES)
    assert back == (False if type_ == "bool" and stored is None else stored)


def test_a_reference_is_written_and_read_as_the_human_id():
    s = spec("ref", ref="function")
    assert field_type(s).to_cell(s, 7, Hids()) == "V3"
    assert field_type(s).from_cell(s, " v3 ") == "V3"  # the import resolves V3 to its id
    assert field_type(s).from_cell(s, None) == ""
    assert field_type(s).cell_columns(s)[0].format == "id" and field_type(s).cell_columns(s)[0].width == 12


def test_a_duration_is_two_columns_text_and_minutes():
    s = spec("duration", label="Acceptabel avbrottstid")
    text, minutes = field_type(s).cell_columns(s)
    assert (text.heading, text.format) == ("Acceptabel avbrottstid", "enum")
    assert (minutes.heading, minutes.format) == (minutes_heading("Acceptabel avbrottstid"), "minutes")
    assert text.value(4320, None) == "3 dygn" and minutes.value(4320, None) == 4320
    d = ft.DURATION
    assert d.minutes_from_cell(4320, "X") == 4320
    assert d.minutes_from_cell(4320.0, "X") == 4320
    assert d.minutes_from_cell(" 60 ", "X") == 60
    assert d.minutes_from_cell(89.6, "X") == 90
    for raw, message in [
        (True, "”Ja” är inget antal minuter."),
        (dt.date(2026, 1, 1), "”2026-01-01” är inget antal minuter."),
        (float("inf"), "”inf” är inget antal minuter."),
        (float("nan"), "”nan” är inget antal minuter."),
        ("4 h", "”4 h” är inget antal minuter. Skriv ett heltal, eller skriv tiden i kolumnen X och töm den här "
                "cellen."),
        (-5, "En tid kan inte vara negativ."),
        (10 ** 9, "tiden är orimligt lång (mer än tio år)."),
        ("9" * 400, "”" + "9" * 400 + "” är inget antal minuter."),
    ]:
        with pytest.raises(InvalidValue) as exc:
            d.minutes_from_cell(raw, "X")
        assert str(exc.value) == message, raw


def test_cells_read_as_excel_shows_them():
    """What a user typed in Excel arrives as a number, a date or a text; each is read as it looks."""
    date, whole, yes = spec("date"), spec("int"), spec("bool")
    assert field_type(date).from_cell(date, dt.datetime(2026, 1, 2, 8, 30)) == dt.date(2026, 1, 2)
    with pytest.raises(InvalidValue, match="^”46000” är inget giltigt datum. Skriv ÅÅÅÅ-MM-DD.$"):
        field_type(date).from_cell(date, 46000.0)
    with pytest.raises(InvalidValue, match="^”2026-01-02” är inget heltal.$"):
        field_type(whole).from_cell(whole, dt.datetime(2026, 1, 2))
    assert field_type(whole).from_cell(whole, " 12 ") == 12
    assert field_type(yes).from_cell(yes, 1) is True and field_type(yes).from_cell(yes, 0.0) is False
    e = spec("enum", choices=(("1", "Ett"),))
    assert field_type(e).from_cell(e, 1.0) == "1"
    t = spec("text")
    assert field_type(t).from_cell(t, 12.0) == "12" and field_type(t).from_cell(t, True) == "Ja"


def test_validation_lists_of_the_columns():
    assert field_type("bool").cell_list(spec("bool"), "risk", SCALES) == ("Lista_JaNej", ["Ja", "Nej"])
    assert field_type("optbool").cell_list(spec("optbool"), "risk", SCALES) == (
        "Lista_JaNejOkant", ["Ja", "Nej", "Okänt"])
    assert field_type("consequence").cell_list(spec("consequence"), "risk", SCALES) == (
        "Lista_Konsekvens", [1, 2, 4])
    e = spec("enum", name="priority", choices=CHOICES)
    assert field_type(e).cell_list(e, "action", SCALES) == ("Lista_action_priority", ["Hög", "Låg"])
    styrel = KINDS["function"].field("styrel_class")
    assert field_type(styrel).cell_list(styrel, "function", SCALES) == ("Lista_Styrelklass", list(range(1, 9)))
    assert field_type("int").cell_list(spec("int"), "function", SCALES) is None
    assert field_type("ref").cell_list(spec("ref", name="styrel_class"), "x", SCALES) is None


# -- a bug's ValueError is not a user's message -------------------------------------------------------------

def test_a_bugs_value_error_in_clean_reaches_the_caller(svc, analysis):
    """Before: clean_values caught every ValueError, so this showed "Rubrik: a bug, …" under the field."""
    with pytest.raises(ValueError, match="a bug"):
        svc.create("risk", analysis.id, title=Bug())
    with pytest.raises(ValueError, match="a bug"):
        svc.create("action", analysis.id, title="Övning", deadline=Bug())


def test_bad_input_is_refused_with_its_message_and_loses_nothing(svc, analysis):
    f = svc.create("function", analysis.id, name="Utbetalningar", max_tolerable_downtime="3 dygn")
    with pytest.raises(ValidationError) as exc:
        svc.update("function", f.id, max_tolerable_downtime="9" * 400 + " h", name="Nytt namn")
    assert str(exc.value) == "Acceptabel avbrottstid: tiden är orimligt lång (mer än tio år)."
    kept = svc.get("function", f.id)
    assert kept.max_tolerable_downtime == 4320 and kept.name == "Utbetalningar"  # nothing applied


def _parsed(rows: list[dict]):
    from rsa_desktop.services.xlsx_read import ParsedWorkbook, RowData, SheetData

    headings = [ID, "Rubrik", "Sannolikhet"]
    sheet = SheetData(RISK_SHEET, 4, {h: chr(ord("A") + i) for i, h in enumerate(headings)},
                      [RowData(5 + n, values) for n, values in enumerate(rows)])
    return ParsedWorkbook(Path("x.xlsx"), 1, {}, {}, {RISK_SHEET: sheet}, [])


def test_a_bugs_value_error_in_decoding_a_cell_is_not_a_cell_problem():
    from rsa_desktop.services.xlsx_decode import DecodeContext, decode_workbook

    ctx = DecodeContext(ScaleRanges(), {}, {}, lambda _k, _h: None)
    with pytest.raises(ValueError, match="a bug"):
        decode_workbook(_parsed([{ID: None, "Rubrik": Bug()}]), ctx)
    decoded = decode_workbook(_parsed([{ID: None, "Rubrik": "x" * 1001}, {ID: None, "Rubrik": "Brand", "Sannolikhet": 9},
                                       {ID: None, "Rubrik": "Storm", "Sannolikhet": "3"}]), ctx)
    assert [(p.row, p.column, p.message) for p in decoded.problems] == [
        (5, "B", "texten är för lång (1001 tecken, högst 1000). Använd ett beskrivningsfält för längre text."),
        (6, "C", "värdet 9 finns inte på skalan (1–5)."),
    ]
    assert [(r.row, r.values) for r in decoded.rows] == [(7, {"title": "Storm", "likelihood": 3})]
