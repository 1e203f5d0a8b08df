"""Representative tables over time: the group hears each new composition, and when a yearly
rotation falls due the coordinators get a proposal (the longest seated make way for
organisations not yet at the table) to accept or change. Through the outgoing queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.calendar import add_months
from domain.tables import ROTATION_MONTHS, propose
from i18n import person_language
from schedules.kinds import Queued
from schedules.outbox import RenderContext, Rendered, Renderer, cancel_pending, enqueue
from storage import queries
from storage import tables as store
from storage.models import Network, Organisation, Outgoing, Person, RepTable, TableRotation
from views import tables as view


async def _names(session: AsyncSession, ids: Sequence[int]) -> list[str]:
    rows = await session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(list(ids)))
    )
    names = {row.id: row.name for row in rows}
    return view.organisation_names(ids, names)


async def queue_rotation(session: AsyncSession, item: RepTable, network: Network) -> None:
    """Queue the table's next rotation for the morning of its date (none without rotation)."""
    await cancel_pending(session, dedupe_prefix=f"table:{item.id}:rotation:")
    if not item.rotate_share or item.next_rotation_on is None:
        return
    morning = dt.datetime.combine(
        item.next_rotation_on, network.office_hours.start, tzinfo=ZoneInfo(network.timezone)
    )
    due_on = item.next_rotation_on.isoformat()
    await enqueue(
        session,
        kind=Queued.ROTATION_DUE,
        chat_id=network.chat_id,
        network_id=network.id,
        due_at=network.in_office_hours(morning),
        payload={"table_id": item.id, "due_on": due_on},
        dedupe_key=f"table:{item.id}:rotation:{due_on}",
    )


async def announce(
    session: AsyncSession,
    item: RepTable,
    network: Network,
    now: dt.datetime,
    *,
    joined: Sequence[int] = (),
    left: Sequence[int] = (),
    new: bool = False,
) -> None:
    """The group hears the table's composition (rendered when sent)."""
    await enqueue(
        session,
        kind=Queued.TABLE_COMPOSITION,
        chat_id=network.chat_id,
        network_id=network.id,
        due_at=now,
        payload={"table_id": item.id, "joined": list(joined), "left": list(left), "new": new},
        dedupe_key=f"table:{item.id}:composition:{now.isoformat()}",
    )


async def finish_rotation(
    session: AsyncSession,
    rotation: TableRotation,
    item: RepTable,
    network: Network,
    wanted: Sequence[int],
    person_id: int | None,
    now: dt.datetime,
) -> None:
    """Seat wanted from today, close the rotation, queue the next and tell the group."""
    joined, left = store.set_seats(item, wanted, network.today(now))
    rotation.state, rotation.decided_by, rotation.decided_at = "done", person_id, now
    item.next_rotation_on = add_months(rotation.due_on, ROTATION_MONTHS)
    await session.flush()
    await queue_rotation(session, item, network)
    if joined or left:
        await announce(session, item, network, now, joined=joined, left=left)


async def render_composition(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The table as it is when the message goes, with who joined and left."""
    table = await store.table(session, int(item.payload.get("table_id", 0)))
    network = await session.get(Network, table.network_id) if table else None
    if table is None or network is None:
        return None
    joined = await _names(session, [int(i) for i in item.payload.get("joined", [])])
    left = await _names(session, [int(i) for i in item.payload.get("left", [])])
    text = view.composition(
        network.language, table, joined, left, new=bool(item.payload.get("new"))
    )
    return Rendered(text)


async def render_rotation_due(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The rotation's day: propose (once), ask every coordinator privately."""
    table = await store.table(session, int(item.payload.get("table_id", 0)))
    network = await session.get(Network, table.network_id) if table else None
    due_on = dt.date.fromisoformat(str(item.payload.get("due_on")))
    if table is None or network is None or table.next_rotation_on != due_on:
        return None
    if await store.rotation_due(session, table.id, due_on) is not None:
        return None  # a retried row: proposed already
    seated, candidates = await store.rotation_inputs(session, table)
    leaving, joining = propose(seated, candidates, table.rotate_share)
    rotation = TableRotation(table_id=table.id, due_on=due_on, leaving=leaving, joining=joining)
    session.add(rotation)
    await session.flush()
    if not leaving:  # nobody to take a seat: the year starts again as it is
        rotation.state = "done"
        table.next_rotation_on = add_months(due_on, ROTATION_MONTHS)
        await queue_rotation(session, table, network)
    for person_id in await queries.coordinator_ids(session, network.id):
        await enqueue(
            session,
            kind=Queued.ROTATION_PROMPT,
            chat_id=person_id,
            person_id=person_id,
            network_id=network.id,
            due_at=item.due_at,
            payload={"rotation_id": rotation.id},
            dedupe_key=f"table:{table.id}:rotation:{due_on.isoformat()}:to:{person_id}",
        )
    return None


async def render_rotation_prompt(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The proposal to one coordinator, unless another already decided it."""
    rotation = await session.get(TableRotation, int(item.payload.get("rotation_id", 0)))
    table = await store.table(session, rotation.table_id) if rotation else None
    if rotation is None or table is None or item.person_id is None:
        return None
    if rotation.state != "proposed" and rotation.leaving:
        return None
    member = await queries.membership(session, table.network_id, item.person_id)
    if member is None or not member.is_coordinator:
        return None
    person = await session.get(Person, item.person_id)
    network = await session.get(Network, table.network_id)
    lang = person_language(person, None, network.language if network else "nl")
    text, markup = view.rotation_prompt(
        lang,
        table,
        await _names(session, rotation.leaving),
        await _names(session, rotation.joining),
        rotation.id,
    )
    return Rendered(text, markup)


RENDERERS: dict[Queued, Renderer] = {
    Queued.TABLE_COMPOSITION: render_composition,
    Queued.ROTATION_DUE: render_rotation_due,
    Queued.ROTATION_PROMPT: render_rotation_prompt,
}
