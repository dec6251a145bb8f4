"""A turn Rasa runs a second time acts once: Rasa killed after an action committed but before it
saved the conversation (or the action server killed after its commit) gets the turn sent again by
the gateway (`tg_again`), and the action gives back its first answer instead of acting twice
(a pupil was told « Tu as déjà postulé » about the application the first run had just sent)."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from sqlalchemy import func, select

from actions.student_apply import ActionApply
from tests.support.actions import run, use_engine
from tests.support.student import offers, student_chat
from tremplin.db import session_scope
from tremplin.models import Application, TurnResult

MOTIVATION = "J'aimerais voir comment on fait le pain, ça me plaît depuis longtemps."


def confirm(sender: str, offer_id: int, metadata: dict[str, Any]) -> Tracker:
    """The pupil's « oui » to « je l'envoie ? », as Rasa sends it to the action."""
    slots = {"apply_offer": f"« Découvrir le fournil » (réf. O-{offer_id})", "apply_motivation": MOTIVATION,
             "apply_confirm": True}
    latest = {"text": "oui", "intent": {"name": "affirm", "confidence": 1.0}, "entities": [], "metadata": metadata}
    events = [{"event": "user", "text": "oui", "metadata": metadata}, {"event": "action", "name": "apply_form"}]
    return Tracker(sender, slots, latest, events, False, None, {}, "action_listen")


async def count(engine, model) -> int:
    async with session_scope(engine) as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_same_turn_sent_again_gives_the_same_answer_and_applies_once(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    [offer_id] = await offers(engine)
    sender = await student_chat(engine, "again-1")
    first = await run(ActionApply(), confirm(sender, offer_id, {"tg_update": "bot:41"}))
    assert first.texts[0].startswith("C'est envoyé ✅ Ta candidature C-")
    again = await run(ActionApply(), confirm(sender, offer_id, {"tg_update": "bot:41", "tg_again": True}))
    assert again.texts == first.texts and again.events == first.events   # not « Tu as déjà postulé »
    assert await count(engine, Application) == 1


async def test_another_turn_is_run_for_real(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    [offer_id] = await offers(engine)
    sender = await student_chat(engine, "again-2")
    await run(ActionApply(), confirm(sender, offer_id, {"tg_update": "bot:50"}))
    # A new message (another update), even marked « again », is a new turn: the refusal is real.
    later = await run(ActionApply(), confirm(sender, offer_id, {"tg_update": "bot:51", "tg_again": True}))
    assert "déjà postulé" in later.text
    # Without « again » the stored answer is never looked at; without an update nothing is kept.
    assert "déjà postulé" in (await run(ActionApply(), confirm(sender, offer_id, {"tg_update": "bot:50"}))).text
    assert await count(engine, Application) == 1


async def test_only_turns_that_changed_something_are_kept(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    [offer_id] = await offers(engine)
    sender = await student_chat(engine, "again-3")
    await run(ActionApply(), confirm(sender, offer_id, {"tg_update": "bot:60"}))
    kept = await count(engine, TurnResult)
    await run(ActionApply(), confirm(sender, offer_id, {"tg_update": "bot:61"}))  # refused: nothing written
    await run(ActionApply(), confirm(sender, offer_id, {}))                        # the web chat: no update
    assert kept == 1 and await count(engine, TurnResult) == 1
