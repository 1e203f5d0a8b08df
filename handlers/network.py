"""The group side of a network: the bot arriving and leaving, /setup, /join, /members, roles."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, Chat, Update, User
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from domain.callbacks import Cb, int_arg, pattern, unpack
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.text import NameProblem, clean_name, esc
from handlers.base import (
    MEMBER_STATUSES,
    NETWORK_PICKERS,
    ONLY_COORDINATORS,
    Context,
    coordinator_membership,
    dispatch_soon,
    group_network,
    in_coordinated_network,
    is_chat_admin,
    is_chat_member,
    is_coordinator,
    is_group,
    replace,
    reply,
    touch_person,
    update_language,
)
from i18n import LANGUAGES, N_, t
from schedules.actions import requeue_digest
from schedules.kinds import Queued
from schedules.outbox import enqueue
from schedules.profiles import representative_left
from storage import queries
from storage.models import Member, Network, Person
from views import network as view
from views.commands import names

ONLY_IN_GROUP = N_("This works in your network's group, not in a private chat.")
ONLY_ADMINS = N_("Only an admin of this group can set it up as a network.")
LAST_COORDINATOR = N_(
    "A network needs at least one coordinator. Appoint another one before removing {name}."
)
APPOINTED_ALREADY = N_("{name} is already a coordinator of <b>{network}</b>.")
APPOINTED = N_("🧭 {name} is now a coordinator of <b>{network}</b>.")
DEFAULT_NETWORK_NAME = "Netwerk"
LEFT_STATUSES = {ChatMemberStatus.LEFT, ChatMemberStatus.BANNED}
SETUP_USAGE = N_(
    "I did not understand that. Use:\n"
    "/setup — register this group or show its settings\n"
    "/setup name <i>name</i> — rename the network (at most 100 characters)\n"
    "/setup language nl|en — the group's language\n"
    "/setup timezone <i>Area/City</i> — for example Europe/Amsterdam\n"
    "/setup hours 09:00-17:00 — office hours for reminders\n"
    "/setup days ma,di,wo,do,vr — working days for reminders\n"
    "/setup digest group|trekkers|off — where the weekly overview goes\n"
    "/setup digestday ma — the day of the weekly overview\n"
    "/setup comments 7|default — how many must write a comment before comments are shown"
)


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _button_in_group(update: Update) -> CallbackQuery:
    """The pressed button, which must sit under a message in a group (not a forged one)."""
    query = update.callback_query
    assert query is not None
    if query.message is None or not is_group(query.message.chat):
        raise Refusal(NO_LONGER_ACTIVE)
    return query


def _group_chat(update: Update) -> Chat:
    chat = update.effective_chat
    if not is_group(chat):
        raise Refusal(ONLY_IN_GROUP)
    assert chat is not None
    return chat


async def _coordinator_names(session: AsyncSession, network: Network) -> list[str]:
    members = await queries.members_of(session, network.id)
    return [m.person.first_name for m in members if m.is_coordinator]


async def bot_membership_changed(update: Update, context: Context) -> None:
    """Welcome on arrival in a group, deactivate on removal; note blocks in private chats."""
    change = update.my_chat_member
    assert change is not None
    was_in = change.old_chat_member.status in MEMBER_STATUSES
    is_in = change.new_chat_member.status in MEMBER_STATUSES
    if not is_group(change.chat):
        async with context.unit_of_work() as session:
            person = await session.get(Person, change.chat.id)
            if person is not None:
                person.reachable = is_in
                person.started = person.started or is_in
        return
    if was_in == is_in:
        return
    async with context.unit_of_work() as session:
        network = await queries.network_by_chat(session, change.chat.id, for_update=True)
        if network is not None:
            network.active = is_in
    if not is_in:
        return
    lang = network.language if network else context.services.settings.default_language
    text = view.welcome_back(lang, network) if network else view.welcome(lang)
    await context.bot.send_message(change.chat.id, text, parse_mode=ParseMode.HTML)


async def chat_migrated(update: Update, context: Context) -> None:
    """A group that became a supergroup keeps its network under the new chat id."""
    message = update.effective_message
    assert message is not None
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    async with context.unit_of_work() as session:
        network = await queries.network_by_chat(session, old, for_update=True)
        if network is None or await queries.network_by_chat(session, new) is not None:
            return
        network.chat_id = new
        await queries.move_pending_outgoing(session, old, new)


async def _create_network(session: AsyncSession, chat: Chat, context: Context) -> Network | None:
    settings = context.services.settings
    try:
        name = clean_name(chat.title)
    except NameProblem:
        name = DEFAULT_NETWORK_NAME
    network = Network(
        chat_id=chat.id,
        name=name,
        language=settings.default_language,
        timezone=settings.default_timezone,
        join_token=queries.new_join_token(),
        active=True,
    )
    try:
        async with session.begin_nested():
            session.add(network)
    except IntegrityError:
        return None  # another admin's /setup created it a moment ago
    return network


def _apply_setting(network: Network, text: str) -> None:
    """Apply '/setup <what> <value>' to network, or raise a Refusal with the usage."""
    _, _, rest = text.partition(" ")
    what, _, value = rest.strip().partition(" ")
    what, value = what.lower(), value.strip()
    if what in ("name", "naam"):
        try:
            network.name = clean_name(value)
        except NameProblem:
            raise Refusal(N_("Usage: /setup name <i>name</i> (1 to 100 characters).")) from None
    elif what in ("language", "taal") and value.lower() in LANGUAGES:
        network.language = value.lower()
    elif what in ("timezone", "tz", "tijdzone") and value in _timezones():
        network.timezone = value
    elif what in ("digest", "overzicht") and value.lower() in DIGEST_MODES:
        network.digest = DIGEST_MODES[value.lower()]
    elif what in ("digestday", "overzichtdag"):
        network.digest_day = int(_office_days(value)[:1] or 1)
    elif what in ("hours", "uren", "werktijden"):
        network.work_start, network.work_end = _office_hours(value)
    elif what in ("days", "dagen", "werkdagen"):
        network.work_days = _office_days(value)
    elif what in ("comments", "opmerkingen"):
        network.comment_k = _comment_threshold(value)
    elif what in ("timezone", "tz", "tijdzone"):
        raise Refusal(
            N_("I do not know the time zone {zone}. Use a name such as Europe/Amsterdam."),
            zone=esc(value[:64]) or "—",
        )
    else:
        raise Refusal(SETUP_USAGE)


DIGEST_MODES = {
    "group": "group", "groep": "group", "trekkers": "trekkers", "off": "off", "uit": "off",
}  # fmt: skip
DAY_CODES = {
    "ma": 1, "mo": 1, "di": 2, "tu": 2, "wo": 3, "we": 3, "do": 4, "th": 4,
    "vr": 5, "fr": 5, "za": 6, "sa": 6, "zo": 7, "su": 7,
}  # fmt: skip
HOURS_USAGE = N_("Use: /setup hours 09:00-17:00 (start before end).")
DAYS_USAGE = N_("Use: /setup days ma,di,wo,do,vr (or mo,tu,we,th,fr).")


COMMENTS_USAGE = N_(
    "Use: /setup comments 7 (how many people must write a comment before comments are "
    "shown, {low} to {high}), or /setup comments default (the round's k + 2). It applies to "
    "rounds started from now on."
)
COMMENT_RANGE = (3, 50)


def _comment_threshold(value: str) -> int | None:
    if value.lower() in ("default", "standaard"):
        return None
    low, high = COMMENT_RANGE
    if not value.isdigit() or not low <= int(value) <= high:
        raise Refusal(COMMENTS_USAGE, low=low, high=high)
    return int(value)


def _office_hours(value: str) -> tuple[str, str]:
    start, _, end = value.replace(" ", "").partition("-")
    try:
        first, last = dt.time.fromisoformat(start.zfill(5)), dt.time.fromisoformat(end.zfill(5))
    except ValueError:
        raise Refusal(HOURS_USAGE) from None
    if first >= last:
        raise Refusal(HOURS_USAGE)
    return first.strftime("%H:%M"), last.strftime("%H:%M")


def _office_days(value: str) -> str:
    codes = [part[:2].lower() for part in value.replace(" ", ",").split(",") if part]
    if not codes or any(code not in DAY_CODES for code in codes):
        raise Refusal(DAYS_USAGE)
    return "".join(str(day) for day in sorted({DAY_CODES[code] for code in codes}))


async def setup(update: Update, context: Context) -> None:
    """/setup: register the group as a network, or show or change its settings."""
    chat = _group_chat(update)
    user = update.effective_user
    message = update.effective_message
    assert user is not None and message is not None
    is_admin = await is_chat_admin(context, chat.id, user.id)
    async with context.unit_of_work() as session:
        network = await queries.network_by_chat(session, chat.id, for_update=True)
        created = False
        if network is None:
            if not is_admin:
                raise Refusal(ONLY_ADMINS)
            network = await _create_network(session, chat, context)
            if network is None:
                network = await group_network(session, chat.id, for_update=True)
            else:
                created = True
        if not is_admin and not await is_coordinator(session, network.id, user.id):
            raise Refusal(ONLY_COORDINATORS)
        person = await touch_person(session, user)
        member = await queries.ensure_member(session, network, person)
        if created or await queries.coordinator_count(session, network.id) == 0:
            member.is_coordinator = True
        network.active = True
        if message.text and len(message.text.split()) > 1:
            _apply_setting(network, message.text)
            await session.flush()
            await requeue_digest(session, network, context.services.clock.now())
        await session.flush()
        coordinators = await _coordinator_names(session, network)
    text, markup = view.setup_message(
        network.language, network, coordinators, context.bot.username, created=created
    )
    await reply(update, text, markup)


async def setup_language(update: Update, context: Context) -> None:
    """A language button under the setup message."""
    query = _button_in_group(update)
    assert query.message is not None
    _, args = unpack(query.data)
    code = args[0] if args and args[0] in LANGUAGES else None
    if code is None:
        raise Refusal(NO_LONGER_ACTIVE)
    chat_id = query.message.chat.id
    is_admin = await is_chat_admin(context, chat_id, query.from_user.id)
    async with context.unit_of_work() as session:
        network = await group_network(session, chat_id, for_update=True)
        if not is_admin:
            await coordinator_membership(session, network.id, query.from_user.id)
        network.language = code
        coordinators = await _coordinator_names(session, network)
    await query.answer()
    text, markup = view.setup_message(
        code, network, coordinators, context.bot.username, created=False
    )
    await replace(query, text, markup)


async def join(update: Update, context: Context) -> None:
    """/join in the group: the button that opens the private chat to join."""
    chat = _group_chat(update)
    async with context.unit_of_work() as session:
        network = await group_network(session, chat.id)
    text, markup = view.join_invitation(network.language, network, context.bot.username)
    await reply(update, text, markup)


async def members(update: Update, context: Context) -> None:
    """/members: who takes part, by organisation, type and level (coordinators only)."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    if is_group(chat):
        async with context.unit_of_work() as session:
            network = await group_network(session, chat.id)
            await coordinator_membership(session, network.id, user.id)
            everyone = await queries.members_of(session, network.id)
            departed = await queries.departed(session, network.id)
        for part in view.members_overview(network.language, network, everyone, departed):
            await reply(update, part)
        return
    await in_coordinated_network(update, context, "members")


async def _send_members_privately(update: Update, context: Context, network_id: int) -> None:
    user = update.effective_user
    assert user is not None
    lang = await update_language(update, context)
    async with context.unit_of_work() as session:
        network = await session.get(Network, network_id)
        if network is None:
            raise Refusal(NO_LONGER_ACTIVE)
        await coordinator_membership(session, network.id, user.id)
        everyone = await queries.members_of(session, network.id)
        departed = await queries.departed(session, network.id)
    for part in view.members_overview(lang, network, everyone, departed):
        await reply(update, part)


async def pick_network(update: Update, context: Context) -> None:
    """A network chosen from a list in private chat, for a coordinator command."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    command, network_id = (args[0] if args else ""), int_arg(args, 1)
    picked = NETWORK_PICKERS.get(command)
    if picked is None:
        raise Refusal(NO_LONGER_ACTIVE)
    await picked(update, context, network_id)
    await query.answer()


async def appoint_by_reply(update: Update, context: Context) -> None:
    """/coordinator as a reply to someone's message: make them a coordinator."""
    chat = _group_chat(update)
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    target = message.reply_to_message.from_user if message.reply_to_message else None
    if target is None:
        raise Refusal(
            N_(
                "Reply /coordinator to a message of the person you want to appoint, or use "
                "/coordinators to pick from the partners."
            )
        )
    if target.is_bot:
        raise Refusal(N_("Only people can be coordinators."))
    if not await is_chat_member(context, chat.id, target.id):
        raise Refusal(N_("{name} is not a member of this group."), name=esc(target.first_name))
    async with context.unit_of_work() as session:
        network = await group_network(session, chat.id)
        await coordinator_membership(session, network.id, user.id)
        person = await touch_person(session, target)
        member = await queries.ensure_member(session, network, person)
        already = member.is_coordinator
        await _make_coordinator(session, network, member, person, context)
    text = t(
        network.language,
        APPOINTED_ALREADY if already else APPOINTED,
        name=esc(target.first_name),
        network=esc(network.name),
    )
    await reply(update, text)


async def _make_coordinator(
    session: AsyncSession, network: Network, member: Member, person: Person, context: Context
) -> None:
    if member.is_coordinator:
        return
    member.is_coordinator = True
    if person.started and person.reachable:
        await enqueue(
            session,
            kind=Queued.COORDINATOR_APPOINTED,
            chat_id=person.id,
            person_id=person.id,
            network_id=network.id,
            due_at=context.services.clock.now(),
            payload={"network_id": network.id},
        )


async def coordinators(update: Update, context: Context) -> None:
    """/coordinators: the list with buttons to appoint and remove (coordinators only)."""
    chat = _group_chat(update)
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        network = await group_network(session, chat.id)
        await coordinator_membership(session, network.id, user.id)
        everyone = await queries.members_of(session, network.id)
    text, markup = view.coordinators_message(network.language, network, everyone)
    await reply(update, text, markup)


async def change_coordinator(update: Update, context: Context) -> None:
    """A ➕ or ➖ button under the coordinators list."""
    query = _button_in_group(update)
    assert query.message is not None
    kind, args = unpack(query.data)
    member_id = int_arg(args, 0)
    async with context.unit_of_work() as session:
        network = await group_network(session, query.message.chat.id, for_update=True)
        await coordinator_membership(session, network.id, query.from_user.id)
        member = await session.get(Member, member_id)
        if member is None or member.network_id != network.id:
            raise Refusal(NO_LONGER_ACTIVE)
        person = await session.get(Person, member.person_id)
        assert person is not None
        if kind is Cb.COORD_ADD:
            await _make_coordinator(session, network, member, person, context)
        elif member.is_coordinator:
            if await queries.coordinator_count(session, network.id) <= 1:
                raise Refusal(LAST_COORDINATOR, name=esc(person.first_name))
            member.is_coordinator = False
        await session.flush()
        everyone = await queries.members_of(session, network.id)
    await query.answer()
    text, markup = view.coordinators_message(network.language, network, everyone)
    await replace(query, text, markup)


async def member_left(update: Update, context: Context) -> None:
    """Someone left or was removed from a network's group: their rights there end at once
    (told by the service message every bot gets, or by chat_member when the bot is an admin;
    handling both twice is harmless)."""
    chat = update.effective_chat
    gone = _departed_user(update)
    if chat is None or gone is None or gone.id == context.bot.id:
        return
    now = context.services.clock.now()
    async with context.unit_of_work() as session:
        network = await queries.network_by_chat(session, chat.id)
        member = await queries.membership(session, network.id, gone.id) if network else None
        if network is None or member is None:
            return
        was_partner = member.is_partner
        await queries.mark_left(session, member, now)
        if was_partner:
            await representative_left(session, member, network, now)
        if member.person.started and member.person.reachable:
            await enqueue(
                session,
                kind=Queued.MEMBER_LEFT,
                chat_id=gone.id,
                person_id=gone.id,
                network_id=network.id,
                due_at=now,
                payload={"network_id": network.id},
                dedupe_key=f"network:{network.id}:left:{gone.id}:{now:%Y%m%d%H%M%S}",
            )
    dispatch_soon(context)


def _departed_user(update: Update) -> User | None:
    message = update.effective_message
    if message is not None and message.left_chat_member is not None:
        return message.left_chat_member
    change = update.chat_member
    if change is not None and change.new_chat_member.status in LEFT_STATUSES:
        return change.new_chat_member.user
    return None


NETWORK_PICKERS["members"] = _send_members_privately

HANDLERS: list[BaseHandler[Update, Context, None]] = [
    ChatMemberHandler(bot_membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
    MessageHandler(filters.StatusUpdate.MIGRATE, chat_migrated),
    MessageHandler(filters.StatusUpdate.LEFT_CHAT_MEMBER, member_left),
    ChatMemberHandler(member_left, ChatMemberHandler.CHAT_MEMBER),
    CommandHandler(names("setup"), setup),
    CommandHandler(names("join"), join),
    CommandHandler(names("members"), members),
    CommandHandler(names("coordinator"), appoint_by_reply),
    CommandHandler(names("coordinators"), coordinators),
    CallbackQueryHandler(setup_language, pattern(Cb.SETUP_LANGUAGE)),
    CallbackQueryHandler(change_coordinator, pattern(Cb.COORD_ADD, Cb.COORD_REMOVE)),
    CallbackQueryHandler(pick_network, pattern(Cb.PICK_NETWORK)),
]
