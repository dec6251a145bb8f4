"""Accounts and the channel identities (Telegram, terminal, web) through which they are reached."""
from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tremplin.models.base import Base, Timestamped


class Role(str, enum.Enum):
    STUDENT = "student"
    EMPLOYER = "employer"
    PARENT = "parent"
    TEACHER = "teacher"
    ADMIN = "admin"


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """Store enum values (not names) as plain strings with a CHECK, portable to SQLite and PostgreSQL."""
    return Enum(enum_cls, name=name, native_enum=False, create_constraint=True, length=24,
                values_callable=lambda cls: [member.value for member in cls])


class Account(Timestamped, Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random public handle used in logs and audit entries instead of any real identifier.
    pseudonym: Mapped[str] = mapped_column(String(16), unique=True)
    role: Mapped[Role | None] = mapped_column(enum_column(Role, "role"), default=None)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id", ondelete="SET NULL"))
    is_demo: Mapped[bool] = mapped_column(default=False)

    identities: Mapped[list[ChannelIdentity]] = relationship(
        back_populates="account", cascade="all, delete-orphan")


class ChannelIdentity(Timestamped, Base):
    """How an account is reached. The external id is only stored as a keyed hash (for lookup) and
    sealed (encrypted, for delivering notifications), never in clear."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_hash", name="uq_identity_channel_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_hash: Mapped[str] = mapped_column(String(64))
    sealed_address: Mapped[str | None] = mapped_column(String(255))

    account: Mapped[Account] = relationship(back_populates="identities")
