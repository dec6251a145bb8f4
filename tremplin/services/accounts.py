"""Accounts are found through a channel identity; nothing but a keyed hash of the chat id is kept."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.models import Account, ChannelIdentity, Role, Student
from tremplin.privacy.identifiers import external_hash, new_pseudonym, seal


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
