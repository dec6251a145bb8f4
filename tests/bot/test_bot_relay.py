"""The Rasa REST client and the relay: pseudonymous senders, outages retried, never dropped."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot import texts
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.relay import Relay
from tests.support.fakes.db import migrated_sqlite
from tests.support.fakes.rasa_server import FakeRasa, text
from tremplin.db import session_scope
from tremplin.models import ChannelIdentity
from tremplin.privacy.identifiers import external_hash, unseal


@pytest.fixture
async def rasa() -> AsyncIterator[FakeRasa]:
    fake = FakeRasa({"/greet": [text("Salut !", ("Élève", '/declare_role{"role": "eleve"}'))]})
    await fake.start()
    yield fake
    await fake.stop()


async def test_client_sends_and_parses(rasa: FakeRasa) -> None:
    async with RasaClient(rasa.url) as client:
        assert await client.healthy()
        answer = await client.send("abc", "/greet", metadata={"channel": "test"})
        assert answer[0]["text"] == "Salut !" and answer[0]["buttons"][0]["title"] == "Élève"
        rasa.down = True
        assert not await client.healthy()
        with pytest.raises(RasaUnavailable):
            await client.send("abc", "bonjour")
        rasa.down, rasa.empty = False, True
        with pytest.raises(RasaUnavailable):
            await client.send("abc", "bonjour")
    assert rasa.metadata[0] == {"channel": "test"}


async def test_client_unreachable_is_unavailable() -> None:
    async with RasaClient("http://127.0.0.1:9", timeout=2) as client:
        assert not await client.healthy()
        with pytest.raises(RasaUnavailable):
            await client.send("abc", "bonjour")


async def test_sender_is_the_hmac_and_account_is_registered(rasa: FakeRasa, tmp_path) -> None:
    engine = await migrated_sqlite(tmp_path)
    async with RasaClient(rasa.url) as client:
        relay = Relay(client, "telegram", engine)
        sender = await relay.register(123456789, 123456789)
        assert sender == external_hash("telegram", 123456789) and "123456789" not in sender
        await relay.register(123456789, 123456789)  # idempotent
        replies = await relay.ask(sender, "/greet")
    assert replies[0].text == "Salut !"
    assert rasa.received == [(sender, "/greet")]
    async with session_scope(engine) as session:
        identities = list(await session.scalars(select(ChannelIdentity)))
    assert len(identities) == 1 and identities[0].external_hash == sender
    assert unseal(identities[0].sealed_address) == "123456789"
    await engine.dispose()


async def test_outage_tells_user_once_then_retries(rasa: FakeRasa) -> None:
    waits: list[str] = []

    async def on_wait() -> None:
        waits.append("busy")

    async def recover() -> None:
        await asyncio.sleep(0.25)
        rasa.down = False

    rasa.down = True
    async with RasaClient(rasa.url) as client:
        relay = Relay(client, "terminal", retry_delays=(0.1, 0.1, 0.1, 0.1, 0.1))
        _, replies = await asyncio.gather(recover(), relay.ask("s1", "bonjour", on_wait))
    assert waits == ["busy"]
    assert replies[0].text == "Tu as dit : bonjour"
    assert rasa.received == [("s1", "bonjour")]


async def test_empty_answers_are_retried_then_user_is_told(rasa: FakeRasa) -> None:
    rasa.empty = True
    waits: list[str] = []

    async def on_wait() -> None:
        waits.append("busy")

    async with RasaClient(rasa.url) as client:
        relay = Relay(client, "terminal", retry_delays=(0.01, 0.01))
        replies = await relay.ask("s1", "bonjour", on_wait)
    assert len(rasa.received) == 3  # bounded: first try + two retries
    assert waits == ["busy"] and replies[0].text == texts.GAVE_UP
