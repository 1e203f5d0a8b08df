"""Reading and writing networks, people and members; used by handlers inside a unit of work."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, joinedload, selectinload

from domain.roles import Role
from domain.text import name_key
from storage.models import (
    Base,
    Conversation,
    Draft,
    Member,
    Network,
    Organisation,
    Outgoing,
    Person,
    Round,
    Trekker,
    WorkingGroup,
)


async def upsert_person(
    session: AsyncSession,
    *,
    user_id: int,
    first_name: str,
    username: str | None,
    telegram_language: str | None,
) -> Person:
    """The person with this Telegram id, created if new, with Telegram's current details."""
    first_name, username, telegram_language = stored_details(
        first_name, username, telegram_language
    )
    person = await session.get(Person, user_id)
    if person is None:
        person = Person(id=user_id, first_name=first_name, started=False, reachable=True)
        try:
            async with session.begin_nested():
                session.add(person)
        except IntegrityError:
            # Another update of the same person created the row a moment ago.
            person = await session.get(Person, user_id, populate_existing=True)
            assert person is not None
    person.first_name = first_name
    person.username = username
    person.telegram_language = telegram_language
    return person


def stored_details(
    first_name: str, username: str | None, telegram_language: str | None
) -> tuple[str, str | None, str | None]:
    """A person's Telegram details as they are stored (cut to their columns)."""
    return (
        first_name[:128],
        username[:64] if username else None,
        telegram_language[:16] if telegram_language else None,
    )


async def insert_new(
    session: AsyncSession,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    returning: InstrumentedAttribute[Any],
) -> set[Any]:
    """Insert the rows, in the order given, except those whose key exists already (one
    INSERT ... ON CONFLICT DO NOTHING, where a savepoint around each plain insert takes three
    statements); the `returning` column's values of the rows that were new. Nothing is loaded
    into the session."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(model).values(list(rows)).on_conflict_do_nothing().returning(returning)
    connection = await session.connection()
    return set((await connection.execute(statement)).scalars())


async def network_by_chat(
    session: AsyncSession, chat_id: int, *, for_update: bool = False
) -> Network | None:
    """The network registered for a Telegram group, if any."""
    query = select(Network).where(Network.chat_id == chat_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def network_by_token(session: AsyncSession, token: str) -> Network | None:
    """The network whose join link carries this token."""
    return await session.scalar(select(Network).where(Network.join_token == token))


def new_join_token() -> str:
    """A random, unguessable token for a network's join link (fits a /start payload)."""
    return secrets.token_urlsafe(12)


CURRENT = Member.left_at.is_(None)  # a member who has not left the network's group


async def membership(
    session: AsyncSession, network_id: int, person_id: int, *, also_left: bool = False
) -> Member | None:
    """A person's current membership of a network (with also_left: also one they left), with
    organisation and person loaded (one query)."""
    query = (
        select(Member)
        .where(Member.network_id == network_id, Member.person_id == person_id)
        .options(joinedload(Member.organisation), joinedload(Member.person))
    )
    return await session.scalar(query if also_left else query.where(CURRENT))


async def ensure_member(session: AsyncSession, network: Network, person: Person) -> Member:
    """The person's membership of the network, created (not yet a partner) when missing; one
    who left and comes back starts again as a new member."""
    member = await membership(session, network.id, person.id, also_left=True)
    if member is not None:
        if member.left_at is not None:
            member.left_at, member.joined_at, member.is_coordinator = None, None, False
        return member
    member = Member(network_id=network.id, person_id=person.id, is_coordinator=False)
    try:
        async with session.begin_nested():
            session.add(member)
    except IntegrityError:
        member = await membership(session, network.id, person.id, also_left=True)
        assert member is not None
    return member


async def mark_left(session: AsyncSession, member: Member, now: dt.datetime) -> None:
    """The person left the network's group: every right there ends now, and what they had
    half done for it (a draft of answers, a dialogue) is dropped."""
    member.left_at, member.joined_at, member.is_coordinator = now, None, False
    round_ids = select(Round.id).where(Round.network_id == member.network_id)
    await session.execute(
        delete(Draft).where(Draft.person_id == member.person_id, Draft.round_id.in_(round_ids))
    )
    await session.execute(
        delete(Conversation).where(
            Conversation.person_id == member.person_id,
            Conversation.network_id == member.network_id,
        )
    )
    groups = select(WorkingGroup.id).where(WorkingGroup.network_id == member.network_id)
    await session.execute(
        delete(Trekker).where(
            Trekker.person_id == member.person_id, Trekker.working_group_id.in_(groups)
        )
    )


async def departed(session: AsyncSession, network_id: int) -> Sequence[Member]:
    """Who left the network's group (and has not come back), the most recent first."""
    result = await session.scalars(
        select(Member)
        .where(Member.network_id == network_id, Member.left_at.is_not(None))
        .options(selectinload(Member.person), selectinload(Member.organisation))
        .order_by(Member.left_at.desc())
    )
    return result.all()


async def memberships_of(session: AsyncSession, person_id: int) -> Sequence[Member]:
    """All memberships of a person, with network and organisation, by network name."""
    result = await session.scalars(
        select(Member)
        .join(Member.network)
        .where(Member.person_id == person_id, CURRENT)
        .options(selectinload(Member.network), selectinload(Member.organisation))
        .order_by(Network.name, Network.id)
    )
    return result.all()


async def roles(
    session: AsyncSession, person_id: int, network_id: int | None = None
) -> frozenset[Role]:
    """The person's roles in one network, or in any (for their private chat)."""
    memberships = [
        m
        for m in await memberships_of(session, person_id)
        if network_id is None or m.network_id == network_id
    ]
    found = {Role.ANYONE}
    if any(m.is_partner for m in memberships):
        found.add(Role.PARTNER)
    if any(m.is_coordinator for m in memberships):
        found.add(Role.COORDINATOR)
    leads = (
        select(Trekker.person_id)
        .join(WorkingGroup)
        .where(
            Trekker.person_id == person_id,
            WorkingGroup.network_id.in_([m.network_id for m in memberships]),
        )
    )
    if memberships and await session.scalar(leads.limit(1)) is not None:
        found.add(Role.TREKKER)
    return frozenset(found)


async def members_of(session: AsyncSession, network_id: int) -> Sequence[Member]:
    """All members of a network with person and organisation, partners by name."""
    result = await session.scalars(
        select(Member)
        .join(Member.person)
        .where(Member.network_id == network_id, CURRENT)
        .options(selectinload(Member.person), selectinload(Member.organisation))
        .order_by(Person.first_name, Person.id)
    )
    return result.all()


def _coordinators(network_id: int) -> ColumnElement[bool]:
    """The current members who coordinate the network (the rule of handlers.base
    is_coordinator, as a query)."""
    return and_(Member.network_id == network_id, Member.is_coordinator.is_(True), CURRENT)


async def coordinator_count(session: AsyncSession, network_id: int) -> int:
    """How many coordinators a network has."""
    count = await session.scalar(
        select(func.count()).select_from(Member).where(_coordinators(network_id))
    )
    return int(count or 0)


async def coordinator_ids(session: AsyncSession, network_id: int) -> list[int]:
    """The person ids of a network's coordinators, in a stable order."""
    ids = await session.scalars(
        select(Member.person_id).where(_coordinators(network_id)).order_by(Member.person_id)
    )
    return list(ids)


async def organisations_of(session: AsyncSession, network_id: int) -> Sequence[Organisation]:
    """The organisations known in a network, by name."""
    result = await session.scalars(
        select(Organisation)
        .where(Organisation.network_id == network_id)
        .order_by(Organisation.name_key)
    )
    return result.all()


async def organisation_named(
    session: AsyncSession, network_id: int, name: str
) -> Organisation | None:
    """An organisation of the network with this name, compared case-insensitively."""
    return await session.scalar(
        select(Organisation).where(
            Organisation.network_id == network_id, Organisation.name_key == name_key(name)
        )
    )


async def add_organisation(
    session: AsyncSession, network_id: int, name: str, org_type: str
) -> Organisation:
    """The organisation with this name, created with org_type if it does not exist yet."""
    existing = await organisation_named(session, network_id, name)
    if existing is not None:
        return existing
    organisation = Organisation(
        network_id=network_id, name=name, name_key=name_key(name), type=org_type
    )
    try:
        async with session.begin_nested():
            session.add(organisation)
    except IntegrityError:
        found = await organisation_named(session, network_id, name)
        assert found is not None
        return found
    return organisation


async def move_pending_outgoing(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> None:
    """Point queued messages for a group at its new chat id (after a supergroup migration)."""
    await session.execute(
        update(Outgoing)
        .where(Outgoing.chat_id == old_chat_id, Outgoing.state.in_(("pending", "sending")))
        .values(chat_id=new_chat_id)
    )
