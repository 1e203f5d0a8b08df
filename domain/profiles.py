"""The pure rules of organisation profiles: why an organisation cannot do something, how a
signal contact wants to be reached (and whether a typed number or address can be one), and
which organisations a "who do I call" question is about."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum

from i18n import N_

TEXT_LIMIT = 800  # each of the profile's texts
LIMIT_TEXT_LIMIT = 200  # one thing the organisation cannot do
MAX_LIMITS = 10
ADDRESS_LIMIT = 64
REACHABLE_LIMIT = 120
MAX_CONTACTS = 3  # signal contacts per organisation (a card must stay readable)
MIN_QUERY = 2


class Reason(StrEnum):
    """Why an organisation cannot do something (the articles' four, and the rest)."""

    MONEY = "money"
    LAW = "law"
    MANDATE = "mandate"
    CAPACITY = "capacity"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The English msgid of the reason's name."""
        return _REASONS[self]


_REASONS = {
    Reason.MONEY: N_("money"),
    Reason.LAW: N_("law and rules"),
    Reason.MANDATE: N_("mandate"),
    Reason.CAPACITY: N_("capacity"),
    Reason.OTHER: N_("other"),
}


class Channel(StrEnum):
    """How a signal contact wants to be reached."""

    TELEGRAM = "telegram"
    PHONE = "phone"
    EMAIL = "email"


_PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{5,24}$")
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']+\.[A-Za-z]{2,}$")


def address_for(channel: Channel, typed: str) -> str | None:
    """The typed phone number or e-mail address tidied, or None when it cannot be one."""
    tidy = " ".join(typed.split())
    if not tidy or len(tidy) > ADDRESS_LIMIT:
        return None
    if channel is Channel.PHONE:
        digits = sum(ch.isdigit() for ch in tidy)
        return tidy if _PHONE.match(tidy) and 6 <= digits <= 15 else None
    if channel is Channel.EMAIL:
        return tidy if _EMAIL.match(tidy) else None
    return None


def fold(text: str) -> str:
    """text for comparing: case and accents ignored, punctuation as spaces."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def query_words(query: str) -> list[str]:
    """The words of a question worth looking for (very short ones are left out)."""
    return [word for word in fold(query).split() if len(word) >= MIN_QUERY]


def matches(words: list[str], texts: Iterable[str]) -> bool:
    """Whether every word occurs in the texts (at the start of a word: 'zorg' finds
    'zorgaanbieder' and 'Zorggroep', not 'overzorg')."""
    haystack = " " + " ".join(fold(text) for text in texts if text)
    return bool(words) and all(f" {word}" in haystack for word in words)
