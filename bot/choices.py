"""A choice typed instead of pressed: « 1 », « le 2 », « 1. », « n°1 », « la première » name a
button of the last keyboard the user was offered, also when the bot said something without buttons
since (a FAQ answer, a « voici » text), as long as that keyboard is still open.

Rasa's tracker store is the record every front end shares (bot events with their buttons, what the
user sent, the form's `requested_slot`), so the decision is made here, once, from it. A keyboard is
still open until:
- the user answered it (pressed one of its buttons, or typed something Rasa read as one of them);
- a newer message carries buttons (that one is now « the » keyboard);
- a form asks something else (`requested_slot` changes, a form starts or ends): « Combien de
  places ? » takes « 1 » as the number 1, never as a menu choice;
- the conversation restarted, or its session expired.
When the buttons hold numbers (« 5 km », « 2 places », dates), a typed number is a value, never a position.
Front ends press the button with its payload; anything else is sent as typed."""
from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.replies import Button, parse_rasa
from bot.storage import TokenStore
from tremplin.db import retry_unavailable
from tremplin.text import normalize

log = logging.getLogger(__name__)

OPEN_FOR = 120 * 60  # seconds: Rasa's session (domain/core.yml session_expiration_time)
WINDOW = 400  # the conversation's latest events read from the tracker store
_ORDINALS = {"premier": 1, "premiere": 1, "deuxieme": 2, "second": 2, "seconde": 2, "troisieme": 3,
             "quatrieme": 4, "cinquieme": 5, "sixieme": 6, "septieme": 7, "huitieme": 8, "neuvieme": 9,
             "dixieme": 10}
_NTH = re.compile(r"^(\d{1,2})(?:er|ere|re|e|eme|nd|nde)$")  # 1er, 2e, 3eme, 2nd
_FILLERS = {"le", "la", "l", "choix", "numero", "num", "no", "n", "c", "est", "bouton", "option"}
_NUMERO_SIGN = re.compile(r"\bn\s*[°º]|#")  # « n°1 », « nº 2 », « #3 » (unidecode makes ° « deg »)
_NUMBER_IN_TITLE = re.compile(r"\d+")
ENDING = {"session_started", "restart", "rewind", "undo"}


@dataclass(frozen=True)
class Typed:
    """A typed choice: its position (1 = the first button) and whether it is a bare number."""
    position: int
    bare: bool  # « 1 », « 1. »: the number shown in front of a button, not « la première »


def typed_choice(text: str) -> Typed | None:
    """« 1 », « 1. », « 2) », « le 1 », « la 2 », « n°1 », « numéro 3 », « choix 2 », « premier »,
    « la première », « le 2e »; None for anything else (« j'ai 2 frères », « 1 place »)."""
    raw = text.strip().lower()
    bare = re.fullmatch(r"(\d{1,2})\s*[.)]?", raw)
    if bare:
        position = int(bare.group(1))
        return Typed(position, True) if position >= 1 else None
    words = [w for w in normalize(_NUMERO_SIGN.sub(" numero ", raw)).split() if w not in _FILLERS]
    if len(words) != 1:
        return None
    word = words[0]
    if word.isdigit() and len(word) <= 2:
        position = int(word)
    elif (nth := _NTH.match(word)) is not None:
        position = int(nth.group(1))
    else:
        position = _ORDINALS.get(word, 0)
    return Typed(position, False) if position >= 1 else None


@dataclass(frozen=True)
class Keyboard:
    """The buttons (links left out) of the bot's last turn that offered some, numbered 1… in order."""
    buttons: tuple[Button, ...]
    messages: int  # how many messages carried them (several: a list of cards)


def _buttons(event: dict[str, Any]) -> tuple[Button, ...]:
    data = event.get("data") or {}
    replies = parse_rasa([{"text": event.get("text") or "-", "buttons": data.get("buttons"),
                           "quick_replies": data.get("quick_replies"), "custom": data.get("custom")}])
    return tuple(b for reply in replies for b in reply.buttons if not b.is_link)


def _intent(payload: str) -> str | None:
    match = re.match(r"^/([A-Za-z0-9_]+)", payload)
    return match.group(1) if match else None


def open_keyboard(events: Sequence[dict[str, Any]], now: float | None = None) -> Keyboard | None:
    """The keyboard still open in these tracker events (oldest first), or None."""
    start = max((i + 1 for i, e in enumerate(events) if e.get("event") in ENDING), default=0)
    events = events[start:]
    last = next((i for i in range(len(events) - 1, -1, -1)
                 if events[i].get("event") == "bot" and _buttons(events[i])), None)
    if last is None:
        return None
    if float(events[last].get("timestamp") or 0) < (now or time.time()) - OPEN_FOR:
        return None
    shown: list[tuple[Button, ...]] = []
    for event in reversed(events[:last + 1]):  # the buttons of that turn, back to the user's message
        if event.get("event") == "user":
            break
        if event.get("event") == "bot" and (buttons := _buttons(event)):
            shown.insert(0, buttons)
    buttons = tuple(b for group in shown for b in group)
    asked = next((e.get("value") for e in reversed(events[:last])
                  if e.get("event") == "slot" and e.get("name") == "requested_slot"), None)
    payloads = {b.payload for b in buttons}
    intents = {_intent(p) for p in payloads} - {None}
    for event in events[last + 1:]:
        kind = event.get("event")
        if kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if event.get("text") in payloads or intent in intents:
                return None  # answered: pressed, or typed as one of its buttons
        elif kind == "slot" and event.get("name") == "requested_slot" and event.get("value") != asked:
            return None  # a form asks something else now
        elif kind == "active_loop":
            return None  # a form started or ended since
    return Keyboard(buttons, len(shown))


def pick(keyboard: Keyboard | None, typed: Typed | None, numbered: bool) -> Button | None:
    """The button a typed choice names. `numbered`: the front end shows numbers in front of the
    buttons (the terminal), one sequence across the turn's messages; otherwise (Telegram) only a
    turn with a single keyboard is counted in."""
    if keyboard is None or typed is None or not 1 <= typed.position <= len(keyboard.buttons):
        return None
    if keyboard.messages > 1 and not (numbered and typed.bare):
        return None  # a list of cards: « la 2 » names a card, and Telegram shows no numbers
    if any(_NUMBER_IN_TITLE.search(b.title) for b in keyboard.buttons):
        return None  # buttons that are numbers (« 5 km », « 2 places », dates): « 2 » is a value too
    return keyboard.buttons[typed.position - 1]


async def conversation_events(sender: str, engine: AsyncEngine | None = None) -> list[dict[str, Any]]:
    """The sender's latest events in Rasa's tracker store, oldest first ([] if there is none yet)."""
    from tremplin.privacy.conversations import _has_events, events, tracker_engine

    engine = engine or tracker_engine()
    url = engine.url
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return []  # Rasa never ran here: no tracker store yet
    async with engine.connect() as conn:
        if not await _has_events(conn):
            return []
        rows = await conn.execute(select(events.c.data).where(events.c.sender_id == sender)
                                  .order_by(events.c.id.desc()).limit(WINDOW))
        found = []
        for row in rows:
            try:
                found.append(json.loads(row.data))
            except (TypeError, ValueError):
                continue
    return [e for e in reversed(found) if isinstance(e, dict)]


async def offered_choice(sender: str, text: str, numbered: bool,
                         engine: AsyncEngine | None = None) -> Button | None:
    """The button of a still-open keyboard that this typed text chooses, or None (send the text)."""
    typed = typed_choice(text)
    if typed is None:
        return None
    try:
        events = await conversation_events(sender, engine)
    except Exception:  # noqa: BLE001 - the text is then sent as typed, as before
        log.warning("could not read the tracker store to place a typed choice", exc_info=True)
        return None
    return pick(open_keyboard(events), typed, numbered)


async def telegram_choice(tokens: TokenStore, sender: str, text: str) -> str | None:
    """On Telegram (keyboards unnumbered, single use): the payload of the button a typed number
    chooses in the last keyboard, that keyboard then spent like a press; None: send the text."""
    button = await offered_choice(sender, text, numbered=False)
    if button is None:
        return None
    spent = await retry_unavailable(lambda: tokens.redeem_latest(sender, button.payload), "button")
    return button.payload if spent.status == "ok" else None
