"""Wrong, empty, huge and hostile input for each command: a clear answer, nothing corrupted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fakebot.world import World
from storage.models import Member, Network, Organisation, Person
from tests.e2e.test_setup_and_join import set_up_network
from tests.harness import BotHarness


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/setup naam " + "x" * 5000, "Gebruik: /instellen naam"),
        ("/setup naam", "Gebruik: /instellen naam"),
        ("/setup taal klingon", "Dat begreep ik niet"),
        ("/setup tijdzone <b>", "De tijdzone <b> ken ik niet"),
        ("/setup " + "🙂" * 3000, "Dat begreep ik niet"),
    ],
)
async def test_setup_with_bad_arguments_changes_nothing(
    bot: BotHarness, world: World, command: str, answer: str
) -> None:
    net = await set_up_network(bot, world)
    [reply] = await bot.send(net.els, net.group, command)
    assert answer in reply.text
    async with bot.services.database.unit_of_work() as session:
        network = (await session.scalars(select(Network))).one()
    assert (network.name, network.language, network.timezone) == (
        "Wonen & Zorg Amersfoort",
        "nl",
        "Europe/Amsterdam",
    )


async def test_commands_in_the_wrong_place_explain_where_they_work(
    bot: BotHarness, world: World
) -> None:
    els = world.user("Els")
    group = world.group("Nog geen netwerk", admins=[els])
    await bot.add_bot(group, by=els)
    for command in ("/members", "/join", "/coordinators"):
        [reply] = await bot.send(els, group, command)
        assert "nog geen netwerk" in reply.text, command
    for command in ("/setup", "/join", "/coordinators", "/coordinator"):
        [reply] = await bot.send(els, els, command)
        assert "in de groep van je netwerk" in reply.text, command
    for command in ("/profile", "/leave", "/mydata", "/forgetme"):
        [reply] = await bot.send(els, group, command)
        assert "privégesprek" in reply.text, command
    [reply] = await bot.send(els, group, "/language")
    assert "/instellen taal" in reply.text


async def test_forged_language_and_profile_buttons(bot: BotHarness, world: World) -> None:
    anna = world.user("Anna")
    [hello] = await bot.send(anna, anna, "/start")
    for data in (
        "lg:de",
        "lg",
        "pe:999",
        "pe:-1",
        "ca:1",
        "cr:1",
        "sl:en",
        "pn:members:1",
        "pn:delete:1",
    ):
        await bot.press_data(anna, hello, data)
        assert "werkt niet meer" in (bot.answer_to_last_press() or {}).get(
            "text", ""
        ) or "Alleen" in (bot.answer_to_last_press() or {}).get("text", ""), data
    async with bot.services.database.unit_of_work() as session:
        person = await session.get(Person, anna.id)
    assert person is not None and person.language is None


async def test_a_long_member_list_is_split_into_messages_telegram_accepts(
    bot: BotHarness, world: World
) -> None:
    net = await set_up_network(bot, world)
    async with bot.services.database.unit_of_work() as session:
        network = (await session.scalars(select(Network))).one()
        for i in range(150):
            person = Person(id=500000 + i, first_name=f"Partner {i}", started=False, reachable=True)
            organisation = Organisation(
                network_id=network.id,
                name=f"{i:03d} " + "Stichting <Wonen> & Zorg " * 4,
                name_key=f"org{i}",
                type="care",
            )
            session.add_all([person, organisation])
            await session.flush()
            session.add(
                Member(
                    network_id=network.id,
                    person_id=person.id,
                    organisation_id=organisation.id,
                    level="operational",
                    is_coordinator=False,
                    joined_at=bot.clock.now(),
                )
            )
    parts = await bot.send(net.els, net.group, "/members")
    assert len(parts) > 3
    assert "150 partners uit 150 organisatie(s)" in parts[0].text
    assert sum(p.text.count("Stichting <Wonen> & Zorg") for p in parts) == 150 * 4
