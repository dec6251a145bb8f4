"""Web chat under load: N browsers at once over WebSockets, each sending a message, waiting for the
reply, then thinking before the next one (the issue's 200 users with a 5 s think time).

    python bench/web_chat.py [--users 200] [--messages 5] [--think 5] [--rasa-url URL] [--rasa-delay 0]

The real web app (sessions, account registration in SQLite, button tokens, the shared Relay) runs
in this process; Rasa is the fake echo server of the tests unless --rasa-url points at a running
Rasa. Prints the reply latency p50/p95 (send → replies received) and the first-contact latency
(page load + registration + first reply); nothing is asserted."""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.rasa_client import RasaClient  # noqa: E402
from bot.relay import Relay  # noqa: E402
from bot.web.app import create_app  # noqa: E402
from tests.support.fakes.db import migrated_sqlite  # noqa: E402
from tests.support.fakes.rasa_server import FakeRasa, text  # noqa: E402

PHRASES = ["bonjour", "je cherche un stage en boulangerie", "vers saint etienne", "la semaine du 12 janvier",
           "c koi une convention", "merci", "et dans un garage ?", "à roanne plutôt"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


async def one_user(base: str, n: int, messages: int, think: float, turns: list[float], first: list[float]) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:  # IP address host
        start = time.monotonic()
        await (await http.get(base + "/")).text()
        async with http.ws_connect(base.replace("http", "ws") + "/chat/ws", headers={"Origin": base}) as ws:
            for i in range(messages):
                sent = time.monotonic()
                await ws.send_json({"text": PHRASES[(n + i) % len(PHRASES)]})
                while (await ws.receive_json(timeout=120))["type"] != "items":
                    pass
                (first if i == 0 else turns).append(time.monotonic() - (start if i == 0 else sent))
                await asyncio.sleep(think * random.uniform(0.5, 1.5))


async def bench(args: argparse.Namespace) -> None:
    fake = None
    rasa_url = args.rasa_url
    if not rasa_url:
        fake = FakeRasa({"bonjour": [text("Salut ! Tu es ?", ("Élève", "/declare_role"), ("Parent", "/p"))]},
                        delay=args.rasa_delay)
        rasa_url = await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        engine = await migrated_sqlite(Path(tmp))
        async with RasaClient(rasa_url, 60) as rasa:
            app = create_app(engine, Relay(rasa, "web", engine, (1.0, 2.0)))
            app["chat_limiter"].burst = 1000  # the bench's users type faster than people
            runner = aiohttp.web.AppRunner(app, access_log=None)
            await runner.setup()
            site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            turns: list[float] = []
            first: list[float] = []
            began = time.monotonic()
            await asyncio.gather(*(one_user(f"http://127.0.0.1:{port}", n, args.messages, args.think, turns, first)
                                   for n in range(args.users)))
            elapsed = time.monotonic() - began
            await runner.cleanup()
        await engine.dispose()
    if fake is not None:
        await fake.stop()
    total = len(turns) + len(first)
    print(f"{args.users} utilisateurs web × {args.messages} messages, réflexion {args.think} s : "
          f"{total} tours en {elapsed:.1f} s ({total / elapsed:.1f} messages/s)")
    print(f"réponse p50 {statistics.median(turns) * 1000:.0f} ms, p95 {percentile(turns, .95) * 1000:.0f} ms "
          f"(utilisateurs connus) ; premier contact (page + compte + réponse) p50 "
          f"{statistics.median(first) * 1000:.0f} ms, p95 {percentile(first, .95) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--think", type=float, default=5.0)
    parser.add_argument("--rasa-url", default="")
    parser.add_argument("--rasa-delay", type=float, default=0.0)
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
