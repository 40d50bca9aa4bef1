"""Encryption at rest for a document: the whole SQLite image under AES-256-GCM, key from scrypt.

File layout: MAGIC, 4-byte header length, JSON header (format, KDF parameters, salt, check), 12-byte
nonce, ciphertext with tag. The header is authenticated as associated data, so it cannot be altered
unnoticed. A fresh nonce is drawn for every write. The plaintext database exists only in memory.

Nothing in the header is trusted before it is authenticated: the scrypt parameters must be the ones
this program writes (N between 2^14 and 2^17, r = 8, p = 1: at most 128 MiB and about a second), or
a tampered header could make the key derivation take gigabytes and minutes. `check` is a hash of a
second half of the scrypt output (PBKDF2 gives the same first 32 bytes whatever the length, so the
AES key is unchanged and older files without `check` still open): it tells a wrong passphrase apart
from a file that was altered after it was written with the right one.

Passphrases are normalised to Unicode NFC before the key is derived, so "å" typed as one character
or as "a" + ring gives the same key; a file made with a non-NFC passphrase (before this rule) still
opens with the passphrase as typed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rsa_desktop.storage.errors import CorruptFileError, DocumentError

MAGIC = b"RSA-DESKTOP-KRYPTERAD\n"
FORMAT = 1
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1  # ~32 MiB and a tenth of a second per key derivation
N_RANGE = (2**14, 2**17)  # what we accept when reading: around what we write, never more than 128 MiB


class PassphraseRequiredError(DocumentError):
    kind = "passphrase_required"


class WrongPassphraseError(DocumentError):
    kind = "wrong_passphrase"


@dataclass(frozen=True)
class FileKey:
    key: bytes
    header: bytes  # the exact JSON header bytes (associated data)


def is_encrypted(path: Path) -> bool:
    try:
        # Only a regular file: opening a FIFO (or a device) would block or read forever.
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with Path(path).open("rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def normalise(passphrase: str) -> str:
    return unicodedata.normalize("NFC", passphrase)


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, str]:
    """(AES key, check value) for a passphrase."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    out = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    check = base64.b64encode(hashlib.sha256(b"rsa-desktop-check\0" + out[32:]).digest()[:16]).decode("ascii")
    return out[:32], check


def new_key(passphrase: str) -> FileKey:
    passphrase = normalise(passphrase)
    if len(passphrase) < 8:
        raise DocumentError("Lösenfrasen måste vara minst 8 tecken lång.")
    salt = os.urandom(16)
    key, check = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    header = json.dumps({"format": FORMAT, "kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
                         "salt": base64.b64encode(salt).decode("ascii"), "cipher": "AES-256-GCM",
                         "check": check}, sort_keys=True).encode("ascii")
    return FileKey(key, header)


def encrypt(plaintext: bytes, fk: FileKey) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    body = AESGCM(fk.key).encrypt(nonce, plaintext, MAGIC + fk.header)
    return MAGIC + len(fk.header).to_bytes(4, "big") + fk.header + nonce + body


def decrypt(data: bytes, passphrase: str | None, path: object = None) -> tuple[bytes, FileKey]:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    name = Path(str(path)).name if path else "filen"
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
        raise CorruptFileError(f"Den krypterade filen är skadad: {name}", path)
    if passphrase is None:
        raise PassphraseRequiredError(f"Filen är skyddad med lösenfras: {name}. Ange lösenfrasen.", path)
    pos = len(MAGIC)
    size = int.from_bytes(data[pos:pos + 4], "big")
    header = data[pos + 4:pos + 4 + size]
    try:
        params = json.loads(header)
        if params.get("format") != FORMAT:
            raise DocumentError(f"Filen är krypterad med ett nyare format ({params.get('format')}). "
                                "Uppdatera programmet.", path)
        if params.get("kdf") != "scrypt" or params.get("cipher") != "AES-256-GCM":
            raise ValueError("okänd algoritm")
        salt = base64.b64decode(params["salt"], validate=True)
        n, r, p = params["n"], params["r"], params["p"]
        if not all(type(v) is int for v in (n, r, p)):
            raise ValueError("parametrar som inte är heltal")
        check = params.get("check")
        if check is not None and not isinstance(check, str):
            raise ValueError("ogiltig kontroll")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise CorruptFileError(f"Den krypterade filen är skadad (huvudet går inte att läsa): {name}", path) \
            from None
    # Bounded before use: a header can be tampered with, and it is only authenticated after the derivation.
    if not (N_RANGE[0] <= n <= N_RANGE[1] and n & (n - 1) == 0 and r == SCRYPT_R and p == SCRYPT_P
            and len(salt) == 16):
        raise CorruptFileError(f"Den krypterade filen har ändrats eller är skadad (huvudet har värden som "
                               f"programmet aldrig skriver): {name}", path)
    body = data[pos + 4 + size:]
    if len(body) < 12 + 16:
        raise CorruptFileError(f"Den krypterade filen är ofullständig: {name}", path)
    # NFC first (what we write now); the passphrase as typed for a file made before normalisation.
    candidates = list(dict.fromkeys((normalise(passphrase), passphrase)))
    for candidate in candidates:
        key, expected = _derive(candidate, salt, n, r, p)
        if check is not None and not hmac.compare_digest(check, expected):
            continue  # a wrong passphrase (in this form)
        try:
            plaintext = AESGCM(key).decrypt(body[:12], body[12:], MAGIC + header)
        except InvalidTag:
            if check is not None:
                raise CorruptFileError(
                    f"Lösenfrasen är rätt, men filen har ändrats eller skadats efter att den sparades: {name}. "
                    "Återställ den från en säkerhetskopia.", path) from None
            continue
        return plaintext, FileKey(key, header)
    if check is None:
        raise WrongPassphraseError(f"Fel lösenfras för {name} (eller så är filen skadad). Försök igen.", path)
    raise WrongPassphraseError(f"Fel lösenfras för {name}. Försök igen.", path)


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside `path`, flush to disk, then rename over it: never a half-written file."""
    tmp = path.with_name(path.name + ".skrivs")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
