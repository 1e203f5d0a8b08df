"""The dialogue declarations and their typed data, without Telegram."""

from __future__ import annotations

import datetime as dt

import pytest

import bot  # noqa: F401  (imports every journey, so every dialogue is registered)
from dialogues.actions import NewActionData, due_date, fits
from dialogues.agreeing import first_review, typed_start
from dialogues.data import BadData, dump, load
from dialogues.engine import BUTTONS, REGISTRY, Kind
from dialogues.questionnaire import parse_item
from dialogues.round_setup import RoundData
from domain.dates import DateProblem
from domain.text import toggled

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


def test_every_dialogue_is_declared_once_with_every_step_answerable() -> None:
    assert set(REGISTRY) == set(Kind)
    for dialogue in REGISTRY.values():
        for step in dialogue.steps:
            declared = dialogue.table[step]
            assert declared.text is not None or declared.buttons, (dialogue.kind, step)
        for cb in (cb for s in dialogue.table.values() for cb in s.buttons):
            assert BUTTONS[cb] is dialogue


def test_data_round_trips_and_reads_what_the_old_version_wrote() -> None:
    data = NewActionData(
        group_id=3, title="Huurlijst", owner_text="Gemeente", due=dt.date(2026, 12, 4)
    )
    assert load(NewActionData, dump(data)) == data
    old = {"group_id": 3, "title": "Huurlijst", "owner_text": "Gemeente", "due": "2026-12-04"}
    assert load(NewActionData, old) == data
    closes = dt.datetime(2026, 12, 16, 17, 0, tzinfo=dt.UTC)
    round_data = RoundData("netwerktoets", closes, 5, ["board"], [])
    assert load(RoundData, dump(round_data)) == round_data


@pytest.mark.parametrize(
    "raw",
    [
        {},  # group_id missing
        {"group_id": "3"},
        {"group_id": True},
        {"group_id": 3, "due": "not a date"},
        {"group_id": 3, "owner_me": "yes"},
        [],
    ],
)
def test_data_that_does_not_fit_is_refused(raw: object) -> None:
    with pytest.raises(BadData):
        load(NewActionData, raw)


def test_a_moment_without_a_zone_is_refused() -> None:
    with pytest.raises(BadData):
        load(RoundData, {"closes_at": "2026-12-16T17:00:00"})


def test_step_parsers() -> None:
    assert fits("  Huur   lijst ", 20) == "Huur lijst"
    assert fits("   ", 20) is None and fits("x" * 21, 20) is None
    assert parse_item("Vertrouwen? | laag | hoog") == ("Vertrouwen?", "laag", "hoog")
    for bad, problem in (("alleen een vraag", "shape"), ("a | | c", "shape")):
        with pytest.raises(ValueError, match=problem):
            parse_item(bad)
    with pytest.raises(ValueError, match="too_long"):
        parse_item("x" * 1000 + " | a | b")
    assert toggled([1, 2], 2) == [1] and toggled([1], 2) == [1, 2]
    assert due_date("vrijdag", NOW, "Europe/Amsterdam") == dt.date(2026, 12, 4)
    with pytest.raises(DateProblem):
        due_date("1-12-2026", NOW, "Europe/Amsterdam")  # yesterday
    assert typed_start("2026-01-15", NOW, "Europe/Amsterdam") == dt.date(2026, 1, 15)
    assert first_review(dt.date(2026, 1, 15), 6, dt.date(2026, 12, 2)) > dt.date(2026, 12, 1)
