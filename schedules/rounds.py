"""What a round leads to over time: its schedule (closing, reminders, daily progress), its
publishable result and chart, and the renderers that turn queued rows into messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from telegram import InlineKeyboardMarkup

from domain.questionnaires import Questionnaire, is_relation_map
from domain.results import RoundResult, rings
from i18n import person_language, t
from schedules.kinds import Queued
from schedules.outbox import RenderContext, Rendered, Renderer, enqueue
from storage import rounds as store
from storage.db import after_commit, forget_history
from storage.models import Draft, Network, Outgoing, Person, Round
from views import charts
from views import rounds as view

REMIND_DAYS_BEFORE = (3, 1)


async def schedule_round(
    session: AsyncSession, round_: Round, network: Network, now: dt.datetime
) -> None:
    """Queue the round's closing, the reminders before it and the first daily progress note."""
    stamp = round_.closes_at.strftime("%Y%m%d%H%M%S")
    await enqueue(
        session,
        kind=Queued.ROUND_CLOSE,
        chat_id=network.chat_id,
        network_id=network.id,
        due_at=round_.closes_at,
        payload={"round_id": round_.id},
        dedupe_key=f"round:{round_.id}:close:{stamp}",
    )
    queued: set[dt.datetime] = set()
    for days in REMIND_DAYS_BEFORE:
        due = network.in_office_hours(round_.closes_at - dt.timedelta(days=days))
        # Two stages that office hours move onto one moment (a round closing on Monday: both
        # land on Monday morning) are one reminder.
        if now < due < round_.closes_at and due not in queued:
            queued.add(due)
            await enqueue(
                session,
                kind=Queued.ROUND_REMIND,
                chat_id=network.chat_id,
                network_id=network.id,
                due_at=due,
                payload={"round_id": round_.id, "stage": days},
                dedupe_key=f"round:{round_.id}:remind:{days}:{stamp}",
            )
    await queue_progress(session, round_, network, now)


async def queue_progress(
    session: AsyncSession, round_: Round, network: Network, after: dt.datetime
) -> None:
    zone = ZoneInfo(network.timezone)
    day = after.astimezone(zone).date() + dt.timedelta(days=1)
    due = network.in_office_hours(dt.datetime.combine(day, dt.time(10, 0), tzinfo=zone))
    if due >= round_.closes_at:
        return
    await enqueue(
        session,
        kind=Queued.ROUND_PROGRESS,
        chat_id=network.chat_id,
        network_id=network.id,
        due_at=due,
        payload={"round_id": round_.id},
        dedupe_key=f"round:{round_.id}:progress:{due.astimezone(zone).date().isoformat()}",
    )


@dataclass(frozen=True)
class Results:
    """A closed round's results as a chat shows them: the headline (with the button to all
    results when they are published) and the chart."""

    text: str
    markup: InlineKeyboardMarkup | None
    photo: bytes | None
    caption: str


async def results_parts(
    session: AsyncSession, round_: Round, network: Network, lang: str
) -> Results:
    questionnaire = await store.questionnaire_of(session, round_.questionnaire)
    result = await store.round_result(session, round_)
    if not result.published:
        return Results(view.hidden_results(lang, network, questionnaire, result), None, None, "")
    text, markup = view.results(
        lang, network, round_, questionnaire, result, max(round_.invited, result.respondents)
    )
    photo = await _chart(lang, questionnaire, result)
    caption = view.chart_caption(lang, questionnaire, result)
    return Results(text, markup, photo, caption)


async def details_parts(session: AsyncSession, round_: Round, lang: str) -> list[str]:
    """All results of a published round: every item, the groups, the comments."""
    questionnaire = await store.questionnaire_of(session, round_.questionnaire)
    result = await store.round_result(session, round_)
    if not result.published:
        return []
    return view.results_details(lang, questionnaire, result)


async def queue_details(
    session: AsyncSession,
    round_: Round,
    network: Network,
    lang: str,
    chat_id: int,
    message_id: int,
    now: dt.datetime,
) -> bool:
    """Queue all results under the headline message they were asked from: once per message,
    however often its button is pressed; False if they were queued before."""
    parts = len(await details_parts(session, round_, lang))
    queued = False
    for part in range(parts):
        row = await enqueue(
            session,
            kind=Queued.ROUND_DETAILS,
            chat_id=chat_id,
            network_id=network.id,
            due_at=now,
            payload={"round_id": round_.id, "part": part, "lang": lang},
            dedupe_key=f"round:{round_.id}:details:{chat_id}:{message_id}:{part}",
        )
        queued = queued or row is not None
    return queued


async def _chart(lang: str, questionnaire: Questionnaire, result: RoundResult) -> bytes:
    if is_relation_map(questionnaire.key) and result.means:
        placed = rings(result.means)
        ring_of = {key: ring for ring, keys in placed.items() for key in keys}
        entries = [
            (view.ring_label(lang, questionnaire, key), result.means[key], ring_of[key])
            for key in result.means
        ]
        legend = [t(lang, view.RING_LEGENDS[ring]) for ring in placed]
        title = t(lang, questionnaire.name)
        return await charts.drawn(charts.ring_chart, title, entries, legend, lang=lang)
    labels = [view.label(lang, questionnaire, item) for item in questionnaire.items]
    means = [result.means.get(item.key) for item in questionnaire.items]
    previous = (
        [result.previous_means.get(item.key) for item in questionnaire.items]
        if result.previous_means
        else None
    )
    title = t(lang, questionnaire.name) if questionnaire.builtin else questionnaire.name
    return await charts.drawn(charts.bar_chart, title, labels, means, previous, lang=lang)


# --- renderers of the outgoing queue ----------------------------------------------------------


async def _round_and_network(session: AsyncSession, item: Outgoing) -> tuple[Round, Network] | None:
    round_ = await session.get(Round, int(item.payload.get("round_id", 0)), with_for_update=True)
    if round_ is None:
        return None
    network = await session.get(Network, round_.network_id)
    return (round_, network) if network is not None else None


async def _published(session: AsyncSession, item: Outgoing) -> tuple[Round, Network] | None:
    """The row's round and network, if the round's results are published."""
    found = await _round_and_network(session, item)
    return found if found is not None and found[0].published else None


async def render_announcement(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The group's announcement of a new round, with its answer button, while it is open."""
    found = await _round_and_network(session, item)
    if found is None or found[0].state != "open":
        return None
    round_, network = found
    questionnaire = await store.questionnaire_of(session, round_.questionnaire)
    text, markup = view.announcement(
        network.language, network, round_, questionnaire, render.bot_username
    )
    return Rendered(text, markup)


async def render_close(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """Close the round if it is (still) due, and queue its results for the group."""
    found = await _round_and_network(session, item)
    if found is None:
        return None
    round_, network = found
    if round_.state != "open" or round_.closes_at > item.due_at:
        return None  # closed already, or extended: a later row closes it
    result = await store.round_result(session, round_, compare=False)
    round_.state, round_.closed_at, round_.published = "closed", item.due_at, result.published
    if result.published:
        await store.forget_counts(session, round_, result)
        engine = session.bind
        if isinstance(engine, AsyncEngine):
            after_commit(lambda: forget_history(engine))
    else:
        await store.forget_reminders(session, round_)  # the counts wait for an /extend
    # One headline message (the button under it brings all results), then the chart.
    await enqueue(
        session,
        kind=Queued.ROUND_RESULTS,
        chat_id=network.chat_id,
        network_id=network.id,
        due_at=item.due_at,
        payload={"round_id": round_.id, "part": 0},
        dedupe_key=f"round:{round_.id}:results:0:{round_.closes_at:%Y%m%d%H%M%S}",
    )
    if result.published:
        await enqueue(
            session,
            kind=Queued.ROUND_CHART,
            chat_id=network.chat_id,
            network_id=network.id,
            due_at=item.due_at,
            payload={"round_id": round_.id},
            dedupe_key=f"round:{round_.id}:chart:{round_.closes_at:%Y%m%d%H%M%S}",
        )
    return None


async def render_results(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """One part of a closed round's results message."""
    found = await _round_and_network(session, item)
    if found is None or found[0].state != "closed":
        return None
    round_, network = found
    if int(item.payload.get("part", 0)) != 0:
        return None  # queued before the results became one headline message
    shown = await results_parts(session, round_, network, network.language)
    return Rendered(shown.text, shown.markup)


async def render_details(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """One part of all results, asked for with the button under the headline."""
    found = await _published(session, item)
    if found is None:
        return None
    round_, network = found
    lang = str(item.payload.get("lang") or network.language)
    parts = await details_parts(session, round_, lang)
    part = int(item.payload.get("part", 0))
    return Rendered(parts[part]) if part < len(parts) else None


async def render_chart(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The results chart of a closed round, as a photo."""
    found = await _published(session, item)
    if found is None:
        return None
    round_, network = found
    questionnaire = await store.questionnaire_of(session, round_.questionnaire)
    result = await store.round_result(session, round_)
    photo = await _chart(network.language, questionnaire, result)
    return Rendered(
        view.chart_caption(network.language, questionnaire, result),
        photo=photo,
    )


async def render_remind(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """Fan out: queue a private reminder for every invited partner who has not answered."""
    found = await _round_and_network(session, item)
    if found is None or found[0].state != "open":
        return None
    round_, network = found
    stage = int(item.payload.get("stage", 0))
    if await _later_stage_due(session, round_, item, render.now):
        return None  # after downtime only the newest reminder goes out, not each one missed
    invited = await store.invited_members(session, round_)
    for member in await store.unanswered(session, round_, invited):
        person = member.person
        if not person.started or not person.reachable:
            continue
        await enqueue(
            session,
            kind=Queued.ROUND_REMINDER,
            chat_id=person.id,
            person_id=person.id,
            network_id=network.id,
            due_at=item.due_at,
            payload={"round_id": round_.id},
            dedupe_key=f"round:{round_.id}:reminder:{stage}:{person.id}:{round_.closes_at:%Y%m%d%H%M}",
        )
    return None


async def _later_stage_due(
    session: AsyncSession, round_: Round, item: Outgoing, now: dt.datetime
) -> bool:
    """Whether a later reminder stage of this round is due as well."""
    later = await session.scalar(
        select(Outgoing.id).where(
            Outgoing.kind == "round_remind",
            Outgoing.dedupe_key.startswith(f"round:{round_.id}:remind:", autoescape=True),
            Outgoing.due_at > item.due_at,
            Outgoing.due_at <= now,
            Outgoing.id != item.id,
        )
    )
    return later is not None


async def render_reminder(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The private reminder; nothing if the person answered in the meantime."""
    found = await _round_and_network(session, item)
    if found is None or found[0].state != "open" or item.person_id is None:
        return None
    round_, network = found
    if await store.has_answered(session, round_, item.person_id):
        return None
    person = await session.get(Person, item.person_id)
    if person is None:
        return None
    lang = person_language(person, None, network.language)
    begun = await session.get(Draft, (round_.id, person.id)) is not None
    text, markup = view.reminder(
        lang,
        network,
        round_,
        await store.questionnaire_of(session, round_.questionnaire),
        render.bot_username,
        begun,
    )
    return Rendered(text, markup)


async def render_progress(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The group's daily 'n of m answered', and tomorrow's one queued."""
    found = await _round_and_network(session, item)
    if found is None or found[0].state != "open":
        return None
    round_, network = found
    await queue_progress(session, round_, network, max(item.due_at, render.now))
    if render.now - item.due_at > dt.timedelta(hours=20):
        return None  # long overdue (the bot was down): only the newest count is worth sending
    if render.now >= round_.closes_at:
        return None  # "the round closes at 17:00", said after 17:00: the results come instead
    answered = await store.answered_count(session, round_.id)
    invited = max(len(await store.invited_members(session, round_)), answered)
    text = view.progress(
        network.language,
        network,
        round_,
        await store.questionnaire_of(session, round_.questionnaire),
        answered,
        invited,
    )
    return Rendered(text, view.answer_button(network.language, round_, render.bot_username))


RENDERERS: dict[Queued, Renderer] = {
    Queued.ROUND_ANNOUNCEMENT: render_announcement,
    Queued.ROUND_CLOSE: render_close,
    Queued.ROUND_RESULTS: render_results,
    Queued.ROUND_CHART: render_chart,
    Queued.ROUND_DETAILS: render_details,
    Queued.ROUND_REMIND: render_remind,
    Queued.ROUND_REMINDER: render_reminder,
    Queued.ROUND_PROGRESS: render_progress,
}
