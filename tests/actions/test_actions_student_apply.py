"""Applying: the offer re-checked whatever the button said, the motivation masked and shown back,
the confirmation, and every refusal explained."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from actions.student_apply import ActionApply, ValidateApplyForm
from tests.support.actions import form_tracker, run, tracker, use_engine
from tests.support.factories import MOTIVATION, next_monday
from tests.support.student import apply_now, form_domain, offers, student_chat
from tremplin.db import session_scope
from tremplin.models import Application, ApplicationStatus, Offer, OfferStatus, Role

DOMAIN = form_domain("apply_form")
LEAKY = ("Bonjour je m'appelle Léa, j'adore les animaux et je voudrais voir un cabinet vétérinaire. "
         "Mon 06 12 34 56 78, mon snap: lea.du42 et j'habite 12 rue des Lilas.")


async def validate(sender, requested, candidates, **kw):
    trk = form_tracker(sender, "apply_form", requested=requested, new=candidates, **{"intent": "apply", **kw})
    return await run(ValidateApplyForm(), trk, DOMAIN)


async def applications(engine) -> list[Application]:
    async with session_scope(engine) as s:
        return list(await s.scalars(select(Application)))


async def test_button_offer_then_masked_motivation_then_sent(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    [offer_id] = await offers(engine)
    sender = await student_chat(engine, "a1", first_name="Léa")
    out = await validate(sender, None, {"apply_offer": f"O-{offer_id}"})
    assert out.text == "Super choix 👍 « Découvrir le fournil » à Feurs (42)."
    assert out.slots() == {"apply_offer": f"« Découvrir le fournil » (réf. O-{offer_id})"}
    out = await validate(sender, "apply_motivation", {"apply_motivation": LEAKY})
    masked = out.slots()["apply_motivation"]
    assert "J'ai masqué ce qui pourrait te reconnaître" in out.text
    for secret in ("Léa", "06 12 34 56 78", "lea.du42", "12 rue des Lilas"):
        assert secret not in masked
    assert "[nom masqué]" in masked and "[numéro masqué]" in masked
    out = await apply_now(sender, offer_id, masked)
    assert out.texts[0].startswith("C'est envoyé ✅ Ta candidature C-")
    assert "anonyme" in out.text
    assert {"apply_offer": None, "apply_motivation": None, "apply_confirm": None}.items() <= out.slots().items()
    [app] = await applications(engine)
    assert app.offer_id == offer_id and "Léa" not in app.motivation and app.distance_band == "moins de 5 km"


async def test_the_preview_counts_what_was_hidden_and_says_nothing_when_nothing_was(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "a6")
    out = await validate(sender, "apply_motivation", {"apply_motivation": LEAKY})
    assert "(1 nom, 1 numéro, 1 pseudo et 1 adresse)" in out.text
    out = await validate(sender, "apply_motivation", {"apply_motivation": MOTIVATION})
    assert "masqué" not in out.text and out.slots()["apply_motivation"] == " ".join(MOTIVATION.split())


async def test_a_new_version_typed_at_the_recap_replaces_the_message(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "a7")
    rewrite = "Finalement je préfère dire que j'aime les animaux, appelez ma mère Sandrine Roux si besoin"
    out = await validate(sender, "apply_confirm", {}, text=rewrite, intent="inform",
                         slots={"apply_offer": "« Découvrir le fournil » (réf. O-1)", "apply_motivation": MOTIVATION})
    new = out.slots()["apply_motivation"]
    assert "j'aime les animaux" in new and "Sandrine" not in new and "Roux" not in new
    assert "apply_confirm" not in out.slots() or out.slots()["apply_confirm"] is None  # asked again
    out = await validate(sender, "apply_confirm", {}, text="oui", intent="affirm",
                         slots={"apply_offer": "« Découvrir le fournil » (réf. O-1)", "apply_motivation": new})
    assert out.slots().get("apply_motivation", new) == new  # a « oui » is not a new version
    out = await validate(sender, "apply_confirm", {"apply_confirm": False}, intent="deny",
                         text="non attends jveux enlever mon snap de mon message stp",
                         slots={"apply_offer": "« Découvrir le fournil » (réf. O-1)", "apply_motivation": new})
    assert out.slots()["apply_confirm"] is None and "nouvelle version" in out.text  # not a refusal
    out = await validate(sender, "apply_confirm", {"apply_confirm": False}, intent="deny", text="non",
                         slots={"apply_offer": "« Découvrir le fournil » (réf. O-1)", "apply_motivation": new})
    assert out.slots()["apply_confirm"] is False


async def test_a_name_given_in_the_message_is_masked_even_when_unknown(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "a2", first_name=None)
    out = await validate(sender, "apply_motivation", {"apply_motivation": "Moi c'est Inès, " + MOTIVATION})
    assert "Inès" not in out.slots()["apply_motivation"]


async def test_number_in_the_list_refers_to_the_last_search(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    ids = await offers(engine, 2)
    sender = await student_chat(engine, "a3")
    state = json.dumps({"lat": 45.7, "lon": 4.2, "ids": ids})
    out = await validate(sender, "apply_offer", {"apply_offer": "2"}, slots={"search_state": state})
    assert out.slots()["apply_offer"].endswith(f"(réf. O-{ids[1]})")
    out = await validate(sender, "apply_offer", {"apply_offer": "7"}, slots={"search_state": state})
    assert out.messages[0]["response"] == "utter_invalid_apply_offer"


async def test_too_short_motivation_is_asked_again(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await student_chat(engine, "a4")
    out = await validate(sender, "apply_motivation", {"apply_motivation": "ça m'intéresse"})
    assert "Écris un peu plus" in out.text and out.slots()["apply_motivation"] is None


async def test_closed_or_full_offers_stop_the_form_with_the_reason(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    closed, full = await offers(engine, 2)
    async with session_scope(engine) as s:
        (await s.get(Offer, closed)).status = OfferStatus.CLOSED
        (await s.get(Offer, full)).places_left = 0
    sender = await student_chat(engine, "a5")
    out = await validate(sender, None, {"apply_offer": f"O-{closed}"})
    assert "n'est plus disponible" in out.text and out.slots()["requested_slot"] is None
    out = await validate(sender, None, {"apply_offer": f"O-{full}"})
    assert "complète" in out.text and out.slots()["requested_slot"] is None
    out = await validate(sender, None, {"apply_offer": "O-999999"})
    assert "n'est plus disponible" in out.text


async def test_second_application_to_the_same_offer_is_refused(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    [offer_id] = await offers(engine)
    sender = await student_chat(engine, "a6")
    await apply_now(sender, offer_id)
    out = await validate(sender, None, {"apply_offer": f"O-{offer_id}"})
    assert "Tu as déjà postulé à cette offre" in out.text
    out = await apply_now(sender, offer_id)  # even if the form was bypassed
    assert "Tu as déjà postulé à cette offre" in out.text
    assert len(await applications(engine)) == 1


async def test_sixth_pending_application_is_refused(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    ids = await offers(engine, 6)
    sender = await student_chat(engine, "a7")
    for offer_id in ids[:5]:
        assert "C'est envoyé" in (await apply_now(sender, offer_id)).text
    out = await validate(sender, None, {"apply_offer": f"O-{ids[5]}"})
    assert "Tu as déjà 5 candidatures en attente" in out.text and out.slots()["requested_slot"] is None


async def test_no_application_once_placed_that_week(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    first, second = await offers(engine, 2)
    sender = await student_chat(engine, "a8")
    await apply_now(sender, first)
    async with session_scope(engine) as s:
        app = await s.scalar(select(Application))
        app.status = ApplicationStatus.ACCEPTED
    out = await validate(sender, None, {"apply_offer": f"O-{second}"})
    assert "Tu as déjà un stage accepté pour cette semaine-là" in out.text


async def test_no_is_no_and_adults_cannot_apply(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    [offer_id] = await offers(engine)
    sender = await student_chat(engine, "a9")
    out = await run(ActionApply(), tracker(sender, intent="deny", slots={
        "apply_offer": f"réf. O-{offer_id}", "apply_motivation": MOTIVATION, "apply_confirm": False}))
    assert "je n'envoie rien" in out.text
    parent = await student_chat(engine, "a10", role=Role.PARENT)
    out = await validate(parent, None, {"apply_offer": f"O-{offer_id}"})
    assert "réservée aux élèves" in out.text and out.slots()["requested_slot"] is None
    async with session_scope(engine) as s:
        assert await s.scalar(select(func.count()).select_from(Application)) == 0


async def test_week_without_class_comes_from_the_search(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    week = next_monday(5)
    [offer_id] = await offers(engine, week=week)
    sender = await student_chat(engine, "a11", week=False)
    period = f"{week.isoformat()}/{week.isoformat()}"
    out = await apply_now(sender, offer_id, periode=period)
    assert "C'est envoyé" in out.text
    [app] = await applications(engine)
    assert app.week_start == week


async def test_leftovers_of_a_called_off_form_are_not_reused(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    [offer_id] = await offers(engine)
    sender = await student_chat(engine, "a12")
    out = await validate(sender, None, {"apply_offer": f"O-{offer_id}", "apply_motivation": MOTIVATION,
                                        "apply_confirm": True})
    slots = out.slots()
    assert slots["apply_offer"].endswith(f"(réf. O-{offer_id})")
    assert slots["apply_motivation"] is None and slots["apply_confirm"] is None
