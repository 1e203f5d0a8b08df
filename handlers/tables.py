"""Representative tables: /tafels (/tables) shows who sits at which table since when; /tafel
(/table) sets up a new one (coordinators, private chat) or shows one with its history; the
seats are chosen anew from its button, and a rotation's proposal is accepted or changed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from dialogues.tables import (
    TABLE_NEW,
    TABLE_SEATS,
    NewTableData,
    SeatsData,
    proposed_seats,
    seats_now,
)
from domain.callbacks import Cb, int_arg, pattern, unpack
from domain.errors import NO_LONGER_ACTIVE, ONLY_PRIVATE, Refusal
from domain.text import esc
from handlers.base import (
    NETWORK_PICKERS,
    NOT_IN_NETWORK,
    Context,
    acknowledge,
    chatting_person,
    dispatch_soon,
    group_network,
    in_coordinated_network,
    is_group,
    is_private,
    replace,
    reply,
    require_coordinator,
)
from i18n import N_
from schedules.tables import finish_rotation
from storage import queries
from storage import tables as store
from storage.models import Network, RepTable
from views import tables as view
from views.commands import names

NEW = "table"  # the network picker of /table
UNKNOWN = N_("There is no table called {name}. /tables lists them.")
DECIDED = N_("This rotation has been decided already.")


async def _networks(
    update: Update, context: Context, session: AsyncSession
) -> tuple[list[Network], str]:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    if is_group(chat):
        network = await group_network(session, chat.id)
        return [network], network.language
    person, lang = await chatting_person(session, context, user)
    networks = [m.network for m in await queries.memberships_of(session, person.id)]
    if not networks:
        raise Refusal(NOT_IN_NETWORK)
    return networks, lang


async def list_tables(update: Update, context: Context) -> None:
    """/tafels: every table of the network (in private chat: of each of the person's)."""
    async with context.unit_of_work() as session:
        networks, lang = await _networks(update, context, session)
        for network in networks:
            for part in view.listing(lang, network, await store.tables_of(session, network.id)):
                await reply(update, part)


async def table(update: Update, context: Context) -> None:
    """/tafel <name>: one table and who sat there before; without a name (private, for
    coordinators): a new table."""
    name = " ".join(context.args or []).strip()
    if not name:
        if not is_private(update):
            raise Refusal(ONLY_PRIVATE)
        await in_coordinated_network(update, context, NEW)
        return
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        networks, lang = await _networks(update, context, session)
        found = [
            (network, item)
            for network in networks
            if (item := await store.table_named(session, network.id, name)) is not None
        ]
        if not found:
            raise Refusal(UNKNOWN, name=esc(name[:60]))
        for network, item in found:
            member = await queries.membership(session, network.id, user.id)
            editable = is_private(update) and member is not None and member.is_coordinator
            text = view.table_block(lang, item)
            before = view.history(lang, item)
            if before:
                text += "\n\n" + before
            await reply(update, text, view.edit_button(lang, item) if editable else None)


async def _begin_new(update: Update, context: Context, network_id: int) -> None:
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, user)
        network = await require_coordinator(session, network_id, user.id)
        await TABLE_NEW.begin(
            update, context, session, person, lang, network, NewTableData(), in_place=False
        )


async def _pressed_table(
    update: Update, context: Context, session: AsyncSession, item: RepTable | None
) -> tuple[RepTable, Network]:
    query = update.callback_query
    assert query is not None
    if item is None:
        raise Refusal(NO_LONGER_ACTIVE)
    network = await require_coordinator(session, item.network_id, query.from_user.id)
    return item, network


async def edit_seats(update: Update, context: Context) -> None:
    """✏️ Change the seats (coordinators)."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, query.from_user)
        item, network = await _pressed_table(
            update, context, session, await store.table(session, int_arg(args, 0))
        )
        await acknowledge(query)
        data = SeatsData(item.id, seats_now(item))
        await TABLE_SEATS.begin(
            update, context, session, person, lang, network, data, in_place=False
        )


async def rotation_pressed(update: Update, context: Context) -> None:
    """✅ Accept the proposal, or ✏️ choose the seats yourself (starting from the proposal)."""
    query = update.callback_query
    assert query is not None
    kind, args = unpack(query.data)
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, query.from_user)
        rotation = await store.rotation(session, int_arg(args, 0))
        item = await store.table(session, rotation.table_id) if rotation else None
        item, network = await _pressed_table(update, context, session, item)
        assert rotation is not None
        if rotation.state != "proposed":
            raise Refusal(DECIDED)
        wanted = proposed_seats(item, rotation.leaving, rotation.joining)
        await acknowledge(query)
        if kind is Cb.ROTATION_CHANGE:
            data = SeatsData(item.id, wanted, rotation.id)
            await TABLE_SEATS.begin(
                update, context, session, person, lang, network, data, in_place=False
            )
            return
        now = context.services.clock.now()
        await finish_rotation(session, rotation, item, network, wanted, person.id, now)
        await replace(query, view.rotation_done(lang, item, person.first_name))
    dispatch_soon(context)


NETWORK_PICKERS[NEW] = _begin_new

HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler(names("tables"), list_tables),
    CommandHandler(names("table"), table),
    CallbackQueryHandler(edit_seats, pattern(Cb.TABLE_EDIT)),
    CallbackQueryHandler(rotation_pressed, pattern(Cb.ROTATION_ACCEPT, Cb.ROTATION_CHANGE)),
]
