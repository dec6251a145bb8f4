"""What the user typed → what Rasa receives. Only the gateway's own commands become intents:
a user can never smuggle a `/intent{...}` payload to Rasa by typing it."""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from bot import texts

MAX_TEXT = 1000  # long enough for a motivation letter, short enough to stay a chat

# Telegram command → fixed Rasa intent (names from the NLU contract, issue 3).
COMMAND_INTENTS: dict[str, str] = {
    "start": "/greet",
    "aide": "/help",
    "annuler": "/cancel",
    "mes_candidatures": "/my_applications",
    "mes_offres": "/my_offers",
    "mes_donnees": "/show_my_data",
}
# Shown in Telegram's command menu (setMyCommands).
MENU: list[tuple[str, str]] = [
    ("start", "Commencer ou recommencer"),
    ("aide", "Ce que je sais faire"),
    ("annuler", "Annuler ce qui est en cours"),
    ("mes_candidatures", "Mes candidatures (élèves)"),
    ("mes_offres", "Mes offres (employeurs)"),
    ("mes_donnees", "Mes données personnelles"),
]

_COMMAND = re.compile(r"^/([A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?$", re.S)
_COMMAND_LIKE = re.compile(r"^/[A-Za-z0-9_]")
_CLASS_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,15}$")
_PARENT_CODE = re.compile(r"^[A-Z0-9]{4,16}$")


@dataclass(frozen=True)
class ToRasa:
    """A message for Rasa: either the user's plain text or a payload built by the gateway."""
    message: str


@dataclass(frozen=True)
class Answer:
    """The gateway answers by itself; nothing goes to Rasa."""
    text: str


def _payload(intent: str, **entities: str) -> str:
    return intent + json.dumps(entities, ensure_ascii=False)


def deep_link(arg: str) -> ToRasa | Answer:
    """`/start classe-<CODE>` joins a class, `/start parent-<CODE>` links a parent to a child."""
    kind, _, code = arg.strip().partition("-")
    code = code.strip().upper()
    if kind.lower() == "classe" and _CLASS_CODE.match(code):
        return ToRasa(_payload("/join_class", code=code))
    if kind.lower() == "parent":
        bare = code[2:] if code.startswith("P-") else code
        if _PARENT_CODE.match(bare):
            return ToRasa(_payload("/link_child", code="P-" + bare))
    return Answer(texts.BAD_LINK)


def from_command(name: str, arg: str = "") -> ToRasa | Answer:
    name = name.lower()
    if name == "start" and arg.strip():
        return deep_link(arg)
    if name in COMMAND_INTENTS:
        return ToRasa(COMMAND_INTENTS[name])
    return Answer(texts.UNKNOWN_COMMAND)


def is_emoji_only(text: str) -> bool:
    stripped = "".join(ch for ch in text if not ch.isspace())
    return bool(stripped) and not any(ch.isalnum() for ch in stripped) and any(
        unicodedata.category(ch) == "So" for ch in stripped)


def from_text(text: str, max_len: int = MAX_TEXT) -> ToRasa | Answer | None:
    """Classify typed text. None means there is nothing to answer (blank message)."""
    text = text.strip()
    if not text:
        return None
    if len(text) > max_len:
        return Answer(texts.TOO_LONG.format(limit=max_len))
    if text.startswith("/"):
        match = _COMMAND.match(text)
        if match:
            return from_command(match.group(1), match.group(2) or "")
        if _COMMAND_LIKE.match(text):  # "/apply{...}", "/greet?": an intent typed by hand
            return Answer(texts.UNKNOWN_COMMAND)
        text = text.lstrip("/ \t\n")  # "/ bonjour" is just text: never a payload
        if not text:
            return Answer(texts.UNKNOWN_COMMAND)
    if is_emoji_only(text):
        return Answer(texts.EMOJI_ONLY)
    return ToRasa(text)
