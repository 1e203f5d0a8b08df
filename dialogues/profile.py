"""An organisation's profile, in private chat with one of its representatives: one of its texts
(interests, what it offers, the signals it wants to hear of), something it cannot do and why,
and offering oneself as its contact for signals (how, when, and the consent)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dialogues.engine import Dialogue, Kind, Said, Step, Turn, register
from domain.callbacks import Cb
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.profiles import (
    LIMIT_TEXT_LIMIT,
    MAX_CONTACTS,
    MAX_LIMITS,
    REACHABLE_LIMIT,
    TEXT_LIMIT,
    Channel,
    Reason,
    address_for,
)
from domain.text import esc
from i18n import N_
from schedules.profiles import profile_changed
from storage import profiles as store
from storage.models import Organisation, OrganisationLimit, SignalContact
from views import profiles as view
from views.workgroups import text_problem

NOT_A_REPRESENTATIVE = N_(
    "Only the representatives of {organisation} can change its profile (partners who joined "
    "the network for it)."
)
TOO_MANY_CONTACTS = N_(
    "{organisation} has {most} signal contacts already; one of them can stop first."
)
RESTART = N_("Start again with /organisation.")


def tidy(typed: str) -> str:
    """typed with its spacing tidied (line breaks kept: a profile text may have paragraphs)."""
    lines = [" ".join(line.split()) for line in typed.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line).strip()


async def organisation_for(turn: Turn[Any, Any], organisation_id: int) -> Organisation:
    """The organisation a dialogue is about, refused unless the person represents it now."""
    organisation = await turn.session.get(Organisation, organisation_id)
    if organisation is None or organisation.network_id != turn.network.id:
        raise Refusal(NO_LONGER_ACTIVE)
    if not await store.represents(turn.session, organisation, turn.person.id):
        raise Refusal(NOT_A_REPRESENTATIVE, organisation=esc(organisation.name))
    return organisation


async def show_card(turn: Turn[Any, Any], organisation: Organisation) -> None:
    """The card as it now stands, below the conversation."""
    card = await store.card(turn.session, organisation)
    parts = view.card_parts(turn.lang, card, turn.network)
    markup = await card_markup(turn, card)
    for index, part in enumerate(parts):
        await turn.say(part, markup if index == len(parts) - 1 else None)


async def card_markup(turn: Turn[Any, Any], card: store.Card) -> Any:
    is_contact = any(c.person_id == turn.person.id for c in card.contacts)
    return view.card_keyboard(
        turn.lang,
        card,
        is_contact=is_contact,
        may_add_contact=len(card.contacts) < MAX_CONTACTS,
    )


# --- one of the texts ---------------------------------------------------------------------------


class TextStep(StrEnum):
    """The one step: the new text."""

    TEXT = "text"


@dataclass
class TextData:
    """Which organisation, and which of its texts."""

    organisation_id: int
    field: str


TextTurn = Turn[TextStep, TextData]


async def _text_guard(turn: TextTurn) -> None:
    if turn.data.field not in store.FIELDS:
        raise Refusal(NO_LONGER_ACTIVE)
    await organisation_for(turn, turn.data.organisation_id)


async def _ask_text(turn: TextTurn) -> Said:
    organisation = await organisation_for(turn, turn.data.organisation_id)
    card = await store.card(turn.session, organisation)
    current = getattr(card.profile, turn.data.field) if card.profile is not None else None
    return view.ask_text(turn.lang, organisation, turn.data.field, current), None


async def _text_typed(turn: TextTurn, typed: str) -> None:
    text = tidy(typed)
    if not text or len(text) > TEXT_LIMIT:
        await turn.say(text_problem(turn.lang, TEXT_LIMIT))
        return
    organisation = await organisation_for(turn, turn.data.organisation_id)
    profile = await store.editable_profile(turn.session, organisation, turn.person.id, turn.now)
    setattr(profile, turn.data.field, None if text == "-" else text)
    await profile_changed(turn.session, organisation, turn.network, turn.now)
    turn.finish()
    await show_card(turn, organisation)


PROFILE_TEXT = register(
    Dialogue(
        kind=Kind.PROFILE_TEXT,
        steps=TextStep,
        data=TextData,
        table={TextStep.TEXT: Step(_ask_text, text=_text_typed)},
        restart=RESTART,
        guard=_text_guard,
    )
)


# --- something the organisation cannot do ------------------------------------------------------


class LimitStep(StrEnum):
    """What, then why."""

    TEXT = "text"
    REASON = "reason"


@dataclass
class LimitData:
    """The organisation, and what it cannot do so far."""

    organisation_id: int
    text: str = ""


LimitTurn = Turn[LimitStep, LimitData]


async def _limit_guard(turn: LimitTurn) -> None:
    await organisation_for(turn, turn.data.organisation_id)


async def _ask_limit(turn: LimitTurn) -> Said:
    organisation = await organisation_for(turn, turn.data.organisation_id)
    return view.ask_limit(turn.lang, organisation), None


async def _limit_typed(turn: LimitTurn, typed: str) -> None:
    text = " ".join(typed.split())
    if not text or len(text) > LIMIT_TEXT_LIMIT:
        await turn.say(text_problem(turn.lang, LIMIT_TEXT_LIMIT))
        return
    turn.data.text = text
    turn.goto(LimitStep.REASON)


async def _ask_reason(turn: LimitTurn) -> Said:
    return view.ask_reason(turn.lang, turn.data.text)


async def _reason_pressed(turn: LimitTurn, args: list[str]) -> None:
    try:
        reason = Reason(args[0] if args else "")
    except ValueError:
        raise Refusal(NO_LONGER_ACTIVE) from None
    organisation = await organisation_for(turn, turn.data.organisation_id)
    card = await store.card(turn.session, organisation)
    if len(card.limits) >= MAX_LIMITS:
        turn.finish()
        await turn.show(view.too_many_limits(turn.lang, MAX_LIMITS))
        return
    turn.session.add(
        OrganisationLimit(
            organisation_id=organisation.id,
            text=turn.data.text,
            reason=reason.value,
            created_at=turn.now,
            created_by=turn.person.id,
        )
    )
    await store.editable_profile(turn.session, organisation, turn.person.id, turn.now)
    await profile_changed(turn.session, organisation, turn.network, turn.now)
    turn.finish()
    await turn.show(view.limit_added(turn.lang, turn.data.text, reason.value))
    await show_card(turn, organisation)


PROFILE_LIMIT = register(
    Dialogue(
        kind=Kind.PROFILE_LIMIT,
        steps=LimitStep,
        data=LimitData,
        table={
            LimitStep.TEXT: Step(_ask_limit, text=_limit_typed),
            LimitStep.REASON: Step(_ask_reason, buttons={Cb.LIMIT_REASON: _reason_pressed}),
        },
        restart=RESTART,
        guard=_limit_guard,
    )
)


# --- the contact for signals -------------------------------------------------------------------


class ContactStep(StrEnum):
    """How, the number or address, when, and the consent."""

    CHANNEL = "channel"
    ADDRESS = "address"
    REACHABLE = "reachable"
    CONSENT = "consent"


@dataclass
class ContactData:
    """What the representative said so far."""

    organisation_id: int
    channel: str = ""
    address: str | None = None
    reachable: str = ""


ContactTurn = Turn[ContactStep, ContactData]


async def _contact_guard(turn: ContactTurn) -> None:
    await organisation_for(turn, turn.data.organisation_id)


async def _ask_channel(turn: ContactTurn) -> Said:
    organisation = await organisation_for(turn, turn.data.organisation_id)
    return view.ask_channel(turn.lang, organisation)


async def _channel_pressed(turn: ContactTurn, args: list[str]) -> None:
    try:
        channel = Channel(args[0] if args else "")
    except ValueError:
        raise Refusal(NO_LONGER_ACTIVE) from None
    turn.data.channel, turn.data.address = channel.value, None
    turn.goto(ContactStep.REACHABLE if channel is Channel.TELEGRAM else ContactStep.ADDRESS)


async def _ask_address(turn: ContactTurn) -> Said:
    return view.ask_address(turn.lang, Channel(turn.data.channel)), None


async def _address_typed(turn: ContactTurn, typed: str) -> None:
    channel = Channel(turn.data.channel)
    address = address_for(channel, typed)
    if address is None:
        await turn.say(view.bad_address(turn.lang, channel))
        return
    turn.data.address = address
    turn.goto(ContactStep.REACHABLE)


async def _ask_reachable(turn: ContactTurn) -> Said:
    return view.ask_reachable(turn.lang), None


async def _reachable_typed(turn: ContactTurn, typed: str) -> None:
    text = " ".join(typed.split())
    if not text or len(text) > REACHABLE_LIMIT:
        await turn.say(text_problem(turn.lang, REACHABLE_LIMIT))
        return
    turn.data.reachable = text
    turn.goto(ContactStep.CONSENT)


async def _ask_consent(turn: ContactTurn) -> Said:
    organisation = await organisation_for(turn, turn.data.organisation_id)
    how = view.how(turn.lang, Channel(turn.data.channel), turn.data.address)
    return view.ask_consent(
        turn.lang, organisation, turn.person.first_name, how, turn.data.reachable
    )


async def _consent_pressed(turn: ContactTurn, args: list[str]) -> None:
    organisation = await organisation_for(turn, turn.data.organisation_id)
    turn.finish()
    if not args or args[0] != "yes":
        await turn.show(view.contact_declined(turn.lang))
        return
    existing = await store.contact(turn.session, organisation.id, turn.person.id)
    card = await store.card(turn.session, organisation)
    if existing is None and len(card.contacts) >= MAX_CONTACTS:
        raise Refusal(TOO_MANY_CONTACTS, organisation=esc(organisation.name), most=MAX_CONTACTS)
    if existing is None:
        existing = SignalContact(organisation_id=organisation.id, person_id=turn.person.id)
        turn.session.add(existing)
    existing.channel = turn.data.channel
    existing.address = turn.data.address
    existing.reachable = turn.data.reachable
    existing.agreed_at = turn.now
    await store.editable_profile(turn.session, organisation, turn.person.id, turn.now)
    await profile_changed(turn.session, organisation, turn.network, turn.now)
    await turn.show(view.contact_saved(turn.lang, organisation))
    await show_card(turn, organisation)


SIGNAL_CONTACT = register(
    Dialogue(
        kind=Kind.SIGNAL_CONTACT,
        steps=ContactStep,
        data=ContactData,
        table={
            ContactStep.CHANNEL: Step(_ask_channel, buttons={Cb.CONTACT_CHANNEL: _channel_pressed}),
            ContactStep.ADDRESS: Step(_ask_address, text=_address_typed),
            ContactStep.REACHABLE: Step(_ask_reachable, text=_reachable_typed),
            ContactStep.CONSENT: Step(_ask_consent, buttons={Cb.CONTACT_CONSENT: _consent_pressed}),
        },
        restart=RESTART,
        guard=_contact_guard,
    )
)
