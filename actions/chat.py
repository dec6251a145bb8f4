"""What actions of every role use to talk in the chat beyond plain text: who may do what, codes read
from a payload or from free text, buttons, files sent to the chat, and vouvoiement of date errors."""
from __future__ import annotations

import base64
import re

from actions.base import Turn
from tremplin.models import Role
from tremplin.privacy.identifiers import find_application_code
from tremplin.services.errors import DomainError, Forbidden

# The date parser speaks to students; teachers read the same hints with "vous".
_VOUS = [
    ("Tu peux écrire", "Vous pouvez écrire"), ("tu peux aussi donner", "vous pouvez aussi donner"),
    ("peux-tu vérifier", "pouvez-vous vérifier"), ("Indique une", "Indiquez une"),
    ("indique une", "indiquez une"), ("choisis une", "choisissez une"), ("choisis la", "choisissez la"),
    ("dans ta date : écris-la", "dans votre date : écrivez-la"), ("Donne-moi", "Donnez-moi"),
    ("donne-moi directement la semaine de ton stage", "donnez-moi directement la semaine du stage"),
    ("dis-moi ta ville ou ton département (ou ta zone", "indiquez la commune ou le département (ou la zone"),
    ("ou donne ", "ou donnez "),
]

NUMBER = re.compile(r"\b(\d{1,9})\b")


def vous(text: str) -> str:
    for tu, formal in _VOUS:
        text = text.replace(tu, formal)
    return text


def require_role(turn: Turn, *roles: Role, message: str) -> None:
    """Refuse (with a French sentence) unless the account has one of `roles`."""
    if turn.account is None or turn.account.role not in roles:
        raise Forbidden("role_required", message)


def button(title: str, intent: str, **entities: str | int) -> dict[str, str]:
    """A button whose payload names an intent and its entities; every id is checked again on use."""
    if not entities:
        return {"title": title, "payload": f"/{intent}"}
    inner = ", ".join(f'"{key}": "{value}"' for key, value in entities.items())
    return {"title": title, "payload": f"/{intent}{{{inner}}}"}



def yes_no(yes: str, no: str) -> list[dict[str, str]]:
    """The two buttons of a yes/no question: `affirm` and `deny`."""
    return [button(yes, "affirm"), button(no, "deny")]

def latest_text(turn: Turn) -> str:
    """What the user typed; a button payload ("/intent{...}") is not a text."""
    text = (turn.tracker.latest_message or {}).get("text") or ""
    return "" if text.startswith("/") else text.strip()


def application_code(turn: Turn) -> str | None:
    """A "C-XXXXXX" code from this message's `code` entity or text (never an old slot value)."""
    for candidate in (turn.entity("code"), latest_text(turn)):
        if code := find_application_code(str(candidate or "")):
            return code
    return None


def number(turn: Turn) -> int | None:
    """An id given by a button (`nombre` entity) or typed ("valider l'offre 12")."""
    for candidate in (turn.entity("nombre"), latest_text(turn)):
        match = NUMBER.search(str(candidate or ""))
        if match:
            return int(match.group(1))
    return None


def send_document(turn: Turn, filename: str, content: str, mime_type: str = "text/csv") -> None:
    """rasa-sdk only carries text and json: the front ends turn this custom message into a file."""
    encoded = base64.b64encode(content.encode("utf-8")).decode("ascii")
    turn.dispatcher.utter_message(json_message={"document": {
        "filename": filename, "mime_type": mime_type, "content_base64": encoded}})


def safe_filename(text: str) -> str:
    from tremplin.text import normalize

    return re.sub(r"[^a-z0-9]+", "-", normalize(text)).strip("-") or "classe"


def say_error(turn: Turn, err: DomainError, formal: bool | None = None) -> None:
    turn.say(vous(err.message) if (turn.formal if formal is None else formal) else err.message)
