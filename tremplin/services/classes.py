"""Teachers' classes: a readable join code for the students, an overview of who is placed, an export
for the school office, reminders, and the teacher's confirmation that the agreement is signed.

A teacher only ever sees their own classes, and of each student only the first name and a state."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.dates.period import french_date
from tremplin.geography.communes import get_communes
from tremplin.models import (
    Account, Application, ApplicationStatus, Role, School, SchoolClass, Student,
)
from tremplin.privacy.identifiers import random_code
from tremplin.services.applications import STATUS_WORDS, advance_agreement
from tremplin.services.audit import audit
from tremplin.services.employers import normalize_phone, resolve_commune
from tremplin.services.errors import DomainError, Forbidden, NotFound
from tremplin.services.follow import ensure_code_attempts_left, record_code_failure
from tremplin.services.outbox import enqueue
from tremplin.text import normalize

S = ApplicationStatus
UAI = re.compile(r"\b(\d{7}[A-Za-z])\b")
MAX_STAGE_DAYS = 12
NOTHING, PENDING, ACCEPTED, SIGNED = ("rien pour l'instant", "candidatures en attente", "accepté",
                                      "convention signée")
_STATE_OF = {S.SENT: PENDING, S.SEEN: PENDING, S.ACCEPTED: ACCEPTED, S.AGREEMENT_PENDING: ACCEPTED,
             S.AGREEMENT_SIGNED: SIGNED, S.DONE: SIGNED}
_RANK = {NOTHING: 0, PENDING: 1, ACCEPTED: 2, SIGNED: 3}


@dataclass
class CreatedClass:
    school_class: SchoolClass
    school: School
    code: str
    deep_link: str  # Telegram start parameter: t.me/<bot>?start=classe-<CODE>


@dataclass
class StudentLine:
    student_id: int
    first_name: str
    state: str
    applications: int


@dataclass
class ClassOverview:
    class_id: int
    name: str
    school: str
    code: str
    stage_start: date
    stage_end: date
    students: list[StudentLine]


async def find_school(session: AsyncSession, school_text: str, commune_text: str | None = None) -> School:
    """By UAI (created if unknown and a commune is given) or by name, case- and accent-insensitive."""
    text = " ".join((school_text or "").split())
    uai_match = UAI.search(text)
    if uai_match:
        uai = uai_match.group(1).upper()
        school = await session.scalar(select(School).where(School.uai == uai))
        if school is not None:
            return school
        if not commune_text:
            raise DomainError("school_commune_needed", f"Je ne connais pas encore le collège {uai} : "
                              "indiquez aussi sa commune pour que je l'ajoute.")
        commune = resolve_commune(commune_text)
        name = (text.replace(uai_match.group(1), "").strip(" -,") or f"Collège {uai}")[:200]
        school = School(uai=uai, name=name, commune_insee=commune.insee)
        session.add(school)
        await session.flush()
        return school
    wanted = normalize(text)
    if len(wanted) < 3:
        raise DomainError("school_name", "Indiquez le nom du collège ou son code UAI (7 chiffres et une lettre, "
                          "par exemple 0421234A).")
    schools = list(await session.scalars(select(School)))
    exact = [s for s in schools if normalize(s.name) == wanted]
    found = exact or [s for s in schools if wanted in normalize(s.name)]
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(f"{s.name} ({s.uai})" for s in found[:5])
        raise DomainError("school_ambiguous", f"Plusieurs collèges correspondent : {names}. Donnez le code UAI.")
    raise DomainError("school_unknown", f"Je ne trouve pas le collège « {text} ». Donnez son code UAI "
                      "(7 chiffres et une lettre, sur les courriers du collège) et sa commune.")


def _code_part(text: str, limit: int) -> str:
    return re.sub(r"[^A-Z0-9]", "", normalize(text).upper())[:limit] or "X"


async def _new_join_code(session: AsyncSession, commune_name: str, class_name: str) -> str:
    town = _code_part(re.sub(r"^saint\b", "st", normalize(commune_name)), 8)
    klass = _code_part(re.sub(r"^(\d)\s*(?:ieme|eme|e)?\s*", r"\1", normalize(class_name)), 3)
    for attempt in range(40):
        code = f"{town}-{klass}-{random_code(2 if attempt < 20 else 3)}"
        if await session.scalar(select(SchoolClass.id).where(SchoolClass.join_code == code)) is None:
            return code
    raise DomainError("join_code", "Impossible de créer un code pour cette classe, réessayez.")  # pragma: no cover


_CONTACT_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def clean_teacher_contact(text: str) -> str:
    """"Mme Roche, 04 77 26 11 22" or "m.roche@ac-lyon.fr": a name with a French phone or an e-mail,
    so that a host can reach the collège about the agreement. Refused (in French) otherwise."""
    text = " ".join((text or "").split())
    has_email = _CONTACT_EMAIL.search(text) is not None
    phone = re.search(r"(?:\+33|0033|0)[\s.()-]*[1-9](?:[\s.-]*\d){8}", text)
    if phone is not None:
        try:
            text = text.replace(phone[0], normalize_phone(phone[0]))
        except DomainError:
            phone = None
    if not (has_email or phone) or len(text) > 200:
        raise DomainError("teacher_contact", "Indiquez votre nom avec un téléphone ou un e-mail professionnel "
                          "(celui du collège), par exemple « Mme Roche, 04 77 26 11 22 » : l'entreprise qui "
                          "accueillera un élève s'en servira pour préparer la convention.")
    return text


async def create_class(session: AsyncSession, teacher_account: Account, school_text: str, class_name: str,
                       stage_start: date, stage_end: date, commune_text: str | None = None,
                       teacher_contact: str | None = None) -> CreatedClass:
    """A new class of this teacher, with a join code like FEURS-3A-7K."""
    if teacher_account.role not in (None, Role.TEACHER):
        raise Forbidden("teacher_only", "La création de classe est réservée aux professeurs.")
    name = " ".join((class_name or "").split())[:60]
    if not name:
        raise DomainError("class_name", "Indiquez le nom de la classe, par exemple « 3e A ».")
    if stage_end < stage_start:
        raise DomainError("stage_order", "La fin de la semaine de stage est avant son début.")
    if (stage_end - stage_start).days > MAX_STAGE_DAYS:
        raise DomainError("stage_too_long", "Le stage d'observation dure une semaine : indiquez ses dates de "
                          "début et de fin.")
    school = await find_school(session, school_text, commune_text)
    commune = get_communes().get(school.commune_insee)
    code = await _new_join_code(session, commune.name if commune else school.name, name)
    teacher_account.role = Role.TEACHER
    contact = clean_teacher_contact(teacher_contact) if teacher_contact else None
    school_class = SchoolClass(school_id=school.id, name=name, join_code=code, stage_start=stage_start,
                               stage_end=stage_end, teacher_account_id=teacher_account.id, teacher_contact=contact)
    session.add(school_class)
    await session.flush()
    audit(session, teacher_account.pseudonym, "class_created", f"class:{school_class.id}")
    return CreatedClass(school_class, school, code, f"classe-{code}")


def clean_join_code(code: str) -> str:
    text = re.sub(r"[\s_]+", "-", (code or "").strip().upper())
    return text.removeprefix("CLASSE-").removeprefix("/START-")


async def join_class(session: AsyncSession, student: Student, code: str,
                     now: datetime | None = None) -> SchoolClass:
    """Put the student in the class and its stage week; 5 wrong codes an hour at most."""
    account = await session.get_one(Account, student.account_id)
    await ensure_code_attempts_left(session, account, "class", "Tu as essayé trop de codes faux : attends une "
                                    "heure, ou demande le bon code à ton professeur.", now)
    school_class = await session.scalar(select(SchoolClass).where(SchoolClass.join_code == clean_join_code(code)))
    if school_class is None:
        await record_code_failure(session, account, "class", now)
        raise DomainError("class_code_unknown", "Ce code ne correspond à aucune classe. Vérifie-le avec ton "
                          "professeur (il ressemble à FEURS-3A-7K).")
    student.class_id = school_class.id
    student.stage_start, student.stage_end = school_class.stage_start, school_class.stage_end
    await session.flush()
    audit(session, account.pseudonym, "class_joined", f"class:{school_class.id}")
    return school_class


async def _teacher_classes(session: AsyncSession, teacher: Account, class_id: int | None) -> list[SchoolClass]:
    if class_id is not None:
        school_class = await session.get(SchoolClass, class_id)
        if school_class is None or school_class.teacher_account_id != teacher.id:
            raise Forbidden("class_forbidden", "Cette classe n'est pas la vôtre : vous ne voyez que vos classes.")
        return [school_class]
    return list(await session.scalars(select(SchoolClass).where(SchoolClass.teacher_account_id == teacher.id)
                                      .order_by(SchoolClass.name)))


async def _student_lines(session: AsyncSession, class_id: int) -> list[StudentLine]:
    students = list(await session.scalars(select(Student).where(Student.class_id == class_id)))
    ids = [s.id for s in students]
    statuses: dict[int, list[ApplicationStatus]] = {i: [] for i in ids}
    if ids:
        for student_id, status in (await session.execute(
                select(Application.student_id, Application.status).where(Application.student_id.in_(ids)))).all():
            statuses[student_id].append(status)
    lines = []
    for student in students:
        states = [_STATE_OF.get(s, NOTHING) for s in statuses[student.id]]
        state = max(states, key=_RANK.__getitem__, default=NOTHING)
        lines.append(StudentLine(student.id, student.first_name or "(prénom non renseigné)", state,
                                 len(statuses[student.id])))
    return sorted(lines, key=lambda line: (normalize(line.first_name), line.student_id))


async def class_overview(session: AsyncSession, teacher_account: Account,
                         class_id: int | None = None) -> list[ClassOverview]:
    result = []
    for school_class in await _teacher_classes(session, teacher_account, class_id):
        school = await session.get_one(School, school_class.school_id)
        result.append(ClassOverview(school_class.id, school_class.name, school.name, school_class.join_code,
                                    school_class.stage_start, school_class.stage_end,
                                    await _student_lines(session, school_class.id)))
    return result


def _cell(value: object) -> str:
    """Neutralise spreadsheet formulas typed into a first name."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def export_class_csv(session: AsyncSession, teacher_account: Account, class_id: int) -> str:
    """`;`-separated, with a BOM so that Excel opens the accents right."""
    overview = (await class_overview(session, teacher_account, class_id))[0]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Prénom", "Situation", "Candidatures", "Classe", "Semaine de stage"])
    week = f"du {french_date(overview.stage_start, year=False)} au {french_date(overview.stage_end, year=False)}"
    for line in overview.students:
        writer.writerow([_cell(line.first_name), line.state, line.applications, _cell(overview.name), week])
    return "\ufeff" + out.getvalue()


async def remind_students_without_application(session: AsyncSession, teacher_account: Account,
                                              class_id: int, today: date | None = None) -> int:
    """Nudge (once a day at most) the students with nothing in progress; returns how many."""
    overview = (await class_overview(session, teacher_account, class_id))[0]
    day = (today or date.today()).isoformat()
    count = 0
    for line in overview.students:
        if line.state != NOTHING:
            continue
        student = await session.get_one(Student, line.student_id)
        queued = await enqueue(session, student.account_id, "teacher_reminder",
                               f"teacher-reminder:{class_id}:{student.id}:{day}", class_name=overview.name,
                               message="Ton professeur te rappelle de chercher ton stage d'observation : "
                                       "on regarde les offres près de chez toi ?")
        count += queued is not None
    audit(session, teacher_account.pseudonym, "teacher_reminder", f"class:{class_id}", count=count)
    return count


async def confirm_agreement_signed(session: AsyncSession, teacher_account: Account,
                                   application_code: str) -> Application:
    """The teacher confirms the signed agreement of one of their students' accepted applications."""
    code = (application_code or "").strip().upper()
    row = (await session.execute(
        select(Application, SchoolClass).join(Student, Application.student_id == Student.id)
        .join(SchoolClass, Student.class_id == SchoolClass.id).where(Application.public_code == code))).first()
    if row is None or row[1].teacher_account_id != teacher_account.id:
        raise NotFound("application_not_found", "Je ne trouve pas cette candidature parmi celles de vos élèves.")
    application = row[0]
    if application.status is S.ACCEPTED:
        application = await advance_agreement(session, application.public_code, S.AGREEMENT_PENDING)
    if application.status is not S.AGREEMENT_PENDING:
        raise DomainError("agreement_not_possible", "Cette candidature est « "
                          f"{STATUS_WORDS[application.status]} » : la convention ne peut pas être confirmée.")
    application = await advance_agreement(session, application.public_code, S.AGREEMENT_SIGNED)
    audit(session, teacher_account.pseudonym, "agreement_signed", application.public_code)
    return application
