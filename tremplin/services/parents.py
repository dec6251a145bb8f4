"""Parent links: a student hands out a single-use code, valid 7 days, that a parent redeems in chat."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.models import Account, ParentLink, ParentLinkCode, Role, Student, utcnow
from tremplin.privacy.identifiers import hash_code, random_code
from tremplin.services.audit import audit
from tremplin.services.errors import DomainError
from tremplin.services.outbox import enqueue

CODE_VALIDITY = timedelta(days=7)


async def create_link_code(session: AsyncSession, student: Student, now: datetime | None = None) -> str:
    """Return a fresh code in clear (shown once to the student); only its hash is stored."""
    now = now or utcnow()
    code = "P-" + random_code(8)
    session.add(ParentLinkCode(student_id=student.id, code_hash=hash_code(code), expires_at=now + CODE_VALIDITY))
    await session.flush()
    return code


async def redeem_link_code(session: AsyncSession, parent: Account, code: str,
                           now: datetime | None = None) -> Student:
    now = now or utcnow()
    row = await session.scalar(select(ParentLinkCode).where(ParentLinkCode.code_hash == hash_code(code)))
    if row is None:
        raise DomainError("link_code_unknown", "Ce code ne correspond à aucun élève. Vérifiez-le auprès de "
                          "votre enfant (il commence par « P- »).")
    if row.used_at is not None:
        raise DomainError("link_code_used", "Ce code a déjà servi. Demandez à votre enfant d'en créer un nouveau.")
    if row.expires_at < now:
        raise DomainError("link_code_expired", "Ce code a expiré (il est valable 7 jours). Demandez à votre "
                          "enfant d'en créer un nouveau.")
    # Single use even under concurrency: only one UPDATE can flip used_at from NULL.
    claimed = await session.execute(update(ParentLinkCode).where(
        ParentLinkCode.id == row.id, ParentLinkCode.used_at.is_(None)).values(used_at=now)
        .returning(ParentLinkCode.id))
    if claimed.first() is None:
        raise DomainError("link_code_used", "Ce code a déjà servi. Demandez à votre enfant d'en créer un nouveau.")
    student = await session.get_one(Student, row.student_id)
    if parent.role is None:
        parent.role = Role.PARENT
    try:
        async with session.begin_nested():
            session.add(ParentLink(parent_account_id=parent.id, student_id=student.id))
    except IntegrityError:
        pass  # already linked: the code is still consumed, the link stays as it was
    await enqueue(session, student.account_id, "parent_linked", f"parent-link:{row.id}")
    audit(session, parent.pseudonym, "parent_linked", f"student:{student.id}")
    return student
