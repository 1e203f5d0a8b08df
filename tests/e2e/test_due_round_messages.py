"""Round messages that stay true after downtime: one reminder where office hours fold two
stages onto one moment, only the newest stage after downtime, and no "closes at 17:00" note
sent after 17:00."""

from __future__ import annotations

import datetime as dt

from fakebot.world import World
from tests.e2e.test_due_action_messages import utc
from tests.e2e.test_rounds import answer, network_with_partners, start_round
from tests.harness import BotHarness


def at(day: int, hour: int) -> dt.datetime:
    """A local (Amsterdam) moment in December 2026, as UTC."""
    return utc(day, 12, hour)


def reminders(world: World, user: object) -> list[str]:
    return [m.text or "" for m in world.bot_messages(user) if "sluit" in (m.text or "")]  # type: ignore[arg-type]


async def test_a_round_closing_on_monday_reminds_once(bot: BotHarness, world: World) -> None:
    setup = await network_with_partners(bot, world, 3)
    announcement = await start_round(bot, setup.net.els, deadline="maandag 7 december 17:00", k="3")
    await answer(bot, setup.partners["Anna"], announcement, [6] * 7)
    bot.clock.set(at(7, 10))  # Monday morning: the 3-day and the 1-day reminder both fall here
    await bot.dispatch()
    assert len(reminders(world, setup.partners["Bram"])) == 1
    assert reminders(world, setup.partners["Anna"]) == []


async def test_after_downtime_only_the_newest_reminder_goes_out(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    announcement = await start_round(bot, setup.net.els, deadline="vrijdag 4 december 17:00", k="3")
    await answer(bot, setup.partners["Anna"], announcement, [6] * 7)
    await bot.stop()
    bot.clock.set(at(4, 10))  # down from Tuesday until Friday morning: both stages missed
    await bot.start(dispatch_on_start=True)
    await bot.dispatch()
    assert len(reminders(world, setup.partners["Bram"])) == 1


async def test_no_progress_note_about_a_deadline_that_has_passed(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    group = setup.net.group
    announcement = await start_round(bot, setup.net.els, deadline="dinsdag 1 december 17:00", k="3")
    for name in ("Anna", "Bram", "Chris"):
        await answer(bot, setup.partners[name], announcement, [6] * 7)
    bot.clock.set(dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC))  # Monday 30 November, 11:00
    await bot.dispatch()
    before = len(world.bot_messages(group))
    await bot.stop()
    bot.clock.set(at(1, 18))  # back on Tuesday 18:00, after the 17:00 deadline
    await bot.start(dispatch_on_start=True)
    await bot.dispatch()
    since = [m.text or "" for m in world.bot_messages(group)[before:]]
    assert any("Uitkomsten" in text for text in since)
    assert not any("geantwoord. De ronde sluit" in text for text in since), since
