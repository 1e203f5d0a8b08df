"""Actions of a working group, in private chat: a new one (what, who, when, save) and a change
to one (a date, a progress note, who is responsible, its text) from its card or a reminder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from dialogues.engine import Dialogue, Kind, Said, Step, Turn, register
from domain.callbacks import Cb
from domain.dates import DateProblem, parse_when
from domain.errors import NO_LONGER_ACTIVE, Refusal
from handlers.base import is_coordinator
from i18n import N_, t
from schedules.actions import reschedule_action
from storage import workgroups as store
from storage.models import Action, ActionNote, Network, WorkingGroup
from views import rounds as round_view
from views import workgroups as view

ONLY_TREKKER = N_("Only the working group's trekker or a coordinator can change its actions.")


async def may_act(session: AsyncSession, group: WorkingGroup, person_id: int) -> None:
    """Refuse unless person leads this working group or coordinates its network."""
    if not (
        store.is_trekker(group, person_id)
        or await is_coordinator(session, group.network_id, person_id)
    ):
        raise Refusal(ONLY_TREKKER)


def fits(typed: str, limit: int) -> str | None:
    """typed with its spacing tidied, if it is not empty and at most limit long; else None."""
    tidy = " ".join(typed.split())
    return tidy if 0 < len(tidy) <= limit else None


def due_date(typed: str, now: dt.datetime, timezone: str) -> dt.date:
    """The day a typed due date means ("vrijdag", "15-1", "over 2 weken"), today or later;
    DateProblem when it means nothing or lies in the past."""
    local = now.astimezone(ZoneInfo(timezone))
    parsed = parse_when(typed, local.replace(hour=0, minute=0, second=0, microsecond=0))
    if parsed.moment.date() < local.date():
        raise DateProblem("past")
    return parsed.moment.date()


async def _typed_due(turn: Turn[Any, Any], typed: str) -> dt.date | None:
    try:
        return due_date(typed, turn.now, turn.network.timezone)
    except DateProblem as problem:
        await turn.say(round_view.date_problem(turn.lang, str(problem)))
        return None


# --- a new action ------------------------------------------------------------------------------


class NewActionStep(StrEnum):
    """The questions for a new action, in order."""

    TITLE = "title"
    OWNER = "owner"
    DUE = "due"
    CONFIRM = "confirm"


@dataclass
class NewActionData:
    """What the trekker said so far."""

    group_id: int
    title: str = ""
    owner_me: bool = False
    owner_text: str | None = None
    due: dt.date | None = None


NewTurn = Turn[NewActionStep, NewActionData]


async def _group(turn: NewTurn) -> WorkingGroup:
    group = await store.group(turn.session, turn.data.group_id)
    if group is None or group.network_id != turn.network.id:
        raise Refusal(NO_LONGER_ACTIVE)
    return group


async def _may_add(turn: NewTurn) -> None:
    await may_act(turn.session, await _group(turn), turn.person.id)


async def _ask_title(turn: NewTurn) -> Said:
    return view.ask_title(turn.lang, await _group(turn)), None


async def _title_typed(turn: NewTurn, typed: str) -> None:
    title = await _fitting(turn, typed, view.TITLE_LIMIT)
    if title is None:
        return
    turn.data.title = title
    turn.goto(NewActionStep.OWNER)


async def _ask_owner(turn: NewTurn) -> Said:
    return view.ask_owner(turn.lang)


async def _owner_typed(turn: NewTurn, typed: str) -> None:
    owner = await _fitting(turn, typed, view.OWNER_LIMIT)
    if owner is None:
        return
    turn.data.owner_text, turn.data.owner_me = owner, False
    turn.goto(NewActionStep.DUE)


async def _owner_me(turn: NewTurn, args: list[str]) -> None:
    turn.data.owner_text, turn.data.owner_me = None, True
    turn.goto(NewActionStep.DUE)


async def _ask_due(turn: Turn[Any, Any]) -> Said:
    return view.ask_due(turn.lang), None


async def _due_typed(turn: NewTurn, typed: str) -> None:
    due = await _typed_due(turn, typed)
    if due is not None:
        turn.data.due = due
        turn.goto(NewActionStep.CONFIRM)


async def _ask_confirm(turn: NewTurn) -> Said:
    data = turn.data
    if data.due is None or not data.title:
        raise Refusal(NO_LONGER_ACTIVE)
    owner = turn.person.first_name if data.owner_me else (data.owner_text or "—")
    return view.confirm_action(turn.lang, await _group(turn), data.title, owner, data.due)


async def _save(turn: NewTurn, args: list[str]) -> None:
    """✅ Save: the action is created and its reminders queued."""
    data = turn.data
    if not data.title or data.due is None or not (data.owner_me or data.owner_text):
        raise Refusal(NO_LONGER_ACTIVE)
    group = await _group(turn)
    action = Action(
        working_group_id=group.id,
        title=data.title,
        owner_person_id=turn.person.id if data.owner_me else None,
        owner_text=None if data.owner_me else data.owner_text,
        due_on=data.due,
        state="open",
    )
    turn.session.add(action)
    await turn.session.flush()
    await reschedule_action(turn.session, action, turn.network, turn.now)
    turn.finish()
    await turn.session.refresh(action, ["owner"])
    await turn.show(view.saved(turn.lang, action, group, turn.person.id))


async def _other_date(turn: NewTurn, args: list[str]) -> None:
    turn.goto(NewActionStep.DUE)


NEW_ACTION = register(
    Dialogue(
        kind=Kind.NEW_ACTION,
        steps=NewActionStep,
        data=NewActionData,
        table={
            NewActionStep.TITLE: Step(_ask_title, text=_title_typed),
            NewActionStep.OWNER: Step(
                _ask_owner, text=_owner_typed, buttons={Cb.WG_OWNER_ME: _owner_me}
            ),
            NewActionStep.DUE: Step(_ask_due, text=_due_typed),
            NewActionStep.CONFIRM: Step(
                _ask_confirm, buttons={Cb.WG_SAVE: _save, Cb.WG_OTHER_DATE: _other_date}
            ),
        },
        restart=N_("Send /action to add an action."),
        guard=_may_add,
    )
)


# --- changing an action ------------------------------------------------------------------------


class EditStep(StrEnum):
    """What is being changed; the card's button picks the step the dialogue starts at."""

    DATE = "date"
    NOTE = "note"
    OWNER = "owner"
    TEXT = "text"


@dataclass
class EditData:
    """The action being changed."""

    action_id: int


EditTurn = Turn[EditStep, EditData]


async def open_action(
    session: AsyncSession, action_id: int, person_id: int
) -> tuple[Action, Network]:
    """An action this person may change, with its network; a refusal otherwise."""
    action = await store.action(session, action_id)
    if action is None:
        raise Refusal(NO_LONGER_ACTIVE)
    await may_act(session, action.working_group, person_id)
    network = await session.get(Network, action.working_group.network_id)
    assert network is not None
    return action, network


async def _action(turn: EditTurn) -> Action:
    action, network = await open_action(turn.session, turn.data.action_id, turn.person.id)
    if action.state != "open" or network.id != turn.network.id:
        raise Refusal(NO_LONGER_ACTIVE)
    return action


async def _may_edit(turn: EditTurn) -> None:
    await _action(turn)


async def _ask_note(turn: EditTurn) -> Said:
    text = t(
        turn.lang, "Type your progress note (at most {limit} characters).", limit=view.NOTE_LIMIT
    )
    return text, None


async def _ask_owner_now(turn: EditTurn) -> Said:
    return t(turn.lang, "Type who is responsible now: a name or an organisation."), None


async def _ask_text(turn: EditTurn) -> Said:
    return t(turn.lang, "Type the new text of the action."), None


async def _changed(turn: EditTurn, change: Callable[[Action], None]) -> None:
    """Apply a change to the action, reschedule its reminders and show its card as it is now."""
    action = await _action(turn)
    change(action)
    await reschedule_action(turn.session, action, turn.network, turn.now)
    await turn.session.flush()
    turn.finish()
    await show_card(turn, await _action(turn))


async def _date_typed(turn: EditTurn, typed: str) -> None:
    due = await _typed_due(turn, typed)
    if due is not None:
        await _changed(turn, lambda action: setattr(action, "due_on", due))


async def _note_typed(turn: EditTurn, typed: str) -> None:
    note = await _fitting(turn, typed, view.NOTE_LIMIT)
    if note is not None:
        author = turn.person.id
        await _changed(
            turn,
            lambda action: turn.session.add(
                ActionNote(action_id=action.id, author_id=author, text=note)
            ),
        )


async def _owner_now_typed(turn: EditTurn, typed: str) -> None:
    owner = await _fitting(turn, typed, view.OWNER_LIMIT)
    if owner is not None:

        def to_owner(action: Action) -> None:
            action.owner_person_id, action.owner_text = None, owner

        await _changed(turn, to_owner)


async def _text_typed(turn: EditTurn, typed: str) -> None:
    title = await _fitting(turn, typed, view.TITLE_LIMIT)
    if title is not None:
        await _changed(turn, lambda action: setattr(action, "title", title))


async def _fitting(turn: Turn[Any, Any], typed: str, limit: int) -> str | None:
    value = fits(typed, limit)
    if value is None:
        await turn.say(view.text_problem(turn.lang, limit))
    return value


async def show_card(turn: Turn[Any, Any], action: Action) -> None:
    """The action's card with its buttons, as it stands now."""
    notes = await store.notes(turn.session, action.id)
    today = turn.network.today(turn.now)
    text, markup = view.action_card(turn.lang, action, action.working_group, notes, today)
    await turn.show(text, markup)


EDIT_ACTION = register(
    Dialogue(
        kind=Kind.EDIT_ACTION,
        steps=EditStep,
        data=EditData,
        table={
            EditStep.DATE: Step(_ask_due, text=_date_typed),
            EditStep.NOTE: Step(_ask_note, text=_note_typed),
            EditStep.OWNER: Step(_ask_owner_now, text=_owner_now_typed),
            EditStep.TEXT: Step(_ask_text, text=_text_typed),
        },
        restart=N_("Open the action again from /actions."),
        guard=_may_edit,
    )
)
