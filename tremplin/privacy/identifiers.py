"""Identifiers that never reveal who a user is: keyed hashes for lookups, random pseudonyms for logs,
and sealed (encrypted) chat addresses that only the notifier opens to deliver a message."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken

from tremplin.settings import get_settings

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and retyped


def random_code(length: int, alphabet: str = _ALPHABET) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_pseudonym() -> str:
    return "u" + secrets.token_hex(6)


def external_hash(channel: str, external_id: str | int) -> str:
    """HMAC of the channel id: stable for lookups, useless to anyone without the secret key."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"{channel}:{external_id}".encode(), hashlib.sha256).hexdigest()


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"seal:" + get_settings().secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(value: str | int) -> str:
    return _fernet().encrypt(str(value).encode()).decode()


def unseal(token: str) -> str | None:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def hash_code(code: str) -> str:
    """Single-use codes are stored hashed, so a database leak does not hand them out."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, b"code:" + code.strip().upper().encode(), hashlib.sha256).hexdigest()
