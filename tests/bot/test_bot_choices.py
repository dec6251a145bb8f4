"""A number typed for a choice offered earlier (bot/choices): after the role menu and a FAQ answer,
« 1 » is « Je suis élève » — in the terminal and on Telegram — but never when that keyboard was used,
a newer one replaced it, or a form question waits for a number (« Combien d'élèves… ? »)."""
from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot import texts
from bot.choices import Keyboard, Typed, open_keyboard, pick, typed_choice
from bot.rasa_client import RasaClient
from bot.relay import Relay
from bot.replies import Button
from bot.terminal import TerminalChat
from tests.support.fakes.bot_api import FakeBotAPI
from tests.support.fakes.db import migrated_sqlite
from tests.support.fakes.gateway import GatewayRunner
from tests.support.fakes.rasa_server import FakeRasa, text
from tremplin.privacy.conversations import dispose_tracker_engines
from tremplin.privacy.identifiers import external_hash

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

ELEVE, ENTREPRISE = '/declare_role{"role": "eleve"}', '/declare_role{"role": "entreprise"}'
PARENT, PROF = '/declare_role{"role": "parent"}', '/declare_role{"role": "enseignant"}'
SANTE, BTP = '/inform{"domaine": "Q"}', '/inform{"domaine": "F"}'
FAQ = "c koi une convention de stage"
FAQ_ANSWER = "La convention de stage est signée par le collège, l'entreprise et tes parents."
PUBLISH = "je voudrais publier une offre"
PLACES = "Combien d'élèves pouvez-vous accueillir sur chaque période (de 1 à 10) ?"
SCRIPT = {
    "/greet": [text("Bonjour ! Je suis Tremplin. Pour bien vous aider, dites-moi qui vous êtes :",
                    ("Je suis élève", ELEVE), ("Je suis une entreprise", ENTREPRISE),
                    ("Je suis parent", PARENT), ("Je suis enseignant·e", PROF))],
    FAQ: [text(FAQ_ANSWER)],
    ELEVE: [text("C'est noté, tu es élève 🎒 Tu cherches un stage ?")],
    PARENT: [text("C'est noté, vous êtes parent.")],
    ENTREPRISE: [text("C'est noté, vous êtes une entreprise.")],
    PUBLISH: [text(PLACES)],
    "je cherche un stage": [text("Dans quel domaine ?", ("Santé", SANTE), ("BTP", BTP))],
    SANTE: [text("Voici les offres dans la santé.")],
}


def fake_rasa(tmp_path: Path) -> FakeRasa:
    """Stores its turns where the front ends read Rasa's tracker store (TREMPLIN_DATA_DIR)."""
    (tmp_path / "var").mkdir(exist_ok=True)
    rasa = FakeRasa(SCRIPT, tracker_path=tmp_path / "var" / "rasa-trackers.db")
    rasa.intents = {FAQ: "faq", PUBLISH: "publish_offer", "je cherche un stage": "search"}
    rasa.slots = {PUBLISH: {"requested_slot": "offer_places"}}  # the form now waits for a number
    return rasa


# --- what counts as a typed choice ----------------------------------------------------------------

@pytest.mark.parametrize(("typed", "position", "bare"), [
    ("1", 1, True), (" 2 ", 2, True), ("1.", 1, True), ("3)", 3, True), ("le 1", 1, False), ("la 2", 2, False),
    ("n°1", 1, False), ("N° 2", 2, False), ("numéro 3", 3, False), ("choix 2", 2, False), ("premier", 1, False),
    ("la première", 1, False), ("le 2e", 2, False), ("1er", 1, False), ("la deuxième", 2, False)])
def test_typed_choices(typed: str, position: int, bare: bool) -> None:
    assert typed_choice(typed) == Typed(position, bare)


@pytest.mark.parametrize("typed", ["0", "123", "j'ai 2 frères", "1 place", "2 places", "le 1 et le 2", "bonjour",
                                   "", "C-4821", "du 1 au 5 février", "la"])
def test_not_typed_choices(typed: str) -> None:
    assert typed_choice(typed) is None


# --- which keyboard is still open (Rasa's tracker events) ----------------------------------------

def bot(message: str, *buttons: tuple[str, str], at: float | None = None) -> dict[str, Any]:
    return {"event": "bot", "timestamp": at or time.time(), "text": message,
            "data": {"buttons": [{"title": t, "payload": p} for t, p in buttons] or None}}


def user(message: str, intent: str = "nlu_fallback") -> dict[str, Any]:
    return {"event": "user", "text": message, "parse_data": {"intent": {"name": intent}}}


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


MENU = bot("Dites-moi qui vous êtes :", ("Je suis élève", ELEVE), ("Je suis une entreprise", ENTREPRISE))


def chosen(events: list[dict[str, Any]], typed: str, numbered: bool = True) -> str | None:
    button = pick(open_keyboard(events), typed_choice(typed), numbered)
    return button.title if button else None


def test_the_menu_stays_open_across_a_faq_answer() -> None:
    events = [{"event": "session_started"}, user("/greet", "greet"), MENU, user(FAQ, "faq"), bot(FAQ_ANSWER)]
    assert chosen(events, "1") == "Je suis élève"
    assert chosen(events, "le 2", numbered=False) == "Je suis une entreprise"
    assert chosen(events, "3") is None  # no third button: the text goes to Rasa


def test_a_keyboard_closed_or_replaced_is_never_chosen() -> None:
    start = [user("/greet", "greet"), MENU]
    pressed = start + [user(ELEVE, "declare_role"), bot("C'est noté.")]
    typed_as_button = start + [user("je suis élève", "declare_role"), bot("C'est noté.")]
    newer = start + [user("je cherche", "search"), bot("Quel domaine ?", ("Santé", SANTE)), user(FAQ, "faq"),
                     bot(FAQ_ANSWER)]
    form_question = start + [user(PUBLISH, "publish_offer"), {"event": "active_loop", "name": "publish_offer_form"},
                             slot("requested_slot", "offer_places"), bot(PLACES)]
    restarted = start + [{"event": "session_started"}, user(FAQ, "faq"), bot(FAQ_ANSWER)]
    expired = [user("/greet", "greet"), {**MENU, "timestamp": time.time() - 3 * 3600}, bot(FAQ_ANSWER)]
    for events in (pressed, typed_as_button, form_question, restarted, expired):
        assert chosen(events, "1") is None
    assert chosen(newer, "1") == "Santé"


def test_a_form_question_with_buttons_keeps_them_open() -> None:
    """A form's own question with buttons (asked after its requested_slot is set), then a FAQ answer."""
    events = [slot("requested_slot", "offer_confirm"), bot("Je la publie ?", ("Oui, publier", "/affirm"),
                                                           ("Non, corriger", "/deny")),
              user(FAQ, "faq"), bot(FAQ_ANSWER)]
    assert chosen(events, "2") == "Non, corriger"
    assert chosen(events + [slot("requested_slot", None), {"event": "active_loop", "name": None}], "2") is None


def test_a_question_asked_after_the_buttons_in_the_same_turn() -> None:
    """Suggestions, then the same question again: still open. A menu, then a new form question: closed."""
    asked = [slot("requested_slot", "recherche"), bot("Quel métier ?"), user("plonbier", "inform")]
    suggestions = asked + [bot("Tu voulais dire :", ("plombier", "/inform"), ("plâtrier", "/inform")),
                           slot("requested_slot", "recherche"), bot("Quel métier ?")]
    assert chosen(suggestions, "2", numbered=False) == "plâtrier"
    menu_then_form = [user("/greet", "greet"), MENU, {"event": "active_loop", "name": "join_form"},
                      slot("requested_slot", "places"), bot(PLACES)]
    assert chosen(menu_then_form, "1") is None


def test_a_number_a_button_names_is_a_value_and_cards_are_not_counted_on_telegram() -> None:
    distances = [bot("Jusqu'à quelle distance ?", ("5 km", "/inform"), ("10 km", "/inform")), bot("voici")]
    assert chosen(distances, "2") is None and chosen(distances, "1", numbered=False) is None  # 2 km, 1 km
    places = [bot("Combien ?", ("1 place", '/inform{"n": 1}'), ("2 places", '/inform{"n": 2}')), bot("voici")]
    assert chosen(places, "2") is None  # « 2 » is two places, not « the second button »
    assert chosen([bot("Plus loin ?", ("Oui", "/affirm"), ("Non", "/deny")), bot("voici")], "2") == "Non"
    cards = [user("boulangerie", "search"), bot("1. Fournil", ("Détails", "/show_more"), ("Postuler", "/apply")),
             bot("2. Boulangerie", ("Détails", "/show_more"), ("Postuler", "/apply")), bot("voici")]
    assert open_keyboard(cards) == Keyboard(tuple(Button(t, p) for t, p in [
        ("Détails", "/show_more"), ("Postuler", "/apply")] * 2), 2)
    assert chosen(cards, "3") == "Détails"  # the terminal numbers the turn's buttons 1 to 4
    assert chosen(cards, "la 2") is None and chosen(cards, "3", numbered=False) is None


# --- in the terminal ----------------------------------------------------------------------------

@pytest.fixture
async def rasa(tmp_path: Path) -> AsyncIterator[FakeRasa]:
    fake = fake_rasa(tmp_path)
    await fake.start()
    yield fake
    await fake.stop()
    await dispose_tracker_engines()


async def terminal(rasa: FakeRasa, lines: list[str]) -> tuple[list[str], list[str]]:
    """(what the terminal printed, what Rasa received) for these typed lines after the greeting."""
    out: list[str] = []
    pending = list(lines)

    async def read() -> str | None:
        return pending.pop(0) + "\n" if pending else None
    async with RasaClient(rasa.url) as client:
        await TerminalChat(Relay(client, "terminal"), "local-test", out.append).run(read)
    return out, [m for _, m in rasa.received]


@pytest.mark.parametrize(("typed", "title", "payload"), [
    ("1", "Je suis élève", ELEVE), ("le 2", "Je suis une entreprise", ENTREPRISE),
    ("1.", "Je suis élève", ELEVE), ("n°3", "Je suis parent", PARENT), ("premier", "Je suis élève", ELEVE)])
async def test_terminal_number_after_a_faq_answer_picks_the_menu(rasa: FakeRasa, typed: str, title: str,
                                                                 payload: str) -> None:
    out, sent = await terminal(rasa, [FAQ, typed])
    assert "   1. Je suis élève" in out[1] and out[2] == FAQ_ANSWER
    assert out[3:5] == [f"→ {title}", SCRIPT[payload][0]["text"]]
    assert sent == ["/greet", FAQ, payload]


async def test_terminal_used_keyboard_takes_the_number_as_text(rasa: FakeRasa) -> None:
    out, sent = await terminal(rasa, ["1", FAQ, "1"])  # the menu was used: « 1 » is text now
    assert out[2:] == ["→ Je suis élève", SCRIPT[ELEVE][0]["text"], FAQ_ANSWER, "Tu as dit : 1", "À bientôt 👋"]
    assert sent == ["/greet", ELEVE, FAQ, "1"]


async def test_terminal_form_question_takes_the_number_as_text(rasa: FakeRasa) -> None:
    out, sent = await terminal(rasa, [PUBLISH, "1"])  # the menu was never used, but a form asks now
    assert out[2:] == [PLACES, "Tu as dit : 1", "À bientôt 👋"]
    assert sent == ["/greet", PUBLISH, "1"]


async def test_terminal_number_picks_the_newest_keyboard(rasa: FakeRasa) -> None:
    out, sent = await terminal(rasa, [FAQ, "je cherche un stage", FAQ, "1"])
    assert "→ Santé" in out and "Voici les offres dans la santé." in out
    assert sent == ["/greet", FAQ, "je cherche un stage", FAQ, SANTE]


# --- on Telegram ----------------------------------------------------------------------------------

STUDENT = 777000222


@pytest.fixture
async def telegram(tmp_path: Path) -> AsyncIterator[tuple[FakeBotAPI, FakeRasa]]:
    api, fake = FakeBotAPI(), fake_rasa(tmp_path)
    await api.start()
    await fake.start()
    engine = await migrated_sqlite(tmp_path)
    gateway = GatewayRunner(api, fake.url, engine)
    await gateway.start()
    yield api, fake
    await gateway.stop()
    await engine.dispose()
    await fake.stop()
    await api.stop()
    await dispose_tracker_engines()


async def say(api: FakeBotAPI, typed: str) -> dict[str, Any]:
    count = len(api.sent[STUDENT])
    api.push_text(STUDENT, typed)
    return (await api.wait_messages(STUDENT, count + 1))[-1]


async def test_telegram_typed_number_after_a_faq_answer_presses_the_menu_once(telegram) -> None:
    api, rasa = telegram
    menu = await say(api, "/start")
    assert (await say(api, FAQ))["text"] == FAQ_ANSWER
    assert (await say(api, "le 1"))["text"] == SCRIPT[ELEVE][0]["text"]
    assert rasa.messages_from(external_hash("telegram", STUDENT)) == ["/greet", FAQ, ELEVE]
    api.press(STUDENT, menu, "Je suis parent")  # the keyboard was spent by the typed choice
    await api.wait_until(lambda: len(api.callback_answers) == 1)
    assert api.callback_answers[0].get("text") == texts.BUTTON_USED
    assert (await say(api, "1"))["text"] == "Tu as dit : 1"


async def test_telegram_number_is_text_for_a_pressed_keyboard(telegram) -> None:
    api, rasa = telegram
    menu = await say(api, "/start")
    api.press(STUDENT, menu, "Je suis une entreprise")
    await api.wait_messages(STUDENT, 2)
    assert (await say(api, FAQ))["text"] == FAQ_ANSWER
    assert (await say(api, "1"))["text"] == "Tu as dit : 1"
    assert rasa.messages_from(external_hash("telegram", STUDENT)) == ["/greet", ENTREPRISE, FAQ, "1"]


async def test_telegram_number_is_text_for_a_form_question(telegram) -> None:
    api, rasa = telegram
    await say(api, "/start")
    assert (await say(api, PUBLISH))["text"] == PLACES
    assert (await say(api, "1"))["text"] == "Tu as dit : 1"
    assert rasa.messages_from(external_hash("telegram", STUDENT)) == ["/greet", PUBLISH, "1"]


async def test_telegram_number_picks_the_newest_keyboard(telegram) -> None:
    api, rasa = telegram
    await say(api, "/start")
    await say(api, "je cherche un stage")
    await say(api, FAQ)
    assert (await say(api, "1"))["text"] == "Voici les offres dans la santé."
    assert rasa.messages_from(external_hash("telegram", STUDENT))[-1] == SANTE
