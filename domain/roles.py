"""The roles a person can have in a network, which decide the commands they are offered."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Who a command is for. Everyone has ANYONE; the others follow the person's memberships."""

    ANYONE = "anyone"
    PARTNER = "partner"
    TREKKER = "trekker"
    COORDINATOR = "coordinator"
