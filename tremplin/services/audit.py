"""Audit trail of sensitive actions, written with pseudonyms only."""
from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.models import AuditEntry


def audit(session: AsyncSession, actor: str | None, action: str, target: str | None = None,
          **details: Any) -> None:
    session.add(AuditEntry(actor=actor, action=action, target=target, details=details))
