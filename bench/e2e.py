"""End-to-end throughput and latency of the Telegram gateway, over the fake Bot API.

    python bench/e2e.py [--chats 50] [--messages 5] [--think 0] [--rasa-url URL] [--no-rate-limit]
                        [--rasa-delay 0.0] [--tmpdir DIR]

N simulated students chat at the same time: each sends a message, waits for the bot's answer,
then sends the next. The real gateway (python-telegram-bot, per-chat ordering, update dedup,
button tokens, account registration in SQLite) runs against a local fake Bot API; Rasa is a fake
echo server (optionally with a think time) unless --rasa-url points at a running Rasa (the full
stack: then the latency includes NLU, dialogue and actions). Prints messages/s and p50/p95 reply
latency, measured from the moment the update is available to the last reply of that turn.
Only numbers are printed; nothing is asserted.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.fakes.bot_api import FakeBotAPI  # noqa: E402
from tests.support.fakes.db import migrated_sqlite  # noqa: E402
from tests.support.fakes.gateway import GatewayRunner  # noqa: E402
from tests.support.fakes.rasa_server import FakeRasa  # noqa: E402

PHRASES = ["bonjour", "je cherche un stage en boulangerie", "vers saint etienne", "la semaine du 12 janvier",
           "c koi une convention", "merci", "et dans un garage ?", "à roanne plutôt"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def one_chat(api: FakeBotAPI, chat_id: int, messages: int, settle: float, think: float,
                   latencies: list[tuple[int, float]]) -> None:
    for i in range(messages):
        before = len(api.sent[chat_id])
        start = time.monotonic()
        api.push_text(chat_id, PHRASES[(chat_id + i) % len(PHRASES)])
        await api.wait_until(lambda: len(api.sent[chat_id]) > before, timeout=120)
        # A turn may have several replies: wait until the chat is quiet for `settle` seconds.
        while True:
            count = len(api.sent[chat_id])
            await asyncio.sleep(settle)
            if len(api.sent[chat_id]) == count:
                break
        last = max(t for c, t in api.sent_at if c == chat_id)
        latencies.append((i, last - start))
        await asyncio.sleep(think)


async def bench(args: argparse.Namespace) -> None:
    api = FakeBotAPI()
    await api.start()
    rasa = None
    rasa_url = args.rasa_url
    if not rasa_url:
        rasa = FakeRasa(delay=args.rasa_delay)
        rasa_url = await rasa.start()
    with tempfile.TemporaryDirectory(dir=args.tmpdir) as tmp:
        engine = await migrated_sqlite(Path(tmp))
        gateway = GatewayRunner(api, rasa_url, engine, rate_limit=not args.no_rate_limit)
        await gateway.start()
        latencies: list[tuple[int, float]] = []
        started = time.monotonic()
        await asyncio.gather(*(one_chat(api, 10_000 + n, args.messages, args.settle, args.think, latencies)
                               for n in range(args.chats)))
        elapsed = time.monotonic() - started
        await gateway.stop()
        await engine.dispose()
    if rasa:
        await rasa.stop()
    await api.stop()
    total = args.chats * args.messages
    replies = sum(len(v) for v in api.sent.values())
    print(f"chats={args.chats} messages/chat={args.messages} rasa={'real ' + rasa_url if args.rasa_url else 'fake'}"
          f" rate_limiter={'off' if args.no_rate_limit else 'on'}")
    print(f"{total} user messages, {replies} bot messages in {elapsed:.2f} s")
    print(f"throughput: {total / elapsed:.1f} user messages/s ({replies / elapsed:.1f} bot messages/s)")
    every = [t for _, t in latencies]
    first = [t for i, t in latencies if i == 0]
    later = [t for i, t in latencies if i > 0] or first
    print("reply latency (update → last reply of the turn):")
    for label, values in (("all turns", every), ("first contact (account created)", first),
                          ("returning users", later)):
        print(f"  {label:32s} p50 {statistics.median(values) * 1000:6.0f} ms   "
              f"p95 {percentile(values, 0.95) * 1000:6.0f} ms   max {max(values) * 1000:6.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--rasa-url", default="", help="a running Rasa (full stack) instead of the fake")
    parser.add_argument("--rasa-delay", type=float, default=0.0, help="think time of the fake Rasa (s)")
    parser.add_argument("--think", type=float, default=0.0, help="pause between a chat's messages (s)")
    parser.add_argument("--settle", type=float, default=0.3, help="quiet time that ends a turn (s)")
    parser.add_argument("--tmpdir", default=None, help="where the SQLite database goes")
    parser.add_argument("--no-rate-limit", action="store_true",
                        help="disable the flood limiter (the gateway alone: its part of the token's budget, 20 msg/s)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
