"""Forged numbers beyond any column's range, U+0000 in text, dates beyond the horizon and
buttons of another network: a clear answer on both databases, no traceback, nothing stored
wrongly and no other network named."""

from __future__ import annotations

from sqlalchemy import select

from fakebot.spec import ApiError
from fakebot.world import World
from storage.models import Round, WorkingGroup
from storage.rounds import tally_of
from tests.e2e.test_rounds import answer, network_with_partners, start_round
from tests.e2e.test_setup_and_join import join
from tests.harness import BotHarness

HUGE = ("2147483648", "9223372036854775808", "999999999999999999999")


async def test_forged_ids_beyond_every_column_get_a_friendly_alert(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    announcement = await start_round(bot, setup.net.els, k="3")
    anna = setup.partners["Anna"]
    [_, question] = await bot.press(anna, announcement, "Antwoord")
    forged = [
        *(f"ra:{n}:0:5" for n in HUGE),
        "ra:1:0:99999999999",
        "ra:-1:0:5",
        *(f"ae:{n}" for n in HUGE),
        *(f"rr:{n}" for n in HUGE),
        *(f"wc:{n}" for n in HUGE),
        *(f"lv:{n}" for n in HUGE),
        *(f"aw:p:{n}" for n in HUGE),
    ]
    for data in forged:
        await bot.press_data(anna, question, data)
        answered = bot.answer_to_last_press() or {}
        assert answered.get("show_alert"), data
        assert "werkt niet meer" in answered.get("text", ""), data


async def test_nul_characters_are_dropped_the_same_way_on_both_databases(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    els, group = setup.net.els, setup.net.group
    await bot.send(els, group, "/workgroup Wijk\x00teams | samen\x00 optrekken")
    [unknown] = await bot.send(els, els, "/start j_a\x00b")
    assert unknown.text
    announcement = await start_round(bot, els, k="3")
    await answer(bot, setup.partners["Anna"], announcement, [5] * 7, "goed\x00 gesprek")
    async with bot.services.database.unit_of_work() as session:
        [workgroup] = (await session.scalars(select(WorkingGroup))).all()
        assert workgroup.name == "Wijkteams"
        round_ = (await session.scalars(select(Round))).one()
        assert (await tally_of(session, round_.id)).comments == ["goed gesprek"]


async def test_an_agreement_start_beyond_the_horizon_is_refused_kindly(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 2)
    els = setup.net.els
    await bot.send(els, els, "/agreement")
    await bot.send(els, els, "Verre toekomst")
    [choice] = await bot.send(els, els, "Een afspraak met een vreemde begindatum.")
    await bot.press(els, choice, "Portaal")
    await bot.press(els, choice, "Volgende")
    await bot.press(els, choice, "halfjaar")
    for typed in ("31-12-9999", "9999-12-31", "0001-01-01", "31-12-2099"):
        [refused] = await bot.send(els, els, typed)
        assert "te ver" in refused.text, typed


async def test_a_button_of_another_network_never_names_that_network(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    await start_round(bot, setup.net.els, k="3")
    async with bot.services.database.unit_of_work() as session:
        round_id = (await session.scalars(select(Round.id))).one()
    mallory = world.user("Mallory")
    other = world.group("Ander netwerk", admins=[mallory])
    await bot.add_bot(other, by=mallory)
    [setup_message] = await bot.send(mallory, other, "/setup")
    net = type(setup.net)(other, mallory, setup_message)
    confirmation = await join(bot, net, mallory, "Eigen Club", "Tactisch", "Gemeente")
    await bot.press_data(mallory, confirmation, f"ra:{round_id}:0:5")
    answered = bot.answer_to_last_press() or {}
    assert answered.get("show_alert")
    assert "Wonen & Zorg" not in answered.get("text", "")
    async with bot.services.database.unit_of_work() as session:
        assert (await tally_of(session, round_id)).respondents == 0


async def test_an_error_after_the_button_was_answered_is_said_once_not_answered_twice(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    announcement = await start_round(bot, setup.net.els, k="3")
    anna = setup.partners["Anna"]
    [_, question] = await bot.press(anna, announcement, "Antwoord")
    bot.inject("editMessageText", ApiError(400, "Bad Request: message to edit not found"))
    app = bot.application
    try:
        await bot.press(anna, question, "7")
    except AssertionError as error:  # the edit's failure is logged as a handler error
        assert "message to edit not found" in str(error).lower()
    app.failures.clear()  # type: ignore[attr-defined]
    # The apology came as a message; Telegram was not asked to answer the press a second time.
    assert not [r for r in world.rejections if r[0] == "answerCallbackQuery"]
    assert "er ging bij mij iets mis" in world.last_bot_message(anna).text
