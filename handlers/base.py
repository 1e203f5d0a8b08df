"""What every handler shares: the services, the unit of work, languages, replies and refusals."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    CallbackQuery,
    Chat,
    ChatMember,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, ApplicationHandlerStop, CallbackContext, ExtBot

from domain.callbacks import BadCallback
from domain.clock import Clock
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.text import ALERT_LIMIT, shorten
from handlers.menus import Menus
from i18n import N_, person_language, set_today, t
from schedules.dispatcher import Dispatcher
from schedules.pacing import TelegramPacer
from settings import Settings
from storage import queries
from storage.db import Database, after_commit, in_transaction
from storage.models import Member, Network, Person
from storage.submits import Submits
from views.network import choose_network

log = logging.getLogger(__name__)

MEMBER_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}
ADMIN_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}


@dataclass
class Services:
    """Everything a handler or job needs besides Telegram itself."""

    settings: Settings
    database: Database
    clock: Clock
    dispatcher: Dispatcher
    menus: Menus
    submits: Submits


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with typed access to our services."""

    @property
    def services(self) -> Services:
        """The services wired in bot.py."""
        return cast(Services, self.application.bot_data["services"])

    @asynccontextmanager
    async def unit_of_work(self, *, read_only: bool = False) -> AsyncIterator[AsyncSession]:
        """One transaction for this update: committed at the end, rolled back on any error
        (read_only: see Database.unit_of_work)."""
        set_today(self.services.clock.now().date())  # 'this year' in dates, by the bot's clock
        async with self.services.database.unit_of_work(read_only=read_only) as session:
            yield session


App = Application[ExtBot[None], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]


def services_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    """The services of an application (for jobs and lifecycle hooks)."""
    return cast(Services, application.bot_data["services"])


def is_private(update: Update) -> bool:
    """Whether the update comes from a private chat with the bot."""
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def is_group(chat: Chat | None) -> bool:
    """Whether chat is a group or supergroup."""
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


async def touch_person(session: AsyncSession, user: User, *, started: bool = False) -> Person:
    """The Person for a Telegram user, created or refreshed from what Telegram says now."""
    person = await queries.upsert_person(
        session,
        user_id=user.id,
        first_name=user.first_name,
        username=user.username,
        telegram_language=user.language_code,
    )
    if started:
        person.started = True
        person.reachable = True
    return person


async def chatting_person(
    session: AsyncSession, context: Context, user: User
) -> tuple[Person, str]:
    """The person writing in private chat (refreshed, marked as reachable) and their language."""
    person = await touch_person(session, user, started=True)
    return person, person_language(person, user, context.services.settings.default_language)


NOT_SET_UP = N_("This group is not a network yet. A group admin can start with /setup.")


async def group_network(
    session: AsyncSession, chat_id: int, *, for_update: bool = False
) -> Network:
    """The network of this group; a refusal pointing to /setup when it has none."""
    network = await queries.network_by_chat(session, chat_id, for_update=for_update)
    if network is None:
        raise Refusal(NOT_SET_UP)
    return network


async def group_language(context: Context, chat_id: int) -> str:
    """The language of a group: its network's, or the bot's default before setup."""
    async with context.unit_of_work() as session:
        network = await queries.network_by_chat(session, chat_id)
    return network.language if network else context.services.settings.default_language


async def update_language(update: Update, context: Context) -> str:
    """The language to answer this update in: the group's in groups, the person's in private."""
    default = context.services.settings.default_language
    chat = update.effective_chat
    if chat is not None and is_group(chat) and update.callback_query is None:
        return await group_language(context, chat.id)
    user = update.effective_user
    if user is None:
        return default
    async with context.unit_of_work() as session:
        person = await session.get(Person, user.id)
    return person_language(person, user, default)


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer the update's message (or the chat of a button press) with HTML text; inside a
    unit of work, once it has committed (say after you saved)."""
    message = update.effective_message
    if message is None:
        return
    if in_transaction():
        after_commit(lambda: message.reply_html(text, reply_markup=markup, do_quote=False))
        return
    await message.reply_html(text, reply_markup=markup, do_quote=False)


async def replace(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Turn the message with the pressed button into the next step; inside a unit of work,
    once it has committed."""
    if in_transaction():
        after_commit(lambda: replace(query, text, markup))
        return
    shown = query.message
    # The buttons first: they tell most edits apart, and text_html is built from the entities.
    if isinstance(shown, Message) and shown.reply_markup == markup and shown.text_html == text:
        return  # already showing exactly this: Telegram would refuse the edit
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as error:
        # Pressing the same button twice asks for an identical edit; that is not a failure.
        if "not modified" not in error.message.lower():
            raise


async def drop_buttons(query: CallbackQuery) -> None:
    """Take the buttons off the message with the pressed button (they did their work); inside
    a unit of work, once it has committed."""
    if in_transaction():
        after_commit(lambda: drop_buttons(query))
        return
    shown = query.message
    if isinstance(shown, Message) and shown.reply_markup is None:
        return
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


async def acknowledge(query: CallbackQuery, text: str | None = None) -> None:
    """Stop the button's spinner, with a pop-up text that says what it did (Telegram shows it
    briefly); inside a unit of work, once it has committed."""

    async def answer() -> None:
        await query.answer(shorten(text, ALERT_LIMIT) if text else None)

    if in_transaction():
        after_commit(answer)
        return
    await answer()


def dispatch_soon(context: Context) -> None:
    """Send what was just queued (an announcement, a group notice) now rather than at the next
    tick; call it after the unit of work that queued it has committed."""
    context.application.create_task(context.services.dispatcher.run_until_idle())


async def telegram_member(context: Context, chat_id: int, user_id: int) -> ChatMember | None:
    """What Telegram says this user is in that chat, or None when it cannot tell."""
    try:
        return await context.bot.get_chat_member(chat_id, user_id)
    except (BadRequest, Forbidden):
        return None


async def is_chat_member(context: Context, chat_id: int, user_id: int) -> bool:
    """Whether Telegram counts this user as a member of the chat right now."""
    member = await telegram_member(context, chat_id, user_id)
    if member is None:
        return False
    if member.status == ChatMemberStatus.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in MEMBER_STATUSES


async def is_chat_admin(context: Context, chat_id: int, user_id: int) -> bool:
    """Whether Telegram counts this user as an admin (or the owner) of the chat right now."""
    member = await telegram_member(context, chat_id, user_id)
    return member is not None and member.status in ADMIN_STATUSES


# Coordinator commands that need a network ask "which network?" when someone coordinates
# several; each command registers what to do once one is picked (see handlers.network).
NetworkPicked = Callable[[Update, "Context", int], Awaitable[None]]
NETWORK_PICKERS: dict[str, NetworkPicked] = {}

NOT_A_COORDINATOR = N_("You are not a coordinator of any network.")
ONLY_COORDINATORS = N_("Only coordinators of this network can do this.")


async def is_coordinator(session: AsyncSession, network_id: int, person_id: int) -> bool:
    """The one rule for "is this person a coordinator here": a current member of the network
    who was made coordinator (at setup, by /coordinator, or as a group admin)."""
    member = await queries.membership(session, network_id, person_id)
    return member is not None and member.is_coordinator


async def coordinator_membership(session: AsyncSession, network_id: int, person_id: int) -> Member:
    """The person's membership, if they coordinate the network (is_coordinator); else a
    refusal."""
    member = await queries.membership(session, network_id, person_id)
    if member is None or not member.is_coordinator:
        raise Refusal(ONLY_COORDINATORS)
    return member


async def coordinated_by(session: AsyncSession, person_id: int) -> list[Member]:
    """The memberships in which the person coordinates (is_coordinator's rule, every network)."""
    return [m for m in await queries.memberships_of(session, person_id) if m.is_coordinator]


async def require_coordinator(session: AsyncSession, network_id: int, person_id: int) -> Network:
    """The network, if person coordinates it; else a refusal."""
    await coordinator_membership(session, network_id, person_id)
    network = await session.get(Network, network_id)
    assert network is not None
    return network


NOT_IN_NETWORK = N_(
    "You are not in a network yet. Press Join in your network's group to take part."
)


async def in_coordinated_network(update: Update, context: Context, command: str) -> None:
    """A coordinator command in private chat: go on in the one network this person
    coordinates (NETWORK_PICKERS[command]), or first ask which when they coordinate several."""
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        person = await touch_person(session, user, started=is_private(update))
        coordinated = await coordinated_by(session, user.id)
    if not coordinated:
        raise Refusal(NOT_A_COORDINATOR)
    if len(coordinated) > 1:
        lang = person_language(person, user, context.services.settings.default_language)
        text, markup = choose_network(lang, coordinated, command)
        await reply(update, text, markup)
        return
    await NETWORK_PICKERS[command](update, context, coordinated[0].network_id)


def shown(query: CallbackQuery) -> bool:
    """Whether the pressed data is on one of the buttons of the message it came with (Telegram
    sends the message as it is now, buttons and all)."""
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    buttons = markup.inline_keyboard if markup is not None else ()
    return any(b.callback_data == query.data for row in buttons for b in row)


async def only_buttons_it_shows(update: Update, context: Context) -> None:
    """Before any handler: a press whose data is on none of the buttons of a message the bot
    never edited was forged (no client ever showed that button there); it is refused here, so
    no handler acts on it or edits a message that never had that button. Under a message the
    bot has edited, the person may have pressed what their screen showed a moment before (a
    double tap, a card someone else just changed): the handler answers that from the state
    ('you have answered already'), checking every id itself, as it does under a message
    Telegram no longer shows the bot (InaccessibleMessage)."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if not isinstance(message, Message) or message.edit_date is not None or shown(query):
        return
    lang = await update_language(update, context)
    await query.answer(t(lang, NO_LONGER_ACTIVE), show_alert=True)
    raise ApplicationHandlerStop


SOMETHING_WRONG = N_("Sorry, something went wrong on my side. Please try again in a moment.")


async def error_handler(update: object, context: Context) -> None:
    """Refusals become a friendly answer; anything else is logged with its traceback and the
    person gets a short apology in their language, never the internals."""
    error = context.error
    if isinstance(error, Refusal):
        msgid, params = error.msgid, error.params
    elif isinstance(error, BadCallback):
        msgid, params = NO_LONGER_ACTIVE, {}
    else:
        log.error("Error while handling an update", exc_info=error)
        msgid, params = SOMETHING_WRONG, {}
    if not isinstance(update, Update):
        return
    try:
        lang = await update_language(update, context)
    except Exception:
        lang = context.services.settings.default_language
    text = t(lang, msgid, **params)
    try:
        query = update.callback_query
        limiter = context.bot.rate_limiter
        if query is not None and not (
            isinstance(limiter, TelegramPacer) and limiter.answered(query.id)
        ):
            await query.answer(shorten(_plain(text), ALERT_LIMIT), show_alert=True)
        elif update.effective_message is not None:
            # Not a button, or one already answered: Telegram takes no second answer.
            await reply(update, text)
    except Exception:
        log.exception("Could not tell the person about an error")


def _plain(text: str) -> str:
    """Alerts show no HTML: drop the few tags our texts use and unescape entities."""
    return html.unescape(re.sub(r"</?(?:b|i|u|code)>", "", text))
