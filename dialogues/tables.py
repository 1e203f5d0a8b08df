"""Representative tables, in private chat with a coordinator: a new table (name, how often it
meets, its seats, whether seats rotate, save) and a table's seats chosen anew (also in place
of a rotation's proposal)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dialogues.engine import Dialogue, Kind, Said, Step, Turn, register
from domain.calendar import add_months
from domain.callbacks import Cb, int_arg
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.tables import MAX_SEATS, MEETINGS, NAME_LIMIT, ROTATION_MONTHS, SHARES
from domain.text import NameProblem, clean_name, esc
from handlers.base import require_coordinator
from i18n import N_
from schedules.tables import announce, finish_rotation, queue_rotation
from storage import tables as store
from storage.models import RepTable
from views import tables as view
from views.workgroups import text_problem

TOO_MANY_SEATS = N_("A table has at most {most} seats: it works best when it stays small.")
NO_SEATS = N_("Choose at least one organisation first.")
TAKEN_NAME = N_("There is a table called {name} already.")
RESTART = N_("Start again with /table.")


async def _coordinates(turn: Turn[Any, Any]) -> None:
    await require_coordinator(turn.session, turn.network.id, turn.person.id)


async def _toggle(turn: Turn[Any, Any], chosen: list[int], args: list[str]) -> bool:
    """A seat switched on or off; True when the person pressed the step's 'done' button."""
    if args == ["ok"]:
        if not chosen:
            raise Refusal(NO_SEATS)
        return True
    organisation_id = int_arg(args, 0)
    allowed = {o.id for o in await store.represented(turn.session, turn.network.id)}
    if organisation_id not in allowed:
        raise Refusal(NO_LONGER_ACTIVE)
    if organisation_id in chosen:
        chosen.remove(organisation_id)
    elif len(chosen) >= MAX_SEATS:
        raise Refusal(TOO_MANY_SEATS, most=MAX_SEATS)
    else:
        chosen.append(organisation_id)
    return False


async def _names(turn: Turn[Any, Any], ids: list[int]) -> list[str]:
    names = {o.id: o.name for o in await store.represented(turn.session, turn.network.id)}
    return view.organisation_names(ids, names)


# --- a new table --------------------------------------------------------------------------------


class NewTableStep(StrEnum):
    """The questions for a new table, in order."""

    NAME = "name"
    MEETS = "meets"
    SEATS = "seats"
    SHARE = "share"
    CONFIRM = "confirm"


@dataclass
class NewTableData:
    """The table so far."""

    name: str = ""
    meets: str = ""
    seats: list[int] = field(default_factory=list)
    share: int = 0


NewTableTurn = Turn[NewTableStep, NewTableData]


async def _ask_name(turn: NewTableTurn) -> Said:
    return view.ask_name(turn.lang, turn.network), None


async def _name_typed(turn: NewTableTurn, typed: str) -> None:
    try:
        name = clean_name(typed, NAME_LIMIT)
    except NameProblem:
        await turn.say(text_problem(turn.lang, NAME_LIMIT))
        return
    existing = await store.table_named(turn.session, turn.network.id, name)
    if existing is not None and existing.name.casefold() == name.casefold():
        raise Refusal(TAKEN_NAME, name=esc(name))
    turn.data = NewTableData(name=name)
    turn.goto(NewTableStep.MEETS)


async def _ask_meets(turn: NewTableTurn) -> Said:
    return view.ask_meets(turn.lang)


async def _meets_pressed(turn: NewTableTurn, args: list[str]) -> None:
    if not args or args[0] not in MEETINGS:
        raise Refusal(NO_LONGER_ACTIVE)
    turn.data.meets = args[0]
    turn.goto(NewTableStep.SEATS)


async def _ask_seats(turn: NewTableTurn) -> Said:
    organisations = await store.represented(turn.session, turn.network.id)
    return view.ask_seats(turn.lang, organisations, turn.data.seats, save=False)


async def _seat_pressed(turn: NewTableTurn, args: list[str]) -> None:
    done = await _toggle(turn, turn.data.seats, args)
    turn.goto(NewTableStep.SHARE if done else NewTableStep.SEATS)


async def _ask_share(turn: NewTableTurn) -> Said:
    return view.ask_share(turn.lang)


async def _share_pressed(turn: NewTableTurn, args: list[str]) -> None:
    share = int_arg(args, 0, limit=10)
    if share not in SHARES:
        raise Refusal(NO_LONGER_ACTIVE)
    turn.data.share = share
    turn.goto(NewTableStep.CONFIRM)


async def _ask_confirm(turn: NewTableTurn) -> Said:
    names = await _names(turn, turn.data.seats)
    return view.confirm(turn.lang, turn.data.name, turn.data.meets, names, turn.data.share)


async def _save_pressed(turn: NewTableTurn, args: list[str]) -> None:
    data, network = turn.data, turn.network
    today = network.today(turn.now)
    existing = await store.table_named(turn.session, network.id, data.name)
    if existing is not None and existing.name.casefold() == data.name.casefold():
        raise Refusal(TAKEN_NAME, name=esc(data.name))
    item = RepTable(
        network_id=network.id,
        name=data.name,
        meets=data.meets,
        rotate_share=data.share,
        next_rotation_on=add_months(today, ROTATION_MONTHS) if data.share else None,
        seats=[],
    )
    turn.session.add(item)
    store.set_seats(item, data.seats, today)
    await turn.session.flush()
    await queue_rotation(turn.session, item, network)
    await announce(turn.session, item, network, turn.now, new=True)
    fresh = await store.table(turn.session, item.id)
    assert fresh is not None
    turn.finish()
    turn.dispatch_soon()
    await turn.show(view.saved(turn.lang, fresh))


TABLE_NEW = register(
    Dialogue(
        kind=Kind.TABLE_NEW,
        steps=NewTableStep,
        data=NewTableData,
        table={
            NewTableStep.NAME: Step(_ask_name, text=_name_typed),
            NewTableStep.MEETS: Step(_ask_meets, buttons={Cb.TABLE_MEETS: _meets_pressed}),
            NewTableStep.SEATS: Step(_ask_seats, buttons={Cb.TABLE_SEAT: _seat_pressed}),
            NewTableStep.SHARE: Step(_ask_share, buttons={Cb.TABLE_SHARE: _share_pressed}),
            NewTableStep.CONFIRM: Step(_ask_confirm, buttons={Cb.TABLE_SAVE: _save_pressed}),
        },
        restart=RESTART,
        guard=_coordinates,
    )
)


# --- a table's seats, chosen anew ---------------------------------------------------------------


class SeatsStep(StrEnum):
    """The one step: the seats."""

    SEATS = "seats"


@dataclass
class SeatsData:
    """Which table, the seats chosen so far, and the rotation this settles (if any)."""

    table_id: int
    seats: list[int] = field(default_factory=list)
    rotation_id: int | None = None


SeatsTurn = Turn[SeatsStep, SeatsData]


async def _table(turn: SeatsTurn) -> RepTable:
    item = await store.table(turn.session, turn.data.table_id)
    if item is None or item.network_id != turn.network.id:
        raise Refusal(NO_LONGER_ACTIVE)
    return item


async def _seats_guard(turn: SeatsTurn) -> None:
    await _coordinates(turn)
    await _table(turn)


async def _ask_new_seats(turn: SeatsTurn) -> Said:
    item = await _table(turn)
    organisations = await store.represented(turn.session, turn.network.id)
    text, markup = view.ask_seats(
        turn.lang, organisations, turn.data.seats, save=True, cb=Cb.TABLE_SEAT_EDIT
    )
    return f"🪑 <b>{esc(item.name)}</b>\n{text}", markup


async def _new_seat_pressed(turn: SeatsTurn, args: list[str]) -> None:
    if not await _toggle(turn, turn.data.seats, args):
        turn.goto(SeatsStep.SEATS)
        return
    item, network = await _table(turn), turn.network
    rotation = None
    if turn.data.rotation_id is not None:
        rotation = await store.rotation(turn.session, turn.data.rotation_id)
        if rotation is None or rotation.table_id != item.id or rotation.state != "proposed":
            raise Refusal(NO_LONGER_ACTIVE)
    if rotation is not None:
        await finish_rotation(
            turn.session, rotation, item, network, turn.data.seats, turn.person.id, turn.now
        )
    else:
        joined, left = store.set_seats(item, turn.data.seats, network.today(turn.now))
        await turn.session.flush()
        if joined or left:
            await announce(turn.session, item, network, turn.now, joined=joined, left=left)
    fresh = await store.table(turn.session, item.id)
    assert fresh is not None
    turn.finish()
    turn.dispatch_soon()
    await turn.show(view.saved(turn.lang, fresh))


TABLE_SEATS = register(
    Dialogue(
        kind=Kind.TABLE_SEATS,
        steps=SeatsStep,
        data=SeatsData,
        table={
            SeatsStep.SEATS: Step(_ask_new_seats, buttons={Cb.TABLE_SEAT_EDIT: _new_seat_pressed})
        },
        restart=RESTART,
        guard=_seats_guard,
    )
)


def seats_now(item: RepTable) -> list[int]:
    """The organisations holding a seat now."""
    return [s.organisation_id for s in store.current(item)]


def proposed_seats(item: RepTable, leaving: list[int], joining: list[int]) -> list[int]:
    """The seats as a rotation's proposal would make them."""
    return [o for o in seats_now(item) if o not in leaving] + list(joining)
