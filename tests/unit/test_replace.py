"""An edit that would not change the message is not sent (Telegram refuses it as 'message is
not modified'); any real change is."""

from __future__ import annotations

import datetime as dt

import pytest
from telegram import CallbackQuery, Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, User

from handlers.base import replace

MARKUP = InlineKeyboardMarkup([[InlineKeyboardButton("Klaar", callback_data="wx:1:done")]])


def pressed(text: str, markup: InlineKeyboardMarkup | None) -> CallbackQuery:
    message = Message(
        message_id=7,
        date=dt.datetime(2026, 12, 2, tzinfo=dt.UTC),
        chat=Chat(5, Chat.PRIVATE),
        text=text,
        reply_markup=markup,
    )
    return CallbackQuery("q1", User(5, "Anna", False), "chat", message=message)


async def test_the_same_text_and_buttons_are_not_sent_again() -> None:
    await replace(pressed("Typ je notitie", MARKUP), "Typ je notitie", MARKUP)  # no bot needed


@pytest.mark.parametrize(
    ("text", "markup"), [("Typ je notitie.", MARKUP), ("Typ je notitie", None)]
)
async def test_a_real_change_is_sent(text: str, markup: InlineKeyboardMarkup | None) -> None:
    with pytest.raises(RuntimeError):  # it tries to reach Telegram: this query has no bot
        await replace(pressed("Typ je notitie", MARKUP), text, markup)
