"""Results of a large round come from its counts, on both databases."""

from __future__ import annotations

import datetime as dt
import random

from storage.db import Database
from storage.rounds import round_result
from tests.seeding import closed_round, insert_responses

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


async def test_results_of_10000_responses(database: Database) -> None:
    async with database.unit_of_work() as session:
        round_ = await closed_round(session, chat_id=-1, token="r", invited=10000, at=NOW)
        expected = await insert_responses(session, round_.id, 10000, rng=random.Random(7))
    async with database.unit_of_work() as session:
        result = await round_result(session, round_)
    assert result.published and result.respondents == 10000
    for stats in result.items:
        scores = expected[stats.key]
        assert stats.n == len(scores) and stats.dont_know == 10000 - len(scores)
        assert abs((stats.mean or 0) - sum(scores) / len(scores)) < 1e-9
    assert {g.group for g in result.groups} >= {("level", "upper"), ("level", "lower")}
