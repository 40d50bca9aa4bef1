#!/usr/bin/env python3
"""Write tests/fixtures/schema_vN.sql with the program as it was when format version N was current.

    .venv/bin/python scripts/make_schema_fixture.py COMMIT OUT.sql

The commit's own code (checked out into a temporary git worktree) creates a small analysis through its
own service API; the file is then dumped as SQL. The fixtures are therefore files as that version of the
program wrote them, not reconstructions, and tests/test_migration_versions.py migrates each to today's
format. The data covers every kind, every link table, ratings, fallbacks, contacts and secret flags, with
Swedish text; later versions add what they introduced (review marks and carried-from links in v5).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

POPULATE = r'''
import datetime as dt, sys
from rsa_desktop.storage.database import Document
from rsa_desktop.services.rsa import RsaService
doc = Document.create(sys.argv[1])
svc = RsaService(doc)
svc.set_organisation(name="Överförmyndarförvaltningen", org_type="facknamnd", employees=60,
                     committee="Överförmyndarnämnden", security_coordinator="Eva Ek")
a = svc.create_analysis(2025, assignment="Årlig RSA enligt stadens säkerhetsprogram.",
                        method="Två workshoppar.", summary="Tre risker är höga.",
                        secrecy_marking="Sekretess enligt 18 kap. 13 § OSL")
aid = a.id
v1 = svc.create("function", aid, name="Akuta ställföreträdarärenden", is_critical=True, operation="egen",
                max_tolerable_downtime=4320, minimum_level="Akuta ärenden hanteras.").id
v2 = svc.create("function", aid, name="Utbetalningar", is_critical=True, operation="extern").id
b1 = svc.create("dependency", aid, dep_type="IT-system", name="Verksamhetssystemet", provider="Leverantör AB",
                secret=True).id
b2 = svc.create("dependency", aid, dep_type="El", name="El till lokalen").id
svc.link("function_dependency", v1, b1, tolerance=1440)
svc.link("function_dependency", v2, b2)
r1 = svc.create("risk", aid, title="Långvarigt elavbrott", likelihood=3).id
r2 = svc.create("risk", aid, title="Cyberangrepp mot staden", likelihood=2, secret=True).id
dims = svc.scales(aid).dimensions
svc.set_consequence(r1, dims[0].id, 3)
svc.set_consequence(r1, dims[1].id, 4)
svc.set_consequence(r2, dims[0].id, 5)
svc.link("risk_function", r1, v1)
svc.link("risk_function", r2, v2)
horizons = svc.scales(aid).horizons
svc.set_impact(v1, horizons[1].id, 3)
s1 = svc.create("vulnerability", aid, title="En person kan göra utbetalningar").id
svc.create("capability", aid, area="Krisledning", rating=2)
a1 = svc.create("action", aid, title="Utbilda ersättare", owner="Enhetschef", deadline=dt.date(2026, 3, 31)).id
svc.link("action_risk", a1, r1)
svc.link("action_risk", a1, r2)
k1 = svc.create("continuity_plan", aid, title="Plan för akuta ärenden", function_id=v1).id
svc.create("fallback", k1, dependency_id=b1, procedure="Manuella blanketter och telefon", duration=4320)
svc.create("contact", k1, name="Förvaltningschef", role="Krisledare", phone="08-123 456 78")
svc.create("exercise", aid, title="Seminarieövning elavbrott", date=dt.date(2025, 11, 5))
svc.create("participant", aid, name="Anna Andersson", role="Processledare")
try:  # the yearly cycle exists from v5 on: carry the year forward so review marks and links are in it
    from rsa_desktop.services import carry
except ImportError:
    carry = None
if carry is not None:
    carry.carry_forward(svc, aid, 2026)
doc.close()
'''


def main() -> int:
    commit, out = sys.argv[1], Path(sys.argv[2])
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit], check=True,
                       capture_output=True)
        try:
            db = Path(tmp) / "fil.rsa"
            subprocess.run([sys.executable, "-c", POPULATE, str(db)], cwd=tree, check=True,
                           env={"PYTHONPATH": str(tree), "RSA_DESKTOP_DATA": str(Path(tmp) / "data"),
                                "PATH": "/usr/bin:/bin"})
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
        conn = sqlite3.connect(db)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        lines = [f"-- RSA Desktop file format version {version}, written by the program at commit {commit}",
                 "-- (scripts/make_schema_fixture.py). Do not edit: it is what that version wrote.",
                 f"PRAGMA application_id = {app_id};", f"PRAGMA user_version = {version};"]
        lines += [ln for ln in conn.iterdump() if not ln.startswith("CREATE TABLE sqlite_sequence")]
        conn.close()
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{out}: version {version}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
