"""Coordinators appointed and removed; the bot removed, re-added, and the group migrated."""

from __future__ import annotations

from sqlalchemy import select

from fakebot.world import World
from storage.models import Member, Network
from tests.e2e.test_setup_and_join import join, set_up_network
from tests.harness import BotHarness


async def _network(bot: BotHarness) -> Network:
    async with bot.services.database.unit_of_work() as session:
        return (await session.scalars(select(Network))).one()


async def _coordinators(bot: BotHarness) -> set[int]:
    async with bot.services.database.unit_of_work() as session:
        members = await session.scalars(select(Member).where(Member.is_coordinator.is_(True)))
        return {m.person_id for m in members}


async def test_coordinator_appointed_by_reply_gets_a_private_note_through_the_queue(
    bot: BotHarness, world: World
) -> None:
    anna, bram = world.user("Anna"), world.user("Bram")
    net = await set_up_network(bot, world, anna, bram)
    await join(bot, net, anna, "Portaal", "Tactisch", "Woningcorporatie")
    anna_says = world.messages[net.group.id][-1]
    hello = await world.send(anna, net.group, "Goedemorgen allemaal")
    assert hello is None  # privacy mode: the bot never sees ordinary chatter
    anna_says = world.messages[net.group.id][-1]

    [refused] = await bot.send(bram, net.group, "/coordinator", reply_to=anna_says)
    assert "Alleen coördinatoren" in refused.text
    [usage] = await bot.send(net.els, net.group, "/coordinator")
    assert "Antwoord met /coordinator" in usage.text
    [done] = await bot.send(net.els, net.group, "/coordinator", reply_to=anna_says)
    assert "Anna is nu coördinator" in done.text
    [again] = await bot.send(net.els, net.group, "/coordinator", reply_to=anna_says)
    assert "Anna is al coördinator" in again.text
    assert await _coordinators(bot) == {net.els.id, anna.id}

    report = await bot.dispatch()
    assert report.outcomes == {"sent": 1}
    note = world.last_bot_message(anna)
    assert "Je bent nu coördinator van" in note.text
    assert (await bot.dispatch()).claimed == 0  # sent once, never again


async def test_coordinators_list_appoints_and_removes_but_keeps_one(
    bot: BotHarness, world: World
) -> None:
    anna = world.user("Anna")
    net = await set_up_network(bot, world, anna)
    await join(bot, net, anna, "Portaal", "Tactisch", "Woningcorporatie")
    [listing] = await bot.send(net.els, net.group, "/coordinators")
    await bot.press(net.els, listing, "➕ Anna")
    assert "Coördinatoren van" in listing.text and "➖ Anna" in str(listing.reply_markup)
    assert await _coordinators(bot) == {net.els.id, anna.id}
    await bot.press(anna, listing, "➖ Els")
    assert await _coordinators(bot) == {anna.id}
    await bot.press(anna, listing, "➖ Anna")
    assert "minstens één coördinator" in (bot.answer_to_last_press() or {})["text"]
    assert await _coordinators(bot) == {anna.id}


async def test_bot_removed_and_re_added_keeps_everything(bot: BotHarness, world: World) -> None:
    anna, bram = world.user("Anna"), world.user("Bram")
    net = await set_up_network(bot, world, anna, bram)
    await join(bot, net, anna, "Portaal", "Tactisch", "Woningcorporatie")
    assert await bot.remove_bot(net.group, by=net.els) == []
    assert (await _network(bot)).active is False

    [refusal] = await bot.press(bram, net.setup_message, "Doe mee")
    assert "niet actief" in refusal.text

    [welcome_back] = await bot.add_bot(net.group, by=net.els)
    assert "Ik ben terug" in welcome_back.text
    network = await _network(bot)
    assert network.active is True
    [overview] = await bot.send(net.els, net.group, "/members")
    assert "1 partner uit 1 organisatie(s)" in overview.text


async def test_group_migrated_to_supergroup_keeps_its_network(
    bot: BotHarness, world: World
) -> None:
    anna = world.user("Anna")
    net = await set_up_network(bot, world, anna)
    await join(bot, net, anna, "Portaal", "Tactisch", "Woningcorporatie")
    supergroup, update_ids = await world.migrate_to_supergroup(net.group)
    await bot.settle(update_ids)
    network = await _network(bot)
    assert network.chat_id == supergroup.id
    [overview] = await bot.send(net.els, supergroup, "/members")
    assert "Portaal" in overview.text


async def test_appointing_a_bot_or_someone_who_left_is_refused(
    bot: BotHarness, world: World
) -> None:
    anna = world.user("Anna")
    net = await set_up_network(bot, world, anna)
    await world.send(anna, net.group, "Ik ga verhuizen, dag allemaal")
    farewell = world.messages[net.group.id][-1]
    net.group.members[anna.id] = "left"
    [refused] = await bot.send(net.els, net.group, "/coordinator", reply_to=farewell)
    assert "Anna is geen lid van deze groep" in refused.text
    [refused] = await bot.send(net.els, net.group, "/coordinator", reply_to=net.setup_message)
    assert "Alleen mensen kunnen coördinator zijn" in refused.text
    assert await _coordinators(bot) == {net.els.id}


async def test_private_members_for_a_coordinator_of_two_networks_asks_which(
    bot: BotHarness, world: World
) -> None:
    net = await set_up_network(bot, world)
    second = world.group("Tweede netwerk", admins=[net.els])
    await bot.add_bot(second, by=net.els)
    await bot.send(net.els, second, "/setup")
    [choice] = await bot.send(net.els, net.els, "/members")
    assert "Welk netwerk?" in choice.text
    [overview] = await bot.press(net.els, choice, "Tweede netwerk")
    assert "Tweede netwerk" in overview.text and overview.chat_id == net.els.id
    anna = world.user("Anna")
    [refused] = await bot.send(anna, anna, "/members")
    assert "van geen enkel netwerk coördinator" in refused.text
