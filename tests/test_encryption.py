"""A file protected by a passphrase: encrypted on disk at every moment, including backups and copies."""

import os
import shutil

import pytest

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage import backups, crypto
from rsa_desktop.storage.database import Document
from rsa_desktop.storage.errors import CorruptFileError, DocumentError, FileLockedError

PASS = "Räksmörgås i krislådan 2026"
SECRET = "Hemlig reservrutin för Bankgirot"


def no_plaintext(folder, needle=SECRET):
    """No file in `folder` (recursively) contains the secret text in clear."""
    hits = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with open(os.path.join(root, name), "rb") as fh:
                found = needle.encode("utf-8") in fh.read()
            if found:
                hits.append(name)
    return hits


@pytest.fixture
def protected(tmp_path):
    path = tmp_path / "skyddad.rsa"
    doc = Document.create(path, passphrase=PASS)
    svc = RsaService(doc)
    svc.set_organisation(name="Överförmyndarförvaltningen", org_type="facknamnd")
    a = svc.create_analysis(2026)
    svc.create("dependency", a.id, name="Bankgirot", dep_type="Leverantör eller tjänst (avtal)",
               reserve_description=SECRET, has_reserve=True)
    doc.close()
    return path


def test_content_round_trips_and_never_lies_on_disk_in_clear(protected, tmp_path):
    assert crypto.is_encrypted(protected)
    assert no_plaintext(tmp_path) == []
    with Document.open(protected, passphrase=PASS) as doc:
        assert doc.encrypted
        svc = RsaService(doc)
        aid = svc.analyses()[0].id
        svc.create("risk", aid, title="Läckt lösenfras")
        assert no_plaintext(tmp_path) == []  # every commit is written back encrypted
        assert not any(p.name.endswith(("-wal", "-shm", "-journal")) for p in tmp_path.iterdir())
    with Document.open(protected, passphrase=PASS, readonly=True) as doc:
        svc = RsaService(doc)
        aid = svc.analyses()[0].id
        assert [d.reserve_description for d in svc.list("dependency", aid)] == [SECRET]
        assert [r.title for r in svc.list("risk", aid)] == ["Läckt lösenfras"]


def test_missing_and_wrong_passphrase_give_clear_messages(protected):
    before = protected.read_bytes()
    with pytest.raises(crypto.PassphraseRequiredError, match="lösenfras"):
        Document.open(protected)
    with pytest.raises(crypto.WrongPassphraseError, match="Fel lösenfras"):
        Document.open(protected, passphrase="fel lösenfras")
    assert protected.read_bytes() == before


def test_tampered_file_is_refused(protected):
    data = bytearray(protected.read_bytes())
    data[-5] ^= 0x01
    protected.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError, match="filen har ändrats"):  # told apart from a wrong passphrase
        Document.open(protected, passphrase=PASS)
    protected.write_bytes(crypto.MAGIC + b"\x00\x00\x00\x05{bad}")
    with pytest.raises(CorruptFileError):
        Document.open(protected, passphrase=PASS)


def test_backups_and_copies_stay_encrypted(protected, tmp_path):
    with Document.open(protected, passphrase=PASS) as doc:
        b = backups.make_backup(doc, "öppnad")
        copy = doc.save_copy(tmp_path / "kopia.rsa")
        with pytest.raises(FileLockedError):
            Document.open(protected, passphrase=PASS)
    assert crypto.is_encrypted(b.path) and crypto.is_encrypted(copy)
    from rsa_desktop import paths

    assert no_plaintext(paths.user_data_dir()) == [] and no_plaintext(tmp_path) == []
    backups.restore_backup(b, protected, passphrase=PASS)
    with Document.open(protected, passphrase=PASS, readonly=True) as doc:
        assert RsaService(doc).organisation().name == "Överförmyndarförvaltningen"


def test_protect_change_and_remove_passphrase(tmp_path, demo_file):
    from rsa_desktop import paths

    path = tmp_path / "analys.rsa"
    shutil.copy(demo_file, path)
    with Document.open(path) as doc:
        aid = RsaService(doc).analyses()[0].id
        RsaService(doc).create("risk", aid, title=SECRET)
        backups.make_backup(doc, "öppnad")  # a plaintext backup from before protection
    assert no_plaintext(paths.user_data_dir())  # the clear backup holds it

    backups.change_protection(path, current=None, new=PASS)
    assert crypto.is_encrypted(path)
    assert no_plaintext(tmp_path) == [] and no_plaintext(paths.user_data_dir()) == []
    with Document.open(path, passphrase=PASS, readonly=True) as doc:
        assert SECRET in [r.title for r in RsaService(doc).list("risk", aid)]

    backups.change_protection(path, current=PASS, new="ett annat långt lösen")
    with pytest.raises(crypto.WrongPassphraseError):
        Document.open(path, passphrase=PASS)
    for b in backups.list_backups(path):
        Document.open(b.path, passphrase="ett annat långt lösen", readonly=True).close()

    backups.change_protection(path, current="ett annat långt lösen", new=None)
    assert not crypto.is_encrypted(path)
    with Document.open(path) as doc:
        assert doc.integrity_ok() and not doc.encrypted


def test_short_passphrase_is_refused(tmp_path):
    with pytest.raises(DocumentError, match="minst 8 tecken"):
        Document.create(tmp_path / "x.rsa", passphrase="kort")
    assert not (tmp_path / "x.rsa").exists()
