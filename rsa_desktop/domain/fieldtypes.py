"""One object per field type: how a field's value is cleaned from what the user typed, shown in the UI,
written to an Excel cell and read back from one, and which kind of widget edits it.

The types (FieldSpec.type in domain/kinds.py): text (one line), longtext, int, bool, optbool (ja/nej/okänt),
date, duration (minutes), likelihood / consequence / capability (a level on the analysis' scale), enum
(fixed codes), catalog (suggestions from a catalogue, free text allowed), ref (an item id of `ref` kind).
`field_type(spec_or_code)` gives the type's object; every layer calls it instead of switching on the code.

Bad input raises `InvalidValue` with the Swedish message. It is deliberately not a ValueError: a bug's
ValueError must reach the crash dialog, not appear under a field or as a cell's problem.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from rsa_desktop.domain.durations import DURATION_MAX, DurationError, format_duration, parse_duration
from rsa_desktop.domain.excel_format import minutes_heading
from rsa_desktop.domain.scales import Level, ScaleRanges, Scales

TEXT_MAX = 1_000
LONGTEXT_MAX = 200_000
DISPLAY_MAX = 80  # a long text in a table cell: its first characters on one line
YES, NO, UNKNOWN = "Ja", "Nej", "Okänt"
STYREL_FIELD = "styrel_class"  # an int field chosen from the Styrel classes 1–8 (a list, not typed)

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_TRUE = {"ja", "j", "sant", "true", "1", "x", "yes"}
_FALSE = {"nej", "n", "falskt", "false", "0", "no"}
_UNKNOWN = {"", "okänt", "vet ej", "-"}
_DEFAULT_RANGES = ScaleRanges()


class InvalidValue(Exception):
    """A value a field cannot hold; `str()` is the Swedish message (lower case, a sentence's end)."""


class Spec(Protocol):
    """What a type needs of a field (domain.kinds.FieldSpec)."""

    @property
    def name(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def choices(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def ref(self) -> str: ...
    @property
    def minimum(self) -> int | None: ...
    @property
    def maximum(self) -> int | None: ...


class Names(Protocol):
    """What showing a value needs of the open analysis (ui.session.Session has both)."""

    def scales(self) -> Scales | None: ...
    def label_of(self, kind: str, item_id: int | None) -> str: ...


class Hids(Protocol):
    """What writing a reference to a cell needs (reports.common.ReportData has it)."""

    def hid(self, kind: str, item_id: int | None) -> str: ...


@dataclass(frozen=True)
class CellColumn:
    """One Excel column a field is written to: its heading, the writer's column format (text, long, int,
    level, date, enum, minutes, id), the stored value → cell value, and a fixed width if any."""

    heading: str
    format: str
    value: Callable[[Any, Hids | None], Any]
    width: float | None = None


# -- shared helpers ------------------------------------------------------------------------------------

def clean_text(value: Any, *, multiline: bool) -> str:
    """Text as stored: line breaks normalised, stray control characters (from a paste) dropped, and in a
    one-line field line breaks become spaces."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("\x0c", "\n")
    text = _CONTROL.sub("", text)
    if not multiline:
        text = " ".join(text.split("\n")).strip()
    return text


def cell_text(value: Any) -> str:
    """A cell's value as the text a user sees in Excel (whole numbers without ".0", dates as ÅÅÅÅ-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def yes_no(value: bool | None) -> str:
    if value is None:
        return UNKNOWN
    return YES if value else NO


def level_text(value: int | None, label: str) -> str:
    """A scale level as shown: "3 – Stor", or the bare number when the level has no label."""
    if value is None:
        return ""
    return f"{value} – {label}" if label else str(value)


def range_text(values: Iterable[int]) -> str:
    """The allowed values of a scale in a message: "1–5", or "1, 2, 4" when they are not consecutive."""
    vals = sorted(values)
    if not vals:
        return "(skalan saknar nivåer)"
    if vals == list(range(vals[0], vals[-1] + 1)):
        return f"{vals[0]}–{vals[-1]}"
    return ", ".join(map(str, vals))


def _is_number(raw: Any) -> bool:
    return isinstance(raw, (int, float)) and not isinstance(raw, bool)


def _is_date(raw: Any) -> bool:
    return isinstance(raw, (dt.date, dt.datetime))


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value == "")


# -- the types -----------------------------------------------------------------------------------------

class FieldType(ABC):
    """The behaviour shared by every type; a subclass per type overrides what differs."""

    code: ClassVar[str] = ""
    stored: ClassVar[type] = str  # the Python type of the stored value (the item's field, the column)
    widget: ClassVar[str] = "line"  # the form's widget key (ui/forms.py maps it to a widget class)
    cell_format: ClassVar[str] = "text"  # the writer's column format
    cell_width: ClassVar[float | None] = None
    # The field is written as two columns, text and minutes, reconciled on reading (services/xlsx_decode.py).
    minutes_column: ClassVar[bool] = False
    free_text: ClassVar[bool] = False  # any text is a value (a new item's placeholder title goes here)
    suggested: ClassVar[bool] = False  # suggestions from a catalogue (an unmade choice is a placeholder)
    fixed_choices: ClassVar[bool] = False  # one of the spec's choices (a required one is preselected)
    references: ClassVar[bool] = False  # an item id of the spec's `ref` kind

    @abstractmethod
    def clean(self, spec: Spec, value: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        """User input (typed, pasted, or a cell's value) → the stored value; InvalidValue if it cannot be."""

    # stored value → UI text
    def display(self, spec: Spec, value: Any, names: Names | None = None, *, whole: bool = False) -> str:
        """The value as a person reads it ("" for none). `names` gives scale labels and item names; `whole`
        keeps a long text whole on one line (the import preview) instead of its first characters (a table)."""
        if _empty(value):
            return ""
        return self._display(spec, value, names, whole)

    def _display(self, spec: Spec, value: Any, names: Names | None, whole: bool) -> str:
        return str(value)

    def widget_for(self, spec: Spec) -> str:
        return self.widget

    # stored value ↔ Excel cell
    def to_cell(self, spec: Spec, value: Any, hids: Hids | None = None) -> Any:
        return value

    def cell_columns(self, spec: Spec) -> tuple[CellColumn, ...]:
        return (CellColumn(spec.label, self.cell_format, lambda v, h: self.to_cell(spec, v, h), self.cell_width),)

    def cell_list(self, spec: Spec, kind: str, scales: Scales) -> tuple[str, list[Any]] | None:
        """The list validation of the field's (first) column: (defined name, values), or None."""
        return None

    def from_cell(self, spec: Spec, raw: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        return self.clean(spec, raw, ranges)


class TextType(FieldType):
    code = "text"
    free_text = True

    def clean(self, spec: Spec, value: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        text = clean_text(value, multiline=False)
        if len(text) > TEXT_MAX:
            raise InvalidValue(f"texten är för lång ({len(text)} tecken, högst {TEXT_MAX}). "
                               "Använd ett beskrivningsfält för längre text.")
        return text

    def from_cell(self, spec: Spec, raw: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        return self.clean(spec, cell_text(raw), ranges)


class CatalogType(TextType):
    code = "catalog"
    widget = "catalog"
    free_text = False
    suggested = True


class LongTextType(FieldType):
    code = "longtext"
    widget = "long"
    cell_format = "long"
    free_text = True

    def clean(self, spec: Spec, value: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        text = clean_text(value, multiline=True)
        if len(text) > LONGTEXT_MAX:
            raise InvalidValue(f"texten är för lång ({len(text)} tecken, högst {LONGTEXT_MAX}).")
        return text

    def _display(self, spec: Spec, value: Any, names: Names | None, whole: bool) -> str:
        if whole:
            return " ".join(str(value).split())
        text = str(value).replace("\n", " ")
        return text if len(text) <= DISPLAY_MAX else text[:DISPLAY_MAX - 1] + "…"

    def from_cell(self, spec: Spec, raw: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        return self.clean(spec, cell_text(raw), ranges)


class BoolType(FieldType):
    code = "bool"
    stored = bool
    widget = "check"
    cell_format = "enum"

    def clean(self, spec: Spec, value: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        if isinstance(value, bool):
            return value
        if _empty(value):
            return False
        s = str(value).strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        raise InvalidValue(f"”{value}” är inte ja eller nej.")

    def _display(self, spec: Spec, value: Any, names: Names | None, whole: bool) -> str:
        return YES if value else NO

    def to_cell(self, spec: Spec, value: Any, hids: Hids | None = None) -> Any:
        return yes_no(bool(value))

    def cell_list(self, spec: Spec, kind: str, scales: Scales) -> tuple[str, list[Any]] | None:
        return "Lista_JaNej", [YES, NO]

    def from_cell(self, spec: Spec, raw: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        return self.clean(spec, cell_text(raw) if _is_number(raw) or _is_date(raw) else raw, ranges)


class OptBoolType(BoolType):
    code = "optbool"
    widget = "optbool"

    def clean(self, spec: Spec, value: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        if value is None or isinstance(value, bool):
            return value
        s = str(value).strip().lower()
        if s in _UNKNOWN:
            return None
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        raise InvalidValue(f"”{value}” är inte ja, nej eller okänt.")

    def to_cell(self, spec: Spec, value: Any, hids: Hids | None = None) -> Any:
        return yes_no(value)

    def cell_list(self, spec: Spec, kind: str, scales: Scales) -> tuple[str, list[Any]] | None:
        return "Lista_JaNejOkant", [YES, NO, UNKNOWN]


class DateType(FieldType):
    code = "date"
    stored = dt.date
    widget = "date"
    cell_format = "date"

    def clean(self, spec: Spec, value: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        if _empty(value):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:  # fromisoformat's own: the text is no date
            raise InvalidValue(f"”{value}” är inget giltigt datum. Skriv ÅÅÅÅ-MM-DD.") from None

    def _display(self, spec: Spec, value: Any, names: Names | None, whole: bool) -> str:
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    def from_cell(self, spec: Spec, raw: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        if _is_number(raw):  # Excel's serial number of a date typed in a number cell: say what it shows
            raise InvalidValue(f"”{cell_text(raw)}” är inget giltigt datum. Skriv ÅÅÅÅ-MM-DD.")
        if isinstance(raw, dt.datetime) and raw.time() != dt.time():
            return raw.date()
        return self.clean(spec, raw.strip() if isinstance(raw, str) else raw, ranges)


class DurationType(FieldType):
    code = "duration"
    stored = int
    widget = "duration"
    cell_format = "enum"  # the text column; the minutes column beside it is "minutes"
    minutes_column = True

    def clean(self, spec: Spec, value: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        try:
            minutes = parse_duration(value)
        except DurationError as exc:
            raise InvalidValue(str(exc)) from None
        except OverflowError:  # more digits than a float holds ("999…9 h"): as long as any too long time
            raise InvalidValue("tiden är orimligt lång (mer än tio år).") from None
        if minutes is not None and minutes > DURATION_MAX:
            raise InvalidValue("tiden är orimligt lång (mer än tio år).")
        return minutes

    def _display(self, spec: Spec, value: Any, names: Names | None, whole: bool) -> str:
        return format_duration(value)

    def to_cell(self, spec: Spec, value: Any, hids: Hids | None = None) -> Any:
        return format_duration(value)

    def cell_columns(self, spec: Spec) -> tuple[CellColumn, ...]:
        return (CellColumn(spec.label, self.cell_format, lambda v, h: self.to_cell(spec, v, h)),
                CellColumn(minutes_heading(spec.label), "minutes", lambda v, h: v))

    def from_cell(self, spec: Spec, raw: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        """The text column (or a single cell, as on the summary sheet)."""
        return self.clean(spec, cell_text(raw), ranges)

    def minutes_from_cell(self, raw: Any, text_heading: str) -> int | None:
        """The minutes column beside the text column `text_heading`."""
        if isinstance(raw, bool) or _is_date(raw) or (isinstance(raw, float) and not math.isfinite(raw)):
            raise InvalidValue(f"”{cell_text(raw)}” är inget antal minuter.")
        if isinstance(raw, float) and not raw.is_integer():
            raw = round(raw)
        if isinstance(raw, str) and not raw.strip().isdigit():
            raise InvalidValue(f"”{raw}” är inget antal minuter. Skriv ett heltal, eller skriv tiden "
                               f"i kolumnen {text_heading} och töm den här cellen.")
        try:
            minutes = parse_duration(raw if isinstance(raw, int) else str(raw).strip())
        except DurationError as exc:
            raise InvalidValue(str(exc)) from None
        except OverflowError:
            raise InvalidValue(f"”{cell_text(raw)}” är inget antal minuter.") from None
        if minutes is not None and minutes > DURATION_MAX:
            raise InvalidValue("tiden är orimligt lång (mer än tio år).")
        return minutes


class WholeNumberType(FieldType):
    """A whole number: int, a scale level, a reference. What it must also satisfy is `_check`."""
    stored = int
    cell_format = "int"

    def clean(self, spec: Spec, value: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        if _empty(value):
            return None
        if isinstance(value, bool):
            raise InvalidValue("ett heltal behövs.")
        try:
            number = int(value) if not isinstance(value, float) or value.is_integer() else None
        except (TypeError, ValueError):  # int()'s own: no whole number in the value
            number = None
        if number is None:
            raise InvalidValue(f"”{value}” är inget heltal.")
        self._check(spec, number, ranges)
        return number

    @abstractmethod
    def _check(self, spec: Spec, number: int, ranges: ScaleRanges) -> None:
        """Raise InvalidValue if `number` is not allowed in the field."""

    def from_cell(self, spec: Spec, raw: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        if isinstance(raw, str):
            raw = raw.strip()
        if _is_date(raw):  # a number Excel formatted as a date: say what the cell shows
            raise InvalidValue(f"”{cell_text(raw)}” är inget heltal.")
        return self.clean(spec, raw, ranges)


class IntType(WholeNumberType):
    code = "int"
    widget = "int"

    def _check(self, spec: Spec, number: int, ranges: ScaleRanges) -> None:
        if spec.minimum is not None and number < spec.minimum:
            raise InvalidValue(f"värdet {number} är mindre än {spec.minimum}.")
        if spec.maximum is not None and number > spec.maximum:
            raise InvalidValue(f"värdet {number} är större än {spec.maximum}.")

    def widget_for(self, spec: Spec) -> str:
        return "styrel" if spec.name == STYREL_FIELD else self.widget

    def cell_list(self, spec: Spec, kind: str, scales: Scales) -> tuple[str, list[Any]] | None:
        return ("Lista_Styrelklass", list(range(1, 9))) if spec.name == STYREL_FIELD else None


class LevelType(WholeNumberType):
    """A level on one of the analysis' scales (the code names the scale)."""

    widget = "level"
    cell_format = "level"
    list_name: ClassVar[str] = ""

    def _check(self, spec: Spec, number: int, ranges: ScaleRanges) -> None:
        allowed: tuple[int, ...] = getattr(ranges, self.code)
        if number not in allowed:
            raise InvalidValue(f"värdet {number} finns inte på skalan ({range_text(allowed)}).")

    def levels(self, scales: Scales) -> tuple[Level, ...]:
        levels: tuple[Level, ...] = getattr(scales, self.code)
        return levels

    def label(self, scales: Scales, value: int | None) -> str:
        return next((lv.label for lv in self.levels(scales) if lv.value == value), "")

    def _display(self, spec: Spec, value: Any, names: Names | None, whole: bool) -> str:
        scales = names.scales() if names is not None else None
        if scales:
            return level_text(value, self.label(scales, value))
        return str(value)

    def cell_list(self, spec: Spec, kind: str, scales: Scales) -> tuple[str, list[Any]] | None:
        return self.list_name, [lv.value for lv in self.levels(scales)]


class LikelihoodType(LevelType):
    code = "likelihood"
    list_name = "Lista_Sannolikhet"


class ConsequenceType(LevelType):
    code = "consequence"
    list_name = "Lista_Konsekvens"


class CapabilityType(LevelType):
    code = "capability"
    list_name = "Lista_Formaga"


class RefType(WholeNumberType):
    """An item of the spec's `ref` kind, stored as its id; written and read in Excel as its human ID."""

    code = "ref"
    widget = "ref"
    cell_format = "id"
    cell_width = 12
    references = True

    def _check(self, spec: Spec, number: int, ranges: ScaleRanges) -> None:
        """Any id: whether the item exists in the analysis is the service's check."""

    def _display(self, spec: Spec, value: Any, names: Names | None, whole: bool) -> str:
        return names.label_of(spec.ref, value) if names is not None else str(value)

    def to_cell(self, spec: Spec, value: Any, hids: Hids | None = None) -> Any:
        return hids.hid(spec.ref, value) if hids is not None else value

    def from_cell(self, spec: Spec, raw: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        """The referenced item's human ID (the import resolves it to an id)."""
        return cell_text(raw).strip().upper()


class EnumType(FieldType):
    code = "enum"
    widget = "enum"
    cell_format = "enum"
    fixed_choices = True

    def clean(self, spec: Spec, value: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        if value is None or str(value).strip() == "":
            return ""  # "not chosen": the enum columns are NOT NULL text
        s = str(value).strip()
        codes = {c for c, _ in spec.choices}
        if s in codes:
            return s
        by_label = {label.lower(): c for c, label in spec.choices}
        if s.lower() in by_label:
            return by_label[s.lower()]
        allowed = ", ".join(label for _, label in spec.choices)
        raise InvalidValue(f"”{value}” är inte ett tillåtet val ({allowed}).")

    @staticmethod
    def choice_label(spec: Spec, code: Any) -> Any:
        """The Swedish label of a code; a code outside today's choices as it is."""
        text = code or ""
        return dict(spec.choices).get(text, text)

    def _display(self, spec: Spec, value: Any, names: Names | None, whole: bool) -> str:
        return str(self.choice_label(spec, value))

    def to_cell(self, spec: Spec, value: Any, hids: Hids | None = None) -> Any:
        return self.choice_label(spec, value) if value else ""

    def cell_list(self, spec: Spec, kind: str, scales: Scales) -> tuple[str, list[Any]] | None:
        return f"Lista_{kind}_{spec.name}", [label for _code, label in spec.choices]

    def from_cell(self, spec: Spec, raw: Any, ranges: ScaleRanges = _DEFAULT_RANGES) -> Any:
        return self.clean(spec, cell_text(raw) if _is_number(raw) or _is_date(raw) else raw, ranges)


# -- the registry ---------------------------------------------------------------------------------------

TEXT, CATALOG, LONGTEXT = TextType(), CatalogType(), LongTextType()
BOOL, OPTBOOL, DATE, DURATION = BoolType(), OptBoolType(), DateType(), DurationType()
INT, LIKELIHOOD, CONSEQUENCE, CAPABILITY = IntType(), LikelihoodType(), ConsequenceType(), CapabilityType()
REF, ENUM = RefType(), EnumType()

FIELD_TYPES: dict[str, FieldType] = {t.code: t for t in (
    TEXT, LONGTEXT, INT, BOOL, OPTBOOL, DATE, DURATION, LIKELIHOOD, CONSEQUENCE, CAPABILITY, ENUM, CATALOG, REF)}


def field_type(spec_or_code: Spec | str) -> FieldType:
    """The type object of a field (its spec) or of a type code; KeyError for an unknown type."""
    code = spec_or_code if isinstance(spec_or_code, str) else spec_or_code.type
    try:
        return FIELD_TYPES[code]
    except KeyError:
        raise KeyError(f"unknown field type {code!r}") from None
