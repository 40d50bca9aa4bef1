"""The audit trail under attack: rows edited or deleted with sqlite3, damaged values, and operations that
recorded too little (issue 16, item 7)."""

import sqlite3

import pytest

from rsa_desktop.services.check import run_check
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document


@pytest.fixture
def trail_file(tmp_path):
    path = tmp_path / "logg.rsa"
    with Document.create(path) as doc:
        svc = RsaService(doc)
        svc.set_organisation(name="Överförmyndarförvaltningen", org_type="facknamnd")
        a = svc.create_analysis(2026)
        for i in range(5):
            svc.create("risk", a.id, title=f"Risk {i}")
    return path


def _sql(path, statement, *args):
    conn = sqlite3.connect(path)
    try:
        conn.execute(statement, args)
        conn.commit()
    finally:
        conn.close()


def _audit_findings(path):
    with Document.open(path, readonly=True) as doc:
        return [f for f in run_check(RsaService(doc)) if f.item == "Ändringsloggen"]


def test_an_intact_trail_has_no_break(trail_file):
    assert _audit_findings(trail_file) == []


@pytest.mark.parametrize("attack", [
    "UPDATE audit_event SET new_value = '{\"Rubrik\": \"Ofarlig\"}' WHERE id = 4",
    "UPDATE audit_event SET user = 'någon annan' WHERE id = 3",
    "DELETE FROM audit_event WHERE id = 3",
    "INSERT INTO audit_event (id, at, user, kind, item, action, field, old_value, new_value, chain) "
    "VALUES (3, '2026-01-01T00:00:00+00:00', 'x', 'risk', 'R9', 'skapad', '', '', '', 'ff') "
    "ON CONFLICT(id) DO UPDATE SET chain = 'ff'",
])
def test_editing_or_deleting_rows_with_sqlite3_is_reported(trail_file, attack):
    _sql(trail_file, attack)
    findings = _audit_findings(trail_file)
    assert findings and all(f.severity == "fel" for f in findings)
    assert "post 3" in findings[0].message or "post 4" in findings[0].message
    assert all("ändrats utanför programmet" in f.message for f in findings)


def test_check_on_the_command_line_fails_on_a_broken_chain(trail_file, capsys):
    from rsa_desktop import cli

    _sql(trail_file, "UPDATE audit_event SET item = 'R1 Annat' WHERE id = 4")
    assert cli.main(["check", str(trail_file)]) == 1
    assert "Ändringsloggen" in capsys.readouterr().out


def test_a_damaged_row_never_makes_the_trail_unreadable(trail_file):
    _sql(trail_file, "UPDATE audit_event SET new_value = '{inte json', old_value = x'00ff' WHERE id = 4")
    _sql(trail_file, "UPDATE audit_event SET at = 12345, item_id = 'tre' WHERE id = 5")
    with Document.open(trail_file, readonly=True) as doc:
        svc = RsaService(doc)
        trail = svc.audit_trail()
        assert len(trail) == 7
        damaged = next(e for e in trail if e.id == 4)
        assert damaged.damaged and damaged.new == "{inte json"
        other = next(e for e in trail if e.id == 5)
        assert other.at == "12345" and other.item_id is None
        assert len(svc.audit_chain_breaks()) == 2


def test_create_delete_and_move_record_full_values(svc, analysis):
    r = svc.create("risk", analysis.id, title="Elavbrott", likelihood=3, description="Hela kvarteret")
    svc.create("risk", analysis.id, title="Vattenläcka")
    f = svc.create("function", analysis.id, name="Akuta ärenden")
    svc.link("risk_function", r.id, f.id)
    svc.move("risk", r.id, 7)
    svc.delete("risk", r.id)
    trail = {e.action: e for e in svc.audit_trail(kind="risk", item_id=r.id)}
    assert trail["skapad"].new["Rubrik"] == "Elavbrott" and trail["skapad"].new["Beskrivning"] == "Hela kvarteret"
    assert (trail["flyttad"].field, trail["flyttad"].old, trail["flyttad"].new) == ("Ordning", 1, 7)
    gone = trail["borttagen"].old
    assert gone["Rubrik"] == "Elavbrott" and gone["Sannolikhet"] == 3
    assert any(row["tabell"] == "kopplingar risk–verksamhet" and row["function_id"] == f.id
               for row in gone["Borttaget med objektet"])


def test_scale_edits_record_the_scales_before_and_after(svc, analysis):
    from rsa_desktop.services import scale_edit

    before = svc.scales(analysis.id)
    with svc.scale_transaction(analysis.id) as s:
        from sqlmodel import select

        from rsa_desktop.model import entities as e

        level = s.exec(select(e.LikelihoodLevel).where(e.LikelihoodLevel.analysis_id == analysis.id)).first()
        level.label = "Mycket osannolik (ändrad)"
    entry = next(e for e in svc.audit_trail(analysis_id=analysis.id) if e.field == "Skalor")
    assert entry.old["version"] == before.fingerprint
    labels = [lv["label"] for lv in entry.new["skalor"]["likelihood_levels"]]
    assert "Mycket osannolik (ändrad)" in labels
    assert "Mycket osannolik (ändrad)" not in [lv["label"] for lv in entry.old["skalor"]["likelihood_levels"]]
    assert scale_edit  # the service that edits scales goes through scale_transaction
