"""A turn happens once, whatever fails around it (nlu/tracker_store.py, nlu/rasa_runtime.py), in
Rasa's own environment: the tracker store waits out a database that is restarting instead of
answering from an empty conversation, and a message the gateway sends again is answered from
the tracker, not run twice."""
from __future__ import annotations

import asyncio
import functools

import sqlalchemy as sa
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import nlu  # noqa: F401  (installs the fixes, as when Rasa loads the model)
from nlu import rasa_runtime, tracker_store
from nlu.tracker_store import DurableSQLTrackerStore

SENDER = "pupil-hash"


def run(test):
    """.venv-rasa has no asyncio plugin for pytest: each async test runs in its own loop."""
    @functools.wraps(test)
    def sync(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))
    return sync


def conversation() -> DialogueStateTracker:
    tracker = DialogueStateTracker(SENDER, slots=[])
    tracker.update(UserUttered("oui", metadata={"tg_update": "bot:41"}))
    tracker.update(ActionExecuted("action_submit_application"))
    tracker.update(BotUttered("C'est envoyé 📨", data={"buttons": [{"title": "Mes candidatures",
                                                                     "payload": "/my_applications"}]}))
    tracker.update(BotUttered("Bonne chance !"))
    tracker.update(UserUttered("merci", metadata={"tg_update": "bot:42"}))
    tracker.update(ActionExecuted("action_default_fallback"))
    return tracker


def cut_once(monkeypatch, method: str) -> list[int]:
    """The store's first call to `method` meets a connection cut by a restarting server."""
    calls: list[int] = []
    original = getattr(SQLTrackerStore, method)

    async def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise sa.exc.OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))
        return await original(self, *args, **kwargs)
    monkeypatch.setattr(SQLTrackerStore, method, flaky)
    return calls


@run
async def test_a_read_during_a_restart_waits_and_finds_the_conversation(tmp_path, monkeypatch):
    store = DurableSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "trackers.db"))
    await store.save(conversation())
    calls = cut_once(monkeypatch, "_retrieve")
    tracker = await FailSafeTrackerStore(store).retrieve(SENDER)
    assert len(calls) == 2
    assert tracker is not None and [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["oui", "merci"]


@run
async def test_a_save_during_a_restart_is_kept_in_the_database(tmp_path, monkeypatch):
    store = DurableSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "trackers.db"))
    calls = cut_once(monkeypatch, "save")
    await FailSafeTrackerStore(store).save(conversation())
    again = DurableSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "trackers.db"))  # a restarted Rasa
    assert len(calls) == 2 and len((await again.retrieve(SENDER)).events) == len(conversation().events)


@run
async def test_a_database_that_stays_away_fails_the_turn_instead_of_forgetting_it(tmp_path, monkeypatch):
    monkeypatch.setattr(tracker_store, "RETRY_FOR", 0.3)
    store = DurableSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "trackers.db"))

    async def down(self, *args, **kwargs):
        raise sa.exc.OperationalError("SELECT", {}, Exception("could not connect to server"))
    monkeypatch.setattr(SQLTrackerStore, "_retrieve", down)
    try:
        await FailSafeTrackerStore(store).retrieve(SENDER)
    except sa.exc.OperationalError:
        pass
    else:
        raise AssertionError("an empty conversation was given instead of an error")
    # Rasa's own store keeps Rasa's behaviour (its fallback), only ours lets the error through.
    plain = SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "plain.db"))
    assert await FailSafeTrackerStore(plain).retrieve(SENDER) is None


class Processor:
    """What `once_per_update` needs of Rasa's MessageProcessor; counts the turns really run."""

    def __init__(self, tracker: DialogueStateTracker | None) -> None:
        self.runs = 0

        class Store:
            async def retrieve(self, sender_id):
                return tracker
        self.tracker_store = Store()


async def run_turn(processor: Processor, metadata: dict) -> list[dict]:
    async def rasa_handle(self, message):
        self.runs += 1
        await message.output_channel.send_text_message(message.sender_id, "réponse du tour")
        return message.output_channel.messages

    collector = CollectingOutputChannel()
    handle = rasa_runtime.once_per_update(rasa_handle)
    return await handle(processor, UserMessage("oui", collector, SENDER, metadata=metadata))


@run
async def test_a_message_sent_again_gets_the_stored_answer_and_runs_nothing():
    processor = Processor(conversation())
    answer = await run_turn(processor, {"tg_update": "bot:41", "tg_again": True})
    assert processor.runs == 0
    assert answer == [{"recipient_id": SENDER, "text": "C'est envoyé 📨",
                       "buttons": [{"title": "Mes candidatures", "payload": "/my_applications"}]},
                      {"recipient_id": SENDER, "text": "Bonne chance !"}]


@run
async def test_other_messages_are_run_as_usual():
    for tracker, metadata in ((conversation(), {"tg_update": "bot:41"}),           # first time: no flag
                              (conversation(), {"tg_update": "bot:43", "tg_again": True}),  # never stored
                              (conversation(), {"tg_update": "bot:42", "tg_again": True}),  # stored, no answer
                              (None, {"tg_update": "bot:41", "tg_again": True})):           # no conversation
        processor = Processor(tracker)
        assert await run_turn(processor, metadata) == [{"recipient_id": SENDER, "text": "réponse du tour"}]
        assert processor.runs == 1


def test_the_fixes_are_installed_on_the_pinned_rasa():
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor
    assert getattr(MessageProcessor.handle_message, "tremplin_once", False)
    assert getattr(MessageProcessor.save_tracker, "tremplin_all_or_nothing", False)
    assert getattr(RemoteAction.run, "tremplin_all_or_nothing", False)
    assert getattr(Agent.handle_message, "tremplin_freeze", False)
    assert all(getattr(getattr(FailSafeTrackerStore, name), "tremplin_durable", False)
               for name in ("retrieve", "retrieve_full_tracker", "save"))


class FailingTurn:
    """A processor whose turn utters, then calls the action server, which is down (or up)."""

    def __init__(self, server_up: bool) -> None:
        self.server_up, self.saved = server_up, []

        async def remote(_self):
            if not self.server_up:
                raise ConnectionError("Couldn't connect to the server at 'http://127.0.0.1:5055/webhook'")
            return []
        self.remote = rasa_runtime.note_action_failure(remote)
        self.save_tracker = lambda tracker: rasa_runtime.save_unless_failed(self._save)(self, tracker)

    async def _save(self, _self, tracker):
        self.saved.append(tracker)

    async def turn(self, message):
        await message.output_channel.send_text_message(message.sender_id, "Je récapitule : …")
        try:
            await self.remote(self)
        except Exception:  # noqa: BLE001 - what Rasa's processor does: log it and go on
            pass
        await self.save_tracker(conversation())
        return message.output_channel.messages


@run
async def test_a_turn_whose_action_server_is_down_is_neither_saved_nor_answered():
    down = FailingTurn(server_up=False)
    handle = rasa_runtime.all_or_nothing(lambda self, message: self.turn(message))
    collector = CollectingOutputChannel()
    try:
        await handle(down, UserMessage("oui", collector, SENDER))
    except rasa_runtime.TurnNotSaved:
        pass
    else:
        raise AssertionError("the turn went on without its action")
    assert down.saved == [] and collector.messages == []   # the REST channel then answers []
    up = FailingTurn(server_up=True)                       # the same turn, sent again later
    said = await handle(up, UserMessage("oui", CollectingOutputChannel(), SENDER))
    assert len(up.saved) == 1 and [m["text"] for m in said] == ["Je récapitule : …"]


@run
async def test_a_turn_goes_to_its_end_when_the_http_caller_leaves():
    finished = []

    async def rasa_handle(self, message):
        await asyncio.sleep(0.2)
        finished.append(message)
        return []

    handle = rasa_runtime.finish_even_if_caller_leaves(rasa_handle)
    request = asyncio.ensure_future(handle(None, "oui"))
    await asyncio.sleep(0.05)
    request.cancel()              # Sanic cancels the handler: the gateway was killed
    try:
        await request
    except asyncio.CancelledError:
        pass
    await asyncio.sleep(0.3)
    assert finished == ["oui"]    # and the tracker was saved at its end
