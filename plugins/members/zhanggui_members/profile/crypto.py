"""Encryption of personal fields at rest, and keyed hashes for exact look-up.

Two keys are derived with HKDF-SHA256 from the ``FIELD_KEY`` setting (or, when it is
not set, from ``SECRET_KEY``), one per purpose, so the hash key never doubles as the
encryption key:

* **encryption** – AES-256-GCM with a fresh random 96-bit nonce per value
  (probabilistic: the same phone encrypts differently every time, so ciphertexts
  reveal nothing, not even equality).  The purpose (``members.phone``) is bound as
  associated data, so a ciphertext copied into another field does not decrypt.
  Stored as text ``v1.<base64url(nonce || ciphertext || tag)>``; the version prefix
  leaves room for key rotation.
* **look-up** – HMAC-SHA256 of the normalised value (deterministic: equal phones give
  equal hashes, the database can index it, and without the key nobody can test the
  roughly 10^9 possible mobile numbers against it).

Changing ``FIELD_KEY`` (or ``SECRET_KEY`` when ``FIELD_KEY`` is unset) makes stored
phones unreadable and unfindable: production installations should set ``FIELD_KEY``
explicitly and back it up with the database.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1"
_SALT = b"zhanggui.members.field-keys.v1"
_NONCE_BYTES = 12


class FieldDecryptionError(ValueError):
    """A stored value does not decrypt with the configured key (wrong key or tampering)."""


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=purpose).derive(secret)


@dataclass(frozen=True)
class FieldCipher:
    """Encrypts, decrypts and hashes one kind of personal field (e.g. phones)."""

    purpose: str
    _aead: AESGCM
    _hash_key: bytes

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), self.purpose.encode())
        return f"{VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, token: str) -> str:
        version, _, body = token.partition(".")
        if version != VERSION or not body:
            raise FieldDecryptionError(f"unknown field encryption format {version!r}")
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
            plain = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:],
                                       self.purpose.encode())
        except (InvalidTag, ValueError) as exc:
            raise FieldDecryptionError("stored value does not decrypt with the configured "
                                       "FIELD_KEY") from exc
        return plain.decode("utf-8")

    def lookup_hash(self, normalised: str) -> str:
        """Hex HMAC-SHA256 of an already normalised value."""
        return hmac.new(self._hash_key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


@lru_cache(maxsize=8)
def cipher_for_secret(secret: str, purpose: str) -> FieldCipher:
    """The cipher of ``purpose`` for a key (HKDF is cheap, but not per row)."""
    material = secret.encode("utf-8")
    return FieldCipher(
        purpose=purpose,
        _aead=AESGCM(_derive(material, f"zhanggui {purpose} encryption".encode())),
        _hash_key=_derive(material, f"zhanggui {purpose} lookup".encode()),
    )


def field_secret(settings: dict) -> str:
    """``FIELD_KEY`` if set, else ``SECRET_KEY``."""
    secret = settings.get("FIELD_KEY") or settings.get("SECRET_KEY")
    if not secret:
        raise RuntimeError("neither FIELD_KEY nor SECRET_KEY is configured")
    return secret


def phone_cipher() -> FieldCipher:
    """The phone cipher of the current application."""
    from flask import current_app

    return cipher_for_secret(field_secret(current_app.extensions["zhanggui"].settings),
                             "members.phone")
