"""Putting work in the queue: rows with a due time, a target chat and what to render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from schedules.kinds import Queued
from storage.models import Outgoing


class State(StrEnum):
    """Where an outgoing row is in its life."""

    PENDING = "pending"  # waiting for due_at
    SENDING = "sending"  # claimed by a dispatcher until lease_until
    SENT = "sent"
    SKIPPED = "skipped"  # nothing to send any more (the thing it was about is gone)
    UNDELIVERABLE = "undeliverable"  # Telegram refused for good: blocked, kicked
    FAILED = "failed"  # gave up after repeated errors, or a request Telegram rejects


@dataclass(frozen=True)
class Rendered:
    """What a due row turns into at send time: HTML text (a photo's caption when there is a
    photo) and optional buttons."""

    text: str
    reply_markup: InlineKeyboardMarkup | None = None
    photo: bytes | None = None


@dataclass(frozen=True)
class RenderContext:
    """What a renderer may need besides the database: the bot's username (for deep links)
    and the dispatcher's now (to recognise work that is long overdue)."""

    bot_username: str
    now: dt.datetime


# A renderer reads current state in its own transaction and returns the message, or None
# when there is nothing to send (any more): an action done, a
# round closed. It may also change state and queue further rows in that transaction, as the
# closing of a round does; it must then be safe to run twice (a crash before the send).
Renderer = Callable[[AsyncSession, Outgoing, RenderContext], Awaitable[Rendered | None]]


async def enqueue(
    session: AsyncSession,
    *,
    kind: Queued,
    chat_id: int,
    due_at: dt.datetime,
    payload: dict[str, Any] | None = None,
    network_id: int | None = None,
    person_id: int | None = None,
    dedupe_key: str | None = None,
) -> Outgoing | None:
    """Add a row to the queue in the caller's transaction; with dedupe_key, at most once ever.

    Returns the new row, or None when a row with the same dedupe_key already exists.
    """
    if dedupe_key is not None:
        existing = await session.scalar(
            select(Outgoing.id).where(Outgoing.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return None
    row = Outgoing(
        kind=kind,
        chat_id=chat_id,
        due_at=due_at,
        payload=payload or {},
        network_id=network_id,
        person_id=person_id,
        dedupe_key=dedupe_key,
        state=State.PENDING,
        attempts=0,
    )
    if dedupe_key is None:
        session.add(row)
        return row
    try:
        # A savepoint, so that losing a race with another process leaves our transaction usable.
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row


async def cancel_pending(session: AsyncSession, *, dedupe_prefix: str) -> int:
    """Delete rows not yet sent whose dedupe_key starts with dedupe_prefix; returns how many."""
    result = await session.execute(
        delete(Outgoing)
        .where(Outgoing.dedupe_key.startswith(dedupe_prefix, autoescape=True))
        .where(Outgoing.state == State.PENDING)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def sent_since(
    session: AsyncSession, kind: Queued, *, dedupe_prefix: str, chat_id: int, since: dt.datetime
) -> bool:
    """Whether a row of kind whose dedupe_key starts with dedupe_prefix reached chat_id since
    then."""
    found = await session.scalar(
        select(Outgoing.id)
        .where(Outgoing.kind == kind)
        .where(Outgoing.dedupe_key.startswith(dedupe_prefix, autoescape=True))
        .where(Outgoing.chat_id == chat_id, Outgoing.state == State.SENT)
        .where(Outgoing.sent_at >= since)
        .limit(1)
    )
    return found is not None
