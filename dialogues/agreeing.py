"""Recording a comfort agreement (title, text, parties, review interval, start, who answers the
reviews, save) and writing a new text for one or for the network's ground rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dialogues.engine import Dialogue, Kind, Said, Step, Turn, register
from domain.calendar import next_review
from domain.callbacks import USER_ID_LIMIT, Cb, int_arg
from domain.dates import DateProblem, in_range, parse_when
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.text import NameProblem, clean_name, toggled
from handlers.base import require_coordinator
from i18n import N_
from schedules.agreements import queue_review
from schedules.kinds import Queued
from schedules.outbox import enqueue
from storage import agreements as store
from storage import queries
from storage.models import Agreement, AgreementParty, AgreementResponder, AgreementVersion, Member
from views import agreements as view
from views import rounds as round_view
from views.workgroups import text_problem

RULES_INTERVAL_MONTHS = 6


class AgreementStep(StrEnum):
    """The questions for a new agreement, in order."""

    TITLE = "title"
    TEXT = "text"
    PARTIES = "parties"
    INTERVAL = "interval"
    START = "start"
    WHO = "who"
    CONFIRM = "confirm"


@dataclass
class AgreementData:
    """The agreement as recorded so far; no people chosen means every party's representatives
    answer its reviews."""

    title: str = ""
    text: str = ""
    parties: list[int] = field(default_factory=list)
    months: int = 0
    start: dt.date | None = None
    people: list[int] = field(default_factory=list)


AgreementTurn = Turn[AgreementStep, AgreementData]


def typed_start(typed: str, now: dt.datetime, timezone: str) -> dt.date:
    """An agreement's start: an ISO date (also in the past), or a date in plain words from
    today on; DateProblem when it is neither."""
    local = now.astimezone(ZoneInfo(timezone))
    try:
        day = dt.date.fromisoformat(typed.strip())
    except ValueError:
        return parse_when(typed, local - dt.timedelta(days=1)).moment.date()
    return in_range(day, local.date())


def first_review(start: dt.date, months: int, today: dt.date) -> dt.date:
    """When an agreement starting on start is first reviewed, seen from today."""
    return next_review(start, months, max(start, today) - dt.timedelta(days=1))


def _today(turn: Turn[Any, Any]) -> dt.date:
    return turn.network.today(turn.now)


async def _coordinates(turn: Turn[Any, Any]) -> None:
    await require_coordinator(turn.session, turn.network.id, turn.person.id)


async def _party_people(turn: AgreementTurn) -> list[tuple[int, str]]:
    """The current representatives of the chosen parties, by first name."""
    members = await turn.session.scalars(
        select(Member)
        .where(
            Member.network_id == turn.network.id,
            Member.organisation_id.in_(turn.data.parties),
            Member.left_at.is_(None),
        )
        .options(selectinload(Member.person))
    )
    return sorted(((m.person_id, m.person.first_name) for m in members), key=lambda p: p[1])


async def _ask_title(turn: AgreementTurn) -> Said:
    return view.ask_title(turn.lang, turn.network), None


async def _title_typed(turn: AgreementTurn, typed: str) -> None:
    try:
        turn.data = AgreementData(title=clean_name(typed, view.TITLE_LIMIT))
    except NameProblem:
        await turn.say(text_problem(turn.lang, view.TITLE_LIMIT))
        return
    turn.goto(AgreementStep.TEXT)


async def _ask_text(turn: Turn[Any, Any]) -> Said:
    return view.ask_text(turn.lang), None


def _fitting_text(typed: str) -> str | None:
    text = typed.strip()
    return text if 0 < len(text) <= view.TEXT_LIMIT else None


async def _text_typed(turn: AgreementTurn, typed: str) -> None:
    text = _fitting_text(typed)
    if text is None:
        await turn.say(text_problem(turn.lang, view.TEXT_LIMIT))
        return
    turn.data.text, turn.data.parties = text, []
    turn.goto(AgreementStep.PARTIES)


async def _ask_parties(turn: AgreementTurn) -> Said:
    organisations = await queries.organisations_of(turn.session, turn.network.id)
    return view.ask_parties(turn.lang, organisations, turn.data.parties)


async def _party_pressed(turn: AgreementTurn, args: list[str]) -> None:
    if args == ["ok"] and turn.data.parties:
        turn.goto(AgreementStep.INTERVAL)
        return
    org_id = int_arg(args, 0)
    organisations = await queries.organisations_of(turn.session, turn.network.id)
    if org_id not in {o.id for o in organisations}:
        raise Refusal(NO_LONGER_ACTIVE)
    turn.data.parties = toggled(turn.data.parties, org_id)
    turn.goto(AgreementStep.PARTIES)


async def _ask_interval(turn: AgreementTurn) -> Said:
    return view.ask_interval(turn.lang)


async def _interval_pressed(turn: AgreementTurn, args: list[str]) -> None:
    months = int_arg(args, 0)
    if months not in view.INTERVALS:
        raise Refusal(NO_LONGER_ACTIVE)
    turn.data.months = months
    turn.goto(AgreementStep.START)


async def _ask_start(turn: AgreementTurn) -> Said:
    return view.ask_start(turn.lang)


async def _start_today(turn: AgreementTurn, args: list[str]) -> None:
    turn.data.start, turn.data.people = _today(turn), []
    turn.goto(AgreementStep.WHO)


async def _start_typed(turn: AgreementTurn, typed: str) -> None:
    try:
        start = typed_start(typed, turn.now, turn.network.timezone)
    except DateProblem as problem:
        await turn.say(round_view.date_problem(turn.lang, str(problem)))
        return
    turn.data.start, turn.data.people = start, []
    turn.goto(AgreementStep.WHO)


async def _ask_who(turn: AgreementTurn) -> Said:
    return view.ask_who(turn.lang, await _party_people(turn), turn.data.people)


async def _who_pressed(turn: AgreementTurn, args: list[str]) -> None:
    if args and args[0] in ("all", "ok"):
        if args[0] == "all":
            turn.data.people = []
        turn.goto(AgreementStep.CONFIRM)
        return
    person_id = int_arg(args, 1, limit=USER_ID_LIMIT)
    if person_id not in {p for p, _ in await _party_people(turn)}:
        raise Refusal(NO_LONGER_ACTIVE)
    turn.data.people = toggled(turn.data.people, person_id)
    turn.goto(AgreementStep.WHO)


async def _ask_confirm(turn: AgreementTurn) -> Said:
    data = turn.data
    if data.start is None:
        raise Refusal(NO_LONGER_ACTIVE)
    organisations = await queries.organisations_of(turn.session, turn.network.id)
    names = [o.name for o in organisations if o.id in data.parties]
    first = first_review(data.start, data.months, _today(turn))
    return view.confirm(turn.lang, data.title, data.text, names, data.months, data.start, first)


async def _save(turn: AgreementTurn, args: list[str]) -> None:
    """✅ Save: the agreement, its first review, and the group's notice, in one commit."""
    data, session, network = turn.data, turn.session, turn.network
    if data.start is None or not data.parties or data.months not in view.INTERVALS:
        raise Refusal(NO_LONGER_ACTIVE)
    item = Agreement(
        network_id=network.id,
        kind="agreement",
        title=data.title,
        start_on=data.start,
        interval_months=data.months,
        next_review_on=first_review(data.start, data.months, _today(turn)),
        state="active",
    )
    item.versions = [AgreementVersion(number=1, text=data.text)]
    item.parties = [AgreementParty(organisation_id=org_id) for org_id in data.parties]
    item.responders = [AgreementResponder(person_id=pid) for pid in data.people]
    session.add(item)
    await session.flush()
    await queue_review(session, item, network)
    # The group's notice is queued with the agreement it announces: a failed call is retried
    # and can never undo the save.
    await enqueue(
        session,
        kind=Queued.AGREEMENT_RECORDED,
        chat_id=network.chat_id,
        network_id=network.id,
        due_at=turn.now,
        payload={"agreement_id": item.id},
        dedupe_key=f"agreement:{item.id}:recorded",
    )
    saved = await store.agreement(session, item.id)
    assert saved is not None
    turn.finish()
    await turn.show(view.recorded(turn.lang, saved))
    turn.dispatch_soon()


NEW_AGREEMENT = register(
    Dialogue(
        kind=Kind.NEW_AGREEMENT,
        steps=AgreementStep,
        data=AgreementData,
        table={
            AgreementStep.TITLE: Step(_ask_title, text=_title_typed),
            AgreementStep.TEXT: Step(_ask_text, text=_text_typed),
            AgreementStep.PARTIES: Step(_ask_parties, buttons={Cb.AGREEMENT_PARTY: _party_pressed}),
            AgreementStep.INTERVAL: Step(
                _ask_interval, buttons={Cb.AGREEMENT_INTERVAL: _interval_pressed}
            ),
            AgreementStep.START: Step(
                _ask_start, text=_start_typed, buttons={Cb.AGREEMENT_START: _start_today}
            ),
            AgreementStep.WHO: Step(_ask_who, buttons={Cb.AGREEMENT_WHO: _who_pressed}),
            AgreementStep.CONFIRM: Step(_ask_confirm, buttons={Cb.AGREEMENT_SAVE: _save}),
        },
        restart=N_("Send /agreement to record an agreement."),
        guard=_coordinates,
    )
)


# --- a new text: for an agreement (after "adjust"), or the ground rules ------------------------


class NewTextStep(StrEnum):
    """The one step: waiting for the text."""

    TEXT = "text"


@dataclass
class NewTextData:
    """Whose text this is: an agreement's, or (rules) the network's ground rules."""

    agreement_id: int | None = None
    rules: bool = False


NewTextTurn = Turn[NewTextStep, NewTextData]


async def _new_text_typed(turn: NewTextTurn, typed: str) -> None:
    text = _fitting_text(typed)
    if text is None:
        await turn.say(text_problem(turn.lang, view.TEXT_LIMIT))
        return
    session, network = turn.session, turn.network
    if turn.data.rules:
        item = await store.rules_of(session, network.id)
        if item is None:
            today = _today(turn)
            item = Agreement(
                network_id=network.id,
                kind="rules",
                title="spelregels",
                start_on=today,
                interval_months=RULES_INTERVAL_MONTHS,
                next_review_on=next_review(today, RULES_INTERVAL_MONTHS, today),
                state="active",
            )
            item.versions = [AgreementVersion(number=1, text=text)]
            session.add(item)
            await session.flush()
            await queue_review(session, item, network)
        else:
            session.add(
                AgreementVersion(agreement_id=item.id, number=len(item.versions) + 1, text=text)
            )
    else:
        found = await store.agreement(session, turn.data.agreement_id or 0)
        if found is None or found.network_id != network.id:
            raise Refusal(NO_LONGER_ACTIVE)
        item = found
        session.add(
            AgreementVersion(agreement_id=item.id, number=len(item.versions) + 1, text=text)
        )
    await session.flush()
    fresh = await store.agreement(session, item.id)
    assert fresh is not None
    turn.finish()
    await turn.show(
        view.rules(turn.lang, network, fresh)
        if fresh.kind == "rules"
        else view.history(turn.lang, fresh, [])[0]
    )


NEW_TEXT = register(
    Dialogue(
        kind=Kind.NEW_TEXT,
        steps=NewTextStep,
        data=NewTextData,
        table={NewTextStep.TEXT: Step(_ask_text, text=_new_text_typed)},
        restart=N_("Start again with /setrules, or the ✏️ button under the agreement."),
        guard=_coordinates,
    )
)
