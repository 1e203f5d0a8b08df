"""A coordinator sets a score round up: questionnaire, closing moment, anonymity threshold,
audience, then ▶ Start — which opens the round and queues its announcement in one commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from dialogues.engine import Dialogue, Kind, Said, Step, Turn, register
from domain.callbacks import Cb, int_arg
from domain.dates import DateProblem, parse_when
from domain.enums import Level
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.results import MIN_K
from domain.text import toggled
from handlers.base import require_coordinator
from i18n import N_, t
from schedules.kinds import Queued
from schedules.outbox import enqueue
from schedules.rounds import schedule_round
from storage import rounds as store
from storage.models import Network, Round
from storage.rounds import questionnaire_of, round_result
from views import rounds as view

DEFAULT_DAYS = 14
DEADLINE_DAYS = (7, 14)
ALREADY_OPEN = N_("This questionnaire already has an open round in this network.")
PASSED = N_("That closing moment has passed in the meantime; please start again.")


class RoundStep(StrEnum):
    """The set-up questions, in order."""

    QUESTIONNAIRE = "questionnaire"
    DEADLINE = "deadline"
    K = "k"
    AUDIENCE = "audience"
    CONFIRM = "confirm"


@dataclass
class RoundData:
    """The round as set up so far (levels and types empty: everyone)."""

    questionnaire: str = ""
    closes_at: dt.datetime | None = None
    k: int = 0
    levels: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)

    @property
    def audience(self) -> dict[str, list[str]]:
        """Who is invited, as a round stores it."""
        return {"levels": list(self.levels), "types": list(self.types)}


RoundTurn = Turn[RoundStep, RoundData]


def default_deadline(now: dt.datetime, network: Network, days: int) -> dt.datetime:
    """17:00 local time, days from today."""
    zone = ZoneInfo(network.timezone)
    day = now.astimezone(zone).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(17, 0), tzinfo=zone)


async def _coordinates(turn: RoundTurn) -> None:
    await require_coordinator(turn.session, turn.network.id, turn.person.id)


async def _ask_questionnaire(turn: RoundTurn) -> Said:
    questionnaires = await store.questionnaires_for(turn.session, turn.network.id)
    busy = {
        q.key
        for q in questionnaires
        if await store.open_round(turn.session, turn.network.id, q.key)
    }
    return view.choose_questionnaire(turn.lang, turn.network, questionnaires, busy)


async def _questionnaire_pressed(turn: RoundTurn, args: list[str]) -> None:
    key = args[1] if len(args) > 1 else ""
    available = {q.key for q in await store.questionnaires_for(turn.session, turn.network.id)}
    if int_arg(args, 0) != turn.network.id or key not in available:
        raise Refusal(NO_LONGER_ACTIVE)
    turn.data = RoundData(questionnaire=key)
    turn.goto(RoundStep.DEADLINE)


async def _ask_deadline(turn: RoundTurn) -> Said:
    default = default_deadline(turn.now, turn.network, DEFAULT_DAYS)
    return view.ask_deadline(turn.lang, turn.network, default)


async def _deadline_pressed(turn: RoundTurn, args: list[str]) -> None:
    days = int_arg(args, 0)
    if days not in DEADLINE_DAYS:
        raise Refusal(NO_LONGER_ACTIVE)
    turn.data.closes_at = default_deadline(turn.now, turn.network, days)
    turn.goto(RoundStep.K)


async def _deadline_typed(turn: RoundTurn, typed: str) -> None:
    zone = turn.network.timezone
    try:
        parsed = parse_when(typed, turn.now.astimezone(ZoneInfo(zone)))
    except DateProblem as problem:
        await turn.say(view.date_problem(turn.lang, str(problem)))
        return
    turn.data.closes_at = parsed.moment
    closes = t(turn.lang, "Closes: {deadline}", deadline=view.when(turn.lang, parsed.moment, zone))
    turn.goto(RoundStep.K, lead=closes)


async def _ask_k(turn: RoundTurn) -> Said:
    return view.ask_k(turn.lang)


async def _k_pressed(turn: RoundTurn, args: list[str]) -> None:
    k = int_arg(args, 0)
    if k not in view.K_CHOICES:
        raise Refusal(NO_LONGER_ACTIVE)
    turn.data.k, turn.data.levels, turn.data.types = k, [], []
    turn.goto(RoundStep.AUDIENCE)


async def _ask_audience(turn: RoundTurn) -> Said:
    present = await store.organisation_types(turn.session, turn.network.id)
    return view.ask_audience(turn.lang, turn.data.levels, turn.data.types, present)


async def _audience_pressed(turn: RoundTurn, args: list[str]) -> None:
    if args == ["ok"]:
        turn.goto(RoundStep.CONFIRM)
        return
    if len(args) != 2 or args[0] not in ("l", "t"):
        raise Refusal(NO_LONGER_ACTIVE)
    if args[0] == "l":
        if args[1] not in Level._value2member_map_:
            raise Refusal(NO_LONGER_ACTIVE)
        turn.data.levels = toggled(turn.data.levels, args[1])
    else:
        if args[1] not in await store.organisation_types(turn.session, turn.network.id):
            raise Refusal(NO_LONGER_ACTIVE)
        turn.data.types = toggled(turn.data.types, args[1])
    turn.goto(RoundStep.AUDIENCE)


async def _ask_confirm(turn: RoundTurn) -> Said:
    data = turn.data
    if data.closes_at is None:
        raise Refusal(NO_LONGER_ACTIVE)
    return view.confirm_round(
        turn.lang,
        turn.network,
        await questionnaire_of(turn.session, data.questionnaire),
        data.closes_at,
        data.k,
        data.audience,
        await store.plan_for(turn.session, turn.network, data.audience, data.k),
    )


async def _start(turn: RoundTurn, args: list[str]) -> None:
    """▶ Start round: open it, queue its reminders and closing, and its announcement."""
    session, network, data, now = turn.session, turn.network, turn.data, turn.now
    questionnaire = await questionnaire_of(session, data.questionnaire)
    if await store.open_round(session, network.id, questionnaire.key) is not None:
        raise Refusal(ALREADY_OPEN)
    if data.closes_at is None or data.closes_at <= now:
        raise Refusal(PASSED)
    round_ = Round(
        network_id=network.id,
        questionnaire=questionnaire.key,
        k=max(MIN_K, data.k),
        audience=data.audience,
        token=store.new_round_token(),
        state="open",
        opens_at=now,
        closes_at=data.closes_at.astimezone(dt.UTC),
        published=False,
    )
    try:
        async with session.begin_nested():  # another process may have opened it just now
            session.add(round_)
    except IntegrityError:
        raise Refusal(ALREADY_OPEN) from None
    plan = await store.plan_for(session, network, round_.audience, round_.k)
    session.add(store.start_counting(round_, plan))
    # Older rounds that closed with too few answers can no longer be extended: what they kept
    # to count further goes now.
    for earlier in await store.unpublished_rounds(session, network.id):
        await store.forget_counts(session, earlier, await round_result(session, earlier))
    await schedule_round(session, round_, network, now)
    # The announcement is queued with the round it announces: a failed call is retried, and
    # the round can never be open without the group hearing of it.
    await enqueue(
        session,
        kind=Queued.ROUND_ANNOUNCEMENT,
        chat_id=network.chat_id,
        network_id=network.id,
        due_at=now,
        payload={"round_id": round_.id},
        dedupe_key=f"round:{round_.id}:announcement",
    )
    turn.finish()
    await turn.show(view.round_started(turn.lang))
    turn.dispatch_soon()


ROUND_SETUP = register(
    Dialogue(
        kind=Kind.ROUND_SETUP,
        steps=RoundStep,
        data=RoundData,
        table={
            RoundStep.QUESTIONNAIRE: Step(
                _ask_questionnaire, buttons={Cb.ROUND_QUESTIONNAIRE: _questionnaire_pressed}
            ),
            RoundStep.DEADLINE: Step(
                _ask_deadline, text=_deadline_typed, buttons={Cb.ROUND_DEADLINE: _deadline_pressed}
            ),
            RoundStep.K: Step(_ask_k, buttons={Cb.ROUND_K: _k_pressed}),
            RoundStep.AUDIENCE: Step(_ask_audience, buttons={Cb.ROUND_AUDIENCE: _audience_pressed}),
            RoundStep.CONFIRM: Step(_ask_confirm, buttons={Cb.ROUND_GO: _start}),
        },
        restart=N_("Send /round to set up a round."),
        guard=_coordinates,
    )
)
