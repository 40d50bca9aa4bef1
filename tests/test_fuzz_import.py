"""Fuzzing the Excel import: whatever the cells or bytes hold, reading and planning give problems with
Swedish messages or a WorkbookError – never a crash – and a valid plan applies and is then idempotent."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("openpyxl")

from rsa_desktop.reports.xlsx import export_xlsx  # noqa: E402
from rsa_desktop.services.rsa import RsaService  # noqa: E402
from rsa_desktop.services.xlsx_import import (  # noqa: E402
    ITEM_SHEETS,
    WorkbookError,
    apply_import,
    plan_import,
    read_workbook,
)
from rsa_desktop.storage.database import Document  # noqa: E402

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

_STATE: dict = {}

VALUES = st.one_of(
    st.none(), st.text(max_size=40), st.integers(-10, 10), st.integers(-10**15, 10**15),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.dates(min_value=dt.date(1, 1, 1)), st.datetimes(),
    st.sampled_from(["V1", "B2", "R1, V1", "B1, B2, B3", "Ja", "Nej", "Okänt", "Pågående", "Extern regi", "3 dygn",
                     "1 h 30 min", "=SUM(A1:A3)", "-1", "2026-02-30", " ", "K1", "Förmåga", "Å1"]),
)
SHEETS = sorted(ITEM_SHEETS) + ["Kopplingar", "Reservrutiner", "Kontakter", "Arbetsgrupp", "Sammanfattning"]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, demo_file):
    folder = tmp_path_factory.mktemp("fuzzimport")
    with Document.open(demo_file, readonly=True) as doc:
        svc = RsaService(doc)
        export_xlsx(svc, svc.analyses()[-1].id, folder / "demo.xlsx", today=dt.date(2026, 11, 1))
    _STATE["demo"] = demo_file
    _STATE["xlsx"] = (folder / "demo.xlsx").read_bytes()
    _STATE["parsed"] = read_workbook(folder / "demo.xlsx")


@SETTINGS
@given(edits=st.lists(st.tuples(st.sampled_from(SHEETS), st.integers(0, 10_000), st.integers(0, 10_000), VALUES,
                                st.booleans()), min_size=1, max_size=6))
@pytest.mark.usefixtures("prepared")
def test_edited_cells_never_crash_the_import(tmp_path, edits):
    parsed = copy.deepcopy(_STATE["parsed"])
    for sheet_name, r, c, value, formula in edits:
        sheet = parsed.sheets.get(sheet_name)
        if sheet is None or not sheet.rows:
            continue
        row = sheet.rows[r % len(sheet.rows)]
        headings = list(sheet.headers)
        heading = headings[c % len(headings)]
        if sheet_name == "Sammanfattning" and heading != "Värde":
            continue
        # A person editing a duration edits one of its two columns and clears the other.
        if heading.endswith(" (minuter)"):
            row.values.pop(heading[: -len(" (minuter)")], None)
        elif f"{heading} (minuter)" in sheet.headers:
            row.values.pop(f"{heading} (minuter)", None)
        if value is None:
            row.values.pop(heading, None)
        else:
            row.values[heading] = value
            if formula and isinstance(value, str):
                row.formulas.add(heading)
    path = tmp_path / "fuzz.rsa"
    shutil.copy(_STATE["demo"], path)
    with Document.open(path) as doc:
        svc = RsaService(doc)
        aid = svc.analyses()[-1].id
        plan = plan_import(svc, aid, parsed)
        for p in plan.problems:
            assert p.message.strip() and str(p).strip()
            assert p.severity in ("fel", "varning")
        for ch in plan.changes:
            assert str(ch)
        if plan.valid:
            apply_import(svc, aid, plan, backup=False)
            again = plan_import(svc, aid, parsed)
            assert again.valid, [str(p) for p in again.errors]
            assert [c for c in again.changes if c.action != "ny" and c.hid] == [], [str(c) for c in again.changes]
        elif not plan.blocking:
            apply_import(svc, aid, plan, only_valid=True, backup=False)


@SETTINGS
@given(mutations=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=6),
       cut=st.one_of(st.none(), st.floats(0, 1)))
@pytest.mark.usefixtures("prepared")
def test_mutated_workbook_bytes_never_crash_the_reader(tmp_path, mutations, cut):
    blob = bytearray(_STATE["xlsx"])
    for where, value in mutations:
        blob[int(where * len(blob))] = value
    if cut is not None:
        blob = blob[: int(cut * len(blob))]
    path = tmp_path / "mutated.xlsx"
    path.write_bytes(bytes(blob))
    try:
        parsed = read_workbook(path)
    except WorkbookError as exc:
        assert str(exc) and "\n" not in str(exc) and exc.kind
        return
    assert isinstance(parsed.sheets, dict)


def test_random_bytes_are_refused(tmp_path):
    for i, blob in enumerate((b"", b"PK", b"PK\x03\x04" + b"\x00" * 100, bytes(range(256)) * 40)):
        path = Path(tmp_path) / f"slump{i}.xlsx"
        path.write_bytes(blob)
        with pytest.raises(WorkbookError):
            read_workbook(path)
