"""Large rounds written straight into the database, for the scale test and the benchmarks."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.questionnaires import BUILTIN, NETWERKTOETS
from storage.models import Answer, Network, Response, Round

CHUNK = 5000


async def closed_round(
    session: AsyncSession, *, chat_id: int, token: str, invited: int, at: dt.datetime
) -> Round:
    """A network with one closed, published Netwerktoets round."""
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
    )
    session.add(round_)
    await session.flush()
    return round_


async def insert_responses(
    session: AsyncSession,
    round_id: int,
    count: int,
    *,
    rng: random.Random,
    submitted_on: dt.date,
) -> dict[str, list[int]]:
    """count Netwerktoets responses with random scores ('don't know' among them), in bulk;
    returns the scores given per item."""
    items = [item.key for item in BUILTIN[NETWERKTOETS].items]
    responses, answers = [], []
    given: dict[str, list[int]] = {key: [] for key in items}
    for n in range(count):
        keys = {
            "level_group": ("upper", "lower")[n % 2],
            "org_type": ("care", "housing", "municipality")[n % 3],
        }
        response_id = uuid.uuid4().hex
        responses.append(
            {"id": response_id, "round_id": round_id, "submitted_on": submitted_on, **keys}
        )
        for key in items:
            score = rng.choice([None, *range(1, 11)])
            answers.append(
                {
                    "response_id": response_id,
                    "round_id": round_id,
                    "item": key,
                    "score": score,
                    **keys,
                }
            )
            if score is not None:
                given[key].append(score)
    for start in range(0, len(responses), CHUNK):
        await session.execute(insert(Response), responses[start : start + CHUNK])
    for start in range(0, len(answers), CHUNK):
        await session.execute(insert(Answer), answers[start : start + CHUNK])
    return given
