"""The yearly cycle says what it means (issue 22), headless: year states in `info`, the "att granska" rule of
the RSA-kontroll, scale changes logged in words (and their undo), `import-xlsx --only-valid` on an archived
year, and a new file beside an orphaned journal."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from rsa_desktop.cli import main
from rsa_desktop.domain.kinds import year_state
from rsa_desktop.services.carry import carry_forward
from rsa_desktop.services.review import review, step_states
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.services.scale_edit.apply import apply_scale
from rsa_desktop.services.scale_edit.preview import preview_scale_change
from rsa_desktop.services.scale_edit.suggest import suggest_bands
from rsa_desktop.services.scale_edit.template import current_template
from rsa_desktop.storage.database import Document


@pytest.fixture
def demo(tmp_path, demo_file):
    path = tmp_path / "demo.rsa"
    shutil.copy(demo_file, path)
    return path


def test_year_state_is_one_rule():
    assert year_state("utkast", False) == "utkast"
    assert year_state("faststalld", False) == "fastställd"
    assert year_state("utkast", True) == "arkiverad"
    assert year_state("faststalld", True) == "fastställd, arkiverad"


def test_info_names_each_year_with_its_real_state(demo, capsys):
    assert main(["carry-forward", str(demo), "--from", "2026", "--to", "2027"]) == 0
    capsys.readouterr()
    assert main(["info", str(demo)]) == 0
    out = capsys.readouterr().out
    assert "År: 2026 (arkiverad), 2027 (utkast)" in out
    assert "\n2026 (arkiverad)\n" in out and "\n2027 (utkast)\n" in out
    assert "2026 (utkast)" not in out


def test_a_step_with_items_att_granska_is_not_done(demo):
    with Document.open(demo) as doc:
        svc = RsaService(doc)
        prev = svc.analyses()[-1]
        new = carry_forward(svc, prev.id, prev.year + 1)
        findings = review(svc, new.id)
        pending = [f for f in findings if f.rule == "not_reviewed"]
        assert {f.step for f in pending} == {"samhallsviktig", "beroenden", "risker", "sarbarheter", "atgarder",
                                             "kontinuitet"}
        risks = next(f for f in pending if f.step == "risker")
        n = len(svc.list("risk", new.id))
        assert risks.message.startswith(f"{n} risker från {prev.year} är ännu inte granskade (R1, ")
        assert risks.kind == "risk" and risks.item_id == svc.list("risk", new.id)[0].id  # "Gå till" the first
        started = {step: True for step in ("samhallsviktig", "beroenden", "risker")}
        assert step_states(findings, started)["risker"] == "paborjad"
        # Reviewing every risk takes the finding away; the other steps still wait.
        for r in svc.list("risk", new.id):
            svc.set_review_mark(new.id, "risk", r.id, False)
        after = review(svc, new.id)
        assert not [f for f in after if f.rule == "not_reviewed" and f.step == "risker"]
        assert [f for f in after if f.rule == "not_reviewed" and f.step == "beroenden"]
        assert not [f for f in review(svc, prev.id) if f.rule == "not_reviewed"]


def _drop_level_five(svc, aid):
    tpl = current_template(svc, aid)
    tpl["consequence_levels"] = [lv for lv in tpl["consequence_levels"] if lv["value"] <= 4]
    return tpl


def test_the_preview_lists_every_risk_whose_colour_band_changes(demo):
    with Document.open(demo) as doc:
        svc = RsaService(doc)
        aid = svc.analyses()[-1].id
        tpl = _drop_level_five(svc, aid)
        preview = preview_scale_change(svc, aid, tpl, {"consequence": {5: 4}})
        scales = svc.scales(aid)
        cons = svc.all_consequences(aid)
        expected = set()
        for r in svc.list("risk", aid):
            old = scales.overall(cons.get(r.id, {}))
            new = min(old, 4) if old is not None else None
            ob, nb = scales.band(r.likelihood, old), scales.band(r.likelihood, new)
            if (ob.label if ob else "") != (nb.label if nb else ""):
                expected.add(r.hid)
        got = {c.hid for c in preview.class_changes}
        assert got == expected and {"R12", "R16"} <= got
        r16 = next(c for c in preview.class_changes if c.hid == "R16")
        assert (r16.old_band, r16.new_band) == ("Måttlig risk", "Låg risk")
        assert r16.describe().endswith("Måttlig risk → Låg risk (sannolikhet 1, konsekvens 5 → 4)")
        # Bands adjusted in the same step: R16 (score 4) stays Måttlig when Måttlig starts at 4.
        tpl["colour_bands"][1]["min_score"] = 4
        adjusted = preview_scale_change(svc, aid, tpl, {"consequence": {5: 4}})
        assert "R16" not in {c.hid for c in adjusted.class_changes}
        # The suggestion never does worse than the bands it starts from.
        tpl = _drop_level_five(svc, aid)
        suggested = dict(tpl, colour_bands=suggest_bands(svc, aid, tpl, {"consequence": {5: 4}}))
        best = preview_scale_change(svc, aid, suggested, {"consequence": {5: 4}})
        assert len(best.class_changes) <= len(preview.class_changes)
        assert [b["label"] for b in suggested["colour_bands"]] == [b["label"] for b in tpl["colour_bands"]]


def test_suggested_bands_keep_the_classes_when_that_is_possible(svc, analysis):
    aid = analysis.id
    dim = svc.scales(aid).dimensions[0].id
    r = svc.create("risk", aid, title="Elavbrott", likelihood=1)
    svc.set_consequence(r.id, dim, 5)  # score 5: Måttlig today; 4 on a 4-level scale → Låg
    tpl = _drop_level_five(svc, aid)
    mapping = {"consequence": {5: 4}}
    assert [c.hid for c in preview_scale_change(svc, aid, tpl, mapping).class_changes] == [r.hid]
    tpl["colour_bands"] = suggest_bands(svc, aid, tpl, mapping)
    assert not preview_scale_change(svc, aid, tpl, mapping).class_changes
    assert tpl["colour_bands"][1]["min_score"] == 4


def test_a_scale_change_and_its_undo_are_logged_in_words(demo):
    with Document.open(demo) as doc:
        svc = RsaService(doc)
        aid = svc.analyses()[-1].id
        before = svc.delete_preview("analysis", aid)
        apply_scale(svc, aid, _drop_level_five(svc, aid), {"consequence": {5: 4}})
        after = svc.delete_preview("analysis", aid)
        changed = svc.audit_trail(analysis_id=aid, limit=1)[0]
        assert (changed.action, changed.field) == ("ändrad", "Skalor")
        assert changed.new["ändringar"][0] == "Konsekvensskalan: nivå 5 ”Katastrofala” borttagen"
        assert any(line.startswith("R16 ") and line.endswith("konsekvens 5 → 4, Måttlig risk → Låg risk")
                   for line in changed.new["ändringar"])
        n = len(svc.audit_trail(analysis_id=aid))
        svc.replace_analysis(before, action="ångrad")
        trail = svc.audit_trail(analysis_id=aid)
        assert len(trail) == n + 1  # one event, not "Analys 2026 borttagen" and "återställd"
        undone = trail[0]
        assert (undone.action, undone.field) == ("ångrad", "Skalor")
        assert undone.new["ändringar"][0] == "Konsekvensskalan: nivå 5 ”Katastrofala” tillagd"
        assert not [e for e in trail if e.kind == "analysis" and e.action in ("borttagen", "återställd")]
        assert [lv.value for lv in svc.scales(aid).consequence] == [1, 2, 3, 4, 5]
        svc.replace_analysis(after, action="gjord om")
        assert svc.audit_trail(analysis_id=aid, limit=1)[0].action == "gjord om"
        assert [lv.value for lv in svc.scales(aid).consequence] == [1, 2, 3, 4]


def test_import_only_valid_into_an_archived_year_does_not_suggest_only_valid(demo, tmp_path, capsys):
    xlsx = tmp_path / "export.xlsx"
    assert main(["export", str(demo), "--xlsx", str(xlsx)]) == 0
    assert main(["carry-forward", str(demo), "--from", "2026", "--to", "2027"]) == 0
    capsys.readouterr()
    assert main(["import-xlsx", str(demo), str(xlsx), "--year", "2026", "--only-valid"]) == 1
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert "ingenting lästes in" in last and "arkiverad" in last
    assert "använd --only-valid" not in err
    assert "--only-valid kan inte hoppa över det" in last
    # Without the option the same refusal does not suggest it either: it would not help.
    assert main(["import-xlsx", str(demo), str(xlsx), "--year", "2026"]) == 1
    assert "--only-valid" not in capsys.readouterr().err


def _orphan_wal(tmp_path, name: str):
    """A real -wal (with committed frames) left beside a file that was then deleted."""
    src = tmp_path / "gammal.rsa"
    conn = sqlite3.connect(src)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [("rad",)] * 200)
    conn.commit()
    target = tmp_path / name
    shutil.copy(str(src) + "-wal", str(target) + "-wal")
    shutil.copy(str(src) + "-shm", str(target) + "-shm")
    conn.close()
    return target


def test_demo_beside_an_orphaned_journal_creates_a_sound_file(tmp_path, capsys):
    target = _orphan_wal(tmp_path, "x.rsa")
    assert (tmp_path / "x.rsa-wal").stat().st_size > 0 and not target.exists()
    assert main(["demo", str(target)]) == 0
    out = capsys.readouterr().out
    assert "x.rsa-wal" in out and "togs bort" in out and "Exempelanalys skriven" in out
    with Document.open(target, readonly=True) as doc:
        assert doc.integrity_ok() and RsaService(doc).analyses()
    assert main(["check", str(target)]) in (0, 1)  # opens: findings, not "Filen är skadad"


def test_import_as_new_beside_an_orphaned_journal(tmp_path, demo, capsys):
    xlsx = tmp_path / "export.xlsx"
    assert main(["export", str(demo), "--xlsx", str(xlsx)]) == 0
    target = _orphan_wal(tmp_path, "ny.rsa")
    assert main(["import-xlsx", str(target), str(xlsx), "--new-year", "2030"]) == 0
    with Document.open(target, readonly=True) as doc:
        assert [a.year for a in RsaService(doc).analyses()] == [2030]
