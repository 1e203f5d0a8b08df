"""The chat page's own words (the bot's come from its handlers), from the same catalogs."""

from __future__ import annotations

from i18n import N_, t

TEXTS = {
    "title": N_("Netwerkpols sandbox"),
    "intro": N_(
        "Try Netwerkpols without Telegram: the real bot, with demo people in a local, "
        "pretend Telegram. Nothing leaves this computer."
    ),
    "demo": N_("Create the demo network"),
    "demo_busy": N_("Setting up the network: the coordinator adds the bot, five partners join…"),
    "demo_done": N_(
        "The demo network is ready, with a working group led by Jeroen. Try /round or "
        "/agreement as Marieke, and /action as Jeroen."
    ),
    "group": N_("Group chat"),
    "private": N_("Private chat with the bot"),
    "write_as": N_("Write as"),
    "placeholder": N_("Message or /command"),
    "send": N_("Send"),
    "time": N_("Sandbox time"),
    "jump_day": N_("+1 day"),
    "jump_week": N_("+1 week"),
    "jump_halfyear": N_("+6 months"),
    "jump_hint": N_("Jump ahead to see reminders, closing rounds, digests and reviews."),
    "edited": N_("edited"),
    "no_bot": N_("The bot is not in this group yet: create the demo network, or add it yourself."),
    "empty": N_("No messages yet."),
    "try": N_("Try"),
    "language": N_("Language"),
    "download": N_("Download"),
    "error": N_("Something went wrong; please try again."),
    "language_note": N_(
        "This switches the page's own words. The bot keeps writing to each person and group "
        "in the language set there: /language in a private chat, /setup language in the group."
    ),
    "menu": N_("Commands"),
    "menu_hint": N_("The commands Telegram lists when you type /, for this person here."),
    "no_menu": N_("The bot has set no commands for this chat."),
    "ok": N_("OK"),
    "show_group": N_("Group"),
    "show_private": N_("Private chats"),
}

ERRORS = (
    N_("The bot did not answer in time."),
    N_("There is no such person in the sandbox."),
    N_("Type a message first."),
    N_("Telegram allows at most 4,096 characters in a message."),
    N_("Only the person whose chat this is can write in it."),
    N_("That button is no longer there."),
    N_("That link leads outside the sandbox."),
    N_("That message is no longer there."),
    N_("The sandbox can jump a day, a week or half a year."),
    N_("The demo network is already there."),
    N_("That message has no picture."),
    N_("That message has no file."),
    N_("That request was not understood."),
)


def page_texts(lang: str) -> dict[str, str]:
    """Every text of the page, in lang."""
    return {key: t(lang, msgid) for key, msgid in TEXTS.items()}
