"""Text that goes to Telegram: escaping user input, cleaning names, staying within limits."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import TypeVar

MESSAGE_LIMIT = 4096
ALERT_LIMIT = 200
NAME_LIMIT = 100

_WHITESPACE = re.compile(r"\s+")


def esc(value: object) -> str:
    """Escape a user-supplied value for Telegram's HTML parse mode."""
    return html.escape(str(value), quote=False)


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class NameProblem(ValueError):
    """Why a typed name cannot be used: 'empty', 'too_long' or 'no_letters'."""


def clean_name(raw: str | None, limit: int = NAME_LIMIT) -> str:
    """Normalise a typed name (one line, single spaces, no control characters) or raise."""
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t ")
    text = _WHITESPACE.sub(" ", text).strip()
    if not text:
        raise NameProblem("empty")
    if len(text) > limit:
        raise NameProblem("too_long")
    if not any(ch.isalnum() for ch in text):
        raise NameProblem("no_letters")
    return text


def name_key(name: str) -> str:
    """The form of a name used to spot duplicates ('Gemeente  X' == 'gemeente x')."""
    return _WHITESPACE.sub(" ", name).strip().casefold()


def shorten(text: str, limit: int) -> str:
    """Plain text cut to limit characters with an ellipsis (for alerts and button labels)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def pack_blocks(blocks: list[str], limit: int = MESSAGE_LIMIT, separator: str = "\n") -> list[str]:
    """Join self-contained HTML blocks into as few messages as fit under limit each.

    Blocks are never cut inside (so no tag is split); a single block over the limit is a
    programming error, because every block is built from bounded parts.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        if telegram_length(block) > limit:
            raise ValueError("one block exceeds the message limit")
        candidate = f"{current}{separator}{block}" if current else block
        if telegram_length(candidate) > limit:
            messages.append(current)
            current = block
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages


T = TypeVar("T")


def toggled(chosen: list[T], value: T) -> list[T]:
    """chosen with value added, or removed when it was there (a multiple-choice button)."""
    return [v for v in chosen if v != value] if value in chosen else [*chosen, value]
