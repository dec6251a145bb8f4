"""Loaded by Rasa (.venv-rasa), for the fault suite's « --rasa-pre-ping » comparison only: Rasa 3.6's
SQLTrackerStore with `pool_pre_ping`. Rasa's own store creates its engine without it: after a
PostgreSQL restart, each pooled connection fails once, and Rasa's FailSafeTrackerStore then answers
that turn from an *empty* in-memory tracker (the conversation and its form are forgotten). This
class shows what the fix changes; the product's endpoints (bot/stack.py) would name such a class.
Imports Rasa and SQLAlchemy 1.4 only."""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs

log = logging.getLogger(__name__)


class PrePingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        log.warning("tracker store with pool_pre_ping (fault suite comparison)")
