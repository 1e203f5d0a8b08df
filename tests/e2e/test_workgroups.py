"""Journey 4: working groups, trekkers and their actions, with reminders that keep the network
moving — at the right local times, never at night or in the weekend."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from fakebot.world import Message, User, World
from storage.models import Action, ActionNote, Trekker, WorkingGroup
from tests.e2e.test_rounds import network_with_partners
from tests.harness import BotHarness

AMS = ZoneInfo("Europe/Amsterdam")


async def new_group(
    bot: BotHarness, els: User, group_chat, name: str = "Wonen met zorg"
) -> Message:  # type: ignore[no-untyped-def]
    [message] = await bot.send(
        els, group_chat, f"/workgroup {name} | Passende woningen voor mensen met een zorgvraag"
    )
    return message


async def add_action(
    bot: BotHarness, user: User, group_name: str, title: str, owner: str | None, due: str
) -> Message:
    """user adds an action in private chat; returns the confirmation message."""
    [choice] = await bot.send(user, user, "/action")
    await bot.press(user, choice, group_name)
    [owner_question] = await bot.send(user, user, title)
    if owner is None:
        await bot.press(user, owner_question, "Ik")
        [confirm] = await bot.send(user, user, due)
    else:
        await bot.send(user, user, owner)
        [confirm] = await bot.send(user, user, due)
    # The whole action is read back before it is saved.
    assert "Klopt dit?" in confirm.text and title in confirm.text, confirm.text
    assert f"Werkgroep: {group_name}" in confirm.text
    assert f"Wie: {owner or user.first_name}" in confirm.text
    await bot.press(user, confirm, "Opslaan")
    return confirm


def local(message_time: dt.datetime) -> dt.datetime:
    return message_time.astimezone(AMS)


async def test_trekker_actions_reminders_escalation_and_digest(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    els, group, anna, bram = (
        setup.net.els,
        setup.net.group,
        setup.partners["Anna"],
        setup.partners["Bram"],
    )

    announcement = await new_group(bot, els, group)
    assert "Werkgroep <b>Wonen met zorg</b>" in (announcement.html or "")
    [refused] = await bot.send(anna, group, "/workgroup Stiekem")
    assert "Alleen coördinatoren" in refused.text
    await bot.press(anna, announcement, "Ik trek")
    assert "Trekker: Anna" in announcement.text and not announcement.buttons()
    async with bot.services.database.unit_of_work() as session:
        group_id = (await session.scalars(select(WorkingGroup.id))).one()
    await bot.press_data(bram, announcement, f"wt:{group_id}")  # a second, stale press
    assert "heeft al een trekker" in (bot.answer_to_last_press() or {})["text"]

    # Today is Tuesday 24 November 2026. Three actions with Dutch date phrases.
    confirm = await add_action(
        bot,
        anna,
        "Wonen met zorg",
        "Huurcontracten op naam van zorgaanbieders inventariseren",
        None,
        "vrijdag",
    )
    assert "vrijdag 27 november" in confirm.text
    assert "Huurcontracten op naam van zorgaanbieders inventariseren (Anna)" in confirm.text
    assert "Ik herinner je er op tijd aan" in confirm.text  # said to the trekker herself
    await add_action(
        bot,
        anna,
        "Wonen met zorg",
        "Overleg niet-pluis signalen plannen",
        "corporatie Portaal",
        "over twee weken",
    )
    await add_action(
        bot,
        anna,
        "Wonen met zorg",
        "Evaluatie <urgentieregeling> & doorstroom",
        "Gemeente",
        "15 dec",
    )
    [overview] = await bot.send(anna, group, "/actions")
    assert "Huurcontracten" in overview.text and "corporatie Portaal" in overview.text
    assert overview.text.index("Huurcontracten") < overview.text.index("Overleg")  # soonest first
    [groups] = await bot.send(els, group, "/workgroups")
    assert "Wonen met zorg — trekker: Anna" in groups.text and "3 open, 0 te laat" in groups.text

    def reminders() -> list[Message]:
        return [m for m in world.bot_messages(anna) if m.text and ("⏰" in m.text or "⚠️" in m.text)]

    # Nothing at night or in the weekend; due-day reminder on Friday 09:00.
    bot.clock.set(dt.datetime(2026, 11, 27, 7, 59, tzinfo=dt.UTC))  # Friday 08:59 local
    await bot.dispatch()
    assert reminders() == []
    bot.clock.set(dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC))  # Friday 09:00 local
    await bot.dispatch()
    [due_today] = reminders()
    assert "Vandaag" in due_today.text and "Huurcontracten" in due_today.text
    bot.clock.set(dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC))  # Saturday
    await bot.dispatch()
    assert len(reminders()) == 1
    bot.clock.set(dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC))  # Monday 09:00: overdue
    await bot.dispatch()
    overdue = reminders()[-1]
    assert "Te laat sinds vrijdag 27 november" in overdue.text

    # A restart in the middle neither loses nor repeats a reminder.
    await bot.restart()
    await bot.dispatch()
    assert len(reminders()) == 2

    # The second overdue reminder also reaches the coordinator.
    bot.clock.set(dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC))  # Tuesday: due + 4 days
    await bot.dispatch()
    escalations = [m for m in world.bot_messages(els) if "🚩" in (m.text or "")]
    assert len(escalations) == 1 and "Huurcontracten" in escalations[0].text

    # Add note, postpone, done: straight from the reminder.
    await bot.press(anna, overdue, "Notitie")
    await bot.send(anna, anna, "Lijst bij twee corporaties opgevraagd")
    latest = reminders()[-1]
    await bot.press(anna, latest, "Week later")
    assert (bot.answer_to_last_press() or {})["text"] == "📅 Nieuwe deadline: dinsdag 8 december."
    async with bot.services.database.unit_of_work() as session:
        action = (await session.scalars(select(Action).order_by(Action.id))).first()
        assert action is not None and action.due_on == dt.date(2026, 12, 8)
        assert (
            await session.scalars(select(ActionNote.text))
        ).one() == "Lijst bij twee corporaties opgevraagd"
    # Bram is not the trekker: his press changes nothing.
    await bot.press_data(bram, latest, f"wx:{action.id}:done")
    assert "Alleen de trekker" in (bot.answer_to_last_press() or {})["text"]
    await bot.press(anna, latest, "Klaar")
    assert "afgerond" in latest.text
    assert (bot.answer_to_last_press() or {})["text"] == "✅ Afgevinkt als klaar."
    count = len(reminders())

    # The weekly digest on Monday 09:00, one message per week: done, due this week, overdue.
    bot.clock.set(dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC))
    await bot.dispatch()
    digests = [m for m in world.bot_messages(group) if "Weekoverzicht van" in (m.text or "")]
    assert len(digests) == 2  # Monday 30 November and Monday 7 December
    text = digests[-1].text
    assert "1 afgerond vorige week" in text and "Huurcontracten" in text
    assert "deze week op de planning" in text and "Overleg niet-pluis signalen plannen" in text
    assert "te laat" not in text

    # Done stopped every reminder: nothing on the postponed due day.
    bot.clock.set(dt.datetime(2026, 12, 8, 8, 0, tzinfo=dt.UTC))
    await bot.dispatch()
    assert not [m for m in reminders()[count:] if "Huurcontracten" in m.text]


async def test_hostile_input_for_actions(bot: BotHarness, world: World) -> None:
    setup = await network_with_partners(bot, world, 2)
    els, group, anna = setup.net.els, setup.net.group, setup.partners["Anna"]
    [usage] = await bot.send(els, group, "/workgroup")
    assert "Gebruik: /werkgroep" in usage.text
    announcement = await new_group(bot, els, group)
    await bot.press(anna, announcement, "Ik trek")
    [choice] = await bot.send(anna, anna, "/action")
    await bot.press(anna, choice, "Wonen met zorg")
    [too_long] = await bot.send(anna, anna, "x" * 10000)
    assert "hooguit 300 tekens" in too_long.text
    [owner] = await bot.send(anna, anna, "<b>Plan</b> & <script>")
    await bot.press(anna, owner, "Ik")
    [impossible] = await bot.send(anna, anna, "31 februari")
    assert "bestaat niet" in impossible.text
    [past] = await bot.send(anna, anna, "2020-01-01")
    assert "al voorbij" in past.text
    [confirm] = await bot.send(anna, anna, "over twee weken")
    await bot.press(anna, confirm, "Opslaan")
    [overview] = await bot.send(anna, group, "/actions")
    assert "<b>Plan</b> & <script>" in overview.text
    async with bot.services.database.unit_of_work() as session:
        assert len((await session.scalars(select(Action))).all()) == 1


async def test_a_trekker_without_private_chat_is_nudged_once(bot: BotHarness, world: World) -> None:
    setup = await network_with_partners(bot, world, 2)
    els, group = setup.net.els, setup.net.group
    shy = world.user("Sanne")
    group.members[shy.id] = "member"
    # Sanne joined the network through the coordinator's bookkeeping, never chatting herself.
    async with bot.services.database.unit_of_work() as session:
        from storage.models import Member, Network, Person

        network = (await session.scalars(select(Network))).one()
        session.add(Person(id=shy.id, first_name="Sanne", started=False, reachable=True))
        await session.flush()
        anna_member = (
            await session.scalars(
                select(Member).where(Member.person_id == setup.partners["Anna"].id)
            )
        ).one()
        session.add(
            Member(
                network_id=network.id,
                person_id=shy.id,
                organisation_id=anna_member.organisation_id,
                level="tactical",
                is_coordinator=False,
                joined_at=bot.clock.now(),
            )
        )
    announcement = await new_group(bot, els, group, "Wijkveiligheid")
    sent = await bot.press(shy, announcement, "Ik trek")
    nudges = [m for m in sent if "open een privégesprek" in (m.text or "")]
    assert len(nudges) == 1 and nudges[0].button("Open")["url"].endswith("?start=hi")
    async with bot.services.database.unit_of_work() as session:
        trekker = (await session.scalars(select(Trekker))).one()
        assert trekker.person_id == shy.id


async def test_office_hours_editing_cancelling_and_a_private_digest(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 2)
    els, group, anna = setup.net.els, setup.net.group, setup.partners["Anna"]
    [settings] = await bot.send(els, group, "/setup uren 08:00-12:30")
    assert "Herinneringen: ma, di, wo, do, vr, 08:00–12:30" in settings.text
    [settings] = await bot.send(els, group, "/setup dagen ma,wo")
    assert "Herinneringen: ma, wo, 08:00–12:30" in settings.text
    [settings] = await bot.send(els, group, "/setup overzicht trekkers")
    assert "Weekoverzicht: privé naar de trekkers (ma)" in settings.text
    [settings] = await bot.send(els, group, "/setup overzichtdag wo")
    assert "Weekoverzicht: privé naar de trekkers (wo)" in settings.text
    [settings] = await bot.send(els, group, "/setup overzichtdag ma")
    for wrong in ("/setup uren 17:00-09:00", "/setup uren laat", "/setup dagen maandag,xx"):
        [refusal] = await bot.send(els, group, wrong)
        assert "Gebruik: /instellen" in refusal.text, wrong

    announcement = await new_group(bot, els, group)
    await bot.press(anna, announcement, "Ik trek")
    await add_action(bot, anna, "Wonen met zorg", "Plan maken", "Welzijn", "vrijdag")  # 27 Nov
    await add_action(bot, anna, "Wonen met zorg", "Verkeerde actie", "Welzijn", "vrijdag")

    # From the private list: change the owner and the text of one, cancel the other.
    [overview] = await bot.send(anna, anna, "/actions")
    [card] = await bot.press(anna, overview, "Plan maken")
    sent = await bot.press(anna, card, "Andere verantwoordelijke")
    await bot.send(anna, anna, "Gemeente Amersfoort")
    [card] = await bot.press(anna, overview, "Plan maken")
    assert "Verantwoordelijk: Gemeente Amersfoort" in card.text
    await bot.press(anna, card, "Tekst")
    [card] = await bot.send(anna, anna, "Plan maken met de corporaties")
    assert "Plan maken met de corporaties" in card.text
    [other] = await bot.press(anna, overview, "Verkeerde actie")
    await bot.press(anna, other, "Actie schrappen")  # asks first
    assert "Verkeerde actie</b> schrappen?" in (other.html or "")
    await bot.press(anna, other, "Nee, laten staan")
    assert "Verkeerde actie" in other.text and other.button("Actie schrappen")
    await bot.press(anna, other, "Actie schrappen")
    await bot.press(anna, other, "Ja, schrappen")
    assert "geschrapt" in other.text
    assert (bot.answer_to_last_press() or {})["text"] == "✖ Actie geschrapt."
    assert sent  # the owner prompt was sent

    def reminders() -> list[str]:
        return [m.text for m in world.bot_messages(anna) if m.text and m.text[0] in "⏰⚠"]

    # Office hours are now Monday and Wednesday mornings. Three days before Friday is Tuesday:
    # the reminder waits for Wednesday 08:00. The cancelled action never reminds anyone.
    bot.clock.set(dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.UTC))
    await bot.dispatch()
    assert reminders() == [
        "⏰ Uiterlijk vrijdag 27 november: Plan maken met de corporaties\n"
        "Werkgroep Wonen met zorg, verantwoordelijk: Gemeente Amersfoort."
    ]
    # Friday is no working day: the due day's reminder and the first overdue one meet on
    # Monday 08:00, and only one goes out.
    bot.clock.set(dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC))
    await bot.dispatch()
    assert len(reminders()) == 1
    bot.clock.set(dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC))
    await bot.dispatch()
    assert len(reminders()) == 2 and reminders()[-1].startswith(
        "⚠️ Te laat sinds vrijdag 27 november"
    )
    # The weekly overview went to the trekker privately, not to the group.
    assert any("Weekoverzicht van" in (m.text or "") for m in world.bot_messages(anna))
    assert not any("Weekoverzicht van" in (m.text or "") for m in world.bot_messages(group))


async def test_coordinator_appoints_and_changes_trekkers_by_reply(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    els, group = setup.net.els, setup.net.group
    anna, bram, chris = (setup.partners[n] for n in ("Anna", "Bram", "Chris"))
    await new_group(bot, els, group, "Wijkveiligheid")
    for user in (anna, bram, chris):
        await world.send(user, group, f"Hallo, {user.first_name} hier")
    said = {m.from_id: m for m in world.messages[group.id] if (m.text or "").startswith("Hallo")}
    [usage] = await bot.send(els, group, "/trekker", reply_to=said[anna.id])
    assert "Antwoord op een bericht" in usage.text
    [unknown] = await bot.send(els, group, "/trekker Bestaat niet", reply_to=said[anna.id])
    assert "Er is geen werkgroep die Bestaat niet heet" in unknown.text
    [refused] = await bot.send(anna, group, "/trekker Wijkveiligheid", reply_to=said[bram.id])
    assert "Alleen coördinatoren" in refused.text
    await bot.send(els, group, "/trekker wijkveiligheid", reply_to=said[anna.id])
    sent = await bot.send(els, group, "/trekker Wijkveiligheid", reply_to=said[bram.id])
    [second] = [m for m in sent if m.chat_id == group.id]
    assert "Trekker: Anna, Bram" in second.text
    [told] = [m for m in sent if m.chat_id == bram.id]  # and Bram hears it in private
    assert "Een coördinator heeft je trekker gemaakt van Wijkveiligheid" in told.text
    sent = await bot.send(els, group, "/trekker Wijkveiligheid", reply_to=said[chris.id])
    [changed] = [m for m in sent if m.chat_id == group.id]
    assert "Trekker: Anna, Chris" in changed.text  # at most two: the newest gives way


async def test_the_group_sees_the_most_pressing_actions_and_private_chat_sees_all(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 2)
    els, group, anna = setup.net.els, setup.net.group, setup.partners["Anna"]
    announcement = await new_group(bot, els, group)
    await bot.press(anna, announcement, "Ik trek")
    for number, due in enumerate(["15 dec", "vrijdag", "1 feb", "over twee weken", "10 mrt"]):
        await add_action(bot, anna, "Wonen met zorg", f"Actie nummer {number}", None, due)
    [overview] = await bot.send(anna, group, "/actions")
    shown = [n for n in range(5) if f"Actie nummer {n}" in overview.text]
    assert shown == [0, 1, 3]  # the three due soonest
    assert "… en nog 2" in overview.text and "privégesprek" in overview.text
    private = await bot.send(anna, anna, "/actions")
    assert all(f"Actie nummer {n}" in private[0].text for n in range(5))
    assert "… en nog" not in private[0].text
