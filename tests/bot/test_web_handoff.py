"""A pupil moves from the web chat to Telegram with a one-time code: same account, same class."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from bot.rasa_client import RasaClient
from bot.relay import Relay
from bot.storage import ensure_tables
from tests.support.fakes.bot_api import FakeBotAPI
from tests.support.fakes.db import migrated_sqlite
from tests.support.fakes.gateway import GatewayRunner
from tests.support.fakes.rasa_server import FakeRasa, text
from tests.support.web import web_client
from tremplin.db import session_scope
from tremplin.models import Account, ChannelIdentity, Role
from tremplin.services.accounts import find_account, get_or_create_account
from tremplin.services.errors import DomainError
from tremplin.services.links import issue_handoff, redeem_handoff

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_redeem_moves_a_blank_chat_and_refuses_a_used_one_or_a_second_use(engine):
    async with session_scope(engine) as s:
        web = await get_or_create_account(s, "web", "session-1")
        web.role = Role.STUDENT
        await get_or_create_account(s, "telegram", 42)  # said /start once: blank account
        used = await get_or_create_account(s, "telegram", 43)
        used.role = Role.PARENT
        code, code2 = await issue_handoff(s, web), await issue_handoff(s, web)
    async with session_scope(engine) as s:
        assert (await redeem_handoff(s, code, "telegram", 42, 42)).pseudonym == web.pseudonym
        assert (await find_account(s, "telegram", 42)).id == web.id
        assert await s.scalar(select(func.count()).select_from(Account)) == 2  # the blank one is gone
    for bad_code, chat in ((code, 44), (code2, 43), ("WRONG123", 45)):
        async with session_scope(engine) as s:
            with pytest.raises(DomainError):
                await redeem_handoff(s, bad_code, "telegram", chat, chat)


async def test_web_button_gives_a_code_that_telegram_redeems(tmp_path):
    engine = await migrated_sqlite(tmp_path)
    await ensure_tables(engine)
    rasa = FakeRasa({"/greet": [text("Re-bonjour !")]})
    await rasa.start()
    api = FakeBotAPI()
    await api.start()
    gateway = GatewayRunner(api, rasa.url, engine)
    await gateway.start()
    try:
        async with RasaClient(rasa.url) as client:
            async with web_client(engine, Relay(client, "web", engine, retry_delays=())) as http:
                html = await (await http.get("/")).text()
                csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
                assert (await http.post("/chat/telegram", data={})).status == 403
                page = await (await http.post("/chat/telegram", data={"csrf": csrf})).text()
                code = re.search(r"/start web-([A-Z0-9]+)", page).group(1)
        api.push_text(555, f"/start web-{code}")
        await api.wait_until(lambda: any("Re-bonjour" in t for t in api.texts(555)), timeout=20)
        assert any("t'ont suivi" in t for t in api.texts(555))
        async with session_scope(engine) as s:
            identities = (await s.execute(select(ChannelIdentity.channel, ChannelIdentity.account_id))).all()
        assert sorted(c for c, _ in identities) == ["telegram", "web"] and len({a for _, a in identities}) == 1
        api.push_text(555, f"/start web-{code}")  # the code is spent
        await api.wait_until(lambda: any("ne marche pas" in t for t in api.texts(555)), timeout=20)
    finally:
        await gateway.stop()
        await api.stop()
        await rasa.stop()
        await engine.dispose()
