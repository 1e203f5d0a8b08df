"""The sandbox's demo people and the demo network they form.

The network is made the way real people would make it: the coordinator adds the bot to the
group and runs /setup, and each partner presses the join button and answers the bot's three
questions in private chat. Nothing is written to the database behind the bot's back.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.enums import Level, OrgType
from domain.profiles import Reason
from i18n import N_, t

GROUP_TITLE = "Wijknetwerk Oost"


@dataclass(frozen=True)
class DemoProfile:
    """What a demo partner fills in for their organisation (English msgids)."""

    interests: str
    limit: str
    reason: Reason
    contact_when: str | None = None  # offers to be its signal contact on Telegram


@dataclass(frozen=True)
class DemoPerson:
    """Someone to act as in the sandbox."""

    key: str
    first_name: str
    organisation: str
    org_type: OrgType
    level: Level
    role: str  # an English msgid, shown translated in the page
    coordinator: bool = False
    trekker: bool = False  # leads the demo network's working group
    profile: DemoProfile | None = None  # filled in for their organisation, through the bot


CAST = (
    DemoPerson(
        "marieke",
        "Marieke",
        "Gemeente Oost",
        OrgType.MUNICIPALITY,
        Level.STRATEGIC,
        N_("Coordinator (municipality)"),
        coordinator=True,
    ),
    DemoPerson(
        "jeroen",
        "Jeroen",
        "Woonstichting De Linde",
        OrgType.HOUSING,
        Level.TACTICAL,
        N_("Partner and trekker (housing corporation)"),
        trekker=True,
        profile=DemoProfile(
            N_("Tenants who live well and on their own, also when they need care."),
            N_("We cannot write off rent arrears."),
            Reason.MONEY,
        ),
    ),
    DemoPerson(
        "fatima",
        "Fatima",
        "Zorggroep Rivierland",
        OrgType.CARE,
        Level.OPERATIONAL,
        N_("Partner (care provider)"),
    ),
    DemoPerson(
        "sanne",
        "Sanne",
        "Politie Oost",
        OrgType.POLICE,
        Level.OPERATIONAL,
        N_("Partner (police)"),
        profile=DemoProfile(
            N_("Safe neighbourhoods, and knowing earlier where things go wrong behind the door."),
            N_("We do not give care or support: we enforce and refer."),
            Reason.MANDATE,
            N_("working days 8–17; at night through 0900-8844"),
        ),
    ),
    DemoPerson(
        "karel",
        "Karel",
        "Welzijn Samen",
        OrgType.WELFARE,
        Level.BOARD,
        N_("Partner (welfare organisation)"),
    ),
    DemoPerson(
        "noor",
        "Noor",
        "Wijkteam Oost",
        OrgType.CARE,
        Level.TACTICAL,
        N_("Partner (neighbourhood team)"),
    ),
)

JOIN_BUTTON = N_("🤝 Join")
LEAD_BUTTON = N_("🙋 I'll lead this")
WORKING_GROUP = N_("Housing with care | Suitable homes for people who need care")
CONFIRM_BUTTON = N_("✅ Confirm")
PROFILE_COMMAND = {"nl": "/profiel", "en": "/organisation"}
TABLE_COMMAND = {"nl": "/tafel", "en": "/table"}
DEMO_TABLE = N_("Board table")
TABLE_SEATS = ("jeroen", "fatima", "sanne", "noor")  # their organisations hold its seats


def join_labels(lang: str, person: DemoPerson) -> tuple[str, str, str, str]:
    """The buttons a partner presses while joining, in the network's language."""
    return (
        t(lang, JOIN_BUTTON),
        t(lang, person.org_type.label),
        t(lang, person.level.label),
        t(lang, CONFIRM_BUTTON),
    )
