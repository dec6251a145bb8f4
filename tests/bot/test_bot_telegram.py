"""End-to-end: the real gateway against a fake Bot API and a fake Rasa, asserting what the user
actually receives — a student from /start to an application, buttons, restarts, outages."""
from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import pytest

from bot import texts
from bot.inputs import MENU
from bot.storage import TokenStore
from tests.support.fakes.bot_api import FakeBotAPI
from tests.support.fakes.db import migrated_sqlite
from tests.support.fakes.gateway import GatewayRunner
from tests.support.fakes.rasa_server import FakeRasa, text
from tremplin.privacy.identifiers import external_hash

# PTB's own rate limiter reads RetryAfter.retry_after, deprecated in 22.x (not our code).
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

STUDENT = 777000111
ROLE = '/declare_role{"role": "eleve"}'
APPLY = '/apply{"offer_id": 101, "week_start": "2027-01-11", "source": "search-results-page-1"}'
SCRIPT = {
    "/greet": [text("Salut ! Je suis Tremplin. Tu es :", ("Élève", ROLE),
                    ("Entreprise", '/declare_role{"role": "entreprise"}'), ("Parent", '/declare_role{"role": "parent"}'))],
    ROLE: [text("Super ! Quel métier ou quel domaine t'intéresse ?")],
    "boulangerie vers st etienne": [
        text("J'ai trouvé 2 offres près de Saint-Étienne :",
             ("Boulangerie Martin — Saint-Étienne (3 km)", APPLY),
             ("Fournil du Forez — Firminy (11 km)", APPLY.replace("101", "102")))],
    APPLY: [text("Écris-moi en quelques lignes pourquoi ce stage t'intéresse.")],
    "J'adore faire du pain avec mon grand-père": [
        text("C'est envoyé ✅ Ta candidature C-4821 est partie."), text("Je te préviens dès qu'il y a une réponse.")],
    "photo": [{"text": "Voici le plan", "image": "https://example.org/plan.png",
               "buttons": [{"title": "Le site de l'entreprise", "payload": "https://example.org"}]}],
    "long": [{"text": ("Une très longue réponse. " * 300).strip()}],
}


@pytest.fixture
async def env(tmp_path) -> AsyncIterator[tuple[FakeBotAPI, FakeRasa, GatewayRunner]]:
    api, rasa = FakeBotAPI(), FakeRasa(SCRIPT)
    await api.start()
    await rasa.start()
    engine = await migrated_sqlite(tmp_path)
    gateway = GatewayRunner(api, rasa.url, engine)
    await gateway.start()
    yield api, rasa, gateway
    await gateway.stop()
    await engine.dispose()
    await rasa.stop()
    await api.stop()


async def test_student_from_start_to_application(env) -> None:
    api, rasa, _ = env
    assert [c["command"] for c in api.commands] == [name for name, _ in MENU]
    api.push_text(STUDENT, "/start")
    [greeting] = await api.wait_messages(STUDENT, 1)
    assert greeting["text"].startswith("Salut !")
    assert [row[0]["text"] for row in greeting["reply_markup"]["inline_keyboard"]] == ["Élève", "Entreprise", "Parent"]

    api.press(STUDENT, greeting, "Élève")
    await api.wait_messages(STUDENT, 2)
    assert greeting["text"].endswith("➡️ Élève") and "reply_markup" not in greeting  # edited, keyboard gone
    assert api.callback_answers and "text" not in api.callback_answers[0]

    api.push_text(STUDENT, "boulangerie vers st etienne")
    offers = (await api.wait_messages(STUDENT, 3))[2]
    datas = [row[0]["callback_data"] for row in offers["reply_markup"]["inline_keyboard"]]
    assert all(len(d.encode()) <= 64 for d in datas) and len(APPLY.encode()) > 64
    api.press(STUDENT, offers, "Boulangerie Martin — Saint-Étienne (3 km)")
    await api.wait_messages(STUDENT, 4)
    api.push_text(STUDENT, "J'adore faire du pain avec mon grand-père")
    await api.wait_messages(STUDENT, 6)

    assert api.texts(STUDENT)[3:] == ["Écris-moi en quelques lignes pourquoi ce stage t'intéresse.",
                                      "C'est envoyé ✅ Ta candidature C-4821 est partie.",
                                      "Je te préviens dès qu'il y a une réponse."]
    sender = external_hash("telegram", STUDENT)
    assert rasa.received == [(sender, m) for m in ["/greet", ROLE, "boulangerie vers st etienne", APPLY,
                                                   "J'adore faire du pain avec mon grand-père"]]
    assert str(STUDENT) not in sender


async def test_a_button_works_once_and_only_for_its_user(env) -> None:
    api, rasa, _ = env
    api.push_text(STUDENT, "/start")
    [greeting] = await api.wait_messages(STUDENT, 1)
    snapshot = json.loads(json.dumps(greeting))  # the message as the client still shows it
    api.press(STUDENT, snapshot, "Élève")
    api.press(STUDENT, snapshot, "Parent")       # a sibling, pressed by a quick double tap
    api.press(STUDENT + 1, snapshot, "Élève")    # someone else replaying the callback data
    api.press_data(STUDENT, snapshot, "forged-token")
    await api.wait_until(lambda: len(api.callback_answers) == 4)
    await api.wait_messages(STUDENT, 2)
    answers = sorted(a.get("text", "") for a in api.callback_answers)
    assert answers == sorted(["", texts.BUTTON_USED, texts.BUTTON_EXPIRED, texts.BUTTON_EXPIRED])
    assert [m for _, m in rasa.received] == ["/greet", ROLE]


async def test_restart_in_the_middle_of_a_conversation(env) -> None:
    api, rasa, gateway = env
    first = api.push_text(STUDENT, "/start")
    [greeting] = await api.wait_messages(STUDENT, 1)
    await gateway.restart()
    api.push_raw(first)  # Telegram re-delivers an update the old process had already handled
    api.press(STUDENT, greeting, "Élève")  # a button sent before the restart still works
    await api.wait_messages(STUDENT, 2)
    api.push_text(STUDENT, "boulangerie vers st etienne")
    await api.wait_messages(STUDENT, 3)
    assert [m for _, m in rasa.received] == ["/greet", ROLE, "boulangerie vers st etienne"]
    assert api.texts(STUDENT)[1] == "Super ! Quel métier ou quel domaine t'intéresse ?"


async def test_rasa_down_for_a_few_seconds(env, caplog: pytest.LogCaptureFixture) -> None:
    api, rasa, _ = env
    caplog.set_level(logging.DEBUG, logger="bot")
    rasa.down = True
    api.push_text(STUDENT, "bonjour")
    await api.wait_messages(STUDENT, 1)
    assert api.texts(STUDENT) == [texts.BUSY]
    rasa.down = False
    await api.wait_messages(STUDENT, 2)
    assert api.texts(STUDENT) == [texts.BUSY, "Tu as dit : bonjour"]
    assert [m for _, m in rasa.received] == ["bonjour"]
    assert "rasa unavailable for" in caplog.text  # logged, but pseudonymously
    assert str(STUDENT) not in caplog.text and "bonjour" not in caplog.text


async def test_order_per_chat_and_concurrency_across_chats(env) -> None:
    api, rasa, _ = env
    rasa.delays = {"un": 0.6, "deux": 0.0, "trois": 0.1}
    for word in ("un", "deux", "trois"):
        api.push_text(STUDENT, word)
    other = STUDENT + 5
    api.push_text(other, "vite")
    await api.wait_messages(other, 1)
    assert len(api.sent[STUDENT]) == 0  # the other chat did not wait behind the slow "un"
    await api.wait_messages(STUDENT, 3)
    assert api.texts(STUDENT) == ["Tu as dit : un", "Tu as dit : deux", "Tu as dit : trois"]


async def test_duplicate_updates_are_processed_once(env) -> None:
    api, rasa, _ = env
    update = api.push_text(STUDENT, "salut")
    api.push_raw(update)
    api.push_raw(update)
    api.push_text(STUDENT, "encore")
    await api.wait_messages(STUDENT, 2)
    assert [m for _, m in rasa.received] == ["salut", "encore"]


async def test_kind_answers_without_rasa(env) -> None:
    api, rasa, _ = env
    api.push_content(STUDENT, sticker={"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1,
                                       "height": 1, "is_animated": False, "is_video": False})
    api.push_content(STUDENT, photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}],
                     caption="ma photo")
    api.push_content(STUDENT, voice={"file_id": "v", "file_unique_id": "v", "duration": 2})
    api.push_content(STUDENT, document={"file_id": "d", "file_unique_id": "d"})
    api.push_text(STUDENT, "x" * 1500)
    api.push_text(STUDENT, "👍")
    api.push_text(STUDENT, '/greet')
    api.push_text(STUDENT, '/apply{"offer_id": 1}')
    await api.wait_messages(STUDENT, 8)
    assert api.texts(STUDENT) == [texts.NON_TEXT] * 4 + [
        texts.TOO_LONG.format(limit=1000), texts.EMOJI_ONLY, texts.UNKNOWN_COMMAND, texts.UNKNOWN_COMMAND]
    assert rasa.received == []


async def test_groups_are_refused_politely(env) -> None:
    api, rasa, _ = env
    api.push_text(-100123, "salut le bot", user_id=STUDENT, chat_type="supergroup")
    await api.wait_until(lambda: -100123 in api.left_chats)
    assert api.texts(-100123) == [texts.GROUP_REFUSAL] and rasa.received == []


async def test_deep_links(env) -> None:
    api, rasa, _ = env
    api.push_text(STUDENT, "/start classe-4b7k2")
    api.push_text(STUDENT + 1, "/start parent-P-ABCD2345")
    api.push_text(STUDENT + 2, '/start classe-X"}{')
    await api.wait_messages(STUDENT, 1)
    await api.wait_messages(STUDENT + 1, 1)
    await api.wait_messages(STUDENT + 2, 1)
    assert sorted(m for _, m in rasa.received) == ['/join_class{"code": "4B7K2"}', '/link_child{"code": "P-ABCD2345"}']
    assert api.texts(STUDENT + 2) == [texts.BAD_LINK]


async def test_retry_after_and_long_or_illustrated_replies(env) -> None:
    api, rasa, _ = env
    api.fail_next["sendMessage"].append((429, "Too Many Requests: retry after 1", 1))
    api.push_text(STUDENT, "long")
    await api.wait_messages(STUDENT, 2, timeout=15)
    assert all(len(t) <= 4096 for t in api.texts(STUDENT)) and api.texts(STUDENT)[0].startswith("Une très")
    api.push_text(STUDENT, "photo")
    await api.wait_messages(STUDENT, 3)
    illustrated = api.sent[STUDENT][2]
    assert illustrated["caption"] == "Voici le plan" and "photo" in illustrated
    assert illustrated["reply_markup"]["inline_keyboard"] == [[{"text": "Le site de l'entreprise",
                                                                "url": "https://example.org"}]]


async def test_tokens_survive_in_the_database(tmp_path) -> None:
    from bot.replies import Button
    engine = await migrated_sqlite(tmp_path)
    store = TokenStore(engine)
    [token] = await store.issue("sender-a", [Button("Oui", "/affirm")])
    assert len(token.encode()) <= 64
    again = TokenStore(engine)  # a new process
    assert (await again.redeem(token, "sender-b")).status == "unknown"
    assert (await again.redeem(token, "sender-a")).payload == "/affirm"
    assert (await again.redeem(token, "sender-a")).status == "used"
    await engine.dispose()
