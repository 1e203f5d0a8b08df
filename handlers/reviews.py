"""Answering a review of an agreement in private chat: Keep as is / Adjust / Stop, then an
optional note. The reviews' schedule and messages are in schedules.reviews."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from dialogues.review_note import REVIEW_NOTE, NoteData
from domain.callbacks import Cb, int_arg, pattern, unpack
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.reviews import CHOICES
from handlers.base import Context, acknowledge, chatting_person, dispatch_soon
from i18n import N_
from schedules.agreements import close_review, open_review
from storage import agreements as store
from storage.models import ReviewAnswer

NOT_A_RESPONDER = N_("This review is for the parties of the agreement; you do not answer it.")


async def answer(update: Update, context: Context) -> None:
    """Keep as is / Adjust / Stop from a review prompt."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    value = args[1] if len(args) > 1 else ""
    user = query.from_user
    now = context.services.clock.now()
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, user)
        found = await open_review(session, int_arg(args, 0))
        if found is None or value not in CHOICES:
            raise Refusal(NO_LONGER_ACTIVE)
        review, agreement, network = found
        responders = await store.responders(session, agreement)
        mine = [key for key, (_, people) in responders.items() if person.id in people]
        if not mine:
            raise Refusal(NOT_A_RESPONDER)
        key = mine[0]
        await _record(session, review.id, key, responders[key][0], value, person.id, now)
        if {a.responder for a in await store.answers_of(session, review.id)} >= set(responders):
            await close_review(session, review, agreement, network, now)
        await acknowledge(query)
        # The confirmation shown in place of the prompt invites a note: the note's dialogue.
        await REVIEW_NOTE.begin(
            update, context, session, person, lang, network, NoteData(review.id, key)
        )
    if review.state == "closed":
        dispatch_soon(context)


async def _record(
    session: AsyncSession,
    review_id: int,
    key: str,
    label: str,
    choice: str,
    person_id: int,
    now: dt.datetime,
) -> None:
    """The party's answer (one per party: a second representative's replaces the first's)."""
    existing = await session.get(ReviewAnswer, (review_id, key))
    if existing is None:
        session.add(
            ReviewAnswer(
                review_id=review_id,
                responder=key,
                label=label,
                choice=choice,
                answered_by=person_id,
                answered_at=now,
            )
        )
    else:
        existing.choice, existing.answered_by, existing.answered_at = choice, person_id, now
    await session.flush()


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CallbackQueryHandler(answer, pattern(Cb.REVIEW_ANSWER)),
]
