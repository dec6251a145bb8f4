"""Single-use, expiring links that open the dashboard from the chat: no password to manage. The
token is random, stored hashed, bound to the account that asked, and burnt on first use."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.models import Account, DashboardLink, Role, utcnow
from tremplin.services.audit import audit
from tremplin.services.errors import DomainError, Forbidden

TEACHER, TERRITORY = "teacher", "territory"


def _hash(token: str) -> str:
    return hashlib.sha256(b"dashboard:" + token.encode()).hexdigest()


def scope_for(account: Account | None) -> str:
    if account is not None and account.role is Role.TEACHER:
        return TEACHER
    if account is not None and account.role is Role.ADMIN:
        return TERRITORY
    raise Forbidden("dashboard_forbidden", "Le tableau de bord est réservé aux professeurs et à l'équipe Tremplin.")


async def issue_link(session: AsyncSession, account: Account, minutes: int = 15,
                     now: datetime | None = None) -> str:
    """The clear token to put in the link; only its hash is kept."""
    scope = scope_for(account)
    token = secrets.token_urlsafe(24)
    session.add(DashboardLink(token_hash=_hash(token), account_id=account.id, scope=scope,
                              expires_at=(now or utcnow()) + timedelta(minutes=minutes)))
    audit(session, account.pseudonym, "dashboard_link_issued", scope)
    await session.flush()
    return token


@dataclass(frozen=True)
class Opened:
    account_id: int
    scope: str


async def check_link(session: AsyncSession, token: str, now: datetime | None = None) -> DashboardLink:
    """The link if it can still be used; a reused, expired or unknown link says so in French.
    Opening the page only checks: the link is spent by the confirmation (a POST), so a link
    preview or a mail scanner fetching it does not burn it."""
    now = now or utcnow()
    link = await session.scalar(select(DashboardLink).where(DashboardLink.token_hash == _hash(token or "")))
    if link is None:
        raise DomainError("link_unknown", "Ce lien n'existe pas. Demandez-en un nouveau dans la conversation.")
    if link.used_at is not None:
        raise DomainError("link_used", "Ce lien a déjà servi : il ne s'ouvre qu'une fois. "
                          "Demandez-en un nouveau dans la conversation.")
    if link.expires_at <= now:
        raise DomainError("link_expired", "Ce lien a expiré. Demandez-en un nouveau dans la conversation.")
    return link


async def redeem_link(session: AsyncSession, token: str, now: datetime | None = None) -> Opened:
    """First use wins (an atomic update)."""
    now = now or utcnow()
    link = await check_link(session, token, now)
    claimed = await session.execute(update(DashboardLink).where(
        DashboardLink.id == link.id, DashboardLink.used_at.is_(None)).values(used_at=now))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE/DELETE gives a CursorResult; the stubs say Result
        raise DomainError("link_used", "Ce lien a déjà servi : il ne s'ouvre qu'une fois.")
    account = await session.get_one(Account, link.account_id)
    scope_for(account)  # the role may have been withdrawn since
    audit(session, account.pseudonym, "dashboard_opened", link.scope)
    return Opened(link.account_id, link.scope)


def dashboard_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/tableau/ouvrir/{token}"


# --- moving a web conversation to Telegram --------------------------------------------------------
HANDOFF = "handoff"
HANDOFF_MINUTES = 15


async def issue_handoff(session: AsyncSession, account: Account, now: datetime | None = None) -> str:
    """A short code the pupil types in Telegram (« /start web-CODE ») to go on with the same account."""
    from tremplin.privacy.identifiers import random_code
    code = random_code(8)
    session.add(DashboardLink(token_hash=_hash(HANDOFF + code), account_id=account.id, scope=HANDOFF,
                              expires_at=(now or utcnow()) + timedelta(minutes=HANDOFF_MINUTES)))
    audit(session, account.pseudonym, "handoff_code_issued", HANDOFF)
    await session.flush()
    return code


async def redeem_handoff(session: AsyncSession, code: str, channel: str, external_id: str | int,
                         address: str | int, now: datetime | None = None) -> Account:
    """Attach this chat (e.g. Telegram) to the account of the code. A chat that is still a blank
    account (no role yet) is moved over; one already used for something else is refused."""
    from tremplin.models import ChannelIdentity, Student
    from tremplin.privacy.identifiers import external_hash, seal

    now = now or utcnow()
    link = await session.scalar(select(DashboardLink).where(
        DashboardLink.token_hash == _hash(HANDOFF + (code or "").strip().upper()), DashboardLink.scope == HANDOFF))
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise DomainError("handoff_invalid", "Ce code ne marche pas (déjà utilisé, expiré ou mal recopié). "
                          "Demande un nouveau code sur la page web de Tremplin.")
    account = await session.get_one(Account, link.account_id)
    identity = await session.scalar(select(ChannelIdentity).where(
        ChannelIdentity.channel == channel, ChannelIdentity.external_hash == external_hash(channel, external_id)))
    if identity is not None and identity.account_id != account.id:
        previous = await session.get_one(Account, identity.account_id)
        used = previous.role is not None or previous.employer_id is not None or await session.scalar(
            select(Student.id).where(Student.account_id == previous.id))
        if used:
            raise DomainError("handoff_taken", "Ce compte Telegram sert déjà à Tremplin : continue avec lui, "
                              "ou écris « supprimer mes données » dessus avant de recommencer.")
        identity.account_id = account.id
        await session.flush()
        await session.delete(previous)
    elif identity is None:
        session.add(ChannelIdentity(account_id=account.id, channel=channel,
                                    external_hash=external_hash(channel, external_id), sealed_address=seal(address)))
    link.used_at = now
    audit(session, account.pseudonym, "handoff_redeemed", channel)
    await session.flush()
    return account
