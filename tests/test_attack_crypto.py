"""The encrypted file under attack: a tampered header, a tampered body, passphrases in other forms (issue 16)."""

import base64
import json
import os
import resource
import time
import unicodedata

import pytest

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage import crypto
from rsa_desktop.storage.crypto import WrongPassphraseError
from rsa_desktop.storage.database import Document
from rsa_desktop.storage.errors import CorruptFileError

PASS = "Räksmörgås i krislådan"


def _split(data):
    pos = len(crypto.MAGIC)
    size = int.from_bytes(data[pos:pos + 4], "big")
    return json.loads(data[pos + 4:pos + 4 + size]), data[pos + 4 + size:]


def _join(header: dict, body: bytes) -> bytes:
    raw = json.dumps(header, sort_keys=True).encode("ascii")
    return crypto.MAGIC + len(raw).to_bytes(4, "big") + raw + body


@pytest.fixture
def protected(tmp_path):
    path = tmp_path / "skyddad.rsa"
    with Document.create(path, passphrase=PASS) as doc:
        RsaService(doc).set_organisation(name="Överförmyndarförvaltningen", org_type="facknamnd")
    return path


@pytest.mark.parametrize("change", [{"n": 2**20, "r": 32}, {"p": 16}, {"n": 2**22}, {"n": 3 * 2**13},
                                    {"r": 1}, {"n": "32768"}, {"kdf": "pbkdf2"}, {"salt": "AAAA"}])
def test_tampered_kdf_parameters_are_refused_before_any_derivation(protected, change):
    header, body = _split(protected.read_bytes())
    protected.write_bytes(_join({**header, **change}, body))
    before = protected.read_bytes()
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(CorruptFileError, match="skadad|ändrats"):
        Document.open(protected, passphrase=PASS)
    assert time.perf_counter() - start < 2
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - usage < 200_000  # kB: no 4 GB derivation
    assert protected.read_bytes() == before


def test_a_tampered_body_is_told_apart_from_a_wrong_passphrase(protected):
    data = bytearray(protected.read_bytes())
    data[-40] ^= 0x01
    protected.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError, match="Lösenfrasen är rätt, men filen har ändrats"):
        Document.open(protected, passphrase=PASS)
    with pytest.raises(WrongPassphraseError, match="Fel lösenfras"):
        Document.open(protected, passphrase="helt fel lösenfras")


def test_passphrase_in_another_normalisation_form_opens_the_file(tmp_path):
    nfd = unicodedata.normalize("NFD", PASS)
    assert nfd != PASS
    path = tmp_path / "nfd.rsa"
    Document.create(path, passphrase=nfd).close()  # typed decomposed (as macOS keyboards may)
    Document.open(path, passphrase=PASS).close()
    Document.open(path, passphrase=nfd).close()


def _legacy_file(path, passphrase):
    """A file as the program wrote it before the check value and NFC (key from the passphrase as typed)."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    plain_path = path.with_name(path.stem + "-klar.rsa")
    with Document.create(plain_path) as doc:
        RsaService(doc).set_organisation(name="Gammal förvaltning", org_type="facknamnd")
    salt = os.urandom(16)
    header = json.dumps({"format": 1, "kdf": "scrypt", "n": 2**15, "r": 8, "p": 1, "cipher": "AES-256-GCM",
                         "salt": base64.b64encode(salt).decode("ascii")}, sort_keys=True).encode("ascii")
    key = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode("utf-8"))
    path.write_bytes(crypto.encrypt(plain_path.read_bytes(), crypto.FileKey(key, header)))
    return path


def test_files_written_before_the_check_value_and_nfc_still_open(tmp_path):
    nfd = unicodedata.normalize("NFD", PASS)
    path = _legacy_file(tmp_path / "gammal.rsa", nfd)
    with Document.open(path, passphrase=nfd) as doc:
        assert RsaService(doc).organisation().values["name"] == "Gammal förvaltning"
    with pytest.raises(WrongPassphraseError):
        Document.open(path, passphrase="fel lösenfras här")
    path = _legacy_file(tmp_path / "gammal2.rsa", PASS)
    Document.open(path, passphrase=PASS).close()
