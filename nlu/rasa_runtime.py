"""Runtime fixes for the Rasa server we pin (3.6), installed when Rasa imports our components.

All three were found by profiling the Rasa server under load (py-spy, 100 pupils, bench/load.py).

1. Rasa 3.6 checks each answer of the action server with ``jsonschema.validate(result, schema)``.
That function first checks the *schema itself* against the JSON Schema meta-schema, then builds
a validator, on every call: profiled under load (py-spy on the Rasa server, 100 pupils), this
re-checking of a constant schema took about 40 % of Rasa's CPU, more than NLU and the policies
together. Here the validator is built and the schema checked once; each answer is validated
exactly as before (same errors, same message).
2. Each event read back from the tracker store finds its class with ``Event.resolve_by_type``,
which walks every subclass of ``Event`` (and ``inspect.isabstract`` on each) per event: 6 % of
Rasa's CPU, the biggest part of reading a tracker. Here the classes are looked up in a table
built from the same walk, in the same order; anything not in it goes to Rasa's own code.
3. The loaded model is ≈ 840 000 Python objects that live as long as the server; every full
collection of Python's garbage collector walked them all (300–500 ms, during which that server
answers nobody; one every 5 s or so under load). They are frozen (``gc.freeze``) when the first
message arrives — the launcher's warm-up turn, before any pupil —, so collections only walk
what turns create.

Two more make a turn happen once, whatever fails around it (found by the fault suite):

4. ``FailSafeTrackerStore`` answers a failed read with no tracker and keeps a failed save in
memory: with our ``nlu.tracker_store.DurableSQLTrackerStore`` (which already retries), the error goes
up instead, the turn is not run and the gateway sends the message again later.
5. A message the gateway sends again (after its own restart, or a retry after a timeout) carries
the same update marker (``tg_update``) and ``tg_again``: under the conversation's lock, if the
tracker already holds that user message and what the bot answered, the stored answer is given back
and the turn is not run a second time (no application sent twice). A turn that produced no answer
(its action failed) is run again.

6. A turn is all or nothing. Rasa 3.6 logs a custom action that could not run (action server
killed, restarting) and goes on: the turn is saved without that action's work (a form left
half-submitted). Here, if a call to the action server failed, the turn is not saved and its
messages are not sent: the REST call answers nothing, the gateway sends the message again
(`tg_again`) and the turn runs again from the same state, once the action server is back.
7. A turn is finished even if the caller leaves: Sanic cancels the handler when the HTTP client
disconnects (the gateway killed while Rasa works), which stopped the turn wherever it was (an
application sent but not saved in the tracker). The turn now runs to its end and is saved; the
gateway, restarted, gets its answer from the tracker (5).

Nothing here changes what the model learns, so this file is not a training input
(scripts/nlu_model_hash.py leaves it out).
"""
from __future__ import annotations

import asyncio
import contextvars
import functools
import gc
import logging
from typing import Any

logger = logging.getLogger(__name__)

PINNED = "3.6."  # the version whose code this replaces, line for line


@functools.lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """``RemoteAction._validate_action_result`` with the validator built once."""
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_action_result_validator().iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


_EVENT_CLASSES: dict[str, Any] = {}


def resolve_event_type(type_name: str, default: Any = None) -> Any:
    """``Event.resolve_by_type`` from a table; the first class of the walk wins, as in Rasa's loop."""
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    found = _EVENT_CLASSES.get(type_name)
    if found is None:
        for cls in all_subclasses(Event):  # a class imported since the last walk is picked up here
            _EVENT_CLASSES.setdefault(cls.type_name, cls)
        found = _EVENT_CLASSES.get(type_name)
    return found if found is not None else _RASA_RESOLVE_BY_TYPE(type_name, default)


_RASA_RESOLVE_BY_TYPE: Any = None  # Rasa's own, for « topic », defaults and unknown names


def freeze_after_first_message(handle_message: Any) -> Any:
    """``Agent.handle_message`` that first freezes what loading the model left in memory."""
    @functools.wraps(handle_message)
    async def handle(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not getattr(handle, "frozen", False):
            handle.frozen = True  # type: ignore[attr-defined]
            gc.collect()
            gc.freeze()
            logger.info("nlu.rasa_runtime: %d objects of the loaded model frozen", gc.get_freeze_count())
        return await handle_message(self, *args, **kwargs)
    handle.tremplin_freeze = True  # type: ignore[attr-defined]
    return handle


MARK, AGAIN = "tg_update", "tg_again"  # metadata keys set by bot/telegram_inbox.MarkedRasaClient


def stored_answer(events: Any, marker: str) -> list[dict[str, Any]] | None:
    """What the bot said after the user message marked `marker` (None: not stored, or no answer)."""
    from rasa.shared.core.events import BotUttered, UserUttered

    said: list[dict[str, Any]] | None = None
    for event in events:
        if isinstance(event, UserUttered):
            if said:
                break
            said = [] if (event.metadata or {}).get(MARK) == marker else None
        elif said is not None and isinstance(event, BotUttered):
            said.append(event.message())
    return said or None


def once_per_update(handle_message: Any) -> Any:
    """``MessageProcessor.handle_message`` that gives back the stored answer of a message sent again."""
    @functools.wraps(handle_message)
    async def handle(self: Any, message: Any) -> Any:
        from rasa.core.channels.channel import CollectingOutputChannel

        metadata = message.metadata or {}
        if metadata.get(AGAIN) and metadata.get(MARK):
            tracker = await self.tracker_store.retrieve(message.sender_id)
            said = stored_answer(tracker.events, metadata[MARK]) if tracker is not None else None
            if said is not None:
                logger.info("nlu.rasa_runtime: %s already answered, %d message(s) given back",
                            metadata[MARK], len(said))
                for bot_message in said:
                    await message.output_channel.send_response(message.sender_id, bot_message)
                if isinstance(message.output_channel, CollectingOutputChannel):
                    return message.output_channel.messages
                return None
        return await handle_message(self, message)
    handle.tremplin_once = True  # type: ignore[attr-defined]
    return handle


ACTION_FAILED: contextvars.ContextVar[bool] = contextvars.ContextVar("tremplin_action_failed", default=False)


class TurnNotSaved(Exception):
    """A custom action could not run in this turn: the turn is dropped, to be sent again."""


def note_action_failure(run: Any) -> Any:
    """``RemoteAction.run`` that marks the turn when the action server could not run the action."""
    @functools.wraps(run)
    async def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        from rasa.core.actions.action import ActionExecutionRejection

        try:
            return await run(self, *args, **kwargs)
        except ActionExecutionRejection:  # a form's validation said « not this one »: a normal answer
            raise
        except Exception:
            ACTION_FAILED.set(True)
            raise
    call.tremplin_all_or_nothing = True  # type: ignore[attr-defined]
    return call


def save_unless_failed(save_tracker: Any) -> Any:
    """``MessageProcessor.save_tracker`` that refuses to save a turn whose custom action failed."""
    @functools.wraps(save_tracker)
    async def save(self: Any, tracker: Any) -> None:
        if ACTION_FAILED.get():
            raise TurnNotSaved(tracker.sender_id)
        await save_tracker(self, tracker)
    save.tremplin_all_or_nothing = True  # type: ignore[attr-defined]
    return save


def all_or_nothing(handle_message: Any) -> Any:
    """``MessageProcessor.handle_message`` that answers nothing for a turn that was not saved."""
    @functools.wraps(handle_message)
    async def handle(self: Any, message: Any) -> Any:
        ACTION_FAILED.set(False)
        try:
            return await handle_message(self, message)
        except TurnNotSaved:
            said = getattr(message.output_channel, "messages", None)
            if isinstance(said, list):
                said.clear()  # the REST channel answers what was collected, even after an error
            logger.warning("nlu.rasa_runtime: a custom action failed, turn not saved (sent again later)")
            raise
    handle.tremplin_all_or_nothing = True  # type: ignore[attr-defined]
    return handle


def finish_even_if_caller_leaves(handle_message: Any) -> Any:
    """``Agent.handle_message`` whose turn is shielded from the HTTP handler's cancellation."""
    @functools.wraps(handle_message)
    async def handle(self: Any, *args: Any, **kwargs: Any) -> Any:
        turn = asyncio.ensure_future(handle_message(self, *args, **kwargs))
        turn.add_done_callback(_log_orphan_failure)
        return await asyncio.shield(turn)
    handle.tremplin_shield = True  # type: ignore[attr-defined]
    return handle


def _log_orphan_failure(turn: Any) -> None:
    if not turn.cancelled() and turn.exception() is not None:  # retrieved here: never « never retrieved »
        logger.debug("nlu.rasa_runtime: turn ended with %r", turn.exception())


def durable_errors_pass(method: Any) -> Any:
    """A ``FailSafeTrackerStore`` method that lets a durable store's error through (no fallback)."""
    @functools.wraps(method)
    async def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        store = self._tracker_store
        if getattr(store, "tremplin_durable", False):
            return await getattr(store, method.__name__)(*args, **kwargs)
        return await method(self, *args, **kwargs)
    call.tremplin_durable = True  # type: ignore[attr-defined]
    return call


def install() -> bool:
    """Replace the per-call check in the Rasa we pin; anything else is left alone (and said)."""
    try:
        import rasa
        from rasa.core.actions.action import RemoteAction
    except ImportError:  # imported outside Rasa's environment: nothing to fix
        return False
    if not rasa.__version__.startswith(PINNED):
        logger.warning("nlu.rasa_runtime: Rasa %s is not %sx, its action checks are left as they are",
                       rasa.__version__, PINNED)
        return False
    from rasa.core.agent import Agent
    from rasa.shared.core.events import Event

    global _RASA_RESOLVE_BY_TYPE
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    if _RASA_RESOLVE_BY_TYPE is None:
        _RASA_RESOLVE_BY_TYPE = Event.resolve_by_type
        Event.resolve_by_type = staticmethod(resolve_event_type)  # type: ignore[method-assign]
    from rasa.core.processor import MessageProcessor
    from rasa.core.tracker_store import FailSafeTrackerStore

    from rasa.core.actions.action import RemoteAction as Remote

    if not getattr(MessageProcessor.handle_message, "tremplin_once", False):
        MessageProcessor.handle_message = once_per_update(  # type: ignore[method-assign]
            all_or_nothing(MessageProcessor.handle_message))
    if not getattr(MessageProcessor.save_tracker, "tremplin_all_or_nothing", False):
        MessageProcessor.save_tracker = save_unless_failed(MessageProcessor.save_tracker)  # type: ignore[method-assign]
    if not getattr(Remote.run, "tremplin_all_or_nothing", False):
        Remote.run = note_action_failure(Remote.run)  # type: ignore[method-assign]
    for name in ("retrieve", "retrieve_full_tracker", "save"):
        method = getattr(FailSafeTrackerStore, name)
        if not getattr(method, "tremplin_durable", False):
            setattr(FailSafeTrackerStore, name, durable_errors_pass(method))
    if not getattr(Agent.handle_message, "tremplin_freeze", False):
        Agent.handle_message = freeze_after_first_message(  # type: ignore[method-assign]
            finish_even_if_caller_leaves(Agent.handle_message))
    return True

