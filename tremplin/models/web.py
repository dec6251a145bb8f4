"""Partners' API tokens, the partner's own reference of each offer it sent, and the single-use
links that open the dashboard from the chat. Secrets are stored only as keyed hashes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tremplin.models.base import Base, Timestamped


class PartnerToken(Timestamped, Base):
    """One partner (a chamber of trades, a département…) and its bearer token, hashed."""

    __tablename__ = "partner_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # first characters, to recognise it in a list
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class PartnerOffer(Timestamped, Base):
    """The partner's reference for an offer: sending the same reference again updates, never duplicates."""

    __tablename__ = "partner_offers"
    __table_args__ = (UniqueConstraint("partner_id", "reference", name="uq_partner_offer_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner_tokens.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(80))
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), unique=True)
    hours: Mapped[str | None] = mapped_column(String(40))  # « 09:00-16:30 », checked against the charter
    fingerprint: Mapped[str] = mapped_column(String(64))  # hash of the last body: same body, no write


class DashboardLink(Timestamped, Base):
    """A link sent in the chat that opens the dashboard once, before it expires."""

    __tablename__ = "dashboard_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(16))  # "teacher" or "territory"
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
