"""Managing one's offers: the list in words, closing with a confirmation, reopening, editing places and
periods, duplicating for next year, and offer ids in payloads re-checked (another company's id is refused)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from actions.employer_offers import ActionCloseOffer, ActionMyOffers
from tests.support.actions import chat_user, run, tracker, use_engine
from tests.support.factories import MOTIVATION, offer_for, student
from tests.support.employer import employer_sender, entity, monday, week_text
from tremplin.db import session_scope
from tremplin.models import Employer, Offer, OfferStatus
from tremplin.services.applications import apply


async def make_offer(engine, employer_id: int, *, capacity: int = 2, applications: int = 0) -> int:
    async with session_scope(engine) as s:
        offer = await offer_for(s, await s.get(Employer, employer_id), capacity=capacity, week=monday())
        for i in range(applications):
            pupil = await student(s, f"Élève{i}", week=monday())
            await apply(s, pupil, offer.id, MOTIVATION)
        return offer.id


async def load(engine, offer_id: int) -> Offer:
    async with session_scope(engine) as s:
        return await s.scalar(select(Offer).options(selectinload(Offer.periods)).where(Offer.id == offer_id))


def code(value: str) -> list[dict]:
    return [entity("code", value)]


async def test_list_shows_places_applications_and_status_in_words(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, employer_id = await employer_sender(engine, "off-1")
    first = await make_offer(engine, employer_id, capacity=3, applications=2)
    second = await make_offer(engine, employer_id, capacity=1)
    out = await run(ActionMyOffers(), tracker(sender, intent="my_offers"))
    assert "Vos offres" in out.text and "publiée" in out.text
    assert "3 place(s) libre(s) sur 3 · 2 candidature(s) reçue(s), dont 2 à traiter" in out.text
    assert {b["payload"] for b in out.buttons} == {f'/my_offers{{"code": "O-{first}"}}',
                                                   f'/my_offers{{"code": "O-{second}"}}'}
    # One offer's buttons: close, places, periods, duplicate (and the applications waiting).
    out = await run(ActionMyOffers(), tracker(sender, intent="my_offers", entities=code(f"O-{first}")))
    titles = [b["title"] for b in out.buttons]
    assert titles == ["Voir les candidatures", "Fermer l'offre", "Modifier le nombre de places",
                      "Modifier les périodes", "Dupliquer pour l'an prochain"]


async def test_no_offer_yet_and_not_an_employer(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, _ = await employer_sender(engine, "off-2")
    out = await run(ActionMyOffers(), tracker(sender, intent="my_offers"))
    assert "pas encore d'offre" in out.text and out.buttons[0]["payload"] == "/publish_offer"
    nobody = await chat_user(engine, "off-nobody")
    out = await run(ActionMyOffers(), tracker(nobody, intent="my_offers"))
    assert "réservée aux entreprises inscrites" in out.text


async def test_close_asks_for_confirmation_then_reopen(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, employer_id = await employer_sender(engine, "off-3")
    offer_id = await make_offer(engine, employer_id, applications=1)
    out = await run(ActionCloseOffer(), tracker(sender, intent="close_offer"))  # the only open offer
    assert "Fermer « Découvrir le fournil » ?" in out.text and "1 candidature(s) en attente" in out.text
    assert out.buttons[0]["payload"] == f'/close_offer{{"code": "O-{offer_id}:confirmer"}}'
    assert (await load(engine, offer_id)).status is OfferStatus.PUBLISHED
    out = await run(ActionCloseOffer(), tracker(sender, intent="close_offer", entities=code(f"O-{offer_id}:confirmer")))
    assert "est fermée" in out.text and "répondre aux 1 candidature(s)" in out.text
    assert (await load(engine, offer_id)).status is OfferStatus.CLOSED
    out = await run(ActionMyOffers(), tracker(sender, intent="my_offers", entities=code(f"O-{offer_id}:rouvrir")))
    assert "de nouveau visible" in out.text
    assert (await load(engine, offer_id)).status is OfferStatus.PUBLISHED


async def test_another_companys_offer_id_in_a_payload_is_refused(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    _, owner_id = await employer_sender(engine, "off-owner")
    offer_id = await make_offer(engine, owner_id)
    intruder, _ = await employer_sender(engine, "off-intruder", company="Autre SARL")
    for action, payload in ((ActionCloseOffer(), f"O-{offer_id}:confirmer"), (ActionMyOffers(), f"O-{offer_id}"),
                            (ActionMyOffers(), f"O-{offer_id}:dupliquer"), (ActionMyOffers(), f"O-{offer_id}:places")):
        out = await run(action, tracker(intruder, entities=code(payload) + [entity("nombre", "5")]))
        assert out.text == ("Je ne trouve pas cette offre parmi les vôtres. Écrivez « mes offres » pour voir la liste "
                            "de vos offres.")
    offer = await load(engine, offer_id)
    assert offer.status is OfferStatus.PUBLISHED and offer.capacity == 2
    async with session_scope(engine) as s:
        assert await s.scalar(select(func.count()).select_from(Offer)) == 1
    out = await run(ActionCloseOffer(), tracker(intruder, entities=code("O-999999:confirmer")))
    assert "Je ne trouve pas cette offre" in out.text


async def test_edit_places(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, employer_id = await employer_sender(engine, "off-4")
    offer_id = await make_offer(engine, employer_id, capacity=2)
    out = await run(ActionMyOffers(), tracker(sender, entities=code(f"O-{offer_id}:places")))
    assert "Combien d'élèves" in out.text and [b["title"] for b in out.buttons] == [str(n) for n in range(1, 11)]
    for bad, words in (("50", "de 1 à 10"), ("0", "de 1 à 10")):
        out = await run(ActionMyOffers(), tracker(sender, entities=code(f"O-{offer_id}:places")
                                                  + [entity("nombre", bad)]))
        assert words in out.text
    out = await run(ActionMyOffers(), tracker(sender, entities=code(f"O-{offer_id}:places") + [entity("nombre", "4")]))
    assert "4 place(s) au total, dont 4 libre(s)" in out.text
    offer = await load(engine, offer_id)
    assert (offer.capacity, offer.places_left) == (4, 4)


async def test_edit_periods_with_buttons_or_words(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, employer_id = await employer_sender(engine, "off-5")
    offer_id = await make_offer(engine, employer_id)

    async def press(operation: str, week: str):
        return await run(ActionMyOffers(), tracker(sender, entities=code(f"O-{offer_id}:{operation}")
                                                   + [entity("periode", week)]))

    out = await run(ActionMyOffers(), tracker(sender, entities=code(f"O-{offer_id}:periodes")))
    assert "Touchez une semaine pour l'ajouter ou la retirer" in out.text
    assert not any(b["title"].startswith("Retirer") for b in out.buttons)  # the only period stays
    add = next(b for b in out.buttons if monday(6).isoformat() in b["payload"])
    assert add["payload"] == (f'/my_offers{{"code": "O-{offer_id}:ajouter", "periode": "{monday(6).isoformat()}"}}')
    out = await press("ajouter", monday(6).isoformat())
    assert "ajoutée(s)" in out.text and any(b["title"].startswith("Retirer") for b in out.buttons)
    out = await press("retirer", monday().isoformat())
    assert "est retirée" in out.text
    offer = await load(engine, offer_id)
    assert [(p.start_date, p.end_date) for p in offer.periods] == [(monday(6), monday(6) + timedelta(days=4))]
    out = await press("retirer", monday(6).isoformat())
    assert "au moins une période" in out.text
    past = f"la semaine du 7 septembre {date.today().year - 1}"
    out = await press("periodes", past)
    assert "déjà passé" in out.text and "Indiquez une semaine à venir" in out.text
    out = await press("periodes", week_text(8))
    assert "ajoutée(s)" in out.text
    assert len((await load(engine, offer_id)).periods) == 2
    out = await press("ajouter", (monday() - timedelta(weeks=3)).isoformat())  # a forged past week
    assert "déjà passée" in out.text and "Rien n'est modifié" in out.text
    assert len((await load(engine, offer_id)).periods) == 2


async def test_duplicate_for_next_year(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    sender, employer_id = await employer_sender(engine, "off-6", trusted=False)
    offer_id = await make_offer(engine, employer_id)
    out = await run(ActionMyOffers(), tracker(sender, entities=code(f"O-{offer_id}:dupliquer")))
    assert "une copie de « Découvrir le fournil »" in out.text and "relecture de l'équipe" in out.text
    async with session_scope(engine) as s:
        copy = await s.scalar(select(Offer).options(selectinload(Offer.periods), selectinload(Offer.environments))
                              .where(Offer.id != offer_id))
        assert copy.status is OfferStatus.PENDING_REVIEW
        assert copy.periods[0].start_date == monday() + timedelta(weeks=52)
        assert copy.periods[0].start_date.weekday() == 0
        assert copy.environment_tags == ["atelier", "public"] and copy.street_address == "3 rue de la République"
