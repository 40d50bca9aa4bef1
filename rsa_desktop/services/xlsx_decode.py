"""Decoding a read workbook's cells into field values, validated against the field registry and the
analysis' scales (Qt-free). Every problem names its sheet, row, column and says in Swedish what is
wrong. Derived columns are never read. Part of the import: see `services/xlsx_import.py`.

Public: `DecodeContext` (`decode_context()` builds one from scales), `decode_workbook()`, `Decoded`
with its `DRow`, `DLink` and `DChild`, `decode_summary()`, `scale_template_from()`, `cell_text()`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rsa_desktop.domain import excel_format as fmt
from rsa_desktop.domain.excel_format import CHILD_SHEETS, ITEM_SHEETS, LINK_COLUMNS
from rsa_desktop.domain.fieldtypes import CONSEQUENCE, DURATION, INT, InvalidValue, cell_text, field_type
from rsa_desktop.domain.kinds import KINDS, LINKS, FieldSpec
from rsa_desktop.services.validation import ScaleRanges
from rsa_desktop.services.xlsx_read import ImportProblem, ParsedWorkbook, RowData, SheetData

HID_PATTERN = re.compile(r"^([A-ZÅÄÖ])(\d{1,9})$")
_SPLIT = re.compile(r"[,;\s]+")
PREFIX_KIND = {spec.prefix: kind for kind, spec in KINDS.items() if spec.prefix}

# -- decoding cells into field values ------------------------------------------------------------

@dataclass
class DecodeContext:
    """What decoding needs of the analysis: its scale ranges, the columns of its time horizons and
    consequence dimensions, and the current values of an item (for a duration whose text alone changed)."""

    ranges: ScaleRanges
    horizons: dict[str, int]  # column heading "Konsekvens efter 1 h" → horizon minutes
    dimensions: dict[str, str]  # column heading "Konsekvens – …" → dimension code
    current: Callable[[str, str], Mapping[str, Any] | None]  # (kind, hid) → current values


@dataclass
class DRow:
    sheet: str
    row: int
    kind: str
    hid: str  # "" for a new item
    values: dict[str, Any]  # cleaned; ref fields hold the referenced item's hid
    links: dict[str, list[str]]  # link name → target hids (only for link columns present)
    impacts: dict[int, int | None]  # horizon minutes → level
    consequences: dict[str, int | None]  # dimension code → level
    columns: dict[str, tuple[str, str]]  # field/link name → (letter, heading)


@dataclass
class DLink:
    sheet: str
    row: int
    function: str
    dependency: str
    attrs: dict[str, Any]


@dataclass
class DChild:
    sheet: str
    row: int
    kind: str  # participant / fallback / contact
    owner: str  # plan hid ("" for participants)
    nr: int | None
    values: dict[str, Any]
    columns: dict[str, tuple[str, str]]


@dataclass
class Decoded:
    rows: list[DRow]
    links: list[DLink]
    children: list[DChild]
    organisation: dict[str, Any]
    analysis: dict[str, Any]
    problems: list[ImportProblem]


class Problems:
    def __init__(self, out: list[ImportProblem]):
        self.out = out

    def add(self, sheet: str, row: int | None, column: str, heading: str, message: str,
            severity: str = "fel") -> None:
        self.out.append(ImportProblem(sheet, row, column, message, heading, severity))




def _field_value(f: FieldSpec, raw: Any, ranges: ScaleRanges) -> Any:
    """The stored value for one cell; InvalidValue with a Swedish message."""
    return field_type(f).from_cell(f, raw, ranges)


def _duration(sheet: str, r: RowData, f: FieldSpec, heading: str, problems: Problems, headers: dict[str, str],
               current: int | None, has_current: bool) -> tuple[bool, int | None]:
    """(ok, minutes) from a duration's text and minutes columns (see the module docstring)."""
    mcol = fmt.minutes_heading(heading)
    text_raw, min_raw = r.get(heading), r.get(mcol)
    minutes = text = None
    ok = True
    if min_raw is not None:
        try:
            minutes = DURATION.minutes_from_cell(min_raw, heading)
        except InvalidValue as exc:
            problems.add(sheet, r.row, headers.get(mcol, ""), mcol, _lower_first(str(exc)))
            ok = False
    if text_raw is not None:
        try:
            text = DURATION.from_cell(f, text_raw)
        except InvalidValue as exc:
            if min_raw is None:
                problems.add(sheet, r.row, headers.get(heading, ""), heading, _lower_first(str(exc)))
                ok = False
            text = minutes  # an unreadable text beside valid minutes: the minutes count
    if not ok:
        return False, None
    if min_raw is None:
        return True, text
    if text_raw is None or text == minutes:
        return True, minutes
    if has_current and minutes == current:
        return True, text  # only the text was changed
    if has_current and text == current:
        return True, minutes
    problems.add(sheet, r.row, headers.get(heading, ""), heading,
                 f"”{cell_text(text_raw)}” stämmer inte med {minutes} minuter i kolumnen {mcol}. "
                 "Ändra en av dem, helst minuterna.")
    return False, None


def differs(old: Any, new: Any) -> bool:
    """Whether a value changed; an empty text and no value at all are the same."""
    if old in (None, "") and new in (None, ""):
        return False
    return old != new


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s else s


def _split_hids(value: Any) -> list[str]:
    text = cell_text(value).strip()
    return [p.strip().upper() for p in _SPLIT.split(text) if p.strip()] if text else []


def _fields_of(kind: str) -> list[FieldSpec]:
    return list(KINDS[kind].fields)


def _decode_fields(kind: str, sheet: SheetData, r: RowData, ctx: DecodeContext, problems: Problems, hid: str,
                   heading_of: Callable[[FieldSpec], str] = lambda f: f.label,
                   only: tuple[str, ...] | None = None) -> tuple[dict[str, Any], dict[str, tuple[str, str]], bool]:
    values: dict[str, Any] = {}
    columns: dict[str, tuple[str, str]] = {}
    ok = True
    current = ctx.current(kind, hid) if hid else None
    for f in _fields_of(kind):
        if only is not None and f.name not in only:
            continue
        heading = heading_of(f)
        if field_type(f).minutes_column:
            if not (sheet.has(heading) or sheet.has(fmt.minutes_heading(heading))):
                continue
            mh = fmt.minutes_heading(heading)
            columns[f.name] = (sheet.headers.get(mh) or sheet.headers.get(heading, ""), mh)
            if heading in r.formulas or mh in r.formulas or heading in r.errors or mh in r.errors:
                problems.add(sheet.name, r.row, columns[f.name][0], mh, "cellen innehåller en formel eller ett "
                             "fel; skriv in själva värdet.")
                ok = False
                continue
            good, minutes = _duration(sheet.name, r, f, heading, problems, sheet.headers,
                                      current.get(f.name) if current else None, current is not None)
            ok &= good
            if good:
                values[f.name] = minutes
            continue
        if not sheet.has(heading):
            continue
        letter = sheet.headers[heading]
        columns[f.name] = (letter, heading)
        if heading in r.formulas:
            problems.add(sheet.name, r.row, letter, heading, "cellen innehåller en formel; skriv in själva värdet.")
            ok = False
            continue
        if heading in r.errors:
            problems.add(sheet.name, r.row, letter, heading, f"cellen innehåller felvärdet {r.get(heading)}.")
            ok = False
            continue
        raw = r.get(heading)
        try:
            values[f.name] = _field_value(f, raw, ctx.ranges)
        except InvalidValue as exc:
            problems.add(sheet.name, r.row, letter, heading, str(exc))
            ok = False
    return values, columns, ok


def decode_parsed(parsed: ParsedWorkbook, ctx: DecodeContext) -> Decoded:
    out: list[ImportProblem] = []
    problems = Problems(out)
    rows: list[DRow] = []
    seen: dict[str, tuple[str, int]] = {}
    for sheet_name, (_table, sheet_kind) in ITEM_SHEETS.items():
        sheet = parsed.sheets.get(sheet_name)
        if sheet is None:
            continue
        if not sheet.has(fmt.ID):
            problems.add(sheet_name, sheet.header_row, "", fmt.ID, "kolumnen ID saknas; bladet kan inte läsas.")
            continue
        id_col = sheet.headers[fmt.ID]
        for r in sheet.rows:
            raw_id = r.get(fmt.ID)
            hid = cell_text(raw_id).strip().upper() if raw_id is not None else ""
            kind = sheet_kind
            if hid:
                m = HID_PATTERN.match(hid)
                pkind = PREFIX_KIND.get(m.group(1)) if m else None
                allowed = {sheet_kind} if sheet_kind else {"vulnerability", "capability"}
                if pkind not in allowed:
                    want = " eller ".join(KINDS[k].prefix + "…" for k in sorted(allowed))
                    problems.add(sheet_name, r.row, id_col, fmt.ID, f"”{hid}” är inget ID för bladet (ska vara {want}).")
                    continue
                kind = pkind
                if hid in seen:
                    problems.add(sheet_name, r.row, id_col, fmt.ID,
                                 f"ID {hid} finns redan på rad {seen[hid][1]}; varje ID får bara förekomma en gång.")
                    continue
                seen[hid] = (sheet_name, r.row)
            if sheet_kind is None:
                typ = cell_text(r.get(fmt.TYPE)).strip().lower()
                tcol = sheet.headers.get(fmt.TYPE, "")
                vuln_labels = {label.lower(): code for code, label in KINDS["vulnerability"].field("vuln_type").choices}
                by_typ = "capability" if typ == fmt.CAPABILITY_TYPE.lower() else "vulnerability" if typ in vuln_labels else None
                if typ and by_typ is None:
                    problems.add(sheet_name, r.row, tcol, "Typ", f"”{r.get('Typ')}” är ingen typ (Sårbarhet, "
                                 "Brist i krisberedskapen eller Förmåga).")
                    continue
                if kind is None:
                    kind = by_typ
                    if kind is None:
                        problems.add(sheet_name, r.row, tcol, "Typ", "ange typ: Sårbarhet, Brist i "
                                     "krisberedskapen eller Förmåga.")
                        continue
                elif by_typ is not None and by_typ != kind:
                    problems.add(sheet_name, r.row, tcol, "Typ", f"{hid} är en {KINDS[kind].label.lower()} och kan "
                                 "inte byta typ; lägg till en ny rad utan ID i stället.")
                    continue
                values, columns, ok = _decode_vuln_cap(kind, sheet, r, ctx, problems, hid)
            else:
                values, columns, ok = _decode_fields(kind, sheet, r, ctx, problems, hid)
            if not ok:
                continue
            links: dict[str, list[str]] = {}
            for heading, link in LINK_COLUMNS.get(sheet_name, {}).items():
                if sheet.has(heading):
                    columns[link] = (sheet.headers[heading], heading)
                    if heading in r.formulas:
                        problems.add(sheet_name, r.row, sheet.headers[heading], heading,
                                     "cellen innehåller en formel; skriv in ID:n.")
                        ok = False
                        continue
                    links[link] = _split_hids(r.get(heading))
            impacts: dict[int, int | None] = {}
            consequences: dict[str, int | None] = {}
            if kind in ("function", "risk"):
                table = ctx.horizons if kind == "function" else ctx.dimensions
                spec = FieldSpec("level", "Konsekvens", "consequence")
                for heading, key in table.items():
                    if not sheet.has(heading):
                        continue
                    letter = sheet.headers[heading]
                    columns[f"level:{key}"] = (letter, heading)
                    try:
                        if heading in r.formulas:
                            raise InvalidValue("cellen innehåller en formel; skriv in själva värdet.")
                        level = CONSEQUENCE.from_cell(spec, r.get(heading), ctx.ranges)
                    except InvalidValue as exc:
                        problems.add(sheet_name, r.row, letter, heading, str(exc))
                        ok = False
                        continue
                    (impacts if kind == "function" else consequences)[key] = level
            if ok:
                rows.append(DRow(sheet_name, r.row, kind, hid, values, links, impacts, consequences, columns))

    links = _decode_links(parsed, ctx, problems)
    children = _decode_children(parsed, ctx, problems)
    org, analysis = _decode_summary(parsed, ctx, problems)
    for sheet_name, sheet in parsed.sheets.items():
        if sheet_name in ITEM_SHEETS:
            for heading in sheet.headers:
                if heading.startswith(fmt.HORIZON_PREFIX) and sheet_name == fmt.FUNCTION_SHEET \
                        and heading not in ctx.horizons:
                    problems.add(sheet_name, sheet.header_row, sheet.headers[heading], heading,
                                 "analysen har ingen sådan tidshorisont; kolumnen läses inte.", "varning")
                if heading.startswith(fmt.DIMENSION_PREFIX) and sheet_name == fmt.RISK_SHEET \
                        and heading not in ctx.dimensions:
                    problems.add(sheet_name, sheet.header_row, sheet.headers[heading], heading,
                                 "analysen har ingen sådan konsekvensdimension; kolumnen läses inte.", "varning")
    return Decoded(rows, links, children, org, analysis, out)


def _decode_vuln_cap(kind: str, sheet: SheetData, r: RowData, ctx: DecodeContext, problems: Problems, hid: str):
    mapping = fmt.VULN_CAP_COLUMNS[kind]
    return _decode_fields(kind, sheet, r, ctx, problems, hid, heading_of=lambda f: mapping.get(f.name, "\0"),
                          only=tuple(mapping))


def _decode_links(parsed: ParsedWorkbook, ctx: DecodeContext, problems: Problems) -> list[DLink]:
    sheet = parsed.sheets.get(fmt.LINK_SHEET)
    out: list[DLink] = []
    if sheet is None:
        return out
    if not (sheet.has(fmt.LINK_FUNCTION) and sheet.has(fmt.LINK_DEPENDENCY)):
        problems.add(fmt.LINK_SHEET, sheet.header_row, "", fmt.LINK_FUNCTION, "kolumnerna Verksamhet och Beroende saknas; "
                     "bladet kan inte läsas.")
        return out
    spec = LINKS["function_dependency"]
    seen: dict[tuple[str, str], int] = {}
    for r in sheet.rows:
        f = cell_text(r.get(fmt.LINK_FUNCTION)).strip().upper()
        d = cell_text(r.get(fmt.LINK_DEPENDENCY)).strip().upper()
        if not f or not d:
            heading = fmt.LINK_FUNCTION if not f else fmt.LINK_DEPENDENCY
            problems.add(fmt.LINK_SHEET, r.row, sheet.headers[heading], heading, "både verksamhet och beroende "
                         "måste anges (ID, t.ex. V1 och B3).")
            continue
        if (f, d) in seen:
            problems.add(fmt.LINK_SHEET, r.row, sheet.headers[fmt.LINK_FUNCTION], fmt.LINK_FUNCTION,
                         f"kopplingen {f}–{d} finns redan på rad {seen[(f, d)]}.")
            continue
        seen[(f, d)] = r.row
        attrs: dict[str, Any] = {}
        ok = True
        if sheet.has(fmt.TOLERANCE) or sheet.has(fmt.minutes_heading(fmt.TOLERANCE)):
            cur = ctx.current("function_dependency", f"{f}|{d}")
            good, minutes = _duration(fmt.LINK_SHEET, r, spec.fields[0], fmt.TOLERANCE, problems, sheet.headers,
                                      cur.get("tolerance") if cur else None, cur is not None)
            ok &= good
            attrs["tolerance"] = minutes
        if sheet.has(fmt.NOTE):
            note = spec.fields[1]
            try:
                attrs["note"] = field_type(note).clean(note, cell_text(r.get(fmt.NOTE)), ctx.ranges)
            except InvalidValue as exc:
                problems.add(fmt.LINK_SHEET, r.row, sheet.headers[fmt.NOTE], fmt.NOTE, str(exc))
                ok = False
        if ok:
            out.append(DLink(fmt.LINK_SHEET, r.row, f, d, attrs))
    return out


def _decode_children(parsed: ParsedWorkbook, ctx: DecodeContext, problems: Problems) -> list[DChild]:
    out: list[DChild] = []
    for sheet_name, kind in CHILD_SHEETS.items():
        sheet = parsed.sheets.get(sheet_name)
        if sheet is None:
            continue
        seen: dict[tuple[str, int], int] = {}
        for r in sheet.rows:
            owner = ""
            if kind != "participant":
                owner = cell_text(r.get(fmt.PLAN)).strip().upper()
                if not owner:
                    problems.add(sheet_name, r.row, sheet.headers.get(fmt.PLAN, ""), fmt.PLAN,
                                 "ange kontinuitetsplanens ID (K…).")
                    continue
            nr = None
            if r.get(fmt.NR) is not None:
                try:
                    nr = INT.clean(FieldSpec("nr", fmt.NR, "int", minimum=1, maximum=100_000), r.get(fmt.NR),
                                   ctx.ranges)
                except InvalidValue as exc:
                    problems.add(sheet_name, r.row, sheet.headers.get(fmt.NR, ""), fmt.NR, str(exc))
                    continue
                if (owner, nr) in seen:
                    problems.add(sheet_name, r.row, sheet.headers.get(fmt.NR, ""), fmt.NR,
                                 f"nummer {nr} finns redan på rad {seen[(owner, nr)]}.")
                    continue
                seen[(owner, nr)] = r.row
            values, columns, ok = _decode_fields(kind, sheet, r, ctx, problems, "")
            if ok:
                out.append(DChild(sheet_name, r.row, kind, owner, nr, values, columns))
    return out


def _decode_summary(parsed: ParsedWorkbook, ctx: DecodeContext, problems: Problems) -> tuple[dict, dict]:
    org: dict[str, Any] = {}
    analysis: dict[str, Any] = {}
    sheet = parsed.sheets.get(fmt.SUMMARY_SHEET)
    letter = sheet.headers.get(fmt.SUMMARY_VALUE, "") if sheet else ""
    for prefix, kind, target in (("organisation.", "organisation", org), ("analysis.", "analysis", analysis)):
        for f in KINDS[kind].fields:
            key = prefix + f.name
            if key not in parsed.summary:
                continue
            raw = parsed.summary[key]
            try:
                target[f.name] = _field_value(f, raw, ctx.ranges)
            except InvalidValue as exc:
                problems.add(fmt.SUMMARY_SHEET, parsed.summary_rows.get(key), letter, f.label, str(exc))
    return org, analysis


def decode_context(scales, current: Callable[[str, str], Mapping[str, Any] | None] | None = None) -> DecodeContext:
    """The context for decoding a workbook against `scales` (services.scales.Scales); `current`
    gives an item's current values by (kind, hid), when the import goes into an existing analysis."""
    return DecodeContext(scales.ranges, fmt.horizon_columns(scales.horizons), fmt.dimension_columns(scales.dimensions),
                         current or (lambda _kind, _hid: None))


def decode_workbook(parsed: ParsedWorkbook, ctx: DecodeContext) -> Decoded:
    """Every row of the workbook's item, link and part sheets decoded and validated; the problems found
    are in `Decoded.problems` (rows with a problem are left out)."""
    return decode_parsed(parsed, ctx)


def decode_summary(parsed: ParsedWorkbook, ctx: DecodeContext | None = None) -> tuple[dict, dict]:
    """(organisation values, analysis values) from the sheet Sammanfattning; unreadable values are left out."""
    ctx = ctx or DecodeContext(ScaleRanges(), {}, {}, lambda _k, _h: None)
    return _decode_summary(parsed, ctx, Problems([]))




def scale_template_from(parsed: ParsedWorkbook) -> tuple[dict[str, Any] | None, list[ImportProblem]]:
    """The scales on the sheet Skalor as a template (None, with the reason, when they are unusable)."""
    from rsa_desktop.services.scales import SCALE_FORMAT, load_template

    sheet = parsed.sheets.get(fmt.SCALE_SHEET)
    problems: list[ImportProblem] = []
    if sheet is None or not sheet.rows:
        return None, [ImportProblem(fmt.SCALE_SHEET, None, "", "Skalorna saknas; standardskalorna används.",
                                    severity="varning")]
    t: dict[str, Any] = {"format": SCALE_FORMAT, "likelihood_levels": [], "consequence_levels": [],
                         "consequence_dimensions": [], "colour_bands": [], "capability_levels": [],
                         "time_horizons": []}

    def num(v):
        if isinstance(v, bool) or v is None:
            raise ValueError
        return int(v) if not isinstance(v, float) or v.is_integer() else int("x")

    for r in sheet.rows:
        scale = cell_text(r.get(fmt.SCALE_KIND)).strip()
        label = cell_text(r.get(fmt.SCALE_LABEL)).strip()
        desc = cell_text(r.get(fmt.SCALE_DESCRIPTION))
        try:
            if scale == fmt.SCALE_LIKELIHOOD:
                t["likelihood_levels"].append({"value": num(r.get(fmt.SCALE_VALUE)), "label": label, "description": desc,
                                               "frequency": cell_text(r.get(fmt.SCALE_FREQUENCY))})
            elif scale == fmt.SCALE_CONSEQUENCE:
                t["consequence_levels"].append({"value": num(r.get(fmt.SCALE_VALUE)), "label": label, "description": desc})
            elif scale == fmt.SCALE_DIMENSION:
                code = cell_text(r.get(fmt.SCALE_CODE)).strip() or f"dim{len(t['consequence_dimensions']) + 1}"
                t["consequence_dimensions"].append({"code": code, "label": label, "description": desc})
            elif scale == fmt.SCALE_BAND:
                colour = cell_text(r.get(fmt.SCALE_COLOUR)).strip()
                if not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour):
                    colour = "#cccccc"
                t["colour_bands"].append({"label": label, "colour": colour,
                                          "min_score": num(r.get(fmt.SCALE_MIN_SCORE))})
            elif scale == fmt.SCALE_CAPABILITY:
                t["capability_levels"].append({"value": num(r.get(fmt.SCALE_VALUE)), "label": label, "description": desc})
            elif scale == fmt.SCALE_HORIZON:
                t["time_horizons"].append({"minutes": num(r.get(fmt.SCALE_VALUE)), "label": label})
            elif scale == fmt.SCALE_AGGREGATION:
                code = cell_text(r.get(fmt.SCALE_CODE)).strip()
                t["consequence_aggregation"] = code if code in ("max", "mean") else "max"
            elif scale == fmt.SCALE_UNACCEPTABLE:
                t["unacceptable_level"] = num(r.get(fmt.SCALE_VALUE))
        except (ValueError, TypeError):
            problems.append(ImportProblem(fmt.SCALE_SHEET, r.row, "", f"raden för {scale or 'skalan'} kan inte läsas; "
                                          "standardskalorna används.", severity="varning"))
            return None, problems
    required = ("likelihood_levels", "consequence_levels", "consequence_dimensions", "colour_bands", "time_horizons")
    empty = [k for k in required if not t[k]]
    values_ok = all(len({lv["value"] for lv in t[k]}) == len(t[k]) for k in
                    ("likelihood_levels", "consequence_levels", "capability_levels")) \
        and len({d["code"] for d in t["consequence_dimensions"]}) == len(t["consequence_dimensions"]) \
        and len({h["minutes"] for h in t["time_horizons"]}) == len(t["time_horizons"])
    if empty or not values_ok:
        problems.append(ImportProblem(fmt.SCALE_SHEET, None, "", "skalorna är ofullständiga eller har dubbletter; "
                                      "standardskalorna används.", severity="varning"))
        return None, problems
    if t.get("unacceptable_level") not in {lv["value"] for lv in t["consequence_levels"]}:
        t["unacceptable_level"] = load_template().get("unacceptable_level", 4)
        if t["unacceptable_level"] not in {lv["value"] for lv in t["consequence_levels"]}:
            t["unacceptable_level"] = max(lv["value"] for lv in t["consequence_levels"])
    return t, problems
