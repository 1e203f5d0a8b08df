"""The overall outcome of a review from the parties' answers."""

from __future__ import annotations

from collections.abc import Sequence

KEEP, ADJUST, STOP, NONE = "keep", "adjust", "stop", "none"
CHOICES = (KEEP, ADJUST, STOP)
# Stop is asked again before it counts (it may end the agreement): the answer to that question.
STOP_SURE, BACK = "stopok", "back"


def overall(choices: Sequence[str]) -> str:
    """Stop when most answers say stop; adjust when anyone wants a change; keep when all who
    answered keep it; none when nobody answered."""
    if not choices:
        return NONE
    if sum(choice == STOP for choice in choices) * 2 > len(choices):
        return STOP
    if any(choice in (ADJUST, STOP) for choice in choices):
        return ADJUST
    return KEEP
