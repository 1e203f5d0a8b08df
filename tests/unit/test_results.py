"""Statistics and the collaboration advice on plain counts; anonymity: test_anonymity."""

from __future__ import annotations

import numpy as np
import pytest

from domain.results import (
    ADAPT,
    ALIGN,
    INTERWEAVE,
    collaboration_advice,
    item_stats,
    lowest_items,
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
