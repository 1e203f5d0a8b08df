"""Queries for score rounds: who is invited, who answered, and the aggregates (in SQL)."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from domain.enums import Level
from domain.questionnaires import BUILTIN, Item, Questionnaire
from storage.models import (
    Answer,
    CustomQuestionnaire,
    Draft,
    Member,
    Organisation,
    Participation,
    Response,
    Round,
    RoundComment,
)

UPPER_LEVELS = {Level.BOARD.value, Level.STRATEGIC.value}


def level_group(level: str | None) -> str:
    """The two levels results are broken down by: board/strategic ('upper') vs the work floor."""
    return "upper" if level in UPPER_LEVELS else "lower"


def new_round_token() -> str:
    """A random token for a round's answer link."""
    return secrets.token_urlsafe(12)


def is_invited(round_: Round, member: Member) -> bool:
    """Whether a member is in the round's audience (everyone when no filter is set)."""
    if not member.is_partner or member.organisation is None:
        return False
    levels = round_.audience.get("levels") or []
    types = round_.audience.get("types") or []
    return (not levels or member.level in levels) and (
        not types or member.organisation.type in types
    )


async def invited_members(session: AsyncSession, round_: Round) -> list[Member]:
    """The network's partners this round is for."""
    members = await session.scalars(
        select(Member)
        .where(Member.network_id == round_.network_id)
        .options(selectinload(Member.organisation), selectinload(Member.person))
    )
    return [m for m in members if is_invited(round_, m)]


async def open_round(session: AsyncSession, network_id: int, questionnaire: str) -> Round | None:
    """The open round of this questionnaire in the network, if any."""
    return await session.scalar(
        select(Round).where(
            Round.network_id == network_id,
            Round.questionnaire == questionnaire,
            Round.state == "open",
        )
    )


async def round_by_token(session: AsyncSession, token: str) -> Round | None:
    """The round whose answer link carries token."""
    return await session.scalar(select(Round).where(Round.token == token))


async def has_answered(session: AsyncSession, round_id: int, person_id: int) -> bool:
    """Whether the person has submitted in this round."""
    return await session.get(Participation, (round_id, person_id)) is not None


async def answered_ids(session: AsyncSession, round_id: int) -> set[int]:
    """Who has submitted in this round (to skip them all at once, not one query each)."""
    rows = await session.scalars(
        select(Participation.person_id).where(Participation.round_id == round_id)
    )
    return set(rows)


async def answered_count(session: AsyncSession, round_id: int) -> int:
    """How many people have submitted in this round."""
    count = await session.scalar(
        select(func.count()).select_from(Participation).where(Participation.round_id == round_id)
    )
    return int(count or 0)


async def submit(
    session: AsyncSession,
    round_: Round,
    draft: Draft,
    member: Member,
    today: dt.date,
) -> bool:
    """Move a draft into the anonymous store and delete it, in the caller's transaction.

    The response carries no person, chat, message or time of day, and a random id; the
    participation row says only that this person has submitted. Returns False when the person
    had already submitted (a double press or a second device).
    """
    try:
        async with session.begin_nested():
            session.add(Participation(round_id=round_.id, person_id=draft.person_id))
    except IntegrityError:
        return False
    assert member.organisation is not None
    response = Response(
        id=uuid.uuid4().hex,
        round_id=round_.id,
        level_group=level_group(member.level),
        org_type=member.organisation.type,
        submitted_on=today,
    )
    session.add(response)
    await session.flush()  # the answers refer to it
    for item, score in draft.answers.items():
        value = int(score)
        session.add(
            Answer(
                response_id=response.id,
                round_id=round_.id,
                item=item,
                score=value or None,
                level_group=response.level_group,
                org_type=response.org_type,
            )
        )
    if draft.comment:
        session.add(RoundComment(id=uuid.uuid4().hex, round_id=round_.id, text=draft.comment))
    await session.execute(
        delete(Draft).where(Draft.round_id == round_.id, Draft.person_id == draft.person_id)
    )
    return True


Histogram = dict[int | None, int]


@dataclass
class Aggregates:
    """Score counts of a round: overall, per level group and per organisation type."""

    respondents: int
    overall: dict[str, Histogram]
    by_group: dict[tuple[str, str], dict[str, Histogram]]  # ("level"|"type", name) -> item -> hist
    population: dict[tuple[str, str], int]  # (level group, org type) -> respondents


async def aggregates(session: AsyncSession, round_id: int) -> Aggregates:
    """All counts needed for the results, in two GROUP BY queries; never row by row."""
    population_rows = await session.execute(
        select(Response.level_group, Response.org_type, func.count())
        .where(Response.round_id == round_id)
        .group_by(Response.level_group, Response.org_type)
    )
    population = {(level, kind): int(n) for level, kind, n in population_rows}
    rows = await session.execute(
        select(Answer.level_group, Answer.org_type, Answer.item, Answer.score, func.count())
        .where(Answer.round_id == round_id)
        .group_by(Answer.level_group, Answer.org_type, Answer.item, Answer.score)
    )
    overall: dict[str, Histogram] = defaultdict(lambda: defaultdict(int))
    by_group: dict[tuple[str, str], dict[str, Histogram]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for level, kind, item, score, n in rows:
        overall[item][score] += n
        by_group[("level", level)][item][score] += n
        by_group[("type", kind)][item][score] += n
    return Aggregates(sum(population.values()), overall, by_group, population)


async def comments(session: AsyncSession, round_id: int) -> list[str]:
    """The round's comments, ordered by their random ids (so in no meaningful order)."""
    rows = await session.scalars(
        select(RoundComment.text).where(RoundComment.round_id == round_id).order_by(RoundComment.id)
    )
    return list(rows)


async def previous_round(session: AsyncSession, round_: Round) -> Round | None:
    """The last published round of the same questionnaire in the network before this one."""
    return await session.scalar(
        select(Round)
        .where(
            Round.network_id == round_.network_id,
            Round.questionnaire == round_.questionnaire,
            Round.published.is_(True),
            Round.id != round_.id,
            Round.opens_at < round_.opens_at,
        )
        .order_by(Round.opens_at.desc())
        .limit(1)
    )


async def closed_rounds(session: AsyncSession, network_id: int, limit: int = 10) -> Sequence[Round]:
    """The network's closed rounds, newest first."""
    result = await session.scalars(
        select(Round)
        .where(Round.network_id == network_id, Round.state == "closed")
        .order_by(Round.closed_at.desc(), Round.id.desc())
        .limit(limit)
    )
    return result.all()


async def organisation_types(session: AsyncSession, network_id: int) -> list[str]:
    """The organisation types present in a network."""
    rows = await session.scalars(
        select(Organisation.type).where(Organisation.network_id == network_id).distinct()
    )
    return sorted(rows)


async def drafts_at(session: AsyncSession, person_id: int, step: str) -> Sequence[Draft]:
    """A person's drafts at a step, the most recently touched first."""
    result = await session.scalars(
        select(Draft)
        .where(Draft.person_id == person_id, Draft.step == step)
        .order_by(Draft.updated_at.desc())
    )
    return result.all()


async def rounds_of(
    session: AsyncSession, network_id: int, states: tuple[str, ...]
) -> Sequence[Round]:
    """A network's rounds in these states, the newest first."""
    result = await session.scalars(
        select(Round)
        .where(Round.network_id == network_id, Round.state.in_(states))
        .order_by(Round.opens_at.desc(), Round.id.desc())
    )
    return result.all()


def custom_key(questionnaire_id: int) -> str:
    """The key rounds use for a custom questionnaire (short, so it fits in button data)."""
    return f"c{questionnaire_id}"


async def questionnaire(session: AsyncSession, key: str) -> Questionnaire | None:
    """A built-in questionnaire, or a network's own (key 'c<id>'), as the same plain data."""
    if key in BUILTIN:
        return BUILTIN[key]
    if not (key.startswith("c") and key[1:].isdigit()):
        return None
    custom = await session.get(
        CustomQuestionnaire, int(key[1:]), options=[selectinload(CustomQuestionnaire.items)]
    )
    if custom is None:
        return None
    items = tuple(
        Item(f"q{item.position}", item.question, item.low, item.high) for item in custom.items
    )
    return Questionnaire(key, custom.name, items, builtin=False)


async def questionnaires_for(session: AsyncSession, network_id: int) -> list[Questionnaire]:
    """The built-in questionnaires and the network's own."""
    customs = await session.scalars(
        select(CustomQuestionnaire.id)
        .where(CustomQuestionnaire.network_id == network_id)
        .order_by(CustomQuestionnaire.id)
    )
    found = list(BUILTIN.values())
    for custom_id in customs:
        loaded = await questionnaire(session, custom_key(custom_id))
        if loaded is not None:
            found.append(loaded)
    return found
