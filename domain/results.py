"""From score counts to what may be published: statistics, anonymity rules and advice.

Everything here works on histograms (how many people gave each score), never on individual
responses, so results cost the same for ten responses or a hundred thousand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from domain.anonymity import DIMENSIONS, Tally

SCALE = range(1, 11)
MIN_K = 3


@dataclass(frozen=True)
class ItemStats:
    """What is known about one item in one group of respondents."""

    key: str
    n: int  # numeric scores
    dont_know: int
    distribution: tuple[int, ...]  # count per score 1..10
    mean: float | None
    median: float | None
    sd: float | None
    minimum: int | None
    maximum: int | None


def item_stats(key: str, histogram: Mapping[int | None, int]) -> ItemStats:
    """Statistics of an item from {score or None (don't know): count}."""
    distribution = tuple(int(histogram.get(score, 0)) for score in SCALE)
    n = sum(distribution)
    dont_know = int(histogram.get(None, 0))
    if n == 0:
        return ItemStats(key, 0, dont_know, distribution, None, None, None, None, None)
    total = sum(score * count for score, count in zip(SCALE, distribution, strict=True))
    squares = sum(score * score * count for score, count in zip(SCALE, distribution, strict=True))
    mean = total / n
    variance = (squares - total * total / n) / (n - 1) if n > 1 else 0.0
    scores = [score for score, count in zip(SCALE, distribution, strict=True) if count]
    return ItemStats(
        key,
        n,
        dont_know,
        distribution,
        mean,
        _median(distribution, n),
        math.sqrt(max(variance, 0.0)),
        scores[0],
        scores[-1],
    )


def _median(distribution: tuple[int, ...], n: int) -> float:
    def nth(position: int) -> int:  # the score at 0-based position in sorted order
        seen = 0
        for score, count in zip(SCALE, distribution, strict=True):
            seen += count
            if position < seen:
                return score
        raise ValueError(position)

    if n % 2:
        return float(nth(n // 2))
    return (nth(n // 2 - 1) + nth(n // 2)) / 2


def lowest_items(stats: Iterable[ItemStats], count: int = 2) -> list[ItemStats]:
    """The items with the lowest means (ties by key, for a stable order)."""
    scored = [s for s in stats if s.mean is not None]
    return sorted(scored, key=lambda s: (s.mean, s.key))[:count]


def widest_disagreement(stats: Iterable[ItemStats]) -> ItemStats | None:
    """The item people disagree about most (largest spread), if any spread at all."""
    scored = [s for s in stats if s.sd is not None and s.n > 1]
    if not scored:
        return None
    widest = max(scored, key=lambda s: (s.sd, s.key))
    return widest if widest.sd else None


# --- the collaboration form the scores support (Netwerktoets) -------------------------------

INTERWEAVE = "interweave"  # aaneenvlechten
ADAPT = "adapt"  # aanpassen
ALIGN = "align"  # afstemmen
HIGH = 7.0
MIDDLE = 5.5


@dataclass(frozen=True)
class Advice:
    """Which form of collaboration the scores support, and which items need work first."""

    form: str
    work_on: tuple[str, ...]


def collaboration_advice(means: Mapping[str, float]) -> Advice | None:
    """High on every item supports interweaving; mostly middling supports adapting to each
    other; otherwise aligning, starting with the items that hold the network back."""
    if not means:
        return None
    below_high = tuple(
        sorted((key for key, m in means.items() if m < HIGH), key=lambda k: means[k])
    )
    below_middle = tuple(
        sorted((key for key, m in means.items() if m < MIDDLE), key=lambda k: means[k])
    )
    if not below_high:
        return Advice(INTERWEAVE, ())
    if not below_middle:
        return Advice(ADAPT, below_high)
    return Advice(ALIGN, below_middle)


# --- the relation map's rings ------------------------------------------------------------------

INNER, MIDDLE_RING, OUTER = "inner", "middle", "outer"


def rings(means: Mapping[str, float]) -> dict[str, list[str]]:
    """Which kinds of organisation sit in which ring of the network, best known first: the
    inner ring is known and reachable (7 or more), the outer ring has to beg (under 5.5)."""
    placed: dict[str, list[str]] = {INNER: [], MIDDLE_RING: [], OUTER: []}
    for key in sorted(means, key=lambda k: (-means[k], k)):
        mean = means[key]
        ring = INNER if mean >= HIGH else MIDDLE_RING if mean >= MIDDLE else OUTER
        placed[ring].append(key)
    return placed


# --- one round's publishable result ------------------------------------------------------------

Group = tuple[str, str]  # (dimension, group name)


@dataclass(frozen=True)
class GroupResult:
    """The means of one breakdown group (only for groups that may be shown)."""

    group: Group
    respondents: int
    means: dict[str, float | None]


@dataclass(frozen=True)
class RoundResult:
    """Everything about a round that may be published; empty when fewer than k answered."""

    respondents: int
    k: int
    published: bool
    items: tuple[ItemStats, ...] = ()
    previous_means: dict[str, float] | None = None
    groups: tuple[GroupResult, ...] = ()
    groups_hidden: bool = False
    comments: tuple[str, ...] = ()
    comments_waiting: int = 0
    comment_k: int = 0

    @property
    def means(self) -> dict[str, float]:
        """Mean per item, where there are scores."""
        return {s.key: s.mean for s in self.items if s.mean is not None}


def compose(
    *,
    item_keys: Iterable[str],
    k: int,
    comment_k: int,
    tally: Tally,
    previous: Mapping[str, float] | None = None,
) -> RoundResult:
    """What of a round's counts may be published, so that no number, alone or combined with the
    others, gives away the scores of fewer than k people:

    - nothing at all below k respondents, and no statistics of an item with fewer than k
      actual scores (the rest answered "don't know");
    - a breakdown dimension only when each of its groups that has respondents has at least k;
      an item in it only when every such group gave it at least k actual scores, so that the
      total minus any groups is always at least k scores;
    - each item along one dimension at most: level and kind of organisation cut the same
      people differently, and their differences would isolate small intersections;
    - comments only when at least comment_k people wrote one.
    """
    if k < MIN_K:
        raise ValueError("the anonymity threshold is at least 3")
    respondents = tally.respondents
    if respondents < k:
        return RoundResult(respondents, k, False, comment_k=comment_k)
    keys = list(item_keys)
    items = tuple(item_stats(key, tally.overall.items.get(key, {})) for key in keys)
    # An item with fewer than k actual scores (many "don't know") shows no statistics at all.
    items = tuple(s if s.n >= k else item_stats(s.key, {None: s.dont_know}) for s in items)
    groups = _groups(keys, k, tally)
    comments = tuple(c for c in tally.comments if c.strip())
    shown = comments if len(comments) >= comment_k else ()
    return RoundResult(
        respondents,
        k,
        True,
        items,
        dict(previous) if previous else None,
        groups,
        not groups,
        shown,
        0 if shown else len(comments),
        comment_k,
    )


def _groups(keys: list[str], k: int, tally: Tally) -> tuple[GroupResult, ...]:
    shown: list[GroupResult] = []
    taken: set[str] = set()  # items already broken down along an earlier dimension
    for dimension in DIMENSIONS:
        groups = {n: c for n, c in tally.groups.get(dimension, {}).items() if c.respondents}
        if len(groups) < 2 or min(c.respondents for c in groups.values()) < k:
            continue
        items = [
            key
            for key in keys
            if key not in taken and all(c.scores(key) >= k for c in groups.values())
        ]
        if not items:
            continue
        taken.update(items)
        for name, counts in sorted(groups.items()):
            means: dict[str, float | None] = dict.fromkeys(keys)
            for key in items:
                means[key] = item_stats(key, counts.items.get(key, {})).mean
            shown.append(GroupResult((dimension, name), counts.respondents, means))
    return tuple(shown)


# --- a published result, frozen on the round ---------------------------------------------------


def result_to_json(result: RoundResult) -> dict[str, Any]:
    """A published result as stored on its round, so that every later showing of it (group,
    /results, summary, export, report) shows exactly the same numbers: two publications of one
    round can never be subtracted from each other. The comparison with the previous round is
    not stored; it is read from that round's own frozen result."""
    return {
        "respondents": result.respondents,
        "k": result.k,
        "published": result.published,
        "items": [
            {
                "key": s.key,
                "n": s.n,
                "dont_know": s.dont_know,
                "distribution": list(s.distribution),
                "mean": s.mean,
                "median": s.median,
                "sd": s.sd,
                "minimum": s.minimum,
                "maximum": s.maximum,
            }
            for s in result.items
        ],
        "groups": [
            {"group": list(g.group), "respondents": g.respondents, "means": g.means}
            for g in result.groups
        ],
        "groups_hidden": result.groups_hidden,
        "comments": list(result.comments),
        "comments_waiting": result.comments_waiting,
        "comment_k": result.comment_k,
    }


def result_from_json(data: Mapping[str, Any]) -> RoundResult:
    """The inverse of result_to_json."""
    items = tuple(
        ItemStats(
            entry["key"],
            entry["n"],
            entry["dont_know"],
            tuple(entry["distribution"]),
            entry["mean"],
            entry["median"],
            entry["sd"],
            entry["minimum"],
            entry["maximum"],
        )
        for entry in data.get("items", ())
    )
    groups = tuple(
        GroupResult((entry["group"][0], entry["group"][1]), entry["respondents"], entry["means"])
        for entry in data.get("groups", ())
    )
    return RoundResult(
        int(data["respondents"]),
        int(data["k"]),
        bool(data["published"]),
        items,
        None,
        groups,
        bool(data.get("groups_hidden")),
        tuple(data.get("comments", ())),
        int(data.get("comments_waiting", 0)),
        int(data.get("comment_k") or data["k"]),
    )
