"""Journey 1: the bot joins a group, an admin sets the network up, partners join in private chat."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from fakebot.world import Chat, Message, User, World
from storage.models import Member, Network, Organisation, Person
from tests.harness import BotHarness


@dataclass
class Net:
    """A group set up as a network by its admin Els."""

    group: Chat
    els: User
    setup_message: Message


async def set_up_network(bot: BotHarness, world: World, *members: User) -> Net:
    """Els creates a group, adds the bot and runs /setup."""
    els = world.user("Els", username="els_amersfoort")
    group = world.group("Wonen & Zorg Amersfoort", admins=[els], members=list(members))
    await bot.add_bot(group, by=els)
    [message] = await bot.send(els, group, "/setup")
    return Net(group, els, message)


async def join(
    bot: BotHarness,
    net: Net,
    user: User,
    organisation: str,
    level: str,
    org_type: str | None = None,
) -> Message:
    """user presses Join, then answers the three questions; returns the confirmation."""
    [question] = await bot.press(user, net.setup_message, "Doe mee")
    known = [b["text"] for b in question.buttons()]
    if organisation in known:
        await bot.press(user, question, organisation)
    else:
        await bot.send(user, user, organisation)
        if org_type is not None:
            await bot.press(user, world_last(bot, user), org_type)
    await bot.press(user, world_last(bot, user), level)
    await bot.press(user, world_last(bot, user), "✅")
    return world_last(bot, user)


def world_last(bot: BotHarness, user: User) -> Message:
    return bot.world.last_bot_message(user)


async def count(bot: BotHarness, model: type) -> int:
    async with bot.services.database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_bot_added_to_a_group_welcomes_in_dutch_and_points_to_setup(
    bot: BotHarness, world: World
) -> None:
    els = world.user("Els")
    group = world.group("Netwerk Langer Thuis", admins=[els])
    [welcome] = await bot.add_bot(group, by=els)
    assert welcome.chat_id == group.id
    assert "anoniem" in welcome.text
    assert "/instellen" in welcome.text  # the Dutch name; /setup works as well


async def test_only_an_admin_can_set_up_the_network(bot: BotHarness, world: World) -> None:
    els, bram = world.user("Els"), world.user("Bram")
    group = world.group("Netwerk Oost", admins=[els], members=[bram])
    await bot.add_bot(group, by=els)
    [refusal] = await bot.send(bram, group, "/setup")
    assert "Alleen een beheerder" in refusal.text
    assert await count(bot, Network) == 0


async def test_admin_sets_up_the_network_and_running_it_again_changes_settings(
    bot: BotHarness, world: World
) -> None:
    net = await set_up_network(bot, world)
    text = net.setup_message.text
    assert "Deze groep is nu het netwerk Wonen & Zorg Amersfoort" in text
    assert "Europe/Amsterdam" in text and "Els" in text
    assert net.setup_message.button("Doe mee")["url"].startswith(
        "https://t.me/netwerkpols_test_bot?start=j_"
    )

    [renamed] = await bot.send(net.els, net.group, "/setup naam Langer Thuis <Amersfoort>")
    assert "Instellingen van het netwerk Langer Thuis <Amersfoort>" in renamed.text
    [zoned] = await bot.send(net.els, net.group, "/setup timezone Europe/Brussels")
    assert "Europe/Brussels" in zoned.text
    [wrong] = await bot.send(net.els, net.group, "/setup timezone Mars/Olympus")
    assert "De tijdzone Mars/Olympus ken ik niet" in wrong.text
    [usage] = await bot.send(net.els, net.group, "/setup kleur blauw")
    assert "Gebruik:" in usage.text

    await bot.press(net.els, renamed, "English")
    assert "Settings of the network" in renamed.text and renamed.edits == 1
    async with bot.services.database.unit_of_work() as session:
        [network] = (await session.scalars(select(Network))).all()
    assert (network.name, network.language, network.timezone) == (
        "Langer Thuis <Amersfoort>",
        "en",
        "Europe/Brussels",
    )


async def test_three_partners_join_with_different_organisations_and_levels(
    bot: BotHarness, world: World
) -> None:
    anna, bram, chris = world.user("Anna"), world.user("Bram"), world.user("Chris", language="en")
    net = await set_up_network(bot, world, anna, bram, chris)

    [question] = await bot.press(anna, net.setup_message, "Doe mee")
    assert question.chat_id == anna.id and "vraag 1 van 3" in question.text
    [type_question] = await bot.send(anna, anna, "Portaal")
    assert "Wat voor organisatie is Portaal" in type_question.text
    await bot.press(anna, type_question, "Woningcorporatie")
    await bot.press(anna, type_question, "Tactisch")
    assert "Klopt dit?" in type_question.text and "woningcorporatie" in type_question.text
    await bot.press(anna, type_question, "Bevestigen")
    assert "Welkom bij" in type_question.text and "Portaal" in type_question.text

    # Bram picks the organisation Anna created; Chris types it with other capitals (and in English).
    confirmation = await join(bot, net, bram, "Portaal", "Bestuurlijk")
    assert "Portaal" in confirmation.text
    confirmation = await join(bot, net, chris, "gemeente amersfoort", "Operational", "Municipality")
    assert "Welcome to" in confirmation.text

    async with bot.services.database.unit_of_work() as session:
        organisations = {o.name: o.type for o in await session.scalars(select(Organisation))}
        levels = sorted(m.level for m in await session.scalars(select(Member)) if m.level)
    assert organisations == {"Portaal": "housing", "gemeente amersfoort": "municipality"}
    assert levels == ["board", "operational", "tactical"]

    [overview] = await bot.send(net.els, net.group, "/members")
    assert "3 partners uit 2 organisatie(s)" in overview.text
    assert "Portaal: 2 (bestuurlijk 1, tactisch 1)" in overview.text
    assert "gemeente amersfoort: 1 (uitvoering 1)" in overview.text
    assert "Coördinatoren: Els" in overview.text

    [refused] = await bot.send(anna, net.group, "/members")
    assert "Alleen coördinatoren" in refused.text


async def test_someone_outside_the_group_cannot_join_through_a_forwarded_link(
    bot: BotHarness, world: World
) -> None:
    net = await set_up_network(bot, world)
    outsider = world.user("Olaf")
    [refusal] = await bot.press(outsider, net.setup_message, "Doe mee")
    assert "Alleen leden van de groep" in refusal.text
    assert await count(bot, Member) == 1  # only Els, the coordinator


async def test_join_link_of_another_network_or_garbage_does_not_reach_it(
    bot: BotHarness, world: World
) -> None:
    net = await set_up_network(bot, world)
    anna = world.user("Anna")
    [invalid] = await bot.open_link(
        anna, "https://t.me/netwerkpols_test_bot?start=j_guessedtoken123"
    )
    assert "niet (meer) geldig" in invalid.text
    [again] = await bot.open_link(anna, "https://t.me/netwerkpols_test_bot?start=j_")
    assert "niet (meer) geldig" in again.text
    [help_text] = await bot.open_link(anna, "https://t.me/netwerkpols_test_bot?start=%3Cscript%3E")
    assert "Je zit nog niet in een netwerk" in help_text.text
    assert await count(bot, Member) == 1
    assert net.group.id in bot.world.chats


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("x" * 5000, "Die naam is te lang"),
        ("   ", "Typ de naam"),
        ("🏠🏠🏠", "minstens één letter"),
    ],
)
async def test_unusable_organisation_names_get_a_friendly_answer(
    bot: BotHarness, world: World, typed: str, answer: str
) -> None:
    anna = world.user("Anna")
    net = await set_up_network(bot, world, anna)
    await bot.press(anna, net.setup_message, "Doe mee")
    [reply] = await bot.send(anna, anna, typed)
    assert answer in reply.text
    [still_asking] = await bot.send(anna, anna, "Wonen & Zorg <Oost> 🏠")
    assert "Wat voor organisatie is Wonen & Zorg <Oost> 🏠" in still_asking.text
    assert "Wonen &amp; Zorg &lt;Oost&gt;" in (still_asking.html or "")
    assert await count(bot, Organisation) == 0


async def test_a_photo_or_unknown_command_in_private_chat_gets_a_pointer_to_help(
    bot: BotHarness, world: World
) -> None:
    anna = world.user("Anna")
    await bot.send(anna, anna, "/start")
    [answer] = await bot.act(world.send_photo(anna, world.private_chat(anna)))
    assert "/hulp" in answer.text
    [answer] = await bot.send(anna, anna, "/bestaatniet")
    assert "/hulp" in answer.text


async def test_forged_and_stale_buttons_change_nothing(bot: BotHarness, world: World) -> None:
    anna, bram = world.user("Anna"), world.user("Bram")
    net = await set_up_network(bot, world, anna, bram)
    await join(bot, net, anna, "Portaal", "Tactisch", "Woningcorporatie")
    other = await set_up_network(bot, world)
    async with bot.services.database.unit_of_work() as session:
        other_id = (
            await session.scalars(select(Network.id).where(Network.chat_id == other.group.id))
        ).one()
        portaal_id = (await session.scalars(select(Organisation.id))).one()

    question = world.last_bot_message(anna)
    for data in [
        "jo:99999",
        f"jo:{portaal_id}",
        "jl:chief",
        "jc",
        "lv:abc",
        f"ly:{other_id}",
        "zz:1",
        "x" * 64,
        "jo:1:2:3:4",
    ]:
        await bot.press_data(anna, question, data)
        answer = bot.answer_to_last_press()
        assert answer is not None and answer.get("show_alert") is True, data
        assert "werkt niet meer" in answer["text"], data

    # Bram presses a coordinator button in the group without being one.
    [listing] = await bot.send(net.els, net.group, "/coordinators")
    await bot.press(bram, listing, "Anna")
    assert "Alleen coördinatoren" in (bot.answer_to_last_press() or {})["text"]
    async with bot.services.database.unit_of_work() as session:
        members = (await session.scalars(select(Member))).all()
    assert sum(m.is_coordinator for m in members) == 2  # Els in both networks, nobody else
    assert len(members) == 3


async def test_profile_change_and_leave(bot: BotHarness, world: World) -> None:
    anna = world.user("Anna")
    net = await set_up_network(bot, world, anna)
    await join(bot, net, anna, "Portaal", "Tactisch", "Woningcorporatie")
    [profile] = await bot.send(anna, anna, "/profile")
    assert "partner namens Portaal (woningcorporatie), tactisch" in profile.text
    await bot.press(anna, profile, "✏️")
    await bot.press(anna, profile, "Portaal")
    await bot.press(anna, profile, "Strategisch")
    await bot.press(anna, profile, "Bevestigen")
    [profile] = await bot.send(anna, anna, "/profile")
    assert "strategisch / management" in profile.text

    [confirm] = await bot.send(anna, anna, "/leave")
    await bot.press(anna, confirm, "Annuleren")
    assert "Geannuleerd" in confirm.text
    [confirm] = await bot.send(anna, anna, "/leave")
    await bot.press(anna, confirm, "Ja, verlaten")
    assert "Je hebt" in confirm.text
    [profile] = await bot.send(anna, anna, "/profile")
    assert "Je zit nog niet in een netwerk" in profile.text
    assert await count(bot, Organisation) == 1  # the organisation stays for others


async def test_last_coordinator_cannot_leave(bot: BotHarness, world: World) -> None:
    net = await set_up_network(bot, world)
    await bot.send(net.els, net.els, "/start")
    [confirm] = await bot.send(net.els, net.els, "/leave")
    await bot.press(net.els, confirm, "Ja, verlaten")
    assert "enige coördinator" in (bot.answer_to_last_press() or {})["text"]
    assert await count(bot, Member) == 1


async def test_help_start_language_and_privacy(bot: BotHarness, world: World) -> None:
    anna = world.user("Anna", language="en-GB")
    net = await set_up_network(bot, world, anna)
    await join(bot, net, anna, "Portaal", "Tactical", "Housing corporation")
    [hello] = await bot.send(anna, anna, "/start")
    assert "Hello Anna" in hello.text and "Wonen & Zorg Amersfoort" in hello.text
    [choice] = await bot.send(anna, anna, "/language")
    await bot.press(anna, choice, "Nederlands")
    assert "Klaar: ik schrijf je voortaan in het Nederlands." in choice.text
    [help_text] = await bot.send(anna, anna, "/help")
    assert "Je netwerken:" in help_text.text
    [privacy] = await bot.send(anna, anna, "/privacy")
    assert "Wie kan wat te weten komen" in privacy.text
    [group_help] = await bot.send(anna, net.group, "/help")
    assert group_help.chat_id == net.group.id and "/meedoen" in group_help.text


async def test_my_data_and_forget_me(bot: BotHarness, world: World) -> None:
    anna = world.user("Anna", username="anna_portaal")
    net = await set_up_network(bot, world, anna)
    await join(bot, net, anna, "Portaal", "Tactisch", "Woningcorporatie")
    [data] = await bot.send(anna, anna, "/mydata")
    assert str(anna.id) in data.text and "@anna_portaal" in data.text and "Portaal" in data.text
    [confirm] = await bot.send(anna, anna, "/forgetme")
    await bot.press(anna, confirm, "Ja, wissen")
    assert "is gewist" in confirm.text
    async with bot.services.database.unit_of_work() as session:
        assert await session.get(Person, anna.id) is None
    assert await count(bot, Member) == 1


async def test_command_menus_are_set_per_scope_and_language(bot: BotHarness, world: World) -> None:
    scopes = {scope for scope, _ in world.commands}
    assert scopes == {"all_private_chats", "all_group_chats", "all_chat_administrators"}
    dutch = {
        c["command"]: c["description"] for c in world.commands[("all_chat_administrators", "nl")]
    }
    english = {
        c["command"]: c["description"] for c in world.commands[("all_chat_administrators", "en")]
    }
    assert dutch["instellen"].startswith("Deze groep") and english["setup"].startswith("Register")
    assert "setup" not in dutch and "instellen" not in english
    assert world.commands[("all_private_chats", "")] == world.commands[("all_private_chats", "nl")]
    private = {c["command"]: c["description"] for c in world.commands[("all_private_chats", "nl")]}
    assert private["annuleren"].startswith("Stoppen")  # every dialogue stops with /annuleren
