"""Logs, settings and backups under attack: no user data in a crash log, nothing readable by others
(issue 16, items 4 and 12)."""

import os
import stat
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import text

from rsa_desktop.services.crashlog import format_exception
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage import backups, database
from rsa_desktop.storage.database import Document

SECRET = "Hemlig reservrutin för Bankgirot"
posix = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def _sql_error(tmp_path):
    with Document.create(tmp_path / "a.rsa") as doc:
        try:
            with doc.engine.begin() as c:
                statement = " ".join(("INSERT INTO risk", "(title, analysis_id)", "VALUES (:t, NULL)"))
                c.execute(text(statement), {"t": SECRET})
        except Exception as exc:  # noqa: BLE001 - the error under test
            return exc
    raise AssertionError("no error")


def test_a_crash_log_holds_no_sql_parameters_nor_quoted_values(tmp_path):
    exc = _sql_error(tmp_path)
    assert SECRET in str(exc)  # SQLAlchemy's own message carries the user's text
    text_ = format_exception(type(exc), exc, exc.__traceback__)
    assert SECRET not in text_ and "[parameters" not in text_ and "[SQL" not in text_
    assert "INSERT INTO risk (title" not in text_
    assert "IntegrityError" in text_ and "NOT NULL constraint failed" in text_ and "Traceback" in text_
    try:
        int(SECRET)
    except ValueError as value_error:
        try:
            raise RuntimeError("oväntat") from value_error
        except RuntimeError as outer:
            text_ = format_exception(type(outer), outer, outer.__traceback__)
    assert SECRET not in text_ and "RuntimeError: oväntat" in text_ and "ValueError: invalid literal" in text_
    assert "direct cause" in text_


@posix
def test_logs_and_settings_are_private_from_creation(tmp_path):
    """A fresh data folder under umask 022: every file the program writes 0600, every folder 0700."""
    data = tmp_path / "data"
    script = textwrap.dedent(f"""
        import os, sys
        os.umask(0o022)
        os.environ["RSA_DESKTOP_DATA"] = {str(data)!r}
        from rsa_desktop.ui.app import errors, settings
        errors.install_crash_handlers()
        import logging
        logging.getLogger("rsa_desktop").error("start")
        try:
            raise RuntimeError("x")
        except RuntimeError:
            errors.write_crash_log(*sys.exc_info())
        settings.add_recent_file(sys.argv[0])
        s = settings.settings(); s.setValue("test/value", 1); s.sync()
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120,
                   env={**os.environ, "PYTHONPATH": os.getcwd(), "QT_QPA_PLATFORM": "offscreen"})
    names = {p.name: p for p in data.rglob("*")}
    for name in ("rsa-desktop.log", "faulthandler.log", "krasch.log", "settings.ini"):
        assert name in names and _mode(names[name]) == 0o600, (name, oct(_mode(names[name])))
    assert _mode(data) == 0o700 and _mode(data / "logs") == 0o700


@posix
def test_backup_folders_and_temporary_files_are_private_from_creation(tmp_path, monkeypatch):
    old = os.umask(0o022)
    try:
        seen = {}
        real = database.sqlite3

        class Recording:
            def __getattr__(self, name):
                return getattr(real, name)

            @staticmethod
            def connect(target, *args, **kwargs):
                name = str(target)
                if name.endswith((".new", ".part")):
                    seen[name] = _mode(name) if os.path.exists(name) else None
                return real.connect(target, *args, **kwargs)

        monkeypatch.setattr(database, "sqlite3", Recording())
        doc = Document.create(tmp_path / "a.rsa")
        RsaService(doc).set_organisation(name="Överförmyndarförvaltningen", org_type="facknamnd")
        made = backups.make_backup(doc, "öppnad")
        doc.close()
    finally:
        os.umask(old)
    assert seen and set(seen.values()) == {0o600}, seen  # existed, 0600, before SQLite wrote a byte
    assert _mode(made.path) == 0o600
    assert _mode(made.path.parent) == 0o700 and _mode(made.path.parent.parent) == 0o700  # säkerhetskopior/


def test_the_program_sets_a_private_umask_at_start(tmp_path):
    if os.name != "posix":
        pytest.skip("POSIX umask")
    # Exports, Qt's files, anything: a demo written from the command line under umask 022 is 0600.
    script = ("import os, sys; os.umask(0o022); from rsa_desktop import cli; "
              "sys.exit(cli.main(['demo', sys.argv[1]]))")
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "d.rsa")], check=True, timeout=300,
                   env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert _mode(tmp_path / "d.rsa") == 0o600
