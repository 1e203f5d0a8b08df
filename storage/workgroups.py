"""Queries for working groups, their trekkers and actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypeVarTuple

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from storage.models import Action, ActionNote, Trekker, WorkingGroup

Row = TypeVarTuple("Row")

MAX_TREKKERS = 2


async def groups_of(session: AsyncSession, network_id: int) -> Sequence[WorkingGroup]:
    """A network's working groups with their trekkers, by name."""
    result = await session.scalars(
        select(WorkingGroup)
        .where(WorkingGroup.network_id == network_id)
        .options(selectinload(WorkingGroup.trekkers).selectinload(Trekker.person))
        .order_by(WorkingGroup.name, WorkingGroup.id)
    )
    return result.all()


async def group(session: AsyncSession, group_id: int, *, lock: bool = False) -> WorkingGroup | None:
    """One working group with its trekkers; lock: its row held until commit, so that who leads
    it is decided one press at a time, whichever process handles the press."""
    return await session.get(
        WorkingGroup,
        group_id,
        options=[selectinload(WorkingGroup.trekkers).selectinload(Trekker.person)],
        populate_existing=True,
        with_for_update=lock,
    )


async def group_named(session: AsyncSession, network_id: int, name: str) -> WorkingGroup | None:
    """A working group by name, case-insensitively."""
    for candidate in await groups_of(session, network_id):
        if candidate.name.casefold() == name.casefold():
            return candidate
    return None


def is_trekker(group: WorkingGroup, person_id: int) -> bool:
    """Whether the person leads this working group."""
    return any(tr.person_id == person_id for tr in group.trekkers)


def _open_in_network(query: Select[*Row], network_id: int) -> Select[*Row]:
    """query narrowed to the open actions of the network's working groups."""
    return query.join(WorkingGroup, WorkingGroup.id == Action.working_group_id).where(
        WorkingGroup.network_id == network_id, Action.state == "open"
    )


async def counts(
    session: AsyncSession, network_id: int, today: dt.date
) -> dict[int, tuple[int, int]]:
    """Per working group: (open actions, overdue actions), in one query."""
    overdue = func.sum(case((Action.due_on < today, 1), else_=0))
    rows = await session.execute(
        _open_in_network(
            select(Action.working_group_id, func.count(), overdue), network_id
        ).group_by(Action.working_group_id)
    )
    return {group_id: (int(n), int(late or 0)) for group_id, n, late in rows}


async def open_actions_by_group(session: AsyncSession, network_id: int) -> dict[int, list[Action]]:
    """Every open action of a network's working groups, by group, the most overdue first, in
    one query (owners joined in), however many groups there are."""
    result = await session.scalars(
        _open_in_network(select(Action), network_id)
        .options(joinedload(Action.owner))
        .order_by(Action.due_on, Action.id)
    )
    by_group: dict[int, list[Action]] = {}
    for found in result:
        by_group.setdefault(found.working_group_id, []).append(found)
    return by_group


async def most_pressing_actions(
    session: AsyncSession, network_id: int, per_group: int
) -> tuple[dict[int, list[Action]], dict[int, int]]:
    """The per_group most overdue open actions of each working group, and how many open
    actions each group has: ranked and counted in the database, so a network with hundreds of
    actions loads a handful, in one query."""
    ranked = select(
        Action.id,
        func.row_number()
        .over(partition_by=Action.working_group_id, order_by=(Action.due_on, Action.id))
        .label("rank"),
        func.count().over(partition_by=Action.working_group_id).label("total"),
    )
    in_network = _open_in_network(ranked, network_id).subquery()
    rows = await session.execute(
        select(Action, in_network.c.total)
        .join(in_network, in_network.c.id == Action.id)
        .where(in_network.c.rank <= per_group)
        .options(joinedload(Action.owner))
        .order_by(Action.due_on, Action.id)
    )
    by_group: dict[int, list[Action]] = {}
    totals: dict[int, int] = {}
    for found, total in rows:
        by_group.setdefault(found.working_group_id, []).append(found)
        totals[found.working_group_id] = int(total)
    return by_group, totals


async def open_actions(session: AsyncSession, group_id: int) -> Sequence[Action]:
    """A working group's open actions, the most overdue first."""
    result = await session.scalars(
        select(Action)
        .where(Action.working_group_id == group_id, Action.state == "open")
        .options(selectinload(Action.owner))
        .order_by(Action.due_on, Action.id)
    )
    return result.all()


async def action(session: AsyncSession, action_id: int) -> Action | None:
    """One action with its owner and working group (and that group's trekkers)."""
    return await session.get(
        Action,
        action_id,
        options=[
            selectinload(Action.owner),
            selectinload(Action.working_group)
            .selectinload(WorkingGroup.trekkers)
            .selectinload(Trekker.person),
        ],
        with_for_update=True,
    )


async def notes(session: AsyncSession, action_id: int) -> Sequence[ActionNote]:
    """An action's notes, oldest first."""
    result = await session.scalars(
        select(ActionNote).where(ActionNote.action_id == action_id).order_by(ActionNote.id)
    )
    return result.all()


async def done_between(
    session: AsyncSession, group_id: int, start: dt.datetime, end: dt.datetime
) -> Sequence[Action]:
    """Actions of a working group marked done in [start, end)."""
    result = await session.scalars(
        select(Action)
        .where(
            Action.working_group_id == group_id,
            Action.state == "done",
            Action.done_at >= start,
            Action.done_at < end,
        )
        .order_by(Action.done_at)
    )
    return result.all()
