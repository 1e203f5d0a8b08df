"""Rights follow the Telegram group: a partner who leaves or is removed loses them at once,
is told so in private, shows up under 'left' in /members, and can join again on return."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fakebot.world import ADMIN, BOT_ID, MEMBER, World
from storage.models import Draft, Round
from storage.rounds import tally_of
from tests.e2e.test_agreements import record
from tests.e2e.test_rounds import network_with_partners, start_round
from tests.e2e.test_setup_and_join import join
from tests.harness import BotHarness


@pytest.mark.parametrize("bot_is_admin", [False, True])
async def test_a_removed_partner_loses_every_right_at_once(
    bot: BotHarness, world: World, bot_is_admin: bool
) -> None:
    setup = await network_with_partners(bot, world, 3)
    els, group, anna = setup.net.els, setup.net.group, setup.partners["Anna"]
    if bot_is_admin:
        group.members[BOT_ID] = ADMIN  # then Telegram also sends chat_member updates
    await record(bot, els, "Huurcontracten", "Op naam van de zorgaanbieder.", ["Portaal"])
    [listing] = await bot.send(anna, anna, "/agreements")
    assert "Huurcontracten" in listing.text
    announcement = await start_round(bot, els, k="3")
    [_, question] = await bot.press(anna, announcement, "Antwoord")
    await bot.press(anna, question, "7")
    await bot.act(world.remove_member(group, anna, by=els))
    [note] = [m for m in world.bot_messages(anna) if "niet meer in de groep" in (m.text or "")]
    assert "Wonen & Zorg Amersfoort" in note.text
    async with bot.services.database.unit_of_work() as session:
        assert (await session.scalars(select(Draft))).all() == []
    await bot.press(anna, question, "6")
    assert (bot.answer_to_last_press() or {}).get("show_alert")
    for command in ("/agreements", "/rules", "/actions"):
        [refused] = await bot.send(anna, anna, command)
        assert "Huurcontract" not in refused.text, command
        assert "niet in een netwerk" in refused.text, (command, refused.text)
    [overview] = await bot.send(els, group, "/members")
    assert "Uit de groep" in overview.text and "Anna (Portaal)" in overview.text

    # Anna is added back and joins again: she can answer.
    group.members[anna.id] = MEMBER
    await join(bot, setup.net, anna, "Portaal", "Bestuurlijk")
    [_, again] = await bot.press(anna, announcement, "Antwoord")
    for score in [5] * 7:
        await bot.press(anna, again, str(score))
    await bot.press(anna, again, "Overslaan")
    await bot.press(anna, again, "Insturen")
    async with bot.services.database.unit_of_work() as session:
        round_ = (await session.scalars(select(Round))).one()
        assert (await tally_of(session, round_.id)).respondents == 1
    [overview] = await bot.send(els, group, "/members")
    assert "Uit de groep" not in overview.text


async def test_a_coordinator_who_leaves_is_no_longer_one(bot: BotHarness, world: World) -> None:
    setup = await network_with_partners(bot, world, 2)
    els, group, anna = setup.net.els, setup.net.group, setup.partners["Anna"]
    await bot.act(world.remove_member(group, els))
    [refused] = await bot.send(els, els, "/summary")
    assert "geen enkel netwerk coördinator" in refused.text
    [refused] = await bot.send(anna, group, "/members")
    assert "coördinator" in refused.text
