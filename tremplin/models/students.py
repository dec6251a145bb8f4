"""Students are pseudonymous: the first name is private, shown only after an acceptance."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tremplin.models.base import Base, Timestamped

if TYPE_CHECKING:
    from tremplin.models.accounts import Account
    from tremplin.models.schools import SchoolClass


class Student(Timestamped, Base):
    __tablename__ = "students"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), unique=True)
    first_name: Mapped[str | None] = mapped_column(String(60))
    class_id: Mapped[int | None] = mapped_column(
        ForeignKey("school_classes.id", ondelete="SET NULL"), index=True)
    home_commune_insee: Mapped[str | None] = mapped_column(String(5))
    birth_date: Mapped[date | None] = mapped_column(Date)
    stage_start: Mapped[date | None] = mapped_column(Date)
    stage_end: Mapped[date | None] = mapped_column(Date)

    school_class: Mapped[SchoolClass | None] = relationship()
    account: Mapped[Account] = relationship()
