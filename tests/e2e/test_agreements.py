"""Journey 5: comfort agreements with their half-yearly reviews, and the ground rules."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from sqlalchemy import select

from fakebot.world import Message, User, World
from storage.models import Agreement, Review, ReviewAnswer
from tests.e2e.test_rounds import network_with_partners
from tests.harness import BotHarness


async def record(
    bot: BotHarness,
    els: User,
    title: str,
    text: str,
    parties: list[str],
    first: str | None = "maandag 24 mei",
    before_save: Callable[[], None] | None = None,
) -> Message:
    """Els records an agreement in private chat; returns the confirmation."""
    [step] = await bot.send(els, els, "/agreement")
    assert "Wat is de titel" in step.text
    await bot.send(els, els, title)
    [choice] = await bot.send(els, els, text)
    for party in parties:
        await bot.press(els, choice, party)
    await bot.press(els, choice, "Volgende")
    await bot.press(els, choice, "halfjaar")
    await bot.press(els, choice, "Vandaag")
    await bot.press(els, choice, "Alle vertegenwoordigers")
    if first is not None:
        assert f"Evaluatie elke 6 maanden; de eerste op {first}" in choice.text
    if before_save is not None:
        before_save()
    await bot.press(els, choice, "Opslaan")
    return choice


def prompts(world: World, user: User) -> list[Message]:
    return [
        m
        for m in world.bot_messages(user)
        if "🔁 Evaluatie van" in (m.text or "") or "Nog open" in (m.text or "")
    ]


async def test_an_agreement_reviewed_after_six_months(bot: BotHarness, world: World) -> None:
    setup = await network_with_partners(bot, world, 4)
    els, group, p = setup.net.els, setup.net.group, setup.partners
    # Anna and Bram represent Portaal, Chris the municipality, Dewi the care provider.
    saved = await record(
        bot,
        els,
        "Huurcontracten <zorg>",
        "Corporaties en zorgaanbieders evalueren huurcontracten op naam van de zorgaanbieder "
        "& de begeleiding.",
        ["Portaal", "Gemeente Amersfoort", "Zorggroep Eemland"],
    )
    assert "Nieuwe afspraak: Huurcontracten <zorg>" in saved.text
    [announced] = [m for m in world.bot_messages(group) if "Nieuwe afspraak" in (m.text or "")]
    assert "Partijen: Gemeente Amersfoort, Portaal, Zorggroep Eemland" in announced.text or (
        "Partijen:" in announced.text and "Zorggroep Eemland" in announced.text
    )
    assert "Eerste evaluatie: maandag 24 mei" in announced.text
    [listing] = await bot.send(p["Anna"], group, "/agreements")
    assert "volgende evaluatie" in listing.text

    # Six months later, across a restart: every party's people get the question once.
    await bot.stop()
    bot.clock.set(dt.datetime(2027, 5, 24, 8, 0, tzinfo=dt.UTC))  # Monday 24 May, 10:00 local
    await bot.start(dispatch_on_start=True)
    for _ in range(200):
        if prompts(world, p["Dewi"]):
            break
        await asyncio.sleep(0.02)
    await bot.restart()
    await bot.dispatch()
    assert [len(prompts(world, p[name])) for name in ("Anna", "Bram", "Chris", "Dewi")] == [
        1,
        1,
        1,
        1,
    ]
    assert any("Tijd om" in (m.text or "") for m in world.bot_messages(group))

    # Portaal keeps it (Anna answers for her organisation), the municipality wants a change.
    await bot.press(p["Anna"], prompts(world, p["Anna"])[0], "Zo laten")
    question = prompts(world, p["Chris"])[0]
    await bot.press(p["Chris"], question, "Aanpassen")
    assert "Vastgelegd voor Gemeente Amersfoort: Aanpassen" in question.text
    await bot.send(p["Chris"], p["Chris"], "Graag ook de <wijkteams> erbij & een vast contactpunt")
    # Someone outside the agreement's parties cannot answer.
    outsider = world.user("Olaf")
    await bot.press_data(
        outsider,
        prompts(world, p["Dewi"])[0],
        prompts(world, p["Dewi"])[0].buttons()[0]["callback_data"],
    )
    assert "jij hoeft hem niet te beantwoorden" in (bot.answer_to_last_press() or {})["text"]

    # Three days before the deadline the care provider is chased; Portaal is not.
    bot.clock.set(dt.datetime(2027, 6, 4, 8, 0, tzinfo=dt.UTC))
    await bot.dispatch()
    assert len(prompts(world, p["Dewi"])) == 2 and len(prompts(world, p["Bram"])) == 1
    # The deadline: the outcome reaches the group, the coordinator hears who did not answer.
    bot.clock.set(dt.datetime(2027, 6, 7, 8, 0, tzinfo=dt.UTC))
    await bot.dispatch()
    [outcome] = [
        m
        for m in world.bot_messages(group)
        if "Evaluatie van" in (m.text or "") and "Aanpassen" in (m.text or "")
    ]
    assert "Portaal: Zo laten" in outcome.text
    assert (
        "Gemeente Amersfoort: Aanpassen — Graag ook de <wijkteams> erbij & een vast contactpunt"
        in outcome.text
    )
    assert "Geen antwoord van: Zorggroep Eemland" in outcome.text
    assert "Volgende evaluatie: woensdag 24 november" in outcome.text
    assert any(
        "🚩" in (m.text or "") and "Zorggroep Eemland" in m.text for m in world.bot_messages(els)
    )
    # A button of the closed review does nothing.
    await bot.press(p["Dewi"], prompts(world, p["Dewi"])[-1], "Stoppen")
    assert "werkt niet meer" in (bot.answer_to_last_press() or {})["text"]

    # The coordinator records the adjusted text; the history keeps both versions and the review.
    [history] = await bot.send(els, els, "/agreement huurcontracten")
    await bot.press(els, history, "Nieuwe tekst")
    await bot.send(els, els, "Corporaties, zorgaanbieders en wijkteams evalueren halfjaarlijks.")
    parts = await bot.send(els, group, "/agreement Huurcontracten <zorg>")
    text = "\n".join(m.text for m in parts)
    assert "wijkteams evalueren halfjaarlijks" in text and "Versies" in text
    assert "Evaluaties" in text and "Aanpassen" in text
    async with bot.services.database.unit_of_work() as session:
        agreement = (await session.scalars(select(Agreement))).one()
        assert agreement.next_review_on == dt.date(2027, 11, 24)
        assert len((await session.scalars(select(Review))).all()) == 1


async def test_hostile_input_and_ground_rules(bot: BotHarness, world: World) -> None:
    setup = await network_with_partners(bot, world, 2)
    els, group, anna = setup.net.els, setup.net.group, setup.partners["Anna"]
    await bot.send(els, els, "/agreement")
    [too_long] = await bot.send(els, els, "x" * 500)
    assert "hooguit 100 tekens" in too_long.text
    await bot.send(els, els, "<b>Niet-pluis</b> & signalen")
    [too_long] = await bot.send(els, els, "y" * 10000)
    assert "hooguit 3000 tekens" in too_long.text
    [refused] = await bot.send(anna, anna, "/agreement")
    assert "geen enkel netwerk coördinator" in refused.text
    [unknown] = await bot.send(anna, group, "/agreement bestaat niet")
    assert "Er is geen afspraak" in unknown.text

    [none] = await bot.send(anna, group, "/rules")
    assert "nog geen spelregels" in none.text
    await bot.send(els, els, "/setrules")
    await bot.send(
        els, els, "1. We zoeken elkaar op als er gedoe dreigt.\n2. Eigenaarschap is gedeeld."
    )
    [rules] = await bot.send(anna, group, "/rules")
    assert "We zoeken elkaar op" in rules.text
    async with bot.services.database.unit_of_work() as session:
        assert len((await session.scalars(select(Agreement))).all()) == 1  # the rules only


async def test_a_review_closes_as_soon_as_every_party_answered_and_stop_ends_it(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 2)
    els, group, anna = setup.net.els, setup.net.group, setup.partners["Anna"]
    await record(
        bot,
        els,
        "Niet-pluis overleg",
        "Corporaties melden niet-pluis bij de wijkzorg.",
        ["Portaal"],
    )
    bot.clock.set(dt.datetime(2027, 5, 24, 8, 0, tzinfo=dt.UTC))
    await bot.dispatch()
    # Stop may end the agreement at once (Anna's is the last answer missing): it asks first,
    # and Back shows the choices again without answering.
    [prompt] = prompts(world, anna)
    await bot.press(anna, prompt, "Stoppen")
    assert "Stoppen antwoorden voor Portaal bij de evaluatie van Niet-pluis overleg?" in (
        prompt.text
    )
    assert "meteen als jouw antwoord het laatste is" in prompt.text
    assert [b["text"] for b in prompt.buttons()] == [
        "⛔ Ja, antwoord Stoppen",
        "↩️ Terug naar de keuzes",
    ]
    await bot.press(anna, prompt, "Terug")
    assert [b["text"] for b in prompt.buttons()] == ["✅ Zo laten", "✏️ Aanpassen", "⛔ Stoppen"]
    async with bot.services.database.unit_of_work() as session:
        assert (await session.scalars(select(ReviewAnswer))).all() == []
    await bot.press(anna, prompt, "Stoppen")
    await bot.press(anna, prompt, "Ja, antwoord Stoppen")
    await bot.dispatch()
    [outcome] = [
        m
        for m in world.bot_messages(group)
        if "Evaluatie van" in (m.text or "") and "Portaal:" in (m.text or "")
    ]
    assert "Evaluatie van Niet-pluis overleg: Stoppen" in outcome.text
    assert "De afspraak stopt" in outcome.text
    [listing] = await bot.send(anna, group, "/agreements")
    assert "Niet-pluis overleg — gestopt" in listing.text
    # Bram (also Portaal) still has the question, but the review is closed.
    await bot.press(setup.partners["Bram"], prompts(world, setup.partners["Bram"])[0], "Zo laten")
    assert "werkt niet meer" in (bot.answer_to_last_press() or {})["text"]
    bot.clock.set(dt.datetime(2027, 11, 24, 8, 0, tzinfo=dt.UTC))
    await bot.dispatch()
    assert prompts(world, anna) == []  # answered, and a stopped agreement is not reviewed again


async def test_a_coordinator_of_two_networks_reads_and_writes_the_right_one(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 2)
    els = setup.net.els
    east = world.group("Netwerk Oost", admins=[els])
    await bot.add_bot(east, by=els)
    await bot.send(els, east, "/setup")
    await bot.send(els, east, "/setup naam Netwerk Oost")
    [choice] = await bot.send(els, els, "/setrules")
    assert "Welk netwerk" in choice.text
    await bot.press(els, choice, "Netwerk Oost")
    await bot.send(els, els, "Wij bellen elkaar binnen een dag terug.")
    rules = await bot.send(els, els, "/rules")
    by_network = {("Oost" in m.text): m.text for m in rules}
    assert len(rules) == 2 and "binnen een dag" in by_network[True]
    assert "nog geen spelregels" in by_network[False]
    [in_group] = await bot.send(els, setup.net.group, "/rules")
    assert "nog geen spelregels" in in_group.text
    listings = await bot.send(els, els, "/agreements")
    assert len(listings) == 2 and any("Netwerk Oost" in m.text for m in listings)


def joined_prompts(world: World, user: User) -> list[Message]:
    return [m for m in world.bot_messages(user) if "zijn toe aan evaluatie" in (m.text or "")]


def party_notes(world: World, user: User) -> list[Message]:
    return [m for m in world.bot_messages(user) if (m.text or "").startswith("👥")]


async def test_two_reviews_on_one_day_are_one_prompt_and_one_party_speaks_with_one_voice(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    els, p = setup.net.els, setup.partners
    anna, bram, chris = p["Anna"], p["Bram"], p["Chris"]  # Anna and Bram are both Portaal
    await record(
        bot,
        els,
        "Niet-pluis overleg",
        "Corporaties melden niet-pluis.",
        ["Portaal", "Gemeente Amersfoort"],
    )
    await bot.send(els, els, "/setrules")
    await bot.send(els, els, "1. We zoeken elkaar op als er gedoe dreigt.")
    bot.clock.set(dt.datetime(2027, 5, 24, 8, 0, tzinfo=dt.UTC))  # both reviewed on 24 May
    await bot.dispatch()

    # One message per representative, with a numbered part and a row of choices per review.
    [joined] = joined_prompts(world, anna)
    assert prompts(world, anna) == [] and len(joined_prompts(world, bram)) == 1
    assert "1. Niet-pluis overleg" in joined.text and "2. spelregels" in joined.text
    assert "Corporaties melden niet-pluis" in joined.text and "We zoeken elkaar op" in joined.text
    assert [b["text"][0] for b in joined.buttons()] == ["1"] * 3 + ["2"] * 3
    anna_row = joined.buttons()[0]["callback_data"].split(":")[3]
    [chris_prompt] = joined_prompts(world, chris)

    # Anna answers the first: that part is marked, the second keeps its buttons, the note is
    # invited below.
    await bot.press(anna, joined, "1 ✅")
    assert "vastgelegd Zo laten (Anna)" in joined.text
    assert [b["text"][0] for b in joined.buttons()] == ["2"] * 3
    invitation = world.bot_messages(anna)[-1]
    assert "Vastgelegd voor Portaal: Zo laten (Niet-pluis overleg)" in invitation.text
    await bot.send(anna, anna, "Werkt goed in de wijk")
    await bot.dispatch()
    # Bram, Portaal's other representative, is told; his question still works.
    [told] = party_notes(world, bram)
    assert "Anna heeft de evaluatie van Niet-pluis overleg beantwoord voor Portaal" in told.text
    assert "Zo laten" in told.text and "Jij hoeft niet ook te antwoorden" in told.text
    assert len(told.buttons()) == 2

    # Bram sees it differently: his answer replaces Anna's, he is told so, and so is she.
    bram_prompt = joined_prompts(world, bram)[0]
    await bot.press(bram, bram_prompt, "1 ⛔")
    assert "2. spelregels" not in bram_prompt.text  # the question about the first review
    await bot.press(bram, bram_prompt, "Ja, antwoord Stoppen")
    assert "Dit vervangt het antwoord van Anna (Zo laten); ik laat het Anna weten" in (
        world.bot_messages(bram)[-1].text
    )
    await bot.dispatch()
    [back] = party_notes(world, anna)
    assert "Bram heeft de evaluatie van Niet-pluis overleg beantwoord voor Portaal" in back.text
    assert "Stoppen" in back.text and "Dat vervangt jouw antwoord (Zo laten)" in back.text
    async with bot.services.database.unit_of_work() as session:
        [portaal] = [
            a for a in (await session.scalars(select(ReviewAnswer))).all() if a.label == "Portaal"
        ]
        assert (portaal.choice, portaal.answered_by) == ("stop", bram.id)

    # Pressing what the party already answered changes nothing and tells nobody.
    await bot.press(anna, joined, "2 ✅")
    await bot.press(bram, bram_prompt, "2 ✅")
    await bot.dispatch()
    assert len(party_notes(world, anna)) == 1
    assert "2. spelregels" in bram_prompt.text and not bram_prompt.buttons()

    # A forged prompt id is refused or ignored; it never shows another person's prompt.
    data = chris_prompt.buttons()[0]["callback_data"]
    forged = ":".join([*data.split(":")[:3], "9" * 30])
    await bot.press_data(chris, chris_prompt, forged)
    assert "werkt niet meer" in (bot.answer_to_last_press() or {})["text"]
    # The same with a client that shows the button (replayed from Anna's prompt): the handler
    # itself keeps Chris to his own prompt.
    replayed = ":".join([*data.split(":")[:3], anna_row])
    chris_prompt.reply_markup = {"inline_keyboard": [[{"text": "1", "callback_data": replayed}]]}
    await bot.press_data(chris, chris_prompt, replayed)
    assert "Vastgelegd voor Gemeente Amersfoort: Zo laten" in chris_prompt.text
    assert "Anna" not in chris_prompt.text and "Portaal" not in chris_prompt.text


async def test_the_other_representative_can_change_the_answer_from_the_note(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    els, p = setup.net.els, setup.partners
    anna, bram = p["Anna"], p["Bram"]
    await record(
        bot,
        els,
        "Huurcontracten",
        "Op naam van de zorgaanbieder.",
        ["Portaal", "Gemeente Amersfoort"],
    )
    bot.clock.set(dt.datetime(2027, 5, 24, 8, 0, tzinfo=dt.UTC))
    await bot.dispatch()
    await bot.press(anna, prompts(world, anna)[0], "Zo laten")
    await bot.dispatch()
    [told] = party_notes(world, bram)
    assert [b["text"] for b in told.buttons()] == ["✏️ Aanpassen", "⛔ Stoppen"]
    await bot.press(bram, told, "Aanpassen")
    assert "Vastgelegd voor Portaal: Aanpassen" in told.text
    assert "Dit vervangt het antwoord van Anna (Zo laten)" in told.text
    await bot.send(bram, bram, "De zorgaanbieder wil een ander model")
    await bot.dispatch()
    [back] = party_notes(world, anna)
    assert "Bram heeft de evaluatie van Huurcontracten beantwoord voor Portaal" in back.text
    # Once the review is closed, a note tells what happened but offers nothing to press.
    await bot.press(p["Chris"], prompts(world, p["Chris"])[0], "Zo laten")
    await bot.press(anna, back, "Stoppen")
    assert "werkt niet meer" in (bot.answer_to_last_press() or {})["text"]
    async with bot.services.database.unit_of_work() as session:
        answers = {
            a.label: (a.choice, a.note) for a in (await session.scalars(select(ReviewAnswer)))
        }
    assert answers["Portaal"] == ("adjust", "De zorgaanbieder wil een ander model")
