"""Outbox rows → friendly French: tutoiement for students, vouvoiement for parents and employers."""
from __future__ import annotations

from datetime import date
from typing import Any

from tremplin.models import Role

_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"]

# Kinds told to the student's side (the student, and their parents) vs. to the employer.
STUDENT_SIDE = {"application_accepted", "application_declined", "application_expired", "offer_full",
                "parent_linked", "application_agreement_pending", "application_agreement_signed",
                "application_done"}


def french_date(value: str | None) -> str:
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return ""
    return f"{'1er' if day.day == 1 else day.day} {_MONTHS[day.month - 1]} {day.year}"


def _what(p: dict[str, Any]) -> str:
    """« Titre » (semaine du …), or nothing when the payload lacks it."""
    title = f" pour « {p['offer_title']} »" if p.get("offer_title") else ""
    week = french_date(p.get("week_start"))
    return title + (f" (semaine du {week})" if week else "")


def _student(kind: str, p: dict[str, Any]) -> str:
    code, what = p.get("code", ""), _what(p)
    match kind:
        case "application_accepted":
            return (f"🎉 Bonne nouvelle ! Ta candidature {code}{what} a été acceptée. "
                    "Prochaine étape : la convention de stage avec ton collège.")
        case "application_declined":
            note = f"\nLe mot de l'employeur : « {p['message']} »" if p.get("message") else ""
            return (f"Ta candidature {code}{what} n'a pas été retenue.{note}\n"
                    "Ne te décourage pas : d'autres offres t'attendent, on cherche ensemble ? 💪")
        case "application_expired":
            return (f"Ta candidature {code}{what} n'a pas eu de réponse à temps : elle est close. "
                    "Tu peux postuler ailleurs dès maintenant.")
        case "offer_full":
            return (f"L'offre{_what(p)} est maintenant complète : ta candidature {code} ne pourra pas "
                    "être acceptée. Veux-tu que l'on cherche une autre offre ?")
        case "parent_linked":
            return "Un parent est maintenant relié à ton compte : il pourra suivre tes candidatures."
        case "application_agreement_pending":
            return f"📄 La convention de ton stage{what} est en préparation ({code})."
        case "application_agreement_signed":
            return f"✍️ La convention de ton stage{what} est signée : tout est prêt ({code}) !"
        case "application_done":
            return f"✅ Ton stage{what} est terminé. Bravo, et merci d'avoir utilisé Tremplin !"
    return f"Du nouveau sur ta candidature {code}. Tape /mes_candidatures pour voir."


def _parent(kind: str, p: dict[str, Any]) -> str:
    code, what = p.get("code", ""), _what(p)
    match kind:
        case "application_accepted":
            return f"Bonne nouvelle : la candidature {code} de votre enfant{what} a été acceptée."
        case "application_declined":
            return (f"La candidature {code} de votre enfant{what} n'a pas été retenue. "
                    "Encouragez-le ou encouragez-la : d'autres offres restent ouvertes.")
        case "application_expired":
            return f"La candidature {code} de votre enfant{what} n'a pas eu de réponse et est close."
        case "offer_full":
            return f"L'offre{what} visée par votre enfant ({code}) est désormais complète."
        case "application_agreement_pending":
            return f"La convention de stage de votre enfant{what} est en préparation ({code})."
        case "application_agreement_signed":
            return f"La convention de stage de votre enfant{what} est signée ({code})."
        case "application_done":
            return f"Le stage de votre enfant{what} est terminé ({code})."
    return f"Du nouveau sur la candidature {code} de votre enfant."


def _employer(kind: str, p: dict[str, Any]) -> str:
    code, what = p.get("code", ""), _what(p)
    match kind:
        case "application_received":
            return (f"📩 Nouvelle candidature {code}{what}. "
                    "Vous pouvez la lire et y répondre avec /mes_offres.")
        case "application_withdrawn":
            extra = " La place est de nouveau disponible." if p.get("was_accepted") else ""
            return f"L'élève a retiré sa candidature {code}{what}.{extra}"
        case "application_reminder":
            return (f"⏰ Rappel : la candidature {code}{what} attend votre réponse depuis quelques "
                    "jours. Un oui comme un non aide l'élève à avancer.")
        case "application_agreement_pending":
            return f"La convention pour la candidature {code}{what} est en préparation."
        case "application_agreement_signed":
            return f"La convention pour la candidature {code}{what} est signée. Merci !"
        case "application_done":
            return f"Le stage {code}{what} est terminé. Merci d'avoir accueilli un élève !"
    return f"Du nouveau sur Tremplin ({code}). Tapez /mes_offres pour voir."


# Kinds whose service already wrote the whole sentence for its recipient (payload["message"]).
SELF_WORDED = {"employer_join_request", "employer_join_answered", "parent_unlinked", "teacher_reminder", "problem_reported",
               "offer_approved", "offer_rejected", "offer_withdrawn", "employer_suspended",
               "child_account_deleted", "employer_left", "human_handoff", "agreement_to_prepare"}


def render_notification(kind: str, payload: dict[str, Any], role: Role | None) -> str:
    """The message for one recipient; the role decides the register and the point of view."""
    if kind in SELF_WORDED and payload.get("message"):
        return str(payload["message"])
    if role is Role.PARENT:
        return _parent(kind, payload)
    if role in (Role.EMPLOYER, Role.TEACHER, Role.ADMIN) or kind not in STUDENT_SIDE:
        return _employer(kind, payload)
    return _student(kind, payload)
