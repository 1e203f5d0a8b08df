"""Coordinators write a questionnaire of their own: a name, then items with their scale anchors."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from domain.callbacks import Cb, pattern
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.text import NameProblem, clean_name
from handlers.base import (
    NETWORK_PICKERS,
    Context,
    chatting_person,
    in_coordinated_network,
    is_private,
    replace,
    reply,
)
from handlers.network import ONLY_COORDINATORS
from i18n import N_
from storage import queries
from storage.models import Conversation, CustomItem, CustomQuestionnaire, Network
from views import questionnaires as view

QUESTIONNAIRE = "questionnaire"
ONLY_PRIVATE = N_("Send me this in a private chat: tap my name and then 'Message'.")


async def new_questionnaire(update: Update, context: Context) -> None:
    """/questionnaire: write a questionnaire for a network you coordinate (private chat)."""
    if not is_private(update):
        raise Refusal(ONLY_PRIVATE)
    await in_coordinated_network(update, context, QUESTIONNAIRE)


async def _begin(update: Update, context: Context, network_id: int) -> None:
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        _, lang = await chatting_person(session, context, user)
        network = await _coordinated_network(session, network_id, user.id)
        await queries.start_conversation(session, user.id, QUESTIONNAIRE, network.id, "name")
    await reply(update, view.ask_name(lang, network))


async def _coordinated_network(session: AsyncSession, network_id: int, person_id: int) -> Network:
    member = await queries.membership(session, network_id, person_id)
    if member is None or not member.is_coordinator:
        raise Refusal(ONLY_COORDINATORS)
    network = await session.get(Network, network_id)
    assert network is not None
    return network


def _parse_item(text: str) -> tuple[str, str, str]:
    parts = [" ".join(part.split()) for part in text.split("|")]
    if len(parts) != 3 or not all(parts):
        raise ValueError("shape")
    question, low, high = parts
    if len(question) > view.QUESTION_LIMIT or max(len(low), len(high)) > view.ANCHOR_LIMIT:
        raise ValueError("too_long")
    return question, low, high


async def questionnaire_text(
    update: Update, session: AsyncSession, conversation: Conversation, lang: str
) -> None:
    """A typed name or item while writing a questionnaire."""
    message = update.effective_message
    assert message is not None and conversation.network_id is not None
    await _coordinated_network(session, conversation.network_id, conversation.person_id)
    data = dict(conversation.data)
    if conversation.step == "name":
        try:
            name = clean_name(message.text)
        except NameProblem:
            await reply(update, view.ask_name(lang, await _network(session, conversation)))
            return
        conversation.data = {"name": name, "items": []}
        conversation.step = "items"
        text, markup = view.ask_items(lang, name, 0)
        await reply(update, text, markup)
        return
    items = list(data.get("items", []))
    if len(items) >= view.MAX_ITEMS:
        await reply(update, view.item_problem(lang, "too_many"))
        return
    try:
        items.append(list(_parse_item(message.text or "")))
    except ValueError as problem:
        await reply(update, view.item_problem(lang, str(problem)))
        return
    conversation.data = {**data, "items": items}
    text, markup = view.ask_items(lang, data["name"], len(items))
    await reply(update, text, markup)


async def _network(session: AsyncSession, conversation: Conversation) -> Network:
    network = await session.get(Network, conversation.network_id)
    assert network is not None
    return network


async def done(update: Update, context: Context) -> None:
    """✅ Done: save the questionnaire."""
    query = update.callback_query
    assert query is not None
    user = query.from_user
    async with context.unit_of_work() as session:
        _, lang = await chatting_person(session, context, user)
        conversation = await queries.conversation_of(session, user.id)
        if (
            conversation is None
            or conversation.kind != QUESTIONNAIRE
            or conversation.step != "items"
        ):
            raise Refusal(NO_LONGER_ACTIVE)
        assert conversation.network_id is not None
        await _coordinated_network(session, conversation.network_id, user.id)
        items = conversation.data.get("items") or []
        if not items:
            raise Refusal(NO_LONGER_ACTIVE)
        name = str(conversation.data["name"])
        custom = CustomQuestionnaire(network_id=conversation.network_id, name=name)
        custom.items = [
            CustomItem(position=index, question=question, low=low, high=high)
            for index, (question, low, high) in enumerate(items, start=1)
        ]
        session.add(custom)
        await queries.end_conversation(session, user.id)
    await query.answer()
    await replace(query, view.saved(lang, name, len(items)))


NETWORK_PICKERS[QUESTIONNAIRE] = _begin

HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("questionnaire", new_questionnaire),
    CallbackQueryHandler(done, pattern(Cb.QUESTIONNAIRE_DONE)),
]
