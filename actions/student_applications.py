"""Following one's applications: the list with states in words (and, once accepted, the next steps
and the host's contact), and withdrawing one after a confirmation."""
from __future__ import annotations

from actions.base import TremplinAction, Turn, typed_text
from actions.chat import yes_no
from actions.routing import PARENT_FOLLOWS
from actions.student_common import StudentAction, student_or_explain
from tremplin.geography import commune_label
from tremplin.dates.period import range_label
from tremplin.models import PENDING_STATUSES, PLACED_STATUSES, Application, Offer, Role, Student
from tremplin.privacy import public_text
from tremplin.services.applications import STATUS_WORDS, withdraw
from tremplin.services.errors import DomainError
from tremplin.services.follow import contact_after_acceptance
from tremplin.privacy.identifiers import find_application_code
from tremplin.queries.people import applications_of, status_of
from tremplin.services.privacy import WITHDRAWABLE

NEXT_STEPS = ("Prochaine étape : la convention de stage, signée par ton collège, l'employeur et ta famille. "
              "Parles-en vite à ton professeur principal.")


def withdraw_payload(code: str) -> str:
    return f'/withdraw_application{{"code": "{code}"}}'


async def _rows(turn: Turn, student: Student) -> list[tuple[Application, Offer]]:
    return await applications_of(turn.session, student.id)


async def _contact_lines(turn: Turn, student: Student, code: str) -> list[str]:
    contact = await contact_after_acceptance(turn.session, student, code)
    who = ", ".join(x for x in (contact.contact_name, contact.contact_phone, contact.contact_email) if x)
    lines = [f"   🏢 {contact.employer_name} — {contact.address}"]
    if who:
        lines.append(f"   ☎️ Contact : {who}")
    return lines


class ActionMyApplications(TremplinAction):
    action_name = "action_my_applications"

    async def handle(self, turn: Turn) -> None:
        if turn.account is not None and turn.account.role is Role.PARENT:
            from actions.parents import ActionAskStatus  # a parent's « mes candidatures » is the child's
            await ActionAskStatus().handle(turn)
            return
        if turn.is_student and PARENT_FOLLOWS.search(typed_text(turn.tracker).lower()):
            from actions.student_privacy import ActionInviteParent  # « comment mon père peut voir mes candidatures »
            await ActionInviteParent().handle(turn)
            return
        student = await student_or_explain(turn, "suivre tes candidatures")
        if student is None:
            return
        rows = await _rows(turn, student)
        if not rows:
            turn.say("Tu n'as encore envoyé aucune candidature. On cherche un stage ensemble ?",
                     buttons=[{"title": "Chercher un stage", "payload": "/search_offers"}])
            return
        lines = [f"Tes candidatures ({len(rows)}) :"]
        placed = False
        for app, offer in rows:
            lines.append(f"• {app.public_code} — « {public_text(offer.title)} » à {commune_label(offer.commune_insee)}, "
                         f"{range_label(app.week_start, app.week_end)} : {STATUS_WORDS[app.status]}")
            if app.status in PLACED_STATUSES:
                placed = True
                lines += await _contact_lines(turn, student, app.public_code)
            elif app.status.value == "declined" and app.decline_message:
                lines.append(f"   Le mot de l'employeur : « {app.decline_message} »")
        if placed:
            lines.append(NEXT_STEPS)
        pending = sum(1 for app, _ in rows if app.status in PENDING_STATUSES)
        if pending and not placed:
            lines.append(f"{pending} en attente de réponse : je te préviens dès qu'un employeur répond.")
        buttons = [{"title": f"Retirer {app.public_code}", "payload": withdraw_payload(app.public_code)}
                   for app, _ in rows if app.status in WITHDRAWABLE][:3]
        turn.say("\n".join(lines), buttons=buttons + [{"title": "Chercher un stage", "payload": "/search_offers"}])


class ActionWithdrawApplication(StudentAction):
    """First call: which one (buttons), then « sûr ? » (Oui / Non); `affirm` or `deny` come back here."""

    action_name = "action_withdraw_application"
    doing = "retirer une candidature"

    async def for_student(self, turn: Turn, student: Student) -> None:
        intent = (turn.tracker.latest_message.get("intent") or {}).get("name")
        pending = turn.slot("withdraw_pending")
        turn.set("withdraw_pending", None)
        if intent == "deny" and pending:
            turn.say(f"Ok, je ne retire rien : ta candidature {pending} continue.")
            return
        if intent == "affirm" and pending:
            await self._withdraw(turn, student, pending)
            return
        rows = [(a, o) for a, o in await _rows(turn, student) if a.status in WITHDRAWABLE]
        code = find_application_code(turn.entity("code") or turn.tracker.latest_message.get("text") or "")
        if code is None and len(rows) == 1:
            code = rows[0][0].public_code
        if code is None:
            if not rows:
                turn.say("Tu n'as aucune candidature en cours à retirer.")
                return
            turn.say("Laquelle veux-tu retirer ?", buttons=[
                {"title": f"{a.public_code} — {public_text(o.title)[:30]}", "payload": withdraw_payload(a.public_code)}
                for a, o in rows[:5]])
            return
        found = next(((a, o) for a, o in await _rows(turn, student) if a.public_code == code), None)
        if found is None:
            turn.say(f"Je ne trouve pas la candidature {code} parmi les tiennes. Regarde « mes candidatures » "
                     "pour retrouver son code (il commence par C-).",
                     buttons=[{"title": "Mes candidatures", "payload": "/my_applications"}])
            return
        app, offer = found
        if app.status not in WITHDRAWABLE:
            turn.say(f"La candidature {code} est « {STATUS_WORDS[app.status]} » : il n'y a plus rien à retirer.")
            return
        warning = (" Elle a été acceptée : si tu la retires, ta place est rendue et l'employeur est prévenu."
                   if app.status in PLACED_STATUSES else " L'employeur verra « candidature retirée ».")
        turn.set("withdraw_pending", code)
        turn.say(f"Tu veux vraiment retirer ta candidature {code} pour « {public_text(offer.title)} » ?{warning}",
                 buttons=yes_no("Oui, la retirer", "Non, la garder"))

    async def _withdraw(self, turn: Turn, student: Student, code: str) -> None:
        before = await status_of(turn.session, student.id, code)
        try:
            async with turn.session.begin_nested():
                app = await withdraw(turn.session, student, code)
        except DomainError as err:
            turn.say(err.message, buttons=[{"title": "Mes candidatures", "payload": "/my_applications"}])
            return
        told = ("ta place est rendue à l'offre et l'employeur est prévenu" if before in PLACED_STATUSES
                else "l'employeur est prévenu")
        turn.say(f"C'est fait : ta candidature {app.public_code} est retirée, {told}. "
                 "Tu peux postuler ailleurs quand tu veux.",
                 buttons=[{"title": "Chercher un stage", "payload": "/search_offers"}])
