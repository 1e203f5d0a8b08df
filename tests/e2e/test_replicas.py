"""Every act once across processes: two bot processes on one database, as behind one webhook,
each get one tap of a double tap and handle it at the same moment. Whatever the act (the last
button of every dialogue, a round's submit, taking up a working group), it happens once, both
taps are answered, and neither process raises."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select

from fakebot.world import World
from storage.models import ReviewAnswer, Round, Trekker
from storage.rounds import tally_of
from tests.e2e.test_agreements import prompts, record
from tests.e2e.test_dialogue_crashes import JOURNEYS, no_dialogue_left
from tests.e2e.test_rounds import network_with_partners, start_round
from tests.e2e.test_workgroups import new_group
from tests.harness import BotHarness, Replica


async def double_tap(bot: BotHarness, replica: Replica, press: Callable[[], Awaitable[object]]):  # type: ignore[no-untyped-def]
    """press (one button press through the harness) as a double tap: the first tap reaches this
    process, the second the replica, while the first is being handled."""
    world = bot.world
    with world.tapping_twice() as second:
        first = asyncio.ensure_future(press())
        async with world.changed:  # the world notifies when a tap is made
            await world.changed.wait_for(lambda: bool(second))
        await asyncio.gather(first, replica.handle(second[0]))
    for update in second:
        assert world.callback_answers[update["callback_query"]["id"]] is not None


# The dialogues that end with a button (the others end with a typed text, and typing a text
# twice is two messages, not a double tap).
ENDING_WITH_A_BUTTON = [
    "join",
    "round set-up",
    "new action",
    "new agreement",
    "signal contact",
    "new table",
    "table seats",
]


@pytest.mark.parametrize("name", ENDING_WITH_A_BUTTON)
async def test_the_last_tap_of_a_dialogue_saves_once(
    bot: BotHarness, world: World, name: str
) -> None:
    journey = await JOURNEYS[name](bot, world)
    *steps, last = journey.acts
    for act in steps:
        await act.do()
    async with Replica(bot) as replica:
        await double_tap(bot, replica, last.do)
    await journey.check()
    await no_dialogue_left(bot)


async def test_a_double_submit_counts_one_respondent(bot: BotHarness, world: World) -> None:
    setup = await network_with_partners(bot, world, 3)
    announcement = await start_round(bot, setup.net.els, k="3")
    anna = setup.partners["Anna"]
    [_, question] = await bot.press(anna, announcement, "Antwoord")
    for _ in range(7):
        await bot.press(anna, question, "6")
    await bot.press(anna, question, "Overslaan")
    async with Replica(bot) as replica:
        await double_tap(bot, replica, lambda: bot.press(anna, question, "Insturen"))
    async with bot.services.database.unit_of_work() as session:
        round_ = (await session.scalars(select(Round))).one()
        tally = await tally_of(session, round_.id)
    assert tally.respondents == 1


async def test_a_double_take_makes_one_trekker(bot: BotHarness, world: World) -> None:
    setup = await network_with_partners(bot, world, 3)
    els, group, anna = setup.net.els, setup.net.group, setup.partners["Anna"]
    card = await new_group(bot, els, group)
    async with Replica(bot) as replica:
        await double_tap(bot, replica, lambda: bot.press(anna, card, "Ik trek"))
    async with bot.services.database.unit_of_work() as session:
        trekkers = (await session.scalars(select(Trekker))).all()
    assert [t.person_id for t in trekkers] == [anna.id]


async def test_two_partners_taking_up_a_group_at_once_make_one_trekker(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    els, group = setup.net.els, setup.net.group
    anna, bram = setup.partners["Anna"], setup.partners["Bram"]
    card = await new_group(bot, els, group)
    async with Replica(bot) as replica:
        with world.elsewhere() as taken:
            await world.press(bram, card, "Ik trek")
        await asyncio.gather(bot.press(anna, card, "Ik trek"), replica.handle(taken[0]))
    async with bot.services.database.unit_of_work() as session:
        trekkers = (await session.scalars(select(Trekker))).all()
    assert len(trekkers) == 1 and trekkers[0].person_id in {anna.id, bram.id}
    refused = [a for a in world.callback_answers.values() if a and a.get("show_alert")]
    assert len(refused) == 1 and "trekker" in refused[0]["text"]


async def test_one_party_answering_a_review_twice_at_once_answers_once(
    bot: BotHarness, world: World
) -> None:
    """Chris double-taps his answer; Anna and Bram, both of Portaal, answer at the same moment
    through two processes: one answer per party, whoever came first."""
    setup = await network_with_partners(bot, world, 3)
    els, p = setup.net.els, setup.partners
    await record(bot, els, "Signalen", "We bellen elkaar.", ["Portaal", "Gemeente Amersfoort"])
    bot.clock.set(dt.datetime(2027, 5, 24, 8, 0, tzinfo=dt.UTC))  # the first review's morning
    await bot.dispatch()
    [chris_prompt] = prompts(world, p["Chris"])
    [anna_prompt], [bram_prompt] = prompts(world, p["Anna"]), prompts(world, p["Bram"])
    async with Replica(bot) as replica:
        await double_tap(bot, replica, lambda: bot.press(p["Chris"], chris_prompt, "Zo laten"))
        await bot.press(p["Bram"], bram_prompt, "Stoppen")  # asks first
        with world.elsewhere() as taken:
            await world.press(p["Bram"], bram_prompt, "Ja, antwoord Stoppen")
        await asyncio.gather(
            bot.press(p["Anna"], anna_prompt, "Zo laten"), replica.handle(taken[0])
        )
    async with bot.services.database.unit_of_work() as session:
        answers = (await session.scalars(select(ReviewAnswer))).all()
    by_party = sorted((a.label, a.choice) for a in answers)
    assert [label for label, _ in by_party] == ["Gemeente Amersfoort", "Portaal"], by_party
    await bot.dispatch()
