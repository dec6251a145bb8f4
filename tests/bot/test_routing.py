"""Sticky routing over several Rasa servers: the ring keeps each sender on one server, spreads
senders evenly, moves only the senders of a removed server; the client fails over to the next
server when one refuses the connection, and skips a draining one (rolling restart)."""
from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from bot.rasa_client import RasaClient, RasaUnavailable
from bot.routing import Drain, HashRing, Router, parse_urls
from tests.support.fakes.rasa_server import FakeRasa
from tests.support.stack import free_port

NODES = [f"http://127.0.0.1:{5005 + i}" for i in range(4)]
KEYS = [f"sender-{i:05d}" for i in range(20_000)]


def test_the_ring_is_sticky_and_stable_across_processes() -> None:
    ring, again = HashRing(NODES), HashRing(reversed(NODES))  # order of insertion does not matter
    assert all(ring.node_for(k) == ring.node_for(k) == again.node_for(k) for k in KEYS[:2000])


def test_the_ring_is_balanced() -> None:
    ring = HashRing(NODES)
    counts = Counter(ring.node_for(k) for k in KEYS)
    share = len(KEYS) / len(NODES)
    assert set(counts) == set(NODES)
    assert all(0.8 * share <= c <= 1.2 * share for c in counts.values()), counts


def test_removing_a_node_moves_only_its_keys() -> None:
    ring = HashRing(NODES)
    before = {k: ring.node_for(k) for k in KEYS}
    ring.remove(NODES[1])
    after = {k: ring.node_for(k) for k in KEYS}
    moved = [k for k in KEYS if before[k] != after[k]]
    assert moved and all(before[k] == NODES[1] for k in moved)
    assert all(after[k] != NODES[1] for k in KEYS)
    # Skipping a node (down) gives the same answer as removing it: the next node on the ring.
    full = HashRing(NODES)
    assert all(full.node_for(k, skip={NODES[1]}) == after[k] for k in KEYS[:3000])
    ring.add(NODES[1])  # back: every key returns to its first server
    assert all(ring.node_for(k) == before[k] for k in KEYS[:3000])


def test_router_puts_down_and_draining_servers_last() -> None:
    router = Router(NODES, cooldown=60)
    sender = next(k for k in KEYS if HashRing(NODES).node_for(k) == NODES[2])
    assert router.order(sender)[0] == NODES[2]
    router.mark_down(NODES[2])
    assert router.order(sender)[-1] == NODES[2] and len(router.order(sender)) == 4
    router.mark_up(NODES[2])
    Drain.start(NODES[2] + "/")
    try:
        assert router.order(sender)[-1] == NODES[2]
    finally:
        Drain.stop(NODES[2])
    assert router.order(sender)[0] == NODES[2]


def test_rasa_url_lists_several_servers() -> None:
    assert parse_urls(" http://a:5005/, http://b:5006 ,") == ["http://a:5005", "http://b:5006"]


async def send_like_the_relay(client: RasaClient, sender: str, message: str) -> list[dict[str, Any]]:
    """A turn cut by a dying server is retried once by the relay (bot/relay.py)."""
    try:
        return await client.send(sender, message)
    except RasaUnavailable:
        return await client.send(sender, message)


async def test_client_fails_over_and_comes_back() -> None:
    first, second = FakeRasa(), FakeRasa()
    port = free_port()
    await first.start(port)
    await second.start()
    try:
        async with RasaClient(f"{first.url},{second.url}", timeout=5) as client:
            client.router.cooldown = 0.5
            senders = [k for k in KEYS[:200] if client.router.ring.node_for(k) == first.url][:5]
            for sender in senders:
                await client.send(sender, "bonjour")
            assert len(first.received) == 5 and not second.received
            await first.stop()  # killed: its conversations go to the next server, none lost
            for sender in senders:
                assert (await send_like_the_relay(client, sender, "encore"))[0]["text"] == "Tu as dit : encore"
            assert [m for _, m in second.received] == ["encore"] * 5
            await first.start(port)  # back: they return to their own server
            await asyncio.sleep(0.6)
            for sender in senders:
                await client.send(sender, "retour")
            assert [m for _, m in first.received].count("retour") == 5
            assert await client.healthy()
    finally:
        await first.stop()
        await second.stop()
