"""Queries for score rounds: who is invited, who answered (as keyed hashes), the counts, and
the publishable result made of them."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import bindparam, delete, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from domain.anonymity import RoundPlan, Tally, plan_round, voter_hash
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.questionnaires import (
    BUILTIN,
    ORG_MAP_MAX,
    Item,
    Questionnaire,
    org_map,
    org_map_key,
    parse_org_map,
    relation_map,
    relation_map_family,
    relation_map_key,
)
from domain.results import RoundResult, compose, result_from_json, result_to_json
from storage.models import (
    CustomQuestionnaire,
    Draft,
    Member,
    Network,
    Organisation,
    Outgoing,
    Person,
    Round,
    RoundTally,
    RoundVoter,
)
from storage.queries import CURRENT


def new_round_token() -> str:
    """A random token for a round's answer link."""
    return secrets.token_urlsafe(12)


def in_audience(audience: dict[str, Any], member: Member) -> bool:
    """Whether a member is in an audience (everyone when no filter is set)."""
    if not member.is_partner or member.organisation is None:
        return False
    return admits(audience, member.level, member.organisation.type)


def admits(audience: dict[str, Any], level: str | None, organisation_type: str) -> bool:
    """Whether an audience takes a partner of this level from this type of organisation."""
    levels = audience.get("levels") or []
    types = audience.get("types") or []
    return (not levels or level in levels) and (not types or organisation_type in types)


def is_invited(round_: Round, member: Member) -> bool:
    """Whether a member is in the round's audience."""
    return in_audience(round_.audience, member)


async def audience_members(
    session: AsyncSession, network_id: int, audience: dict[str, Any]
) -> list[Member]:
    """The network's partners in an audience."""
    members = await session.scalars(
        select(Member)
        .where(Member.network_id == network_id, Member.left_at.is_(None))
        .options(selectinload(Member.organisation), selectinload(Member.person))
    )
    return [m for m in members if in_audience(audience, m)]


async def invited_members(session: AsyncSession, round_: Round) -> list[Member]:
    """The network's partners this round is for."""
    return await audience_members(session, round_.network_id, round_.audience)


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


def voter_of(round_: Round, person_id: int) -> str:
    """The keyed hash that stands for this person in this open round's voters."""
    if round_.voter_salt is None:
        raise ValueError("the round has no voters any more")
    return voter_hash(round_.voter_salt, person_id)


async def plan_for(
    session: AsyncSession, network: Network, audience: dict[str, Any], k: int
) -> RoundPlan:
    """What a round for this audience would be able to show if it started now."""
    invited = await audience_members(session, network.id, audience)
    pairs = ((m.level, m.organisation.type) for m in invited if m.organisation)
    return plan_round(pairs, k, network.comment_k)


def start_counting(round_: Round, plan: RoundPlan) -> RoundTally:
    """Fix a new round's breakdowns, comment threshold and voter key; its empty tally row."""
    round_.invited = plan.invited
    round_.breakdown = plan.breakdown.to_json()
    round_.comment_k = plan.comment_k
    round_.voter_salt = secrets.token_hex(32)
    return RoundTally(round_id=round_.id, data=Tally().to_json())


@dataclass(frozen=True)
class PressFacts:
    """What store.load_for_press found; holding it keeps the rows in the session (its
    identity map keeps rows only while something refers to them)."""

    person: Person | None = None
    round: Round | None = None
    member: Member | None = None
    draft: Draft | None = None


# Built once: a press is the hottest path there is, and a statement made anew each time costs
# its construction and its cache key (SQLAlchemy remembers both on the statement object).
_PRESS_FACTS = (
    select(Person, Round, Member, Draft)
    .select_from(Person)
    .join(Round, Round.id == bindparam("round_id"))
    .outerjoin(
        Member,
        (Member.network_id == Round.network_id) & (Member.person_id == Person.id) & CURRENT,
    )
    .outerjoin(Draft, (Draft.round_id == Round.id) & (Draft.person_id == Person.id))
    .where(Person.id == bindparam("person_id"))
    .options(joinedload(Member.organisation))
)


async def load_for_press(session: AsyncSession, round_id: int, person_id: int) -> PressFacts:
    """Everything a press on a round's button needs, in one statement: the person, the round,
    the person's current membership of its network (with organisation) and their draft, into
    the session, so that the checks that follow find them there instead of asking one by one
    (session.get looks in the session first). What is missing (no such person, round,
    membership or draft) the checks ask for again, and refuse in the right words."""
    found = await session.execute(_PRESS_FACTS, {"round_id": round_id, "person_id": person_id})
    row = found.first()
    return PressFacts() if row is None else PressFacts(*row)


@dataclass(slots=True)
class DraftSteps:
    """A draft's answers and where it stands, as plain values: what a press moves."""

    answers: dict[str, Any]
    position: int
    step: str
    comment: str | None


@dataclass(frozen=True, slots=True)
class Press:
    """A press on a round's button, as plain values read with one Core statement (see
    read_press): the round, the person as stored, their current membership and their draft."""

    round_id: int
    k: int
    state: str
    audience: dict[str, Any]
    questionnaire: str
    first_name: str
    username: str | None
    telegram_language: str | None
    language: str | None
    started: bool
    reachable: bool
    partner: bool  # a current membership that answered the join questions
    level: str | None
    organisation_type: str | None
    draft: DraftSteps | None
    message_id: int | None  # the draft's live message
    updated_at: dt.datetime | None  # the draft's, when it was read: its version

    @property
    def id(self) -> int:
        """The round's id, as the answering screens ask it of a round."""
        return self.round_id

    @property
    def invited(self) -> bool:
        """Whether the person is a partner in the round's audience."""
        return (
            self.partner
            and self.organisation_type is not None
            and admits(self.audience, self.level, self.organisation_type)
        )


_PRESS = (
    select(
        Round.id,
        Round.k,
        Round.state,
        Round.audience,
        Round.questionnaire,
        Person.first_name,
        Person.username,
        Person.telegram_language,
        Person.language,
        Person.started,
        Person.reachable,
        Member.joined_at,
        Member.level,
        Organisation.type,
        Draft.answers,
        Draft.position,
        Draft.step,
        Draft.comment,
        Draft.message_id,
        Draft.updated_at,
    )
    .select_from(Person)
    .join(Round, Round.id == bindparam("round_id"))
    .outerjoin(
        Member,
        (Member.network_id == Round.network_id) & (Member.person_id == Person.id) & CURRENT,
    )
    .outerjoin(Organisation, Organisation.id == Member.organisation_id)
    .outerjoin(Draft, (Draft.round_id == Round.id) & (Draft.person_id == Person.id))
    .where(Person.id == bindparam("person_id"))
)

_SAVE_STEPS = (
    update(Draft)
    .where(
        Draft.round_id == bindparam("draft_round"),
        Draft.person_id == bindparam("draft_person"),
        Draft.updated_at == bindparam("seen"),
    )
    .values(
        answers=bindparam("new_answers"),
        position=bindparam("new_position"),
        step=bindparam("new_step"),
        comment=bindparam("new_comment"),
        message_id=bindparam("new_message_id"),
    )
)


async def read_press(session: AsyncSession, round_id: int, person_id: int) -> Press | None:
    """A press's facts as plain values (None without such a person or round), on the
    session's connection: a Core statement, and no ORM objects, which on the hottest path
    there is (a crowd scoring at once) cost more than the statement itself."""
    connection = await session.connection()
    found = await connection.execute(_PRESS, {"round_id": round_id, "person_id": person_id})
    row = found.first()
    if row is None:
        return None
    draft = (
        None
        if row.position is None
        else DraftSteps(dict(row.answers), row.position, row.step, row.comment)
    )
    return Press(
        round_id=row.id,
        k=row.k,
        state=row.state,
        audience=row.audience,
        questionnaire=row.questionnaire,
        first_name=row.first_name,
        username=row.username,
        telegram_language=row.telegram_language,
        language=row.language,
        started=row.started,
        reachable=row.reachable,
        partner=row.joined_at is not None,
        level=row.level,
        organisation_type=row.type,
        draft=draft,
        message_id=row.message_id,
        updated_at=row.updated_at,
    )


async def save_steps(
    session: AsyncSession, press: Press, person_id: int, steps: DraftSteps, message_id: int
) -> bool:
    """Store a press's move on the draft, shown now on message_id, with one UPDATE, if the
    draft is still as read_press found it (its updated_at unchanged); False, and nothing
    changed, when another transaction moved it meanwhile."""
    connection = await session.connection()
    saved = await connection.execute(
        _SAVE_STEPS,
        {
            "draft_round": press.round_id,
            "draft_person": person_id,
            "seen": press.updated_at,
            "new_answers": steps.answers,
            "new_position": steps.position,
            "new_step": steps.step,
            "new_comment": steps.comment,
            "new_message_id": message_id,
        },
    )
    return bool(saved.rowcount)


async def has_answered(session: AsyncSession, round_: Round, person_id: int) -> bool:
    """Whether the person has submitted in this round (while it keeps its voters)."""
    if round_.voter_salt is None:
        return False
    return await session.get(RoundVoter, (round_.id, voter_of(round_, person_id))) is not None


async def unanswered(
    session: AsyncSession, round_: Round, members: Sequence[Member]
) -> list[Member]:
    """The members who have not submitted yet, with one query for the whole round."""
    voters = set(
        await session.scalars(select(RoundVoter.voter).where(RoundVoter.round_id == round_.id))
    )
    return [m for m in members if voter_of(round_, m.person_id) not in voters]


async def answered_count(session: AsyncSession, round_id: int) -> int:
    """How many people have submitted in this open round."""
    count = await session.scalar(
        select(func.count()).select_from(RoundVoter).where(RoundVoter.round_id == round_id)
    )
    return int(count or 0)


async def drafts_of(session: AsyncSession, person_id: int) -> Sequence[Draft]:
    """A person's unfinished answers, in every round."""
    result = await session.scalars(
        select(Draft).where(Draft.person_id == person_id).order_by(Draft.round_id)
    )
    return result.all()


async def rounds_answered_by(session: AsyncSession, person_id: int) -> list[Round]:
    """The rounds still keeping their voters in which this person has submitted."""
    rounds = list(
        await session.scalars(select(Round).where(Round.voter_salt.is_not(None)).order_by(Round.id))
    )
    if not rounds:
        return []
    pairs = [(r.id, voter_of(r, person_id)) for r in rounds]
    found = set(
        await session.scalars(
            select(RoundVoter.round_id).where(
                tuple_(RoundVoter.round_id, RoundVoter.voter).in_(pairs)
            )
        )
    )
    return [r for r in rounds if r.id in found]


async def tally_of(session: AsyncSession, round_id: int) -> Tally:
    """A round's counts so far (empty once it published: then read its frozen result)."""
    row = await session.get(RoundTally, round_id)
    return Tally.from_json(row.data if row else None)


async def forget_counts(session: AsyncSession, round_: Round, result: RoundResult) -> None:
    """Freeze what a round published and delete everything it kept to get there: the counts
    (with groups and comments that were not shown), the voters, their key and the private
    reminders that went to people who had not answered yet."""
    round_.result = result_to_json(result)
    round_.voter_salt = None
    await session.execute(delete(RoundTally).where(RoundTally.round_id == round_.id))
    await session.execute(delete(RoundVoter).where(RoundVoter.round_id == round_.id))
    await forget_reminders(session, round_)


async def forget_reminders(session: AsyncSession, round_: Round) -> None:
    """Delete the round's private reminders, sent or not: who was reminded when would date
    who had not answered yet."""
    await session.execute(
        delete(Outgoing).where(
            Outgoing.kind == "round_reminder",
            Outgoing.dedupe_key.startswith(f"round:{round_.id}:reminder:", autoescape=True),
        )
    )


async def unpublished_rounds(session: AsyncSession, network_id: int) -> Sequence[Round]:
    """Closed rounds still holding counts (too few answers, so /extend may reopen them)."""
    result = await session.scalars(
        select(Round).where(
            Round.network_id == network_id,
            Round.state == "closed",
            Round.result.is_(None),
        )
    )
    return result.all()


async def previous_round(session: AsyncSession, round_: Round) -> Round | None:
    """The last published round of the same questionnaire in the network before this one (for
    a relation map: the previous map, also when kinds joined or left since)."""
    family = relation_map_family(round_.questionnaire)
    same = (
        Round.questionnaire.startswith(family)
        if family is not None
        else Round.questionnaire == round_.questionnaire
    )
    return await session.scalar(
        select(Round)
        .where(
            Round.network_id == round_.network_id,
            same,
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
    if relation_map(key) is not None:
        return relation_map(key)
    org_key = parse_org_map(key)
    if org_key is not None:
        rows = await session.execute(
            select(Organisation.id, Organisation.name)
            .where(Organisation.network_id == org_key[0])
            .order_by(Organisation.id)
        )
        return org_map(key, [(row.id, row.name) for row in rows])
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
    """The built-in questionnaires, the relation map of the kinds of organisation the network
    has now (from two kinds on), and the network's own."""
    customs = await session.scalars(
        select(CustomQuestionnaire.id)
        .where(CustomQuestionnaire.network_id == network_id)
        .order_by(CustomQuestionnaire.id)
    )
    found = list(BUILTIN.values())
    kinds = await session.scalars(
        select(Organisation.type)
        .join(Member, Member.organisation_id == Organisation.id)
        .where(Member.network_id == network_id, Member.joined_at.is_not(None))
        .where(Member.left_at.is_(None))
        .distinct()
    )
    present = set(kinds)
    if len(present) >= 2:
        mapped = relation_map(relation_map_key(present))
        if mapped is not None:
            found.append(mapped)
    # A small network also gets the map by organisation.
    everyone = list(
        await session.scalars(
            select(Organisation.id)
            .where(Organisation.network_id == network_id)
            .order_by(Organisation.id)
        )
    )
    represented = set(
        await session.scalars(
            select(Member.organisation_id).where(
                Member.network_id == network_id,
                Member.joined_at.is_not(None),
                Member.left_at.is_(None),
            )
        )
    )
    if 2 <= len(represented) <= ORG_MAP_MAX:
        positions = [index for index, org_id in enumerate(everyone) if org_id in represented]
        key = org_map_key(network_id, positions)
        by_organisation = await questionnaire(session, key) if key is not None else None
        if by_organisation is not None:
            found.append(by_organisation)
    for custom_id in customs:
        loaded = await questionnaire(session, custom_key(custom_id))
        if loaded is not None:
            found.append(loaded)
    return found


async def questionnaire_of(session: AsyncSession, key: str) -> Questionnaire:
    """The questionnaire a round uses (built in, or the network's own)."""
    found = await questionnaire(session, key)
    if found is None:
        raise Refusal(NO_LONGER_ACTIVE)
    return found


async def round_result(
    session: AsyncSession, round_: Round, *, compare: bool = True
) -> RoundResult:
    """The publishable result of a round: frozen on the round once it published (so every
    later showing has the same numbers), else computed from its counts; with compare, the
    previous published round's means alongside (only one step back, never the whole chain)."""
    if round_.result is not None:
        result = result_from_json(round_.result)
    else:
        questionnaire = await questionnaire_of(session, round_.questionnaire)
        result = compose(
            item_keys=[item.key for item in questionnaire.items],
            k=round_.k,
            comment_k=round_.comment_k or round_.k,
            tally=await tally_of(session, round_.id),
        )
    before = await previous_round(session, round_) if compare else None
    if before is not None and result.published:
        previous = (await round_result(session, before, compare=False)).means or None
        result = replace(result, previous_means=previous)
    return result
