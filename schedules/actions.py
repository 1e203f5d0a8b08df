"""What working groups put in the outgoing queue: action reminders (before, on and after the
due date, escalated after two overdue ones) and the weekly digest. Every row is derived from
the action's state: changing it cancels and re-queues in the same transaction."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.daytime import next_in_window
from domain.reminders import ESCALATE_AFTER_OVERDUE, next_reminder, overdue_reached
from i18n import person_language
from schedules.kinds import Queued
from schedules.outbox import (
    RenderContext,
    Rendered,
    Renderer,
    State,
    cancel_pending,
    enqueue,
    sent_since,
)
from storage import queries
from storage import workgroups as store
from storage.models import Action, Network, Outgoing, Person
from views import workgroups as view

DIGEST_WEEKDAY = 0  # Monday, at the start of office hours
DIGEST_PERIOD = dt.timedelta(days=7)


def _prefix(action_id: int) -> str:
    return f"action:{action_id}:"


async def reschedule_action(
    session: AsyncSession, action: Action, network: Network, now: dt.datetime
) -> None:
    """Drop the action's queued reminders and, while it is open, queue the next one."""
    await cancel_pending(session, dedupe_prefix=_prefix(action.id))
    if action.state != "open":
        return
    window = network.office_hours
    reminder = next_reminder(action.due_on, network.timezone, window, now)
    await _queue_stage(session, action, network, reminder.stage, reminder.at)


async def _queue_stage(
    session: AsyncSession, action: Action, network: Network, stage: int, at: dt.datetime
) -> None:
    await enqueue(
        session,
        kind=Queued.ACTION_STAGE,
        chat_id=network.chat_id,
        network_id=network.id,
        due_at=at,
        payload={"action_id": action.id, "stage": stage, "due": action.due_on.isoformat()},
        dedupe_key=f"{_prefix(action.id)}{action.due_on.isoformat()}:{stage}",
    )


async def render_stage(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """A reminder moment: one private reminder per trekker, escalation after two overdue
    ones, and the next moment queued. Stale rows (the action changed) do nothing."""
    action = await store.action(session, int(item.payload.get("action_id", 0)))
    if (
        action is None
        or action.state != "open"
        or action.due_on.isoformat() != item.payload.get("due")
    ):
        return None
    network = await session.get(Network, action.working_group.network_id)
    if network is None:
        return None
    stage = int(item.payload["stage"])
    due = action.due_on.isoformat()
    key = f"{_prefix(action.id)}{due}:{stage}"
    window = network.office_hours
    for trekker in action.working_group.trekkers:
        await enqueue(
            session,
            kind=Queued.ACTION_REMINDER,
            chat_id=trekker.person_id,
            person_id=trekker.person_id,
            network_id=network.id,
            due_at=item.due_at,
            payload={"action_id": action.id, "overdue": max(stage - 1, 0), "due": due},
            dedupe_key=f"{key}:to:{trekker.person_id}",
        )
    # Escalation follows from how far overdue the action is now, so a stage skipped during
    # downtime never skips it; once per due date.
    reached = overdue_reached(action.due_on, network.timezone, window, render.now)
    if max(stage - 1, reached) >= ESCALATE_AFTER_OVERDUE:
        for person_id in await queries.coordinator_ids(session, network.id):
            await enqueue(
                session,
                kind=Queued.ACTION_ESCALATION,
                chat_id=person_id,
                person_id=person_id,
                network_id=network.id,
                due_at=item.due_at,
                payload={"action_id": action.id, "due": due},
                dedupe_key=f"{_prefix(action.id)}{due}:escalate:{person_id}",
            )
    # From now, not from this row's due time: after downtime, one reminder, not a backlog.
    after = max(item.due_at, render.now)
    following = next_reminder(action.due_on, network.timezone, window, after, stage + 1)
    await _queue_stage(session, action, network, following.stage, following.at)
    return None


async def _person_lang(
    session: AsyncSession, person_id: int | None, network: Network
) -> str | None:
    person = await session.get(Person, person_id) if person_id is not None else None
    return person_language(person, None, network.language) if person is not None else None


async def _open_action_for(
    session: AsyncSession, item: Outgoing
) -> tuple[Action, Network, str] | None:
    """The open action a private row is about, its network and the recipient's language; None
    when the row was queued for another due date (moved with Week later or Andere datum
    while it waited or was on its way: the new date has reminders of its own)."""
    action = await store.action(session, int(item.payload.get("action_id", 0)))
    if action is None or action.state != "open":
        return None
    queued_for = item.payload.get("due")
    if queued_for is not None and queued_for != action.due_on.isoformat():
        return None
    network = await session.get(Network, action.working_group.network_id)
    if network is None:
        return None
    lang = await _person_lang(session, item.person_id, network)
    return (action, network, lang) if lang is not None else None


async def render_reminder(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The private reminder with its buttons; nothing if the action is no longer open."""
    found = await _open_action_for(session, item)
    if found is None:
        return None
    action, network, lang = found
    # One a day per action and trekker: after downtime, a reminder deferred to the morning
    # meets that morning's own (both would say the same), and the first one says it.
    midnight = dt.datetime.combine(
        network.today(render.now), dt.time(0), tzinfo=ZoneInfo(network.timezone)
    )
    if await sent_since(
        session,
        Queued.ACTION_REMINDER,
        dedupe_prefix=_prefix(action.id),
        chat_id=item.chat_id,
        since=midnight,
    ):
        return None
    text, markup = view.reminder(
        lang,
        action,
        action.working_group,
        int(item.payload.get("overdue", 0)),
        network.today(render.now),
    )
    return Rendered(text, markup)


async def render_escalation(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The coordinator hears of an action that stays overdue."""
    found = await _open_action_for(session, item)
    if found is None:
        return None
    action, network, lang = found
    if network.today(render.now) <= action.due_on:
        return None  # no longer overdue
    return Rendered(view.escalation(lang, action, action.working_group))


# --- the weekly digest ----------------------------------------------------------------------


def _next_digest_at(network: Network, after: dt.datetime) -> dt.datetime:
    zone = ZoneInfo(network.timezone)
    window = network.office_hours
    local = after.astimezone(zone)
    weekday = (network.digest_day - 1) % 7 if network.digest_day else DIGEST_WEEKDAY
    days_ahead = (weekday - local.weekday()) % 7 or 7
    day = local.date() + dt.timedelta(days=days_ahead)
    return next_in_window(
        dt.datetime.combine(day, window.start, tzinfo=zone), network.timezone, window
    )


async def queue_digest(
    session: AsyncSession, network: Network, after: dt.datetime, since: dt.datetime | None = None
) -> None:
    """Queue the next weekly digest of the network (at most one per week). It covers what
    happened since `since` (the previous digest's moment), a week before it by default."""
    at = _next_digest_at(network, after)
    covers = since if since is not None else at - DIGEST_PERIOD
    await enqueue(
        session,
        kind=Queued.DIGEST,
        chat_id=network.chat_id,
        network_id=network.id,
        due_at=at,
        payload={"since": covers.isoformat()},
        dedupe_key=f"digest:{network.id}:{at.date().isoformat()}",
    )


def _digest_since(item: Outgoing) -> dt.datetime:
    """The start of the period a digest row covers (rows queued before it was recorded: the
    week before their slot)."""
    since = item.payload.get("since")
    if since is None:
        return item.due_at - DIGEST_PERIOD
    return dt.datetime.fromisoformat(str(since))


async def digest_parts(
    session: AsyncSession,
    network: Network,
    lang: str,
    now: dt.datetime,
    since: dt.datetime | None = None,
) -> list[str]:
    """The digest's message(s): per working group what was done since the previous digest,
    what is due this week and what is late."""
    today = network.today(now)
    start = since if since is not None else now - DIGEST_PERIOD
    groups = []
    for group in await store.groups_of(session, network.id):
        open_actions = await store.open_actions(session, group.id)
        done = await store.done_between(session, group.id, start, now)
        due = [a for a in open_actions if today <= a.due_on < today + dt.timedelta(days=7)]
        late = [a for a in open_actions if a.due_on < today]
        groups.append((group, done, due, late))
    # A digest that covers more than a week (the bot was down on its day) says since when.
    longer = now - start > DIGEST_PERIOD + dt.timedelta(days=1)
    period_start = network.today(start) if longer else None
    return view.digest(lang, network, groups, today, since=period_start) if groups else []


async def render_digest(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """Monday's digest: to the group, or to each trekker privately; next week's queued."""
    network = await session.get(Network, item.network_id) if item.network_id else None
    if network is None:
        return None
    # The next one covers from this moment on; one missed while the bot was down goes out
    # once, late, and says which period it covers.
    await queue_digest(session, network, max(item.due_at, render.now), since=render.now)
    if network.digest == "off":
        return None
    since = _digest_since(item)
    parts = await digest_parts(session, network, network.language, render.now, since)
    if not parts:
        return None
    if network.digest == "trekkers":
        trekkers = {
            tr.person_id for g in await store.groups_of(session, network.id) for tr in g.trekkers
        }
        for person_id in sorted(trekkers):
            await enqueue(
                session,
                kind=Queued.DIGEST_PRIVATE,
                chat_id=person_id,
                person_id=person_id,
                network_id=network.id,
                due_at=item.due_at,
                payload={"since": since.isoformat(), "at": render.now.isoformat()},
                dedupe_key=f"digest:{network.id}:{item.due_at.date().isoformat()}:to:{person_id}",
            )
        return None
    for index in range(1, len(parts)):
        await enqueue(
            session,
            kind=Queued.DIGEST_PART,
            chat_id=network.chat_id,
            network_id=network.id,
            due_at=item.due_at,
            payload={"part": index, "at": render.now.isoformat(), "since": since.isoformat()},
            dedupe_key=f"digest:{network.id}:{item.due_at.date().isoformat()}:part:{index}",
        )
    return Rendered(parts[0])


async def render_digest_part(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """A further part of a long digest."""
    network = await session.get(Network, item.network_id) if item.network_id else None
    if network is None:
        return None
    at = dt.datetime.fromisoformat(str(item.payload["at"]))
    parts = await digest_parts(session, network, network.language, at, _digest_since(item))
    index = int(item.payload["part"])
    return Rendered(parts[index]) if index < len(parts) else None


async def render_digest_private(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The digest for one trekker (first part only; it is about their network's groups)."""
    network = await session.get(Network, item.network_id) if item.network_id else None
    if network is None:
        return None
    lang = await _person_lang(session, item.person_id, network)
    parts = (
        await digest_parts(
            session, network, lang or network.language, render.now, _digest_since(item)
        )
        if lang
        else []
    )
    return Rendered(parts[0]) if parts else None


async def render_workgroup_card(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """A new working group's card in the group, with its trekkers as they are when it is sent
    (the 'I'll lead this' button while there are none)."""
    group = await store.group(session, int(item.payload.get("group_id", 0)))
    network = await session.get(Network, group.network_id) if group is not None else None
    if group is None or network is None:
        return None
    return Rendered(*view.new_group(network.language, group))


async def render_trekker_appointed(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The private note to a new trekker: which group, what it asks of them, how to start;
    nothing when they no longer lead it by the time it goes."""
    group = await store.group(session, int(item.payload.get("group_id", 0)))
    network = await session.get(Network, group.network_id) if group is not None else None
    person = await session.get(Person, item.person_id) if item.person_id else None
    if group is None or network is None or person is None or not store.is_trekker(group, person.id):
        return None
    lang = person_language(person, None, network.language)
    by_self = bool(item.payload.get("by_self"))
    return Rendered(view.trekker_note(lang, network, group, by_self=by_self))


RENDERERS: dict[Queued, Renderer] = {
    Queued.WORKGROUP_CARD: render_workgroup_card,
    Queued.TREKKER_APPOINTED: render_trekker_appointed,
    Queued.ACTION_STAGE: render_stage,
    Queued.ACTION_REMINDER: render_reminder,
    Queued.ACTION_ESCALATION: render_escalation,
    Queued.DIGEST: render_digest,
    Queued.DIGEST_PART: render_digest_part,
    Queued.DIGEST_PRIVATE: render_digest_private,
}


async def requeue_digest(session: AsyncSession, network: Network, now: dt.datetime) -> None:
    """After a settings change: the queued digest moves to the new day and hours, and still
    covers what happened since the previous one."""
    waiting = await session.scalar(
        select(Outgoing)
        .where(Outgoing.kind == Queued.DIGEST, Outgoing.network_id == network.id)
        .where(Outgoing.state == State.PENDING)
        .order_by(Outgoing.due_at)
        .limit(1)
    )
    since = _digest_since(waiting) if waiting is not None else None
    await cancel_pending(session, dedupe_prefix=f"digest:{network.id}:")
    if await store.groups_of(session, network.id):
        await queue_digest(session, network, now, since=since)
