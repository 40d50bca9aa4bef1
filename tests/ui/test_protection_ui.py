"""Protected files in the window: the passphrase prompt, protecting, changing and removing, restoring."""

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage import backups, crypto
from rsa_desktop.storage.database import Document


def test_open_asks_for_the_passphrase_until_right_or_cancelled(window, sample, monkeypatch, messages):
    path, ids = sample
    backups.change_protection(path, current=None, new="rätt lösenfras")
    answers = iter(["fel lösenfras", "rätt lösenfras"])
    asked = []

    def ask(_parent, name, wrong=False):
        asked.append(wrong)
        return next(answers)

    monkeypatch.setattr("rsa_desktop.ui.dialogs.common.ask_passphrase", ask)
    assert window.open_path(path)
    assert asked == [False, True]  # the second prompt says the first was wrong
    assert window.session.doc.encrypted and window.session.passphrase == "rätt lösenfras"
    window.close_document()
    monkeypatch.setattr("rsa_desktop.ui.dialogs.common.ask_passphrase", lambda *a, **k: None)
    assert not window.open_path(path)
    assert not window.session.is_open


def test_protect_change_and_remove_from_the_file_menu(window, sample, monkeypatch):
    path, ids = sample
    assert window.open_path(path)
    assert window.protect_action.text().startswith("Skydda med")
    assert window.change_protection(new="första lösenfrasen", ask=False)
    assert crypto.is_encrypted(path) and window.session.doc.encrypted
    assert window.protect_action.text().startswith("Byt eller ta bort")
    # Editing goes on, encrypted on disk.
    svc = window.session.svc
    svc.update("function", ids["V1"], name="Tillsyn – skyddad")
    assert b"skyddad" not in path.read_bytes()
    assert window.change_protection(new="andra lösenfrasen", ask=False)
    with Document.open(path, readonly=True, passphrase="andra lösenfrasen") as doc:
        assert RsaService(doc).get("function", ids["V1"]).name == "Tillsyn – skyddad"
    assert window.change_protection(remove=True, ask=False)
    assert not crypto.is_encrypted(path) and not window.session.doc.encrypted


def test_restore_a_protected_file_from_backup(window, sample, monkeypatch, confirm_yes):
    path, ids = sample
    backups.change_protection(path, current=None, new="rätt lösenfras")
    monkeypatch.setattr("rsa_desktop.ui.dialogs.common.ask_passphrase", lambda *a, **k: "rätt lösenfras")
    assert window.open_path(path)
    window.session.svc.update("function", ids["V1"], name="Före återställning")
    chosen = backups.make_backup(window.session.doc, "öppnad")
    window.session.svc.update("function", ids["V1"], name="Efter kopian")
    monkeypatch.setattr("rsa_desktop.ui.views.backups_view.choose_backup", lambda *a, **k: chosen)
    assert window.restore_from_backup()
    assert window.session.doc.encrypted
    assert window.session.svc.get("function", ids["V1"]).name == "Före återställning"
