"""Every command in one table: its English and Dutch name, what it does, and who sees it where.

The table drives three things that must agree: the names the handlers answer to (both names
always work, in either language), the "/" menus Telegram shows (per chat type, role and
language), and /help (per chat and role). A command nobody declares here is not handled."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from telegram import BotCommand

from domain.roles import Role
from i18n import N_, t

ANYONE, PARTNER, TREKKER, COORDINATOR = Role.ANYONE, Role.PARTNER, Role.TREKKER, Role.COORDINATOR
# What a person in no special role sees: the menus for all private chats and all groups.
EVERYDAY = frozenset({ANYONE, PARTNER})


@dataclass(frozen=True)
class Command:
    """One command. private/group: the roles that find it in that chat's menu and /help (empty:
    not offered there, though it still answers, with a pointer to the right chat)."""

    name: str
    nl: str | None
    description: str
    private: frozenset[Role] = field(default_factory=frozenset)
    group: frozenset[Role] = field(default_factory=frozenset)
    also: tuple[str, ...] = ()  # further names it answers to (spelling variants)

    def shown(self, lang: str) -> str:
        """The name shown to a person reading lang."""
        return self.nl if lang == "nl" and self.nl else self.name

    @property
    def names(self) -> list[str]:
        """Every name it answers to."""
        return [self.name, *([self.nl] if self.nl else []), *self.also]


def _roles(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


_ALL = _roles(ANYONE)
_PARTNERS = _roles(PARTNER)
_TREKKERS = _roles(TREKKER, COORDINATOR)
_COORDINATORS = _roles(COORDINATOR)

COMMANDS: tuple[Command, ...] = (
    Command("start", None, N_("What I can do for you"), private=_ALL),
    Command("help", "hulp", N_("What you can do here"), private=_ALL, group=_ALL),
    Command("join", "meedoen", N_("Take part in this network"), group=_ALL),
    Command(
        "profile", "deelname", N_("Your part in each network: change it, or leave"), private=_ALL
    ),
    Command(
        "organisation",
        "profiel",
        N_("Your organisation's profile: interests, limits, contact for signals"),
        private=_PARTNERS,
        group=_PARTNERS,
        also=("organisatie",),
    ),
    Command("who", "wie", N_("Who do I call? For instance /who police"), private=_PARTNERS),
    Command("actions", "acties", N_("Open actions per working group"), _PARTNERS, _PARTNERS),
    Command("action", "actie", N_("Add an action to your working group"), private=_TREKKERS),
    Command("workgroups", "werkgroepen", N_("Working groups and their trekkers"), group=_PARTNERS),
    Command("agreements", "afspraken", N_("The network's agreements"), _PARTNERS, _PARTNERS),
    Command(
        "agreement",
        "afspraak",
        N_("Show one agreement (/agreement title), or record a new one"),
        private=_PARTNERS,
    ),
    Command("rules", "spelregels", N_("The network's ground rules"), _PARTNERS, _PARTNERS),
    Command("tables", "tafels", N_("Who sits at which table since when"), _PARTNERS, _PARTNERS),
    Command("results", "uitslag", N_("Results of the latest round"), _COORDINATORS, _PARTNERS),
    Command("round", "ronde", N_("Start a score round"), _COORDINATORS, _COORDINATORS),
    Command("close", "sluiten", N_("Close the open round now"), group=_COORDINATORS),
    Command(
        "extend", "verlengen", N_("Give the round more time: /extend date"), group=_COORDINATORS
    ),
    Command("questionnaire", "vragenlijst", N_("Write a questionnaire of your own"), _COORDINATORS),
    Command("summary", "samenvatting", N_("Where the network stands"), private=_COORDINATORS),
    Command("export", None, N_("Everything as a spreadsheet"), private=_COORDINATORS),
    Command("report", "verslag", N_("One-page report for a meeting"), private=_COORDINATORS),
    Command("members", "leden", N_("Who takes part"), _COORDINATORS, _COORDINATORS),
    Command(
        "workgroup",
        "werkgroep",
        N_("Start a working group: /workgroup name"),
        group=_COORDINATORS,
    ),
    Command(
        "trekker",
        None,
        N_("Reply to a message: make its sender trekker of a group"),
        group=_COORDINATORS,
    ),
    Command(
        "table", "tafel", N_("Set up a representative table with rotating seats"), _COORDINATORS
    ),
    Command("setrules", "nieuwespelregels", N_("Record the ground rules"), private=_COORDINATORS),
    Command(
        "setup",
        "instellen",
        N_("Register this group as a network, or change its settings"),
        group=_COORDINATORS,
    ),
    Command(
        "coordinators", "coordinatoren", N_("Appoint or remove coordinators"), group=_COORDINATORS
    ),
    Command(
        "coordinator",
        None,
        N_("Reply to a message: make its sender a coordinator"),
        group=_COORDINATORS,
    ),
    Command("cancel", "annuleren", N_("Stop what you are doing (a question I asked)"), _ALL),
    Command("leave", "afmelden", N_("Leave a network"), private=_PARTNERS),
    Command("language", "taal", N_("Nederlands or English"), private=_ALL),
    Command("privacy", None, N_("What I store, and what never"), private=_ALL),
    Command("mydata", "mijngegevens", N_("Everything I store about you"), private=_ALL),
    Command("forgetme", "vergeetmij", N_("Delete what I store about you"), private=_ALL),
)

_BY_NAME = {command.name: command for command in COMMANDS}
if len(_BY_NAME) != len(COMMANDS) or len({n for c in COMMANDS for n in c.names}) != sum(
    len(c.names) for c in COMMANDS
):
    raise ValueError("two commands share a name")


def names(name: str) -> list[str]:
    """Every name the command called name (its English name) answers to."""
    return _BY_NAME[name].names


def shown(lang: str, name: str) -> str:
    """'/ronde' for a Dutch reader, '/round' for an English one."""
    return "/" + _BY_NAME[name].shown(lang)


def offered(private: bool, roles: Iterable[Role]) -> list[Command]:
    """The commands a person with these roles finds in a private chat or a group, in order."""
    have = frozenset(roles) | {ANYONE}
    return [c for c in COMMANDS if (c.private if private else c.group) & have]


def menu(lang: str, private: bool, roles: Iterable[Role]) -> list[BotCommand]:
    """One "/" menu in one language."""
    return [BotCommand(c.shown(lang), t(lang, c.description)) for c in offered(private, roles)]


def help_lines(lang: str, commands: Iterable[Command]) -> str:
    """'/ronde — Een scoreronde starten', one a line."""
    return "\n".join(f"/{c.shown(lang)} — {t(lang, c.description)}" for c in commands)
