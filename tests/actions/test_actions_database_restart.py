"""A turn that meets a database on its way back (PostgreSQL restarting: connections cut) runs again
instead of answering « Oups »; what the failed try was about to say is not said twice."""
from __future__ import annotations

import contextlib

from sqlalchemy.exc import DBAPIError

import actions.base as base
from actions.base import SORRY, TremplinAction, Turn
from tests.support.actions import run, tracker, use_engine


class SayHello(TremplinAction):
    action_name = "action_test_say_hello"

    async def handle(self, turn: Turn) -> None:
        turn.say("Bonjour 👋")


def cut_first_sessions(monkeypatch, cuts: int) -> list[int]:
    """The first `cuts` transactions fail as on a PostgreSQL restart, after the action spoke."""
    opened: list[int] = []
    real = base.session_scope

    @contextlib.asynccontextmanager
    async def scope(*args, **kwargs):
        opened.append(1)
        async with real(*args, **kwargs) as session:
            yield session
            if len(opened) <= cuts:
                raise DBAPIError("COMMIT", {}, ConnectionResetError("server closed the connection"),
                                 connection_invalidated=True)
    monkeypatch.setattr(base, "session_scope", scope)
    return opened


async def test_a_turn_cut_by_a_database_restart_runs_again(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    monkeypatch.setattr(base, "DB_WAIT", 5.0)
    opened = cut_first_sessions(monkeypatch, cuts=2)
    out = await run(SayHello(), tracker("restart-1", text="salut", intent="greet"))
    if engine.dialect.name == "postgresql":
        assert out.texts == ["Bonjour 👋"] and len(opened) == 3
    else:  # SQLite has no server to restart: such an error is a real fault, said at once
        assert out.texts[-1] == SORRY and len(opened) == 1


async def test_a_database_that_stays_away_ends_in_oups_and_nothing_else(engine, monkeypatch):
    """The turn was rolled back: what it had started to say (« Bonjour », or « C'est envoyé ») is not said."""
    use_engine(engine, monkeypatch)
    monkeypatch.setattr(base, "DB_WAIT", 0.5)
    cut_first_sessions(monkeypatch, cuts=1000)
    out = await run(SayHello(), tracker("restart-2", text="salut", intent="greet"))
    assert out.texts == [SORRY]
