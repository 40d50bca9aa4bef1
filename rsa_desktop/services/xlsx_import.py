"""Reading an Excel submission back: into the same analysis, or as a new one (Qt-free).

The workbook is the one `reports/xlsx.py` writes (docs/excel-format.md), possibly edited in Excel by
colleagues who do not have the program. Three steps, so that a UI can show a preview in between:

1. `read_workbook(path)` – defends against hostile files *before* openpyxl parses anything (zip bombs,
   external links, macros, DTD/entity declarations, huge content), refuses a workbook that is not
   ours, and reads the cells of every known sheet (openpyxl read-only; XML through defusedxml).
2. `plan_import(svc, analysis_id, parsed)` – validates every cell against the field registry and the
   analysis' scales, and lists every problem (sheet, row, column, Swedish message) and every change.
   Derived columns (Sammanvägd konsekvens, Riskvärde, Riskklass, Försenad, Bedömning (benämning),
   Används av, the names and durations repeated on Kopplingar, the matrix, Kontinuitetsgap) are never
   read: the program computes them.
3. `apply_import(svc, analysis_id, plan, only_valid=False)` – after a backup ("före-import"), in one
   transaction; refused when the plan has errors unless `only_valid` (then rows with an error are
   skipped whole). Returns the analysis' Tombstone taken just before, for `undo_import`.

Rules (see docs/excel-format.md, "Import"):

* Rows are matched by their ID (`V3`, `R2` …). A row with an empty ID is a new item (it gets the next
  free ID). An ID that the analysis does not have is an error: IDs are never reused, so it is a typo
  or an item deleted since the export.
* Rows missing from the workbook are **not** deleted, unless `delete_missing=True` is asked for
  (then every item of a sheet that is in the workbook but lacks the item's row is deleted, and so are
  Kopplingar rows, reservrutiner, contacts and participants whose rows are gone).
* A link cell ("R1, R4") is the complete list for its row: links not in it are removed. Which column
  owns a link: Beroenden.Beror på, Risker.Verksamheter/Beroenden, Åtgärder.Risker/Beroenden/
  Verksamheter/Sårbarheter, Övningar.Åtgärder, and the sheet Kopplingar for verksamhet–beroende
  (with tolerance). The mirrored columns (Verksamheter.Beroenden, Beroenden.Används av,
  Risker.Åtgärder, Åtgärder.Övningar, Sårbarheter och förmåga.Åtgärder) are derived.
* Durations: the `… (minuter)` column counts; the text column is used when the minutes are empty, or
  when only the text was changed (compared with the current value); two different new values are an
  error.
* Scales, the analysis' year, status and adoption are not changed by an import into an existing
  analysis; an öppet utdrag cannot be imported into one (it lacks the secret items and links).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from rsa_desktop.domain.durations import DurationError, parse_duration
from rsa_desktop.model.kinds import ITEM_KINDS, KINDS, LINKS, FieldSpec
from rsa_desktop.services.errors import ValidationError
from rsa_desktop.services.records import Record, Tombstone
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.services.validation import ScaleRanges, clean_value, clean_values
from rsa_desktop.storage.errors import DocumentError

FORMAT_NAME = "rsa-desktop-xlsx"
SUPPORTED_VERSION = 1

# Limits checked on the zip directory before anything is decompressed.
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_MEMBERS = 5_000
MAX_UNCOMPRESSED = 400 * 1024 * 1024  # all parts together
MAX_RATIO = 200  # uncompressed / compressed, for any part larger than RATIO_FLOOR
RATIO_FLOOR = 2 * 1024 * 1024
MAX_ROWS = 100_000  # data rows per sheet
MAX_COLUMNS = 500
# openpyxl keeps every shared string in memory (~100 bytes each): counted before it parses anything.
MAX_SHARED_STRINGS = 500_000
MAX_SHARED_BYTES = 64 * 1024 * 1024  # the uncompressed sharedStrings part

LONG_TEXT_SHEET = "Långa texter"
_LONG_NOTE = re.compile(r"\n\[… texten är \d+ tecken lång och fortsätter: hela texten finns i \d+ delar på "
                        r"bladet Långa texter\]$")
_HID = re.compile(r"^([A-ZÅÄÖ])(\d{1,9})$")
_SPLIT = re.compile(r"[,;\s]+")

# sheet → (Excel table, item kind; None for the mixed sheet of sårbarheter and förmåga)
ITEM_SHEETS: dict[str, tuple[str, str | None]] = {
    "Verksamheter": ("Verksamheter", "function"),
    "Beroenden": ("Beroenden", "dependency"),
    "Risker": ("Risker", "risk"),
    "Sårbarheter och förmåga": ("SarbarheterFormaga", None),
    "Åtgärder": ("Atgarder", "action"),
    "Kontinuitetsplaner": ("Kontinuitetsplaner", "continuity_plan"),
    "Övningar": ("Ovningar", "exercise"),
}
OTHER_SHEETS = {"Sammanfattning": "Sammanfattning", "Arbetsgrupp": "Arbetsgrupp", "Kopplingar": "Kopplingar",
                "Reservrutiner": "Reservrutiner", "Kontakter": "Kontakter", "Kontinuitetsgap": "Kontinuitetsgap",
                "Skalor": "Skalor", LONG_TEXT_SHEET: "LangaTexter"}
TABLES = {**{s: t for s, (t, _k) in ITEM_SHEETS.items()}, **OTHER_SHEETS}
SHEET_OF_KIND = {k: s for s, (_t, k) in ITEM_SHEETS.items() if k} | {"vulnerability": "Sårbarheter och förmåga",
                                                                      "capability": "Sårbarheter och förmåga"}
# Link columns that own their links (this row is the link's left side).
LINK_COLUMNS: dict[str, dict[str, str]] = {
    "Beroenden": {"Beror på": "dependency_dependency"},
    "Risker": {"Verksamheter": "risk_function", "Beroenden": "risk_dependency"},
    "Åtgärder": {"Risker": "action_risk", "Beroenden": "action_dependency", "Verksamheter": "action_function",
                 "Sårbarheter": "action_vulnerability"},
    "Övningar": {"Åtgärder": "exercise_action"},
}
_PREFIX_KIND = {spec.prefix: kind for kind, spec in KINDS.items() if spec.prefix}
# Analysis fields an import into an existing analysis may change (not year, status, adoption, scales).
ANALYSIS_TEXT_FIELDS = ("assignment", "delimitations", "method", "business_description", "locations", "summary",
                        "secrecy_marking", "security_class")


# -- errors and results --------------------------------------------------------------------------

class WorkbookError(DocumentError):
    """The workbook cannot be read at all; `str()` is one Swedish sentence. `kind` says why."""

    def __init__(self, message: str, path: object = None, kind: str = "unknown"):
        super().__init__(message, path)
        self.kind = kind


class ImportRefusedError(ValueError):
    """apply_import was asked to apply a plan that has errors (and not only its valid rows)."""

    def __init__(self, message: str, plan: "ImportPlan | None" = None):
        super().__init__(message)
        self.plan = plan


@dataclass(frozen=True)
class ImportProblem:
    sheet: str
    row: int | None  # the Excel row number; None for a problem with the whole workbook or analysis
    column: str  # column letter ("" when the problem is not one cell's)
    message: str  # Swedish
    heading: str = ""
    severity: str = "fel"  # "fel" blocks the import; "varning" does not

    def __str__(self) -> str:
        where = [self.sheet] if self.sheet else []
        if self.row is not None:
            where.append(f"rad {self.row}")
        if self.column:
            where.append(f"kolumn {self.column}" + (f" ({self.heading})" if self.heading else ""))
        elif self.heading:
            where.append(f"kolumnen {self.heading}")
        prefix = ", ".join(where)
        tag = "Varning: " if self.severity == "varning" else ""
        return f"{tag}{prefix}: {self.message}" if prefix else f"{tag}{self.message}"


@dataclass(frozen=True)
class PlannedChange:
    action: str  # "ny", "ändra", "ta bort", "koppla", "koppla bort"
    kind: str
    hid: str  # "" for a new item (it gets its ID when applied)
    field: str = ""  # Swedish label of the field or link
    old: Any = None
    new: Any = None
    sheet: str = ""
    row: int | None = None

    def __str__(self) -> str:
        label = KINDS[self.kind].label if self.kind in KINDS else self.kind
        what = f"{label} {self.hid}".strip()
        if self.action == "ny":
            return f"Ny {label.lower()}: {self.new}"
        if self.action == "ta bort":
            return f"Tas bort: {what} {self.old or ''}".rstrip()
        if self.action in ("koppla", "koppla bort"):
            verb = "kopplas till" if self.action == "koppla" else "kopplas bort från"
            return f"{what} {verb} {self.new if self.action == 'koppla' else self.old} ({self.field})"
        return f"{what}: {self.field} ändras från {_show(self.old)} till {_show(self.new)}"


def _show(value: Any) -> str:
    if value is None or value == "":
        return "(tomt)"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = str(value)
    return f"”{text[:60]}…”" if len(text) > 60 else f"”{text}”"


@dataclass
class _Op:
    sheet: str
    row: int | None
    run: Callable[[RsaService, dict], None]
    order: int = 0


@dataclass
class ImportPlan:
    analysis_id: int
    problems: list[ImportProblem]
    changes: list[PlannedChange]
    ops: list[_Op] = field(default_factory=list, repr=False)
    source: str = ""

    @property
    def errors(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == "fel"]

    @property
    def warnings(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity != "fel"]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def blocking(self) -> list[ImportProblem]:
        """Errors that are not one row's: nothing can be applied, not even the valid rows."""
        return [p for p in self.errors if p.row is None]

    @property
    def bad_rows(self) -> set[tuple[str, int]]:
        return {(p.sheet, p.row) for p in self.errors if p.row is not None}

    def changes_applied(self, only_valid: bool = False) -> list[PlannedChange]:
        if not only_valid:
            return list(self.changes)
        bad = self.bad_rows
        return [c for c in self.changes if (c.sheet, c.row) not in bad]


@dataclass(frozen=True)
class ImportResult:
    analysis: Record
    plan: ImportPlan
    tombstone: Tombstone | None  # the analysis as it was just before (None for a new analysis)
    backup: Path | None
    applied: int  # number of changes applied
    skipped_rows: int


# -- reading ---------------------------------------------------------------------------------------

@dataclass
class SheetData:
    name: str
    header_row: int
    headers: dict[str, str]  # heading → column letter
    rows: list["RowData"]

    def has(self, heading: str) -> bool:
        return heading in self.headers


@dataclass
class RowData:
    row: int
    values: dict[str, Any]  # heading → cell value (None for empty)
    formulas: set[str] = field(default_factory=set)
    errors: set[str] = field(default_factory=set)  # headings whose cell holds an Excel error (#N/A …)

    def get(self, heading: str) -> Any:
        return self.values.get(heading)


@dataclass
class ParsedWorkbook:
    path: Path
    format_version: int
    summary: dict[str, Any]  # Nyckel → Värde
    summary_rows: dict[str, int]  # Nyckel → Excel row
    sheets: dict[str, SheetData]
    problems: list[ImportProblem]  # found while reading (missing sheets, formulas …)

    @property
    def public(self) -> bool:
        return str(self.summary.get("extract") or "").strip().lower() == "öppet utdrag"

    @property
    def year(self) -> int | None:
        try:
            return int(self.summary.get("analysis.year"))
        except (TypeError, ValueError):
            return None

    @property
    def organisation(self) -> str:
        return str(self.summary.get("organisation.name") or "").strip()

    @property
    def marking(self) -> str:
        return str(self.summary.get("marking") or "").strip()


def _refuse(path: Path, message: str, kind: str) -> WorkbookError:
    return WorkbookError(f"{message}: {path.name}", path, kind)


def check_archive(path: Path) -> None:
    """Refuse a file that is no xlsx, or one that is hostile, before openpyxl sees it."""
    if not path.exists():
        raise _refuse(path, "Filen finns inte", "missing")
    if not path.is_file():
        raise _refuse(path, "Det är en mapp, inte en Excelfil", "not_xlsx")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _refuse(path, f"Filen är för stor för en RSA-arbetsbok ({size // (1024 * 1024)} MB)", "too_large")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise _refuse(path, f"Filen kunde inte läsas ({exc.strerror})", "unreadable") from None
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(path, "Filen är i det gamla Excelformatet (.xls) eller krypterad. Spara den som "
                            "Excelarbetsbok (.xlsx) utan lösenord och försök igen", "not_xlsx")
    if not head.startswith(b"PK"):
        raise _refuse(path, "Filen är ingen Excelarbetsbok (.xlsx)", "not_xlsx")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refuse(path, "Filen är skadad eller ingen Excelarbetsbok (.xlsx)", "corrupt") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _refuse(path, "Arbetsboken har orimligt många delar och läses inte av säkerhetsskäl", "hostile")
        total = 0
        names = set()
        for info in infos:
            name = info.filename
            names.add(name)
            total += info.file_size
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(1, info.compress_size):
                raise _refuse(path, "Arbetsboken är packad på ett sätt som liknar en zipbomb och läses inte av "
                                    "säkerhetsskäl", "hostile")
            low = name.lower()
            if low.startswith("xl/externallinks/"):
                raise _refuse(path, "Arbetsboken har länkar till andra filer (externa referenser) och läses inte "
                                    "av säkerhetsskäl. Ta bort länkarna (Data → Redigera länkar → Bryt länk) och "
                                    "spara igen", "hostile")
            if low.endswith("vbaproject.bin") or low.endswith(".bin") and "vba" in low:
                raise _refuse(path, "Arbetsboken innehåller makron och läses inte av säkerhetsskäl. Spara den "
                                    "som Excelarbetsbok (.xlsx) utan makron", "hostile")
        if total > MAX_UNCOMPRESSED:
            raise _refuse(path, "Arbetsboken är orimligt stor när den packas upp och läses inte av "
                                "säkerhetsskäl", "hostile")
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise _refuse(path, "Filen är ingen Excelarbetsbok (.xlsx)", "not_xlsx")
        for info in infos:
            low = info.filename.lower()
            if not low.endswith((".xml", ".rels", ".vml")):
                continue
            _scan_xml(zf, info, path)
        ct = zf.read("[Content_Types].xml").lower()
        if b"macroenabled" in ct or b"vbaproject" in ct:
            raise _refuse(path, "Arbetsboken är makroaktiverad och läses inte av säkerhetsskäl", "hostile")
        # openpyxl finds the shared strings by content type, so any part name may hold them.
        shared = {m.group(1).decode("utf-8", "replace").lstrip("/").lower() for m in re.finditer(
            rb'partname="([^"]*)"[^>]*contenttype="[^"]*sharedstrings', ct)}
        for info in infos:
            low = info.filename.lower()
            if low.endswith(".rels"):
                _check_relationships(zf, info, path)
            if low.endswith("sharedstrings.xml") or low in shared:
                _check_shared_strings(zf, info, path)


_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")


def _check_shared_strings(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """Bound the shared-strings table before openpyxl loads it whole (6 million unused strings took 1 GB)."""
    too_many = _refuse(path, "Arbetsboken har orimligt många texter (delade strängar) för en RSA-arbetsbok och "
                             "läses inte av säkerhetsskäl", "hostile")
    if info.file_size > MAX_SHARED_BYTES:
        raise too_many
    count, tail, read = 0, b"", 0
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(1 << 20)
                if not chunk:
                    break
                read += len(chunk)
                if read > MAX_SHARED_BYTES:  # the size in the directory can lie
                    raise too_many
                data = tail + chunk
                count += len(_SI.findall(data)) - len(_SI.findall(tail))
                if count > MAX_SHARED_STRINGS:
                    raise too_many
                tail = data[-32:]
    except WorkbookError:
        raise
    except Exception as exc:  # noqa: BLE001 - zlib.error and friends: a damaged part
        raise _refuse(path, f"Arbetsboken är skadad ({type(exc).__name__})", "corrupt") from None


# Relationship types (the last part of the Type URI, lower case) that never belong in an RSA workbook.
_MACRO_RELATIONSHIPS = {"vbaproject", "vbaprojectsignature", "wordvbadata", "keymapcustomizations"}
_LINK_RELATIONSHIPS = {"externallink", "externallinkpath", "oleobject", "package", "attachedtemplate",
                       "frame", "subdocument"}


def _check_relationships(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """Decide by what a relationship is, not by part names: a vbaProject relationship may point at a
    "media" file, and an oleObject may point outside the workbook (TargetMode="External"). Compared
    case-insensitively, since Excel's reader is. Only hyperlinks may point outside."""
    try:
        from defusedxml.ElementTree import fromstring
    except ImportError:  # pragma: no cover - defusedxml is a runtime dependency; DTDs are refused above
        from xml.etree.ElementTree import fromstring
    try:
        root = fromstring(zf.read(info))
    except Exception:  # noqa: BLE001 - a damaged part
        raise _refuse(path, "Arbetsboken är skadad (en relationsdel går inte att läsa)", "corrupt") from None
    for rel in root.iter():
        if not str(rel.tag).lower().endswith("relationship"):
            continue
        attrs = {str(k).lower(): str(v) for k, v in rel.attrib.items()}
        kind = attrs.get("type", "").strip().rstrip("/").rsplit("/", 1)[-1].lower()
        external = attrs.get("targetmode", "").strip().lower() == "external"
        if kind in _MACRO_RELATIONSHIPS:
            raise _refuse(path, "Arbetsboken innehåller makron och läses inte av säkerhetsskäl. Spara den "
                                "som Excelarbetsbok (.xlsx) utan makron", "hostile")
        if kind in _LINK_RELATIONSHIPS or (external and kind != "hyperlink"):
            raise _refuse(path, "Arbetsboken har länkar till andra filer (externa referenser eller inbäddade "
                                "objekt) och läses inte av säkerhetsskäl. Ta bort länkarna och spara igen",
                          "hostile")


def _scan_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """Refuse DTDs and entity declarations (XML bombs, external entities) in a part, streaming."""
    tail = b""
    first = True
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(1 << 20)
                if not chunk:
                    break
                if first:
                    first = False
                    if chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in chunk[:64]:
                        raise _refuse(path, "Arbetsboken har XML i en teckenkodning som Excel inte använder och "
                                            "läses inte av säkerhetsskäl", "hostile")
                data = tail + chunk
                if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                    raise _refuse(path, "Arbetsboken innehåller XML-deklarationer (DTD/entiteter) som Excel inte "
                                        "skriver och läses inte av säkerhetsskäl", "hostile")
                tail = data[-16:]
    except WorkbookError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise _refuse(path, f"Arbetsboken är skadad ({type(exc).__name__})", "corrupt") from None
    except Exception as exc:  # noqa: BLE001 - zlib.error and friends: a damaged part
        raise _refuse(path, f"Arbetsboken är skadad ({type(exc).__name__})", "corrupt") from None


def _table_refs(path: Path) -> dict[str, str]:
    """displayName → ref of every Excel Table (small XML parts, parsed with defusedxml).

    Without defusedxml (a build that lacks it) the standard parser is safe too: check_archive has
    already refused every part with a DTD or an entity declaration.
    """
    try:
        from defusedxml.ElementTree import fromstring
    except ImportError:  # pragma: no cover - defusedxml is a runtime dependency
        from xml.etree.ElementTree import fromstring

    out: dict[str, str] = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/tables/") and name.endswith(".xml"):
                try:
                    root = fromstring(zf.read(name))
                except Exception:  # noqa: BLE001 - a damaged table part: fall back to the layout
                    continue
                display, ref = root.get("displayName") or root.get("name"), root.get("ref")
                if display and ref:
                    out[display] = ref
    return out


def _ref_start(ref: str) -> tuple[int, int] | None:
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

    try:
        letters, row = coordinate_from_string(ref.split(":")[0].replace("$", ""))
        return row, column_index_from_string(letters)
    except (ValueError, TypeError):
        return None


def read_workbook(path: str | Path) -> ParsedWorkbook:
    """Read an exported (and possibly edited) workbook; WorkbookError when it cannot be used at all."""
    path = Path(path)
    check_archive(path)
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        refs = _table_refs(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except WorkbookError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises anything on a damaged file
        raise _refuse(path, f"Arbetsboken kunde inte läsas ({type(exc).__name__})", "corrupt") from None
    problems: list[ImportProblem] = []
    sheets: dict[str, SheetData] = {}
    try:
        if "Sammanfattning" not in wb.sheetnames:
            raise _refuse(path, "Arbetsboken är ingen RSA-export från RSA Desktop (bladet Sammanfattning saknas)",
                          "foreign")
        for name, table in TABLES.items():
            if name not in wb.sheetnames:
                continue
            ws = wb[name]
            start = _ref_start(refs[table]) if table in refs else None
            header_row, first_col = start or (4, 1)
            sheets[name] = _read_sheet(ws, name, header_row, first_col, problems, get_column_letter)
    except WorkbookError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _refuse(path, f"Arbetsboken kunde inte läsas ({type(exc).__name__})", "corrupt") from None
    finally:
        wb.close()

    summary_sheet = sheets.get("Sammanfattning")
    summary, summary_rows = {}, {}
    if summary_sheet is not None and summary_sheet.has("Nyckel") and summary_sheet.has("Värde"):
        for r in summary_sheet.rows:
            key = r.get("Nyckel")
            if isinstance(key, str) and key.strip():
                summary[key.strip()] = r.get("Värde")
                summary_rows[key.strip()] = r.row
    if summary.get("format") != FORMAT_NAME:
        raise _refuse(path, "Arbetsboken är ingen RSA-export från RSA Desktop (formatuppgiften på bladet "
                            "Sammanfattning saknas)", "foreign")
    try:
        version = int(summary.get("format_version"))
    except (TypeError, ValueError):
        raise _refuse(path, "Arbetsbokens formatversion är oläslig", "foreign") from None
    if version > SUPPORTED_VERSION:
        raise _refuse(path, f"Arbetsboken är skriven av en nyare version av RSA Desktop (format {version}, det "
                            f"här programmet läser till och med {SUPPORTED_VERSION}). Uppdatera programmet", "newer")
    if version < 1:
        raise _refuse(path, "Arbetsbokens formatversion är okänd", "foreign")
    for name in (*ITEM_SHEETS, "Kopplingar", "Skalor"):
        if name not in sheets:
            problems.append(ImportProblem(name, None, "", f"Bladet {name} saknas; inget läses från det.",
                                          severity="varning"))
    _join_long_texts(sheets)
    return ParsedWorkbook(path, version, summary, summary_rows, sheets, problems)


def _read_sheet(ws, name: str, header_row: int, first_col: int, problems: list[ImportProblem],
                letter: Callable[[int], str]) -> SheetData:
    ws.reset_dimensions()  # the stored dimension may be wrong (or a lie) in a file from another program
    headers: dict[str, str] = {}
    index: dict[int, str] = {}
    rows: list[RowData] = []
    for cells in ws.iter_rows(min_row=header_row):
        if not cells:
            continue
        rownum = next((c.row for c in cells if getattr(c, "row", None)), None)
        if rownum is None:
            continue
        if rownum == header_row:
            for c in cells:
                col = getattr(c, "column", None)
                if col is None or col < first_col or c.value is None:
                    continue
                if col > MAX_COLUMNS + first_col:
                    break
                heading = " ".join(str(c.value).split())
                if heading and heading not in headers:
                    headers[heading] = letter(col)
                    index[col] = heading
            continue
        if len(rows) >= MAX_ROWS:
            problems.append(ImportProblem(name, rownum, "", f"Bladet har fler än {MAX_ROWS} rader; resten läses "
                                                            "inte."))
            break
        values: dict[str, Any] = {}
        formulas: set[str] = set()
        errors: set[str] = set()
        for c in cells:
            col = getattr(c, "column", None)
            heading = index.get(col) if col is not None else None
            if heading is None:
                continue
            v = c.value
            if isinstance(v, str) and v == "":
                v = None
            if v is None:
                continue
            kind = getattr(c, "data_type", "")
            if kind == "f":
                formulas.add(heading)
            elif kind == "e":
                errors.add(heading)
            values[heading] = v
        if values:
            rows.append(RowData(rownum, values, formulas, errors))
    return SheetData(name, header_row, headers, rows)


def _join_long_texts(sheets: dict[str, SheetData]) -> None:
    long = sheets.get(LONG_TEXT_SHEET)
    if long is None or not long.rows:
        return
    parts: dict[tuple[str, str, str], list[tuple[int, str]]] = {}
    for r in long.rows:
        try:
            key = (str(r.get("Blad") or ""), str(r.get("ID") or ""), str(r.get("Kolumn") or ""))
            parts.setdefault(key, []).append((int(r.get("Del")), str(r.get("Text") or "")))
        except (TypeError, ValueError):
            continue
    if not parts:
        return
    for sheet in sheets.values():
        if sheet.name == LONG_TEXT_SHEET:
            continue
        for r in sheet.rows:
            for heading, value in list(r.values.items()):
                if not (isinstance(value, str) and _LONG_NOTE.search(value)):
                    continue
                rid = _row_id(sheet.name, r)
                found = parts.get((sheet.name, rid, heading))
                if found:
                    text = "".join(t for _n, t in sorted(found))
                    if text.startswith(_LONG_NOTE.sub("", value)):
                        r.values[heading] = text


def _row_id(sheet: str, r: RowData) -> str:
    if sheet == "Sammanfattning":
        return str(r.get("Nyckel") or "")
    if sheet == "Arbetsgrupp":
        return str(r.get("Nr") or "")
    if sheet in ("Reservrutiner", "Kontakter"):
        return f"{r.get('Plan') or ''}.{r.get('Nr') or ''}"
    return str(r.get("ID") or "")


# -- decoding cells into field values ------------------------------------------------------------

@dataclass
class _Ctx:
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


class _Problems:
    def __init__(self, out: list[ImportProblem]):
        self.out = out

    def add(self, sheet: str, row: int | None, column: str, heading: str, message: str,
            severity: str = "fel") -> None:
        self.out.append(ImportProblem(sheet, row, column, message, heading, severity))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _field_value(f: FieldSpec, raw: Any, ranges: ScaleRanges) -> Any:
    """The stored value for one cell; ValueError with a Swedish message."""
    if f.type in ("text", "catalog", "longtext"):
        return clean_value(f, _cell_text(raw), ranges)
    if f.type == "date":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            raise ValueError(f"”{_cell_text(raw)}” är inget giltigt datum. Skriv ÅÅÅÅ-MM-DD.")
        if isinstance(raw, dt.datetime) and raw.time() != dt.time():
            return raw.date()
        return clean_value(f, raw.strip() if isinstance(raw, str) else raw, ranges)
    if f.type in ("int", "likelihood", "consequence", "capability"):
        if isinstance(raw, str):
            raw = raw.strip()
        if isinstance(raw, (dt.date, dt.datetime)):
            raise ValueError(f"”{_cell_text(raw)}” är inget heltal.")
        return clean_value(f, raw, ranges)
    if f.type in ("bool", "optbool", "enum"):
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            raw = _cell_text(raw)
        if isinstance(raw, (dt.date, dt.datetime)):
            raw = _cell_text(raw)
        return clean_value(f, raw, ranges)
    raise AssertionError(f.type)


def _duration(sheet: str, r: RowData, heading: str, problems: _Problems, headers: dict[str, str],
              current: int | None, has_current: bool) -> tuple[bool, int | None]:
    """(ok, minutes) from a duration's text and minutes columns (see the module docstring)."""
    mcol = f"{heading} (minuter)"
    text_raw, min_raw = r.get(heading), r.get(mcol)
    minutes = text = None
    ok = True
    if min_raw is not None:
        try:
            if isinstance(min_raw, bool) or isinstance(min_raw, (dt.date, dt.datetime)):
                raise DurationError(f"”{_cell_text(min_raw)}” är inget antal minuter.")
            if isinstance(min_raw, float) and not min_raw.is_integer():
                min_raw = round(min_raw)
            if isinstance(min_raw, str) and not min_raw.strip().isdigit():
                raise DurationError(f"”{min_raw}” är inget antal minuter. Skriv ett heltal, eller skriv tiden "
                                    f"i kolumnen {heading} och töm den här cellen.")
            minutes = parse_duration(min_raw if isinstance(min_raw, int) else str(min_raw).strip())
            if minutes is not None and minutes > 10 * 366 * 24 * 60:
                raise DurationError("tiden är orimligt lång (mer än tio år).")
        except (DurationError, ValueError, OverflowError) as exc:
            msg = str(exc) if not isinstance(exc, OverflowError) else f"”{_cell_text(min_raw)}” är inget antal minuter."
            problems.add(sheet, r.row, headers.get(mcol, ""), mcol, _lower_first(msg))
            ok = False
    if text_raw is not None:
        try:
            text = parse_duration(_cell_text(text_raw))
            if text is not None and text > 10 * 366 * 24 * 60:
                raise DurationError("tiden är orimligt lång (mer än tio år).")
        except (DurationError, ValueError, OverflowError) as exc:
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
                 f"”{_cell_text(text_raw)}” stämmer inte med {minutes} minuter i kolumnen {mcol}. "
                 "Ändra en av dem, helst minuterna.")
    return False, None


def _differs(old: Any, new: Any) -> bool:
    """Whether a value changed; an empty text and no value at all are the same."""
    if old in (None, "") and new in (None, ""):
        return False
    return old != new


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s else s


def _split_hids(value: Any) -> list[str]:
    text = _cell_text(value).strip()
    return [p.strip().upper() for p in _SPLIT.split(text) if p.strip()] if text else []


def _fields_of(kind: str) -> list[FieldSpec]:
    return list(KINDS[kind].fields)


def _decode_fields(kind: str, sheet: SheetData, r: RowData, ctx: _Ctx, problems: _Problems, hid: str,
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
        if f.type == "duration":
            if not (sheet.has(heading) or sheet.has(f"{heading} (minuter)")):
                continue
            mh = f"{heading} (minuter)"
            columns[f.name] = (sheet.headers.get(mh) or sheet.headers.get(heading, ""), mh)
            if heading in r.formulas or mh in r.formulas or heading in r.errors or mh in r.errors:
                problems.add(sheet.name, r.row, columns[f.name][0], mh, "cellen innehåller en formel eller ett "
                             "fel; skriv in själva värdet.")
                ok = False
                continue
            good, minutes = _duration(sheet.name, r, heading, problems, sheet.headers,
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
        if f.type == "ref":
            values[f.name] = _cell_text(raw).strip().upper()
            continue
        try:
            values[f.name] = _field_value(f, raw, ctx.ranges)
        except ValueError as exc:
            problems.add(sheet.name, r.row, letter, heading, str(exc))
            ok = False
    return values, columns, ok


def _decode(parsed: ParsedWorkbook, ctx: _Ctx) -> Decoded:
    out: list[ImportProblem] = []
    problems = _Problems(out)
    rows: list[DRow] = []
    seen: dict[str, tuple[str, int]] = {}
    for sheet_name, (_table, sheet_kind) in ITEM_SHEETS.items():
        sheet = parsed.sheets.get(sheet_name)
        if sheet is None:
            continue
        if not sheet.has("ID"):
            problems.add(sheet_name, sheet.header_row, "", "ID", "kolumnen ID saknas; bladet kan inte läsas.")
            continue
        id_col = sheet.headers["ID"]
        for r in sheet.rows:
            raw_id = r.get("ID")
            hid = _cell_text(raw_id).strip().upper() if raw_id is not None else ""
            kind = sheet_kind
            if hid:
                m = _HID.match(hid)
                pkind = _PREFIX_KIND.get(m.group(1)) if m else None
                allowed = {sheet_kind} if sheet_kind else {"vulnerability", "capability"}
                if pkind not in allowed:
                    want = " eller ".join(KINDS[k].prefix + "…" for k in sorted(allowed))
                    problems.add(sheet_name, r.row, id_col, "ID", f"”{hid}” är inget ID för bladet (ska vara {want}).")
                    continue
                kind = pkind
                if hid in seen:
                    problems.add(sheet_name, r.row, id_col, "ID",
                                 f"ID {hid} finns redan på rad {seen[hid][1]}; varje ID får bara förekomma en gång.")
                    continue
                seen[hid] = (sheet_name, r.row)
            if sheet_kind is None:
                typ = _cell_text(r.get("Typ")).strip().lower()
                tcol = sheet.headers.get("Typ", "")
                vuln_labels = {label.lower(): code for code, label in KINDS["vulnerability"].field("vuln_type").choices}
                by_typ = "capability" if typ == "förmåga" else "vulnerability" if typ in vuln_labels else None
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
                            raise ValueError("cellen innehåller en formel; skriv in själva värdet.")
                        level = _field_value(spec, r.get(heading), ctx.ranges)
                    except ValueError as exc:
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
                if heading.startswith("Konsekvens efter ") and sheet_name == "Verksamheter" \
                        and heading not in ctx.horizons:
                    problems.add(sheet_name, sheet.header_row, sheet.headers[heading], heading,
                                 "analysen har ingen sådan tidshorisont; kolumnen läses inte.", "varning")
                if heading.startswith("Konsekvens – ") and sheet_name == "Risker" and heading not in ctx.dimensions:
                    problems.add(sheet_name, sheet.header_row, sheet.headers[heading], heading,
                                 "analysen har ingen sådan konsekvensdimension; kolumnen läses inte.", "varning")
    return Decoded(rows, links, children, org, analysis, out)


def _decode_vuln_cap(kind: str, sheet: SheetData, r: RowData, ctx: _Ctx, problems: _Problems, hid: str):
    if kind == "vulnerability":
        mapping = {"title": "Rubrik", "description": "Beskrivning", "vuln_type": "Typ", "secret": "Sekretess"}
    else:
        mapping = {"area": "Rubrik", "motivation": "Beskrivning", "rating": "Bedömning", "secret": "Sekretess"}
    return _decode_fields(kind, sheet, r, ctx, problems, hid, heading_of=lambda f: mapping.get(f.name, "\0"),
                          only=tuple(mapping))


def _decode_links(parsed: ParsedWorkbook, ctx: _Ctx, problems: _Problems) -> list[DLink]:
    sheet = parsed.sheets.get("Kopplingar")
    out: list[DLink] = []
    if sheet is None:
        return out
    if not (sheet.has("Verksamhet") and sheet.has("Beroende")):
        problems.add("Kopplingar", sheet.header_row, "", "Verksamhet", "kolumnerna Verksamhet och Beroende saknas; "
                     "bladet kan inte läsas.")
        return out
    spec = LINKS["function_dependency"]
    seen: dict[tuple[str, str], int] = {}
    for r in sheet.rows:
        f = _cell_text(r.get("Verksamhet")).strip().upper()
        d = _cell_text(r.get("Beroende")).strip().upper()
        if not f or not d:
            heading = "Verksamhet" if not f else "Beroende"
            problems.add("Kopplingar", r.row, sheet.headers[heading], heading, "både verksamhet och beroende "
                         "måste anges (ID, t.ex. V1 och B3).")
            continue
        if (f, d) in seen:
            problems.add("Kopplingar", r.row, sheet.headers["Verksamhet"], "Verksamhet",
                         f"kopplingen {f}–{d} finns redan på rad {seen[(f, d)]}.")
            continue
        seen[(f, d)] = r.row
        attrs: dict[str, Any] = {}
        ok = True
        if sheet.has("Tolerans") or sheet.has("Tolerans (minuter)"):
            cur = ctx.current("function_dependency", f"{f}|{d}")
            good, minutes = _duration("Kopplingar", r, "Tolerans", problems, sheet.headers,
                                      cur.get("tolerance") if cur else None, cur is not None)
            ok &= good
            attrs["tolerance"] = minutes
        if sheet.has("Kommentar"):
            try:
                attrs["note"] = clean_value(spec.fields[1], _cell_text(r.get("Kommentar")), ctx.ranges)
            except ValueError as exc:
                problems.add("Kopplingar", r.row, sheet.headers["Kommentar"], "Kommentar", str(exc))
                ok = False
        if ok:
            out.append(DLink("Kopplingar", r.row, f, d, attrs))
    return out


_CHILD_SHEETS = {"Arbetsgrupp": "participant", "Reservrutiner": "fallback", "Kontakter": "contact"}


def _decode_children(parsed: ParsedWorkbook, ctx: _Ctx, problems: _Problems) -> list[DChild]:
    out: list[DChild] = []
    for sheet_name, kind in _CHILD_SHEETS.items():
        sheet = parsed.sheets.get(sheet_name)
        if sheet is None:
            continue
        seen: dict[tuple[str, int], int] = {}
        for r in sheet.rows:
            owner = ""
            if kind != "participant":
                owner = _cell_text(r.get("Plan")).strip().upper()
                if not owner:
                    problems.add(sheet_name, r.row, sheet.headers.get("Plan", ""), "Plan",
                                 "ange kontinuitetsplanens ID (K…).")
                    continue
            nr = None
            if r.get("Nr") is not None:
                try:
                    nr = clean_value(FieldSpec("nr", "Nr", "int", minimum=1, maximum=100_000), r.get("Nr"), ctx.ranges)
                except ValueError as exc:
                    problems.add(sheet_name, r.row, sheet.headers.get("Nr", ""), "Nr", str(exc))
                    continue
                if (owner, nr) in seen:
                    problems.add(sheet_name, r.row, sheet.headers.get("Nr", ""), "Nr",
                                 f"nummer {nr} finns redan på rad {seen[(owner, nr)]}.")
                    continue
                seen[(owner, nr)] = r.row
            values, columns, ok = _decode_fields(kind, sheet, r, ctx, problems, "")
            if ok:
                out.append(DChild(sheet_name, r.row, kind, owner, nr, values, columns))
    return out


def _decode_summary(parsed: ParsedWorkbook, ctx: _Ctx, problems: _Problems) -> tuple[dict, dict]:
    org: dict[str, Any] = {}
    analysis: dict[str, Any] = {}
    sheet = parsed.sheets.get("Sammanfattning")
    letter = sheet.headers.get("Värde", "") if sheet else ""
    for prefix, kind, target in (("organisation.", "organisation", org), ("analysis.", "analysis", analysis)):
        for f in KINDS[kind].fields:
            key = prefix + f.name
            if key not in parsed.summary:
                continue
            raw = parsed.summary[key]
            try:
                if f.type == "duration":
                    target[f.name] = clean_value(f, _cell_text(raw), ctx.ranges)
                else:
                    target[f.name] = _field_value(f, raw, ctx.ranges)
            except ValueError as exc:
                problems.add("Sammanfattning", parsed.summary_rows.get(key), letter, f.label, str(exc))
    return org, analysis


# -- planning an import into an existing analysis -------------------------------------------------

def _analysis_ctx(svc: RsaService, analysis_id: int, current: Callable) -> _Ctx:
    scales = svc.scales(analysis_id)
    return _Ctx(scales.ranges, {f"Konsekvens efter {h.label}": h.minutes for h in scales.horizons},
                {f"Konsekvens – {d.label}": d.code for d in scales.dimensions}, current)


def plan_import(svc: RsaService, analysis_id: int, parsed: ParsedWorkbook, *,
                delete_missing: bool = False, other_organisation: bool = False) -> ImportPlan:
    """Validate the workbook against the analysis and list every problem and every change.

    A workbook from another organisation is refused (its items, matched by ID alone, would overwrite
    ours and its name would rename our organisation) unless `other_organisation`; even then the
    file's organisation keeps its own name and details.
    """
    analysis = svc.analysis(analysis_id)
    problems: list[ImportProblem] = list(parsed.problems)
    p = _Problems(problems)
    changes: list[PlannedChange] = []
    ops: list[_Op] = []
    if parsed.public:
        p.add("Sammanfattning", None, "", "", "Arbetsboken är ett öppet utdrag: sekretessmarkerade uppgifter och "
              "kopplingar saknas i den, så den kan inte läsas in i en befintlig analys. Läs in den som en ny analys "
              "i stället.")
    if analysis.status == "faststalld":
        p.add("", None, "", "", f"Analysen för {analysis.year} är fastställd. Återöppna den som utkast innan du "
              "läser in ändringar.")
    if analysis.archived:
        p.add("", None, "", "", f"Analysen för {analysis.year} är arkiverad (en senare årsanalys bygger på den) "
              "och kan inte ändras.")
    if parsed.year is not None and parsed.year != analysis.year:
        p.add("Sammanfattning", parsed.summary_rows.get("analysis.year"), "", "År",
              f"arbetsboken gäller {parsed.year} men läses in i analysen för {analysis.year}.", "varning")
    org = svc.organisation()
    foreign = (org is not None and bool(parsed.organisation)
               and " ".join(parsed.organisation.split()).casefold() != " ".join(org.name.split()).casefold())
    if foreign and not other_organisation:
        p.add("Sammanfattning", None, "", "Namn",
              f"Arbetsboken kommer från en annan organisation ({parsed.organisation}) än filen ({org.name}) och "
              "läses inte in: dess rader skulle skriva över filens med samma ID.")
    elif foreign:
        p.add("Sammanfattning", parsed.summary_rows.get("organisation.name"), "", "Namn",
              f"arbetsboken gäller {parsed.organisation}, filen {org.name}; organisationens uppgifter behålls.",
              "varning")

    db: dict[str, dict[str, Record]] = {k: {r.hid: r for r in svc.list(k, analysis_id)} for k in ITEM_KINDS}
    fd_now = {(lr.left_id, lr.right_id): lr for lr in svc.links("function_dependency", analysis_id=analysis_id)}
    by_id = {(k, r.id): r for k in ITEM_KINDS for r in db[k].values()}

    def current(kind: str, hid: str):
        if kind == "function_dependency":
            fh, dh = hid.split("|")
            f, d = db["function"].get(fh), db["dependency"].get(dh)
            lr = fd_now.get((f.id, d.id)) if f and d else None
            return dict(lr.attrs) if lr else None
        rec = db.get(kind, {}).get(hid)
        return rec.values if rec else None

    ctx = _analysis_ctx(svc, analysis_id, current)
    dec = _decode(parsed, ctx)
    problems.extend(dec.problems)
    _plan_rows(svc, analysis_id, dec, db, by_id, ctx, p, changes, ops, parsed, delete_missing)
    _plan_summary(svc, analysis_id, analysis, None if foreign else org, dec, changes, ops)
    plan = ImportPlan(analysis_id, problems, changes, ops, str(parsed.path))
    return plan


def _plan_summary(svc, analysis_id, analysis, org, dec: Decoded, changes, ops) -> None:
    a_changed = {k: v for k, v in dec.analysis.items()
                 if k in ANALYSIS_TEXT_FIELDS and _differs(analysis.values[k], v)}
    for k, v in a_changed.items():
        changes.append(PlannedChange("ändra", "analysis", str(analysis.year), KINDS["analysis"].field(k).label,
                                     analysis.values[k], v, "Sammanfattning", None))
    if a_changed:
        ops.append(_Op("Sammanfattning", None, lambda s, c: s.update("analysis", analysis_id, **a_changed), 0))
    if org is not None:
        o_changed = {k: v for k, v in dec.organisation.items() if _differs(org.values.get(k), v)
                     and not (k == "name" and not v)}
        for k, v in o_changed.items():
            changes.append(PlannedChange("ändra", "organisation", org.name, KINDS["organisation"].field(k).label,
                                         org.values.get(k), v, "Sammanfattning", None))
        if o_changed:
            ops.append(_Op("Sammanfattning", None, lambda s, c: s.set_organisation(**o_changed), 0))


def _plan_rows(svc, aid, dec: Decoded, db, by_id, ctx: _Ctx, p: _Problems, changes, ops, parsed,
               delete_missing: bool) -> None:
    ranges = ctx.ranges
    link_now: dict[str, dict[int, set[int]]] = {}
    for name in {n for cols in LINK_COLUMNS.values() for n in cols.values()}:
        m: dict[int, set[int]] = {}
        for lr in svc.links(name, analysis_id=aid):
            m.setdefault(lr.left_id, set()).add(lr.right_id)
        link_now[name] = m
    dd_final = {k: set(v) for k, v in link_now["dependency_dependency"].items()}
    dd_rows: dict[int, DRow] = {}
    impacts_now = svc.all_impacts(aid)
    cons_now = svc.all_consequences(aid)
    scales = svc.scales(aid)
    hor_id = {h.minutes: h.id for h in scales.horizons}
    dim_id = {d.code: d.id for d in scales.dimensions}

    for row in dec.rows:
        spec = KINDS[row.kind]
        existing = db[row.kind].get(row.hid) if row.hid else None
        bad = False
        if row.hid and existing is None:
            p.add(row.sheet, row.row, row.columns.get("hid", (parsed.sheets[row.sheet].headers.get("ID", ""),))[0],
                  "ID", f"{row.hid} finns inte i analysen (borttagen sedan exporten, eller felskrivet). Lämna ID tomt "
                        "för en ny rad.")
            continue
        values = dict(row.values)
        for f in spec.fields:
            if f.type == "ref" and f.name in values:
                hid = values[f.name]
                if not hid:
                    values[f.name] = None
                    continue
                target = db[f.ref].get(hid)
                if target is None:
                    letter, heading = row.columns[f.name]
                    p.add(row.sheet, row.row, letter, heading, f"{hid} finns inte i analysen.")
                    values.pop(f.name)
                    bad = True
                else:
                    values[f.name] = target.id
        try:
            current = {f: existing.values[f] for f in spec.field_names} if existing else None
            clean_values(spec, values, ranges, creating=existing is None, current=current)
        except ValidationError as exc:
            for err in exc.errors:
                letter, heading = row.columns.get(err.field, ("", err.label))
                p.add(row.sheet, row.row, letter, heading, err.message)
            bad = True
        # Links owned by this row.
        targets: dict[str, set[int]] = {}
        for link, hids in row.links.items():
            lspec = LINKS[link]
            ids = set()
            for h in hids:
                target = db[lspec.right].get(h)
                if target is None:
                    letter, heading = row.columns[link]
                    kind_label = KINDS[lspec.right].label.lower()
                    p.add(row.sheet, row.row, letter, heading, f"{h} är ingen {kind_label} i analysen.")
                    bad = True
                    continue
                if link == "dependency_dependency" and existing is not None and target.id == existing.id:
                    letter, heading = row.columns[link]
                    p.add(row.sheet, row.row, letter, heading, "ett beroende kan inte bero på sig självt.")
                    bad = True
                    continue
                ids.add(target.id)
            targets[link] = ids
        if bad:
            continue
        if existing is not None and "dependency_dependency" in targets:
            dd_final[existing.id] = targets["dependency_dependency"]
            dd_rows[existing.id] = row
        item_changes: list[PlannedChange] = []
        changed = {}
        if existing is None:
            title = values.get(spec.title_field) or ""
            item_changes.append(PlannedChange("ny", row.kind, "", "", None, title, row.sheet, row.row))
        else:
            for k, v in values.items():
                if _differs(existing.values.get(k), v):
                    changed[k] = v
                    old, new = existing.values.get(k), v
                    if spec.field(k).type == "ref":
                        old = by_id.get((spec.field(k).ref, old)).hid if old is not None else None
                        new = row.values[k] or None
                    item_changes.append(PlannedChange("ändra", row.kind, row.hid, spec.field(k).label, old, new,
                                                      row.sheet, row.row))
        link_ops: list[tuple[str, str, int]] = []
        for link, ids in targets.items():
            lspec = LINKS[link]
            now = link_now[link].get(existing.id, set()) if existing else set()
            for t in sorted(ids - now):
                link_ops.append(("link", link, t))
                item_changes.append(PlannedChange("koppla", row.kind, row.hid, lspec.label, None,
                                                  by_id[(lspec.right, t)].hid, row.sheet, row.row))
            for t in sorted(now - ids):
                link_ops.append(("unlink", link, t))
                item_changes.append(PlannedChange("koppla bort", row.kind, row.hid, lspec.label,
                                                  by_id[(lspec.right, t)].hid, None, row.sheet, row.row))
        rating_ops: list[tuple[str, int, int | None]] = []
        if row.kind == "function":
            now = impacts_now.get(existing.id, {}) if existing else {}
            for minutes, level in row.impacts.items():
                hid_ = hor_id[minutes]
                if now.get(hid_) != level:
                    rating_ops.append(("impact", hid_, level))
                    label = next(h.label for h in scales.horizons if h.id == hid_)
                    item_changes.append(PlannedChange("ändra", row.kind, row.hid, f"Konsekvens efter {label}",
                                                      now.get(hid_), level, row.sheet, row.row))
        if row.kind == "risk":
            now = cons_now.get(existing.id, {}) if existing else {}
            for code, level in row.consequences.items():
                did = dim_id[code]
                if now.get(did) != level:
                    rating_ops.append(("consequence", did, level))
                    label = next(d.label for d in scales.dimensions if d.id == did)
                    item_changes.append(PlannedChange("ändra", row.kind, row.hid, f"Konsekvens – {label}",
                                                      now.get(did), level, row.sheet, row.row))
        if existing is not None and not item_changes:
            continue
        if existing is None and not any(v not in (None, "", False) for v in values.values()) and not targets:
            continue
        changes.extend(item_changes)
        ops.append(_Op(row.sheet, row.row, _row_runner(aid, row.kind, existing.id if existing else None,
                                                       values if existing is None else changed, link_ops,
                                                       rating_ops), 1))

    _check_cycles(dd_final, dd_rows, by_id, p)
    _plan_fd_links(svc, aid, dec, db, by_id, p, changes, ops, delete_missing, parsed)
    _plan_children(svc, aid, dec, db, p, changes, ops, delete_missing, parsed)
    if delete_missing:
        present: dict[str, set[str]] = {k: set() for k in ITEM_KINDS}
        for sheet_name, sheet in parsed.sheets.items():
            if sheet_name in ITEM_SHEETS:
                for r in sheet.rows:
                    present_hid = _cell_text(r.get("ID")).strip().upper()
                    if present_hid:
                        m = _HID.match(present_hid)
                        if m and m.group(1) in _PREFIX_KIND:
                            present[_PREFIX_KIND[m.group(1)]].add(present_hid)
        for kind in ITEM_KINDS:
            if SHEET_OF_KIND[kind] not in parsed.sheets:
                continue
            for hid, rec in db[kind].items():
                if hid not in present[kind]:
                    changes.append(PlannedChange("ta bort", kind, hid, "", rec.label, None, SHEET_OF_KIND[kind], None))
                    ops.append(_Op(SHEET_OF_KIND[kind], None,
                                   (lambda k, i: lambda s, c: s.delete(k, i))(kind, rec.id), 9))


def _row_runner(aid, kind, item_id, values, link_ops, rating_ops):
    def run(svc: RsaService, ctx: dict) -> None:
        nonlocal item_id
        if item_id is None:
            item_id = svc.create(kind, aid, **values).id
        elif values:
            svc.update(kind, item_id, **values)
        for op, link, target in link_ops:
            if op == "link":
                svc.link(link, item_id, target)
            else:
                svc.unlink(link, item_id, target)
        for what, key, level in rating_ops:
            if what == "impact":
                svc.set_impact(item_id, key, level)
            else:
                svc.set_consequence(item_id, key, level)
    return run


def _check_cycles(dd_final: dict[int, set[int]], dd_rows: dict[int, DRow], by_id, p: _Problems) -> None:
    """Refuse rows of Beroenden whose "Beror på" would close a circle of dependencies."""
    state: dict[int, int] = {}
    in_cycle: set[int] = set()

    def visit(node: int, stack: list[int]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in dd_final.get(node, ()):
            if state.get(nxt) == 1:
                in_cycle.update(stack[stack.index(nxt):])
            elif state.get(nxt) is None:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    import sys

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for node in list(dd_final):
            if state.get(node) is None:
                visit(node, [])
    finally:
        sys.setrecursionlimit(limit)
    for node in sorted(in_cycle):
        row = dd_rows.get(node)
        if row is not None:
            letter, heading = row.columns["dependency_dependency"]
            p.add(row.sheet, row.row, letter, heading, f"{row.hid} skulle (direkt eller indirekt) bero på sig självt; "
                  "en cirkel av beroenden är inte tillåten.")


def _plan_fd_links(svc, aid, dec: Decoded, db, by_id, p: _Problems, changes, ops, delete_missing, parsed) -> None:
    now = {(lr.left_id, lr.right_id): lr for lr in svc.links("function_dependency", analysis_id=aid)}
    spec = LINKS["function_dependency"]
    labels = {f.name: f.label for f in spec.fields}
    sheet = parsed.sheets.get("Kopplingar")
    seen: set[tuple[int, int]] = set()
    for link in dec.links:
        f, d = db["function"].get(link.function), db["dependency"].get(link.dependency)
        bad = False
        for hid, rec, heading, kind in ((link.function, f, "Verksamhet", "verksamhet"),
                                        (link.dependency, d, "Beroende", "beroende")):
            if rec is None:
                p.add("Kopplingar", link.row, sheet.headers.get(heading, ""), heading,
                      f"{hid} är ingen {kind} i analysen.")
                bad = True
        if bad:
            continue
        key = (f.id, d.id)
        seen.add(key)
        existing = now.get(key)
        label = f"{spec.label} {f.hid}–{d.hid}"
        if existing is None:
            changes.append(PlannedChange("koppla", "function", f.hid, spec.label, None, d.hid, "Kopplingar", link.row))
            attrs = dict(link.attrs)
        else:
            attrs = {k: v for k, v in link.attrs.items() if _differs(existing.attrs.get(k), v)}
            for k, v in attrs.items():
                changes.append(PlannedChange("ändra", "function", f.hid, f"{label}: {labels[k]}",
                                             existing.attrs.get(k), v, "Kopplingar", link.row))
            if not attrs:
                continue
        ops.append(_Op("Kopplingar", link.row, (lambda a, b, at: lambda s, c: s.link("function_dependency", a, b,
                                                                                       **at))(f.id, d.id, attrs), 2))
    if delete_missing and sheet is not None:
        for key, lr in now.items():
            if key not in seen:
                fh, dh = by_id[("function", key[0])].hid, by_id[("dependency", key[1])].hid
                changes.append(PlannedChange("koppla bort", "function", fh, spec.label, dh, None, "Kopplingar", None))
                ops.append(_Op("Kopplingar", None, (lambda a, b: lambda s, c: s.unlink("function_dependency", a, b))(
                    *key), 9))


def _plan_children(svc, aid, dec: Decoded, db, p: _Problems, changes, ops, delete_missing, parsed) -> None:
    plans = db["continuity_plan"]
    existing: dict[tuple[str, str], list[Record]] = {("participant", ""): svc.list("participant", aid)}
    for hid, plan in plans.items():
        existing[("fallback", hid)] = svc.list("fallback", plan.id)
        existing[("contact", hid)] = svc.list("contact", plan.id)
    seen: set[tuple[str, int]] = set()
    for ch in dec.children:
        spec = KINDS[ch.kind]
        if ch.kind != "participant" and ch.owner not in plans:
            sheet = parsed.sheets[ch.sheet]
            p.add(ch.sheet, ch.row, sheet.headers.get("Plan", ""), "Plan", f"{ch.owner} är ingen kontinuitetsplan i "
                  "analysen.")
            continue
        owner_id = aid if ch.kind == "participant" else plans[ch.owner].id
        values = dict(ch.values)
        bad = False
        for f in spec.fields:
            if f.type == "ref" and f.name in values:
                h = values[f.name]
                if not h:
                    values[f.name] = None
                elif h in db[f.ref]:
                    values[f.name] = db[f.ref][h].id
                else:
                    letter, heading = ch.columns[f.name]
                    p.add(ch.sheet, ch.row, letter, heading, f"{h} finns inte i analysen.")
                    values.pop(f.name)
                    bad = True
        rows = existing.get((ch.kind, ch.owner), [])
        target = rows[ch.nr - 1] if ch.nr is not None and 0 < ch.nr <= len(rows) else None
        try:
            current = {f: target.values[f] for f in spec.field_names} if target else None
            clean_values(spec, values, ScaleRanges(), creating=target is None, current=current)
        except ValidationError as exc:
            for err in exc.errors:
                letter, heading = ch.columns.get(err.field, ("", err.label))
                p.add(ch.sheet, ch.row, letter, heading, err.message)
            bad = True
        if bad:
            continue
        name = f"{ch.owner}.{ch.nr}" if ch.owner else str(ch.nr or "")
        if target is None:
            changes.append(PlannedChange("ny", ch.kind, ch.owner, "", None, values.get(spec.title_field, ""),
                                         ch.sheet, ch.row))
            ops.append(_Op(ch.sheet, ch.row, (lambda k, o, v: lambda s, c: s.create(k, o, **v))(ch.kind, owner_id,
                                                                                                   values), 3))
        else:
            seen.add((ch.kind, target.id))
            changed = {k: v for k, v in values.items() if _differs(target.values.get(k), v)}
            for k, v in changed.items():
                changes.append(PlannedChange("ändra", ch.kind, name, spec.field(k).label, target.values.get(k), v,
                                             ch.sheet, ch.row))
            if changed:
                ops.append(_Op(ch.sheet, ch.row, (lambda k, i, v: lambda s, c: s.update(k, i, **v))(
                    ch.kind, target.id, changed), 3))
    if delete_missing:
        for (kind, owner), rows in existing.items():
            sheet_name = {v: k for k, v in _CHILD_SHEETS.items()}[kind]
            if sheet_name not in parsed.sheets:
                continue
            for rec in rows:
                if (kind, rec.id) not in seen:
                    changes.append(PlannedChange("ta bort", kind, owner, "", rec.label, None, sheet_name, None))
                    ops.append(_Op(sheet_name, None, (lambda k, i: lambda s, c: s.delete(k, i))(kind, rec.id), 8))


# -- applying ----------------------------------------------------------------------------------------

def _run_ops(svc: RsaService, plan: ImportPlan, only_valid: bool) -> tuple[int, int]:
    bad = plan.bad_rows if only_valid else set()
    ctx: dict = {}
    done = 0
    for op in sorted(plan.ops, key=lambda o: o.order):
        if op.row is not None and (op.sheet, op.row) in bad:
            continue
        try:
            op.run(svc, ctx)
        except ValidationError as exc:
            where = f"{op.sheet}, rad {op.row}: " if op.row is not None else ""
            raise ImportRefusedError(f"Importen avbröts och ingenting ändrades. {where}{exc}", plan) from None
        done += 1
    applied = len(plan.changes_applied(only_valid))
    return applied, len(bad)


def apply_import(svc: RsaService, analysis_id: int, plan: ImportPlan, only_valid: bool = False, *,
                 backup: bool = True) -> ImportResult:
    """Apply a plan in one transaction (after a backup); undo with `undo_import(svc, result.tombstone)`."""
    if plan.analysis_id != analysis_id:
        raise ImportRefusedError("Planen gäller en annan analys.", plan)
    if plan.blocking:
        raise ImportRefusedError(f"Ingenting lästes in: {plan.blocking[0]}", plan)
    if plan.errors and not only_valid:
        raise ImportRefusedError(f"Ingenting lästes in: arbetsboken har {len(plan.errors)} fel. Rätta dem, eller "
                                 "läs bara in de giltiga raderna.", plan)
    backup_path = None
    if backup:
        from rsa_desktop.storage.backups import make_backup

        backup_path = make_backup(svc.doc, "före-import").path
    tomb = svc.delete_preview("analysis", analysis_id)
    with svc.batch():
        applied, skipped = _run_ops(svc, plan, only_valid)
    return ImportResult(svc.analysis(analysis_id), plan, tomb, backup_path, applied, skipped)


def undo_import(svc: RsaService, tombstone: Tombstone) -> Record:
    """Put the analysis back exactly as it was before the import (one transaction)."""
    with svc.batch():
        svc.delete("analysis", tombstone.id)
        return svc.restore(tombstone)


# -- importing as a new analysis -------------------------------------------------------------------

def scale_template_from(parsed: ParsedWorkbook) -> tuple[dict[str, Any] | None, list[ImportProblem]]:
    """The scales on the sheet Skalor as a template (None, with the reason, when they are unusable)."""
    from rsa_desktop.services.scales import SCALE_FORMAT, load_template

    sheet = parsed.sheets.get("Skalor")
    problems: list[ImportProblem] = []
    if sheet is None or not sheet.rows:
        return None, [ImportProblem("Skalor", None, "", "Skalorna saknas; standardskalorna används.",
                                    severity="varning")]
    t: dict[str, Any] = {"format": SCALE_FORMAT, "likelihood_levels": [], "consequence_levels": [],
                         "consequence_dimensions": [], "colour_bands": [], "capability_levels": [],
                         "time_horizons": []}

    def num(v):
        if isinstance(v, bool) or v is None:
            raise ValueError
        return int(v) if not isinstance(v, float) or v.is_integer() else int("x")

    for r in sheet.rows:
        scale = _cell_text(r.get("Skala")).strip()
        label = _cell_text(r.get("Benämning")).strip()
        desc = _cell_text(r.get("Beskrivning"))
        try:
            if scale == "Sannolikhet":
                t["likelihood_levels"].append({"value": num(r.get("Värde")), "label": label, "description": desc,
                                               "frequency": _cell_text(r.get("Frekvens"))})
            elif scale == "Konsekvens":
                t["consequence_levels"].append({"value": num(r.get("Värde")), "label": label, "description": desc})
            elif scale == "Konsekvensdimension":
                code = _cell_text(r.get("Kod")).strip() or f"dim{len(t['consequence_dimensions']) + 1}"
                t["consequence_dimensions"].append({"code": code, "label": label, "description": desc})
            elif scale == "Färggräns":
                colour = _cell_text(r.get("Färg")).strip()
                if not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour):
                    colour = "#cccccc"
                t["colour_bands"].append({"label": label, "colour": colour,
                                          "min_score": num(r.get("Lägsta riskvärde"))})
            elif scale == "Förmåga":
                t["capability_levels"].append({"value": num(r.get("Värde")), "label": label, "description": desc})
            elif scale == "Tidshorisont":
                t["time_horizons"].append({"minutes": num(r.get("Värde")), "label": label})
            elif scale == "Sammanvägd konsekvens":
                code = _cell_text(r.get("Kod")).strip()
                t["consequence_aggregation"] = code if code in ("max", "mean") else "max"
            elif scale == "Oacceptabel konsekvensnivå":
                t["unacceptable_level"] = num(r.get("Värde"))
        except (ValueError, TypeError):
            problems.append(ImportProblem("Skalor", r.row, "", f"raden för {scale or 'skalan'} kan inte läsas; "
                                          "standardskalorna används.", severity="varning"))
            return None, problems
    required = ("likelihood_levels", "consequence_levels", "consequence_dimensions", "colour_bands", "time_horizons")
    empty = [k for k in required if not t[k]]
    values_ok = all(len({lv["value"] for lv in t[k]}) == len(t[k]) for k in
                    ("likelihood_levels", "consequence_levels", "capability_levels")) \
        and len({d["code"] for d in t["consequence_dimensions"]}) == len(t["consequence_dimensions"]) \
        and len({h["minutes"] for h in t["time_horizons"]}) == len(t["time_horizons"])
    if empty or not values_ok:
        problems.append(ImportProblem("Skalor", None, "", "skalorna är ofullständiga eller har dubbletter; "
                                      "standardskalorna används.", severity="varning"))
        return None, problems
    if t.get("unacceptable_level") not in {lv["value"] for lv in t["consequence_levels"]}:
        t["unacceptable_level"] = load_template().get("unacceptable_level", 4)
        if t["unacceptable_level"] not in {lv["value"] for lv in t["consequence_levels"]}:
            t["unacceptable_level"] = max(lv["value"] for lv in t["consequence_levels"])
    return t, problems


class _DryRun(Exception):
    pass


def import_as_new(svc: RsaService, parsed: ParsedWorkbook, year: int | None = None, *, only_valid: bool = False,
                  dry_run: bool = False) -> ImportResult:
    """Create a new analysis (`year`, default the workbook's) from the workbook, keeping its IDs.

    The file's organisation is set from the workbook if the file has none. The new analysis is an
    utkast whatever the workbook's status. With errors, nothing is created unless `only_valid`
    (ImportRefusedError carries the plan); `dry_run` builds everything and rolls it back, for a preview.
    """
    from rsa_desktop.model import entities as e

    year = year if year is not None else parsed.year
    if year is None:
        raise ImportRefusedError("Arbetsboken anger inget analysår; ange vilket år analysen gäller.")
    if svc.analysis_for_year(year) is not None:
        raise ImportRefusedError(f"Det finns redan en analys för {year} i filen.")
    template, scale_problems = scale_template_from(parsed)
    result: dict[str, Any] = {}
    try:
        with svc.batch():
            if svc.organisation() is None:
                org_ctx = _Ctx(ScaleRanges(), {}, {}, lambda k, h: None)
                org_values, _a = _decode_summary(parsed, org_ctx, _Problems([]))
                org_values = {k: v for k, v in org_values.items() if v not in (None, "")}
                org_values.setdefault("name", parsed.organisation or "Okänd organisation")
                org_values.setdefault("org_type", "annan")
                svc.set_organisation(**org_values)
            new = svc.create_analysis(year, template=template)
            aid = new.id
            # Items with the workbook's IDs first (title only), so that every reference resolves.
            skeleton: dict[tuple[str, int], tuple[str, int]] = {}
            with svc.transaction() as s:
                counters: dict[str, int] = {}
                order = 0
                for sheet_name, (_t, sheet_kind) in ITEM_SHEETS.items():
                    sheet = parsed.sheets.get(sheet_name)
                    if sheet is None:
                        continue
                    used: set[str] = set()
                    for r in sheet.rows:
                        hid = _cell_text(r.get("ID")).strip().upper()
                        m = _HID.match(hid)
                        kind = _PREFIX_KIND.get(m.group(1)) if m else None
                        if kind is None or hid in used or (sheet_kind and kind != sheet_kind) \
                                or (not sheet_kind and kind not in ("vulnerability", "capability")):
                            continue
                        used.add(hid)
                        order += 1
                        row = KINDS[kind].table(analysis_id=aid, hid=hid, sort_order=order)
                        s.add(row)
                        s.flush()
                        skeleton[(sheet_name, r.row)] = (kind, row.id)
                        prefix = m.group(1)
                        counters[prefix] = max(counters.get(prefix, 1), int(m.group(2)) + 1)
                for prefix, nxt in counters.items():
                    s.merge(e.IdCounter(analysis_id=aid, prefix=prefix, next_number=nxt))
                s.flush()
            plan = plan_import(svc, aid, parsed)
            plan.problems[:0] = scale_problems
            plan.problems = [pr for pr in plan.problems if "År" != pr.heading or pr.severity != "varning"]
            # New analysis: the workbook's analysis texts and scale-related values, all of them.
            dec_analysis = _decode_summary(parsed, _analysis_ctx(svc, aid, lambda k, h: None), _Problems([]))[1]
            extra = {k: v for k, v in dec_analysis.items()
                     if k not in ("year", "status", "adopted_date", "adopted_decision", "consequence_aggregation",
                                  "unacceptable_level") and k not in ANALYSIS_TEXT_FIELDS and v not in (None, "")}
            if extra:
                plan.ops.append(_Op("Sammanfattning", None, lambda s, c: s.update("analysis", aid, **extra), 0))
            if plan.blocking or (plan.errors and not only_valid):
                result["plan"] = plan
                raise _DryRun()
            applied, skipped = _run_ops(svc, plan, only_valid)
            if only_valid:
                for key in plan.bad_rows:
                    if key in skeleton:
                        kind, item_id = skeleton[key]
                        svc.delete(kind, item_id)
            result.update(plan=plan, applied=applied, skipped=skipped, aid=aid)
            if dry_run:
                result["analysis"] = svc.analysis(aid)
                raise _DryRun()
    except _DryRun:
        plan = result["plan"]
        if "analysis" in result:
            return ImportResult(result["analysis"], plan, None, None, result["applied"], result["skipped"])
        raise ImportRefusedError(f"Ingenting lästes in: arbetsboken har {len(plan.errors)} fel.", plan) from None
    return ImportResult(svc.analysis(result["aid"]), result["plan"], None, None, result["applied"],
                        result["skipped"])


__all__ = ["read_workbook", "check_archive", "plan_import", "apply_import", "undo_import", "import_as_new",
           "scale_template_from", "ParsedWorkbook", "SheetData", "RowData", "ImportPlan", "ImportProblem",
           "PlannedChange", "ImportResult", "WorkbookError", "ImportRefusedError", "FORMAT_NAME"]
