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
    if claimed.rowcount != 1:
        raise DomainError("link_used", "Ce lien a déjà servi : il ne s'ouvre qu'une fois.")
    account = await session.get(Account, link.account_id)
    scope_for(account)  # the role may have been withdrawn since
    audit(session, account.pseudonym, "dashboard_opened", link.scope)
    return Opened(link.account_id, link.scope)


def dashboard_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/tableau/ouvrir/{token}"
