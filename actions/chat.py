"""What actions of every role use to talk in the chat beyond plain text: who may do what, codes read
from a payload or from free text, buttons, files sent to the chat."""
from __future__ import annotations

import base64
import re

from actions.base import Turn
from tremplin.models import Account, Role
from tremplin.privacy.identifiers import find_application_code
from tremplin.services.errors import Forbidden

NUMBER = re.compile(r"\b(\d{1,9})\b")


def require_role(turn: Turn, *roles: Role, message: str) -> Account:
    """Refuse (with a French sentence) unless the account has one of `roles`."""
    if turn.account is None or turn.account.role not in roles:
        raise Forbidden("role_required", message)
    return turn.account


def signed_in(turn: Turn) -> Account:
    """The account of a turn that a guard already let through (a role's base class, require_role,
    require_admin): they refuse a turn without an account before this is reached."""
    if turn.account is None:
        raise RuntimeError("a guarded action ran without an account")
    return turn.account


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
