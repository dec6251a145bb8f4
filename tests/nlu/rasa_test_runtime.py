"""nlu/rasa_runtime.py: Rasa's check of the action server's answers, built once, judges exactly as
Rasa's own (valid answers pass, invalid ones fail with Rasa's message)."""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import nlu  # noqa: F401  (installs the fix, as when Rasa loads the model)
from nlu import rasa_runtime

VALID = {"events": [{"event": "slot", "name": "role", "value": "eleve", "timestamp": None},
                    {"event": "active_loop", "name": None}],
         "responses": [{"text": "Bienvenue !", "buttons": []}]}
INVALID = [{"events": [{"event": "slot", "value": "eleve"}]},          # a slot event without its name
           {"events": {"event": "slot"}},                             # events not a list
           {"events": [{"event": "no_such_event"}]},
           {"responses": "Bienvenue"}]


def rasa_own_check(result: dict) -> None:
    """What Rasa 3.6 runs without the fix."""
    jsonschema.validate(result, RemoteAction.action_response_format_spec())


def test_the_fix_is_installed_on_the_pinned_rasa():
    assert RemoteAction._validate_action_result is rasa_runtime.validate_action_result


def test_a_valid_answer_passes_both_checks():
    rasa_own_check(VALID)
    assert RemoteAction(name="action_x", action_endpoint=None)._validate_action_result(dict(VALID)) is True


@pytest.mark.parametrize("answer", INVALID)
def test_an_invalid_answer_fails_both_checks_with_rasa_message(answer):
    with pytest.raises(jsonschema.ValidationError):
        rasa_own_check(answer)
    with pytest.raises(jsonschema.ValidationError) as raised:
        RemoteAction(name="action_x", action_endpoint=None)._validate_action_result(answer)
    assert "Failed to validate Action server response from API" in raised.value.message


def test_every_event_kind_resolves_to_rasa_own_class():
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    assert Event.resolve_by_type is not rasa_runtime._RASA_RESOLVE_BY_TYPE
    for cls in all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is rasa_runtime._RASA_RESOLVE_BY_TYPE(cls.type_name)


def test_unknown_and_legacy_event_names_behave_as_in_rasa():
    from rasa.shared.core.events import Event, SlotSet

    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("zorglub", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("zorglub")


def test_a_tracker_read_back_from_events_is_the_same():
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.core.slots import TextSlot

    events = [ActionExecuted("action_listen"), UserUttered("bonjour", {"name": "greet", "confidence": 1.0}),
              SlotSet("role", "eleve"), ActionExecuted("utter_greet")]
    slots = [TextSlot("role", mappings=[{}])]
    tracker = DialogueStateTracker.from_events("s", events, slots)
    again = DialogueStateTracker.from_dict("s", [e.as_dict() for e in tracker.events], slots)
    assert list(again.events) == list(tracker.events)
    assert again.get_slot("role") == "eleve"


def test_the_model_left_in_memory_is_frozen_when_the_first_message_arrives():
    import asyncio
    import gc

    from rasa.core.agent import Agent

    class Loaded:
        calls = 0

        async def handle_message(self, message):
            Loaded.calls += 1
            return [message]

    handle = rasa_runtime.freeze_after_first_message(Loaded.handle_message)
    gc.unfreeze()
    long_lived = [[i] for i in range(50_000)]  # what loading a model leaves behind
    assert gc.get_freeze_count() == 0
    assert asyncio.run(handle(Loaded(), "bonjour")) == ["bonjour"]
    frozen = gc.get_freeze_count()
    assert frozen >= len(long_lived)
    assert asyncio.run(handle(Loaded(), "encore")) == ["encore"]
    assert gc.get_freeze_count() == frozen and Loaded.calls == 2  # once only; every message handled
    assert getattr(Agent.handle_message, "tremplin_freeze", False)
    gc.unfreeze()
