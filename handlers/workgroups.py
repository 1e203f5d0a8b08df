"""Working groups and their actions: a coordinator starts a group, a partner takes the lead
with one tap, trekkers add actions in private chat and manage them from their reminders."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from dialogues.actions import (
    EDIT_ACTION,
    NEW_ACTION,
    EditData,
    EditStep,
    NewActionData,
    may_act,
    open_action,
)
from domain.callbacks import Cb, int_arg, pattern, unpack
from domain.errors import NO_LONGER_ACTIVE, ONLY_PRIVATE, Refusal
from domain.text import NameProblem, clean_name, esc
from handlers.base import (
    NOT_IN_NETWORK,
    Context,
    acknowledge,
    chatting_person,
    coordinator_membership,
    dispatch_soon,
    group_network,
    is_coordinator,
    is_group,
    is_private,
    replace,
    reply,
    touch_person,
)
from i18n import N_
from schedules.actions import queue_digest, reschedule_action
from schedules.kinds import Queued
from schedules.outbox import enqueue
from storage import queries
from storage import workgroups as store
from storage.models import Action, Network, Person, Trekker, WorkingGroup
from views import workgroups as view
from views.commands import names

WORKGROUP_USAGE = N_("Use: /workgroup <i>name</i>, optionally followed by | <i>purpose</i>.")
TREKKER_USAGE = N_(
    "Reply to a partner's message with /trekker <i>working group</i> to make them its trekker."
)
UNKNOWN_GROUP = N_("There is no working group called {name}. /workgroups lists them.")
NOT_A_PARTNER = N_("Only partners of this network can lead a working group; join first.")
ALREADY_LED = N_("This working group already has a trekker.")
NO_GROUPS_TO_ACT = N_("You are not the trekker of a working group, nor a coordinator.")


async def _group_network(update: Update, context: Context, session: AsyncSession) -> Network:
    chat = update.effective_chat
    if not is_group(chat):
        raise Refusal(N_("This works in your network's group, not in a private chat."))
    assert chat is not None
    network = await group_network(session, chat.id)
    return network


async def new_workgroup(update: Update, context: Context) -> None:
    """/workgroup name | purpose: a coordinator starts a working group in the group."""
    user = update.effective_user
    message = update.effective_message
    assert user is not None and message is not None
    async with context.unit_of_work() as session:
        network = await _group_network(update, context, session)
        await coordinator_membership(session, network.id, user.id)
        _, _, rest = (message.text or "").partition(" ")
        name_part, _, purpose_part = rest.partition("|")
        try:
            name = clean_name(name_part)
        except NameProblem:
            raise Refusal(WORKGROUP_USAGE) from None
        purpose = " ".join(purpose_part.split())[:500] or None
        created = WorkingGroup(network_id=network.id, name=name, purpose=purpose)
        session.add(created)
        await session.flush()
        now = context.services.clock.now()
        # The card is queued with the group it announces: a failed call is retried, and the
        # group (and its 'I'll lead this' button) never exists unseen.
        await enqueue(
            session,
            kind=Queued.WORKGROUP_CARD,
            chat_id=network.chat_id,
            network_id=network.id,
            due_at=now,
            payload={"group_id": created.id},
            dedupe_key=f"workgroup:{created.id}:card",
        )
        await queue_digest(session, network, now)
    dispatch_soon(context)


async def take_lead(update: Update, context: Context) -> None:
    """🙋 I'll lead this: the first partner to press becomes trekker."""
    query = update.callback_query
    assert query is not None and query.message is not None
    _, args = unpack(query.data)
    user = query.from_user
    async with context.unit_of_work() as session:
        group = await store.group(session, int_arg(args, 0), lock=True)
        network = await session.get(Network, group.network_id) if group else None
        if group is None or network is None or network.chat_id != query.message.chat.id:
            raise Refusal(NO_LONGER_ACTIVE)
        member = await queries.membership(session, network.id, user.id)
        if member is None or not member.is_partner:
            raise Refusal(NOT_A_PARTNER)
        if group.trekkers:
            raise Refusal(ALREADY_LED)
        person = await touch_person(session, user)
        needs_nudge = await _make_trekker(session, group, person, user.id, context)
        group = await store.group(session, group.id)
        assert group is not None
    dispatch_soon(context)
    await query.answer()
    text, markup = view.new_group(network.language, group)
    await replace(query, text, markup)
    if needs_nudge:
        await _nudge(context, network, person)


async def _make_trekker(
    session: AsyncSession, group: WorkingGroup, person: Person, by: int, context: Context
) -> bool:
    """Add person as trekker (the newest of two gives way) and tell them in private; True if
    they never opened a private chat and need a nudge in the group instead."""
    if store.is_trekker(group, person.id):
        return False
    if len(group.trekkers) >= store.MAX_TREKKERS:
        await session.delete(group.trekkers[-1])
    trekker = Trekker(working_group_id=group.id, person_id=person.id, nudged=not person.started)
    session.add(trekker)
    if not person.started or not person.reachable:
        return not person.started
    await enqueue(
        session,
        kind=Queued.TREKKER_APPOINTED,
        chat_id=person.id,
        person_id=person.id,
        network_id=group.network_id,
        due_at=context.services.clock.now(),
        payload={"group_id": group.id, "by_self": by == person.id},
    )
    return False


async def _nudge(context: Context, network: Network, person: Person) -> None:
    text, markup = view.nudge(network.language, person.first_name, context.bot.username)
    await context.bot.send_message(
        network.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )


async def appoint_trekker(update: Update, context: Context) -> None:
    """/trekker <working group> as a reply: a coordinator makes someone its trekker."""
    user = update.effective_user
    message = update.effective_message
    assert user is not None and message is not None
    target = message.reply_to_message.from_user if message.reply_to_message else None
    name = " ".join(context.args or [])
    async with context.unit_of_work() as session:
        network = await _group_network(update, context, session)
        await coordinator_membership(session, network.id, user.id)
        if target is None or target.is_bot or not name:
            raise Refusal(TREKKER_USAGE)
        named = await store.group_named(session, network.id, name)
        group = await store.group(session, named.id, lock=True) if named else None
        if group is None:
            raise Refusal(UNKNOWN_GROUP, name=esc(name[:100]))
        member = await queries.membership(session, network.id, target.id)
        if member is None or not member.is_partner:
            raise Refusal(NOT_A_PARTNER)
        person = await touch_person(session, target)
        needs_nudge = await _make_trekker(session, group, person, user.id, context)
        await session.flush()
        group = await store.group(session, group.id)
        assert group is not None
    dispatch_soon(context)
    text, _ = view.new_group(network.language, group)
    await reply(update, text)
    if needs_nudge:
        await _nudge(context, network, person)


async def list_groups(update: Update, context: Context) -> None:
    """/workgroups: working groups with trekkers and open/overdue counts."""
    async with context.unit_of_work() as session:
        network = await _group_network(update, context, session)
        today = network.today(context.services.clock.now())
        numbers = await store.counts(session, network.id, today)
        groups = [
            view.GroupCounts(g, *numbers.get(g.id, (0, 0)))
            for g in await store.groups_of(session, network.id)
        ]
    for part in view.group_list(network.language, network, groups):
        await reply(update, part)


async def list_actions(update: Update, context: Context) -> None:
    """/actions: open actions per working group, overdue first (group or private chat)."""
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        if is_private(update):
            _, lang = await chatting_person(session, context, user)
            networks = [m.network for m in await queries.memberships_of(session, user.id)]
            if not networks:
                raise Refusal(NOT_IN_NETWORK)
        else:
            network = await _group_network(update, context, session)
            lang, networks = network.language, [network]
        messages: list[tuple[str, object]] = []
        for network in networks:
            today = network.today(context.services.clock.now())
            # The group chat gets the most pressing few per working group; private chat all.
            totals: dict[int, int] | None = None
            if is_private(update):
                by_group = await store.open_actions_by_group(session, network.id)
            else:
                by_group, totals = await store.most_pressing_actions(
                    session, network.id, view.GROUP_CHAT_ACTIONS
                )
            groups = [
                (g, by_group.get(g.id, [])) for g in await store.groups_of(session, network.id)
            ]
            coordinator = is_private(update) and await is_coordinator(session, network.id, user.id)
            mine = [
                a
                for g, acts in groups
                for a in acts
                if is_private(update) and (coordinator or store.is_trekker(g, user.id))
            ]
            parts = view.actions_list(lang, network, groups, today, totals=totals)
            messages.extend((part, None) for part in parts[:-1])
            messages.append((parts[-1], view.pick_action(lang, mine) if mine else None))
    for text, markup in messages:
        await reply(update, text, markup)  # type: ignore[arg-type]


# --- a new action, in private chat ---------------------------------------------------------


async def new_action(update: Update, context: Context) -> None:
    """/action: add an action to a working group you lead (or any, as a coordinator)."""
    if not is_private(update):
        raise Refusal(ONLY_PRIVATE)
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        _, lang = await chatting_person(session, context, user)
        groups = await _groups_to_act_in(session, user.id)
    if not groups:
        raise Refusal(NO_GROUPS_TO_ACT)
    text, markup = view.choose_group(lang, groups)
    await reply(update, text, markup)


async def _groups_to_act_in(session: AsyncSession, person_id: int) -> list[WorkingGroup]:
    found = []
    for member in await queries.memberships_of(session, person_id):
        for group in await store.groups_of(session, member.network_id):
            if member.is_coordinator or store.is_trekker(group, person_id):
                found.append(group)
    return found


async def action_group_chosen(update: Update, context: Context) -> None:
    """A working group picked for a new action."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    user = query.from_user
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, user)
        group = await store.group(session, int_arg(args, 0))
        network = await session.get(Network, group.network_id) if group else None
        if group is None or network is None or not network.active:
            raise Refusal(NO_LONGER_ACTIVE)
        await may_act(session, group, user.id)
        await acknowledge(query)
        await NEW_ACTION.begin(
            update, context, session, person, lang, network, NewActionData(group.id)
        )


# --- changing an action: from its card or a reminder ------------------------------------------


async def show_card(update: Update, context: Context) -> None:
    """An action picked from /actions: its card with the buttons."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, query.from_user)
        action, network = await open_action(session, int_arg(args, 0), person.id)
        notes = await store.notes(session, action.id)
        text, markup = view.action_card(
            lang,
            action,
            action.working_group,
            notes,
            network.today(context.services.clock.now()),
        )
    await query.answer()
    await reply(update, text, markup)


def _apply(what: str, action: Action, network: Network, now: dt.datetime) -> EditStep | None:
    """Done, a week later or cancel applied to the action; or the change to ask about next."""
    if what == "done":
        action.state, action.done_at = "done", now
    elif what == "cancelyes":  # confirmed: 'cancel' itself only asks
        action.state = "cancelled"
    elif what == "keep":
        pass
    elif what == "week":
        action.due_on = max(action.due_on, network.today(now)) + dt.timedelta(days=7)
    elif what in EditStep._value2member_map_:
        return EditStep(what)
    else:
        raise Refusal(NO_LONGER_ACTIVE)
    return None


async def act(update: Update, context: Context) -> None:
    """Done, a week later, cancel — or start changing a date, note, owner or text — on an
    action, from its card or a reminder."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    what = args[1] if len(args) > 1 else ""
    now = context.services.clock.now()
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, query.from_user)
        action, network = await open_action(session, int_arg(args, 0), person.id)
        if action.state != "open":
            raise Refusal(NO_LONGER_ACTIVE)
        if what == "cancel":
            await acknowledge(query)
            await replace(query, *view.confirm_cancel(lang, action))
            return
        change = _apply(what, action, network, now)
        await reschedule_action(session, action, network, now)
        notes = await store.notes(session, action.id)
        text, markup = view.action_card(
            lang, action, action.working_group, notes, network.today(now)
        )
        await acknowledge(query, view.acted(lang, what, action))
        await replace(query, text, markup)
        if change is not None:
            await EDIT_ACTION.begin(
                update,
                context,
                session,
                person,
                lang,
                network,
                EditData(action.id),
                change,
                in_place=False,
            )


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler(names("workgroup"), new_workgroup),
    CommandHandler(names("trekker"), appoint_trekker),
    CommandHandler(names("workgroups"), list_groups),
    CommandHandler(names("action"), new_action),
    CommandHandler(names("actions"), list_actions),
    CallbackQueryHandler(take_lead, pattern(Cb.WG_TAKE)),
    CallbackQueryHandler(action_group_chosen, pattern(Cb.WG_ACTION_GROUP)),
    CallbackQueryHandler(show_card, pattern(Cb.WG_CARD)),
    CallbackQueryHandler(act, pattern(Cb.WG_ACT)),
]
