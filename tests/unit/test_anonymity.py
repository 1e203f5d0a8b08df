"""The anonymity rules on plain data: breakdowns planned at the start, counts without rows, and a
subtraction attack over every number a result publishes, checked independently of the rules."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.anonymity import (
    KIND,
    LEVEL,
    REST,
    Breakdown,
    Tally,
    comment_threshold,
    level_group,
    plan_breakdown,
    plan_round,
)
from domain.results import compose, result_from_json, result_to_json

RNG = random.Random(1)


def _tally(breakdown: Breakdown, people: list[tuple[str, str, dict[str, int | None]]]) -> Tally:
    tally = Tally()
    for level, kind, scores in people:
        tally.add(breakdown, scores, level, kind, None, RNG)
    return tally


# --- breakdowns fixed at the start --------------------------------------------------------------


def test_one_partner_per_kind_gives_no_kind_breakdown() -> None:
    invited = [("operational", kind) for kind in ("housing", "care", "police", "welfare", "health")]
    plan = plan_breakdown(invited, 3)
    assert plan.kinds == {} and plan.levels == {}


def test_small_kinds_are_merged_into_one_rest_group() -> None:
    invited = [("board", "housing")] * 3 + [
        ("operational", "care"),
        ("operational", "police"),
        ("board", "welfare"),
    ]
    plan = plan_breakdown(invited, 3)
    assert plan.groups(KIND) == sorted(["housing", REST])
    assert plan.mapping(KIND)["police"] == REST


def test_a_rest_below_k_takes_the_smallest_kind_with_it() -> None:
    invited = [("board", "housing")] * 5 + [("board", "care")] * 4 + [("board", "police")]
    plan = plan_breakdown(invited, 3)
    assert plan.groups(KIND) == sorted(["housing", REST])
    assert plan.mapping(KIND)["care"] == REST


def test_levels_are_broken_down_only_when_both_have_k() -> None:
    few_upper = [("board", "care")] * 2 + [("operational", "care")] * 10
    assert plan_breakdown(few_upper, 3).levels == {}
    both = [("board", "care")] * 3 + [("tactical", "care")] * 3
    assert set(plan_breakdown(both, 3).groups(LEVEL)) == {"upper", "lower"}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["board", "strategic", "tactical", "operational"]),
            st.sampled_from(["housing", "care", "police", "municipality", "health", "welfare"]),
        ),
        max_size=40,
    ),
    st.sampled_from([3, 4, 5, 7]),
)
def test_every_planned_group_stands_for_at_least_k_invited(
    invited: list[tuple[str, str]], k: int
) -> None:
    plan = plan_breakdown(invited, k)
    for dimension in (LEVEL, KIND):
        groups = plan.groups(dimension)
        assert len(groups) != 1
        for group in groups:
            size = sum(
                1
                for level, kind in invited
                if (level_group(level) if dimension == LEVEL else plan.mapping(KIND)[kind]) == group
            )
            assert size >= k, (dimension, group, size)


def test_breakdown_round_trips_through_json() -> None:
    plan = plan_breakdown([("board", "housing")] * 3 + [("operational", "care")] * 3, 3)
    assert Breakdown.from_json(plan.to_json()) == plan


# --- counts without rows -------------------------------------------------------------------------


def test_tally_counts_overall_and_per_group_and_round_trips() -> None:
    breakdown = Breakdown({}, {"housing": "housing", "care": REST, "*": REST})
    tally = _tally(
        breakdown,
        [
            ("board", "housing", {"trust": 8, "goals": None}),
            ("board", "police", {"trust": 3, "goals": 5}),
        ],
    )
    assert tally.respondents == 2
    assert tally.overall.items["trust"] == {8: 1, 3: 1}
    assert tally.groups[KIND][REST].items["goals"] == {5: 1}
    assert Tally.from_json(tally.to_json()) == tally


def test_a_kind_without_a_group_stops_that_breakdown_for_the_round() -> None:
    breakdown = Breakdown({}, {"housing": "housing", "care": "care"})
    tally = _tally(
        breakdown,
        [("board", "housing", {"trust": 8}), ("board", "police", {"trust": 2})],
    )
    assert KIND in tally.stopped and KIND not in tally.groups
    tally.add(breakdown, {"trust": 5}, "board", "care", None, RNG)
    assert KIND not in tally.groups  # stays stopped: the police officer's score stays hidden


def test_comments_are_kept_in_random_places_and_threshold_defaults_above_k() -> None:
    tally = Tally()
    for text in "abcdefghij":
        tally.add(Breakdown(), {}, "board", "care", text, random.Random(text))
    assert sorted(tally.comments) == list("abcdefghij")
    assert tally.comments != list("abcdefghij")
    assert comment_threshold(5, None) == 7 and comment_threshold(3, None) == 5
    assert comment_threshold(5, 10) == 10 and comment_threshold(5, 2) == 5


# --- what may be published -----------------------------------------------------------------------


def _compose(tally: Tally, k: int, keys: list[str], comment_k: int | None = None):  # type: ignore[no-untyped-def]
    return compose(item_keys=keys, k=k, comment_k=comment_k or k + 2, tally=tally)


def test_nothing_is_published_below_k() -> None:
    tally = _tally(Breakdown(), [("board", "care", {"trust": 6})] * 4)
    assert not _compose(tally, 5, ["trust"]).published
    tally.add(Breakdown(), {"trust": 6}, "board", "care", None, RNG)
    assert _compose(tally, 5, ["trust"]).published


def test_the_dont_know_subtraction_of_the_issue_is_closed() -> None:
    """Three housing partners score trust 8, the care partner 2, police and welfare answer
    don't know: a housing mean next to the total would give the care partner's 2."""
    invited = [
        ("board", "housing"),
        ("operational", "housing"),
        ("board", "housing"),
        ("operational", "care"),
        ("operational", "police"),
        ("board", "welfare"),
    ]
    plan = plan_breakdown(invited, 3)
    scores: list[int | None] = [8, 8, 8, 2, None, None]
    tally = _tally(
        plan,
        [
            (level, kind, {"trust": score, "goals": 6})
            for (level, kind), score in zip(invited, scores, strict=True)
        ],
    )
    result = _compose(tally, 3, ["trust", "goals"])
    trust = next(s for s in result.items if s.key == "trust")
    assert trust.mean == pytest.approx(6.5) and trust.dont_know == 2
    assert result.groups, "goals has enough scores in every group"
    assert all(g.means["trust"] is None for g in result.groups)
    assert all(g.means["goals"] == 6 for g in result.groups)


def test_each_item_is_broken_down_along_one_dimension_only() -> None:
    invited = [(level, kind) for level in ("board", "operational") for kind in ("care", "housing")]
    invited = invited * 3
    plan = plan_breakdown(invited, 3)
    tally = _tally(plan, [(level, kind, {"trust": 5, "goals": 7}) for level, kind in invited])
    result = _compose(tally, 3, ["trust", "goals"])
    for key in ("trust", "goals"):
        dimensions = {g.group[0] for g in result.groups if g.means[key] is not None}
        assert dimensions == {LEVEL}


def test_comments_need_the_comment_threshold() -> None:
    tally = Tally()
    for text in ("x", "y", "z", "w"):
        tally.add(Breakdown(), {"a": 5}, "board", "care", text, RNG)
    assert _compose(tally, 3, ["a"], comment_k=5).comments == ()
    assert _compose(tally, 3, ["a"], comment_k=5).comments_waiting == 4
    assert len(_compose(tally, 3, ["a"], comment_k=4).comments) == 4


def test_a_result_round_trips_through_its_frozen_form() -> None:
    plan = plan_breakdown([("board", "care")] * 3 + [("operational", "care")] * 3, 3)
    tally = _tally(plan, [("board", "care", {"a": 5, "b": None})] * 3)
    tally.add(plan, {"a": 9, "b": 2}, "operational", "care", "note", RNG)
    result = _compose(tally, 3, ["a", "b"])
    assert result_from_json(result_to_json(result)) == result


# --- the attack: any linear combination of published sums that isolates fewer than k people ------


def _isolated_sets(
    scorers: list[tuple[str, str]], published: list[set[int]], k: int
) -> list[tuple[int, ...]]:
    """Independently of the rules: with every published sum (total, group sums) as a 0/1 row
    over the people who scored the item, every non-empty set of fewer than k of them whose
    indicator lies in the span of those rows (its exact sum can be computed)."""
    if not published:
        return []
    matrix = np.array(
        [[1.0 if i in row else 0.0 for i in range(len(scorers))] for row in published]
    )
    rank = np.linalg.matrix_rank(matrix)
    found = []
    for size in range(1, k):
        for subset in itertools.combinations(range(len(scorers)), size):
            vector = np.array([[1.0 if i in subset else 0.0 for i in range(len(scorers))]])
            if np.linalg.matrix_rank(np.vstack([matrix, vector])) == rank:
                found.append(subset)
    return found


people = st.lists(
    st.tuples(
        st.sampled_from(["board", "strategic", "tactical", "operational"]),
        st.sampled_from(["housing", "care", "police", "municipality"]),
        st.lists(st.one_of(st.none(), st.integers(1, 10)), min_size=3, max_size=3),
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=300, deadline=None)
@given(people, st.sampled_from([3, 4, 5]), st.integers(0, 6))
def test_no_published_number_isolates_fewer_than_k_people(
    network: list[tuple[str, str, list[int | None]]], k: int, absent: int
) -> None:
    """Invite everyone; some (the last `absent`) do not answer. The attacker knows each person's
    level and kind and, worst case, who scored an item at all."""
    keys = ["a", "b", "c"]
    plan = plan_round(((level, kind) for level, kind, _ in network), k, None)
    answering = network[: max(len(network) - absent, 0)]
    tally = _tally(
        plan.breakdown,
        [(level, kind, dict(zip(keys, scores, strict=True))) for level, kind, scores in answering],
    )
    result = compose(item_keys=keys, k=k, comment_k=plan.comment_k, tally=tally)
    if not result.published:
        assert len(answering) < k and not result.items
        return
    for index, key in enumerate(keys):
        scorers = [(lv, kd) for lv, kd, scores in answering if scores[index] is not None]
        stats = next(s for s in result.items if s.key == key)
        rows: list[set[int]] = []
        if stats.mean is not None:
            rows.append(set(range(len(scorers))))
        for group in result.groups:
            if group.means.get(key) is None:
                continue
            dimension, name = group.group
            rows.append(
                {
                    i
                    for i, (lv, kd) in enumerate(scorers)
                    if (level_group(lv) if dimension == LEVEL else _group(plan.breakdown, kd))
                    == name
                }
            )
        assert _isolated_sets(scorers, rows, k) == [], (key, result.groups)


def _group(breakdown: Breakdown, kind: str) -> str:
    mapping = breakdown.mapping(KIND)
    return mapping.get(kind, mapping.get("*", ""))
