"""Knowing each other: an organisation's profile (interests, what it cannot do and why, what it
offers, the signals it wants), its signal contacts who agreed to be found with /wie, and the
"Klopt dit nog?" that keeps it current."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from fakebot.world import Message, User, World
from storage.models import Organisation, OrganisationProfile, SignalContact
from tests.e2e.test_rounds import network_with_partners
from tests.harness import BotHarness


def card_of(messages: list[Message]) -> Message:
    [card] = [m for m in messages if "🏢" in (m.text or "")]
    return card


async def portaal_id(bot: BotHarness) -> int:
    async with bot.services.database.unit_of_work() as session:
        return int(
            await session.scalar(select(Organisation.id).where(Organisation.name == "Portaal"))
        )


async def fill_interests(bot: BotHarness, anna: User, text: str) -> Message:
    card = card_of(await bot.send(anna, anna, "/profiel"))
    await bot.press(anna, card, "Belangen")
    return card_of(await bot.send(anna, anna, text))


async def test_a_representative_fills_in_the_profile_and_others_only_read_it(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    group, anna, bram, chris = (
        setup.net.group,
        setup.partners["Anna"],
        setup.partners["Bram"],
        setup.partners["Chris"],
    )
    empty = card_of(await bot.send(anna, anna, "/profiel"))
    assert "Portaal · Woningcorporatie" in empty.text and "Nog geen profiel" in empty.text
    assert "Bijgewerkt" not in empty.text

    # Hostile and huge input: refused with the limit, or stored and shown escaped.
    await bot.press(anna, empty, "Belangen")
    [too_long] = await bot.send(anna, anna, "x" * 5000)
    assert "hooguit 800 tekens" in too_long.text
    [blank] = await bot.send(anna, anna, "   ")
    assert "hooguit 800 tekens" in blank.text
    card = card_of(
        await bot.send(anna, anna, "<b>Betaalbaar</b> & veilig wonen 🏠\n\nVoor iedereen")
    )
    assert "<b>Betaalbaar</b> & veilig wonen 🏠" in card.text
    assert "&lt;b&gt;Betaalbaar&lt;/b&gt; &amp; veilig" in (card.html or "")
    assert "Bijgewerkt op 24 november 2026 door Anna" in card.text

    # Something Portaal cannot do, and why.
    await bot.press(anna, card, "Iets wat we niet kunnen")
    [why] = await bot.send(anna, anna, "Huurachterstand kwijtschelden")
    assert "Waarom niet?" in why.text
    sent = await bot.press(anna, why, "geld")
    assert "Toegevoegd: Huurachterstand kwijtschelden (geld)" in why.text
    card = card_of(sent)
    assert "Huurachterstand kwijtschelden (geld)" in card.text

    # Bram, Portaal's other representative, can edit it too; Chris (municipality) cannot.
    bram_card = card_of(await bot.send(bram, bram, "/profiel"))
    assert bram_card.buttons()
    org = await portaal_id(bot)
    await bot.press_data(chris, card, f"of:{org}:interests")
    assert "Alleen de vertegenwoordigers van Portaal" in (bot.answer_to_last_press() or {})["text"]
    await bot.press_data(chris, card, f"oc:{org}")
    assert "Alleen de vertegenwoordigers van Portaal" in (bot.answer_to_last_press() or {})["text"]
    seen = card_of(await bot.send(chris, chris, "/profiel portaal"))
    assert "Betaalbaar" in seen.text and not seen.buttons()
    [unknown] = await bot.send(chris, chris, "/profiel <script>")
    assert "Er is geen organisatie <script>" in unknown.text

    # The group sees which organisations have a profile.
    [listing] = await bot.send(chris, group, "/profiel")
    assert "Portaal (Woningcorporatie): bijgewerkt op 24 november 2026" in listing.text
    assert "Gemeente Amersfoort (Gemeente): nog geen profiel" in listing.text

    # Removing what is no longer true.
    await bot.press(anna, card, "Weghalen")
    assert "Welke klopt niet meer?" in card.text
    sent = await bot.press(anna, card, "Huurachterstand")
    assert "Weggehaald" in card.text
    assert "Huurachterstand" not in card_of(sent).text
    # Emptying a text with a single dash.
    latest = card_of(sent)
    await bot.press(anna, latest, "Belangen")
    emptied = card_of(await bot.send(anna, anna, "-"))
    assert "Betaalbaar" not in emptied.text


async def test_who_do_i_call_finds_a_contact_only_with_consent(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 5)
    chris, eva = setup.partners["Chris"], setup.partners["Eva"]  # Eva is Politie Midden
    [usage] = await bot.send(chris, chris, "/wie")
    assert "/wie politie" in usage.text
    [nothing] = await bot.send(chris, chris, "/wie <b>brandweer</b>")
    assert "Ik vond geen organisatie bij <b>brandweer</b>" in nothing.text
    [before] = await bot.send(chris, chris, "/wie politie")
    assert "Politie Midden" in before.text and "Nog geen signaalcontact" in before.text

    card = card_of(await bot.send(eva, eva, "/profiel"))
    await bot.press(eva, card, "Ik ben het signaalcontact")
    [how] = world.bot_messages(eva)[-1:]
    await bot.press(eva, how, "Telefoon")
    [bad] = await bot.send(eva, eva, "bel me maar")
    assert "geen telefoonnummer" in bad.text
    await bot.send(eva, eva, "0900-8844")
    [consent] = await bot.send(eva, eva, "24/7 via de meldkamer")
    assert "Eva — 0900-8844; 24/7 via de meldkamer" in consent.text
    # Until she agrees, nobody sees her.
    [still_none] = await bot.send(chris, chris, "/wie politie")
    assert "Eva" not in still_none.text
    await bot.press(eva, consent, "Ja, akkoord")
    assert "je bent nu signaalcontact van Politie Midden" in consent.text
    [found] = await bot.send(chris, chris, "/wie politie")
    assert "Eva — 0900-8844; 24/7 via de meldkamer" in found.text
    [also] = await bot.send(chris, chris, "/wie meldkamer")  # not a subject of the profile
    assert "Ik vond geen organisatie" in also.text
    [mydata] = await bot.send(eva, eva, "/mydata")
    assert "Politie Midden — 0900-8844" in mydata.text

    # On Telegram, with a username: a button opens the chat.
    eva.username = "eva_politie"
    card = card_of(await bot.send(eva, eva, "/profiel"))
    await bot.press(eva, card, "Stoppen als signaalcontact")
    [gone] = await bot.send(chris, chris, "/wie politie")
    assert "Eva" not in gone.text and not gone.buttons()
    card = [m for m in world.bot_messages(eva) if "🏢" in (m.text or "")][-1]
    await bot.press(eva, card, "Ik ben het signaalcontact")
    await bot.press(eva, world.bot_messages(eva)[-1], "Telegram")
    [consent] = await bot.send(eva, eva, "werkdagen")
    await bot.press(eva, consent, "Ja, akkoord")
    [found] = await bot.send(chris, chris, "/wie politie")
    assert "Eva — via Telegram; werkdagen" in found.text
    assert f'href="tg://user?id={eva.id}"' in (found.html or "")
    assert [b["url"] for b in found.buttons()] == ["https://t.me/eva_politie"]

    # Declining stores nothing; leaving the network ends the consent.
    dewi = setup.partners["Dewi"]
    card = card_of(await bot.send(dewi, dewi, "/profiel"))
    await bot.press(dewi, card, "Ik ben het signaalcontact")
    await bot.press(dewi, world.bot_messages(dewi)[-1], "Telegram")
    [consent] = await bot.send(dewi, dewi, "altijd")
    await bot.press(dewi, consent, "Nee, nu niet")
    await bot.act(world.remove_member(setup.net.group, eva, by=setup.net.els))
    async with bot.services.database.unit_of_work() as session:
        assert (await session.scalars(select(SignalContact))).all() == []
    [after] = await bot.send(chris, chris, "/wie politie")
    assert "Eva" not in after.text
    # The coordinator's summary names who cannot be found yet.
    summary = "\n".join(
        m.text or "" for m in await bot.send(setup.net.els, setup.net.els, "/summary")
    )
    assert (
        "Zonder contact voor signalen: Gemeente Amersfoort, Portaal, Zorggroep Eemland" in summary
    )
    assert "Zonder profiel: Gemeente Amersfoort, Portaal, Zorggroep Eemland" in summary


async def test_klopt_dit_nog_comes_once_in_office_hours_across_a_restart(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    anna, bram, chris = setup.partners["Anna"], setup.partners["Bram"], setup.partners["Chris"]
    await fill_interests(bot, anna, "Betaalbaar wonen")

    def checks(user: User) -> list[Message]:
        return [m for m in world.bot_messages(user) if "Klopt dit nog?" in (m.text or "")]

    await bot.stop()
    bot.clock.set(dt.datetime(2027, 5, 24, 6, 0, tzinfo=dt.UTC))  # Monday 08:00: still closed
    await bot.start(dispatch_on_start=True)
    await bot.dispatch()
    assert checks(anna) == [] and checks(bram) == []
    bot.clock.set(dt.datetime(2027, 5, 24, 7, 30, tzinfo=dt.UTC))
    await bot.dispatch()
    await bot.restart()
    await bot.dispatch()
    [asked] = checks(anna)
    assert len(checks(bram)) == 1 and checks(chris) == []
    assert "nagekeken op 24 november 2026" in asked.text and "Betaalbaar wonen" in asked.text

    [bram_asked] = checks(bram)
    await bot.press(bram, bram_asked, "Klopt nog")
    assert "staat als kloppend genoteerd" in bram_asked.text and not bram_asked.buttons()
    await bot.press_data(chris, asked, asked.buttons()[0]["callback_data"])
    assert "Alleen de vertegenwoordigers" in (bot.answer_to_last_press() or {})["text"]
    async with bot.services.database.unit_of_work() as session:
        profile = (await session.scalars(select(OrganisationProfile))).one()
        assert profile.checked_at is not None
    # Aanpassen opens the card; the next question comes half a year after the confirmation.
    sent = await bot.press(anna, asked, "Aanpassen")
    assert card_of(sent).buttons()
    bot.clock.set(dt.datetime(2027, 11, 24, 9, 0, tzinfo=dt.UTC))
    await bot.dispatch()
    assert len(checks(anna)) == 2 and len(checks(bram)) == 1  # Bram's first became his thanks
    assert "nagekeken op 24 mei 2027" in checks(bram)[0].text


async def test_a_representative_who_leaves_makes_the_others_check(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    anna, bram = setup.partners["Anna"], setup.partners["Bram"]
    card = await fill_interests(bot, anna, "Betaalbaar wonen")
    await bot.press(anna, card, "Ik ben het signaalcontact")
    await bot.press(anna, world.bot_messages(anna)[-1], "Telegram")
    [consent] = await bot.send(anna, anna, "werkdagen")
    await bot.press(anna, consent, "Ja, akkoord")
    await bot.act(world.remove_member(setup.net.group, anna, by=setup.net.els))
    await bot.dispatch()
    [asked] = [m for m in world.bot_messages(bram) if "Klopt dit nog?" in (m.text or "")]
    assert "Anna vertegenwoordigt Portaal niet meer in het netwerk" in asked.text
    assert "Nog niemand" in asked.text  # her consent ended with her membership


async def test_forged_profile_buttons_and_hostile_questions_change_nothing(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 2)
    anna = setup.partners["Anna"]
    card = await fill_interests(bot, anna, "Betaalbaar wonen")
    org = await portaal_id(bot)
    huge = ("2147483648", "9223372036854775808", "999999999999999999999", "-1")
    forged = [
        *(f"{prefix}:{n}" for prefix in ("ov", "ol", "om", "ox", "oc", "os", "ok") for n in huge),
        *(f"of:{n}:interests" for n in huge),
        f"of:{org}:evil",
        f"of:{org}",
        f"om:{org}",  # nothing to remove
        f"os:{org}",  # not a contact
        "or:money",  # a reason outside its dialogue
        "oh:fax",
        "oy:yes",
    ]
    for data in forged:
        await bot.press_data(anna, card, data)
        answered = bot.answer_to_last_press() or {}
        assert answered.get("show_alert"), data
        assert answered.get("text"), data
    # A stranger (in no network) sees no profile and cannot search.
    stranger = world.user("Olaf")
    [refused] = await bot.send(stranger, stranger, "/profiel")
    assert "nog niet in een netwerk" in refused.text
    [refused] = await bot.send(stranger, stranger, "/wie politie")
    assert "nog niet in een netwerk" in refused.text
    await bot.press_data(stranger, card, f"ov:{org}")
    assert "werkt niet meer" in (bot.answer_to_last_press() or {})["text"]
    # Huge and hostile questions.
    [huge_query] = await bot.send(anna, anna, "/wie " + "zorg " * 1000)
    assert "Ik vond geen organisatie" in huge_query.text and len(huge_query.text) < 400
    [in_group] = await bot.send(anna, setup.net.group, "/wie politie")
    assert "privégesprek" in in_group.text
    async with bot.services.database.unit_of_work() as session:
        profile = (await session.scalars(select(OrganisationProfile))).one()
        assert profile.interests == "Betaalbaar wonen"


async def test_help_and_the_menus_name_the_profile_and_who_do_i_call(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 1)
    anna = setup.partners["Anna"]
    [help_text] = await bot.send(anna, anna, "/help")
    assert "/profiel — Het profiel van je organisatie" in help_text.text
    assert "/wie — Wie bel ik?" in help_text.text
    dutch = {c["command"]: c["description"] for c in world.commands[("all_private_chats", "nl")]}
    english = {c["command"]: c["description"] for c in world.commands[("all_private_chats", "en")]}
    assert "profiel" in dutch and "wie" in dutch and "organisation" not in dutch
    assert "organisation" in english and "who" in english and "profiel" not in english
    # Both names work in both languages.
    for command in ("/organisation", "/organisatie", "/profiel"):
        assert card_of(await bot.send(anna, anna, command))
    [usage] = await bot.send(anna, anna, "/who")
    assert "/wie politie" in usage.text


async def test_forgetme_ends_the_consent_and_members_points_to_the_profiles(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    els, anna, chris = setup.net.els, setup.partners["Anna"], setup.partners["Chris"]
    card = await fill_interests(bot, anna, "Betaalbaar wonen")
    await bot.press(anna, card, "Ik ben het signaalcontact")
    await bot.press(anna, world.bot_messages(anna)[-1], "E-mail")
    [bad] = await bot.send(anna, anna, "anna at portaal")
    assert "geen e-mailadres" in bad.text
    await bot.send(anna, anna, "anna@portaal.nl")
    [consent] = await bot.send(anna, anna, "werkdagen")
    await bot.press(anna, consent, "Ja, akkoord")
    [found] = await bot.send(chris, chris, "/wie portaal")
    assert "anna@portaal.nl" in found.text
    [confirm] = await bot.send(anna, anna, "/forgetme")
    await bot.press(anna, confirm, "Ja, wissen")
    [found] = await bot.send(chris, chris, "/wie portaal")
    assert "anna@portaal.nl" not in found.text
    async with bot.services.database.unit_of_work() as session:
        assert (await session.scalars(select(SignalContact))).all() == []
        profile = (await session.scalars(select(OrganisationProfile))).one()
        assert profile.updated_by is None and profile.interests == "Betaalbaar wonen"
    members = "\n".join(m.text or "" for m in await bot.send(els, els, "/members"))
    assert "/profiel naam toont wat een organisatie wil" in members
