"""The private chat: /start and the join questions, /profile, /leave, /help, language, privacy."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from dialogues import engine, joining
from dialogues.engine import Taken
from dialogues.joining import JoinData
from domain.callbacks import Cb, int_arg, pattern, unpack
from domain.errors import NO_LONGER_ACTIVE, ONLY_PRIVATE, Refusal
from domain.text import esc
from handlers import answering, rounds
from handlers.base import (
    Context,
    acknowledge,
    is_chat_member,
    is_private,
    replace,
    reply,
    shown,
    touch_person,
    update_language,
)
from i18n import LANGUAGES, N_, person_language, t
from schedules.profiles import representative_left
from storage import profiles as profiles_store
from storage import queries
from storage import rounds as rounds_store
from storage.models import Member, Network, Person, Round
from storage.rounds import questionnaire_of
from views import people as view
from views import profiles as profile_view
from views.commands import EVERYDAY, names

BAD_LINK = N_(
    "This join link is not valid (any more). Ask for a fresh one with /join in your "
    "network's group."
)
NOT_IN_GROUP = N_(
    "Only members of the group <b>{network}</b> can join its network. Ask a coordinator to "
    "add you to the group first."
)
INACTIVE = N_("The network <b>{network}</b> is not active: I am no longer in its group.")
LAST_COORDINATOR_LEAVING = N_(
    "You are the only coordinator of <b>{network}</b>. Appoint another coordinator first "
    "(/coordinators in the group)."
)
NOT_UNDERSTOOD = N_("I did not understand that. /help shows what I can do.")


async def _person(session: AsyncSession, update: Update) -> Person:
    user = update.effective_user
    assert user is not None
    return await touch_person(session, user, started=is_private(update))


def _lang(person: Person, update: Update, context: Context) -> str:
    return person_language(
        person, update.effective_user, context.services.settings.default_language
    )


async def _me(update: Update, context: Context) -> tuple[Person, Sequence[Member], str]:
    """The person behind this update, their memberships and their language."""
    async with context.unit_of_work() as session:
        person = await _person(session, update)
        memberships = await queries.memberships_of(session, person.id)
    return person, memberships, _lang(person, update, context)


async def start(update: Update, context: Context) -> None:
    """/start, with a join payload from a deep link or without: the help for this person."""
    if not is_private(update):
        await help_command(update, context)
        return
    payload = context.args[0] if context.args else ""
    if payload.startswith("j_"):
        await _open_join_link(update, context, payload.removeprefix("j_"))
    elif payload.startswith("a_"):
        await answering.open_answer_link(update, context, payload.removeprefix("a_"))
    elif payload.startswith("r_"):
        await rounds.open_round_setup_link(update, context, payload.removeprefix("r_"))
    else:
        await help_command(update, context)


async def help_command(update: Update, context: Context) -> None:
    """/help: what this person can do, in their networks."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    if not is_private(update):
        async with context.unit_of_work() as session:
            network = await queries.network_by_chat(session, chat.id)
            roles = await queries.roles(session, user.id, network.id) if network else EVERYDAY
        lang = network.language if network else context.services.settings.default_language
        await reply(update, view.group_help(lang, roles, set_up=network is not None))
        return
    person, memberships, lang = await _me(update, context)
    async with context.unit_of_work() as session:
        roles = await queries.roles(session, person.id)
    await reply(update, view.help_text(lang, person.first_name, memberships, roles))


async def _open_join_link(update: Update, context: Context, token: str) -> None:
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        network = await queries.network_by_token(session, token) if token else None
        if network is None:
            raise Refusal(BAD_LINK)
        if not network.active:
            raise Refusal(INACTIVE, network=esc(network.name))
        chat_id = network.chat_id
    if not await is_chat_member(context, chat_id, user.id):
        raise Refusal(NOT_IN_GROUP, network=esc(network.name))
    async with context.unit_of_work() as session:
        person = await _person(session, update)
        lang = _lang(person, update, context)
        member = await queries.membership(session, network.id, person.id)
        if member is not None and member.is_partner:
            memberships = await queries.memberships_of(session, person.id)
            text, markup = view.profile(lang, memberships)
            await reply(update, text, markup)
            return
        await joining.JOIN.begin(update, context, session, person, lang, network, JoinData())


async def private_text(update: Update, context: Context) -> None:
    """Typed text in private chat: an answer to the dialogue this person is in, else a round
    comment they were asked for."""
    taken = await engine.take_text(update, context)
    if taken is Taken.TAKEN:
        return
    async with context.unit_of_work() as session:
        person = await _person(session, update)
        lang = _lang(person, update, context)
        if await answering.comment_text(update, context, session, person, lang):
            return
    raise Refusal(engine.USE_BUTTONS if taken is Taken.NEEDS_BUTTON else NOT_UNDERSTOOD)


async def profile(update: Update, context: Context) -> None:
    """/profile: this person's details per network, with buttons to change or leave."""
    if not is_private(update):
        raise Refusal(ONLY_PRIVATE)
    _, memberships, lang = await _me(update, context)
    text, markup = view.profile(lang, memberships)
    await reply(update, text, markup)


async def edit_profile(update: Update, context: Context) -> None:
    """✏️ under /profile: answer the three join questions again for that network."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    async with context.unit_of_work() as session:
        person = await _person(session, update)
        lang = _lang(person, update, context)
        member = await _own_membership(session, int_arg(args, 0), person.id)
        network = await _joining_network_of(session, member)
        await acknowledge(query)
        await joining.JOIN.begin(update, context, session, person, lang, network, JoinData())


async def _own_membership(session: AsyncSession, network_id: int, person_id: int) -> Member:
    member = await queries.membership(session, network_id, person_id)
    if member is None:
        raise Refusal(NO_LONGER_ACTIVE)
    return member


async def _joining_network_of(session: AsyncSession, member: Member) -> Network:
    network = await session.get(Network, member.network_id)
    if network is None or not network.active:
        raise Refusal(NO_LONGER_ACTIVE)
    return network


async def leave(update: Update, context: Context) -> None:
    """/leave: leave a network (choose which when in several)."""
    if not is_private(update):
        raise Refusal(ONLY_PRIVATE)
    _, memberships, lang = await _me(update, context)
    if not memberships:
        text, markup = view.profile(lang, memberships)
    elif len(memberships) == 1:
        text, markup = view.confirm_leave(lang, memberships[0].network)
    else:
        text, markup = view.choose_network_to_leave(lang, memberships)
    await reply(update, text, markup)


async def leave_button(update: Update, context: Context) -> None:
    """🚪 Leave (ask to confirm) or 'Yes, leave' (do it)."""
    query = update.callback_query
    assert query is not None
    kind, args = unpack(query.data)
    async with context.unit_of_work() as session:
        person = await _person(session, update)
        lang = _lang(person, update, context)
        member = await _own_membership(session, int_arg(args, 0), person.id)
        network = await session.get(Network, member.network_id)
        assert network is not None
        if kind is Cb.LEAVE:
            text, markup = view.confirm_leave(lang, network)
        else:
            if member.is_coordinator and await queries.coordinator_count(session, network.id) <= 1:
                raise Refusal(LAST_COORDINATOR_LEAVING, network=esc(network.name))
            if member.is_partner:
                now = context.services.clock.now()
                await representative_left(session, member, network, now)
            await session.delete(member)
            await engine.end(session, person.id, network.id)
            text, markup = view.left(lang, network), None
    await query.answer()
    await replace(query, text, markup)


async def cancel(update: Update, context: Context) -> None:
    """Cancel under a confirmation: nothing changes."""
    query = update.callback_query
    assert query is not None
    if not shown(query):
        raise Refusal(NO_LONGER_ACTIVE)  # never turn a message without Cancel into 'Cancelled'
    lang = await update_language(update, context)
    await query.answer()
    await replace(query, t(lang, "Cancelled: nothing has changed."))


async def language(update: Update, context: Context) -> None:
    """/language: choose Dutch or English for the private chat."""
    if not is_private(update):
        lang = await update_language(update, context)
        await reply(
            update,
            t(lang, "The group's language is set by a coordinator with /setup language nl|en."),
        )
        return
    lang = await update_language(update, context)
    text, markup = view.choose_language(lang)
    await reply(update, text, markup)


async def language_chosen(update: Update, context: Context) -> None:
    """A language button."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    if not args or args[0] not in LANGUAGES:
        raise Refusal(NO_LONGER_ACTIVE)
    async with context.unit_of_work() as session:
        person = await _person(session, update)
        person.language = args[0]
    await query.answer()
    await replace(query, view.language_set(args[0]))


async def privacy(update: Update, context: Context) -> None:
    """/privacy: what is stored, and what never is."""
    lang = await update_language(update, context)
    await reply(update, view.privacy(lang))


async def my_data(update: Update, context: Context) -> None:
    """/mydata: everything stored about this person."""
    if not is_private(update):
        raise Refusal(ONLY_PRIVATE)
    person, memberships, lang = await _me(update, context)
    async with context.unit_of_work() as session:
        drafts = []
        for draft in await rounds_store.drafts_of(session, person.id):
            round_ = await session.get(Round, draft.round_id)
            assert round_ is not None
            drafts.append(await _mention(session, round_, len(draft.answers)))
        answered = [
            await _mention(session, round_, 0)
            for round_ in await rounds_store.rounds_answered_by(session, person.id)
        ]
        consents, edited = await profiles_store.personal_data(session, person.id)
        contacts = [profile_view.contact_summary(lang, o, c) for o, c in consents]
    for part in view.my_data(lang, person, memberships, drafts, answered, contacts, edited):
        await reply(update, part)


async def _mention(session: AsyncSession, round_: Round, answers: int) -> view.RoundMention:
    network = await session.get(Network, round_.network_id)
    assert network is not None
    return view.RoundMention(
        network.name, await questionnaire_of(session, round_.questionnaire), answers
    )


async def forget_me(update: Update, context: Context) -> None:
    """/forgetme: ask to confirm deleting everything about this person."""
    if not is_private(update):
        raise Refusal(ONLY_PRIVATE)
    lang = await update_language(update, context)
    text, markup = view.confirm_forget(lang)
    await reply(update, text, markup)


async def forget_confirmed(update: Update, context: Context) -> None:
    """'Yes, delete': the person, their memberships, dialogue and queued messages go."""
    query = update.callback_query
    assert query is not None
    if not shown(query):
        raise Refusal(NO_LONGER_ACTIVE)  # only the confirmation itself deletes
    lang = await update_language(update, context)
    async with context.unit_of_work() as session:
        person = await session.get(Person, query.from_user.id)
        if person is not None:
            await session.delete(person)
    await query.answer()
    await replace(query, view.forgotten(lang))


async def not_understood(update: Update, context: Context) -> None:
    """Something in private chat the bot has no use for."""
    raise Refusal(NOT_UNDERSTOOD)


async def unknown_button(update: Update, context: Context) -> None:
    """A button press no handler recognised."""
    raise Refusal(NO_LONGER_ACTIVE)


PRIVATE = filters.ChatType.PRIVATE

HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler(names("start"), start),
    CommandHandler(names("help"), help_command),
    CommandHandler(names("profile"), profile),
    CommandHandler(names("leave"), leave),
    CommandHandler(names("language"), language),
    CommandHandler(names("privacy"), privacy),
    CommandHandler(names("mydata"), my_data),
    CommandHandler(names("forgetme"), forget_me),
    CallbackQueryHandler(edit_profile, pattern(Cb.PROFILE_EDIT)),
    CallbackQueryHandler(leave_button, pattern(Cb.LEAVE, Cb.LEAVE_CONFIRM)),
    CallbackQueryHandler(language_chosen, pattern(Cb.LANGUAGE)),
    CallbackQueryHandler(forget_confirmed, pattern(Cb.FORGET_CONFIRM)),
    CallbackQueryHandler(cancel, pattern(Cb.CANCEL)),
    MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, private_text),
]

# Registered after every other module's handlers (bot.py): what nobody else took.
FALLBACKS: list[BaseHandler[Update, Context, None]] = [
    # A photo, a sticker or an unknown command in private chat: point to /help.
    MessageHandler(PRIVATE & ~filters.StatusUpdate.ALL, not_understood),
    # A button the bot no longer knows (an old keyboard, forged data): stop the spinner politely.
    CallbackQueryHandler(unknown_button),
]
