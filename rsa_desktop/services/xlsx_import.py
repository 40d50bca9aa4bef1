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

The module is split along these seams: `xlsx_read` (defences, cells), `xlsx_decode` (cells → validated
field values), `xlsx_plan` (the diff preview) and this one (applying, undoing, importing as new). Every
public name stays importable from here. The format itself is `rsa_desktop.domain.excel_format`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rsa_desktop.domain import excel_format as fmt
from rsa_desktop.domain.excel_format import (  # noqa: F401 - public names of the import
    FORMAT_NAME,
    ID,
    ITEM_SHEETS,
    LINK_COLUMNS,
    SHEET_OF_KIND,
    SUPPORTED_VERSION,
    TABLES,
)
from rsa_desktop.domain.items import Item
from rsa_desktop.model.kinds import KIND_TABLES
from rsa_desktop.services.errors import ValidationError
from rsa_desktop.services.records import Tombstone
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.services.xlsx_decode import (  # noqa: F401 - public names of the import
    HID_PATTERN,
    PREFIX_KIND,
    DecodeContext,
    Decoded,
    cell_text,
    decode_context,
    decode_summary,
    decode_workbook,
    scale_template_from,
)
from rsa_desktop.services.xlsx_plan import (  # noqa: F401 - public names of the import
    ANALYSIS_TEXT_FIELDS,
    ImportPlan,
    ImportRefusedError,
    Op,
    PlannedChange,
    plan_import,
)
from rsa_desktop.services.xlsx_read import (  # noqa: F401 - public names of the import
    ImportProblem,
    ParsedWorkbook,
    RowData,
    SheetData,
    WorkbookError,
    check_archive,
    read_workbook,
)


@dataclass(frozen=True)
class ImportResult:
    analysis: Item
    plan: ImportPlan
    tombstone: Tombstone | None  # the analysis as it was just before (None for a new analysis)
    backup: Path | None
    applied: int  # number of changes applied
    skipped_rows: int




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


def undo_import(svc: RsaService, tombstone: Tombstone) -> Item:
    """Put the analysis back exactly as it was before the import (one transaction)."""
    with svc.batch():
        svc.delete("analysis", tombstone.id)
        return svc.restore(tombstone)



# -- importing as a new analysis -------------------------------------------------------------------


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
                org_values, _a = decode_summary(parsed)
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
                        hid = cell_text(r.get(ID)).strip().upper()
                        m = HID_PATTERN.match(hid)
                        kind = PREFIX_KIND.get(m.group(1)) if m else None
                        if kind is None or hid in used or (sheet_kind and kind != sheet_kind) \
                                or (not sheet_kind and kind not in ("vulnerability", "capability")):
                            continue
                        used.add(hid)
                        order += 1
                        row = KIND_TABLES[kind](analysis_id=aid, hid=hid, sort_order=order)
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
            dec_analysis = decode_summary(parsed, decode_context(svc.scales(aid)))[1]
            extra = {k: v for k, v in dec_analysis.items()
                     if k not in ("year", "status", "adopted_date", "adopted_decision", "consequence_aggregation",
                                  "unacceptable_level") and k not in ANALYSIS_TEXT_FIELDS and v not in (None, "")}
            if extra:
                plan.ops.append(Op(fmt.SUMMARY_SHEET, None, lambda s, c: s.update("analysis", aid, **extra), 0))
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
