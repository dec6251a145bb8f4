"""« supprimer mes données » through the real stack (trained Rasa model, action server, SQL tracker
store as `tremplin run` generates it): a pupil types a made-up word during a conversation, deletes
their data, the notifier runs; the word is then in none of the tracker store's file, the app's
database (tables and raw file) or the run's logs. On the way, a restart of Rasa keeps the form the
pupil was filling (the tracker store is durable now)."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.notifier import Notifier
from tests.support.stack import Stack, open_chat, require_stack, start_stack
from tests.support.erasure import everything_readable, raw_bytes
from tremplin.db import session_scope
from tremplin.models import Notification, utcnow
from tremplin.privacy.conversations import dispose_tracker_engines, stored_senders, tracker_engine
from tremplin.services.retention import ERASE_KIND

WORD = "zorglubette"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    require_stack()
    running = start_stack(tmp_path_factory.mktemp("erasure"))
    yield running
    running.stop()


@pytest.fixture
def app_log(tmp_path: Path) -> Iterator[Path]:
    """This process's logs (relay, notifier, services) at INFO, in a file like `tremplin run`'s."""
    path = tmp_path / "app.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield path
    root.removeHandler(handler)
    root.setLevel(level)
    handler.close()


async def run_notifier_until_erased(engine: AsyncEngine, tracker: AsyncEngine) -> None:
    """The notifier's loop, a minute of clock at a time, until the erasure job has done both passes
    (it queues behind the demo's other notifications)."""
    start, minutes = utcnow(), 0
    notifier = Notifier(engine, {}, clock=lambda: start + timedelta(minutes=minutes), tracker=tracker)
    for minutes in range(1, 30):
        await notifier.run_once()
        async with session_scope(engine) as s:
            if await s.scalar(select(Notification.id).where(Notification.kind == ERASE_KIND)) is None:
                return
    raise AssertionError("the erasure job never finished")


def _found_in(path: Path) -> bool:
    return path.exists() and WORD.encode() in path.read_bytes()


async def test_deleted_pupils_word_is_nowhere_after_the_notifier_ran(stack: Stack, app_log: Path) -> None:
    pupil, client, engine = await open_chat(stack, "pupil-erasure")
    tracker = tracker_engine(stack.tracker_url)
    try:
        assert "qui vous êtes" in await pupil.say("/greet")
        assert "tu es élève" in await pupil.press("élève")
        assert "3e A" in await pupil.say("mon code de classe c'est FEURS-3A")
        await pupil.say("je cherche un stage dans la santé")
        await pupil.press("30 km")
        assert "anonyme" in await pupil.press("Postuler")

        stack.restart_rasa()  # the form in progress survives: conversations are in the SQL store
        preview = await pupil.say(f"J'aimerais voir comment on soigne les gens et goûter une {WORD} à la "
                                  "cantine de l'hôpital.")
        assert WORD in preview, preview
        assert "candidature" in await pupil.say("oui")
        # The word is really stored (else the checks below would prove nothing).
        assert _found_in(Path(stack.tracker_url.split("///", 1)[1]))
        assert WORD in await everything_readable(engine)

        assert "vraiment supprimer" in await pupil.say("supprimer mes données")
        assert "toutes tes données sont effacées" in await pupil.press("Oui, tout supprimer")
        assert pupil.sender in await stored_senders(tracker)

        await run_notifier_until_erased(engine, tracker)

        assert pupil.sender not in await stored_senders(tracker)
        assert not _found_in(Path(stack.tracker_url.split("///", 1)[1]))
        assert WORD not in await everything_readable(engine)
        assert WORD.encode() not in raw_bytes(engine)
        for log in (*stack.logs, app_log):
            assert log.exists() and not _found_in(log), log

        # Writing again (the gateway registers every message): a brand-new user, asked who they are.
        assert await pupil.relay.register("pupil-erasure", "pupil-erasure") == pupil.sender
        assert "qui vous êtes" in await pupil.say("/greet")
    finally:
        await client.close()
        await engine.dispose()
        await dispose_tracker_engines()
