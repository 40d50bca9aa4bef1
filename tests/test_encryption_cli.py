"""The command line reads a protected file with the passphrase from the environment or a prompt."""

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document

PASS = "Räksmörgås i krislådan 2026"


def _protected(tmp_path):
    path = tmp_path / "skyddad.rsa"
    with Document.create(path, passphrase=PASS) as doc:
        RsaService(doc).set_organisation(name="Överförmyndarförvaltningen", org_type="facknamnd")
    return path


def test_cli_asks_for_the_passphrase(tmp_path, monkeypatch, capsys):
    from rsa_desktop.cli import main

    protected = _protected(tmp_path)

    monkeypatch.delenv("RSA_DESKTOP_PASSPHRASE", raising=False)
    assert main(["info", str(protected)]) == 2
    assert "lösenfras" in capsys.readouterr().err
    monkeypatch.setenv("RSA_DESKTOP_PASSPHRASE", PASS)
    assert main(["info", str(protected)]) == 0
    assert "Överförmyndarförvaltningen" in capsys.readouterr().out
