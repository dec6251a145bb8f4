"""What an action answered in a turn that changed the database, kept a day: if Rasa dies after the
action committed but before it saved the conversation, the gateway sends the turn again and Rasa
runs it again from before; the action then gives back this answer instead of acting twice (a pupil
was told « Tu as déjà postulé » about the application the first run had just sent)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from tremplin.models.base import Base, Timestamped


class TurnResult(Timestamped, Base):
    __tablename__ = "turn_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)   # hash of sender, update, action, step
    sender: Mapped[str] = mapped_column(String(64), index=True)  # the HMAC Rasa knows the user by
    result: Mapped[dict[str, Any]] = mapped_column(JSON)        # the action's messages and events
