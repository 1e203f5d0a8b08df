"""The results fit a phone: the headline a group sees first is one screen, also for a long
questionnaire with long item names, and all results are explained in plain words."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from domain.questionnaires import BUILTIN, NETWERKTOETS, Item, Questionnaire
from domain.results import RoundResult, item_stats
from storage.models import Network, Round
from views.rounds import chart_caption, results, results_details

PHONE_SCREEN = 900  # characters a 390 px phone shows without scrolling, roughly 25 short lines


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def twelve_items() -> Questionnaire:
    named = tuple(
        Item(f"q{n}", f"Hoe goed lukt het ons om afspraken over onderwerp {n} na te komen?", "", "")
        for n in range(1, 13)
    )
    return Questionnaire(
        "custom:1", "Eigen vragenlijst over de samenwerking in de wijk", named, False
    )


def result_for(questionnaire: Questionnaire, previous: bool) -> RoundResult:
    stats = tuple(
        item_stats(item.key, {3 + n % 5: 2, 8 - n % 3: 3, 10 - n % 7: 2, None: n % 2})
        for n, item in enumerate(questionnaire.items)
    )
    before = {s.key: (s.mean or 0) - 0.4 for s in stats} if previous else None
    return RoundResult(
        respondents=7,
        k=5,
        published=True,
        items=stats,
        previous_means=before,
        comments=("Meer overleg graag", "Goed dat we dit doen", "De wijkagent ontbreekt"),
        comment_k=3,
    )


NETWORK = Network(
    name="Wonen & Zorg Amersfoort", chat_id=-1, timezone="Europe/Amsterdam", language="nl"
)
ROUND = Round(
    closes_at=dt.datetime(2026, 12, 14, 16, 0, tzinfo=dt.UTC),
    closed_at=dt.datetime(2026, 12, 14, 16, 0, tzinfo=dt.UTC),
    invited=9,
)


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("which", ["twelve", NETWERKTOETS])
def test_the_headline_is_one_phone_screen_and_the_details_follow_on_request(
    lang: str, which: str
) -> None:
    questionnaire = twelve_items() if which == "twelve" else BUILTIN[NETWERKTOETS]
    result = result_for(questionnaire, previous=True)
    text, markup = results(lang, NETWORK, ROUND, questionnaire, result, invited=9)
    shown = visible(text)
    assert len(shown) <= PHONE_SCREEN, (len(shown), shown)
    assert "7 " in shown and " 9 " in shown  # participation
    assert shown.count("•") == 3  # the three lowest items
    assert ("Meeste verschil van mening" if lang == "nl" else "Most difference of opinion") in shown
    assert "3 " in shown and ("opmerkingen" if lang == "nl" else "comments") in shown
    assert "1 ····" not in shown and "spreiding" not in shown.lower()
    [[details_button]] = markup.inline_keyboard
    assert details_button.callback_data.startswith("rz:")
    if which == NETWERKTOETS:
        assert "🧭" in shown  # the advice

    parts = results_details(lang, questionnaire, result)
    everything = "\n".join(visible(p) for p in parts)
    explained = (
        "spreiding: hoe ver de cijfers uit elkaar liggen"
        if lang == "nl"
        else ("spread: how far the scores lie apart")
    )
    assert everything.count(explained) == 1  # every term explained once, in plain words
    for number in range(1, len(questionnaire.items) + 1):
        assert f"{number}. " in everything
    assert "Meer overleg graag" in everything
    decimal_sign = "," if lang == "nl" else "."
    assert re.search(rf"\d{re.escape(decimal_sign)}\d", everything)
    assert all(len(p) <= 4096 for p in parts)
    if which == "twelve":
        # Twelve items, comments and their explanation: still a short read.
        assert len(everything) <= 2 * PHONE_SCREEN


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_chart_caption_says_the_chart_in_words(lang: str) -> None:
    questionnaire = BUILTIN[NETWERKTOETS]
    result = result_for(questionnaire, previous=True)
    caption = chart_caption(lang, questionnaire, result)
    assert ("In cijfers:" if lang == "nl" else "In numbers:") in caption
    assert ("van 1 tot 10" if lang == "nl" else "from 1 to 10") in caption
    first = result.items[0]
    assert f"{'Vertrouwen' if lang == 'nl' else 'Trust'} " in caption
    mean = f"{first.mean:.1f}"
    assert (mean.replace(".", ",") if lang == "nl" else mean) in caption
    long = twelve_items()
    caption = chart_caption(lang, long, result_for(long, previous=False))
    assert len(caption) <= 1024 and caption.count(" · ") == 11
