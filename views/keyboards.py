"""Small builders for inline keyboards."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.text import shorten

BUTTON_LABEL_LIMIT = 40


def button(label: str, data: str) -> InlineKeyboardButton:
    """A callback button with a label short enough to read on a phone."""
    return InlineKeyboardButton(shorten(label, BUTTON_LABEL_LIMIT), callback_data=data)


def link(label: str, url: str) -> InlineKeyboardButton:
    """A button that opens a URL (a deep link into the private chat, say)."""
    return InlineKeyboardButton(shorten(label, BUTTON_LABEL_LIMIT), url=url)


def rows(buttons: Sequence[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    """Lay buttons out per_row to a row."""
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def keyboard(*button_rows: Sequence[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of buttons, leaving out empty rows."""
    return InlineKeyboardMarkup([list(row) for row in button_rows if row])


def deep_link(bot_username: str, payload: str) -> str:
    """The t.me link that opens the private chat with /start payload."""
    return f"https://t.me/{bot_username}?start={payload}"
