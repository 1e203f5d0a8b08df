"""From score counts to what may be published: statistics, anonymity rules and advice.

Everything here works on histograms (how many people gave each score), never on individual
responses, so results cost the same for ten responses or a hundred thousand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

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


# --- which subgroups may be shown -----------------------------------------------------------

Cell = tuple[str, str]  # (level group, organisation type)
Group = tuple[str, str]  # ("level", name) or ("type", name)


@dataclass(frozen=True)
class Publication:
    """Which breakdown groups may be shown next to the total."""

    total: bool
    groups: frozenset[Group]


def _members(group: Group, cells: Iterable[Cell]) -> list[Cell]:
    dimension, name = group
    index = 0 if dimension == "level" else 1
    return [cell for cell in cells if cell[index] == name]


def _in_span(basis: list[list[Fraction]], pivots: list[int], vector: list[Fraction]) -> bool:
    rest = list(vector)
    for row, pivot in zip(basis, pivots, strict=True):
        if rest[pivot]:
            factor = rest[pivot]
            rest = [a - factor * b for a, b in zip(rest, row, strict=True)]
    return not any(rest)


def _echelon(vectors: list[list[Fraction]]) -> tuple[list[list[Fraction]], list[int]]:
    basis: list[list[Fraction]] = []
    pivots: list[int] = []
    for vector in vectors:
        rest = list(vector)
        for row, pivot in zip(basis, pivots, strict=True):
            if rest[pivot]:
                factor = rest[pivot]
                rest = [a - factor * b for a, b in zip(rest, row, strict=True)]
        lead = next((i for i, value in enumerate(rest) if value), None)
        if lead is None:
            continue
        rest = [value / rest[lead] for value in rest]
        for index, row in enumerate(basis):
            if row[lead]:
                factor = row[lead]
                basis[index] = [a - factor * b for a, b in zip(row, rest, strict=True)]
        basis.append(rest)
        pivots.append(lead)
    return basis, pivots


def reveals_small_group(published: Iterable[Group], population: Mapping[Cell, int], k: int) -> bool:
    """Whether the totals of the published groups (and of everyone) let someone work out the
    total of a set of fewer than k people, by adding and subtracting published numbers."""
    cells = [cell for cell, n in population.items() if n > 0]
    vectors = [[Fraction(1)] * len(cells)]
    for group in published:
        members = set(_members(group, cells))
        vectors.append([Fraction(1 if cell in members else 0) for cell in cells])
    basis, pivots = _echelon(vectors)

    def search(start: int, chosen: list[int], size: int) -> bool:
        for index in range(start, len(cells)):
            people = size + population[cells[index]]
            if people >= k:
                continue
            subset = [*chosen, index]
            vector = [Fraction(1 if i in subset else 0) for i in range(len(cells))]
            if _in_span(basis, pivots, vector) or search(index + 1, subset, people):
                return True
        return False

    return search(0, [], 0)


def publishable(population: Mapping[Cell, int], k: int) -> Publication:
    """The total when at least k responded, and the largest safe set of breakdown groups:
    each with at least k people, and together never revealing a smaller set (complementary
    suppression: when a group is hidden, enough others are hidden that it cannot be derived)."""
    if k < MIN_K:
        raise ValueError("the anonymity threshold is at least 3")
    everyone = sum(population.values())
    if everyone < k:
        return Publication(False, frozenset())
    cells = [cell for cell, n in population.items() if n > 0]
    sizes: dict[Group, int] = {}
    for dimension, index in (("level", 0), ("type", 1)):
        for name in {cell[index] for cell in cells}:
            group = (dimension, name)
            sizes[group] = sum(population[c] for c in _members(group, cells))
    candidates = {group for group, n in sizes.items() if n >= k and n < everyone}
    while candidates and reveals_small_group(candidates, population, k):
        # Drop the smallest group; ties broken by name so the outcome is reproducible.
        candidates.remove(min(candidates, key=lambda g: (sizes[g], g)))
    return Publication(True, frozenset(candidates))


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


# --- one round's publishable result ------------------------------------------------------------


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

    @property
    def means(self) -> dict[str, float]:
        """Mean per item, where there are scores."""
        return {s.key: s.mean for s in self.items if s.mean is not None}


def compose(
    *,
    item_keys: Iterable[str],
    k: int,
    overall: Mapping[str, Mapping[int | None, int]],
    by_group: Mapping[Group, Mapping[str, Mapping[int | None, int]]],
    population: Mapping[Cell, int],
    previous: Mapping[str, float] | None = None,
    comments: Iterable[str] = (),
) -> RoundResult:
    """Apply the anonymity rules to a round's counts: nothing below k, no subgroup below k,
    no subgroup derivable by subtraction, comments only from at least k people."""
    respondents = sum(population.values())
    publication = publishable(population, k)
    if not publication.total:
        return RoundResult(respondents, k, False)
    keys = list(item_keys)
    items = tuple(item_stats(key, overall.get(key, {})) for key in keys)
    # An item with fewer than k actual scores (many "don't know") shows no statistics at all.
    items = tuple(s if s.n >= k else item_stats(s.key, {None: s.dont_know}) for s in items)
    groups = []
    for group in sorted(publication.groups):
        stats = [item_stats(key, by_group.get(group, {}).get(key, {})) for key in keys]
        size = sum(population[cell] for cell in _members(group, population))
        groups.append(GroupResult(group, size, {s.key: s.mean for s in stats}))
    # Per item, a group mean needs k actual scores; if one group lacks them, no group shows it.
    for key in keys:
        if any(_scores(by_group.get(g.group, {}).get(key, {})) < k for g in groups):
            for g in groups:
                g.means[key] = None
    all_comments = [c for c in comments if c.strip()]
    shown = tuple(all_comments) if len(all_comments) >= k else ()
    several = len({cell[0] for cell in population}) > 1 or len({cell[1] for cell in population}) > 1
    hidden_groups = several and not groups
    return RoundResult(
        respondents,
        k,
        True,
        items,
        dict(previous) if previous else None,
        tuple(groups),
        hidden_groups,
        shown,
        0 if shown else len(all_comments),
    )


def _scores(histogram: Mapping[int | None, int]) -> int:
    return sum(n for score, n in histogram.items() if score is not None)
