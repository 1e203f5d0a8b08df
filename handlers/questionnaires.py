"""/questionnaire: coordinators write a questionnaire of their own (dialogues.questionnaire)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from dialogues.questionnaire import QUESTIONNAIRE, QuestionnaireData
from domain.errors import ONLY_PRIVATE, Refusal
from handlers.base import (
    NETWORK_PICKERS,
    Context,
    chatting_person,
    in_coordinated_network,
    is_private,
    require_coordinator,
)
from views.commands import names

PICKER = "questionnaire"


async def new_questionnaire(update: Update, context: Context) -> None:
    """/questionnaire: write a questionnaire for a network you coordinate (private chat)."""
    if not is_private(update):
        raise Refusal(ONLY_PRIVATE)
    await in_coordinated_network(update, context, PICKER)


async def _begin(update: Update, context: Context, network_id: int) -> None:
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, user)
        network = await require_coordinator(session, network_id, user.id)
        await QUESTIONNAIRE.begin(
            update, context, session, person, lang, network, QuestionnaireData(), in_place=False
        )


NETWORK_PICKERS[PICKER] = _begin

HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler(names("questionnaire"), new_questionnaire),
]
