"""What the network depends on hearing is queued with the state it announces (a round's
announcement, a new agreement, a working group's card): when Telegram fails the call (a 502, as
it does now and then), the state stays saved and the message follows on the retry, exactly once."""

from __future__ import annotations

from sqlalchemy import select

from fakebot.spec import ApiError
from fakebot.world import World
from storage.models import Agreement, Round, Trekker, WorkingGroup
from tests.e2e.test_agreements import record
from tests.e2e.test_rounds import network_with_partners
from tests.harness import BotHarness


async def test_a_failed_round_announcement_is_retried_and_the_round_stays_open(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    els, group = setup.net.els, setup.net.group
    [step] = await bot.send(els, els, "/round")
    await bot.press(els, step, "Netwerktoets")
    await bot.press(els, step, "Over 14 dagen")
    await bot.press(els, step, "3")
    await bot.press(els, step, "Volgende")
    bot.inject("sendMessage", ApiError(502, "Bad Gateway"))
    sent = await bot.press(els, step, "Start")
    assert "gestart" in step.text
    assert not [m for m in sent if m.chat_id == group.id]
    async with bot.services.database.unit_of_work() as session:
        assert (await session.scalars(select(Round))).one().state == "open"
    bot.advance(seconds=15)
    await bot.dispatch()
    bot.advance(minutes=5)
    await bot.dispatch()
    announced = [m for m in world.bot_messages(group) if "Nieuwe scoreronde" in (m.text or "")]
    assert len(announced) == 1 and announced[0].buttons()
    assert bot.expected_rejections == []


async def test_a_failed_agreement_notice_never_undoes_the_agreement(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 4)
    els, group = setup.net.els, setup.net.group
    saved = await record(
        bot,
        els,
        "Signalen",
        "We bellen elkaar bij zorgen.",
        ["Portaal"],
        first=None,
        before_save=lambda: bot.inject("sendMessage", ApiError(502, "Bad Gateway")),
    )
    assert "Nieuwe afspraak: Signalen" in saved.text
    async with bot.services.database.unit_of_work() as session:
        assert [a.title for a in (await session.scalars(select(Agreement))).all()] == ["Signalen"]
    assert not [m for m in world.bot_messages(group) if "Nieuwe afspraak" in (m.text or "")]
    bot.advance(seconds=15)
    await bot.dispatch()
    bot.advance(minutes=5)
    await bot.dispatch()
    notices = [m for m in world.bot_messages(group) if "Nieuwe afspraak" in (m.text or "")]
    assert len(notices) == 1 and "Signalen" in notices[0].text
    assert bot.expected_rejections == []


async def test_a_failed_working_group_card_is_retried_and_the_group_stays(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    els, group, anna = setup.net.els, setup.net.group, setup.partners["Anna"]
    bot.inject("sendMessage", ApiError(502, "Bad Gateway"))
    sent = await bot.send(els, group, "/workgroup Wonen met zorg | Passende woningen")
    assert not [m for m in sent if "Werkgroep" in (m.text or "")]
    async with bot.services.database.unit_of_work() as session:
        assert [g.name for g in (await session.scalars(select(WorkingGroup))).all()] == [
            "Wonen met zorg"
        ]
    bot.advance(seconds=15)
    await bot.dispatch()
    bot.advance(minutes=5)
    await bot.dispatch()
    [card] = [m for m in world.bot_messages(group) if "Werkgroep" in (m.text or "")]
    assert "Wonen met zorg" in card.text
    await bot.press(anna, card, "Ik trek")  # the card's button works as ever
    async with bot.services.database.unit_of_work() as session:
        assert len((await session.scalars(select(Trekker))).all()) == 1
    assert bot.expected_rejections == []
