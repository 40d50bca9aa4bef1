"""The Excel submission: read it back and compare every value with the database."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")

from rsa_desktop.domain.durations import format_duration  # noqa: E402
from rsa_desktop.domain.kinds import ITEM_KINDS, KINDS  # noqa: E402
from rsa_desktop.reports.xlsx import (  # noqa: E402
    FORMAT_NAME,
    FORMAT_VERSION,
    HEADER_ROW,
    LONG_TEXT_SHEET,
    SHEETS,
    export_xlsx,
)
from rsa_desktop.services.rsa import RsaService  # noqa: E402
from rsa_desktop.storage.database import Document  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TABLE_SHEETS = {"Sammanfattning": "Sammanfattning", "Arbetsgrupp": "Arbetsgrupp", "Verksamheter": "Verksamheter",
                "Beroenden": "Beroenden", "Kopplingar": "Kopplingar", "Risker": "Risker",
                "Sårbarheter och förmåga": "SarbarheterFormaga", "Åtgärder": "Atgarder",
                "Kontinuitetsplaner": "Kontinuitetsplaner", "Reservrutiner": "Reservrutiner",
                "Kontakter": "Kontakter", "Övningar": "Ovningar", "Kontinuitetsgap": "Kontinuitetsgap",
                "Skalor": "Skalor", LONG_TEXT_SHEET: "LangaTexter"}
SHEET_OF_KIND = {"function": "Verksamheter", "dependency": "Beroenden", "risk": "Risker", "action": "Åtgärder",
                 "continuity_plan": "Kontinuitetsplaner", "exercise": "Övningar"}


def read_table(ws, name: str) -> tuple[list[str], list[dict]]:
    table = ws.tables[name]
    rows = list(ws[table.ref])
    header = [c.value for c in rows[0]]
    out = []
    for r in rows[1:]:
        values = [c.value for c in r]
        if any(v not in (None, "") for v in values):
            out.append(dict(zip(header, values)))
    return header, out


def expected(field, value, svc_hid):
    """What a field's value must look like in the workbook (documented in docs/excel-format.md)."""
    if field.type in ("text", "catalog", "longtext"):
        return value or None
    if field.type == "bool":
        return "Ja" if value else "Nej"
    if field.type == "optbool":
        return {True: "Ja", False: "Nej", None: "Okänt"}[value]
    if field.type == "enum":
        return field.choice_label(value) if value else None
    if field.type == "ref":
        return svc_hid(field.ref, value) if value else None
    return value


def assert_field(row: dict, field, value, svc_hid, where: str) -> None:
    if field.type == "duration":
        assert row[field.label] == (format_duration(value) or None), where
        assert row[f"{field.label} (minuter)"] == value, where
    elif field.type == "date":
        got = row[field.label]
        assert (got.date() if isinstance(got, dt.datetime) else got) == value, where
    else:
        assert row[field.label] == expected(field, value, svc_hid), f"{where}: {field.name}"


@pytest.fixture(scope="module")
def demo(demo_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx") / "demo.xlsx"
    doc = Document.open(demo_file, readonly=True)
    svc = RsaService(doc)
    analysis = svc.analyses()[0]
    export_xlsx(svc, analysis.id, out)
    wb = openpyxl.load_workbook(out)
    yield svc, analysis, wb, out
    doc.close()


def test_sheets_tables_and_layout(demo):
    svc, analysis, wb, _ = demo
    assert [s for s in wb.sheetnames if s != "Listor"] == list(SHEETS)
    assert wb["Listor"].sheet_state == "hidden"
    marking = analysis.secrecy_marking
    for sheet in SHEETS:
        ws = wb[sheet]
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0, sheet
        if sheet in TABLE_SHEETS:  # print scaling chosen from the sheet's width (see test_print_scaling)
            assert (ws.page_setup.fitToWidth or 1) >= 1, sheet
        else:
            assert ws.page_setup.orientation == "landscape" and (ws.page_setup.fitToWidth or 1) == 1, sheet
        assert ws.cell(2, 1).value == " ".join(marking.split()), sheet  # the marking, on screen
        assert "sekretess" in ws.oddHeader.center.text.lower() and "sekretess" in ws.oddFooter.center.text.lower()
        assert ws.oddFooter.right.text == "Sida &P av &N"
        if sheet in TABLE_SHEETS:
            assert TABLE_SHEETS[sheet] in ws.tables, sheet
            assert ws.tables[TABLE_SHEETS[sheet]].ref.startswith(f"A{HEADER_ROW}:"), sheet
            assert ws.freeze_panes in (f"A{HEADER_ROW + 1}", f"B{HEADER_ROW + 1}"), sheet
            assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}", sheet
            header, _ = read_table(ws, TABLE_SHEETS[sheet])
            assert len(set(header)) == len(header), sheet
            for col in range(1, len(header) + 1):
                assert ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width >= 6


def test_every_item_value_matches_the_database(demo):
    svc, analysis, wb, _ = demo

    def hid(kind, item_id):
        return svc.get(kind, item_id).hid

    for kind, sheet in SHEET_OF_KIND.items():
        _, rows = read_table(wb[sheet], wb[sheet].tables.items()[0][0])
        by_id = {r["ID"]: r for r in rows}
        records = svc.list(kind, analysis.id)
        assert len(rows) == len(records), kind
        for rec in records:
            row = by_id[rec.hid]
            for field in KINDS[kind].fields:
                assert_field(row, field, rec.values[field.name], hid, f"{sheet} {rec.hid}")
    # sårbarheter and förmåga share one table
    _, rows = read_table(wb["Sårbarheter och förmåga"], "SarbarheterFormaga")
    by_id = {r["ID"]: r for r in rows}
    scales = svc.scales(analysis.id)
    for v in svc.list("vulnerability", analysis.id):
        row = by_id[v.hid]
        assert row["Rubrik"] == v.title and row["Beskrivning"] == (v.description or None)
        assert row["Typ"] == KINDS["vulnerability"].field("vuln_type").choice_label(v.vuln_type)
        assert row["Sekretess"] == ("Ja" if v.secret else "Nej")
    for c in svc.list("capability", analysis.id):
        row = by_id[c.hid]
        assert (row["Typ"], row["Rubrik"], row["Beskrivning"], row["Bedömning"]) == (
            "Förmåga", c.area, c.motivation or None, c.rating)
        assert row["Bedömning (benämning)"] == (scales.capability_label(c.rating) or None)


def test_ratings_links_and_children_match(demo):
    svc, analysis, wb, _ = demo
    scales = svc.scales(analysis.id)
    aid = analysis.id
    _, risks = read_table(wb["Risker"], "Risker")
    by_id = {r["ID"]: r for r in risks}
    cons = svc.all_consequences(aid)
    for r in svc.list("risk", aid):
        row = by_id[r.hid]
        for d in scales.dimensions:
            assert row[f"Konsekvens – {d.label}"] == cons.get(r.id, {}).get(d.id)
        overall = scales.overall(cons.get(r.id, {}))
        assert row["Sammanvägd konsekvens"] == overall
        assert row["Riskvärde"] == (r.likelihood * overall if r.likelihood and overall else None)
        linked = sorted(svc.get("function", lr.right_id).hid for lr in svc.links("risk_function", left_id=r.id))
        assert sorted(filter(None, (row["Verksamheter"] or "").split(", "))) == linked
    _, functions = read_table(wb["Verksamheter"], "Verksamheter")
    impacts = svc.all_impacts(aid)
    for f, row in zip(svc.list("function", aid), functions):
        assert row["ID"] == f.hid
        for h in scales.horizons:
            assert row[f"Konsekvens efter {h.label}"] == impacts.get(f.id, {}).get(h.id)
    _, links = read_table(wb["Kopplingar"], "Kopplingar")
    db_links = {(svc.get("function", lr.left_id).hid, svc.get("dependency", lr.right_id).hid): lr
                for lr in svc.links("function_dependency", analysis_id=aid)}
    assert len(links) == len(db_links)
    for row in links:
        lr = db_links[(row["Verksamhet"], row["Beroende"])]
        assert row["Tolerans (minuter)"] == lr.attrs["tolerance"]
        assert row["Tolerans"] == (format_duration(lr.attrs["tolerance"]) or None)
        assert row["Kommentar"] == (lr.attrs["note"] or None)
    _, fallbacks = read_table(wb["Reservrutiner"], "Reservrutiner")
    _, contacts = read_table(wb["Kontakter"], "Kontakter")
    expected_fb = [(p.hid, fb) for p in svc.list("continuity_plan", aid) for fb in svc.list("fallback", p.id)]
    expected_ct = [(p.hid, c) for p in svc.list("continuity_plan", aid) for c in svc.list("contact", p.id)]
    assert len(fallbacks) == len(expected_fb) and len(contacts) == len(expected_ct)
    for row, (plan_hid, fb) in zip(fallbacks, expected_fb):
        assert row["Plan"] == plan_hid
        for field in KINDS["fallback"].fields:
            assert_field(row, field, fb.values[field.name], lambda k, i: svc.get(k, i).hid, "reservrutin")
    for row, (plan_hid, c) in zip(contacts, expected_ct):
        assert row["Plan"] == plan_hid
        for field in KINDS["contact"].fields:
            assert_field(row, field, c.values[field.name], None, "kontakt")
    _, people = read_table(wb["Arbetsgrupp"], "Arbetsgrupp")
    assert [(p["Namn"], p["Roll"], p["Enhet"]) for p in people] == [
        (p.name, p.role or None, p.unit or None) for p in svc.list("participant", aid)]


def test_summary_and_scales(demo):
    svc, analysis, wb, _ = demo
    _, rows = read_table(wb["Sammanfattning"], "Sammanfattning")
    kv = {r["Nyckel"]: r["Värde"] for r in rows}
    assert kv["format"] == FORMAT_NAME and kv["format_version"] == FORMAT_VERSION
    assert kv["extract"] == "Fullständig analys"
    org = svc.organisation()
    for f in KINDS["organisation"].fields:
        assert kv[f"organisation.{f.name}"] == expected(f, org.values[f.name], None)
    for f in KINDS["analysis"].fields:
        value = analysis.values[f.name]
        if f.type == "date":
            assert (kv[f"analysis.{f.name}"] or None) == value
        else:
            assert kv[f"analysis.{f.name}"] == expected(f, value, None), f.name
    counts = svc.counts(analysis.id)
    for kind in ITEM_KINDS:
        assert kv[f"count.{kind}"] == counts[kind]
    _, scale_rows = read_table(wb["Skalor"], "Skalor")
    scales = svc.scales(analysis.id)
    likelihood = [(r["Värde"], r["Benämning"]) for r in scale_rows if r["Skala"] == "Sannolikhet"]
    assert likelihood == [(lv.value, lv.label) for lv in scales.likelihood]
    bands = [(r["Benämning"], r["Färg"], r["Lägsta riskvärde"]) for r in scale_rows if r["Skala"] == "Färggräns"]
    assert bands == [(b.label, b.colour, b.min_score) for b in scales.bands]


def test_matrix_sheet_places_every_risk(demo):
    svc, analysis, wb, _ = demo
    from rsa_desktop.services.matrix import matrix_data

    text = " ".join(str(c.value) for row in wb["Riskmatris"].iter_rows() for c in row if c.value is not None)
    m = matrix_data(svc, analysis.id)
    for cell in m.cells:
        if cell.hids:
            assert ", ".join(cell.hids) in text
    for p in m.points:
        assert re.search(rf"\b{p.hid}\b", text)


def test_validation_lists_and_defined_names(demo):
    _, _, wb, _ = demo
    names = set(wb.defined_names.keys())
    ws = wb["Åtgärder"]
    header, _ = read_table(ws, "Atgarder")
    formulas = {dv.formula1.lstrip("="): dv for dv in ws.data_validations.dataValidation}
    assert "Lista_action_status" in formulas and "Lista_action_priority" in formulas
    for name, dv in formulas.items():
        assert name in names and dv.showErrorMessage and dv.type == "list"
    status_col = openpyxl.utils.get_column_letter(header.index("Status") + 1)
    assert str(formulas["Lista_action_status"].sqref).startswith(f"{status_col}{HEADER_ROW + 1}:")
    ref = wb.defined_names["Lista_action_status"].attr_text.split("!")[1].replace("$", "")
    flat = [cell.value for row in wb["Listor"][ref] for cell in row]
    assert flat == [label for _c, label in KINDS["action"].field("status").choices]


def test_documented_columns(demo):
    _, _, wb, _ = demo
    doc = (ROOT / "docs" / "excel-format.md").read_text(encoding="utf-8")
    for sheet, table in TABLE_SHEETS.items():
        assert f"`{table}`" in doc, table
        header, _ = read_table(wb[sheet], table)
        for h in header:
            if h.startswith(("Konsekvens – ", "Konsekvens efter ")):
                continue  # one column per dimension / time horizon of the analysis' scales; documented as a pattern
            assert f"| {h} |" in doc, f"{sheet}: {h}"


# -- hostile text ------------------------------------------------------------------------

CTRL_TITLE = "Kontroll\x01tecken\x07 och \x1b\x7f"


def write_raw(svc, table: str, item_id: int, **values) -> None:
    """Store values as another tool might have, past the service's input cleaning."""
    with svc.doc.engine.begin() as conn:
        for column, value in values.items():
            conn.exec_driver_sql(f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, item_id))


HOSTILE = ["=1+2", "+46 8 508 000 00", "-5 grader", "@SUM(A1)", "=HYPERLINK(\"http://x\",\"klicka\")"]


@pytest.fixture
def hostile(svc, analysis, tmp_path):
    aid = analysis.id
    long_desc = ("Lång beskrivning med å ä ö. " * 800)[:20_000] + "SLUTMARKÖR"
    huge = "".join(f"{i:06d} " for i in range(6000)) + "SISTA"  # 42 000 characters
    made = {}
    for i, text in enumerate(HOSTILE):
        made[text] = svc.create("risk", aid, title=text, description=f"Beskrivning {i}").hid
    ctrl = svc.create("risk", aid, title="placeholder")
    made["ctrl"] = ctrl.hid
    write_raw(svc, "risk", ctrl.id, title=CTRL_TITLE, description="rad1\r\nrad2")
    made["tags"] = svc.create("risk", aid, title="<b>Fet</b> & <i>kursiv</i> R&D", description=long_desc).hid
    made["huge"] = svc.create("function", aid, name="Stor text", description=huge).hid
    out = tmp_path / "hostile.xlsx"
    export_xlsx(svc, aid, out)
    return out, made, long_desc, huge


def test_formula_like_text_stays_text(hostile):
    out, made, _, _ = hostile
    wb = openpyxl.load_workbook(out)
    ws = wb["Risker"]
    _, rows = read_table(ws, "Risker")
    titles = {r["ID"]: r["Rubrik"] for r in rows}
    for text in HOSTILE:
        assert titles[made[text]] == text
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        for c in row:
            assert c.data_type != "f", f"{c.coordinate} became a formula: {c.value!r}"
    # the raw XML holds no formula at all
    import zipfile

    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in z.read(name).decode("utf-8"), name


def test_control_characters_and_markup(hostile):
    out, made, long_desc, _ = hostile
    wb = openpyxl.load_workbook(out)
    _, rows = read_table(wb["Risker"], "Risker")
    by_id = {r["ID"]: r for r in rows}
    assert by_id[made["ctrl"]]["Rubrik"] == "Kontroll\u2401tecken\u2407 och \u241b\u2421"
    assert by_id[made["ctrl"]]["Beskrivning"] == "rad1\nrad2"
    assert by_id[made["tags"]]["Rubrik"] == "<b>Fet</b> & <i>kursiv</i> R&D"
    assert by_id[made["tags"]]["Beskrivning"] == long_desc  # 20 000 characters, whole


def test_text_longer_than_a_cell_is_kept_whole(hostile):
    out, made, _, huge = hostile
    wb = openpyxl.load_workbook(out)
    _, rows = read_table(wb["Verksamheter"], "Verksamheter")
    cell = next(r for r in rows if r["ID"] == made["huge"])["Beskrivning"]
    assert len(cell) <= 32_767 and LONG_TEXT_SHEET in cell
    _, parts = read_table(wb[LONG_TEXT_SHEET], "LangaTexter")
    mine = sorted((p for p in parts if p["ID"] == made["huge"]), key=lambda p: p["Del"])
    assert {p["Blad"] for p in mine} == {"Verksamheter"} and {p["Kolumn"] for p in mine} == {"Beskrivning"}
    assert "".join(p["Text"] for p in mine) == huge
    assert huge.startswith(cell.split("\n[…")[0])


def test_empty_analysis(svc, analysis, tmp_path):
    out = tmp_path / "tom.xlsx"
    export_xlsx(svc, analysis.id, out)
    wb = openpyxl.load_workbook(out)
    for sheet, table in TABLE_SHEETS.items():
        _, rows = read_table(wb[sheet], table)
        if sheet not in ("Sammanfattning", "Skalor"):
            assert rows == [], sheet
        assert wb[sheet].cell(2, 1).value is None  # no marking decided: nothing stamped
        assert not (wb[sheet].oddHeader.center.text or "")


def test_security_class_marking(svc, analysis, tmp_path):
    svc.update("analysis", analysis.id, security_class="konfidentiell", secrecy_marking="Sekretess & R&D")
    out = tmp_path / "k.xlsx"
    export_xlsx(svc, analysis.id, out)
    wb = openpyxl.load_workbook(out)
    ws = wb["Risker"]
    assert ws.cell(2, 1).value == "Säkerhetsskyddsklass: Konfidentiell – Sekretess & R&D"
    # Wrapped onto lines that fit the header's centre section, with Excel's "&" escaped.
    assert ws.oddHeader.center.text == "Säkerhetsskyddsklass: Konfidentiell –\nSekretess && R&&D"


def _words(text: str) -> list[str]:
    return text.replace("\n", " ").replace("&&", "&").replace("(forts. i sidfoten)", " ").replace("(forts.)", " ").split()


def test_long_marking_is_never_cut(svc, analysis, tmp_path):
    """Issue 17: the print header and footer cut the marking ("…dnr ÖFN …"); the hidden Listor had none."""
    from rsa_desktop.reports.xlsx import HEADER_LINE

    marking = ("Uppgifterna omfattas av sekretess enligt 18 kap. 13 § och 15 kap. 2 § offentlighets- och "
               "sekretesslagen (2009:400), beslut av förvaltningschefen 2026-03-01, dnr ÖFN 2026/0417-1.2")
    svc.update("analysis", analysis.id, security_class="konfidentiell", secrecy_marking=marking)
    out = tmp_path / "lang.xlsx"
    export_xlsx(svc, analysis.id, out)
    wb = openpyxl.load_workbook(out)
    full = "Säkerhetsskyddsklass: Konfidentiell – " + marking
    for ws in wb.worksheets:  # the hidden Listor too
        head, foot = ws.oddHeader.center.text or "", ws.oddFooter.center.text or ""
        assert "…" not in head + foot, ws.title
        # Header and footer together carry every word of the marking, in order, on lines that fit.
        both = _words(head) + _words(foot)
        if both != full.split():
            assert _words(head) == full.split() and _words(foot) == full.split(), ws.title
        assert "ÖFN 2026/0417-1.2" in head.replace("\n", " ") + foot.replace("\n", " "), ws.title
        assert all(len(line) <= HEADER_LINE + 2 for line in (head + "\n" + foot).split("\n")), ws.title
        assert ws.cell(2, 1).value == full, ws.title
        for part in (ws.oddHeader, ws.oddFooter):  # Excel's limit for a whole header or footer
            assert len(str(part).replace("_x000a_", "\n")) <= 255, ws.title
    assert wb["Listor"].sheet_state == "hidden"


def test_print_scaling_per_sheet(demo):
    """Issue 17: wide sheets printed fit to width were unreadable; the scaling is chosen per sheet."""
    from rsa_desktop.reports.xlsx import LANDSCAPE_CHARS, PORTRAIT_CHARS, READABLE_SCALE

    _, _, wb, _ = demo
    seen = set()
    for sheet, table in TABLE_SHEETS.items():
        ws = wb[sheet]
        header, _ = read_table(ws, table)
        total = sum(ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in range(1, len(header) + 1))
        ps = ws.page_setup
        fit_w = ps.fitToWidth or 1  # 1 is the default, which a writer may leave out
        total -= 0.72 * len(header)  # the writer stores a column's width with Excel's cell padding
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ps.fitToHeight == 0, sheet
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}", sheet
        if total <= PORTRAIT_CHARS:
            assert ps.orientation == "portrait" and fit_w == 1, sheet
            seen.add("portrait")
        else:
            assert ps.orientation == "landscape", sheet
            # Never smaller than the readable scale: each page across holds at most this much.
            assert total / fit_w <= LANDSCAPE_CHARS / READABLE_SCALE, sheet
            seen.add("landscape" if fit_w == 1 else "across")
            if fit_w > 1 and header[0] == "ID":
                assert ws.print_title_cols == "$A:$A", sheet
    assert {"landscape", "across"} <= seen, seen


def test_data_sheets_stack_by_organisation_and_year(demo):
    """Issue 17: KS stacks submissions for a pivot: every data sheet has Organisation and År on every row."""
    from rsa_desktop.domain.excel_format import STACK_ORGANISATION, STACK_YEAR, STACKED_SHEETS

    svc, analysis, wb, _ = demo
    org = svc.organisation().name
    for sheet in STACKED_SHEETS:
        header, rows = read_table(wb[sheet], TABLE_SHEETS[sheet])
        assert header[-2:] == [STACK_ORGANISATION, STACK_YEAR], sheet
        assert rows, sheet
        for row in rows:
            assert (row[STACK_ORGANISATION], row[STACK_YEAR]) == (org, analysis.year), sheet


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice saknas")
def test_libreoffice_opens_the_workbook(hostile, tmp_path):
    out, *_ = hostile
    result = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                             "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "hostile.pdf").stat().st_size > 1000
    assert "error" not in result.stderr.lower()


def test_one_format_definition_for_writer_and_reader():
    """Issue 14: sheet names, tables, fixed headings and link columns are defined once
    (domain/excel_format.py); the consolidation uses the reader's public functions only."""
    import ast

    from rsa_desktop.domain import excel_format as fmt
    from rsa_desktop.services import xlsx_import

    assert xlsx_import.ITEM_SHEETS is fmt.ITEM_SHEETS and xlsx_import.LINK_COLUMNS is fmt.LINK_COLUMNS
    assert xlsx_import.TABLES is fmt.TABLES and SHEETS is fmt.SHEETS
    fixed = {*fmt.SHEETS, fmt.LIST_SHEET, *fmt.TABLE_OF_SHEET.values(), *(h for cols in fmt.LINK_COLUMNS.values()
                                                                         for h in cols)}
    fixed -= {"Risker", "Beroenden", "Verksamheter", "Åtgärder", "Sårbarheter"}  # also kind labels and fields
    for rel in ("rsa_desktop/reports/xlsx.py", "rsa_desktop/services/xlsx_read.py",
                "rsa_desktop/services/xlsx_decode.py", "rsa_desktop/services/xlsx_plan.py",
                "rsa_desktop/services/xlsx_import.py"):
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        literals = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        assert not literals & fixed, (rel, literals & fixed)
    source = (ROOT / "rsa_desktop" / "services" / "consolidate.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and "xlsx_" in node.module:
            assert all(not a.name.startswith("_") for a in node.names), ast.dump(node)
    assert "xi._" not in source
