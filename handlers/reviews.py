"""Answering a review of an agreement in private chat: Keep as is / Adjust / Stop, then an
optional note. The reviews' schedule and messages are in schedules.reviews."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from dialogues.review_note import REVIEW_NOTE, NoteData
from domain.callbacks import Cb, int_arg, pattern, unpack
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.reviews import BACK, CHOICES, STOP, STOP_SURE
from handlers.base import Context, acknowledge, chatting_person, dispatch_soon, replace
from i18n import N_
from schedules.agreements import (
    close_review,
    open_review,
    prompt_screen,
    prompt_sections,
    tell_party,
)
from schedules.kinds import Queued
from storage import agreements as store
from storage.models import Agreement, Network, Outgoing, Person, Review, ReviewAnswer
from views import agreements as view

NOT_A_RESPONDER = N_("This review is for the parties of the agreement; you do not answer it.")


async def answer(update: Update, context: Context) -> None:
    """Keep as is / Adjust / Stop from a review prompt (one review, or one of several in a
    joined prompt, whose row id the button carries)."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    value = args[1] if len(args) > 1 else ""
    row_id = int_arg(args, 2) if len(args) > 2 else None
    user = query.from_user
    now = context.services.clock.now()
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, user)
        found = await open_review(session, int_arg(args, 0))
        if found is None or value not in (*CHOICES, STOP_SURE, BACK):
            raise Refusal(NO_LONGER_ACTIVE)
        review, agreement, network = found
        responders = await store.responders(session, agreement)
        mine = [key for key, (_, people) in responders.items() if person.id in people]
        if not mine:
            raise Refusal(NOT_A_RESPONDER)
        key = mine[0]
        label, people = responders[key]
        if value in (STOP, BACK):
            await acknowledge(query)
            await replace(
                query, *await _ask_or_back(session, value, found, label, row_id, person, lang)
            )
            return
        value = STOP if value == STOP_SURE else value
        before = await _record(session, review.id, key, label, value, person.id, now)
        if before is None or before.choice != value:
            await tell_party(
                session,
                review,
                network,
                key,
                people,
                person.id,
                now,
                was=before.choice if before else None,
                was_by=before.by if before else None,
            )
        if {a.responder for a in await store.answers_of(session, review.id)} >= set(responders):
            await close_review(session, review, agreement, network, now)
        await acknowledge(query)
        joined = await _joined_prompt(session, row_id, person.id)
        if joined is not None:
            # The other reviews of the message stay answerable there; the note is asked below.
            screen = await prompt_screen(session, joined, person.id, waiting_only=False)
            if screen is not None:
                await replace(query, *screen)
        replaced = before is not None and before.by != person.id and before.choice != value
        note = NoteData(
            review.id,
            key,
            replaced=before.choice if replaced and before else None,
            replaced_by=before.by if replaced and before else None,
        )
        # The confirmation shown in place of the prompt invites a note: the note's dialogue.
        await REVIEW_NOTE.begin(
            update, context, session, person, lang, network, note, in_place=joined is None
        )
    dispatch_soon(context)


async def _ask_or_back(
    session: AsyncSession,
    value: str,
    found: tuple[Review, Agreement, Network],
    label: str,
    row_id: int | None,
    person: Person,
    lang: str,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Stop asks first; Back shows the choices again (the joined prompt, when it came from
    one)."""
    review, agreement, network = found
    if value == STOP:
        return view.confirm_stop(lang, agreement, label, review.id, row_id)
    joined = await _joined_prompt(session, row_id, person.id)
    if joined is not None:
        screen = await prompt_screen(session, joined, person.id, waiting_only=False)
        if screen is not None:
            return screen
    deadline = review.deadline_at.astimezone(ZoneInfo(network.timezone)).date()
    return view.review_prompt(lang, agreement, label, deadline, review.id, chase=False)


@dataclass(frozen=True)
class Before:
    """The party's answer before this one."""

    choice: str
    by: int | None


async def _record(
    session: AsyncSession,
    review_id: int,
    key: str,
    label: str,
    choice: str,
    person_id: int,
    now: dt.datetime,
) -> Before | None:
    """The party's answer: one per party, the latest representative's; returns the one it
    replaces. Pressing what the party already answered changes nothing."""
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
        await session.flush()
        return None
    before = Before(existing.choice, existing.answered_by)
    if existing.choice != choice:
        existing.choice, existing.answered_by, existing.answered_at = choice, person_id, now
        await session.flush()
    return before


async def _joined_prompt(
    session: AsyncSession, row_id: int | None, person_id: int
) -> Outgoing | None:
    """The prompt row a joined prompt's button names, if it is this person's and joined."""
    if row_id is None:
        return None
    row = await session.get(Outgoing, row_id)
    if row is None or row.kind != Queued.REVIEW_PROMPT or row.person_id != person_id:
        return None
    return row if len(prompt_sections(row.payload)) > 1 else None


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CallbackQueryHandler(answer, pattern(Cb.REVIEW_ANSWER)),
]
