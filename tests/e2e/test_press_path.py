"""A press while answering a round takes one read and one write when all is as it should be
(handlers.answering._step_quickly), and the full path of checks whenever anything is off: the
same move either way, nothing lost, nobody's draft overwritten by a stale read."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from fakebot.world import World
from storage import rounds as store
from storage.db import Database
from storage.models import Draft, Person
from tests.e2e.test_rounds import network_with_partners, start_round
from tests.harness import BotHarness


@contextlib.contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements the engine sends meanwhile, by their first word and table."""
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        words = statement.split()
        seen.append(f"{words[0]} {words[1] if words[0] == 'UPDATE' else ''}".strip())

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


async def _draft(database: Database) -> Draft:
    async with database.unit_of_work(read_only=True) as session:
        [draft] = (await session.scalars(select(Draft))).all()
        return draft


async def test_a_press_is_one_read_and_one_write(bot: BotHarness, world: World) -> None:
    setup = await network_with_partners(bot, world, 3)
    anna = setup.partners["Anna"]
    announcement = await start_round(bot, setup.net.els, k="3")
    [_, question] = await bot.press(anna, announcement, "Antwoord")
    engine = bot.services.database.engine.sync_engine
    before = await _draft(bot.services.database)

    with statements(engine) as seen:
        await bot.press(anna, question, "7")
    assert seen == ["SELECT", "UPDATE draft"]
    assert "Vraag 2 van 7" in question.text
    after = await _draft(bot.services.database)
    assert (after.position, after.step, after.message_id) == (1, "items", question.message_id)
    assert list(after.answers.values()) == [7] and after.updated_at > before.updated_at

    # Back, a score on the last question, Skip and Change answers: the same two statements.
    with statements(engine) as seen:
        await bot.press(anna, question, "◀ Terug")
        assert "Vraag 1 van 7" in question.text and "Je antwoord tot nu toe: 7" in question.text
        for score in ("8", "9", "1", "2", "3", "4", "Weet ik niet"):
            await bot.press(anna, question, score)
        assert "Wil je nog iets kwijt" in question.text
        await bot.press(anna, question, "Overslaan")
        assert "Je antwoorden" in question.text
        await bot.press(anna, question, "Antwoorden wijzigen")
        assert "Vraag 1 van 7" in question.text and "Je antwoord tot nu toe: 8" in question.text
    assert seen == ["SELECT", "UPDATE draft"] * 10
    draft = await _draft(bot.services.database)
    assert sorted(draft.answers.values()) == [0, 1, 2, 3, 4, 8, 9]
    assert (draft.position, draft.step, draft.comment) == (0, "items", None)


async def test_a_press_after_a_change_takes_the_full_path_to_the_same_step(
    bot: BotHarness, world: World
) -> None:
    """A partner who renamed themselves in Telegram, or whose chat was marked unreachable:
    the press refreshes what is stored of them, and moves the draft just as quickly would."""
    setup = await network_with_partners(bot, world, 3)
    anna = setup.partners["Anna"]
    announcement = await start_round(bot, setup.net.els, k="3")
    [_, question] = await bot.press(anna, announcement, "Antwoord")
    engine = bot.services.database.engine.sync_engine

    anna.first_name, anna.username = "Anna-Lena", "annalena"
    with statements(engine) as seen:
        await bot.press(anna, question, "6")
    assert len(seen) > 2 and "UPDATE person" in seen
    assert "Vraag 2 van 7" in question.text
    async with bot.services.database.unit_of_work() as session:
        person = await session.get(Person, anna.id)
        assert person is not None
        assert (person.first_name, person.username) == ("Anna-Lena", "annalena")
        person.reachable = False  # a send to her failed meanwhile
    with statements(engine) as seen:
        await bot.press(anna, question, "5")
    assert "UPDATE person" in seen and "Vraag 3 van 7" in question.text
    with statements(engine) as seen:  # all is as it should be again
        await bot.press(anna, question, "4")
    assert seen == ["SELECT", "UPDATE draft"] and "Vraag 4 van 7" in question.text
    draft = await _draft(bot.services.database)
    assert list(draft.answers.values()) == [6, 5, 4] and draft.position == 3


async def test_a_press_on_an_older_copy_or_a_left_screen_changes_nothing(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    anna = setup.partners["Anna"]
    announcement = await start_round(bot, setup.net.els, k="3")
    [_, first] = await bot.press(anna, announcement, "Antwoord")
    await bot.press(anna, first, "7")
    old_score = first.buttons()[0]["callback_data"]  # a score for question 2, on this copy
    await bot.press(anna, first, "8")
    # Pressed twice (a slow client): question 2's button is a screen the draft has left.
    await bot.press_data(anna, first, old_score)
    assert "niet meer" in (bot.answer_to_last_press() or {})["text"]
    [_, resumed] = await bot.press(anna, announcement, "Antwoord")
    await bot.press_data(anna, first, resumed.buttons()[0]["callback_data"])
    assert "oudere kopie" in (bot.answer_to_last_press() or {})["text"]
    draft = await _draft(bot.services.database)
    assert list(draft.answers.values()) == [7, 8] and draft.position == 2
    assert draft.message_id == resumed.message_id


async def test_a_draft_moved_meanwhile_is_not_overwritten(bot: BotHarness, world: World) -> None:
    """Two processes: what one read is stale once the other stored a move; the guarded write
    then stores nothing and says so (the press takes the full path and reads again)."""
    setup = await network_with_partners(bot, world, 3)
    anna = setup.partners["Anna"]
    announcement = await start_round(bot, setup.net.els, k="3")
    [_, question] = await bot.press(anna, announcement, "Antwoord")
    database = bot.services.database
    draft = await _draft(database)
    async with database.unit_of_work() as session:
        press = await store.read_press(session, draft.round_id, anna.id)
    assert press is not None and press.draft is not None and press.invited

    async with database.unit_of_work() as session:  # the other process
        other = await session.get(Draft, (draft.round_id, anna.id))
        assert other is not None
        other.answers, other.position = {"x": 9}, 1
    moved = store.DraftSteps({"y": 3}, 1, "items", None)
    async with database.unit_of_work() as session:
        assert not await store.save_steps(session, press, anna.id, moved, question.message_id)
    after = await _draft(database)
    assert (after.answers, after.position) == ({"x": 9}, 1)

    async with database.unit_of_work() as session:  # read again: now it is stored
        press = await store.read_press(session, draft.round_id, anna.id)
        assert press is not None
        assert await store.save_steps(session, press, anna.id, moved, question.message_id)
    assert (await _draft(database)).answers == {"y": 3}
