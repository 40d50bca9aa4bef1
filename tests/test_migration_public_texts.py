"""The public-texts step (v7 → v8): the analysis gains the öppet utdrag's per-field choice; nothing else changes."""

import sqlite3
from pathlib import Path

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage import migrations
from rsa_desktop.storage.database import Document

FIXTURE = Path(__file__).parent / "fixtures" / "schema_v1.sql"


def test_a_v5_file_gets_public_texts_and_keeps_its_free_texts(tmp_path):
    path = tmp_path / "v5.rsa"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(FIXTURE.read_text(encoding="utf-8"))
    conn.execute("PRAGMA foreign_keys = OFF")
    for version in range(1, 5):  # bring the v1 fixture to exactly v5 with the steps of that time
        migrations.MIGRATIONS[version](conn)
    conn.execute("PRAGMA user_version = 5")
    conn.execute("UPDATE analysis SET summary = 'Sammanfattning före v6'")
    cols = [r[1] for r in conn.execute("PRAGMA table_info(analysis)")]
    assert "public_texts" not in cols
    conn.close()

    doc = Document.open(path)
    try:
        assert doc.migrated_from == 5
        svc = RsaService(doc)
        a = svc.analyses()[0]
        assert a.public_texts == "" and a.summary == "Sammanfattning före v6"
        svc.set_public_texts(a.id, {"summary": "Öppen sammanfattning"})
        assert svc.analysis(a.id).public_texts == '{"summary": "Öppen sammanfattning"}'
    finally:
        doc.close()
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == migrations.CURRENT_VERSION
