"""A teacher follows their own classes: who has nothing yet, who waits for answers, who is placed;
reminds the students without any application, exports the class as a CSV file, and confirms that an
agreement (convention) is signed. Every class code or application code in a button is checked again
against the teacher asking: a payload naming another teacher's class gets the same refusal as a typo."""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from datetime import date

from rasa_sdk.events import EventType

from actions.base import TremplinAction, Turn
from actions.chat import (application_code, button, latest_text, require_role, safe_filename, send_document,
                          signed_in)
from actions.web_links import say_dashboard_link
from tremplin.models import ApplicationStatus, Offer, Role, SchoolClass, Student
from tremplin.queries.people import agreements_to_confirm, class_by_join_code
from tremplin.services.applications import STATUS_WORDS
from tremplin.services.classes import (
    ACCEPTED, NOTHING, PENDING, SIGNED, class_overview, clean_join_code, confirm_agreement_signed,
    export_class_csv, remind_students_without_application,
)
from tremplin.services.errors import Forbidden
from tremplin.dates.period import range_label
from tremplin.dates.period import french_date

S = ApplicationStatus
JOIN_CODE = re.compile(r"(?<![\w-])(?:CLASSE-)?([A-Z0-9]{2,8}-[A-Z0-9]{1,3}(?:-[A-Z0-9]{2,3})?)(?![\w-])")
TEACHERS_ONLY = "Le suivi de classe est réservé aux professeurs de la classe."
NOT_YOURS = "Cette classe n'est pas la vôtre : vous ne voyez que vos classes."
TO_CONFIRM = (S.ACCEPTED, S.AGREEMENT_PENDING)
STATE_ORDER = [NOTHING, PENDING, ACCEPTED, SIGNED]
STATE_TITLES = {NOTHING: "Rien pour l'instant", PENDING: "Candidatures en attente",
                ACCEPTED: "Stage accepté, convention à signer", SIGNED: "Convention signée"}


async def _named_class_id(turn: Turn) -> int | None:
    """The class named by a payload or typed code, checked to be the teacher's own; None if none is named."""
    raw = turn.entity("code") or ""
    if not raw:
        typed = JOIN_CODE.search(latest_text(turn).upper())
        raw = typed.group(1) if typed else ""
    if not raw:
        return None
    school_class = await class_by_join_code(turn.session, clean_join_code(raw))
    if school_class is None or school_class.teacher_account_id != signed_in(turn).id:
        raise Forbidden("class_forbidden", NOT_YOURS)
    return school_class.id


async def _one_class_id(turn: Turn) -> int:
    """The class named (see _named_class_id), else the teacher's only class; else the question to ask."""
    named = await _named_class_id(turn)
    if named is not None:
        return named
    classes = await class_overview(turn.session, signed_in(turn))
    if len(classes) == 1:
        return classes[0].class_id
    raise Forbidden("class_required", "De quelle classe s'agit-il ? Écrivez « ma classe » pour choisir.")


async def _to_confirm(turn: Turn, class_id: int) -> list[tuple[str, str, date]]:
    """(first name, application code, week) of the class's accepted applications awaiting the agreement."""
    rows = await agreements_to_confirm(turn.session, class_id, TO_CONFIRM)
    return [(first or "(prénom non renseigné)", code, week) for first, code, week in rows]


class _TeacherAction(TremplinAction, ABC):
    """A teacher's action on their own classes: other roles get TEACHERS_ONLY."""

    async def handle(self, turn: Turn) -> list[EventType] | None:
        require_role(turn, Role.TEACHER, message=TEACHERS_ONLY)
        return await self.for_teacher(turn)

    @abstractmethod
    async def for_teacher(self, turn: Turn) -> list[EventType] | None:
        """The action, once the role is checked."""


class _OneClassAction(_TeacherAction, ABC):
    """On one class: the one a payload or typed code names (checked to be the teacher's), or their only one."""

    async def for_teacher(self, turn: Turn) -> list[EventType] | None:
        return await self.for_class(turn, await _one_class_id(turn))

    @abstractmethod
    async def for_class(self, turn: Turn, class_id: int) -> list[EventType] | None:
        """The action on that class."""


class ActionClassOverview(_TeacherAction):
    action_name = "action_class_overview"

    async def for_teacher(self, turn: Turn) -> list[EventType] | None:
        overviews = await class_overview(turn.session, signed_in(turn), await _named_class_id(turn))
        if not overviews:
            turn.say("Vous n'avez pas encore de classe. Créez-la : vos élèves la rejoindront avec un code.",
                     buttons=[button("Créer une classe", "create_class")])
            return None
        for overview in overviews:
            lines = [f"📋 {overview.name} — {overview.school} (code {overview.code})",
                     f"Semaine de stage : {range_label(overview.stage_start, overview.stage_end)}",
                     f"{len(overview.students)} élève{'s' if len(overview.students) > 1 else ''} inscrit"
                     f"{'s' if len(overview.students) > 1 else ''}."]
            for state in STATE_ORDER:
                names = [line.first_name for line in overview.students if line.state == state]
                if names:
                    lines.append(f"• {STATE_TITLES[state]} ({len(names)}) : {', '.join(names)}")
            if not overview.students:
                lines.append(f"Aucun élève pour l'instant : donnez-leur le code {overview.code}.")
            buttons = []
            if any(line.state == NOTHING for line in overview.students):
                buttons.append(button(f"Relancer ceux qui n'ont rien ({overview.name})", "class_remind",
                                      code=overview.code))
            buttons.append(button(f"Exporter en CSV ({overview.name})", "class_export", code=overview.code))
            pending = await _to_confirm(turn, overview.class_id)
            if pending:
                lines.append("Conventions à confirmer une fois signées :")
                for first, code, week in pending:
                    lines.append(f"   – {first}, candidature {code} (semaine du {french_date(week, year=False)})")
                    buttons.append(button(f"Convention signée : {first} ({code})", "confirm_agreement", code=code))
            turn.say("\n".join(lines), buttons=buttons)
        await say_dashboard_link(turn)
        return None


class ActionClassRemind(_OneClassAction):
    action_name = "action_class_remind"

    async def for_class(self, turn: Turn, class_id: int) -> list[EventType] | None:
        count = await remind_students_without_application(turn.session, signed_in(turn), class_id)
        if count == 0:
            turn.say("Personne à relancer aujourd'hui : tous vos élèves ont au moins une candidature, ou ont "
                     "déjà reçu un rappel aujourd'hui.")
        else:
            turn.say(f"C'est envoyé : {count} élève{'s' if count > 1 else ''} sans candidature "
                     f"{'vont' if count > 1 else 'va'} recevoir un petit rappel pour chercher leur stage.")
        return None


class ActionClassExport(_OneClassAction):
    action_name = "action_class_export"

    async def for_class(self, turn: Turn, class_id: int) -> list[EventType] | None:
        content = await export_class_csv(turn.session, signed_in(turn), class_id)
        school_class = await turn.session.get_one(SchoolClass, class_id)
        filename = f"tremplin-{safe_filename(school_class.name)}-{date.today().isoformat()}.csv"
        turn.say(f"Voici l'export de la classe {school_class.name} ({filename}) : prénom, situation, nombre de "
                 "candidatures et semaine de stage. Il s'ouvre dans un tableur.")
        send_document(turn, filename, content)
        return None


class ActionConfirmAgreement(_TeacherAction):
    """"Convention signée" for one accepted application of the teacher's own students; the student,
    their parents and the employer are told by the outbox (services)."""

    action_name = "action_confirm_agreement"

    async def for_teacher(self, turn: Turn) -> list[EventType] | None:
        code = application_code(turn)
        if code is None:
            turn.say("Pour quelle candidature ? Le code commence par « C- » ; la liste des conventions à "
                     "confirmer est dans « ma classe ».", buttons=[button("Ma classe", "class_overview")])
            return None
        application = await confirm_agreement_signed(turn.session, signed_in(turn), code)
        student = await turn.session.get_one(Student, application.student_id)
        offer = await turn.session.get_one(Offer, application.offer_id)
        name = student.first_name or "l'élève"
        week = french_date(application.week_start, year=False)
        turn.say(f"C'est noté : la convention de {name} ({application.public_code}, « {offer.title} », semaine du "
                 f"{week}) est signée — « {STATUS_WORDS[application.status]} ».\n"
                 f"{name}, sa famille et l'entreprise en sont informés.")
        return None
