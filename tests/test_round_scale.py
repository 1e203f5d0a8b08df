"""Results of a large round come from GROUP BY counts, on both databases."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from sqlalchemy import insert

from domain.questionnaires import BUILTIN, NETWERKTOETS
from handlers.round_outcome import round_result
from storage.db import Database
from storage.models import Answer, Network, Response, Round

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


async def test_results_of_10000_responses(database: Database) -> None:
    items = [item.key for item in BUILTIN[NETWERKTOETS].items]
    rng = random.Random(7)
    async with database.unit_of_work() as session:
        network = Network(
            chat_id=-1,
            name="Groot",
            language="nl",
            timezone="Europe/Amsterdam",
            join_token="t",
            active=True,
        )
        session.add(network)
        await session.flush()
        round_ = Round(
            network_id=network.id,
            questionnaire=NETWERKTOETS,
            k=5,
            audience={},
            token="r",
            state="closed",
            opens_at=NOW,
            closes_at=NOW,
            published=True,
            invited=10000,
        )
        session.add(round_)
        await session.flush()
        responses, answers, expected = [], [], {key: [] for key in items}
        for n in range(10000):
            response_id = uuid.uuid4().hex
            responses.append(
                {
                    "id": response_id,
                    "round_id": round_.id,
                    "level_group": "upper" if n % 3 else "lower",
                    "org_type": ("care", "housing", "municipality")[n % 3],
                    "submitted_on": NOW.date(),
                }
            )
            for key in items:
                score = rng.choice([None, *range(1, 11)])
                answers.append(
                    {
                        "response_id": response_id,
                        "round_id": round_.id,
                        "item": key,
                        "score": score,
                        "level_group": responses[-1]["level_group"],
                        "org_type": responses[-1]["org_type"],
                    }
                )
                if score is not None:
                    expected[key].append(score)
        await session.execute(insert(Response), responses)
        await session.execute(insert(Answer), answers)
    async with database.unit_of_work() as session:
        result = await round_result(session, round_)
    assert result.published and result.respondents == 10000
    for stats in result.items:
        scores = expected[stats.key]
        assert stats.n == len(scores) and stats.dont_know == 10000 - len(scores)
        assert abs((stats.mean or 0) - sum(scores) / len(scores)) < 1e-9
    assert {g.group for g in result.groups} >= {("level", "upper"), ("level", "lower")}
