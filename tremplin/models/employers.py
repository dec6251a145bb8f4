"""Host organisations. Contact details stay private until an application is accepted."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tremplin.models.accounts import enum_column
from tremplin.models.base import Base, Timestamped

if TYPE_CHECKING:
    from tremplin.models.offers import Offer


class Employer(Timestamped, Base):
    __tablename__ = "employers"
    __table_args__ = (CheckConstraint("length(siret) = 14", name="siret_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    siret: Mapped[str] = mapped_column(String(14), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    commune_insee: Mapped[str] = mapped_column(String(5), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    is_public_body: Mapped[bool] = mapped_column(default=False)
    trusted: Mapped[bool] = mapped_column(default=False)
    suspended: Mapped[bool] = mapped_column(default=False)
    charter_accepted_at: Mapped[datetime | None]
    is_demo: Mapped[bool] = mapped_column(default=False)

    offers: Mapped[list[Offer]] = relationship(back_populates="employer")


class JoinStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    CANCELLED = "cancelled"


class EmployerJoinRequest(Timestamped, Base):
    """Someone gave the SIRET of a company already on Tremplin. A SIRET is public (invoices, the web),
    so they only become a contact — and see minors' applications — once an existing contact of the
    company or the Tremplin team says yes. Name and phone are wiped when the request is refused."""

    __tablename__ = "employer_join_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_code: Mapped[str] = mapped_column(String(8), unique=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[JoinStatus] = mapped_column(enum_column(JoinStatus, "join_status"), default=JoinStatus.PENDING,
                                               index=True)
    decided_by: Mapped[str | None] = mapped_column(String(16))  # pseudonym of the contact or admin
    decided_at: Mapped[datetime | None]
