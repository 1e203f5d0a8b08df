"""Nobody waits for somebody else: while the bot is busy with one person's update (here its
reply to Anna hangs in Telegram), another person's update is handled; one person's updates
still go strictly in order."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from fakebot.spec import ApiError
from fakebot.world import World
from storage.models import Draft
from tests.e2e.test_rounds import network_with_partners, start_round
from tests.harness import BotHarness


async def handled(bot: BotHarness, update_id: int | None, seconds: float = 10) -> bool:
    """Whether the bot finished update_id within seconds (without waiting for anything else
    it is doing, as BotHarness.settle would)."""
    for _ in range(int(seconds / 0.02)):
        if update_id in bot.application.processed:
            return True
        await asyncio.sleep(0.02)
    return False


async def test_another_chat_is_answered_while_one_hangs_and_each_chat_keeps_its_order(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 2)
    anna, bram = setup.partners["Anna"], setup.partners["Bram"]
    held = world.hold("sendMessage", chat_id=anna.id)
    first = await world.send(anna, world.private_chat(anna), "/hulp")
    await asyncio.wait_for(held.arrived.wait(), 10)
    # Anna's second message waits for her first; Bram's is answered meanwhile.
    second = await world.send(anna, world.private_chat(anna), "/privacy")
    bram_asks = await world.send(bram, world.private_chat(bram), "/taal")
    assert await handled(bot, bram_asks, seconds=3)  # well before a hung call times out
    assert world.bot_messages(bram)[-1].buttons()  # the language choice
    assert not await handled(bot, second, seconds=0.3)
    assert first not in bot.application.processed
    held.release()
    await bot.settle([first, second])
    texts = [m.text or "" for m in world.bot_messages(anna)]
    assert texts[-2].startswith("Hallo Anna") and "Wie kan wat te weten komen" in texts[-1]


async def test_a_reply_telegram_refuses_for_a_while_waits_it_out_and_others_are_answered(
    bot: BotHarness, world: World
) -> None:
    """Telegram answers Anna's reply with 429 and retry_after 2: the bot tries again only
    after those two seconds (Anna gets her answer), and Bram is answered meanwhile."""
    setup = await network_with_partners(bot, world, 2)
    anna, bram = setup.partners["Anna"], setup.partners["Bram"]
    refusal = ApiError(429, "Too Many Requests: retry after 2", retry_after=2)
    bot.inject("sendMessage", refusal, chat_id=anna.id)
    asks = await world.send(anna, world.private_chat(anna), "/hulp")
    bram_asks = await world.send(bram, world.private_chat(bram), "/taal")
    assert await handled(bot, bram_asks, seconds=1.5)
    assert asks not in bot.application.processed
    await bot.settle([asks])
    tries = [
        at
        for at, method, values in world.calls
        if method == "sendMessage" and values.get("chat_id") == anna.id
    ][-2:]
    assert tries[1] - tries[0] >= 2.0
    assert world.bot_messages(anna)[-1].text.startswith("Hallo Anna")


async def test_a_press_answered_too_late_still_shows_its_next_question(
    bot: BotHarness, world: World
) -> None:
    """Telegram refuses the answer to a button press that waited too long ('query is too
    old'): the score is saved all the same, and the next question is shown, with no apology
    for an error the person did not see."""
    setup = await network_with_partners(bot, world, 3)
    anna = setup.partners["Anna"]
    announcement = await start_round(bot, setup.net.els, k="3")
    [_, question] = await bot.press(anna, announcement, "Antwoord")
    assert "Vraag 1 van 7" in question.text
    too_old = ApiError(
        400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    bot.inject("answerCallbackQuery", too_old)
    before = world.sent_count
    await bot.press(anna, question, "7")
    assert "Vraag 2 van 7" in question.text
    assert world.sent_count == before  # no "something went wrong"
    await bot.press(anna, question, "8")
    assert "Vraag 3 van 7" in question.text
    async with bot.services.database.unit_of_work() as session:
        [draft] = (await session.scalars(select(Draft))).all()
        assert sorted(draft.answers.values()) == [7, 8]


async def test_a_thank_you_waiting_for_telegram_holds_no_place(
    bot: BotHarness, world: World
) -> None:
    """A crowd submitting at once meets Telegram's 30 a second: the thank-you waits (here:
    hangs in Telegram) in a task of its own, so the submit's update is done, and its place
    goes to the next press, once the answers are in and the receipt is shown. Each thank-you
    counts who had answered when it went out."""
    setup = await network_with_partners(bot, world, 3)
    anna, bram = setup.partners["Anna"], setup.partners["Bram"]
    announcement = await start_round(bot, setup.net.els, k="3")
    reviews = {}
    for user in (anna, bram):
        [_, question] = await bot.press(user, announcement, "Antwoord")
        for score in (7, 8, 6, 5, 7, 8, 6):
            await bot.press(user, question, str(score))
        await bot.press(user, question, "Overslaan")
        reviews[user.id] = question
    held = world.hold("sendMessage", chat_id=anna.id)
    submit = await world.press(anna, reviews[anna.id], "Insturen")
    await asyncio.wait_for(held.arrived.wait(), 10)
    assert await handled(bot, submit, seconds=3)  # done while its thank-you hangs
    assert reviews[anna.id].text == "📨 Ingestuurd."
    # (not bot.press: that waits for all the bot is doing, Anna's thank-you too)
    bram_submits = await world.press(bram, reviews[bram.id], "Insturen")
    assert await handled(bot, bram_submits, seconds=3)
    for _ in range(150):
        if "Dank je" in world.last_bot_message(bram).text:
            break
        await asyncio.sleep(0.02)
    assert "2 van de 3" in world.last_bot_message(bram).text
    held.release()
    await bot.settle([submit])
    thanks = world.last_bot_message(anna).text
    assert "Dank je" in thanks and "1 van de 3" in thanks  # sent before Bram's submit
