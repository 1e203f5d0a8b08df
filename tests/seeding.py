"""Large rounds written straight into the database, for the scale test and the benchmarks."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from domain import anonymity
from domain.anonymity import Breakdown, Tally, level_group
from domain.questionnaires import BUILTIN, NETWERKTOETS
from storage.db import Database
from storage.models import Network, Round, RoundTally

LEVELS = ("board", "operational")
KINDS = ("care", "housing", "municipality")
BREAKDOWN = Breakdown(
    {level: level_group(level) for level in anonymity.LEVELS}, {kind: kind for kind in KINDS}
)


async def closed_round(
    session: AsyncSession, *, chat_id: int, token: str, invited: int, at: dt.datetime
) -> Round:
    """A network with one closed Netwerktoets round, broken down by level and three kinds,
    whose counts are not yet frozen into a published result."""
    network = Network(
        chat_id=chat_id,
        name="Groot",
        language="nl",
        timezone="Europe/Amsterdam",
        join_token=token,
        active=True,
    )
    session.add(network)
    await session.flush()
    round_ = Round(
        network_id=network.id,
        questionnaire=NETWERKTOETS,
        k=5,
        audience={},
        token=token,
        state="closed",
        opens_at=at,
        closes_at=at,
        published=True,
        invited=invited,
        breakdown=BREAKDOWN.to_json(),
        comment_k=7,
    )
    session.add(round_)
    await session.flush()
    return round_


async def insert_responses(
    session: AsyncSession, round_id: int, count: int, *, rng: random.Random
) -> dict[str, list[int]]:
    """count Netwerktoets submissions with random scores ('don't know' among them), counted
    into the round's tally as submit would; returns the scores given per item."""
    items = [item.key for item in BUILTIN[NETWERKTOETS].items]
    given: dict[str, list[int]] = {key: [] for key in items}
    tally = Tally()
    for n in range(count):
        scores = {key: rng.choice([None, *range(1, 11)]) for key in items}
        for key, score in scores.items():
            if score is not None:
                given[key].append(score)
        tally.add(BREAKDOWN, scores, LEVELS[n % 2], KINDS[n % 3], None, rng)
    session.add(RoundTally(round_id=round_id, data=tally.to_json()))
    return given


async def ensure_postgres_database(url: str) -> None:
    """Create url's database on its server if it does not exist yet (tests per worker,
    benchmarks apart from the tests)."""
    target = make_url(url)
    admin_url = target.set(database="postgres").render_as_string(hide_password=False)
    server = Database(admin_url, isolation_level="AUTOCOMMIT")
    async with server.engine.connect() as connection:
        exists = await connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        if not exists:
            await connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    await server.dispose()
