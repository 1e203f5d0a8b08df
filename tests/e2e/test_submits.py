"""Submits of one round that arrive while one of its transactions runs are committed together,
with one rewrite of the round's tally row (storage.submits): every one counted once, every
partner thanked, and whatever stops a group told to each of its partners."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, literal_column, select

from domain.anonymity import Tally
from fakebot.world import Message, World
from storage.db import Database
from storage.models import Draft, Round, RoundTally, RoundVoter
from storage.submits import Outcome, Submits
from tests.e2e.test_press_path import statements
from tests.e2e.test_rounds import network_with_partners, start_round
from tests.harness import BotHarness

ITEMS = 7  # the Netwerktoets


async def _to_review(bot: BotHarness, user: object, announcement: Message) -> Message:
    [_, question] = await bot.press(user, announcement, "Antwoord")  # type: ignore[arg-type]
    for score in (7, 8, 6, 9, 5, 7, "Weet ik niet"):
        await bot.press(user, question, str(score))  # type: ignore[arg-type]
    await bot.press(user, question, "Overslaan")  # type: ignore[arg-type]
    assert "Je antwoorden" in question.text
    return question


async def _round_id(database: Database) -> int:
    async with database.unit_of_work(read_only=True) as session:
        round_id = await session.scalar(select(Round.id))
        assert round_id is not None
        return round_id


async def _counts(database: Database, round_id: int) -> tuple[int, int, int]:
    """Respondents in the tally, voters, drafts."""
    async with database.unit_of_work(read_only=True) as session:
        row = await session.get(RoundTally, round_id)
        assert row is not None
        voters = await session.scalar(select(func.count()).select_from(RoundVoter))
        drafts = await session.scalar(select(func.count()).select_from(Draft))
        return Tally.from_json(row.data).overall.respondents, int(voters or 0), int(drafts or 0)


async def _until(condition: object, seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the bot did not get there")


async def test_submits_that_arrive_together_are_committed_together(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 7)
    announcement = await start_round(bot, setup.net.els, k="3")
    reviews = {
        name: await _to_review(bot, user, announcement) for name, user in setup.partners.items()
    }
    database: Database = bot.services.database
    submits: Submits = bot.services.submits
    round_id = await _round_id(database)
    engine = database.engine.sync_engine

    with statements(engine) as seen:
        # Someone else holds the round's tally row (on SQLite: the one writer) while all seven
        # press Insturen: the first one's group waits for it, the other six gather meanwhile.
        people = list(setup.partners.items())
        async with database.unit_of_work() as session:
            await session.get(RoundTally, round_id, with_for_update=True)
            first, user = people[0]
            pressed = [await world.press(user, reviews[first], "Insturen")]
            await _until(lambda: submits.committing(round_id) == 1)
            for name, user in people[1:]:
                pressed.append(await world.press(user, reviews[name], "Insturen"))
            await _until(lambda: submits.waiting(round_id) == 6)
            assert submits.committing(round_id) == 1
        await bot.settle(pressed)

    assert seen.count("UPDATE round_tally") == 2  # the first alone, then the other six
    assert await _counts(database, round_id) == (7, 7, 0)
    for name, user in setup.partners.items():
        assert reviews[name].text == "📨 Ingestuurd." and not reviews[name].buttons()
        assert "Dank je!" in (world.last_bot_message(user).text or ""), name
        assert bot.answer_to_last_press() is not None
    # A group leaves the order in which its people pressed nowhere: its voters are stored
    # in the order of their hashes (read here in the order the rows lie in the table).
    place = "rowid" if database.is_sqlite else "ctid"
    async with database.unit_of_work(read_only=True) as session:
        voters = list(
            await session.scalars(select(RoundVoter.voter).order_by(literal_column(place)))
        )
    assert len(voters) == 7 and voters[1:] == sorted(voters[1:])


async def test_what_becomes_of_a_submit(bot: BotHarness, world: World) -> None:
    """Straight to the store: a person twice in one group is counted once; a draft not at its
    review is not counted; a closed round or one that is gone counts nobody."""
    setup = await network_with_partners(bot, world, 3)
    anna, bram, chris = (setup.partners[n] for n in ("Anna", "Bram", "Chris"))
    announcement = await start_round(bot, setup.net.els, k="3")
    await _to_review(bot, anna, announcement)
    await _to_review(bot, bram, announcement)
    await bot.press(chris, announcement, "Antwoord")  # Chris has only begun
    database: Database = bot.services.database
    submits = Submits(database)
    round_id = await _round_id(database)

    outcomes = await asyncio.gather(
        submits.submit(round_id, anna.id, ITEMS),
        submits.submit(round_id, anna.id, ITEMS),  # a second device, at the same moment
        submits.submit(round_id, chris.id, ITEMS),
        submits.submit(round_id, 424242, ITEMS),  # nobody of this round
    )
    assert outcomes == [
        Outcome.SUBMITTED,
        Outcome.ALREADY_ANSWERED,
        Outcome.NOT_READY,
        Outcome.NOT_READY,
    ]
    assert await submits.submit(round_id, anna.id, ITEMS) is Outcome.ALREADY_ANSWERED
    assert await _counts(database, round_id) == (1, 1, 2)  # Bram's and Chris's drafts remain

    async with database.unit_of_work() as session:
        round_ = await session.get(Round, round_id)
        assert round_ is not None
        round_.state = "closed"
    assert await submits.submit(round_id, bram.id, ITEMS) is Outcome.CLOSED
    assert await submits.submit(round_id + 1000, bram.id, ITEMS) is Outcome.UNKNOWN
    assert await _counts(database, round_id) == (1, 1, 2)


async def test_an_error_in_a_group_reaches_every_submit_in_it_and_counts_nobody(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    anna, bram = setup.partners["Anna"], setup.partners["Bram"]
    announcement = await start_round(bot, setup.net.els, k="3")
    await _to_review(bot, anna, announcement)
    await _to_review(bot, bram, announcement)
    database: Database = bot.services.database
    submits = Submits(database)
    round_id = await _round_id(database)
    async with database.unit_of_work() as session:
        tally = await session.get(RoundTally, round_id)
        await session.delete(tally)  # a broken database: the round's counts are missing

    outcomes = await asyncio.gather(
        submits.submit(round_id, anna.id, ITEMS),
        submits.submit(round_id, bram.id, ITEMS),
        return_exceptions=True,
    )
    assert all(isinstance(o, ValueError) for o in outcomes), outcomes
    async with database.unit_of_work(read_only=True) as session:
        assert await session.scalar(select(func.count()).select_from(RoundVoter)) == 0
        assert await session.scalar(select(func.count()).select_from(Draft)) == 2
    assert submits.waiting(round_id) == 0


async def test_a_submit_refused_by_its_group_says_why_and_keeps_the_draft(
    bot: BotHarness, world: World
) -> None:
    """The round closes between the press's checks and its group: the partner hears that
    the round has closed, and nothing is counted."""
    setup = await network_with_partners(bot, world, 3)
    anna = setup.partners["Anna"]
    announcement = await start_round(bot, setup.net.els, k="3")
    review = await _to_review(bot, anna, announcement)
    database: Database = bot.services.database
    submits: Submits = bot.services.submits
    round_id = await _round_id(database)

    real = submits.submit

    async def closing_first(round_id: int, person_id: int, items: int) -> Outcome:
        async with database.unit_of_work() as session:
            round_ = await session.get(Round, round_id)
            assert round_ is not None
            round_.state = "closed"
        return await real(round_id, person_id, items)

    submits.submit = closing_first  # type: ignore[method-assign]
    await bot.press(anna, review, "Insturen")
    answer = bot.answer_to_last_press() or {}
    assert "gesloten" in answer.get("text", ""), answer
    assert "Je antwoorden" in review.text
    assert await _counts(database, round_id) == (0, 0, 1)


async def test_a_group_cancelled_counts_nobody_and_leaves_no_submit_waiting(
    bot: BotHarness, world: World
) -> None:
    """The bot stopping while a group waits for the round's tally row: the group's
    transaction rolls back, its submit and the one waiting behind it are cancelled (none left
    hanging), every draft stays, and a submit afterwards is counted as ever."""
    setup = await network_with_partners(bot, world, 3)
    anna, bram = setup.partners["Anna"], setup.partners["Bram"]
    announcement = await start_round(bot, setup.net.els, k="3")
    await _to_review(bot, anna, announcement)
    await _to_review(bot, bram, announcement)
    database: Database = bot.services.database
    submits = Submits(database)
    round_id = await _round_id(database)

    async with database.unit_of_work() as session:
        await session.get(RoundTally, round_id, with_for_update=True)
        first = asyncio.ensure_future(submits.submit(round_id, anna.id, ITEMS))
        await _until(lambda: submits.committing(round_id) == 1)
        second = asyncio.ensure_future(submits.submit(round_id, bram.id, ITEMS))
        await _until(lambda: submits.waiting(round_id) == 1)
        submits._committing[round_id].cancel()  # as the event loop does when the bot stops
        outcomes = await asyncio.wait_for(asyncio.gather(first, second, return_exceptions=True), 10)
    assert all(isinstance(o, asyncio.CancelledError) for o in outcomes), outcomes
    assert (submits.committing(round_id), submits.waiting(round_id)) == (0, 0)
    assert await _counts(database, round_id) == (0, 0, 2)
    assert await submits.submit(round_id, anna.id, ITEMS) is Outcome.SUBMITTED
    assert await _counts(database, round_id) == (1, 1, 1)
