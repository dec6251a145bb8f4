"""Offers of observation stages, their periods and their environment tags."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tremplin.models.accounts import enum_column
from tremplin.models.base import Base, Timestamped, utcnow

if TYPE_CHECKING:
    from tremplin.models.employers import Employer


class OfferStatus(str, enum.Enum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    PUBLISHED = "published"
    CLOSED = "closed"
    EXPIRED = "expired"


class Offer(Timestamped, Base):
    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint("places_left >= 0", name="places_left_not_negative"),
        CheckConstraint("places_left <= capacity", name="places_left_within_capacity"),
        CheckConstraint("capacity BETWEEN 1 AND 10", name="capacity_range"),
        Index("ix_offers_status_geo", "status", "latitude", "longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"), index=True)
    rome_code: Mapped[str] = mapped_column(String(5), index=True)
    metier_label: Mapped[str] = mapped_column(String(120))
    domain: Mapped[str] = mapped_column(String(1), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    commune_insee: Mapped[str] = mapped_column(String(5), index=True)
    latitude: Mapped[float]
    longitude: Mapped[float]
    street_address: Mapped[str | None] = mapped_column(String(255))  # private until acceptance
    holidays_ok: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[int]
    places_left: Mapped[int]
    transport_access: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[OfferStatus] = mapped_column(
        enum_column(OfferStatus, "offer_status"), default=OfferStatus.DRAFT)
    published_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    is_demo: Mapped[bool] = mapped_column(default=False)

    employer: Mapped[Employer] = relationship(back_populates="offers")
    periods: Mapped[list[OfferPeriod]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="OfferPeriod.start_date")
    environments: Mapped[list[OfferEnvironment]] = relationship(
        back_populates="offer", cascade="all, delete-orphan")

    @property
    def environment_tags(self) -> list[str]:
        return sorted(env.tag for env in self.environments)


class OfferPeriod(Base):
    __tablename__ = "offer_periods"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="period_order"),
                      Index("ix_offer_periods_range", "start_date", "end_date"))

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)

    offer: Mapped[Offer] = relationship(back_populates="periods")


class OfferEnvironment(Base):
    __tablename__ = "offer_environments"

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(24), primary_key=True, index=True)

    offer: Mapped[Offer] = relationship(back_populates="environments")
