"""How a round stays anonymous at rest: its breakdowns are fixed when it starts, and a submission
is only ever added to counts, never kept as a row of its own.

A round's `Tally` holds, per item, how many people gave each score, overall and per breakdown
group, and the comments in random order. Nothing in it belongs to one person: there is no row
per response to pair with anything by id, key, physical order or time. Each breakdown group
stands for a set of at least k invited partners, decided at the start (`plan_breakdown`).
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.enums import Level

LEVEL = "level"
KIND = "type"
DIMENSIONS = (LEVEL, KIND)
REST = "_rest"  # kinds of organisation with too few partners for a group of their own, together
UPPER_LEVELS = frozenset({Level.BOARD.value, Level.STRATEGIC.value})
LEVELS = tuple(level.value for level in Level)
DONT_KNOW = 0

Histogram = dict[int | None, int]  # score (None: don't know) -> how many gave it


def level_group(level: str | None) -> str:
    """The two levels results are broken down by: board/strategic ('upper') vs the work floor."""
    return "upper" if level in UPPER_LEVELS else "lower"


@dataclass(frozen=True)
class Breakdown:
    """Which group each level and kind of organisation counts in, per dimension; a dimension
    without a mapping is not broken down in this round."""

    levels: Mapping[str, str] = field(default_factory=dict)
    kinds: Mapping[str, str] = field(default_factory=dict)

    def mapping(self, dimension: str) -> Mapping[str, str]:
        """The value -> group mapping of a dimension (empty: not broken down)."""
        return self.levels if dimension == LEVEL else self.kinds

    def groups(self, dimension: str) -> list[str]:
        """The groups of a dimension, sorted."""
        return sorted(set(self.mapping(dimension).values()))

    def to_json(self) -> dict[str, Any]:
        """As stored on the round."""
        return {LEVEL: dict(self.levels), KIND: dict(self.kinds)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Breakdown:
        """From what is stored on the round (nothing: no breakdowns)."""
        data = data or {}
        return cls(dict(data.get(LEVEL) or {}), dict(data.get(KIND) or {}))


def plan_breakdown(invited: Iterable[tuple[str | None, str]], k: int) -> Breakdown:
    """The breakdowns a round may have, from its invited partners' (level, kind): a group needs
    at least k invited partners; smaller kinds are merged into one 'rest' group (with the
    smallest other kinds when the rest alone is still below k); a dimension left with fewer than
    two groups is not broken down at all."""
    people = list(invited)
    by_level: dict[str, int] = {}
    by_kind: dict[str, int] = {}
    for level, kind in people:
        group = level_group(level)
        by_level[group] = by_level.get(group, 0) + 1
        by_kind[kind] = by_kind.get(kind, 0) + 1
    levels: dict[str, str] = {}
    if len(by_level) == 2 and min(by_level.values()) >= k:
        levels = {level: level_group(level) for level in LEVELS}
    own = {kind for kind, n in by_kind.items() if n >= k}
    rest = sum(n for kind, n in by_kind.items() if kind not in own)
    while 0 < rest < k and own:
        smallest = min(own, key=lambda kind: (by_kind[kind], kind))
        own.remove(smallest)
        rest += by_kind[smallest]
    groups = len(own) + (1 if rest else 0)
    kinds: dict[str, str] = {}
    if groups >= 2:
        kinds = {kind: kind for kind in own}
        # Kinds with no partner at the start count in the rest, if there is one; a partner of
        # a kind with no group at all stops the kind breakdown (Tally.add).
        kinds.update({kind: REST for kind in by_kind if kind not in own})
        if rest:
            kinds["*"] = REST
    return Breakdown(levels, kinds)


def group_for(breakdown: Breakdown, dimension: str, value: str | None) -> str | None:
    """The group a respondent with this level or kind counts in, if the dimension is broken
    down; kinds unseen at the start count in the rest group when there is one."""
    mapping = breakdown.mapping(dimension)
    if not mapping:
        return None
    if dimension == LEVEL:
        return level_group(value)
    return mapping.get(value or "", mapping.get("*"))


@dataclass
class Counts:
    """Score counts of one set of respondents: everyone, or one breakdown group."""

    respondents: int = 0
    items: dict[str, Histogram] = field(default_factory=dict)

    def add(self, scores: Mapping[str, int | None]) -> None:
        """Count one submission's scores (None: don't know)."""
        self.respondents += 1
        for item, score in scores.items():
            histogram = self.items.setdefault(item, {})
            histogram[score] = histogram.get(score, 0) + 1

    def scores(self, item: str) -> int:
        """How many actual scores (not 'don't know') this item has here."""
        return sum(n for score, n in self.items.get(item, {}).items() if score is not None)

    def to_json(self) -> dict[str, Any]:
        """JSON keys are strings: a score's key is its number, 0 for don't know."""
        return {
            "n": self.respondents,
            "items": {
                item: {
                    str(DONT_KNOW if s is None else s): n
                    for s, n in sorted(hist.items(), key=_order)
                }
                for item, hist in sorted(self.items.items())
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Counts:
        """The inverse of to_json."""
        items = {
            item: {(None if int(s) == DONT_KNOW else int(s)): int(n) for s, n in hist.items()}
            for item, hist in (data.get("items") or {}).items()
        }
        return cls(int(data.get("n", 0)), items)


def _order(entry: tuple[int | None, int]) -> int:
    return DONT_KNOW if entry[0] is None else entry[0]


@dataclass
class Tally:
    """Everything a round keeps of its submissions until it publishes: counts and comments."""

    overall: Counts = field(default_factory=Counts)
    groups: dict[str, dict[str, Counts]] = field(default_factory=dict)  # dimension -> group
    stopped: set[str] = field(default_factory=set)  # dimensions no longer broken down
    comments: list[str] = field(default_factory=list)  # in random order, never dated

    @property
    def respondents(self) -> int:
        """How many submitted."""
        return self.overall.respondents

    def add(
        self,
        breakdown: Breakdown,
        scores: Mapping[str, int | None],
        level: str | None,
        kind: str,
        comment: str | None,
        rng: random.Random,
    ) -> None:
        """Count one submission. A respondent outside every group of a dimension (a kind that
        joined after the start, with no rest group) stops that dimension for the whole round,
        because the total minus the groups would be that one person."""
        self.overall.add(scores)
        for dimension, value in ((LEVEL, level), (KIND, kind)):
            if dimension in self.stopped or not breakdown.mapping(dimension):
                continue
            group = group_for(breakdown, dimension, value)
            if group is None:
                self.stopped.add(dimension)
                self.groups.pop(dimension, None)
                continue
            self.groups.setdefault(dimension, {}).setdefault(group, Counts()).add(scores)
        if comment:
            self.comments.insert(rng.randint(0, len(self.comments)), comment)

    def to_json(self) -> dict[str, Any]:
        """As stored in the round's one tally row."""
        return {
            "overall": self.overall.to_json(),
            "groups": {
                dimension: {name: counts.to_json() for name, counts in sorted(groups.items())}
                for dimension, groups in sorted(self.groups.items())
            },
            "stopped": sorted(self.stopped),
            "comments": list(self.comments),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Tally:
        """The inverse of to_json (nothing stored: an empty tally)."""
        data = data or {}
        return cls(
            Counts.from_json(data.get("overall") or {}),
            {
                dimension: {name: Counts.from_json(c) for name, c in groups.items()}
                for dimension, groups in (data.get("groups") or {}).items()
            },
            set(data.get("stopped") or ()),
            list(data.get("comments") or ()),
        )


@dataclass(frozen=True)
class RoundPlan:
    """What a round will be able to show, decided at its start from its invited partners."""

    invited: int
    breakdown: Breakdown
    comment_k: int


def plan_round(
    invited: Iterable[tuple[str | None, str]], k: int, comment_setting: int | None
) -> RoundPlan:
    """The breakdowns and comment threshold of a round with these invited (level, kind)."""
    people = list(invited)
    return RoundPlan(len(people), plan_breakdown(people, k), comment_threshold(k, comment_setting))


def comment_threshold(k: int, network_setting: int | None) -> int:
    """How many people must have written a comment before any comment is shown: the network's
    setting, else two more than k. A comment carries someone's words and way of writing, which
    give a writer away sooner than a score; k + 2 still lets a network of six or seven partners
    see comments when nearly everyone writes one, where a fixed 10 would show none."""
    return max(network_setting or k + 2, k)


def voter_hash(salt: str, telegram_id: int) -> str:
    """What stands for a person among an open round's voters: an HMAC of their Telegram id
    under the round's own key, so the voters of two rounds cannot be matched with each other,
    and the hashes mean nothing once the key is deleted at publication."""
    return hmac.new(bytes.fromhex(salt), str(telegram_id).encode(), hashlib.sha256).hexdigest()
