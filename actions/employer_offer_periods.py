"""Editing an offer's periods with buttons: each coming week can be added, each current one removed.

Stateless on purpose: every button carries the offer and the week (`code` "O-<id>:ajouter" or
":retirer", `periode` the Monday in ISO form), so no slot or rule has to remember an edit in progress.
A `periode` entity in French ("du 11 au 15 janvier") arriving with "O-<id>:periodes" is added too."""
from __future__ import annotations

from datetime import date, timedelta

from actions.base import Turn
from actions.employer_common import offer_code, read_periods
from tremplin.dates.period import monday_of, range_label, week_label
from tremplin.geography.communes import get_communes
from tremplin.models import Offer
from tremplin.services.errors import DomainError
from tremplin.services.offer_periods import add_weeks, remove_week

WEEKS_OFFERED = 12


def _button(offer: Offer, operation: str, monday: date, title: str) -> dict[str, str]:
    return {"title": title,
            "payload": f'/my_offers{{"code": "{offer_code(offer, operation)}", "periode": "{monday.isoformat()}"}}'}


def _current(offer: Offer) -> str:
    return " ; ".join(range_label(p.start_date, p.end_date) for p in offer.periods) or "aucune"


def periods_menu(turn: Turn, offer: Offer, intro: str = "") -> None:
    today = date.today()
    taken = {monday_of(p.start_date) for p in offer.periods}
    first = monday_of(today + timedelta(days=3))  # a stage is not organised for the next few days
    coming = [first + timedelta(weeks=i) for i in range(WEEKS_OFFERED)]
    buttons = [_button(offer, "retirer", p.start_date, f"Retirer : {range_label(p.start_date, p.end_date)}")
               for p in offer.periods if len(offer.periods) > 1 and p.end_date >= today]
    buttons += [_button(offer, "ajouter", m, f"Ajouter la {week_label(m)}") for m in coming if m not in taken]
    turn.say(f"{intro}Périodes de « {offer.title} » : {_current(offer)}.\nTouchez une semaine pour l'ajouter ou la "
             f"retirer (les {WEEKS_OFFERED} prochaines semaines sont proposées).", buttons=buttons)


def _week(turn: Turn) -> date | None:
    try:
        return date.fromisoformat(turn.entity("periode") or "")
    except ValueError:
        return None


async def edit_periods(turn: Turn, offer: Offer, operation: str) -> None:
    """operation: "periodes" (show, or add what was written), "ajouter" or "retirer" a week."""
    monday = _week(turn)
    if operation == "retirer" and monday is not None:
        return await _remove(turn, offer, monday)
    if operation == "ajouter" and monday is not None:
        return await _add(turn, offer, [(monday, monday + timedelta(days=4))])
    if operation == "periodes" and turn.entity("periode"):
        commune = get_communes().get(offer.commune_insee)
        try:
            weeks = read_periods(turn.entity("periode") or "", commune.departement if commune else None, date.today())
        except DomainError as err:
            return periods_menu(turn, offer, f"{err.message}\n\n")
        return await _add(turn, offer, weeks)
    return periods_menu(turn, offer)


async def _add(turn: Turn, offer: Offer, weeks: list[tuple[date, date]]) -> None:
    try:
        added = await add_weeks(turn.session, offer, weeks)
    except DomainError as err:
        return periods_menu(turn, offer, f"{err.message}\n\n")
    note = f"C'est noté : {' ; '.join(added)} ajoutée(s).\n" if added else "Cette semaine est déjà proposée.\n"
    periods_menu(turn, offer, note)


async def _remove(turn: Turn, offer: Offer, monday: date) -> None:
    try:
        period = await remove_week(turn.session, offer, monday)
    except DomainError as err:
        return periods_menu(turn, offer, f"{err.message}\n")
    periods_menu(turn, offer, f"C'est noté : {range_label(period.start_date, period.end_date)} est retirée.\n")
