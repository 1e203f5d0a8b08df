"""Aggregation, the anonymity rules and the collaboration advice, on plain counts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.results import (
    ADAPT,
    ALIGN,
    INTERWEAVE,
    collaboration_advice,
    compose,
    item_stats,
    lowest_items,
    publishable,
    widest_disagreement,
)


def test_item_stats_from_a_histogram() -> None:
    stats = item_stats("trust", {7: 1, 4: 1, 8: 1, 5: 1, 6: 1, 9: 1, None: 2})
    assert stats.n == 6 and stats.dont_know == 2
    assert stats.mean == pytest.approx(6.5)
    assert stats.median == 6.5
    assert (stats.minimum, stats.maximum) == (4, 9)
    assert stats.sd == pytest.approx(np.std([7, 4, 8, 5, 6, 9], ddof=1))
    assert stats.distribution == (0, 0, 0, 1, 1, 1, 1, 1, 1, 0)


def test_all_equal_scores_have_no_spread_and_no_disagreement() -> None:
    stats = item_stats("goals", {6: 5})
    assert (stats.mean, stats.median, stats.sd) == (6.0, 6.0, 0.0)
    assert widest_disagreement([stats]) is None


def test_only_dont_know_gives_no_statistics() -> None:
    stats = item_stats("dissent", {None: 4})
    assert stats.n == 0 and stats.mean is None and stats.dont_know == 4


def test_lowest_and_widest() -> None:
    items = [item_stats("a", {5: 3}), item_stats("b", {2: 1, 9: 2}), item_stats("c", {4: 3})]
    assert [s.key for s in lowest_items(items)] == ["c", "a"]
    widest = widest_disagreement(items)
    assert widest is not None and widest.key == "b"


@pytest.mark.parametrize(
    ("means", "form", "work_on"),
    [
        ({"trust": 8, "goals": 7.5}, INTERWEAVE, ()),
        ({"trust": 6.5, "goals": 8, "dissent": 5.6}, ADAPT, ("dissent", "trust")),
        ({"trust": 4.0, "goals": 8, "dissent": 5.0}, ALIGN, ("trust", "dissent")),
    ],
)
def test_collaboration_advice(means: dict[str, float], form: str, work_on: tuple[str, ...]) -> None:
    advice = collaboration_advice(means)
    assert advice is not None and (advice.form, advice.work_on) == (form, work_on)


@pytest.mark.parametrize(("n", "shown"), [(4, False), (5, True)])
def test_nothing_is_published_below_k(n: int, shown: bool) -> None:
    result = compose(
        item_keys=["trust"],
        k=5,
        overall={"trust": {6: n}},
        by_group={},
        population={("lower", "care"): n},
    )
    assert result.published is shown
    assert bool(result.items) is shown


def test_k_below_three_is_refused() -> None:
    with pytest.raises(ValueError):
        publishable({("lower", "care"): 10}, 2)


def test_complementary_suppression_hides_the_larger_group_too() -> None:
    # 7 on the work floor, 2 board members: showing the work floor next to the total would
    # give away the two board members' scores by subtraction.
    population = {("lower", "care"): 7, ("upper", "care"): 2}
    publication = publishable(population, 5)
    assert publication.total and publication.groups == frozenset()


def test_two_large_groups_are_both_shown() -> None:
    population = {("lower", "care"): 6, ("upper", "municipality"): 5}
    publication = publishable(population, 5)
    assert ("level", "lower") in publication.groups and ("level", "upper") in publication.groups


def test_a_group_nested_in_another_cannot_expose_the_difference() -> None:
    # All 6 housing people are on the work floor, with 1 police officer: work floor (7) minus
    # housing (6) would be the police officer alone.
    population = {("lower", "housing"): 6, ("lower", "police"): 1, ("upper", "municipality"): 5}
    publication = publishable(population, 5)
    shown = publication.groups
    assert not ({("level", "lower"), ("type", "housing")} <= shown)


def test_an_item_with_too_few_scores_shows_no_statistics_and_no_group_means() -> None:
    population = {("lower", "care"): 5, ("upper", "care"): 5}
    result = compose(
        item_keys=["trust", "dissent"],
        k=5,
        overall={"trust": {6: 10}, "dissent": {7: 2, None: 8}},
        by_group={
            ("level", "lower"): {"trust": {6: 5}, "dissent": {7: 2, None: 3}},
            ("level", "upper"): {"trust": {6: 5}, "dissent": {None: 5}},
        },
        population=population,
    )
    dissent = next(s for s in result.items if s.key == "dissent")
    assert dissent.mean is None and dissent.dont_know == 8
    assert all(g.means["dissent"] is None and g.means["trust"] == 6 for g in result.groups)


def test_comments_only_from_k_people() -> None:
    base = {
        "item_keys": ["a"],
        "k": 3,
        "overall": {"a": {5: 3}},
        "by_group": {},
        "population": {("lower", "care"): 3},
    }
    assert compose(**base, comments=["x", "y"]).comments == ()  # type: ignore[arg-type]
    assert compose(**base, comments=["x", "y"]).comments_waiting == 2  # type: ignore[arg-type]
    assert len(compose(**base, comments=["x", "y", "z"]).comments) == 3  # type: ignore[arg-type]


# --- property: what is published never lets anyone derive a group smaller than k ----------


def _derivable_small_sets(
    population: dict[tuple[str, str], int], groups: frozenset[tuple[str, str]], k: int
) -> list[tuple]:
    """Independently of the code under test: every set of cells with fewer than k people whose
    total lies in the span of the published totals (checked with floating-point ranks)."""
    cells = [cell for cell, n in population.items() if n]
    rows = [[1.0] * len(cells)]
    for dimension, name in groups:
        index = 0 if dimension == "level" else 1
        rows.append([1.0 if cell[index] == name else 0.0 for cell in cells])
    matrix = np.array(rows)
    rank = np.linalg.matrix_rank(matrix)
    found = []
    for size in range(1, len(cells) + 1):
        for subset in itertools.combinations(range(len(cells)), size):
            people = sum(population[cells[i]] for i in subset)
            if not 0 < people < k:
                continue
            vector = np.array([[1.0 if i in subset else 0.0 for i in range(len(cells))]])
            if np.linalg.matrix_rank(np.vstack([matrix, vector])) == rank:
                found.append(tuple(cells[i] for i in subset))
    return found


populations = st.dictionaries(
    st.tuples(
        st.sampled_from(["upper", "lower"]),
        st.sampled_from(["housing", "care", "police", "municipality"]),
    ),
    st.integers(min_value=1, max_value=9),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(populations, st.sampled_from([3, 4, 5, 7]))
def test_no_published_set_reveals_a_group_under_k(
    population: dict[tuple[str, str], int], k: int
) -> None:
    publication = publishable(population, k)
    if sum(population.values()) < k:
        assert not publication.total and not publication.groups
        return
    assert publication.total
    for dimension, name in publication.groups:
        index = 0 if dimension == "level" else 1
        assert sum(n for cell, n in population.items() if cell[index] == name) >= k
    assert _derivable_small_sets(population, publication.groups, k) == []
