"""The action server (rasa_sdk), with a record per action call of where its time went: total
handler time, database time (every statement, through SQLAlchemy's cursor events), statements
and new database connections. One JSON line per call in $TREMPLIN_PROFILE_FILE.

    python -m bench.profiled_actions --actions actions --port 5055   (started by bench/turn_profile.py)

Profiles one turn at a time: the counters are process-wide, which is exact when calls do not
overlap (turn_profile sends turns one by one)."""
from __future__ import annotations

import json
import os
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

COUNTERS: dict[str, float] = {"db": 0.0, "statements": 0, "connects": 0}


@event.listens_for(Engine, "before_cursor_execute")
def _before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
    conn.info.setdefault("profile_t0", []).append(time.perf_counter())


@event.listens_for(Engine, "after_cursor_execute")
def _after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
    started = conn.info["profile_t0"].pop()
    COUNTERS["db"] += time.perf_counter() - started
    COUNTERS["statements"] += 1


@event.listens_for(Pool, "connect")
def _connect(dbapi_connection: Any, record: Any) -> None:
    COUNTERS["connects"] += 1


def _install() -> None:
    from rasa_sdk.executor import ActionExecutor
    original = ActionExecutor.run
    path = os.environ.get("TREMPLIN_PROFILE_FILE")

    async def run(self: ActionExecutor, action_call: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        COUNTERS.update(db=0.0, statements=0, connects=0)
        started = time.perf_counter()
        try:
            return await original(self, action_call, *args, **kwargs)
        finally:
            if path:
                record = {"action": action_call.get("next_action"), "at": time.time(),
                          "handler_ms": (time.perf_counter() - started) * 1000,
                          "db_ms": COUNTERS["db"] * 1000, "statements": COUNTERS["statements"],
                          "connects": COUNTERS["connects"]}
                with open(path, "a") as out:
                    out.write(json.dumps(record) + "\n")

    ActionExecutor.run = run  # type: ignore[method-assign]


# At import, not under `__main__`: Sanic's worker process imports this module as `__mp_main__`.
_install()

if __name__ == "__main__":
    from rasa_sdk.__main__ import main
    main()
