"""Accounts are found through a channel identity; nothing but a keyed hash of the chat id is kept."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.models import Account, ChannelIdentity, Role, Student
from tremplin.privacy.identifiers import external_hash, new_pseudonym, seal


async def anonymous_account(session: AsyncSession) -> Account:
    """An account without a channel, for a chat the gateway did not register: a problem report must
    still be recorded under someone."""
    account = Account(pseudonym=new_pseudonym())
    session.add(account)
    await session.flush()
    return account


async def remember_search_profile(session: AsyncSession, student: Student, commune_insee: str | None,
                                  week: tuple[date, date] | None) -> tuple[bool, bool]:
    """A pupil without a class: their first search gives their commune and stage week, kept for the next
    searches (never over what they already gave). Returns (commune kept, week kept)."""
    if student.class_id is not None:
        return False, False
    commune_kept = student.home_commune_insee is None and commune_insee is not None
    if commune_kept:
        student.home_commune_insee = commune_insee
    week_kept = False
    if student.stage_start is None and week is not None:
        student.stage_start, student.stage_end = week
        week_kept = True
    if commune_kept or week_kept:
        await session.flush()
    return commune_kept, week_kept


async def find_account(session: AsyncSession, channel: str, external_id: str | int) -> Account | None:
    return await session.scalar(
        select(Account).join(ChannelIdentity).where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.external_hash == external_hash(channel, external_id)))


async def get_or_create_account(session: AsyncSession, channel: str, external_id: str | int,
                                address: str | int | None = None) -> Account:
    """The account behind a chat; `address` (where to deliver) is sealed, never stored in clear."""
    account = await find_account(session, channel, external_id)
    if account is not None:
        return account
    account = Account(pseudonym=new_pseudonym())
    account.identities.append(ChannelIdentity(
        channel=channel, external_hash=external_hash(channel, external_id),
        sealed_address=seal(address if address is not None else external_id)))
    session.add(account)
    await session.flush()
    return account


async def set_role(session: AsyncSession, account: Account, role: Role) -> Account:
    account.role = role
    if role is Role.STUDENT:
        existing = await session.scalar(select(Student).where(Student.account_id == account.id))
        if existing is None:
            session.add(Student(account_id=account.id))
    await session.flush()
    return account


async def student_of(session: AsyncSession, account_id: int) -> Student | None:
    return await session.scalar(select(Student).where(Student.account_id == account_id))
