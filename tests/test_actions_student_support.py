"""Helpers of the student action tests (chats, offers, form trackers), and the shared pure logic:
what « recherche » means and how offer references are read."""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker

from actions.student_common import offer_id_from, resolve_wanted
from tests.actions_support import chat_user
from tests.factories import employer_with_account, next_monday, offer_for
from tremplin.db import session_scope
from tremplin.models import Account, ChannelIdentity, Offer, Role
from tremplin.privacy.identifiers import external_hash
from tremplin.services.accounts import set_role, student_of
from sqlalchemy import select

DOMAIN_DIR = Path(__file__).resolve().parents[1] / "domain"
LEAKS = ("rue de la République", "M. Martin", "0477000000", "Boulangerie test")


def form_domain(form: str) -> dict[str, Any]:
    """The form's required slots, read from domain/core.yml (the contract the actions rely on)."""
    text = (DOMAIN_DIR / "core.yml").read_text(encoding="utf-8")
    match = re.search(rf"^  {form}:\n    required_slots: \[([^\]]*)\]", text, re.M)
    assert match, f"{form} not in domain/core.yml"
    slots = [s.strip() for s in match.group(1).replace("\n", " ").split(",") if s.strip()]
    return {"slots": {}, "forms": {form: {"required_slots": slots}}}


def form_tracker(sender: str, form: str, requested: str | None, candidates: dict[str, Any], *,
                 slots: dict[str, Any] | None = None, intent: str = "inform", text: str = "",
                 entities: list[dict] | None = None) -> Tracker:
    """What Rasa sends to validate_<form>: the slot candidates as the latest SlotSet events."""
    all_slots = {**(slots or {}), **candidates, "requested_slot": requested}
    events = [{"event": "user", "text": text}, {"event": "action", "name": form}] + [
        {"event": "slot", "name": k, "value": v} for k, v in candidates.items()]
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
    return Tracker(sender, all_slots, latest, events, False, None, {"name": form}, "action_listen")


async def student_chat(engine, name: str, *, first_name: str | None = "Léa", week: date | None = None,
                       home: str | None = "42094", role: Role = Role.STUDENT) -> str:
    """A registered chat whose account is a student (with a stage week and a home commune by default)."""
    sender = await chat_user(engine, name)
    async with session_scope(engine) as s:
        account = await s.scalar(select(Account).join(ChannelIdentity).where(
            ChannelIdentity.external_hash == external_hash("test", name)))
        await set_role(s, account, role)
        if role is Role.STUDENT:
            pupil = await student_of(s, account.id)
            pupil.first_name = first_name
            pupil.home_commune_insee = home
            if week is not False:
                week = week or next_monday()
                pupil.stage_start, pupil.stage_end = week, week + timedelta(days=4)
    return sender


async def offers(engine, count: int = 1, *, capacity: int = 1, week: date | None = None) -> list[int]:
    """Bakery offers in Feurs (with a street address and a contact that must never leak)."""
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        made = [await offer_for(s, employer, capacity=capacity, week=week) for _ in range(count)]
        return [o.id for o in made]


async def offer(engine, offer_id: int) -> Offer:
    async with session_scope(engine) as s:
        return await s.get(Offer, offer_id)


def assert_no_leak(text: str) -> None:
    for secret in LEAKS:
        assert secret not in text, f"{secret!r} leaked in: {text}"


# --- the pure logic ----------------------------------------------------------------------------

def test_recherche_understands_metiers_domains_and_environments():
    assert resolve_wanted("véto").rome_codes == ["A1504"]
    assert resolve_wanted("la santé").domain == "J"
    assert resolve_wanted("dehors avec des animaux").environments == ["exterieur", "animaux"]
    assert len(resolve_wanted("informatique").rome_codes) > 1  # several métiers: all of them are searched
    assert resolve_wanted("peu importe").status == "ok" and not resolve_wanted("peu importe").rome_codes
    typo = resolve_wanted("veterinere")
    assert typo.status == "suggestion" and typo.suggestions[0] == "Vétérinaire"
    assert resolve_wanted("xqzw").status == "unknown"
    assert resolve_wanted("dom:A").domain == "A"
    assert resolve_wanted("env:exterieur,animaux").rome_codes


def test_offer_references_are_ids_or_numbers_in_the_list():
    state = {"lat": 0, "lon": 0, "ids": [41, 42, 43]}
    assert offer_id_from("O-17", state) == 17
    assert offer_id_from("« Le fournil O2 » (réf. O-17)", None) == 17
    assert offer_id_from("2", state) == 42
    assert offer_id_from("la 3", state) == 43
    assert offer_id_from("9", state) is None
    assert offer_id_from("2", None) is None
    assert offer_id_from("n'importe", state) is None


def test_a_place_in_the_list_is_read_in_words():
    state = {"lat": 0, "lon": 0, "ids": [41, 42, 43]}
    assert offer_id_from("je postule à la première", state) == 41
    assert offer_id_from("la 1ère stp", state) == 41
    assert offer_id_from("je veux postuler à la 2", state) == 42
    assert offer_id_from("la deuxième", state) == 42
    assert offer_id_from("la dernière", state) == 43
    assert offer_id_from("la cinquième", state) is None           # not in a list of three
    assert offer_id_from("la 1 ou la 2", state) is None           # two places: not a choice
    assert offer_id_from("Bonjour, je voudrais voir le travail d'aide-soignant car ma tante le fait depuis 2 ans",
                         state) is None                           # a motivation is not a place in the list
