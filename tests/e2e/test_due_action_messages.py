"""Action reminders that stay true: a week's jump past the escalation step still tells the
coordinator (once), a late reminder says "overdue", and a reminder that was on its way when the
trekker pressed Week later is dropped instead of arriving with a false "Te laat"."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from fakebot.world import Chat, Message, User, World
from handlers.base import services_of
from schedules.dispatcher import Dispatcher
from tests.e2e.test_rounds import network_with_partners
from tests.e2e.test_workgroups import AMS, add_action, new_group
from tests.harness import BotHarness


def utc(day: int, month: int, hour: int) -> dt.datetime:
    """A local moment in Amsterdam in 2026, as UTC."""
    return dt.datetime(2026, month, day, hour, tzinfo=AMS).astimezone(dt.UTC)


def reminders(world: World, user: User) -> list[Message]:
    return [m for m in world.bot_messages(user) if m.text and ("⏰" in m.text or "⚠️" in m.text)]


async def with_action(bot: BotHarness, world: World) -> tuple[User, User]:
    """Anna leads a working group with one action due Friday 27 November; Els coordinates."""
    els, anna, _ = await with_action_in_group(bot, world)
    return els, anna


async def with_action_in_group(bot: BotHarness, world: World) -> tuple[User, User, Chat]:
    """with_action, and the network's group."""
    setup = await network_with_partners(bot, world, 2)
    els, anna = setup.net.els, setup.partners["Anna"]
    card = await new_group(bot, els, setup.net.group)
    await bot.press(anna, card, "Ik trek")
    await add_action(bot, anna, "Wonen met zorg", "Huurcontracten inventariseren", None, "vrijdag")
    return els, anna, setup.net.group


def digests(world: World, group: Chat) -> list[Message]:
    return [m for m in world.bot_messages(group) if "Weekoverzicht van" in (m.text or "")]


async def test_a_jump_past_the_escalation_step_still_tells_the_coordinator_once(
    bot: BotHarness, world: World
) -> None:
    els, anna = await with_action(bot, world)
    await bot.stop()
    bot.clock.set(utc(9, 12, 10))  # Wednesday 9 December: three overdue moments passed unsent
    await bot.start(dispatch_on_start=True)
    await bot.dispatch()
    [late] = reminders(world, anna)
    assert "Te laat sinds vrijdag 27 november" in late.text  # not "Vandaag" on 9 December
    escalations = [m for m in world.bot_messages(els) if "🚩" in (m.text or "")]
    assert len(escalations) == 1
    bot.clock.set(utc(16, 12, 10))  # the next weekly overdue reminder: no second escalation
    await bot.dispatch()
    assert len(reminders(world, anna)) == 2
    assert len([m for m in world.bot_messages(els) if "🚩" in (m.text or "")]) == 1


async def test_a_reminder_on_its_way_when_week_later_is_pressed_is_dropped(
    bot: BotHarness, world: World
) -> None:
    _, anna = await with_action(bot, world)
    bot.clock.set(utc(27, 11, 9))  # Friday 09:00: due today
    await bot.dispatch()
    [due_today] = reminders(world, anna)
    bot.clock.set(utc(30, 11, 9))  # Monday 09:00: the first overdue reminder falls due
    services = services_of(bot.application)
    await Dispatcher(
        services.database, bot.application.bot, bot.clock, services.dispatcher.renderers
    ).run_once()  # the stage fans out: the reminder to Anna now waits in the queue
    crashed = Dispatcher(
        services.database,
        bot.application.bot,
        bot.clock,
        services.dispatcher.renderers,
        name="crashed",
        lease=dt.timedelta(minutes=5),
    )
    assert await crashed._claim()  # claimed, then that process dies before sending
    await bot.press(anna, due_today, "Week later")
    bot.advance(minutes=6)  # the lease runs out; another process takes the row over
    await bot.dispatch()
    assert not [m for m in reminders(world, anna) if "Te laat" in m.text]


async def test_downtime_over_a_night_and_a_weekend_reminds_in_office_hours_once(
    bot: BotHarness, world: World
) -> None:
    els, anna = await with_action(bot, world)  # due Friday 27 November
    await bot.stop()
    bot.clock.set(utc(27, 11, 20))  # down from Thursday 18:00 until Friday 20:00
    await bot.start(dispatch_on_start=True)
    for moment in (utc(27, 11, 20), utc(28, 11, 12), utc(29, 11, 16), utc(30, 11, 8)):
        bot.clock.set(moment)  # Friday evening, the weekend, Monday before office hours
        await bot.dispatch()
        assert reminders(world, anna) == []
    bot.clock.set(utc(30, 11, 9))  # Monday 09:00: what waited and Monday's own, as one
    await bot.dispatch()
    [late] = reminders(world, anna)
    assert "Te laat sinds vrijdag 27 november" in late.text
    bot.advance(hours=3)
    await bot.dispatch()
    assert len(reminders(world, anna)) == 1
    assert not [m for m in world.bot_messages(els) if "🚩" in (m.text or "")]


async def test_done_just_after_a_digest_is_in_the_next_even_when_it_is_late(
    bot: BotHarness, world: World
) -> None:
    _, anna, group = await with_action_in_group(bot, world)
    bot.clock.set(utc(30, 11, 9))  # Monday 09:00: the digest and an overdue reminder
    await bot.dispatch()
    [first] = digests(world, group)
    assert "1 te laat" in first.text
    [late] = reminders(world, anna)
    bot.advance(minutes=30)
    await bot.press(anna, late, "Klaar")
    bot.advance(days=7, hours=1)  # a week's jump lands after the next Monday's slot
    await bot.dispatch()
    [_, second] = digests(world, group)
    assert "1 afgerond vorige week" in second.text and "Huurcontracten" in second.text
    assert "Later dan gepland" not in second.text


async def test_a_digest_missed_during_downtime_goes_out_once_and_says_what_it_covers(
    bot: BotHarness, world: World
) -> None:
    _, anna, group = await with_action_in_group(bot, world)
    bot.clock.set(utc(27, 11, 9))  # Friday: due today, and done
    await bot.dispatch()
    [due_today] = reminders(world, anna)
    await bot.press(anna, due_today, "Klaar")
    await bot.stop()
    bot.clock.set(utc(3, 12, 10))  # down from Friday until Thursday: Monday's slot passed
    await bot.start(dispatch_on_start=True)
    await bot.dispatch()
    [missed] = digests(world, group)
    assert "Later dan gepland; over alles sinds maandag 23 november" in missed.text
    assert "1 afgerond sinds maandag 23 november" in missed.text
    assert "Huurcontracten" in missed.text
    bot.clock.set(utc(7, 12, 9))  # the next Monday: the usual week, from Thursday on
    await bot.dispatch()
    [_, usual] = digests(world, group)
    assert "Later dan gepland" not in usual.text and "1 afgerond" not in usual.text


@pytest.mark.parametrize("act", ["Week later", "Klaar"])
async def test_a_reminder_in_flight_when_the_trekker_acts_is_taken_back(
    bot: BotHarness, world: World, act: str
) -> None:
    _, anna = await with_action(bot, world)
    bot.clock.set(utc(27, 11, 9))  # Friday 09:00: due today
    await bot.dispatch()
    [due_today] = reminders(world, anna)
    bot.clock.set(utc(30, 11, 9))  # Monday 09:00: the first overdue reminder goes out ...
    held = world.hold("sendMessage", chat_id=anna.id)
    dispatching = asyncio.create_task(bot.dispatch())
    await asyncio.wait_for(held.arrived.wait(), 10)
    assert [m for m in reminders(world, anna) if "Te laat" in m.text]  # Telegram has it
    # ... and while Telegram has not yet answered, Anna moves the action on, or finishes it.
    presses = len(world.callback_answers)
    pressing = asyncio.create_task(bot.press(anna, due_today, act))
    for _ in range(500):  # until the press is saved and answered
        if len(world.callback_answers) > presses and bot.answer_to_last_press() is not None:
            break
        await asyncio.sleep(0.01)
    held.release()
    await pressing
    await dispatching
    assert not [m for m in reminders(world, anna) if "Te laat" in m.text]
    bot.advance(days=1)
    await bot.dispatch()
    assert not [m for m in reminders(world, anna) if "Te laat" in m.text]
