"""Collèges (by UAI code) and their classes, which students join with a code."""
from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tremplin.models.base import Base, Timestamped


class School(Timestamped, Base):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    uai: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    commune_insee: Mapped[str] = mapped_column(String(5))
    is_demo: Mapped[bool] = mapped_column(default=False)

    classes: Mapped[list[SchoolClass]] = relationship(back_populates="school")


class SchoolClass(Timestamped, Base):
    __tablename__ = "school_classes"
    __table_args__ = (CheckConstraint("stage_end >= stage_start", name="stage_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    teacher_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    stage_start: Mapped[date] = mapped_column(Date)
    stage_end: Mapped[date] = mapped_column(Date)
    # The teacher's professional contact (name, school phone or e-mail), shown to a host only once it
    # accepted a pupil of the class, to prepare the agreement.
    teacher_contact: Mapped[str | None] = mapped_column(String(200))

    school: Mapped[School] = relationship(back_populates="classes")
