"""Working groups and their actions: a coordinator starts a group, a partner takes the lead
with one tap, trekkers add actions in private chat and manage them from their reminders."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from domain.callbacks import Cb, int_arg, pattern, unpack
from domain.dates import DateProblem, parse_when
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.text import NameProblem, clean_name, esc
from handlers.base import (
    NOT_IN_NETWORK,
    Context,
    chatting_person,
    group_network,
    is_group,
    is_private,
    replace,
    reply,
    touch_person,
)
from handlers.network import ONLY_COORDINATORS
from handlers.work_schedule import queue_digest, reschedule_action, today_in
from i18n import N_, t
from storage import queries
from storage import workgroups as store
from storage.models import Action, ActionNote, Conversation, Network, Person, Trekker, WorkingGroup
from views import rounds as round_view
from views import workgroups as view

NEW_ACTION = "action"
EDIT_ACTION = "action_edit"
ONLY_PRIVATE = N_("Send me this in a private chat: tap my name and then 'Message'.")
WORKGROUP_USAGE = N_("Use: /workgroup <i>name</i>, optionally followed by | <i>purpose</i>.")
TREKKER_USAGE = N_(
    "Reply to a partner's message with /trekker <i>working group</i> to make them its trekker."
)
UNKNOWN_GROUP = N_("There is no working group called {name}. /workgroups lists them.")
NOT_A_PARTNER = N_("Only partners of this network can lead a working group; join first.")
ALREADY_LED = N_("This working group already has a trekker.")
ONLY_TREKKER = N_("Only the working group's trekker or a coordinator can change its actions.")
NO_GROUPS_TO_ACT = N_("You are not the trekker of a working group, nor a coordinator.")


async def _group_network(update: Update, context: Context, session: AsyncSession) -> Network:
    chat = update.effective_chat
    if not is_group(chat):
        raise Refusal(N_("This works in your network's group, not in a private chat."))
    assert chat is not None
    network = await group_network(session, chat.id)
    return network


async def _coordinator(session: AsyncSession, network_id: int, person_id: int) -> bool:
    member = await queries.membership(session, network_id, person_id)
    return member is not None and member.is_coordinator


async def new_workgroup(update: Update, context: Context) -> None:
    """/workgroup name | purpose: a coordinator starts a working group in the group."""
    user = update.effective_user
    message = update.effective_message
    assert user is not None and message is not None
    async with context.unit_of_work() as session:
        network = await _group_network(update, context, session)
        if not await _coordinator(session, network.id, user.id):
            raise Refusal(ONLY_COORDINATORS)
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
        group = await store.group(session, created.id)
        assert group is not None
        await queue_digest(session, network, context.services.clock.now())
    text, markup = view.new_group(network.language, group)
    await reply(update, text, markup)


async def take_lead(update: Update, context: Context) -> None:
    """🙋 I'll lead this: the first partner to press becomes trekker."""
    query = update.callback_query
    assert query is not None and query.message is not None
    _, args = unpack(query.data)
    user = query.from_user
    async with context.unit_of_work() as session:
        group = await store.group(session, int_arg(args, 0))
        network = await session.get(Network, group.network_id) if group else None
        if group is None or network is None or network.chat_id != query.message.chat.id:
            raise Refusal(NO_LONGER_ACTIVE)
        member = await queries.membership(session, network.id, user.id)
        if member is None or not member.is_partner:
            raise Refusal(NOT_A_PARTNER)
        if group.trekkers:
            raise Refusal(ALREADY_LED)
        person = await touch_person(session, user)
        needs_nudge = await _make_trekker(session, group, person)
        group = await store.group(session, group.id)
        assert group is not None
    await query.answer()
    text, markup = view.new_group(network.language, group)
    await replace(query, text, markup)
    if needs_nudge:
        await _nudge(context, network, person)


async def _make_trekker(session: AsyncSession, group: WorkingGroup, person: Person) -> bool:
    """Add person as trekker (the newest of two gives way); True if they need a nudge."""
    if store.is_trekker(group, person.id):
        return False
    if len(group.trekkers) >= store.MAX_TREKKERS:
        await session.delete(group.trekkers[-1])
    trekker = Trekker(working_group_id=group.id, person_id=person.id, nudged=not person.started)
    session.add(trekker)
    return not person.started


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
        if not await _coordinator(session, network.id, user.id):
            raise Refusal(ONLY_COORDINATORS)
        if target is None or target.is_bot or not name:
            raise Refusal(TREKKER_USAGE)
        group = await store.group_named(session, network.id, name)
        if group is None:
            raise Refusal(UNKNOWN_GROUP, name=esc(name[:100]))
        member = await queries.membership(session, network.id, target.id)
        if member is None or not member.is_partner:
            raise Refusal(NOT_A_PARTNER)
        person = await touch_person(session, target)
        needs_nudge = await _make_trekker(session, group, person)
        await session.flush()
        group = await store.group(session, group.id)
        assert group is not None
    text, _ = view.new_group(network.language, group)
    await reply(update, text)
    if needs_nudge:
        await _nudge(context, network, person)


async def list_groups(update: Update, context: Context) -> None:
    """/workgroups: working groups with trekkers and open/overdue counts."""
    async with context.unit_of_work() as session:
        network = await _group_network(update, context, session)
        today = today_in(network, context.services.clock.now())
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
            today = today_in(network, context.services.clock.now())
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
            coordinator = is_private(update) and await _coordinator(session, network.id, user.id)
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


async def _may_act(session: AsyncSession, group: WorkingGroup, person_id: int) -> None:
    if not (
        store.is_trekker(group, person_id)
        or await _coordinator(session, group.network_id, person_id)
    ):
        raise Refusal(ONLY_TREKKER)


async def action_group_chosen(update: Update, context: Context) -> None:
    """A working group picked for a new action."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    user = query.from_user
    async with context.unit_of_work() as session:
        _, lang = await chatting_person(session, context, user)
        group = await store.group(session, int_arg(args, 0))
        if group is None:
            raise Refusal(NO_LONGER_ACTIVE)
        await _may_act(session, group, user.id)
        conversation = await queries.start_conversation(
            session, user.id, NEW_ACTION, group.network_id, "title"
        )
        conversation.data = {"group_id": group.id}
    await query.answer()
    await replace(query, view.ask_title(lang, group))


async def action_text(
    update: Update, context: Context, session: AsyncSession, conversation: Conversation, lang: str
) -> None:
    """Typed text while adding or changing an action."""
    message = update.effective_message
    assert message is not None and conversation.network_id is not None
    network = await session.get(Network, conversation.network_id)
    assert network is not None
    typed = " ".join((message.text or "").split())
    step = conversation.step
    limits = {
        "title": view.TITLE_LIMIT,
        "owner": view.OWNER_LIMIT,
        "note": view.NOTE_LIMIT,
        "text": view.TITLE_LIMIT,
    }
    if step in limits and not 0 < len(typed) <= limits[step]:
        await reply(update, view.text_problem(lang, limits[step]))
        return
    if conversation.kind == EDIT_ACTION:
        await _edit_typed(update, context, session, conversation, network, typed, lang)
        return
    if step == "title":
        conversation.data = {**conversation.data, "title": typed}
        conversation.step = "owner"
        text, markup = view.ask_owner(lang)
        await reply(update, text, markup)
    elif step == "owner":
        conversation.data = {**conversation.data, "owner_text": typed}
        conversation.step = "due"
        await reply(update, view.ask_due(lang))
    elif step == "due":
        due = await _typed_date(update, network, typed, lang, context)
        if due is None:
            return
        conversation.data = {**conversation.data, "due": due.isoformat()}
        conversation.step = "confirm"
        text, markup = view.confirm_due(lang, due)
        await reply(update, text, markup)


async def _typed_date(
    update: Update, network: Network, typed: str, lang: str, context: Context
) -> dt.date | None:
    now = context.services.clock.now().astimezone(ZoneInfo(network.timezone))
    try:
        parsed = parse_when(typed, now.replace(hour=0, minute=0, second=0, microsecond=0))
    except DateProblem as problem:
        await reply(update, round_view.date_problem(lang, str(problem)))
        return None
    if parsed.moment.date() < now.date():
        await reply(update, round_view.date_problem(lang, "past"))
        return None
    return parsed.moment.date()


async def owner_me(update: Update, context: Context) -> None:
    """🙋 Me: the person adding the action is responsible."""
    query = update.callback_query
    assert query is not None
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, query.from_user)
        conversation = await _conversation(session, person.id, NEW_ACTION, "owner")
        conversation.data = {**conversation.data, "owner_me": True}
        conversation.step = "due"
    await query.answer()
    await replace(query, view.ask_due(lang))


async def _conversation(
    session: AsyncSession, person_id: int, kind: str, step: str
) -> Conversation:
    conversation = await queries.conversation_of(session, person_id)
    if conversation is None or conversation.kind != kind or conversation.step != step:
        raise Refusal(NO_LONGER_ACTIVE)
    return conversation


async def save_or_redate(update: Update, context: Context) -> None:
    """✅ Save (the action is created and its reminders queued) or ✏️ Other date."""
    query = update.callback_query
    assert query is not None
    kind, _ = unpack(query.data)
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, query.from_user)
        conversation = await _conversation(session, person.id, NEW_ACTION, "confirm")
        if kind is Cb.WG_OTHER_DATE:
            conversation.step = "due"
            text, markup = view.ask_due(lang), None
        else:
            data = conversation.data
            group = await store.group(session, int(data["group_id"]))
            if group is None:
                raise Refusal(NO_LONGER_ACTIVE)
            await _may_act(session, group, person.id)
            action = Action(
                working_group_id=group.id,
                title=str(data["title"]),
                owner_person_id=person.id if data.get("owner_me") else None,
                owner_text=None if data.get("owner_me") else str(data.get("owner_text") or ""),
                due_on=dt.date.fromisoformat(str(data["due"])),
                state="open",
            )
            session.add(action)
            await session.flush()
            network = await session.get(Network, group.network_id)
            assert network is not None
            await reschedule_action(session, action, network, context.services.clock.now())
            await queries.end_conversation(session, person.id)
            text, markup = view.saved(lang, action), None
    await query.answer()
    await replace(query, text, markup)


# --- changing an action: from its card or a reminder ------------------------------------------


async def show_card(update: Update, context: Context) -> None:
    """An action picked from /actions: its card with the buttons."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, query.from_user)
        action, network = await _own_action(session, int_arg(args, 0), person.id)
        notes = await store.notes(session, action.id)
        text, markup = view.action_card(
            lang,
            action,
            action.working_group,
            notes,
            today_in(network, context.services.clock.now()),
        )
    await query.answer()
    await reply(update, text, markup)


async def _own_action(
    session: AsyncSession, action_id: int, person_id: int
) -> tuple[Action, Network]:
    action = await store.action(session, action_id)
    if action is None:
        raise Refusal(NO_LONGER_ACTIVE)
    await _may_act(session, action.working_group, person_id)
    network = await session.get(Network, action.working_group.network_id)
    assert network is not None
    return action, network


async def act(update: Update, context: Context) -> None:
    """Done, a week later, other date, note, other owner, text, cancel — on an action."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    what = args[1] if len(args) > 1 else ""
    now = context.services.clock.now()
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, query.from_user)
        action, network = await _own_action(session, int_arg(args, 0), person.id)
        if action.state != "open":
            raise Refusal(NO_LONGER_ACTIVE)
        prompt = None
        if what == "done":
            action.state, action.done_at = "done", now
        elif what == "cancel":
            action.state = "cancelled"
        elif what == "week":
            action.due_on = max(action.due_on, today_in(network, now)) + dt.timedelta(days=7)
        elif what in ("date", "note", "owner", "text"):
            conversation = await queries.start_conversation(
                session, person.id, EDIT_ACTION, network.id, what
            )
            conversation.data = {"action_id": action.id}
            prompt = {
                "date": view.ask_due(lang),
                "note": t(
                    lang,
                    "Type your progress note (at most {limit} characters).",
                    limit=view.NOTE_LIMIT,
                ),
                "owner": t(lang, "Type who is responsible now: a name or an organisation."),
                "text": t(lang, "Type the new text of the action."),
            }[what]
        else:
            raise Refusal(NO_LONGER_ACTIVE)
        await reschedule_action(session, action, network, now)
        notes = await store.notes(session, action.id)
        text, markup = view.action_card(
            lang, action, action.working_group, notes, today_in(network, now)
        )
    await query.answer()
    await replace(query, text, markup)
    if prompt is not None:
        await reply(update, prompt)


async def _edit_typed(
    update: Update,
    context: Context,
    session: AsyncSession,
    conversation: Conversation,
    network: Network,
    typed: str,
    lang: str,
) -> None:
    now = context.services.clock.now()
    action, _ = await _own_action(
        session, int(conversation.data["action_id"]), conversation.person_id
    )
    if action.state != "open":
        raise Refusal(NO_LONGER_ACTIVE)
    if conversation.step == "date":
        due = await _typed_date(update, network, typed, lang, context)
        if due is None:
            return
        action.due_on = due
    elif conversation.step == "note":
        session.add(ActionNote(action_id=action.id, author_id=conversation.person_id, text=typed))
    elif conversation.step == "owner":
        action.owner_person_id, action.owner_text = None, typed
    else:
        action.title = typed
    await queries.end_conversation(session, conversation.person_id)
    await reschedule_action(session, action, network, now)
    await session.flush()
    action, _ = await _own_action(session, action.id, conversation.person_id)
    notes = await store.notes(session, action.id)
    text, markup = view.action_card(
        lang, action, action.working_group, notes, today_in(network, now)
    )
    await reply(update, text, markup)


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("workgroup", new_workgroup),
    CommandHandler("trekker", appoint_trekker),
    CommandHandler("workgroups", list_groups),
    CommandHandler("action", new_action),
    CommandHandler("actions", list_actions),
    CallbackQueryHandler(take_lead, pattern(Cb.WG_TAKE)),
    CallbackQueryHandler(action_group_chosen, pattern(Cb.WG_ACTION_GROUP)),
    CallbackQueryHandler(owner_me, pattern(Cb.WG_OWNER_ME)),
    CallbackQueryHandler(save_or_redate, pattern(Cb.WG_SAVE, Cb.WG_OTHER_DATE)),
    CallbackQueryHandler(show_card, pattern(Cb.WG_CARD)),
    CallbackQueryHandler(act, pattern(Cb.WG_ACT)),
]
