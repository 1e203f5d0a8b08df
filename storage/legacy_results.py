"""The publication rules of schema 0007 and before, kept only so that migration 0008 can freeze
what those rules already published, unchanged: results posted to a group cannot be taken back,
so a round published under the old rules keeps exactly those numbers.

Do not use this for new rounds: these rules looked at respondents per subgroup, not at the
scores actually given per item, and let a small group be worked out by subtraction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

from domain.results import GroupResult, RoundResult, item_stats

Cell = tuple[str, str]  # (level group, organisation type)
Group = tuple[str, str]  # ("level", name) or ("type", name)
Histogram = Mapping[int | None, int]


def _members(group: Group, cells: Iterable[Cell]) -> list[Cell]:
    dimension, name = group
    index = 0 if dimension == "level" else 1
    return [cell for cell in cells if cell[index] == name]


def _reduce(
    basis: list[list[Fraction]], pivots: list[int], vector: list[Fraction]
) -> list[Fraction]:
    rest = list(vector)
    for row, pivot in zip(basis, pivots, strict=True):
        if rest[pivot]:
            factor = rest[pivot]
            rest = [a - factor * b for a, b in zip(rest, row, strict=True)]
    return rest


def _echelon(vectors: list[list[Fraction]]) -> tuple[list[list[Fraction]], list[int]]:
    basis: list[list[Fraction]] = []
    pivots: list[int] = []
    for vector in vectors:
        rest = _reduce(basis, pivots, vector)
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


def _reveals_small_group(
    published: Iterable[Group], population: Mapping[Cell, int], k: int
) -> bool:
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
            if not any(_reduce(basis, pivots, vector)) or search(index + 1, subset, people):
                return True
        return False

    return search(0, [], 0)


def _publishable_groups(population: Mapping[Cell, int], k: int) -> set[Group]:
    everyone = sum(population.values())
    cells = [cell for cell, n in population.items() if n > 0]
    sizes: dict[Group, int] = {}
    for dimension, index in (("level", 0), ("type", 1)):
        for name in {cell[index] for cell in cells}:
            group = (dimension, name)
            sizes[group] = sum(population[c] for c in _members(group, cells))
    candidates = {group for group, n in sizes.items() if n >= k and n < everyone}
    while candidates and _reveals_small_group(candidates, population, k):
        candidates.remove(min(candidates, key=lambda g: (sizes[g], g)))
    return candidates


def _scores(histogram: Histogram) -> int:
    return sum(n for score, n in histogram.items() if score is not None)


def legacy_result(
    *,
    item_keys: Iterable[str],
    k: int,
    overall: Mapping[str, Histogram],
    by_group: Mapping[Group, Mapping[str, Histogram]],
    population: Mapping[Cell, int],
    comments: Iterable[str],
) -> RoundResult:
    """What the 0007 rules published about a round, as a RoundResult (comments in the order
    they were shown)."""
    respondents = sum(population.values())
    if respondents < k:
        return RoundResult(respondents, k, False, comment_k=k)
    keys = list(item_keys)
    items = tuple(item_stats(key, overall.get(key, {})) for key in keys)
    items = tuple(s if s.n >= k else item_stats(s.key, {None: s.dont_know}) for s in items)
    groups = []
    for group in sorted(_publishable_groups(population, k)):
        stats = [item_stats(key, by_group.get(group, {}).get(key, {})) for key in keys]
        size = sum(population[cell] for cell in _members(group, population))
        groups.append(GroupResult(group, size, {s.key: s.mean for s in stats}))
    for key in keys:
        if any(_scores(by_group.get(g.group, {}).get(key, {})) < k for g in groups):
            for g in groups:
                g.means[key] = None
    all_comments = [c for c in comments if c.strip()]
    shown = tuple(all_comments) if len(all_comments) >= k else ()
    several = len({cell[0] for cell in population}) > 1 or len({cell[1] for cell in population}) > 1
    return RoundResult(
        respondents,
        k,
        True,
        items,
        None,
        tuple(groups),
        several and not groups,
        shown,
        0 if shown else len(all_comments),
        k,
    )
