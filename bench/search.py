"""Latency of the offer search on a large generated catalogue, on SQLite and/or PostgreSQL.

    python bench/search.py [--offers 100000] [--queries 200] [--backend sqlite|postgres|both]

Each backend gets a fresh database (SQLite in a temporary directory; PostgreSQL in a temporary
``tremplin_bench_<random>`` database, dropped afterwards), migrated with Alembic, then filled with
N offers spread over the Loire and Saône-et-Loire with 1–2 stage weeks of the school year.
200 typical student queries follow (random point, 15 km, one week, sometimes a domain).
Only numbers are printed; nothing is asserted.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine  # noqa: E402

from tremplin.db import make_engine, session_scope  # noqa: E402
from tremplin.migrate import upgrade  # noqa: E402
from tremplin.models import Employer, Offer, OfferEnvironment, OfferPeriod, OfferStatus  # noqa: E402
from tremplin.services.search import SearchQuery, search_offers  # noqa: E402

PG_ADMIN_URL = os.environ.get("TREMPLIN_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
LAT_RANGE, LON_RANGE = (45.2, 47.2), (3.7, 5.3)
DOMAINS = "ABCDEFGHIJKLMN"
ENVIRONMENTS = ["atelier", "bureau", "exterieur", "public", "laboratoire", "magasin", "chantier", "animaux"]
CHUNK = 5_000
EMPLOYERS = 2_000


def school_weeks(today: date) -> list[date]:
    """Mondays of the school year that contains ``today`` (September to the end of June)."""
    year = today.year if today.month >= 8 else today.year - 1
    start = date(year, 9, 1)
    start += timedelta(days=(7 - start.weekday()) % 7)
    end = date(year + 1, 6, 26)
    weeks = []
    while start <= end:
        weeks.append(start)
        start += timedelta(weeks=1)
    return weeks


def rome_codes() -> dict[str, list[str]]:
    rng = random.Random(7)
    return {d: sorted({f"{d}{rng.randint(1100, 1899)}" for _ in range(25)}) for d in DOMAINS}


def generate(n: int, weeks: list[date], rng: random.Random):
    """Rows for employers, offers, periods and environments, with explicit ids."""
    codes = rome_codes()
    now = datetime.now(timezone.utc)
    employers = [dict(id=i, siret=f"{90_000_000_000_000 + i:014d}"[-14:], name=f"Entreprise {i}",
                      commune_insee="42094", trusted=True) for i in range(1, EMPLOYERS + 1)]
    offers, periods, envs = [], [], []
    for oid in range(1, n + 1):
        domain = rng.choice(DOMAINS)
        capacity = rng.randint(1, 4)
        roll = rng.random()
        status = (OfferStatus.PUBLISHED if roll < 0.85 else OfferStatus.PENDING_REVIEW if roll < 0.9
                  else OfferStatus.CLOSED if roll < 0.95 else OfferStatus.EXPIRED)
        offers.append(dict(
            id=oid, employer_id=rng.randint(1, EMPLOYERS), rome_code=rng.choice(codes[domain]),
            metier_label=f"Métier {domain}", domain=domain, title=f"Stage d'observation n°{oid}",
            description="", commune_insee="42000",
            latitude=rng.uniform(*LAT_RANGE), longitude=rng.uniform(*LON_RANGE),
            capacity=capacity, places_left=0 if rng.random() < 0.1 else rng.randint(1, capacity),
            status=status,
            published_at=now - timedelta(minutes=rng.randint(0, 200_000)) if status is not OfferStatus.PENDING_REVIEW else None,
        ))
        for monday in rng.sample(weeks, rng.randint(1, 2)):
            periods.append(dict(offer_id=oid, start_date=monday, end_date=monday + timedelta(days=4)))
        for tag in rng.sample(ENVIRONMENTS, rng.randint(1, 3)):
            envs.append(dict(offer_id=oid, tag=tag))
    return employers, offers, periods, envs


async def fill(engine: AsyncEngine, n: int, weeks: list[date], rng: random.Random) -> tuple[float, int]:
    employers, offers, periods, envs = generate(n, weeks, rng)
    started = time.perf_counter()
    for model, rows in ((Employer, employers), (Offer, offers), (OfferPeriod, periods), (OfferEnvironment, envs)):
        for i in range(0, len(rows), CHUNK):
            async with session_scope(engine) as s:
                await s.execute(insert(model), rows[i:i + CHUNK])
    # Fresh planner statistics, as autovacuum (PostgreSQL) or PRAGMA optimize (SQLite) would give.
    async with engine.connect() as conn:
        await conn.execute(text("ANALYZE"))
        await conn.commit()
    return time.perf_counter() - started, len(periods)


def queries(count: int, weeks: list[date], today: date, rng: random.Random) -> list[SearchQuery]:
    future = [w for w in weeks if w + timedelta(days=4) >= today] or weeks
    out = []
    for _ in range(count):
        monday = rng.choice(future)
        out.append(SearchQuery(lat=rng.uniform(*LAT_RANGE), lon=rng.uniform(*LON_RANGE), radius_km=15.0,
                               domain=rng.choice(DOMAINS) if rng.random() < 0.4 else None,
                               week_start=monday, week_end=monday + timedelta(days=4), today=today))
    return out


async def run_queries(engine: AsyncEngine, qs: list[SearchQuery]) -> tuple[list[float], list[int]]:
    async with session_scope(engine) as s:  # warm-up: pool, statement cache
        await search_offers(s, qs[0])
    latencies, totals = [], []
    for q in qs:
        started = time.perf_counter()
        async with session_scope(engine) as s:
            result = await search_offers(s, q)
        latencies.append((time.perf_counter() - started) * 1000)
        totals.append(result.total)
    return latencies, totals


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


async def bench(backend: str, url: str, n: int, n_queries: int) -> None:
    started = time.perf_counter()
    await asyncio.to_thread(upgrade, url)
    migrate_s = time.perf_counter() - started
    today = date.today()
    weeks = school_weeks(today)
    engine = make_engine(url)
    try:
        insert_s, n_periods = await fill(engine, n, weeks, random.Random(42))
        latencies, totals = await run_queries(engine, queries(n_queries, weeks, today, random.Random(1)))
    finally:
        await engine.dispose()
    print(f"[{backend}] offers={n} periods={n_periods} migrate_s={migrate_s:.2f} insert_s={insert_s:.2f}")
    print(f"[{backend}] queries={len(latencies)} p50_ms={percentile(latencies, 50):.2f} "
          f"p95_ms={percentile(latencies, 95):.2f} max_ms={max(latencies):.2f} "
          f"mean_ms={statistics.fmean(latencies):.2f} mean_total={statistics.fmean(totals):.1f}")


async def bench_sqlite(n: int, n_queries: int) -> None:
    with tempfile.TemporaryDirectory(prefix="tremplin_bench_") as tmp:
        await bench("sqlite", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", n, n_queries)


async def bench_postgres(n: int, n_queries: int) -> None:
    name = f"tremplin_bench_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            await bench("postgres", PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", n, n_queries)
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args(argv)
    if args.backend in ("sqlite", "both"):
        asyncio.run(bench_sqlite(args.offers, args.queries))
    if args.backend in ("postgres", "both"):
        asyncio.run(bench_postgres(args.offers, args.queries))


if __name__ == "__main__":
    main()
