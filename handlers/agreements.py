"""Comfort agreements and ground rules: coordinators record them (private chat), everyone in the
network can read them and their history."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from dialogues.agreeing import NEW_AGREEMENT, NEW_TEXT, AgreementData, NewTextData
from domain.callbacks import Cb, int_arg, pattern, unpack
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.text import esc
from handlers.base import (
    NETWORK_PICKERS,
    NOT_IN_NETWORK,
    Context,
    acknowledge,
    chatting_person,
    group_network,
    in_coordinated_network,
    is_group,
    is_private,
    reply,
    require_coordinator,
    touch_person,
)
from i18n import N_, person_language
from storage import agreements as store
from storage import queries
from storage.models import (
    Network,
)
from views import agreements as view
from views.commands import names

NEW = "agreement"  # the network picker of /agreement
RULES = "setrules"  # the network picker of /setrules
UNKNOWN = N_("There is no agreement called {name}. /agreements lists them.")
NO_ORGANISATIONS = N_("There are no organisations in this network yet: partners join first.")


def _today(network: Network, context: Context) -> dt.date:
    return context.services.clock.now().astimezone(ZoneInfo(network.timezone)).date()


async def _my_networks(
    update: Update, context: Context, session: AsyncSession
) -> tuple[list[Network], str]:
    """The networks this command is about (the group's; in private chat every network the
    person is in, not just the first), and the language to answer in."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    if is_group(chat):
        network = await group_network(session, chat.id)
        return [network], network.language
    person = await touch_person(session, user, started=True)
    memberships = await queries.memberships_of(session, user.id)
    if not memberships:
        raise Refusal(NOT_IN_NETWORK)
    lang = person_language(person, user, context.services.settings.default_language)
    return [m.network for m in memberships], lang


async def list_agreements(update: Update, context: Context) -> None:
    """/agreements: every agreement with its next review and last outcome, per network."""
    async with context.unit_of_work() as session:
        networks, lang = await _my_networks(update, context, session)
        for network in networks:
            items = []
            for item in await store.agreements_of(session, network.id):
                reviews = await store.reviews_of(session, item.id)
                closed = [r for r in reviews if r.state == "closed"]
                items.append((item, closed[-1].outcome if closed else None))
            for part in view.listing(lang, network, items):
                await reply(update, part)


async def agreement(update: Update, context: Context) -> None:
    """/agreement <title>: the text and history (found in any of the person's networks);
    without a title (private): record a new one."""
    name = " ".join(context.args or [])
    if not name:
        await _new(update, context)
        return
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        networks, lang = await _my_networks(update, context, session)
        found = []
        for network in networks:
            item = await store.agreement_named(session, network.id, name)
            if item is not None:
                found.append((network, item))
        if not found:
            raise Refusal(UNKNOWN, name=esc(name[:100]))
        for network, item in found:
            reviews = [
                (r, await store.answers_of(session, r.id))
                for r in await store.reviews_of(session, item.id)
            ]
            member = await queries.membership(session, network.id, user.id)
            editable = is_private(update) and member is not None and member.is_coordinator
            parts = view.history(lang, item, reviews)
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                button = last and editable and item.state == "active"
                await reply(update, part, view.edit_button(lang, item) if button else None)


async def show_rules(update: Update, context: Context) -> None:
    """/rules: the ground rules of the network (in private chat: of each of the person's)."""
    async with context.unit_of_work() as session:
        networks, lang = await _my_networks(update, context, session)
        for network in networks:
            item = await store.rules_of(session, network.id)
            await reply(update, view.rules(lang, network, item))


# --- recording (coordinators, private chat) --------------------------------------------------


async def _new(update: Update, context: Context) -> None:
    if not is_private(update):
        raise Refusal(N_("Send me this in a private chat: tap my name and then 'Message'."))
    await in_coordinated_network(update, context, NEW)


async def _begin(update: Update, context: Context, network_id: int) -> None:
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, user)
        network = await require_coordinator(session, network_id, user.id)
        if not await queries.organisations_of(session, network.id):
            raise Refusal(NO_ORGANISATIONS)
        await NEW_AGREEMENT.begin(
            update, context, session, person, lang, network, AgreementData(), in_place=False
        )


# --- a new text (after "adjust"), and ground rules ---------------------------------------------


async def edit_text(update: Update, context: Context) -> None:
    """✏️ New text under an agreement (coordinators, private chat)."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    user = query.from_user
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, user)
        item = await store.agreement(session, int_arg(args, 0))
        if item is None or item.state != "active":
            raise Refusal(NO_LONGER_ACTIVE)
        network = await require_coordinator(session, item.network_id, user.id)
        await acknowledge(query)
        await NEW_TEXT.begin(
            update, context, session, person, lang, network, NewTextData(item.id), in_place=False
        )


async def set_rules(update: Update, context: Context) -> None:
    """/setrules: record (a new version of) the network's ground rules (coordinators)."""
    if not is_private(update):
        raise Refusal(N_("Send me this in a private chat: tap my name and then 'Message'."))
    await in_coordinated_network(update, context, RULES)


async def _begin_rules(update: Update, context: Context, network_id: int) -> None:
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, user)
        network = await require_coordinator(session, network_id, user.id)
        await NEW_TEXT.begin(
            update, context, session, person, lang, network, NewTextData(rules=True), in_place=False
        )


NETWORK_PICKERS[NEW] = _begin
NETWORK_PICKERS[RULES] = _begin_rules

HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler(names("agreements"), list_agreements),
    CommandHandler(names("agreement"), agreement),
    CommandHandler(names("rules"), show_rules),
    CommandHandler(names("setrules"), set_rules),
    CallbackQueryHandler(edit_text, pattern(Cb.AGREEMENT_EDIT)),
]
