"""The command menus Telegram shows, per scope and language."""

from __future__ import annotations

from telegram import BotCommand

from i18n import N_, t

PRIVATE_COMMANDS = [
    ("start", N_("What I can do for you")),
    ("profile", N_("Your details per network")),
    ("members", N_("Who takes part (coordinators)")),
    ("round", N_("Start a score round (coordinators)")),
    ("questionnaire", N_("Write a questionnaire of your own (coordinators)")),
    ("results", N_("Results of earlier rounds (coordinators)")),
    ("action", N_("Add an action to your working group")),
    ("agreement", N_("Record an agreement, or show one: /agreement title")),
    ("agreements", N_("The network's agreements")),
    ("rules", N_("The network's ground rules")),
    ("setrules", N_("Record the ground rules (coordinators)")),
    ("summary", N_("Where the network stands (coordinators)")),
    ("export", N_("Spreadsheet and CSV export (coordinators)")),
    ("report", N_("One-page report for a meeting (coordinators)")),
    ("actions", N_("Open actions, to view or change")),
    ("cancel", N_("Stop what you are doing (a question I asked)")),
    ("leave", N_("Leave a network")),
    ("language", N_("Nederlands or English")),
    ("privacy", N_("What I store, and what never")),
    ("mydata", N_("Everything I store about you")),
    ("forgetme", N_("Delete what I store about you")),
    ("help", N_("Help")),
]

GROUP_COMMANDS = [
    ("join", N_("Take part in this network")),
    ("results", N_("The latest results")),
    ("workgroups", N_("Working groups and their trekkers")),
    ("actions", N_("Open actions per working group")),
    ("agreements", N_("The network's agreements")),
    ("rules", N_("The network's ground rules")),
    ("help", N_("What this bot does")),
]

ADMIN_COMMANDS = [
    ("setup", N_("Register this group as a network, or change its settings")),
    ("join", N_("Show the Join button")),
    ("members", N_("Who takes part (coordinators)")),
    ("coordinators", N_("Appoint or remove coordinators")),
    ("coordinator", N_("Reply to a message: make its sender a coordinator")),
    ("round", N_("Start a score round")),
    ("close", N_("Close the open round now")),
    ("extend", N_("Give the round more time: /extend date")),
    ("workgroup", N_("Start a working group: /workgroup name")),
    ("trekker", N_("Reply to a message: make its sender trekker of a group")),
    ("workgroups", N_("Working groups and their trekkers")),
    ("actions", N_("Open actions per working group")),
    ("results", N_("The latest results")),
    ("help", N_("What this bot does")),
]


def commands(lang: str, table: list[tuple[str, str]]) -> list[BotCommand]:
    """One menu in one language."""
    return [BotCommand(name, t(lang, description)) for name, description in table]
