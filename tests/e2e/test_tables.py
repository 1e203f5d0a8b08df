"""The representative table: a coordinator sets one up with its seats and a rotation rule; a
year later the coordinators get a proposal (the longest seated make way for organisations not
yet at the table, of the same kind where possible), and the group hears the new composition."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from fakebot.world import Message, User, World
from storage.models import TableRotation, TableSeat
from tests.e2e.test_setup_and_join import join, set_up_network
from tests.harness import BotHarness

ORGANISATIONS = [
    # person, organisation, kind, level
    ("Anna", "Portaal", "Woningcorporatie", "Bestuurlijk"),
    ("Chris", "Gemeente Amersfoort", "Gemeente", "Strategisch"),
    ("Dewi", "Zorggroep Eemland", "Zorgaanbieder", "Uitvoering"),
    ("Eva", "Politie Midden", "Politie", "Tactisch"),
    ("Fatima", "Welzijn Eemland", "Welzijnsorganisatie", "Uitvoering"),
    ("Hanna", "GGD Utrecht", "Huisarts / gezondheidszorg", "Tactisch"),
    ("Ilse", "Woonstichting De Key", "Woningcorporatie", "Tactisch"),
    ("Joost", "Zorgbalans", "Zorgaanbieder", "Uitvoering"),
]
SEATED = ORGANISATIONS[:6]


async def network(bot: BotHarness, world: World) -> tuple[User, Message, dict[str, User]]:
    users = {name: world.user(name) for name, *_ in ORGANISATIONS}
    net = await set_up_network(bot, world, *users.values())
    for name, organisation, kind, level in ORGANISATIONS:
        await join(bot, net, users[name], organisation, level, kind)
    await bot.send(net.els, net.els, "/start")
    return net.els, net.group, users


def newest(world: World, user: User) -> Message:
    return next(m for m in reversed(world.bot_messages(user)) if m.buttons())


async def test_a_table_of_six_rotates_a_third_after_a_year(bot: BotHarness, world: World) -> None:
    els, group, users = await network(bot, world)
    [refused] = await bot.send(users["Anna"], users["Anna"], "/tafel")
    assert "geen enkel netwerk coördinator" in refused.text
    [name] = await bot.send(els, els, "/tafel")
    assert "Hoe heet hij?" in name.text
    [too_long] = await bot.send(els, els, "x" * 500)
    assert "hooguit 64 tekens" in too_long.text
    [meets] = await bot.send(els, els, "Bestuurlijke <tafel>")
    await bot.press(els, meets, "elk kwartaal")
    await bot.press(els, meets, "Volgende")  # nothing chosen yet
    assert "Kies eerst minstens één organisatie" in (bot.answer_to_last_press() or {})["text"]
    for _, organisation, *_ in SEATED:
        await bot.press(els, meets, organisation)
    assert "6 gekozen" in meets.text
    await bot.press(els, meets, "Volgende")
    await bot.press(els, meets, "een derde")
    assert "Bij elke wisseling gaan 2 van de 6 zetels naar een ander" in meets.text
    await bot.press(els, meets, "Opslaan")
    assert "Opgeslagen" in meets.text
    await bot.dispatch()
    [announced] = [m for m in world.bot_messages(group) if "Een nieuwe tafel" in (m.text or "")]
    assert "Bestuurlijke <tafel>" in announced.text
    assert "Portaal (sinds 24 november 2026)" in announced.text
    assert "volgende wisseling op 24 november 2027" in announced.text

    [listing] = await bot.send(users["Joost"], group, "/tafels")
    assert "GGD Utrecht (sinds 24 november 2026)" in listing.text
    assert "Zorgbalans" not in listing.text

    # A year later the coordinator gets the proposal, once, in office hours, across a restart.
    await bot.stop()
    bot.clock.set(dt.datetime(2027, 11, 24, 6, 0, tzinfo=dt.UTC))  # 07:00 in Amsterdam
    await bot.start(dispatch_on_start=True)
    await bot.dispatch()
    assert not [m for m in world.bot_messages(els) if "toe aan de wisseling" in (m.text or "")]
    bot.clock.set(dt.datetime(2027, 11, 24, 9, 0, tzinfo=dt.UTC))
    await bot.dispatch()
    await bot.restart()
    await bot.dispatch()
    [proposal] = [m for m in world.bot_messages(els) if "toe aan de wisseling" in (m.text or "")]
    # The first two seated (Portaal, the municipality) make way: Portaal for the other
    # housing corporation, the municipality (no other municipality) for the care provider
    # not yet seated.
    assert "Portaal → Woonstichting De Key" in proposal.text
    assert "Gemeente Amersfoort → Zorgbalans" in proposal.text
    await bot.press_data(users["Anna"], proposal, proposal.buttons()[0]["callback_data"])
    assert "Alleen coördinatoren" in (bot.answer_to_last_press() or {})["text"]
    await bot.press(els, proposal, "Akkoord")
    assert "De wisseling van Bestuurlijke <tafel> is gedaan (Els)" in proposal.text
    await bot.dispatch()
    [changed] = [m for m in world.bot_messages(group) if "is veranderd" in (m.text or "")]
    assert "Welkom: Woonstichting De Key, Zorgbalans" in changed.text
    assert "Bedankt en tot ziens: Portaal, Gemeente Amersfoort" in changed.text
    assert "Woonstichting De Key (sinds 24 november 2027)" in changed.text
    assert "volgende wisseling op 24 november 2028" in changed.text
    async with bot.services.database.unit_of_work() as session:
        seats = (await session.scalars(select(TableSeat))).all()
        [rotation] = (await session.scalars(select(TableRotation))).all()
    assert len([s for s in seats if s.until is None]) == 6 and len(seats) == 8
    assert rotation.state == "done"

    # Who sat there before, with the dates.
    [history] = await bot.send(els, els, "/tafel bestuurlijke")
    assert "Eerder:" in history.text
    assert "Portaal (24 november 2026 – 24 november 2027)" in history.text

    # The next year: choosing the seats yourself, starting from the proposal.
    bot.clock.set(dt.datetime(2028, 11, 24, 9, 0, tzinfo=dt.UTC))
    await bot.dispatch()
    proposal = [m for m in world.bot_messages(els) if "toe aan de wisseling" in (m.text or "")][-1]
    [seats] = await bot.press(els, proposal, "Zelf kiezen")
    assert "6 gekozen" in seats.text
    # The proposal lets Zorggroep and the police make way; keep the police, not Portaal.
    await bot.press(els, seats, "Politie Midden")
    await bot.press(els, seats, "Portaal")
    assert "6 gekozen" in seats.text
    await bot.press(els, seats, "Opslaan")
    assert "Opgeslagen" in seats.text
    await bot.press(els, proposal, "Akkoord")
    assert "al besloten" in (bot.answer_to_last_press() or {})["text"]
    await bot.dispatch()
    [_, second] = [m for m in world.bot_messages(group) if "is veranderd" in (m.text or "")]
    assert "Welkom: Gemeente Amersfoort" in second.text
    assert "Bedankt en tot ziens: Zorggroep Eemland" in second.text


async def test_forged_table_buttons_and_hostile_names_change_nothing(
    bot: BotHarness, world: World
) -> None:
    els, group, users = await network(bot, world)
    [listing] = await bot.send(els, group, "/tafels")
    assert "Nog geen tafels" in listing.text
    [unknown] = await bot.send(els, els, "/tafel <script>")
    assert "Er is geen tafel <script>" in unknown.text
    [in_group] = await bot.send(els, group, "/tafel")
    assert "privégesprek" in in_group.text
    huge = ("2147483648", "9223372036854775808", "-1")
    forged = [
        *(f"{prefix}:{n}" for prefix in ("te", "ta", "tc", "tt", "tx") for n in huge),
        "tm:weekly",
        "th:7",
        "tv",
    ]
    for data in forged:
        await bot.press_data(els, listing, data)
        answered = bot.answer_to_last_press() or {}
        assert answered.get("show_alert") and answered.get("text"), data
    # A seat for an organisation of another network is refused inside the dialogue.
    await bot.send(els, els, "/tafel")
    [meets] = await bot.send(els, els, "Tafel")
    await bot.press(els, meets, "maandelijks")
    await bot.press_data(els, meets, "tt:999999")
    assert "werkt niet meer" in (bot.answer_to_last_press() or {})["text"]
    [taken] = await bot.send(users["Anna"], users["Anna"], "/tafels")
    assert "Nog geen tafels" in taken.text
