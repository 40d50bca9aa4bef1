"""Encryption at rest for a document: the whole SQLite image under AES-256-GCM, key from scrypt.

File layout: MAGIC, 4-byte header length, JSON header (format, KDF parameters, salt), 12-byte nonce,
ciphertext with tag. The header is authenticated as associated data, so it cannot be altered
unnoticed. A fresh nonce is drawn for every write. The plaintext database exists only in memory.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from rsa_desktop.storage.errors import CorruptFileError, DocumentError

MAGIC = b"RSA-DESKTOP-KRYPTERAD\n"
FORMAT = 1
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1  # ~32 MiB and a tenth of a second per key derivation


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
        with Path(path).open("rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def new_key(passphrase: str) -> FileKey:
    if len(passphrase) < 8:
        raise DocumentError("Lösenfrasen måste vara minst 8 tecken lång.")
    salt = os.urandom(16)
    header = json.dumps({"format": FORMAT, "kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
                         "salt": base64.b64encode(salt).decode("ascii"), "cipher": "AES-256-GCM"},
                        sort_keys=True).encode("ascii")
    return FileKey(_derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P), header)


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
        salt = base64.b64decode(params["salt"])
        n, r, p = int(params["n"]), int(params["r"]), int(params["p"])
        if not (2**10 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16):
            raise ValueError("orimliga parametrar")
    except (ValueError, KeyError, TypeError):
        raise CorruptFileError(f"Den krypterade filen är skadad (huvudet går inte att läsa): {name}", path) \
            from None
    body = data[pos + 4 + size:]
    if len(body) < 12 + 16:
        raise CorruptFileError(f"Den krypterade filen är ofullständig: {name}", path)
    key = _derive(passphrase, salt, n, r, p)
    try:
        plaintext = AESGCM(key).decrypt(body[:12], body[12:], MAGIC + header)
    except InvalidTag:
        raise WrongPassphraseError(
            f"Fel lösenfras för {name} (eller så är filen skadad). Försök igen.", path) from None
    return plaintext, FileKey(key, header)


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
