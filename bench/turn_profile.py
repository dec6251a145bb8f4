"""Where the time of one turn goes: gateway → Rasa (NLU, policies, tracker store) → action server
→ database, measured from outside the real processes, one turn at a time on an idle stack.

    python bench/turn_profile.py [--pupils 4] [--database sqlite|postgresql] [--tmpdir DIR]

Rasa logs no timings without debug, so each layer is timed at its boundary:
- the gateway's turn: update at the fake Bot API → the gateway has sent every reply;
- the REST call to Rasa, through a timing proxy between the gateway and Rasa;
- each action call, through a timing proxy between Rasa and the action server (HTTP, JSON of the
  tracker and domain, handler); inside the action server (bench/profiled_actions.py): the handler
  time, the database time, statements and new connections;
- NLU alone: Rasa's /model/parse on the same text, after the turn;
- the tracker: Rasa's GET /conversations/<id>/tracker (read and serialise it from the SQL store).
Rasa's own share (policies, tracker store, locks, serialisation) is REST − NLU − action calls.
Prints the breakdown per message and the medians; asserts nothing."""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import LOOP, OPENING  # noqa: E402
from tests.support.replica_stack import GatewayOverReplicas, start_replica_stack  # noqa: E402
from tests.support.stack import free_port  # noqa: E402


@dataclass
class Call:
    path: str
    started: float
    seconds: float
    request_bytes: int
    sender: str = ""


class TimingProxy:
    """Forwards every request to `target` and records how long the target took to answer."""

    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.calls: list[Call] = []
        self.url = ""

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        started = time.monotonic()
        async with self.http.request(request.method, self.target + request.path_qs, data=body,
                                     headers={"Content-Type": request.content_type}) as answer:
            payload = await answer.read()
            status = answer.status
        sender = ""
        if request.path.endswith("/webhook") and body:
            try:
                parsed = json.loads(body)
                sender = parsed.get("sender") or (parsed.get("tracker") or {}).get("sender_id", "")
            except ValueError:
                pass
        self.calls.append(Call(request.path, started, time.monotonic() - started, len(body), sender))
        return web.Response(body=payload, status=status, content_type="application/json")

    async def start(self) -> str:
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        await self._runner.cleanup()
        await self.http.close()


@dataclass
class Turn:
    message: str
    total: float = 0.0
    rest: float = 0.0
    nlu: float = 0.0
    tracker: float = 0.0
    actions: float = 0.0
    handler: float = 0.0
    db: float = 0.0
    statements: int = 0
    connects: int = 0
    action_names: list[str] = field(default_factory=list)
    action_kb: float = 0.0

    @property
    def rasa_core(self) -> float:
        return max(0.0, self.rest - self.nlu - self.actions)

    @property
    def gateway(self) -> float:
        return max(0.0, self.total - self.rest)


def _read_profile(path: Path, seen: int) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()[seen:]]


async def profile(rasa_url: str, database_url: str, actions_proxy: TimingProxy,
                  profile_file: Path, pupils: int) -> list[Turn]:
    rasa_proxy = TimingProxy(rasa_url)
    await rasa_proxy.start()
    turns: list[Turn] = []
    seen_profile = 0
    async with GatewayOverReplicas([rasa_proxy.url], database_url) as gw, aiohttp.ClientSession() as http:
        for n in range(pupils):
            user = gw.user(800_000 + n)
            for message in OPENING + LOOP + LOOP[:2]:
                turn = Turn(message)
                first_rest, first_action = len(rasa_proxy.calls), len(actions_proxy.calls)
                started = time.monotonic()
                await user.say(message)
                turn.total = time.monotonic() - started
                rest = [c for c in rasa_proxy.calls[first_rest:] if c.path.endswith("/webhook")]
                turn.rest = sum(c.seconds for c in rest)
                calls = actions_proxy.calls[first_action:]
                turn.actions = sum(c.seconds for c in calls)
                turn.action_kb = sum(c.request_bytes for c in calls) / 1024
                records = _read_profile(profile_file, seen_profile)
                seen_profile += len(records)
                turn.action_names = [r["action"] for r in records]
                turn.handler = sum(r["handler_ms"] for r in records) / 1000
                turn.db = sum(r["db_ms"] for r in records) / 1000
                turn.statements = sum(r["statements"] for r in records)
                turn.connects = sum(r["connects"] for r in records)
                parse_at = time.monotonic()
                async with http.post(f"{rasa_url}/model/parse", json={"text": message}) as answer:
                    await answer.read()
                turn.nlu = time.monotonic() - parse_at
                if rest and rest[0].sender:
                    tracker_at = time.monotonic()
                    async with http.get(f"{rasa_url}/conversations/{rest[0].sender}/tracker") as answer:
                        await answer.read()
                    turn.tracker = time.monotonic() - tracker_at
                turns.append(turn)
    await rasa_proxy.stop()
    return turns


def report(turns: list[Turn]) -> None:
    ms = 1000
    print(f"\n{'message':40s} {'total':>6s} {'gatew.':>6s} {'REST':>6s} {'NLU':>6s} {'Rasa*':>6s} "
          f"{'act.':>6s} {'handl.':>6s} {'DB':>6s} {'stmts':>5s} {'conn':>4s} {'act.KB':>6s} {'tracker':>7s}  actions")
    for t in turns:
        print(f"{t.message[:40]:40s} {t.total * ms:6.0f} {t.gateway * ms:6.0f} {t.rest * ms:6.0f} "
              f"{t.nlu * ms:6.0f} {t.rasa_core * ms:6.0f} {t.actions * ms:6.0f} {t.handler * ms:6.0f} "
              f"{t.db * ms:6.1f} {t.statements:5d} {t.connects:4d} {t.action_kb:6.0f} {t.tracker * ms:7.0f}  "
              f"{','.join(a for a in t.action_names if a)[:60]}")
    later = [t for t in turns if t.message not in OPENING] or turns
    print(f"\nmedians over {len(later)} turns after the opening (ms; share of the turn):")
    total = statistics.median(t.total for t in later)
    for label, getter in (("turn seen by the user (gateway)", lambda t: t.total),
                          ("  gateway (Telegram side, accounts, update log)", lambda t: t.gateway),
                          ("  Rasa REST call", lambda t: t.rest),
                          ("    NLU (/model/parse alone)", lambda t: t.nlu),
                          ("    Rasa core: policies, tracker store, locks", lambda t: t.rasa_core),
                          ("    action calls (HTTP + JSON + handler)", lambda t: t.actions),
                          ("      action handlers", lambda t: t.handler),
                          ("        database in the actions", lambda t: t.db),
                          ("tracker read + serialised (GET tracker)", lambda t: t.tracker)):
        value = statistics.median(getter(t) for t in later)
        print(f"  {label:52s} {value * ms:7.1f}   {value / total * 100 if total else 0:5.1f} %")
    print(f"  statements per turn (median) {statistics.median(t.statements for t in later):.0f}; new DB "
          f"connections per turn (median) {statistics.median(t.connects for t in later):.0f}; payload "
          f"Rasa → actions per turn (median) {statistics.median(t.action_kb for t in later):.0f} KB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=4, help="scripted conversations, one after the other")
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--tmpdir", default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(dir=args.tmpdir) as tmp:
        profile_file = Path(tmp) / "actions-profile.jsonl"
        action_port = free_port()

        async def run() -> list[Turn]:
            proxy = TimingProxy(f"http://127.0.0.1:{action_port}")
            await proxy.start()
            try:
                stack = await asyncio.to_thread(
                    start_replica_stack, Path(tmp), args.database, 1, 1, True, "bench.profiled_actions",
                    {"TREMPLIN_PROFILE_FILE": str(profile_file)}, proxy.url, [action_port])
                try:
                    return await profile(stack.rasa_urls[0], stack.database_url, proxy, profile_file,
                                         args.pupils)
                finally:
                    await asyncio.to_thread(stack.stop)
            finally:
                await proxy.stop()
        print(f"[profile] {args.database}: starting Rasa (--enable-api) and the profiled action server…",
              flush=True)
        report(asyncio.run(run()))


if __name__ == "__main__":
    main()
