"""The command menus Telegram shows, per scope and language."""

from __future__ import annotations

from collections.abc import Mapping

from telegram import BotCommand

from i18n import N_, t

Name = str | Mapping[str, str]  # one command, or its name per language (all registered)

PRIVATE_COMMANDS: list[tuple[Name, str]] = [
    ("start", N_("What I can do for you")),
    ("profile", N_("Your details per network")),
    ({"nl": "profiel", "en": "organisation"}, N_("Your organisation: interests, limits, contact")),
    ({"nl": "wie", "en": "who"}, N_("Who do I call? /who police, /who Portaal")),
    ({"nl": "tafels", "en": "tables"}, N_("Who sits at which table since when")),
    ({"nl": "tafel", "en": "table"}, N_("Set up a representative table (coordinators)")),
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

GROUP_COMMANDS: list[tuple[Name, str]] = [
    ("join", N_("Take part in this network")),
    ("results", N_("The latest results")),
    ("workgroups", N_("Working groups and their trekkers")),
    ("actions", N_("Open actions per working group")),
    ("agreements", N_("The network's agreements")),
    ("rules", N_("The network's ground rules")),
    ({"nl": "profiel", "en": "organisation"}, N_("The organisations and their profiles")),
    ({"nl": "tafels", "en": "tables"}, N_("Who sits at which table since when")),
    ("help", N_("What this bot does")),
]

ADMIN_COMMANDS: list[tuple[Name, str]] = [
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


def commands(lang: str, table: list[tuple[Name, str]]) -> list[BotCommand]:
    """One menu in one language."""
    return [BotCommand(_name(lang, name), t(lang, description)) for name, description in table]


def _name(lang: str, name: Name) -> str:
    if isinstance(name, str):
        return name
    return name.get(lang) or name["en"]
