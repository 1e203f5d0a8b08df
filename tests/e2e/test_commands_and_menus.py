"""Commands in the person's language and menus per role: a Dutch partner types /ronde or
/acties and finds them in the "/" menu; a partner's menu holds no coordinator commands; an
appointed coordinator gets the coordinators' menu in the group too (Telegram admin or not), and
loses it again; a new trekker hears it in private and finds /actie; /help says the same."""

from __future__ import annotations

from telegram.ext import CommandHandler

from fakebot.world import Chat, Message, User, World
from tests.e2e.test_rounds import network_with_partners
from tests.e2e.test_workgroups import new_group
from tests.harness import BotHarness
from views.commands import COMMANDS


def menu(world: World, user: User, chat: Chat | User) -> set[str]:
    """The command names user finds in chat's "/" menu."""
    where = chat if isinstance(chat, Chat) else world.private_chat(chat)
    return {c["command"] for c in world.menu(user, where)}


async def say(world: World, user: User, group: Chat, text: str) -> Message:
    """user writes text in the group (the bot does not see it); the message, to reply to."""
    await world.send(user, group, text)
    return [m for m in world.messages[group.id] if m.from_id == user.id and m.text == text][-1]


def test_every_command_is_declared_once_and_every_declared_name_is_handled(
    bot: BotHarness,
) -> None:
    handled = {
        name
        for group in bot.application.handlers.values()
        for handler in group
        if isinstance(handler, CommandHandler)
        for name in handler.commands
    }
    declared = {name for command in COMMANDS for name in command.names}
    assert handled == declared
    # Telegram's rules for a command name; and the Dutch and English names of one command
    # reach the same handler.
    for name in declared:
        assert 1 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.islower()
    by_callback = {
        name: handler.callback
        for group in bot.application.handlers.values()
        for handler in group
        if isinstance(handler, CommandHandler)
        for name in handler.commands
    }
    for command in COMMANDS:
        assert len({by_callback[name] for name in command.names}) == 1, command.name


async def test_dutch_names_work_and_the_menus_and_help_follow_the_roles(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    els, group, p = setup.net.els, setup.net.group, setup.partners
    anna, bram = p["Anna"], p["Bram"]

    # A partner: the everyday things, in Dutch, and nothing for coordinators.
    partner_menu = menu(world, anna, anna)
    assert {"hulp", "acties", "afspraken", "spelregels", "wie", "taal", "annuleren"} <= (
        partner_menu
    )
    assert not partner_menu & {"ronde", "samenvatting", "export", "verslag", "actie", "round"}
    assert not menu(world, anna, group) & {"ronde", "sluiten", "instellen"}
    assert {"uitslag", "werkgroepen", "meedoen"} <= menu(world, anna, group)
    [help_text] = await bot.send(anna, anna, "/hulp")
    assert "In je netwerken:" in help_text.text
    assert "/acties — Openstaande acties per werkgroep" in help_text.text
    assert "/ronde" not in help_text.text and "Als coördinator" not in help_text.text
    assert "In de groep: " in help_text.text and "/uitslag" in help_text.text

    # The coordinator who set the network up: the coordinators' commands, by their Dutch
    # names, which do what the English ones do.
    assert {"ronde", "samenvatting", "export", "verslag", "leden", "tafel"} <= menu(world, els, els)
    [help_text] = await bot.send(els, els, "/help")
    assert "Als coördinator:" in help_text.text and "/samenvatting — " in help_text.text
    assert "/sluiten" in help_text.text  # in the group
    [dutch] = await bot.send(els, els, "/ronde")
    await bot.send(els, els, "/annuleren")
    [english] = await bot.send(els, els, "/round")
    assert dutch.text == english.text and dutch.buttons() == english.buttons()
    await bot.send(els, els, "/cancel")
    [listing] = await bot.send(anna, group, "/acties")
    assert "Openstaande acties van Wonen & Zorg Amersfoort" in listing.text

    # Anna is appointed coordinator by a reply, without being a Telegram admin: her private
    # menu and her menu in the group grow, Bram's stay as they were.
    said = await say(world, anna, group, "Ik wil wel coördineren")
    await bot.send(els, group, "/coordinator", reply_to=said)
    assert {"ronde", "samenvatting"} <= menu(world, anna, anna)
    assert {"ronde", "sluiten", "verlengen", "werkgroep", "trekker"} <= menu(world, anna, group)
    assert not menu(world, bram, group) & {"ronde", "sluiten"}
    [group_help] = await bot.send(anna, group, "/hulp")
    assert "/sluiten — Sluit de lopende ronde nu" in group_help.text
    [group_help] = await bot.send(bram, group, "/hulp")
    assert "/sluiten" not in group_help.text and "/uitslag — " in group_help.text

    # Removed again (from the list of coordinators): back to a partner's menus.
    [coordinators] = await bot.send(els, group, "/coordinatoren")
    await bot.press(els, coordinators, "➖ Anna")
    assert "ronde" not in menu(world, anna, anna)
    assert "sluiten" not in menu(world, anna, group)

    # Bram takes up a working group: he hears it in private, and finds /actie.
    card = await new_group(bot, els, group, "Wijkveiligheid")
    await bot.press(bram, card, "Ik trek")
    await bot.dispatch()
    note = world.last_bot_message(bram)
    assert "Je bent nu trekker van Wijkveiligheid in Wonen & Zorg Amersfoort" in note.text
    assert "/actie" in note.text and "/acties" in note.text
    assert "actie" in menu(world, bram, bram)
    [help_text] = await bot.send(bram, bram, "/hulp")
    assert "Als trekker:" in help_text.text and "/actie — " in help_text.text

    # Bram chooses English: his own menu follows, whatever his Telegram app's language.
    [choice] = await bot.send(bram, bram, "/taal")
    await bot.press(bram, choice, "English")
    english_menu = menu(world, bram, bram)
    assert {"help", "actions", "action", "agreements"} <= english_menu
    assert "acties" not in english_menu
    [help_text] = await bot.send(bram, bram, "/help")
    assert "/actions — Open actions per working group" in help_text.text


async def test_a_trekker_made_by_a_coordinator_is_told_so_in_private(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 2)
    els, group, anna = setup.net.els, setup.net.group, setup.partners["Anna"]
    await new_group(bot, els, group, "Wonen met zorg")
    said = await say(world, anna, group, "Ik doe het wel")
    await bot.send(els, group, "/trekker Wonen met zorg", reply_to=said)
    await bot.dispatch()
    note = world.last_bot_message(anna)
    assert "Een coördinator heeft je trekker gemaakt van Wonen met zorg" in note.text
    assert "Lukt het je toch niet?" in note.text
