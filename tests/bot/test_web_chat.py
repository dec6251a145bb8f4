"""Web chat over the real Relay and a fake Rasa: session cookie as channel identity, buttons as
tokens, WebSocket and POST fallback, no-JavaScript forms, security headers, widget."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.rasa_client import RasaClient
from bot.relay import Relay
from bot.storage import ensure_tables
from tests.support.fakes.rasa_server import FakeRasa, text
from tests.support.web import web_client
from tremplin.models import ChannelIdentity

PAYLOAD = '/declare_role{"role": "eleve"}'


@pytest.fixture
async def rasa() -> AsyncIterator[FakeRasa]:
    fake = FakeRasa({"/greet": [text("Salut ! Tu es ?", ("Élève", PAYLOAD), ("Site", "https://example.org/x"))],
                     PAYLOAD: [text("Super, bienvenue !")]})
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def chat(rasa, engine):
    await ensure_tables(engine)
    async with RasaClient(rasa.url) as client:
        relay = Relay(client, "web", engine, retry_delays=())
        async with web_client(engine, relay) as http:
            yield http


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def test_page_sets_a_secure_session_cookie_and_strict_headers(chat):
    response = await chat.get("/")
    html = await response.text()
    assert response.status == 200 and 'lang="fr"' in html and "<script" in html
    cookie = response.cookies["tremplin_web"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Access-Control-Allow-Origin" not in response.headers
    widget = await chat.get("/widget.js")
    assert widget.headers["Access-Control-Allow-Origin"] == "*" and "iframe" in await widget.text()
    assert "frame-ancestors *" in (await chat.get("/widget")).headers["Content-Security-Policy"]


async def test_websocket_conversation_with_button_tokens(chat, rasa, engine):
    await chat.get("/")
    async with chat.ws_connect("/chat/ws") as ws:
        await ws.send_json({"text": "/start"})
        assert (await ws.receive_json())["type"] == "typing"
        items = (await ws.receive_json())["items"]
        buttons = items[0]["buttons"]
        assert buttons[1] == {"title": "Site", "url": "https://example.org/x"}
        token = buttons[0]["token"]
        assert PAYLOAD not in str(items) and token
        await ws.send_json({"button": "forged-token"})
        await ws.receive_json()
        assert "déjà servi" in (await ws.receive_json())["items"][0]["text"]
        await ws.send_json({"button": token})
        await ws.receive_json()
        items = (await ws.receive_json())["items"]
        assert items[0] == {"who": "user", "text": "Élève", "buttons": []}
        assert items[1]["text"] == "Super, bienvenue !"
        await ws.send_json({"button": token})  # the same button twice: refused
        await ws.receive_json()
        assert "déjà servi" in (await ws.receive_json())["items"][0]["text"]
    senders = {s for s, _ in rasa.received}
    assert len(senders) == 1
    async with engine.connect() as conn:
        channels = (await conn.execute(select(ChannelIdentity.channel))).scalars().all()
    assert channels == ["web"]
    assert rasa.metadata[-1] == {"channel": "web"}


async def test_websocket_refuses_another_origin_and_no_session(chat):
    from aiohttp import WSServerHandshakeError
    with pytest.raises(WSServerHandshakeError):
        await chat.ws_connect("/chat/ws")
    await chat.get("/")
    with pytest.raises(WSServerHandshakeError):
        await chat.ws_connect("/chat/ws", headers={"Origin": "https://evil.example"})


async def test_post_fallback_needs_the_csrf_header(chat, rasa):
    html = await (await chat.get("/")).text()
    refused = await chat.post("/chat/messages", json={"text": "coucou"})
    assert refused.status == 403
    ok = await chat.post("/chat/messages", json={"text": "coucou"}, headers={"X-CSRF-Token": csrf_of(html)})
    items = (await ok.json())["items"]
    assert [i["text"] for i in items] == ["coucou", "Tu as dit : coucou"]


async def test_without_javascript_forms_work_and_the_transcript_is_shown(chat):
    html = await (await chat.get("/")).text()
    csrf = csrf_of(html)
    assert (await chat.post("/chat/send", data={"text": "bonjour"})).status == 403
    response = await chat.post("/chat/send", data={"csrf": csrf, "text": "bonjour"})
    page = await response.text()
    assert "Tu as dit : bonjour" in page
    response = await chat.post("/chat/send", data={"csrf": csrf, "text": "/start"})
    token = re.findall(r'name="button" value="([^"]+)"', await response.text())[-1]
    page = await (await chat.post("/chat/send", data={"csrf": csrf, "button": token})).text()
    assert "Super, bienvenue !" in page


async def test_another_browser_is_another_identity(chat, rasa, engine):
    await chat.get("/")
    async with chat.ws_connect("/chat/ws") as ws:
        await ws.send_json({"text": "un"})
        await ws.receive_json(), await ws.receive_json()
    chat.session.cookie_jar.clear()
    await chat.get("/")
    async with chat.ws_connect("/chat/ws") as ws:
        await ws.send_json({"text": "deux"})
        await ws.receive_json(), await ws.receive_json()
    assert len({s for s, _ in rasa.received}) == 2


async def test_static_files_are_served_by_the_app(chat):
    for name in ("chat.js", "site.css"):
        response = await chat.get(f"/static/{name}")
        assert response.status == 200


async def test_the_widget_has_its_own_cross_site_cookie_over_https(chat):
    plain = await chat.get("/widget")
    assert "tremplin_widget" in plain.cookies and "tremplin_web" not in plain.cookies
    assert 'action="/chat/send?w=1"' in await plain.text()
    chat.session.cookie_jar.clear()
    secure = await chat.get("/widget", headers={"X-Forwarded-Proto": "https"})
    header = secure.headers["Set-Cookie"]
    assert "SameSite=None" in header and "Secure" in header and "Partitioned" in header
    assert "Strict-Transport-Security" in secure.headers


async def test_widget_conversation_goes_over_its_own_session(chat, rasa):
    html = await (await chat.get("/widget")).text()
    async with chat.ws_connect("/chat/ws?w=1") as ws:
        await ws.send_json({"text": "depuis le widget"})
        await ws.receive_json()
        assert "depuis le widget" in str((await ws.receive_json())["items"])
    csrf = csrf_of(html)
    ok = await chat.post("/chat/messages?w=1", json={"text": "encore"}, headers={"X-CSRF-Token": csrf})
    assert ok.status == 200


async def test_deleting_my_data_empties_the_page_transcript(chat, rasa):
    rasa.script["supprimer mes données"] = [{"text": "C'est fait."}, {"custom": {"tremplin": "forget_sender"}}]
    html = await (await chat.get("/")).text()
    csrf = csrf_of(html)
    await chat.post("/chat/send", data={"csrf": csrf, "text": "mon secret"})
    assert "mon secret" in await (await chat.get("/")).text()
    await chat.post("/chat/send", data={"csrf": csrf, "text": "supprimer mes données"})
    page = await (await chat.get("/")).text()
    assert "mon secret" not in page and "supprimer mes données" not in page


async def test_a_typed_intent_payload_never_reaches_rasa(chat, rasa):
    html = await (await chat.get("/")).text()
    response = await chat.post("/chat/messages", json={"text": '/apply_offer{"offer_id": "5"}'},
                               headers={"X-CSRF-Token": csrf_of(html)})
    items = (await response.json())["items"]
    assert items[-1]["who"] == "bot" and not any("apply_offer" in m for _, m in rasa.received)
    await chat.post("/chat/messages", json={"text": "/aide"}, headers={"X-CSRF-Token": csrf_of(html)})
    assert rasa.received[-1][1] == "/help"


async def test_notifications_of_a_web_user_appear_on_the_page_once(chat, engine):
    from tremplin.db import session_scope
    from tremplin.models import Notification
    from tremplin.services.accounts import find_account
    from tremplin.services.outbox import enqueue

    html = await (await chat.get("/")).text()
    csrf = csrf_of(html)
    await chat.post("/chat/send", data={"csrf": csrf, "text": "bonjour"})
    sid = chat.app["transcripts"] and next(iter(chat.app["transcripts"]))
    async with session_scope(engine) as s:
        account = await find_account(s, "web", sid)
        await enqueue(s, account.id, "teacher_reminder", "web-test-1", class_name="3e A",
                      message="Ton professeur te rappelle de chercher ton stage.")
    page = await (await chat.get("/")).text()
    assert page.count("Ton professeur te rappelle") == 1
    items = (await (await chat.post("/chat/messages", json={"text": "encore"},
                                    headers={"X-CSRF-Token": csrf})).json())["items"]
    assert not any("rappelle" in i["text"] for i in items)
    async with session_scope(engine) as s:
        from sqlalchemy import select
        assert (await s.scalar(select(Notification.sent_at))) is not None


async def test_when_rasa_is_down_the_websocket_says_so_then_answers(rasa, engine):
    await ensure_tables(engine)
    rasa.down = True
    async with RasaClient(rasa.url) as client:
        async with web_client(engine, Relay(client, "web", engine, retry_delays=(0.3,))) as http:
            await http.get("/")
            async with http.ws_connect("/chat/ws") as ws:
                await ws.send_json({"text": "allô"})
                assert (await ws.receive_json())["type"] == "typing"
                busy = await ws.receive_json()
                assert "Je reviens dans un instant" in busy["items"][0]["text"]
                rasa.down = False
                assert (await ws.receive_json())["items"][-1]["text"] == "Tu as dit : allô"
