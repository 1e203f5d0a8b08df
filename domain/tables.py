"""Representative tables: how often they meet, how many seats rotate, and who a rotation
proposes to leave and to join (K2: a manageable table with a yearly rotation of part of its
seats works better than everyone at the table, and gives the outer ring a turn)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from i18n import N_

ROTATION_MONTHS = 12
NAME_LIMIT = 64
MAX_SEATS = 20

MEETINGS = {
    "monthly": N_("monthly"),
    "six_weeks": N_("every six weeks"),
    "quarterly": N_("quarterly"),
    "halfyearly": N_("every half year"),
}
# One in this many seats changes at each yearly rotation (0: none).
SHARES = {
    0: N_("no rotation"),
    4: N_("a quarter of the seats each year"),
    3: N_("a third of the seats each year"),
    2: N_("half of the seats each year"),
}


@dataclass(frozen=True)
class Seated:
    """An organisation holding a seat now."""

    organisation_id: int
    kind: str
    since: dt.date
    seat_id: int


@dataclass(frozen=True)
class Candidate:
    """An organisation of the network without a seat."""

    organisation_id: int
    kind: str
    name: str


def rotating(seats: int, share: int) -> int:
    """How many seats change at a rotation: one in share, rounded up (a third of 6 is 2, of 7
    is 3)."""
    return math.ceil(seats / share) if share and seats else 0


def propose(
    seated: Sequence[Seated], candidates: Sequence[Candidate], share: int
) -> tuple[list[int], list[int]]:
    """Who leaves (the longest seated) and who joins in their place: an organisation of the
    same kind when there is one, else one of a kind not at the table at all, else any, by
    name. A seat without a successor is not vacated."""
    order = sorted(seated, key=lambda s: (s.since, s.seat_id))
    leaving_first = order[: rotating(len(seated), share)]
    free = sorted(candidates, key=lambda c: c.name.casefold())
    kinds_seated = {s.kind for s in seated}
    leaving: list[int] = []
    joining: list[int] = []
    for seat in leaving_first:
        choice = (
            next((c for c in free if c.kind == seat.kind), None)
            or next((c for c in free if c.kind not in kinds_seated), None)
            or (free[0] if free else None)
        )
        if choice is None:
            continue
        free.remove(choice)
        leaving.append(seat.organisation_id)
        joining.append(choice.organisation_id)
    return leaving, joining
