"""The sandbox's demo people and the demo network they form.

The network is made the way real people would make it: the coordinator adds the bot to the
group and runs /setup, and each partner presses the join button and answers the bot's three
questions in private chat. Nothing is written to the database behind the bot's back.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.enums import Level, OrgType
from i18n import N_, t

GROUP_TITLE = "Wijknetwerk Oost"


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


def join_labels(lang: str, person: DemoPerson) -> tuple[str, str, str, str]:
    """The buttons a partner presses while joining, in the network's language."""
    return (
        t(lang, JOIN_BUTTON),
        t(lang, person.org_type.label),
        t(lang, person.level.label),
        t(lang, CONFIRM_BUTTON),
    )
