"""The dialogue engine: every conversation in private chat, declared as steps and run alike.

A dialogue declares its kind, its steps in order (an enum), its typed data (a dataclass) and,
per step, what it asks and how it takes a typed text or a button. The engine does the rest the
same way for all of them: it loads the person's conversation once (locked, so two presses
cannot both take a step), checks kind, step and age, runs the step, saves where the dialogue
now stands, commits, and only then speaks. The state lives in the database, so whichever
process gets the next update carries on, also after a restart between question and answer.

Adding a step: a member of the dialogue's step enum, and a Step(ask=..., text=... or
buttons=...) in its table; the step handler parses, updates turn.data and calls turn.goto(next)
(the engine then asks the next step's question) or turn.finish() after saving what the
dialogue built.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from dialogues.data import BadData, dump, load
from domain.callbacks import Cb, pattern, unpack
from domain.errors import NO_LONGER_ACTIVE, ONLY_PRIVATE, Refusal
from domain.text import ALERT_LIMIT, shorten
from handlers.base import (
    Context,
    acknowledge,
    chatting_person,
    dispatch_soon,
    is_private,
    replace,
    reply,
)
from i18n import N_, t
from storage.db import after_commit
from storage.models import Conversation, Network, Person
from views.commands import names

log = logging.getLogger(__name__)

S = TypeVar("S", bound=Enum)
D = TypeVar("D")

# A dialogue left alone this long is over: its next text or button starts nothing half-way.
DEFAULT_EXPIRY = dt.timedelta(days=7)

EXPIRED = N_("We stopped here a while ago, so I closed that conversation. {restart}")
USE_BUTTONS = N_("Please choose with the buttons above, or send /cancel to stop.")
CANCELLED = N_("Stopped. Nothing of this conversation was saved.")
NOTHING_TO_CANCEL = N_("There is nothing to stop: we are not in the middle of anything.")


class Kind(StrEnum):
    """Every dialogue the bot holds in private chat (the values are stored)."""

    JOIN = "join"
    ROUND_SETUP = "round"
    QUESTIONNAIRE = "questionnaire"
    NEW_ACTION = "action"
    EDIT_ACTION = "action_edit"
    NEW_AGREEMENT = "agreement"
    NEW_TEXT = "agreement_text"
    REVIEW_NOTE = "review_note"
    PROFILE_TEXT = "profile_text"
    PROFILE_LIMIT = "profile_limit"
    SIGNAL_CONTACT = "signal_contact"
    TABLE_NEW = "table"
    TABLE_SEATS = "table_seats"


Said = tuple[str, InlineKeyboardMarkup | None]


@dataclass
class Turn(Generic[S, D]):
    """One step of a dialogue being taken: what the step reads and what it decides."""

    update: Update
    context: Context
    session: AsyncSession
    person: Person
    lang: str
    network: Network
    step: S
    data: D
    now: dt.datetime
    next: S | None = None
    lead: str | None = None
    finished: bool = False
    shown: bool = field(default=False, repr=False)

    def goto(self, step: S, *, lead: str | None = None) -> None:
        """Go on at step (also the current one, to show it again): the engine asks its
        question, after lead (what the step just understood) when given."""
        self.next, self.lead = step, lead

    def finish(self) -> None:
        """The dialogue is done (or given up): the conversation is removed when this commits."""
        self.finished = True

    async def show(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Show text in place of the message whose button was pressed (once per turn), or as
        the answer to a typed text."""
        query = self.update.callback_query
        if query is not None and not self.shown:
            self.shown = True
            await replace(query, text, markup)
        else:
            await reply(self.update, text, markup)

    def dispatch_soon(self) -> None:
        """Send what this step queued (an announcement) right after the commit, rather than at
        the dispatcher's next tick."""

        async def soon() -> None:
            dispatch_soon(self.context)

        after_commit(soon)

    async def say(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Send text as a new message, below whatever the chat shows now."""
        await reply(self.update, text, markup)


Ask = Callable[[Turn[Any, Any]], Awaitable[Said]]
OnText = Callable[[Turn[Any, Any], str], Awaitable[None]]
OnButton = Callable[[Turn[Any, Any], list[str]], Awaitable[None]]
Guard = Callable[[Turn[Any, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Step:
    """What one step asks, and how it takes a typed text and/or its buttons."""

    ask: Ask
    text: OnText | None = None
    buttons: Mapping[Cb, OnButton] = field(default_factory=dict)


@dataclass(frozen=True)
class Dialogue(Generic[S, D]):
    """A declared dialogue: kind, steps in order, typed data, and the checks of every turn."""

    kind: Kind
    steps: type[S]
    data: type[D]
    table: Mapping[S, Step]
    # What to do to start again (catalog text), said when the dialogue expired.
    restart: str
    # Checked before every step, e.g. "still a coordinator of this network": a Refusal here
    # ends the conversation.
    guard: Guard | None = None
    expires_after: dt.timedelta = DEFAULT_EXPIRY

    def __post_init__(self) -> None:
        missing = [step for step in self.steps if step not in self.table]
        if missing:
            raise TypeError(f"{self.kind}: steps without a declaration: {missing}")
        if not dataclasses.is_dataclass(self.data):
            raise TypeError(f"{self.kind}: data must be a dataclass")

    @property
    def first(self) -> S:
        """The step a new conversation starts at."""
        return next(iter(self.steps))

    def step_of(self, value: str) -> S | None:
        """The step stored as value, or None when this dialogue has no such step (any more)."""
        try:
            return self.steps(value)
        except ValueError:
            return None

    async def begin(
        self,
        update: Update,
        context: Context,
        session: AsyncSession,
        person: Person,
        lang: str,
        network: Network,
        data: D,
        step: S | None = None,
        *,
        in_place: bool = True,
    ) -> None:
        """Start this dialogue for person (replacing any other they were in) and ask the first
        question: in place of a pressed button's message (unless not in_place), or as a reply
        to a command. Call it inside the unit of work; the question is sent once that commits."""
        conversation = await _conversation_row(session, person.id)
        conversation.kind = self.kind.value
        conversation.network_id = network.id
        turn = Turn(
            update,
            context,
            session,
            person,
            lang,
            network,
            step or self.first,
            data,
            context.services.clock.now(),
        )
        turn.shown = not in_place
        turn.goto(turn.step)
        await _after_step(self, turn, conversation)


REGISTRY: dict[Kind, Dialogue[Any, Any]] = {}
BUTTONS: dict[Cb, Dialogue[Any, Any]] = {}


def register(dialogue: Dialogue[S, D]) -> Dialogue[S, D]:
    """Make dialogue known to the engine; each kind and each button belongs to one dialogue."""
    if dialogue.kind in REGISTRY:
        raise ValueError(f"dialogue {dialogue.kind} declared twice")
    REGISTRY[dialogue.kind] = dialogue
    for step in dialogue.table.values():
        for cb in step.buttons:
            owner = BUTTONS.get(cb)
            if owner is not None and owner is not dialogue:
                raise ValueError(f"button {cb} belongs to {owner.kind} and {dialogue.kind}")
            BUTTONS[cb] = dialogue
    return dialogue


async def _conversation_row(session: AsyncSession, person_id: int) -> Conversation:
    conversation = await session.get(Conversation, person_id, with_for_update=True)
    if conversation is None:
        conversation = Conversation(person_id=person_id, data={})
        session.add(conversation)
    return conversation


async def _after_step(
    dialogue: Dialogue[Any, Any], turn: Turn[Any, Any], row: Conversation
) -> None:
    """Save where the dialogue stands, then ask the next question (sent after the commit)."""
    if turn.finished:
        await turn.session.delete(row)
        return
    if turn.next is not None:
        turn.step = turn.next
    row.step = turn.step.value
    row.data = dump(turn.data)
    row.updated_at = turn.now
    if turn.next is not None:
        text, markup = await dialogue.table[turn.step].ask(turn)
        row.asked = False
        await turn.show(f"{turn.lead}\n\n{text}" if turn.lead else text, markup)
        after_commit(_marker(turn.context, row.person_id, row.step, turn.now))


def _marker(
    context: Context, person_id: int, step: str, at: dt.datetime
) -> Callable[[], Awaitable[None]]:
    """Once the question is out (it is sent after the commit, just before this runs), note
    that it arrived — unless the dialogue moved on in the meantime."""

    async def mark() -> None:
        async with context.services.database.unit_of_work() as session:
            await session.execute(
                sql_update(Conversation)
                .where(
                    Conversation.person_id == person_id,
                    Conversation.step == step,
                    Conversation.updated_at == at,
                )
                .values(asked=True)
            )

    return mark


def _turn(
    update: Update,
    context: Context,
    session: AsyncSession,
    person: Person,
    lang: str,
    network: Network,
    step: Any,
    data: Any,
) -> Turn[Any, Any]:
    """A turn at step, at the bot's clock's now."""
    now = context.services.clock.now()
    return Turn(update, context, session, person, lang, network, step, data, now)


class _Over(Exception):
    """The conversation cannot go on (expired, gone, stale): end it and say why."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


async def _load(
    session: AsyncSession, context: Context, person: Person, lang: str
) -> tuple[Dialogue[Any, Any], Conversation, Network, Any, Any] | None:
    """The person's conversation with its dialogue, network, step and data; None when there is
    none; _Over when there is one that cannot go on."""
    row = await session.get(Conversation, person.id, with_for_update=True)
    if row is None:
        return None
    dialogue = REGISTRY.get(Kind(row.kind)) if row.kind in Kind._value2member_map_ else None
    step = dialogue.step_of(row.step) if dialogue else None
    network = await session.get(Network, row.network_id) if row.network_id else None
    if dialogue is None or step is None or network is None or not network.active:
        await session.delete(row)
        raise _Over(t(lang, NO_LONGER_ACTIVE))
    if row.updated_at + dialogue.expires_after < context.services.clock.now():
        await session.delete(row)
        raise _Over(t(lang, EXPIRED, restart=t(lang, dialogue.restart)))
    try:
        data = load(dialogue.data, row.data)
    except BadData:
        log.warning("Dropped a %s conversation whose data no longer fits", row.kind, exc_info=True)
        await session.delete(row)
        raise _Over(t(lang, NO_LONGER_ACTIVE)) from None
    return dialogue, row, network, step, data


async def _guarded(dialogue: Dialogue[Any, Any], turn: Turn[Any, Any], row: Conversation) -> None:
    if dialogue.guard is None:
        return
    try:
        await dialogue.guard(turn)
    except Refusal as refusal:
        await turn.session.delete(row)
        raise _Over(t(turn.lang, refusal.msgid, **refusal.params)) from None


def _tell_after_commit(update: Update, text: str) -> None:
    query = update.callback_query
    if query is not None:
        after_commit(lambda: query.answer(shorten(text, ALERT_LIMIT), show_alert=True))
    else:
        after_commit(lambda: reply(update, text))


class Taken(Enum):
    """What became of a typed text offered to the dialogues."""

    TAKEN = "taken"  # a dialogue step took it (or said why it could not)
    NO_DIALOGUE = "none"  # the person is in no dialogue
    NEEDS_BUTTON = "button"  # the current step asks for a button, not text


async def take_text(update: Update, context: Context) -> Taken:
    """Offer a text typed in private chat to the person's dialogue."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, user)
        try:
            loaded = await _load(session, context, person, lang)
            if loaded is None:
                return Taken.NO_DIALOGUE
            dialogue, row, network, step, data = loaded
            on_text = dialogue.table[step].text
            if on_text is None and row.asked:
                return Taken.NEEDS_BUTTON
            turn = _turn(update, context, session, person, lang, network, step, data)
            await _guarded(dialogue, turn, row)
        except _Over as over:
            _tell_after_commit(update, over.text)
            return Taken.TAKEN
        if row.asked and on_text is not None:
            await on_text(turn, message.text or "")
        else:
            # The question of this step never reached the person (a failed call, a restart
            # between saving and sending): what they typed answers something else. Ask it.
            turn.goto(step)
        await _after_step(dialogue, turn, row)
    return Taken.TAKEN


async def on_button(update: Update, context: Context) -> None:
    """A button of a dialogue step: taken only at that step of that person's dialogue."""
    query = update.callback_query
    assert query is not None
    kind, args = unpack(query.data)
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, query.from_user)
        try:
            loaded = await _load(session, context, person, lang)
        except _Over as over:
            _tell_after_commit(update, over.text)
            return
        if loaded is None:
            raise Refusal(NO_LONGER_ACTIVE)
        dialogue, row, network, step, data = loaded
        handler = dialogue.table[step].buttons.get(kind)
        # An earlier step's button is stale — unless this step's question never arrived (its
        # edit failed): then the person still sees that earlier step, and gets this one now.
        resend = handler is None and not row.asked and BUTTONS.get(kind) is dialogue
        if handler is None and not resend:
            raise Refusal(NO_LONGER_ACTIVE)
        turn = _turn(update, context, session, person, lang, network, step, data)
        try:
            await _guarded(dialogue, turn, row)
        except _Over as over:
            _tell_after_commit(update, over.text)
            return
        await acknowledge(query)
        if handler is not None:
            await handler(turn, args)
        else:
            turn.goto(step)
        await _after_step(dialogue, turn, row)


async def cancel(update: Update, context: Context) -> None:
    """/cancel (/annuleren): stop the dialogue the person is in; nothing of it is saved."""
    user = update.effective_user
    assert user is not None
    if not is_private(update):
        raise Refusal(ONLY_PRIVATE)  # dialogues are held in the private chat only
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, user)
        row = await session.get(Conversation, person.id, with_for_update=True)
        if row is not None:
            await session.delete(row)
        await reply(update, t(lang, CANCELLED if row is not None else NOTHING_TO_CANCEL))


async def end(session: AsyncSession, person_id: int, network_id: int | None = None) -> None:
    """End the person's dialogue (only one about network_id, when given)."""
    row = await session.get(Conversation, person_id)
    if row is not None and (network_id is None or row.network_id == network_id):
        await session.delete(row)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    """The engine's own handlers: every dialogue button, and /cancel."""
    unregistered = set(Kind) - set(REGISTRY)
    if unregistered:
        raise RuntimeError(f"dialogues declared but never imported: {sorted(unregistered)}")
    return [
        CallbackQueryHandler(on_button, pattern(*BUTTONS)),
        CommandHandler(names("cancel"), cancel),
    ]
