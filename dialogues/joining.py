"""Joining a network (and changing one's details later): organisation, kind, level, confirm."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dialogues.engine import Dialogue, Kind, Said, Step, Turn, register
from domain.callbacks import Cb, int_arg
from domain.enums import Level, OrgType
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.text import NameProblem, clean_name
from i18n import N_
from storage import queries
from storage.models import Organisation
from views import people as view


class JoinStep(StrEnum):
    """The join questions, in order (a known organisation skips its kind)."""

    ORGANISATION = "organisation"
    TYPE = "type"
    LEVEL = "level"
    CONFIRM = "confirm"


@dataclass
class JoinData:
    """The answers so far: a known organisation, or the name and kind of a new one."""

    organisation_id: int | None = None
    new_organisation: str | None = None
    type: OrgType | None = None
    level: Level | None = None


JoinTurn = Turn[JoinStep, JoinData]


async def chosen_organisation(turn: JoinTurn) -> tuple[str, OrgType]:
    """The name and kind of the organisation this person chose or typed."""
    data = turn.data
    if data.organisation_id is not None:
        organisation = await turn.session.get(Organisation, data.organisation_id)
        if organisation is None or organisation.network_id != turn.network.id:
            raise Refusal(NO_LONGER_ACTIVE)
        return organisation.name, OrgType(organisation.type)
    if data.new_organisation is None or data.type is None:
        raise Refusal(NO_LONGER_ACTIVE)
    return data.new_organisation, data.type


async def _ask_organisation(turn: JoinTurn) -> Said:
    organisations = await queries.organisations_of(turn.session, turn.network.id)
    text, markup = view.ask_organisation(turn.lang, turn.network, organisations)
    return text, markup


async def _organisation_typed(turn: JoinTurn, typed: str) -> None:
    try:
        name = clean_name(typed)
    except NameProblem as problem:
        await turn.say(view.name_problem(turn.lang, str(problem)))
        return
    known = await queries.organisation_named(turn.session, turn.network.id, name)
    if known is not None:
        turn.data = JoinData(organisation_id=known.id)
        turn.goto(JoinStep.LEVEL)
    else:
        turn.data = JoinData(new_organisation=name)
        turn.goto(JoinStep.TYPE)


async def _organisation_pressed(turn: JoinTurn, args: list[str]) -> None:
    organisation = await turn.session.get(Organisation, int_arg(args, 0))
    if organisation is None or organisation.network_id != turn.network.id:
        raise Refusal(NO_LONGER_ACTIVE)
    turn.data = JoinData(organisation_id=organisation.id)
    turn.goto(JoinStep.LEVEL)


async def _ask_type(turn: JoinTurn) -> Said:
    return view.ask_type(turn.lang, turn.data.new_organisation or "")


async def _type_pressed(turn: JoinTurn, args: list[str]) -> None:
    if not args or args[0] not in OrgType._value2member_map_:
        raise Refusal(NO_LONGER_ACTIVE)
    turn.data.type = OrgType(args[0])
    turn.goto(JoinStep.LEVEL)


async def _ask_level(turn: JoinTurn) -> Said:
    return view.ask_level(turn.lang)


async def _level_pressed(turn: JoinTurn, args: list[str]) -> None:
    if not args or args[0] not in Level._value2member_map_:
        raise Refusal(NO_LONGER_ACTIVE)
    turn.data.level = Level(args[0])
    turn.goto(JoinStep.CONFIRM)


async def _ask_confirm(turn: JoinTurn) -> Said:
    name, org_type = await chosen_organisation(turn)
    assert turn.data.level is not None
    return view.confirm_join(turn.lang, turn.network, name, org_type, turn.data.level)


async def _confirmed(turn: JoinTurn, args: list[str]) -> None:
    """✅ Confirm: become a partner of the network with these details."""
    name, org_type = await chosen_organisation(turn)
    if turn.data.level is None:
        raise Refusal(NO_LONGER_ACTIVE)
    organisation = await queries.add_organisation(turn.session, turn.network.id, name, org_type)
    member = await queries.ensure_member(turn.session, turn.network, turn.person)
    member.organisation_id = organisation.id
    member.level = turn.data.level.value
    member.joined_at = member.joined_at or turn.now
    turn.finish()
    await turn.show(view.joined(turn.lang, turn.network, organisation.name))


async def _restart(turn: JoinTurn, args: list[str]) -> None:
    """↩️ Start over: back to the first question."""
    turn.data = JoinData()
    turn.goto(JoinStep.ORGANISATION)


JOIN = register(
    Dialogue(
        kind=Kind.JOIN,
        steps=JoinStep,
        data=JoinData,
        table={
            JoinStep.ORGANISATION: Step(
                _ask_organisation,
                text=_organisation_typed,
                buttons={Cb.JOIN_ORG: _organisation_pressed},
            ),
            JoinStep.TYPE: Step(_ask_type, buttons={Cb.JOIN_TYPE: _type_pressed}),
            JoinStep.LEVEL: Step(_ask_level, buttons={Cb.JOIN_LEVEL: _level_pressed}),
            JoinStep.CONFIRM: Step(
                _ask_confirm, buttons={Cb.JOIN_CONFIRM: _confirmed, Cb.JOIN_RESTART: _restart}
            ),
        },
        restart=N_("Press Join in your network's group to start again."),
    )
)
