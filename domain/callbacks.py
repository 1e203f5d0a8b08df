"""One scheme for callback data: a prefix from a small enum, then ':'-separated arguments.

Arguments are ids that the handler checks against server-side state (is this organisation in
the network this person is joining? is this member in the group where the button was pressed?),
so a forged button reaches nothing it should not.
"""

from __future__ import annotations

import re
from enum import StrEnum

MAX_CALLBACK_BYTES = 64
_ARG = re.compile(r"^[A-Za-z0-9_-]{1,24}$")


class Cb(StrEnum):
    """Every kind of inline button the bot sends."""

    SETUP_LANGUAGE = "sl"
    JOIN_ORG = "jo"
    JOIN_TYPE = "jt"
    JOIN_LEVEL = "jl"
    JOIN_CONFIRM = "jc"
    JOIN_RESTART = "jr"
    PROFILE_EDIT = "pe"
    LEAVE = "lv"
    LEAVE_CONFIRM = "ly"
    LANGUAGE = "lg"
    COORD_ADD = "ca"
    COORD_REMOVE = "cr"
    PICK_NETWORK = "pn"
    FORGET_CONFIRM = "fm"
    CANCEL = "xx"
    ROUND_QUESTIONNAIRE = "rq"
    ROUND_DEADLINE = "rd"
    ROUND_K = "rk"
    ROUND_AUDIENCE = "ru"
    ROUND_GO = "rg"
    ROUND_ANSWER = "ra"
    ROUND_BACK = "rb"
    ROUND_COMMENT = "rc"
    ROUND_SUBMIT = "rv"
    ROUND_EDIT = "re"
    ROUND_RESULTS = "rr"
    ROUND_CLOSE = "rx"
    ROUND_DETAILS = "rz"
    QUESTIONNAIRE_DONE = "qd"
    WG_TAKE = "wt"
    WG_ACTION_GROUP = "wa"
    WG_OWNER_ME = "wo"
    WG_SAVE = "ws"
    WG_OTHER_DATE = "wd"
    WG_ACT = "wx"
    WG_CARD = "wc"
    AGREEMENT_PARTY = "ap"
    AGREEMENT_INTERVAL = "ai"
    AGREEMENT_START = "as"
    AGREEMENT_WHO = "aw"
    AGREEMENT_SAVE = "ag"
    AGREEMENT_EDIT = "ae"
    REVIEW_ANSWER = "va"
    PROFILE_SHOW = "ov"
    PROFILE_FIELD = "of"
    PROFILE_CHECK = "ok"
    LIMIT_ADD = "ol"
    LIMIT_REASON = "or"
    LIMIT_LIST = "om"
    LIMIT_REMOVE = "ox"
    CONTACT_START = "oc"
    CONTACT_CHANNEL = "oh"
    CONTACT_CONSENT = "oy"
    CONTACT_STOP = "os"
    TABLE_MEETS = "tm"
    TABLE_SEAT = "tt"
    TABLE_SEAT_EDIT = "tx"
    TABLE_SHARE = "th"
    TABLE_SAVE = "tv"
    TABLE_EDIT = "te"
    ROTATION_ACCEPT = "ta"
    ROTATION_CHANGE = "tc"


class BadCallback(ValueError):
    """Callback data that the bot did not make (old, forged or garbled)."""


def pack(prefix: Cb, *args: str | int) -> str:
    """Build callback data; raises ValueError if it would not be valid for Telegram."""
    parts = [str(arg) for arg in args]
    for part in parts:
        if not _ARG.match(part):
            raise ValueError(f"callback argument {part!r} is not a short token")
    data = ":".join([prefix.value, *parts])
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError("callback data longer than 64 bytes")
    return data


def unpack(data: str | None) -> tuple[Cb, list[str]]:
    """Split callback data into its prefix and arguments; raises BadCallback when malformed."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        raise BadCallback(data)
    prefix, *args = data.split(":")
    try:
        kind = Cb(prefix)
    except ValueError:
        raise BadCallback(data) from None
    if not all(_ARG.match(arg) for arg in args):
        raise BadCallback(data)
    return kind, args


ROW_ID_LIMIT = 2**31 - 1  # the largest id a database INTEGER column holds (PostgreSQL)
USER_ID_LIMIT = 2**52  # Telegram user ids have at most 52 significant bits


def int_arg(args: list[str], index: int, *, limit: int = ROW_ID_LIMIT) -> int:
    """Argument index as a number from 0 to limit (a row id unless told otherwise); raises
    BadCallback when missing, not a number or out of range, so a forged id never reaches a
    query it would overflow."""
    try:
        value = int(args[index])
    except (IndexError, ValueError):
        raise BadCallback(":".join(args)) from None
    if not 0 <= value <= limit:
        raise BadCallback(":".join(args))
    return value


def pattern(*prefixes: Cb) -> str:
    """A regular expression for CallbackQueryHandler that matches these prefixes only."""
    alternatives = "|".join(re.escape(p.value) for p in prefixes)
    return rf"^(?:{alternatives})(?::|$)"
