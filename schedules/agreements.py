"""Agreements over time: the group's notice of a new agreement, and its reviews, due on a
date derived from the start and the interval, asked of every party in private chat, chased
before the deadline, closed with an outcome for the group, and the next review queued. All of it
through the outgoing queue, safe across restarts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.calendar import next_review
from domain.reviews import STOP, overall
from i18n import person_language
from schedules.kinds import Queued
from schedules.outbox import RenderContext, Rendered, Renderer, enqueue
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
            await enqueue(
                session,
                kind=Queued.REVIEW_PROMPT,
                chat_id=person_id,
                person_id=person_id,
                network_id=network.id,
                due_at=at,
                payload={"review_id": review.id, "responder": key, "chase": chase},
                dedupe_key=f"review:{review.id}:prompt:{key}:{person_id}:{stage}",
            )


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
    """The private question to one representative, unless their party has answered."""
    found = await open_review(session, int(item.payload.get("review_id", 0)))
    if found is None or item.person_id is None:
        return None
    review, agreement, network = found
    key = str(item.payload.get("responder"))
    if await session.get(ReviewAnswer, (review.id, key)) is not None:
        return None
    responders = await store.responders(session, agreement)
    if key not in responders:
        return None
    person = await session.get(Person, item.person_id)
    lang = person_language(person, None, network.language)
    deadline = review.deadline_at.astimezone(ZoneInfo(network.timezone)).date()
    text, markup = view.review_prompt(
        lang, agreement, responders[key][0], deadline, review.id, bool(item.payload.get("chase"))
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
}
