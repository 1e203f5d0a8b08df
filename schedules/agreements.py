"""Agreements over time: the group's notice of a new agreement, and its reviews, due on a
date derived from the start and the interval, asked of every party in private chat, chased
before the deadline, closed with an outcome for the group, and the next review queued. All of it
through the outgoing queue, safe across restarts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from domain.calendar import next_review
from domain.reviews import STOP, overall
from i18n import person_language
from schedules.kinds import Queued
from schedules.outbox import RenderContext, Rendered, Renderer, State, enqueue
from storage import agreements as store
from storage import queries
from storage.models import Agreement, Network, Outgoing, Person, Review, ReviewAnswer
from views import agreements as view

REVIEW_DAYS = 14
CHASE_DAYS_BEFORE = 3


def _morning(network: Network, day: dt.date) -> dt.datetime:
    moment = dt.datetime.combine(day, network.office_hours.start, tzinfo=ZoneInfo(network.timezone))
    return network.in_office_hours(moment)


async def queue_review(session: AsyncSession, item: Agreement, network: Network) -> None:
    """Queue the agreement's next review for the morning of its next review date."""
    if item.state != "active" or item.next_review_on is None:
        return
    await enqueue(
        session,
        kind=Queued.REVIEW_DUE,
        chat_id=network.chat_id,
        network_id=network.id,
        due_at=_morning(network, item.next_review_on),
        payload={"agreement_id": item.id, "due_on": item.next_review_on.isoformat()},
        dedupe_key=f"agreement:{item.id}:review:{item.next_review_on.isoformat()}",
    )


async def render_due(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """Open the review (once), ask every party, queue the chase and the close; tell the group."""
    agreement = await store.agreement(session, int(item.payload.get("agreement_id", 0)))
    due_on = dt.date.fromisoformat(str(item.payload.get("due_on")))
    if agreement is None or agreement.state != "active" or agreement.next_review_on != due_on:
        return None
    network = await session.get(Network, agreement.network_id)
    if network is None:
        return None
    existing = await session.scalar(
        select(Review).where(Review.agreement_id == agreement.id, Review.due_on == due_on)
    )
    if existing is not None:
        return None  # already opened (a retried row)
    deadline = _morning(network, due_on + dt.timedelta(days=REVIEW_DAYS))
    review = Review(
        agreement_id=agreement.id,
        due_on=due_on,
        deadline_at=deadline,
        state="open",
        version_number=len(agreement.versions),
    )
    session.add(review)
    await session.flush()
    await _ask(session, review, agreement, network, item.due_at, chase=False)
    chase_at = _morning(network, due_on + dt.timedelta(days=REVIEW_DAYS - CHASE_DAYS_BEFORE))
    for kind, at in ((Queued.REVIEW_CHASE, chase_at), (Queued.REVIEW_CLOSE, deadline)):
        await enqueue(
            session,
            kind=kind,
            chat_id=network.chat_id,
            network_id=network.id,
            due_at=at,
            payload={"review_id": review.id},
            dedupe_key=f"review:{review.id}:{kind}",
        )
    return Rendered(view.review_started(network.language, agreement, deadline))


async def _ask(
    session: AsyncSession,
    review: Review,
    agreement: Agreement,
    network: Network,
    at: dt.datetime,
    *,
    chase: bool,
) -> None:
    answered = {a.responder for a in await store.answers_of(session, review.id)}
    stage = "chase" if chase else "ask"
    for key, (_, people) in (await store.responders(session, agreement)).items():
        if key in answered:
            continue
        for person_id in people:
            person = await session.get(Person, person_id)
            if person is None or not person.started or not person.reachable:
                continue
            section = {"review_id": review.id, "responder": key, "chase": chase}
            # Two reviews asked of one person at once (an agreement and the ground rules on
            # the same day, or what waited through downtime) are one message.
            if await _join_waiting_prompt(session, person_id, network.id, section, at):
                continue
            await enqueue(
                session,
                kind=Queued.REVIEW_PROMPT,
                chat_id=person_id,
                person_id=person_id,
                network_id=network.id,
                due_at=at,
                payload={"reviews": [section]},
                dedupe_key=f"review:{review.id}:prompt:{key}:{person_id}:{stage}",
            )


async def _join_waiting_prompt(
    session: AsyncSession, person_id: int, network_id: int, section: dict[str, Any], at: dt.datetime
) -> bool:
    """Add section to a review prompt for this person that is still waiting to be sent."""
    waiting = await session.scalars(
        select(Outgoing)
        .where(Outgoing.kind == Queued.REVIEW_PROMPT, Outgoing.state == State.PENDING)
        .where(Outgoing.person_id == person_id, Outgoing.network_id == network_id)
        .order_by(Outgoing.due_at, Outgoing.id)
    )
    for row in waiting:
        sections = [s for s in prompt_sections(row.payload)]
        if len(sections) >= MAX_SECTIONS:
            continue
        if any(s.review_id == section["review_id"] for s in sections):
            return True
        joined = [*(s.as_json() for s in sections), section]
        # Only while it waits: a row the dispatcher claimed meanwhile is left alone.
        result = await session.execute(
            update(Outgoing)
            .where(Outgoing.id == row.id, Outgoing.state == State.PENDING)
            .values(payload={"reviews": joined}, due_at=min(row.due_at, at))
        )
        if getattr(result, "rowcount", 0):
            return True
    return False


@dataclass(frozen=True)
class PromptSection:
    """One review a prompt asks about: for which party, and whether it is the chase."""

    review_id: int
    responder: str
    chase: bool

    def as_json(self) -> dict[str, Any]:
        return {"review_id": self.review_id, "responder": self.responder, "chase": self.chase}


MAX_SECTIONS = 6  # reviews in one prompt message, so that it stays readable and under 4096


def prompt_sections(payload: Mapping[str, Any]) -> list[PromptSection]:
    """The reviews a prompt row asks about (rows queued before prompts were joined name one
    review at the top level)."""
    listed = payload.get("reviews")
    raw = listed if isinstance(listed, list) else [payload]
    sections = []
    for section in raw:
        if not isinstance(section, Mapping):
            continue
        try:
            review_id = int(section.get("review_id", 0))
        except (TypeError, ValueError):
            continue
        sections.append(
            PromptSection(review_id, str(section.get("responder")), bool(section.get("chase")))
        )
    return sections


async def open_review(
    session: AsyncSession, review_id: int
) -> tuple[Review, Agreement, Network] | None:
    review = await store.review(session, review_id)
    if review is None or review.state != "open":
        return None
    agreement = await store.agreement(session, review.agreement_id)
    network = await session.get(Network, agreement.network_id) if agreement else None
    if agreement is None or network is None:
        return None
    return review, agreement, network


async def render_prompt(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The private question to one representative about the reviews their party has not
    answered yet (one message, also when several fall on one day)."""
    if item.person_id is None:
        return None
    screen = await prompt_screen(session, item, item.person_id, waiting_only=True)
    return Rendered(*screen) if screen is not None else None


async def prompt_screen(
    session: AsyncSession, item: Outgoing, person_id: int, *, waiting_only: bool
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """A prompt row's message as things stand: with waiting_only (when it is sent) only the
    reviews still waiting for the person's party; otherwise (after an answer from a joined
    prompt) every review it asked, the answered ones marked with who answered."""
    person = await session.get(Person, person_id)
    network = await session.get(Network, item.network_id) if item.network_id else None
    if network is None:
        return None
    lang = person_language(person, None, network.language)
    zone = ZoneInfo(network.timezone)
    shown: list[view.PromptPart] = []
    for section in prompt_sections(item.payload):
        review = await store.review(session, section.review_id)
        agreement = await store.agreement(session, review.agreement_id) if review else None
        if review is None or agreement is None or agreement.network_id != network.id:
            continue
        responders = await store.responders(session, agreement)
        answer = await session.get(ReviewAnswer, (review.id, section.responder))
        still_open = review.state == "open" and section.responder in responders
        if waiting_only and (answer is not None or not still_open):
            continue
        if section.responder in responders:
            label = responders[section.responder][0]
        else:
            label = answer.label if answer is not None else ""
        by = (
            await session.get(Person, answer.answered_by) if answer and answer.answered_by else None
        )
        shown.append(
            view.PromptPart(
                agreement=agreement,
                party=label,
                deadline=review.deadline_at.astimezone(zone).date(),
                review_id=review.id,
                chase=section.chase,
                answer=answer.choice if answer is not None else None,
                answered_by=by.first_name if by is not None else None,
                open=still_open,
            )
        )
    if not shown:
        return None
    if len(shown) == 1 and waiting_only:
        part = shown[0]
        return view.review_prompt(
            lang, part.agreement, part.party, part.deadline, part.review_id, part.chase
        )
    return view.review_prompts(lang, shown, item.id)


async def tell_party(
    session: AsyncSession,
    review: Review,
    network: Network,
    key: str,
    people: list[int],
    answerer: int,
    now: dt.datetime,
    *,
    was: str | None = None,
    was_by: int | None = None,
) -> None:
    """Queue the note to the party's other representatives that it answered (or changed its
    answer): two people of one organisation must not overwrite each other unseen."""
    for person_id in people:
        if person_id == answerer:
            continue
        person = await session.get(Person, person_id)
        if person is None or not person.started or not person.reachable:
            continue
        await enqueue(
            session,
            kind=Queued.REVIEW_PARTY_ANSWERED,
            chat_id=person_id,
            person_id=person_id,
            network_id=network.id,
            due_at=now,
            payload={"review_id": review.id, "responder": key, "was": was, "was_by": was_by},
            dedupe_key=f"{_party_prefix(review.id, key, person_id)}{now.isoformat()}",
        )


def _party_prefix(review_id: int, key: str, person_id: int) -> str:
    return f"review:{review_id}:party:{key}:{person_id}:"


async def render_party_answered(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """What the party answered, as it stands when sent; only the newest such note goes (one
    per change would repeat itself), and none about the person's own latest answer."""
    review = await session.get(Review, int(item.payload.get("review_id", 0)))
    key = str(item.payload.get("responder"))
    if review is None or item.person_id is None:
        return None
    newer = await session.scalar(
        select(Outgoing.id)
        .where(Outgoing.kind == Queued.REVIEW_PARTY_ANSWERED, Outgoing.id > item.id)
        .where(
            Outgoing.dedupe_key.startswith(
                _party_prefix(review.id, key, item.person_id), autoescape=True
            )
        )
        .limit(1)
    )
    answer = await session.get(ReviewAnswer, (review.id, key))
    if newer is not None or answer is None or answer.answered_by in (None, item.person_id):
        return None
    agreement = await store.agreement(session, review.agreement_id)
    network = await session.get(Network, agreement.network_id) if agreement else None
    who = await session.get(Person, answer.answered_by)
    if agreement is None or network is None or who is None:
        return None
    person = await session.get(Person, item.person_id)
    text, markup = view.party_answered(
        person_language(person, None, network.language),
        agreement,
        answer.label,
        answer.choice,
        who.first_name,
        yours=str(item.payload["was"]) if item.payload.get("was_by") == item.person_id else None,
        review_id=review.id if review.state == "open" else None,
    )
    return Rendered(text, markup)


async def render_chase(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """Before the deadline: ask again those whose party has not answered."""
    found = await open_review(session, int(item.payload.get("review_id", 0)))
    if found is not None:
        review, agreement, network = found
        await _ask(session, review, agreement, network, item.due_at, chase=True)
    return None


async def close_review(
    session: AsyncSession, review: Review, agreement: Agreement, network: Network, now: dt.datetime
) -> None:
    """Record the outcome, schedule the next review (or stop), queue the group's message and,
    for parties that did not answer, the coordinators' note."""
    answers = await store.answers_of(session, review.id)
    review.outcome = overall([a.choice for a in answers])
    review.state, review.closed_at = "closed", now
    if review.outcome == STOP:
        agreement.state, agreement.next_review_on = "stopped", None
    else:
        agreement.next_review_on = next_review(
            agreement.start_on, agreement.interval_months, review.due_on
        )
        await queue_review(session, agreement, network)
    await enqueue(
        session,
        kind=Queued.REVIEW_OUTCOME,
        chat_id=network.chat_id,
        network_id=network.id,
        due_at=now,
        payload={"review_id": review.id},
        dedupe_key=f"review:{review.id}:outcome",
    )
    responders = await store.responders(session, agreement)
    if any(key not in {a.responder for a in answers} for key in responders):
        for person_id in await queries.coordinator_ids(session, network.id):
            await enqueue(
                session,
                kind=Queued.REVIEW_ESCALATION,
                chat_id=person_id,
                person_id=person_id,
                network_id=network.id,
                due_at=now,
                payload={"review_id": review.id},
                dedupe_key=f"review:{review.id}:escalate:{person_id}",
            )


async def render_close(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The deadline: close the review if it is still open."""
    found = await open_review(session, int(item.payload.get("review_id", 0)))
    if found is not None:
        await close_review(session, *found, item.due_at)
    return None


async def _closed(
    session: AsyncSession, item: Outgoing
) -> tuple[Review, Agreement, Network, list[str]] | None:
    review = await session.get(Review, int(item.payload.get("review_id", 0)))
    if review is None or review.state != "closed":
        return None
    agreement = await store.agreement(session, review.agreement_id)
    network = await session.get(Network, agreement.network_id) if agreement else None
    if agreement is None or network is None:
        return None
    answered = {a.responder for a in await store.answers_of(session, review.id)}
    missing = [
        label
        for key, (label, _) in (await store.responders(session, agreement)).items()
        if key not in answered
    ]
    return review, agreement, network, missing


async def render_outcome(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The outcome for the group (first part; outcomes are short)."""
    found = await _closed(session, item)
    if found is None:
        return None
    review, agreement, network, missing = found
    answers = await store.answers_of(session, review.id)
    return Rendered(view.outcome(network.language, agreement, review, answers, missing)[0])


async def render_escalation(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """A coordinator hears which parties did not answer."""
    found = await _closed(session, item)
    if found is None or not found[3]:
        return None
    _, agreement, network, missing = found
    person = await session.get(Person, item.person_id) if item.person_id else None
    return Rendered(
        view.escalation(person_language(person, None, network.language), agreement, missing)
    )


async def render_recorded(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The group's notice of a newly recorded agreement, as it stands when it is sent."""
    agreement = await store.agreement(session, int(item.payload.get("agreement_id", 0)))
    if agreement is None:
        return None
    network = await session.get(Network, agreement.network_id)
    if network is None:
        return None
    return Rendered(view.recorded(network.language, agreement))


RENDERERS: dict[Queued, Renderer] = {
    Queued.AGREEMENT_RECORDED: render_recorded,
    Queued.REVIEW_DUE: render_due,
    Queued.REVIEW_PROMPT: render_prompt,
    Queued.REVIEW_CHASE: render_chase,
    Queued.REVIEW_CLOSE: render_close,
    Queued.REVIEW_OUTCOME: render_outcome,
    Queued.REVIEW_ESCALATION: render_escalation,
    Queued.REVIEW_PARTY_ANSWERED: render_party_answered,
}
