"""Anonymous applications and their states; the state machine itself lives in the services."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tremplin.models.accounts import enum_column
from tremplin.models.base import Base, Timestamped, utcnow

if TYPE_CHECKING:
    from tremplin.models.offers import Offer
    from tremplin.models.students import Student


class ApplicationStatus(str, enum.Enum):
    SENT = "sent"
    SEEN = "seen"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    AGREEMENT_PENDING = "agreement_pending"
    AGREEMENT_SIGNED = "agreement_signed"
    DONE = "done"


PENDING_STATUSES = (ApplicationStatus.SENT, ApplicationStatus.SEEN)
PLACED_STATUSES = (ApplicationStatus.ACCEPTED, ApplicationStatus.AGREEMENT_PENDING,
                   ApplicationStatus.AGREEMENT_SIGNED, ApplicationStatus.DONE)
_PLACED_SQL = ", ".join(f"'{s.value}'" for s in PLACED_STATUSES)


class Application(Timestamped, Base):
    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("student_id", "offer_id", name="uq_application_student_offer"),
        # One placement per student and stage week, enforced by the database itself.
        Index("uq_application_placed_week", "student_id", "week_start", unique=True,
              sqlite_where=text(f"status IN ({_PLACED_SQL})"),
              postgresql_where=text(f"status IN ({_PLACED_SQL})")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_code: Mapped[str] = mapped_column(String(12), unique=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date] = mapped_column(Date)
    week_end: Mapped[date] = mapped_column(Date)
    distance_band: Mapped[str | None] = mapped_column(String(16))
    motivation: Mapped[str] = mapped_column(Text)  # already scrubbed of contact details
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus, "application_status"), default=ApplicationStatus.SENT, index=True)
    decline_message: Mapped[str | None] = mapped_column(Text)
    seen_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    student: Mapped[Student] = relationship()
    offer: Mapped[Offer] = relationship()
