"""Identifiers that never reveal who a user is: keyed hashes for lookups, random pseudonyms for logs,
and sealed (encrypted) chat addresses that only the notifier opens to deliver a message."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from tremplin.settings import get_settings

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and retyped


_CHARS = "A-HJ-NP-Z2-9"  # _ALPHABET as a regex class
APPLICATION_PREFIX = "C-"  # an application, quoted by the pupil, the employer and the teacher
JOIN_PREFIX = "J-"  # a request to become a contact of a company
CODE_LENGTH = 6
TERMINAL_USER_FILE = "terminal-user"


def _prefixed_code(prefix: str) -> re.Pattern[str]:
    """« C-4K8MQZ » in any case; without the dash only in capitals (« C4K8MQZ » copied from a message),
    so that a word such as « chambre » is never read as the code « C-HAMBRE »."""
    letter = prefix.rstrip("-")
    return re.compile(rf"\b(?:[{letter}{letter.lower()}]-((?i:[{_CHARS}]){{{CODE_LENGTH}}})"
                      rf"|{letter}([{_CHARS}]{{{CODE_LENGTH}}}))\b")


_APPLICATION_CODE = _prefixed_code(APPLICATION_PREFIX)
_JOIN_CODE = _prefixed_code(JOIN_PREFIX)


def random_code(length: int, alphabet: str = _ALPHABET) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_application_code() -> str:
    """An application's public code: what the pupil, the employer and the teacher quote."""
    return APPLICATION_PREFIX + random_code(CODE_LENGTH)


def new_join_code() -> str:
    return JOIN_PREFIX + random_code(CODE_LENGTH)


def find_application_code(text: str | None) -> str | None:
    """The first application code in `text`, as stored ("C-4K8MQZ"); None when there is none.
    The one parser of application codes: same alphabet as the codes made by new_application_code."""
    return _find(_APPLICATION_CODE, APPLICATION_PREFIX, text)


def find_join_code(text: str | None) -> str | None:
    """"accepter j-4k8mqz" → "J-4K8MQZ"; None when the text holds no join-request code."""
    return _find(_JOIN_CODE, JOIN_PREFIX, text)


def _find(pattern: re.Pattern[str], prefix: str, text: str | None) -> str | None:
    match = pattern.search(text or "")
    return prefix + (match.group(1) or match.group(2)).upper() if match else None


def terminal_user_id(data_dir: Path) -> str:
    """The local terminal chat's random user id, kept under the data directory so that the same person
    keeps their account (and `tremplin admin grant-terminal` finds it); made on first use."""
    path = data_dir / TERMINAL_USER_FILE
    if path.exists() and (kept := path.read_text().strip()):
        return kept
    data_dir.mkdir(parents=True, exist_ok=True)
    user = "local-" + secrets.token_hex(8)
    path.write_text(user + "\n")
    return user


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
