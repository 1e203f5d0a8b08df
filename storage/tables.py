"""Queries for representative tables, their seats (with history) and rotations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from domain.profiles import fold
from domain.tables import Candidate, Seated
from storage.models import Member, Organisation, RepTable, TableRotation, TableSeat
from storage.queries import CURRENT

_LOAD = (selectinload(RepTable.seats).selectinload(TableSeat.organisation),)


async def tables_of(session: AsyncSession, network_id: int) -> Sequence[RepTable]:
    """A network's tables, by name, with their seats."""
    result = await session.scalars(
        select(RepTable)
        .where(RepTable.network_id == network_id)
        .options(*_LOAD)
        .order_by(RepTable.name, RepTable.id)
    )
    return result.all()


async def table(session: AsyncSession, table_id: int) -> RepTable | None:
    """One table with its seats, as stored now."""
    return await session.get(RepTable, table_id, options=list(_LOAD), populate_existing=True)


async def table_named(session: AsyncSession, network_id: int, name: str) -> RepTable | None:
    """A table by (the start of) its name, case and accents ignored."""
    wanted = fold(name)
    found = [t for t in await tables_of(session, network_id) if fold(t.name).startswith(wanted)]
    exact = [t for t in found if fold(t.name) == wanted]
    return (exact or found)[0] if wanted and found else None


def current(item: RepTable) -> list[TableSeat]:
    """The seats held now, longest held first."""
    return sorted((s for s in item.seats if s.until is None), key=lambda s: (s.since, s.id))


async def represented(session: AsyncSession, network_id: int) -> Sequence[Organisation]:
    """The organisations of the network with at least one partner now, by name."""
    result = await session.scalars(
        select(Organisation)
        .where(Organisation.network_id == network_id)
        .where(
            Organisation.id.in_(
                select(Member.organisation_id).where(
                    Member.network_id == network_id, Member.joined_at.is_not(None), CURRENT
                )
            )
        )
        .order_by(Organisation.name_key)
    )
    return result.all()


async def rotation_inputs(
    session: AsyncSession, item: RepTable
) -> tuple[list[Seated], list[Candidate]]:
    """Who sits at the table now, and who could take a seat."""
    seated = [Seated(s.organisation_id, s.organisation.type, s.since, s.id) for s in current(item)]
    taken = {s.organisation_id for s in seated}
    candidates = [
        Candidate(o.id, o.type, o.name)
        for o in await represented(session, item.network_id)
        if o.id not in taken
    ]
    return seated, candidates


def set_seats(item: RepTable, wanted: Sequence[int], today: dt.date) -> tuple[list[int], list[int]]:
    """Make the organisations in wanted the table's seat holders from today: seats of the
    others end today, new ones begin. Returns (joined, left) organisation ids."""
    holding = {s.organisation_id: s for s in item.seats if s.until is None}
    left = [org for org in holding if org not in wanted]
    for org in left:
        holding[org].until = today
    joined = [org for org in wanted if org not in holding]
    for org in joined:
        item.seats.append(TableSeat(organisation_id=org, since=today))
    return joined, left


async def rotation(session: AsyncSession, rotation_id: int) -> TableRotation | None:
    """One rotation, locked for the rest of the transaction."""
    return await session.get(TableRotation, rotation_id, with_for_update=True)


async def rotation_due(
    session: AsyncSession, table_id: int, due_on: dt.date
) -> TableRotation | None:
    """The rotation of a table for a due date, if proposed already."""
    return await session.scalar(
        select(TableRotation).where(
            TableRotation.table_id == table_id, TableRotation.due_on == due_on
        )
    )
