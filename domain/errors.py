"""Refusals: expected, friendly answers to a request that cannot be done."""

from __future__ import annotations

from i18n import N_

# The answer to a stale, replayed or forged button, or a step that is no longer current.
NO_LONGER_ACTIVE = N_("This button is no longer active.")
# The answer to a command that works only in the private chat, given in a group.
ONLY_PRIVATE = N_("Send me this in a private chat: tap my name and then 'Message'.")


class Refusal(Exception):
    """Stop handling an update and tell the person why, in their language.

    msgid is an English catalog text (marked with N_), params fill its placeholders and must
    already be HTML-escaped where they come from users.
    """

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params
