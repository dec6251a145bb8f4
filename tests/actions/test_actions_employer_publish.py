"""Publishing an offer by conversation: everything in one message or step by step, each refusal with its
reason (unknown métier, past date, too long a period, 0 or 50 places, contact details), the preview, and
moderation for new companies while trusted ones are visible in the students' next search."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from actions.employer_offer_checks import ValidatePublishOfferForm
from actions.employer_offer_publish import (ActionAskOfferConfirm, ActionAskOfferEnvironments,
                                              ActionAskOfferTransport, ActionPublishOffer)
from tests.support.actions import chat_user, form_tracker, run, tracker, use_engine
from tests.support.employer import (DOMAIN, answer, employer_sender, entity, filled_offer, monday,
                                   week_text)
from tremplin.db import session_scope
from tremplin.models import Offer, OfferStatus
from tremplin.services.search import SearchQuery, search_offers

FORM = "publish_offer_form"


async def ask(sender, slot, value, slots=None, **kw):
    return await answer(ValidatePublishOfferForm(), sender, FORM, slots or {}, slot, value, **kw)


async def test_everything_in_one_message_prefills_the_form(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "pub-1")
    text = f"je peux prendre 2 élèves en boulangerie à Feurs {week_text()}"
    new = {"offer_metier": "boulangerie", "offer_places": "2", "offer_lieu": "Feurs", "offer_periodes": week_text()}
    ents = [entity("metier", "boulangerie"), entity("nombre", "2"), entity("lieu", "Feurs"),
            entity("periode", week_text())]
    out = await run(ValidatePublishOfferForm(), form_tracker(sender, FORM, {}, requested=None, text=text,
                                                             intent="publish_offer", entities=ents, new=new), DOMAIN)
    slots = out.slots()
    assert slots["offer_metier"] == "Boulanger" and slots["offer_places"] == "2"
    assert slots["offer_lieu"] == "Feurs (42)"
    assert slots["offer_periodes"] == f"{monday()}/{date.fromordinal(monday().toordinal() + 4)}"
    assert out.text == ""


async def test_a_domain_entity_fills_the_metier(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "pub-2")
    out = await run(ValidatePublishOfferForm(), form_tracker(
        sender, FORM, {}, requested=None, text="une offre en plomberie", intent="publish_offer",
        entities=[entity("domaine", "plomberie")]), DOMAIN)
    assert out.slots()["offer_metier"] == "Plombier"


async def test_unknown_metier_gets_a_suggestion_or_examples(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "pub-3")
    out = await ask(sender, "offer_metier", "boulangre")
    assert out.slots()["offer_metier"] is None and "Vouliez-vous dire" in out.text
    assert out.buttons[0] == {"title": "Boulanger", "payload": '/inform{"metier": "Boulanger"}'}
    out = await ask(sender, "offer_metier", "zorglub")
    assert out.slots()["offer_metier"] is None and "référentiel" in out.text and "mécanicien automobile" in out.text
    out = await ask(sender, "offer_metier", "informatique")
    assert out.slots()["offer_metier"] is None and "plusieurs métiers" in out.text and len(out.buttons) >= 2


async def test_past_or_too_long_periods_are_refused_with_the_reason(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "pub-4")
    slots = {"offer_lieu": "Feurs (42)"}
    out = await ask(sender, "offer_periodes", f"la semaine du 7 septembre {date.today().year - 1}", slots)
    assert out.slots()["offer_periodes"] is None
    assert "déjà passé" in out.text and "Indiquez une semaine à venir" in out.text and "Indique " not in out.text
    out = await ask(sender, "offer_periodes", "du 1er au 20 mars", slots)
    assert out.slots()["offer_periodes"] is None and "5 jours au plus" in out.text and "12 jours" in out.text
    out = await ask(sender, "offer_periodes", "bientôt", slots)
    assert out.slots()["offer_periodes"] is None and "Vous pouvez écrire" in out.text
    out = await ask(sender, "offer_periodes", "la 5e semaine de février", slots)
    assert out.slots()["offer_periodes"] is None and "choisissez une semaine précise" in out.text
    assert "choisis " not in out.text
    two = f"{week_text(3)} et {week_text(5)}"
    out = await ask(sender, "offer_periodes", two, slots)
    assert out.slots()["offer_periodes"].count(";") == 1


async def test_places_from_one_to_ten(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "pub-5")
    out = await ask(sender, "offer_places", "0")
    assert out.slots()["offer_places"] is None and "au moins une place" in out.text
    out = await ask(sender, "offer_places", "50")
    assert out.slots()["offer_places"] is None and "10 places" in out.text and "10 au plus" in out.text
    out = await ask(sender, "offer_places", "beaucoup")
    assert out.slots()["offer_places"] is None and "de 1 à 10" in out.text
    assert (await ask(sender, "offer_places", "deux")).slots()["offer_places"] == "2"
    assert (await ask(sender, "offer_places", "3 élèves")).slots()["offer_places"] == "3"


async def test_texts_without_contact_details(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "pub-6")
    out = await ask(sender, "offer_title", "Stage boulangerie appelez le 06 12 34 56 78")
    assert out.slots()["offer_title"] is None and "sans coordonnées" in out.text
    out = await ask(sender, "offer_description", "Du pain.")
    assert out.slots()["offer_description"] is None and "20 caractères" in out.text
    out = await ask(sender, "offer_description", "Pétrir et cuire le pain ; écrivez-moi à paul.roux arobase free point fr")
    assert out.slots()["offer_description"] is None and "sans coordonnées" in out.text
    out = await ask(sender, "offer_description", "Pétrir et cuire le pain avec Julie Fabre, notre apprentie, "
                                                 "au fournil du 4 place du Marché.")
    kept = out.slots()["offer_description"]
    assert "Julie" not in kept and "Fabre" not in kept and "4 place du Marché" in kept and "pain" in kept
    assert "J'ai masqué 1 nom" in out.text  # said, with what the pupils will read
    out = await ask(sender, "offer_address", "x")
    assert out.slots()["offer_address"] is None and "rue" in out.text
    assert (await ask(sender, "offer_address", "3 rue de la République")).slots()["offer_address"] \
        == "3 rue de la République"


async def test_environments_with_buttons_or_words(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "pub-7")
    first = await run(ActionAskOfferEnvironments(), tracker(sender))
    assert len(first.buttons) == 16 and first.buttons[-1]["title"] == "C'est tout"
    btn = '/inform{"code": "env:animaux"}'
    out = await ask(sender, "offer_environments", btn, entities=[entity("code", "env:animaux")])
    assert out.slots() == {"offer_environments": None, "offer_env_draft": "animaux"}
    again = await run(ActionAskOfferEnvironments(), tracker(sender, slots={"offer_env_draft": "animaux"}))
    assert "Noté : avec des animaux" in again.text
    assert all("animaux" not in b["payload"] for b in again.buttons)
    done = '/inform{"code": "env:fin"}'
    out = await ask(sender, "offer_environments", done, {"offer_env_draft": "animaux"},
                    entities=[entity("code", "env:fin")])
    assert out.slots()["offer_environments"] == "animaux"
    out = await ask(sender, "offer_environments", "en atelier et au contact du public")
    assert out.slots()["offer_environments"] == "atelier,public"
    out = await ask(sender, "offer_environments", "blabla")
    assert out.slots()["offer_environments"] is None and "boutons" in out.text


async def test_transport_access_is_optional(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "pub-8")
    assert len((await run(ActionAskOfferTransport(), tracker(sender))).buttons) == 3
    out = await ask(sender, "offer_transport", "transport:bus")
    assert out.slots()["offer_transport"] == "Arrêt de bus ou de car à proximité"
    assert (await ask(sender, "offer_transport", "non")).slots()["offer_transport"] == "aucun"
    out = await ask(sender, "offer_transport", "bus ligne 3, arrêt Mairie à 200 m")
    assert out.slots()["offer_transport"] == "bus ligne 3, arrêt Mairie à 200 m"


async def test_new_company_preview_then_pending_review(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, employer_id = await employer_sender(engine, "pub-9", trusted=False)
    preview = await run(ActionAskOfferConfirm(), tracker(sender, slots=filled_offer()))
    assert "Découvrir le fournil — Boulanger" in preview.text and "relue par l'équipe" in preview.text
    assert "3 rue de la République" in preview.text and "seulement à l'élève accepté" in preview.text
    assert "atelier" in preview.text.lower() or "fabriquer" in preview.text.lower()
    out = await run(ActionPublishOffer(), tracker(sender, slots={**filled_offer(), "offer_confirm": True}))
    assert "en attente de validation" in out.text and "l'équipe relit" in out.text
    assert out.slots()["offer_metier"] is None  # the form starts empty next time
    async with session_scope(engine) as s:
        offer = await s.scalar(select(Offer))
        assert offer.status is OfferStatus.PENDING_REVIEW and offer.employer_id == employer_id
        assert (offer.capacity, offer.places_left, offer.rome_code) == (2, 2, "D1102")
        assert offer.transport_access == "Gare à proximité"


async def test_trusted_company_is_published_and_found_by_students(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "pub-10", trusted=True)
    out = await run(ActionPublishOffer(), tracker(sender, slots={**filled_offer(), "offer_confirm": True}))
    assert "C'est en ligne" in out.text
    async with session_scope(engine) as s:
        found = await search_offers(s, SearchQuery(lat=45.742, lon=4.226, radius_km=10))
        assert [h.offer.title for h in found.hits] == ["Découvrir le fournil"]
        assert found.hits[0].offer.environment_tags == ["atelier", "public"]


async def test_declined_preview_publishes_nothing(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "pub-11")
    out = await run(ActionPublishOffer(), tracker(sender, slots={**filled_offer(), "offer_confirm": False}))
    assert "je ne publie rien" in out.text
    async with session_scope(engine) as s:
        assert await s.scalar(select(func.count()).select_from(Offer)) == 0


async def test_only_registered_companies_publish(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender = await chat_user(engine, "pub-nobody")
    out = await run(ValidatePublishOfferForm(), form_tracker(sender, FORM, {}, requested="offer_metier",
                                                             text="boulanger", new={"offer_metier": "boulanger"}),
                    DOMAIN)
    assert out.slots()["requested_slot"] is None  # the form stops at once
    out = await run(ActionPublishOffer(), tracker(sender, slots=filled_offer()))
    assert "réservée aux entreprises inscrites" in out.text and "inscrire mon entreprise" in out.text
    assert {"title": "Inscrire mon entreprise", "payload": "/register_company"} in out.buttons


async def test_a_new_start_forgets_a_form_left_half_way(engine, monkeypatch):
    """Left with « annuler » or a report, then « publier une offre » again: only this message prefills."""
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "pub-12")
    stale = {"offer_title": "Ancien titre", "offer_description": "Une ancienne description assez longue.",
             "offer_lieu": "Roanne (42)", "offer_env_draft": "animaux"}
    trk = form_tracker(sender, FORM, stale, requested=None, text="publier une offre à Feurs", intent="publish_offer",
                       entities=[entity("lieu", "Feurs")], new={"offer_lieu": "Feurs"})
    trk.slots.update({k: v for k, v in stale.items() if k != "offer_lieu"})
    out = await run(ValidatePublishOfferForm(), trk, DOMAIN)
    slots = out.slots()
    assert slots["offer_title"] is None and slots["offer_description"] is None and slots["offer_env_draft"] is None
    assert slots["offer_lieu"] == "Feurs (42)" and out.text == ""
