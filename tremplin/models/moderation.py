"""Problems reported by users (safety-critical: they always reach a human) and failed code attempts."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tremplin.models.accounts import enum_column
from tremplin.models.base import Base, Timestamped, utcnow


class ReportStatus(str, enum.Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class ProblemReport(Timestamped, Base):
    __tablename__ = "problem_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"),
                                                            index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id", ondelete="SET NULL"))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)  # scrubbed of contact details
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus, "report_status"),
                                                 default=ReportStatus.OPEN, index=True)
    resolution: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]


class CodeAttempt(Base):
    """One failed attempt at a code (parent link, class join) from a chat, to stop brute force."""

    __tablename__ = "code_attempts"
    __table_args__ = (Index("ix_code_attempts_who_when", "account_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
