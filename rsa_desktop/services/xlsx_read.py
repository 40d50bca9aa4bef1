"""Reading an Excel submission's cells, after defending against hostile files (Qt-free).

`read_workbook(path)` defends against hostile files *before* openpyxl parses anything (zip bombs,
external links, macros, DTD/entity declarations, huge content), refuses a workbook that is not ours,
and reads the cells of every known sheet (openpyxl read-only; XML through defusedxml). The format
(sheet and table names, the layout, the long-text sheet) is `rsa_desktop.domain.excel_format`'s.
Part of the import: see `services/xlsx_import.py`.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rsa_desktop.domain import excel_format as fmt
from rsa_desktop.domain.excel_format import (
    FORMAT_NAME,
    HEADER_ROW,
    LONG_TEXT_SHEET,
    SUMMARY_SHEET,
    SUPPORTED_VERSION,
    TABLES,
)
from rsa_desktop.storage.errors import DocumentError

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


# -- errors and results --------------------------------------------------------------------------

class WorkbookError(DocumentError):
    """The workbook cannot be read at all; `str()` is one Swedish sentence. `kind` says why."""

    def __init__(self, message: str, path: object = None, kind: str = "unknown"):
        super().__init__(message, path)
        self.kind = kind


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




# -- reading ---------------------------------------------------------------------------------------


@dataclass
class SheetData:
    name: str
    header_row: int
    headers: dict[str, str]  # heading → column letter
    rows: list[RowData]

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
        return str(self.summary.get("extract") or "").strip().lower() == fmt.EXTRACT_PUBLIC.lower()

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
    # zipfile raises NotImplementedError for a compression method it lacks and RuntimeError for an encrypted
    # member: both mean a workbook we cannot read (not an unfinished part of ours).
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
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

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
        if SUMMARY_SHEET not in wb.sheetnames:
            raise _refuse(path, "Arbetsboken är ingen RSA-export från RSA Desktop (bladet Sammanfattning saknas)",
                          "foreign")
        for name, table in TABLES.items():
            if name not in wb.sheetnames:
                continue
            ws = wb[name]
            start = _ref_start(refs[table]) if table in refs else None
            header_row, first_col = start or (HEADER_ROW, 1)
            sheets[name] = _read_sheet(ws, name, header_row, first_col, problems, get_column_letter)
    except WorkbookError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _refuse(path, f"Arbetsboken kunde inte läsas ({type(exc).__name__})", "corrupt") from None
    finally:
        wb.close()

    summary_sheet = sheets.get(SUMMARY_SHEET)
    summary, summary_rows = {}, {}
    if summary_sheet is not None and summary_sheet.has(fmt.SUMMARY_KEY) and summary_sheet.has(fmt.SUMMARY_VALUE):
        for r in summary_sheet.rows:
            key = r.get(fmt.SUMMARY_KEY)
            if isinstance(key, str) and key.strip():
                summary[key.strip()] = r.get(fmt.SUMMARY_VALUE)
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
    for name in fmt.EXPECTED_SHEETS:
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
            key = (str(r.get(fmt.LONG_SHEET_COLUMN) or ""), str(r.get(fmt.LONG_ID_COLUMN) or ""),
                   str(r.get(fmt.LONG_HEADING_COLUMN) or ""))
            parts.setdefault(key, []).append((int(r.get(fmt.LONG_PART_COLUMN)), str(r.get(fmt.LONG_TEXT_COLUMN) or "")))
        except (TypeError, ValueError):
            continue
    if not parts:
        return
    for sheet in sheets.values():
        if sheet.name == LONG_TEXT_SHEET:
            continue
        for r in sheet.rows:
            for heading, value in list(r.values.items()):
                if not (isinstance(value, str) and fmt.LONG_NOTE.search(value)):
                    continue
                rid = fmt.row_key(sheet.name, r.values)
                found = parts.get((sheet.name, rid, heading))
                if found:
                    text = "".join(t for _n, t in sorted(found))
                    if text.startswith(fmt.LONG_NOTE.sub("", value)):
                        r.values[heading] = text
