"""The fixed vocabularies of a network: organisation types, levels; with their catalog labels."""

from __future__ import annotations

from enum import StrEnum

from i18n import N_


class OrgType(StrEnum):
    """What kind of organisation a partner represents."""

    MUNICIPALITY = "municipality"
    HOUSING = "housing"
    CARE = "care"
    WELFARE = "welfare"
    POLICE = "police"
    HEALTH = "health"
    CLIENTS = "clients"
    RESIDENTS = "residents"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The English msgid of this type's name."""
        return _ORG_TYPE_LABELS[self]


class Level(StrEnum):
    """The governance level a partner works at."""

    BOARD = "board"
    STRATEGIC = "strategic"
    TACTICAL = "tactical"
    OPERATIONAL = "operational"

    @property
    def label(self) -> str:
        """The English msgid of this level's name."""
        return _LEVEL_LABELS[self]


_ORG_TYPE_LABELS = {
    OrgType.MUNICIPALITY: N_("Municipality"),
    OrgType.HOUSING: N_("Housing corporation"),
    OrgType.CARE: N_("Care provider"),
    OrgType.WELFARE: N_("Welfare organisation"),
    OrgType.POLICE: N_("Police"),
    OrgType.HEALTH: N_("GP / health care"),
    OrgType.CLIENTS: N_("Client organisation"),
    OrgType.RESIDENTS: N_("Residents"),
    OrgType.OTHER: N_("Other"),
}

_LEVEL_LABELS = {
    Level.BOARD: N_("Board"),
    Level.STRATEGIC: N_("Strategic / management"),
    Level.TACTICAL: N_("Tactical"),
    Level.OPERATIONAL: N_("Operational"),
}
