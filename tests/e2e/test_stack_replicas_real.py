"""Two real Rasa servers behind the real Telegram gateway (fake Bot API), one action server, the
shared SQL tracker store and Redis locks: the short load bench passes without an error, and a
pupil whose Rasa server is killed in the middle of an application finishes it on the other one."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.load import Run, load
from bot.routing import HashRing
from tests.support.replica_stack import GatewayOverReplicas, ReplicaStack, start_replica_stack
from tests.support.stack import require_stack
from tremplin.db import make_engine, session_scope
from tremplin.privacy.identifiers import external_hash


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplicaStack]:
    require_stack()
    stack = start_replica_stack(Path(tmp_path_factory.mktemp("replicas")), "sqlite", replicas=2)
    yield stack
    stack.stop()


async def test_short_load_on_two_replicas(replicas: ReplicaStack, tmp_path: Path) -> None:
    """The bench's short form: 10 pupils for 20 s, both servers used, no error; the gateway in a
    process of its own, as the bench runs it."""
    run = Run("sqlite", 2, "think 1 s", users=10, duration=20.0)
    await load(replicas.rasa_urls, replicas.database_url, run, think=1.0, first_chat=700_000,
               own_process=tmp_path, tracker_url=replicas.tracker_url)
    assert run.turns >= 30 and run.errors == 0, (run.turns, run.errors)
    ring = HashRing(replicas.rasa_urls)
    owners = {ring.node_for(external_hash("telegram", 700_000 + n)) for n in range(10)}
    assert owners == set(replicas.rasa_urls)  # the ten pupils are spread over both servers


async def applications(stack: ReplicaStack) -> int:
    from tremplin.models import Application
    engine = make_engine(stack.database_url)
    try:
        async with session_scope(engine) as session:
            return await session.scalar(select(func.count()).select_from(Application)) or 0
    finally:
        await engine.dispose()


async def test_a_killed_replica_does_not_break_the_pupils_form(replicas: ReplicaStack) -> None:
    chat_id = 710_001
    owner = HashRing(replicas.rasa_urls).node_for(external_hash("telegram", chat_id))
    victim = replicas.rasa_urls.index(owner)
    before = await applications(replicas)
    async with GatewayOverReplicas(replicas.rasa_urls, replicas.database_url) as gw:
        pupil = gw.user(chat_id)
        await pupil.say("/start")
        await pupil.say("je suis élève")
        assert "3e A" in " ".join(m.text for m in await pupil.say("mon code de classe c'est FEURS-3A"))
        await pupil.say("je cherche un stage dans la santé")
        wider = pupil.find_button("30 km")  # « jusqu'à 30 km, il y en a 1 : je regarde plus loin ? »
        assert wider is not None, [m.text for m in pupil.messages()]
        await pupil.press(wider[0], wider[2])
        button = pupil.find_button("Postuler")
        assert button is not None, [m.text for m in pupil.messages()]
        asked = " ".join(m.text for m in await pupil.press(button[0], button[2]))
        assert "anonyme" in asked
        replicas.kill_rasa(victim)  # kill -9 of the pupil's server, in the middle of the form
        preview = " ".join(m.text for m in await pupil.say(
            "J'aimerais voir comment on soigne les gens, appelez moi au 06 12 34 56 78"))
        assert "[numéro masqué]" in preview and "06 12" not in preview, preview
        sent = " ".join(m.text for m in await pupil.say("oui"))
        assert "C-" in sent, sent
    assert await applications(replicas) == before + 1  # sent once, not twice
    assert "ERROR" not in Path(replicas.rasa[1 - victim].log_path).read_text()
