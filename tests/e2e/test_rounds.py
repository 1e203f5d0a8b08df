"""Journeys 2 and 3: a coordinator starts a score round, partners answer anonymously in private
chat, reminders reach only those who have not answered, and at the deadline the group gets the
results it may see."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot import configure_logging
from fakebot.world import Chat, Message, User, World
from storage import rounds as rounds_store
from storage.models import Draft, Round
from storage.rounds import tally_of
from tests.e2e.test_setup_and_join import Net, join, set_up_network
from tests.harness import BotHarness

PARTNERS = [
    # name, organisation, kind (new organisations only), level
    ("Anna", "Portaal", "Woningcorporatie", "Bestuurlijk"),
    ("Bram", "Portaal", None, "Tactisch"),
    ("Chris", "Gemeente Amersfoort", "Gemeente", "Strategisch"),
    ("Dewi", "Zorggroep Eemland", "Zorgaanbieder", "Uitvoering"),
    ("Eva", "Politie Midden", "Politie", "Tactisch"),
    ("Fatima", "Welzijn Eemland", "Welzijnsorganisatie", "Uitvoering"),
    ("Gijs", "Gemeente Amersfoort", None, "Strategisch"),
]


@dataclass
class Network:
    net: Net
    partners: dict[str, User]


async def network_with_partners(bot: BotHarness, world: World, count: int = 7) -> Network:
    users = {name: world.user(name) for name, *_ in PARTNERS[:count]}
    net = await set_up_network(bot, world, *users.values())
    for name, organisation, kind, level in PARTNERS[:count]:
        await join(bot, net, users[name], organisation, level, kind)
    await bot.send(net.els, net.els, "/start")
    return Network(net, users)


async def start_round(
    bot: BotHarness,
    els: User,
    questionnaire: str = "Netwerktoets",
    *,
    deadline: str | None = None,
    k: str = "5",
) -> Message:
    """Els sets up a round in private chat; returns the announcement in the group."""
    [step] = await bot.send(els, els, "/round")
    await bot.press(els, step, questionnaire)
    if deadline is None:
        await bot.press(els, step, "Over 14 dagen")
    else:
        [step] = await bot.send(els, els, deadline)
    await bot.press(els, step, k)
    await bot.press(els, step, "Volgende")
    sent = await bot.press(els, step, "Start")
    [announcement] = [m for m in sent if m.chat_id != els.id]
    return announcement


async def close_round(bot: BotHarness, coordinator: User, group: Chat) -> Message:
    """The coordinator closes the open round now: /close asks first, Nu sluiten closes.
    Returns the question, which then says what follows."""
    [question] = await bot.send(coordinator, group, "/close")
    assert "nu sluiten?" in question.text, question.text
    await bot.press(coordinator, question, "Nu sluiten")
    return question


async def all_results(bot: BotHarness, user: User, chat: Chat | User, *, html: bool = False) -> str:
    """user presses 📋 All results under the newest results headline in chat: what follows."""
    world = bot.world
    headline = [
        m
        for m in world.bot_messages(chat)
        if any(b.get("callback_data", "").startswith("rz:") for b in m.buttons())
    ][-1]
    before = len(world.bot_messages(chat))
    await bot.press(user, headline, "uitkomsten" if "Uitkomsten" in headline.text else "results")
    await bot.dispatch()
    follow = world.bot_messages(chat)[before:]
    return "\n".join((m.html if html else m.text) or "" for m in follow)


async def answer(
    bot: BotHarness,
    user: User,
    announcement: Message,
    scores: list[int | str],
    comment: str | None = None,
) -> Message:
    """user opens the round from the group and answers; 'dk' is don't know. Returns the thanks."""
    [intro, question] = await bot.press(user, announcement, "Antwoord")
    assert "anoniem" in intro.text
    for score in scores:
        await bot.press(
            user, question, "Weet ik niet" if score == "dk" else f"{score}" if score != 1 else "1"
        )
    if comment is None:
        await bot.press(user, question, "Overslaan")
        review = question
    else:
        [review] = await bot.send(user, user, comment)
    assert "Je antwoorden" in review.text
    await bot.press(user, review, "Insturen")
    assert review.text == "📨 Ingestuurd." and not review.buttons()
    return bot.world.last_bot_message(user)


async def test_a_round_from_start_to_results(bot: BotHarness, world: World) -> None:
    setup = await network_with_partners(bot, world)
    els, group, p = setup.net.els, setup.net.group, setup.partners

    announcement = await start_round(bot, els)
    assert "Nieuwe scoreronde: Netwerktoets" in announcement.text
    assert "anoniem" in announcement.text

    # Someone outside the group cannot answer, even with the link.
    outsider = world.user("Olaf")
    [refused] = await bot.press(outsider, announcement, "Antwoord")
    assert "Alleen partners" in refused.text

    thanks = await answer(bot, p["Anna"], announcement, [7, 8, 6, 5, 7, 8, 6])
    assert "Dank je" in thanks.text and "1 van de 7 partners heeft tot nu toe" in thanks.text
    # Bram goes back once to change his second answer.
    [_, question] = await bot.press(p["Bram"], announcement, "Antwoord")
    await bot.press(p["Bram"], question, "3")
    await bot.press(p["Bram"], question, "Terug")
    assert "Vraag 1 van 7" in question.text and "[3]" in str(question.reply_markup)
    for score in (4, 5, 4, 6, 5, 6, 4):
        await bot.press(p["Bram"], question, str(score))
    await bot.press(p["Bram"], question, "Overslaan")
    assert "1. Vertrouwen: 4" in question.text
    await bot.press(p["Bram"], question, "Insturen")
    await answer(
        bot, p["Chris"], announcement, [8, 8, 7, "dk", 8, 9, 7], "Goed overleg <b>vet</b> & open"
    )
    await answer(bot, p["Dewi"], announcement, [5, 6, 5, 4, 5, 6, 5], "Meer delen graag")
    await answer(bot, p["Eva"], announcement, [6, 7, 6, 5, 6, 7, 6])
    await answer(bot, p["Fatima"], announcement, [9, 9, 8, 7, 8, 9, 9])
    # Answering twice is not possible.
    [again] = await bot.press(p["Anna"], announcement, "Antwoord")
    assert "al geantwoord" in again.text

    # The next morning the group hears how many answered (never who).
    bot.advance(days=1, hours=1)  # Wednesday 25 November, 11:00 in Amsterdam
    await bot.dispatch()
    [progress] = [
        m for m in world.bot_messages(group) if "geantwoord. De ronde sluit" in (m.text or "")
    ]
    assert "6 van de 7 partners" in progress.text

    # Reminders: three and one day before the deadline, in office hours, only to Gijs. The bot
    # "slept" through twelve days meanwhile: no backlog of daily progress notes follows.
    bot.advance(days=12)  # Monday 7 December, 11:00 in Amsterdam
    await bot.dispatch()
    reminded = [
        u.first_name
        for u in p.values()
        if any("sluit" in (m.text or "") for m in world.bot_messages(u))
    ]
    assert reminded == ["Gijs"]
    assert (
        len(
            [m for m in world.bot_messages(group) if "geantwoord. De ronde sluit" in (m.text or "")]
        )
        == 1
    )

    # The deadline passes: the group gets the results and the chart.
    bot.advance(days=3)
    await bot.dispatch()
    results = [m for m in world.bot_messages(group) if "Uitkomsten:" in (m.text or "")]
    assert len(results) == 1
    headline = results[0]
    text = headline.text
    # First one phone screen: who answered, the lowest items, the widest disagreement.
    assert len(text) < 900
    assert "6 van de 7 uitgenodigde partners antwoordden" in text
    assert "Laagste cijfers" in text and "Meeste verschil van mening" in text
    assert "1 ····" not in text and "spreiding" not in text
    assert "Goed overleg <b>vet</b> & open" not in text  # only two commented: fewer than k
    # All results on request, once for the group however often the button is pressed.
    data = headline.buttons()[0]["callback_data"]
    await bot.press(p["Bram"], headline, "Alle uitkomsten")
    assert "Alle uitkomsten volgen hieronder" in (bot.answer_to_last_press() or {})["text"]
    assert headline.buttons() == []
    await bot.press_data(p["Chris"], headline, data)
    await bot.dispatch()
    [details] = [m for m in world.bot_messages(group) if "Alle uitkomsten:" in (m.text or "")]
    text = details.text
    assert "Vertrouwen: 6,5" in text  # (7+4+8+5+6+9)/6
    assert "1 keer weet niet" in text and "spreiding: hoe ver de cijfers" in text
    assert "2 opmerkingen" in text
    # 2 board/strategic and 4 work-floor answers: no group reaches k=5, so no breakdown.
    assert "Uitsplitsingen naar niveau en soort organisatie laat ik niet zien" in text
    [chart] = [m for m in world.bot_messages(group) if m.photo is not None]
    assert chart.photo is not None and chart.photo.startswith(b"\x89PNG")
    assert "op een schaal van 1 tot 10" in (chart.caption or "")
    assert "In cijfers: Vertrouwen 6,5 · " in (chart.caption or "")  # the chart in words

    async with bot.services.database.unit_of_work() as session:
        round_ = (await session.scalars(select(Round))).one()
        assert round_.state == "closed" and round_.published
    # The closing is not repeated by a later run or a restart.
    await bot.restart()
    await bot.dispatch()
    assert len([m for m in world.bot_messages(group) if "Uitkomsten:" in (m.text or "")]) == 1
    [late] = await bot.press(p["Gijs"], announcement, "Antwoord")
    assert "Deze ronde is gesloten" in late.text
    [choice] = await bot.send(els, els, "/results")
    sent = await bot.press(els, choice, "Netwerktoets")
    assert "Uitkomsten" in sent[0].text and sent[0].chat_id == els.id

    again = await bot.send(els, group, "/results")
    assert "Uitkomsten" in again[0].text and again[-1].photo is not None
    [details] = await bot.send(p["Anna"], group, "/uitslag alles")
    assert "Alle uitkomsten: Netwerktoets" in details.text


async def test_answering_leaves_one_live_keyboard_and_ends_with_the_thanks(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 3)
    anna = setup.partners["Anna"]
    announcement = await start_round(bot, setup.net.els, k="3")
    [_, first] = await bot.press(anna, announcement, "Antwoord")
    await bot.press(anna, first, "7")
    await bot.press(anna, first, "8")
    stale_data = first.buttons()[0]["callback_data"]  # a score for question 3

    # Back in from the reminder's (or the announcement's) link: question 3 is shown anew at
    # the bottom, and the copy above it loses its buttons.
    [_, resumed] = await bot.press(anna, announcement, "Antwoord")
    assert "Vraag 3 van 7" in resumed.text and resumed.buttons()
    assert "Vraag 3 van 7" in first.text and not first.buttons()
    # A press on the old copy (a client that still shows it) changes nothing and says where
    # to go on.
    await bot.press_data(anna, first, stale_data)
    assert "oudere kopie" in (bot.answer_to_last_press() or {})["text"]
    assert "Vraag 3 van 7" in resumed.text
    async with bot.services.database.unit_of_work() as session:
        [draft] = (await session.scalars(select(Draft))).all()
        assert draft.position == 2 and draft.message_id == resumed.message_id

    for score in (6, 5, 7, 8, 6):
        await bot.press(anna, resumed, str(score))
    # A typed comment: the review comes as a new message, the question above goes quiet.
    [review] = await bot.send(anna, anna, "Fijn overleg")
    assert "Je antwoorden" in review.text and not resumed.buttons()
    await bot.press(anna, review, "Insturen")
    chat = world.bot_messages(anna)
    assert "Dank je" in chat[-1].text  # the last word in the chat
    assert [m.text for m in chat if m.buttons()] == []  # no live keyboard left anywhere


async def test_too_few_answers_keep_the_results_hidden_and_extend_reopens(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 4)
    els, group = setup.net.els, setup.net.group
    announcement = await start_round(bot, els, "Vijf condities", deadline="over 3 dagen", k="3")
    await answer(bot, setup.partners["Anna"], announcement, [6, 7, 5, 4, 6])
    await answer(bot, setup.partners["Bram"], announcement, [8, 7, 6, 5, 7])
    bot.advance(days=4)
    await bot.dispatch()
    [hidden] = [m for m in world.bot_messages(group) if "verborgen" in (m.text or "")]
    assert "2 mensen" in hidden.text and "6" not in hidden.text.split("minder")[0][-3:]
    assert not [m for m in world.bot_messages(group) if m.photo is not None]

    [extended] = await bot.send(els, group, "/extend over een week")
    assert "sluit nu" in extended.text
    for name in ("Chris", "Dewi"):
        await answer(bot, setup.partners[name], announcement, [5, 5, 5, 5, 5])
    # The reply comes first; the results follow at once (the harness waits for them too).
    early = await close_round(bot, els, group)
    assert "De ronde wordt gesloten; de uitkomsten volgen zo" in early.text
    await bot.dispatch()
    results = [m for m in world.bot_messages(group) if "Uitkomsten" in (m.text or "")]
    assert len(results) == 1 and "4 van de 4" in results[0].text


async def test_second_round_shows_the_change_since_the_first(bot: BotHarness, world: World) -> None:
    setup = await network_with_partners(bot, world, 3)
    els = setup.net.els
    first = await start_round(bot, els, k="3")
    for user in setup.partners.values():
        await answer(bot, user, first, [5, 5, 5, 5, 5, 5, 5])
    await close_round(bot, els, setup.net.group)
    await bot.dispatch()
    bot.advance(days=30)
    second = await start_round(bot, els, k="3")
    for user in setup.partners.values():
        await answer(bot, user, second, [8, 5, 4, 5, 5, 5, 5])
    await close_round(bot, els, setup.net.group)
    await bot.dispatch()
    latest = [m for m in world.bot_messages(setup.net.group) if "Uitkomsten" in (m.text or "")][-1]
    assert "Communicatie: <b>4,0</b> ↓ (-1,0)" in (latest.html or "")  # among the lowest
    details = await all_results(bot, els, setup.net.group, html=True)
    assert "Vertrouwen: 8,0</b> ↑ (+3,0)" in details
    assert "Communicatie: 4,0</b> ↓ (-1,0)" in details
    assert "Relatie: 5,0</b> → (+0,0)" in details
    charts = [m for m in world.bot_messages(setup.net.group) if m.photo is not None]
    assert len(charts) == 2 and "vorige ronde" in (charts[-1].caption or "")


async def test_hostile_input_while_answering(bot: BotHarness, world: World) -> None:
    setup = await network_with_partners(bot, world, 3)
    announcement = await start_round(bot, setup.net.els, k="3")
    anna = setup.partners["Anna"]
    [_, question] = await bot.press(anna, announcement, "Antwoord")
    async with bot.services.database.unit_of_work() as session:
        round_id = (await session.scalars(select(Round.id))).one()
    for data in (
        f"ra:{round_id}:0:11",
        f"ra:{round_id}:5:3",
        f"ra:{round_id + 1}:0:3",
        f"rv:{round_id}",
        f"rb:{round_id}:0",
        "ra:x:0:3",
    ):
        await bot.press_data(anna, question, data)
        assert (bot.answer_to_last_press() or {}).get("show_alert"), data
    for score in (5, 5, 5, 5, 5, 5, 5):
        await bot.press(anna, question, str(score))
    [too_long] = await bot.send(anna, anna, "x" * 5000)
    assert "5000 tekens" in too_long.text
    [review] = await bot.send(anna, anna, "<script>alert('hoi')</script> & 🙂")
    assert "<script>alert('hoi')</script> & 🙂" in review.text
    await bot.press(anna, review, "Insturen")
    await bot.press_data(anna, review, f"rv:{round_id}")
    assert "al geantwoord" in (bot.answer_to_last_press() or {})["text"]
    async with bot.services.database.unit_of_work() as session:
        assert (await tally_of(session, round_id)).respondents == 1


async def test_breakdown_by_level_when_both_groups_reach_k(bot: BotHarness, world: World) -> None:
    setup = await network_with_partners(bot, world, 7)
    announcement = await start_round(bot, setup.net.els, k="3")
    upper = ("Anna", "Chris", "Gijs")  # board and strategic
    for name, user in setup.partners.items():
        await answer(bot, user, announcement, [8] * 7 if name in upper else [4] * 7)
    await close_round(bot, setup.net.els, setup.net.group)
    await bot.dispatch()
    text = await all_results(bot, setup.partners["Anna"], setup.net.group)
    assert "Per groep" in text
    assert "Bestuurlijk & strategisch (3): Vertrouwen 8,0" in text
    assert "Tactisch & uitvoering (4): Vertrouwen 4,0" in text
    # Averages of 5.7 support adapting to each other; the advice names that form's risks.
    assert "Risico's van aanpassen: partners verwachten soms meer zeggenschap" in text
    # Kinds of organisation: municipality 2, housing 2, care, police and welfare 1: none shown.
    assert "Gemeente (" not in text and "Woningcorporatie (" not in text


async def test_audience_levels_and_logs_without_scores(
    bot: BotHarness, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    root_handlers = list(logging.getLogger().handlers)
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    try:
        await _answer_with_audience(bot, world, caplog)
    finally:
        logging.getLogger().handlers[:] = root_handlers
        for name in ("telegram", "httpx", "apscheduler"):
            logging.getLogger(name).setLevel(logging.NOTSET)


async def _answer_with_audience(
    bot: BotHarness, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    setup = await network_with_partners(bot, world, 5)
    els = setup.net.els
    [step] = await bot.send(els, els, "/round")
    await bot.press(els, step, "Netwerktoets")
    [problem] = await bot.send(els, els, "31 februari")
    assert "bestaat niet" in problem.text
    [problem] = await bot.send(els, els, "gisteren")
    assert "kon ik niet lezen" in problem.text
    [k_step] = await bot.send(els, els, "over 10 dagen")
    assert "Sluit:" in k_step.text
    await bot.press(els, k_step, "3")
    await bot.press(els, k_step, "Tactisch")
    await bot.press(els, k_step, "Uitvoering")
    await bot.press(els, k_step, "Uitvoering")  # toggled off again
    assert "✅ Tactisch" in str(k_step.reply_markup) and "✅ Uitvoering" not in str(
        k_step.reply_markup
    )
    await bot.press(els, k_step, "Volgende")
    assert "Uitgenodigd: tactisch" in k_step.text
    sent = await bot.press(els, k_step, "Start")
    [announcement] = [m for m in sent if m.chat_id == setup.net.group.id]
    [refused] = await bot.press(setup.partners["Anna"], announcement, "Antwoord")  # board level
    assert "daar hoor jij niet bij" in refused.text
    await answer(bot, setup.partners["Bram"], announcement, [9, 1, 9, 1, 9, 1, 9])
    await answer(bot, setup.partners["Eva"], announcement, [2, 8, 2, 8, 2, 8, 2])
    user_ids = {str(u.id) for u in setup.partners.values()}
    for record in caplog.records:
        message = record.getMessage()
        assert not ("ra:" in message and any(uid in message for uid in user_ids)), message


async def test_a_questionnaire_of_our_own(bot: BotHarness, world: World) -> None:
    setup = await network_with_partners(bot, world, 3)
    els = setup.net.els
    [ask] = await bot.send(els, els, "/questionnaire")
    assert "Hoe heet" in ask.text
    [items] = await bot.send(els, els, "Wijk <Noord> & Zuid")
    assert "Wijk &lt;Noord&gt; &amp; Zuid" in (items.html or "")
    [problem] = await bot.send(els, els, "alleen een vraag")
    assert "drie delen" in problem.text
    [problem] = await bot.send(els, els, "x" * 300 + " | nooit | altijd")
    assert "Te lang" in problem.text
    await bot.send(els, els, "Vinden we elkaar <snel>? | nooit | altijd")
    [added] = await bot.send(els, els, "Delen we signalen? | nooit | meteen")
    assert "Vraag 2 toegevoegd" in added.text
    await bot.press(els, added, "Klaar")
    assert "Opgeslagen" in added.text

    announcement = await start_round(bot, els, "Wijk <Noord> & Zuid", k="3")
    assert "Wijk <Noord> & Zuid" in announcement.text
    for user in setup.partners.values():
        [_, question] = await bot.press(user, announcement, "Antwoord")
        assert "Vinden we elkaar <snel>?" in question.text and "1 = nooit" in question.text
        await bot.press(user, question, "6")
        await bot.press(user, question, "8")
        await bot.press(user, question, "Overslaan")
        await bot.press(user, question, "Insturen")
    await close_round(bot, els, setup.net.group)
    await bot.dispatch()
    [results] = [m for m in world.bot_messages(setup.net.group) if "Uitkomsten" in (m.text or "")]
    assert "aaneenvlechten" not in results.text  # the advice belongs to the Netwerktoets
    text = await all_results(bot, els, setup.net.group)
    assert "1. Vinden we elkaar <snel>?: 6,0" in text
    assert "2. Delen we signalen?: 8,0" in text


async def test_a_second_process_cannot_open_the_same_round_twice(
    bot: BotHarness, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes handling a double tap both pass the 'already open?' check; the database
    lets only one round in, and the other tap gets the friendly refusal."""
    setup = await network_with_partners(bot, world, 3)
    els = setup.net.els
    await start_round(bot, els, k="3")

    async def nothing_open(*_: object) -> None:
        return None

    monkeypatch.setattr(rounds_store, "open_round", nothing_open)
    [step] = await bot.send(els, els, "/round")
    await bot.press(els, step, "Netwerktoets")
    await bot.press(els, step, "Over 7 dagen")
    await bot.press(els, step, "3")
    await bot.press(els, step, "Volgende")
    await bot.press(els, step, "Start")
    answered = bot.answer_to_last_press() or {}
    assert answered.get("show_alert") and "loopt al een ronde" in answered.get("text", "")
    async with bot.services.database.unit_of_work() as session:
        assert len((await session.scalars(select(Round))).all()) == 1


async def test_back_from_the_comment_after_resuming_goes_to_the_last_question(
    bot: BotHarness, world: World
) -> None:
    setup = await network_with_partners(bot, world, 5)
    announcement = await start_round(bot, setup.net.els)
    anna = setup.partners["Anna"]
    [_, question] = await bot.press(anna, announcement, "Antwoord")
    while "Wil je nog iets kwijt" not in question.text:
        await bot.press(anna, question, "7")
    total = question.text  # the comment screen
    # Later, from the group's button again: the same comment screen, and its Back works.
    [_, resumed] = await bot.press(anna, announcement, "Antwoord")
    assert "Wil je nog iets kwijt" in resumed.text and resumed.text == total
    await bot.press(anna, resumed, "◀ Terug")
    [heading, *_] = resumed.text.split("\n")
    assert heading.startswith("Vraag "), resumed.text  # a question again, not a refusal
    number, of = heading.removeprefix("Vraag ").split(" van ")
    assert number == of, heading  # the last one


async def test_close_asks_first_and_says_what_follows(bot: BotHarness, world: World) -> None:
    setup = await network_with_partners(bot, world, 3)
    els, group, anna = setup.net.els, setup.net.group, setup.partners["Anna"]
    announcement = await start_round(bot, els, k="3")
    await answer(bot, anna, announcement, [6] * 7)
    [question] = await bot.send(els, group, "/close")
    assert "1 van de 3 partners heeft geantwoord" in question.text
    assert "minder dan de 3 die nodig zijn" in question.text
    await bot.press(anna, question, "Nu sluiten")  # a partner cannot close it
    assert "Alleen coördinatoren" in (bot.answer_to_last_press() or {})["text"]
    await bot.press(els, question, "Open laten")
    assert "Geannuleerd" in question.text or "niets veranderd" in question.text
    async with bot.services.database.unit_of_work() as session:
        assert (await session.scalars(select(Round.state))).one() == "open"
    closing = await close_round(bot, els, group)
    assert "Minder dan 3 mensen antwoordden, dus de uitkomsten blijven verborgen" in closing.text
    assert "volgen zo" not in closing.text
    await bot.dispatch()
    async with bot.services.database.unit_of_work() as session:
        assert (await session.scalars(select(Round.state))).one() == "closed"
