"""Host organisations. Contact details stay private until an application is accepted."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tremplin.models.base import Base, Timestamped


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

    offers: Mapped[list["Offer"]] = relationship(back_populates="employer")  # noqa: F821
