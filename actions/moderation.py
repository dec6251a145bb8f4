"""The Tremplin team (role ADMIN, given on the command line only: `tremplin admin grant`): the
moderation queue (offers waiting for review, open problem reports) with approve / reject / suspend
buttons, and the figures. Every action checks the role first, and every id of a button again."""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk.events import EventType

from actions.base import TremplinAction, Turn
from actions.chat import button, latest_text, number
from actions.employer_contacts import show_join_requests
from actions.web_links import say_dashboard_link
from tremplin.geography import commune_label
from tremplin.models import Account, Employer, Offer, ProblemReport
from tremplin.services.employer_contacts import pending_requests_for
from tremplin.services.moderation import (
    approve_offer,
    close_report,
    figures,
    moderation_queue,
    reject_offer,
    require_admin,
    suspend_employer,
)
from tremplin.services.stats import compute_stats, format_stats

SHOWN = 10
REASONS = {
    "coordonnees": "Le texte contient des coordonnées (téléphone, e-mail, adresse) : elles ne doivent pas "
                   "apparaître dans l'offre.",
    "hors_cadre": "L'offre ne correspond pas à un stage d'observation de 3e (5 jours, sans travail productif).",
    "incomplete": "La description est trop vague : précisez ce que l'élève verra et fera pendant la semaine.",
    "inapproprie": "Le contenu de l'offre n'est pas adapté à des élèves mineurs.",
}
REASON_TITLES = {"coordonnees": "Coordonnées dans le texte", "hors_cadre": "Hors cadre du stage de 3e",
                 "incomplete": "Description trop vague", "inapproprie": "Contenu inadapté"}
CONFIRM = "CONFIRMER"
MISSING = {Employer: "Je ne trouve pas cet employeur.", ProblemReport: "Je ne trouve pas ce signalement."}


def _excerpt(text: str, limit: int = 280) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _to_queue() -> list[dict[str, str]]:
    return [button("File de modération", "moderation_queue")]


class _Decision(TremplinAction, ABC):
    """An admin's decision on what a moderation button (or a typed number) names: the role is checked
    first, then the target, looked up again (`target` says so when it is missing)."""

    async def handle(self, turn: Turn) -> list[EventType] | None:
        admin = require_admin(turn.account)
        target = await self.target(turn)
        if target is None:
            return None
        return await self.decide(turn, admin, target)

    @abstractmethod
    async def target(self, turn: Turn) -> Any:
        """What the button names, or None after saying what is missing."""

    @abstractmethod
    async def decide(self, turn: Turn, admin: Account, target: Any) -> list[EventType] | None:
        """The decision, worded for the admin."""


class _OnOffer(_Decision, ABC):
    which: str  # asked when no offer number was given

    async def target(self, turn: Turn) -> int | None:
        offer_id = number(turn)
        if offer_id is None:
            turn.say(self.which)
        return offer_id


class _OnRow(_Decision, ABC):
    model: type[Employer] | type[ProblemReport]

    async def target(self, turn: Turn) -> Any:
        row_id = number(turn)
        row = await turn.session.get(self.model, row_id) if row_id is not None else None
        if row is None:
            turn.say(f"{MISSING[self.model]} Utilisez les boutons de la file de modération.")
        return row


class ActionModerationQueue(TremplinAction):
    action_name = "action_moderation_queue"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        admin = require_admin(turn.account)
        queue = await moderation_queue(turn.session, admin)
        joins = await pending_requests_for(turn.session)
        if not queue.offers and not queue.reports and not joins:
            turn.say("Rien à modérer : aucune offre en attente, aucun signalement ouvert, aucune demande de "
                     "contact. 👍", buttons=[button("Les chiffres", "admin_figures")])
            return None
        turn.say(f"File de modération : {len(queue.offers)} offre(s) en attente, {len(queue.reports)} "
                 f"signalement(s) ouvert(s), {len(joins)} demande(s) pour devenir contact d'une entreprise. "
                 "Les plus anciens d'abord.")
        for report in queue.reports[:SHOWN]:
            reporter = (await turn.session.get(Account, report.reporter_account_id)
                        if report.reporter_account_id else None)
            who = reporter.role.value if reporter and reporter.role else "inconnu"
            about = f", offre n° {report.offer_id}" if report.offer_id else ""
            buttons = [button(f"Clore le signalement {report.id}", "close_report", nombre=report.id)]
            if report.employer_id:
                employer = await turn.session.get(Employer, report.employer_id)
                if employer is not None and not employer.suspended:
                    buttons.append(button(f"Suspendre {employer.name}", "suspend_employer", nombre=employer.id))
            turn.say(f"🚩 Signalement n° {report.id} ({report.created_at:%d/%m %H:%M}, par un compte « {who} » "
                     f"{reporter.pseudonym if reporter else ''}{about}) :\n« {_excerpt(report.text)} »\n"
                     "Le signalement reste dans la file jusqu'à ce que vous le closiez.", buttons=buttons)
        for offer in queue.offers[:SHOWN]:
            employer = await turn.session.get_one(Employer, offer.employer_id)
            turn.say(f"📝 Offre n° {offer.id} — « {offer.title} » ({offer.metier_label})\n"
                     f"{employer.name} (SIRET {employer.siret}), {commune_label(offer.commune_insee)}, "
                     f"{offer.capacity} place(s)\n« {_excerpt(offer.description or '')} »",
                     buttons=[button(f"Valider l'offre {offer.id}", "approve_offer", nombre=offer.id),
                              button(f"Refuser l'offre {offer.id}", "reject_offer", nombre=offer.id),
                              button(f"Suspendre {employer.name}", "suspend_employer", nombre=employer.id)])
        await show_join_requests(turn)
        hidden = sum(max(0, len(items) - SHOWN) for items in (queue.offers, queue.reports, joins))
        if hidden:
            turn.say(f"… et {hidden} autre(s) : traitez ceux-ci puis redemandez la file.")
        return None


class ActionApproveOffer(_OnOffer):
    action_name = "action_approve_offer"
    which = "Quelle offre ? Indiquez son numéro (« valider l'offre 12 »)."

    async def decide(self, turn: Turn, admin: Account, offer_id: int) -> list[EventType] | None:
        offer = await approve_offer(turn.session, admin, offer_id)
        turn.say(f"Offre n° {offer.id} « {offer.title} » validée : elle est visible par les élèves et "
                 "l'employeur est prévenu.", buttons=_to_queue())
        return None


def _typed_reason(turn: Turn) -> str | None:
    """"refuser l'offre 12 : trop vague" → "trop vague"."""
    text = latest_text(turn)
    match = re.search(r"\d+\s*[:,-]?\s*(?:car|parce que|motif\s*:?)?\s*(.{3,})$", text)
    return match.group(1).strip() if match else None


class ActionRejectOffer(_OnOffer):
    action_name = "action_reject_offer"
    which = "Quelle offre ? Indiquez son numéro (« refuser l'offre 12 : motif »)."

    async def decide(self, turn: Turn, admin: Account, offer_id: int) -> list[EventType] | None:
        key = (turn.entity("code") or "").strip().lower()
        reason = REASONS.get(key) or _typed_reason(turn)
        if not reason:
            offer = await turn.session.get(Offer, offer_id)
            if offer is None:
                turn.say("Je ne trouve pas cette offre.")
                return None
            turn.say(f"Pour quelle raison refuser l'offre n° {offer_id} « {offer.title} » ? Elle est transmise à "
                     "l'employeur, qui pourra corriger son offre. Vous pouvez aussi écrire votre motif : "
                     f"« refuser l'offre {offer_id} : … ».",
                     buttons=[button(title, "reject_offer", nombre=offer_id, code=key)
                              for key, title in REASON_TITLES.items()])
            return None
        offer = await reject_offer(turn.session, admin, offer_id, reason)
        turn.say(f"Offre n° {offer.id} refusée ; l'employeur a reçu le motif : « {reason} »", buttons=_to_queue())
        return None


class ActionSuspendEmployer(_OnRow):
    """Two steps: suspending closes every offer and frees pending students, so it is confirmed first."""

    action_name = "action_suspend_employer"
    model = Employer

    async def decide(self, turn: Turn, admin: Account, employer: Employer) -> list[EventType] | None:
        if employer.suspended:
            turn.say(f"{employer.name} est déjà suspendu.")
            return None
        if (turn.entity("code") or "").upper() != CONFIRM:
            turn.say(f"Suspendre {employer.name} (SIRET {employer.siret}) ? Toutes ses offres seront retirées, "
                     "les élèves en attente seront prévenus avec ménagement, et les élèves déjà acceptés "
                     "devront être appelés par l'équipe.",
                     buttons=[button(f"Oui, suspendre {employer.name}", "suspend_employer", nombre=employer.id,
                                     code=CONFIRM),
                              button("Non, revenir à la file", "moderation_queue")])
            return None
        done = await suspend_employer(turn.session, admin, employer.id)
        lines = [f"{employer.name} est suspendu : {done.closed_offers} offre(s) retirée(s), "
                 f"{done.pending_told} élève(s) en attente prévenu(s)."]
        if done.placed_codes:
            lines.append("⚠️ Élèves déjà acceptés à appeler (avec leur collège) : " + ", ".join(done.placed_codes))
        turn.say("\n".join(lines), buttons=_to_queue())
        return None


class ActionAdminFigures(TremplinAction):
    action_name = "action_admin_figures"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        admin = require_admin(turn.account)
        stats = await compute_stats(turn.session)
        equity = await figures(turn.session)
        open_reports = len((await moderation_queue(turn.session, admin)).reports)
        turn.say(format_stats(stats) + "\n\n" + equity.text + f"\n\nSignalements ouverts : {open_reports}",
                 buttons=_to_queue())
        await say_dashboard_link(turn)
        return None


class ActionCloseReport(_OnRow):
    """A report leaves the queue once a person of the team has dealt with it."""

    action_name = "action_close_report"
    model = ProblemReport

    async def decide(self, turn: Turn, admin: Account, report: ProblemReport) -> list[EventType] | None:
        close_report(turn.session, admin, report)
        turn.say(f"Signalement n° {report.id} clos.", buttons=_to_queue())
        return None
