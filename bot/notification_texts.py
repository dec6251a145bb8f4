"""Outbox rows → friendly French: tutoiement for students, vouvoiement for parents and employers."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from tremplin.dates.period import french_date
from tremplin.models import Role

# Kinds told to the student's side (the student, and their parents) vs. to the employer.
STUDENT_SIDE = {"application_accepted", "application_declined", "application_expired", "offer_full",
                "parent_linked", "application_agreement_pending", "application_agreement_signed",
                "application_done"}


def _week(value: object) -> str:
    """The payload's ISO `week_start` in French, or nothing when it is missing or not a date."""
    try:
        return french_date(date.fromisoformat(str(value)))
    except ValueError:
        return ""


def _what(p: dict[str, Any]) -> str:
    """« Titre » (semaine du …), or nothing when the payload lacks it."""
    title = f" pour « {p['offer_title']} »" if p.get("offer_title") else ""
    week = _week(p.get("week_start"))
    return title + (f" (semaine du {week})" if week else "")


# One table per audience: kind → sentence, with {code}, {what} (the offer and its week), {note} (the
# employer's word on a decline) and {freed} (the place is free again) filled from the payload.
_STUDENT = {
    "application_accepted": ("🎉 Bonne nouvelle ! Ta candidature {code}{what} a été acceptée. "
                             "Prochaine étape : la convention de stage avec ton collège."),
    "application_declined": ("Ta candidature {code}{what} n'a pas été retenue.{note}\n"
                             "Ne te décourage pas : d'autres offres t'attendent, on cherche ensemble ? 💪"),
    "application_expired": ("Ta candidature {code}{what} n'a pas eu de réponse à temps : elle est close. "
                            "Tu peux postuler ailleurs dès maintenant."),
    "offer_full": ("L'offre{what} est maintenant complète : ta candidature {code} ne pourra pas "
                   "être acceptée. Veux-tu que l'on cherche une autre offre ?"),
    "parent_linked": "Un parent est maintenant relié à ton compte : il pourra suivre tes candidatures.",
    "application_agreement_pending": "📄 La convention de ton stage{what} est en préparation ({code}).",
    "application_agreement_signed": "✍️ La convention de ton stage{what} est signée : tout est prêt ({code}) !",
    "application_done": "✅ Ton stage{what} est terminé. Bravo, et merci d'avoir utilisé Tremplin !",
}
_STUDENT_OTHER = "Du nouveau sur ta candidature {code}. Tape /mes_candidatures pour voir."

_PARENT = {
    "application_accepted": "Bonne nouvelle : la candidature {code} de votre enfant{what} a été acceptée.",
    "application_declined": ("La candidature {code} de votre enfant{what} n'a pas été retenue. "
                             "Encouragez-le ou encouragez-la : d'autres offres restent ouvertes."),
    "application_expired": "La candidature {code} de votre enfant{what} n'a pas eu de réponse et est close.",
    "offer_full": "L'offre{what} visée par votre enfant ({code}) est désormais complète.",
    "application_agreement_pending": "La convention de stage de votre enfant{what} est en préparation ({code}).",
    "application_agreement_signed": "La convention de stage de votre enfant{what} est signée ({code}).",
    "application_done": "Le stage de votre enfant{what} est terminé ({code}).",
}
_PARENT_OTHER = "Du nouveau sur la candidature {code} de votre enfant."

_EMPLOYER = {
    "application_received": ("📩 Nouvelle candidature {code}{what}. "
                             "Vous pouvez la lire et y répondre avec /mes_offres."),
    "application_withdrawn": "L'élève a retiré sa candidature {code}{what}.{freed}",
    "application_reminder": ("⏰ Rappel : la candidature {code}{what} attend votre réponse depuis quelques "
                             "jours. Un oui comme un non aide l'élève à avancer."),
    "application_agreement_pending": "La convention pour la candidature {code}{what} est en préparation.",
    "application_agreement_signed": "La convention pour la candidature {code}{what} est signée. Merci !",
    "application_done": "Le stage {code}{what} est terminé. Merci d'avoir accueilli un élève !",
}
_EMPLOYER_OTHER = "Du nouveau sur Tremplin ({code}). Tapez /mes_offres pour voir."


def _word(sentences: Mapping[str, str], other: str, kind: str, p: dict[str, Any]) -> str:
    """The audience's sentence for `kind` (`other` for a kind it has none for), filled from the payload."""
    return sentences.get(kind, other).format(
        code=p.get("code", ""), what=_what(p),
        note=f"\nLe mot de l'employeur : « {p['message']} »" if p.get("message") else "",
        freed=" La place est de nouveau disponible." if p.get("was_accepted") else "")


# Kinds whose service already wrote the whole sentence for its recipient (payload["message"]).
SELF_WORDED = {"employer_join_request", "employer_join_answered", "parent_unlinked", "teacher_reminder", "problem_reported",
               "offer_approved", "offer_rejected", "offer_withdrawn", "employer_suspended",
               "child_account_deleted", "employer_left", "human_handoff", "agreement_to_prepare"}


def render_notification(kind: str, payload: dict[str, Any], role: Role | None) -> str:
    """The message for one recipient; the role decides the register and the point of view."""
    if kind in SELF_WORDED and payload.get("message"):
        return str(payload["message"])
    if role is Role.PARENT:
        return _word(_PARENT, _PARENT_OTHER, kind, payload)
    if role in (Role.EMPLOYER, Role.TEACHER, Role.ADMIN) or kind not in STUDENT_SIDE:
        return _word(_EMPLOYER, _EMPLOYER_OTHER, kind, payload)
    return _word(_STUDENT, _STUDENT_OTHER, kind, payload)
