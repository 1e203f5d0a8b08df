"""The attack suite: real rounds in small, uneven networks, then everything a database reader, a
group member or a coordinator could use to find out who scored what, tried on both databases.

- Linkage: what one submit changes in the whole database (nothing to pair by row, order or
  time), and what is left once the round published (nothing about who answered).
- Subtraction: every number published about a round, in every place it is shown, parsed back
  and searched for a combination that gives the scores of fewer than k people.
- One answer per person, also after /forgetme; k fixed at the start; a warning before a round
  that cannot reach k.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url

from domain.anonymity import KIND, LEVEL, Breakdown, group_for, level_group
from domain.callbacks import Cb, pack
from domain.questionnaires import BUILTIN, NETWERKTOETS
from fakebot.world import Message, User, World
from storage.models import Base, Outgoing, Round, RoundTally, RoundVoter
from tests.e2e.test_rounds import all_results, answer, close_round, start_round
from tests.e2e.test_setup_and_join import Net, join, set_up_network
from tests.harness import BotHarness
from tests.unit.test_anonymity import _isolated_sets
from views import rounds as view

# The network: three housing partners, one care provider, the police and welfare.
PEOPLE = [
    # name, organisation, kind (new organisations only), level, kind key, level key
    ("Anna", "Portaal", "Woningcorporatie", "Bestuurlijk", "housing", "board"),
    ("Bram", "Portaal", None, "Tactisch", "housing", "tactical"),
    ("Hanna", "Mitros", "Woningcorporatie", "Bestuurlijk", "housing", "board"),
    ("Dewi", "Zorggroep Eemland", "Zorgaanbieder", "Uitvoering", "care", "operational"),
    ("Eva", "Politie Midden", "Politie", "Tactisch", "police", "tactical"),
    ("Fatima", "Welzijn Eemland", "Welzijnsorganisatie", "Bestuurlijk", "welfare", "board"),
]
ITEMS = [item.key for item in BUILTIN[NETWERKTOETS].items]
# Trust: housing 8, 8, 8, care 2, police and welfare "don't know" (4 × 6.5 − 3 × 8 = 2).
SCORES: dict[str, list[int | str]] = {
    "Anna": [8, 7, 6, 5, 7, 8, 6],
    "Bram": [8, 4, 5, 4, 6, 5, 4],
    "Hanna": [8, 8, 7, 9, 8, 9, 7],
    "Dewi": [2, 6, 5, 4, 5, 6, 5],
    "Eva": ["dk", 7, 6, 5, 6, 7, 6],
    "Fatima": ["dk", 9, 8, 7, 8, 9, 9],
}


async def six_partners(bot: BotHarness, world: World) -> tuple[Net, dict[str, User]]:
    users = {name: world.user(name) for name, *_ in PEOPLE}
    net = await set_up_network(bot, world, *users.values())
    for name, organisation, kind, level, *_ in PEOPLE:
        await join(bot, net, users[name], organisation, level, kind)
    await bot.send(net.els, net.els, "/start")
    return net, users


async def dump(bot: BotHarness) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every table, as a database reader would see it."""
    found: dict[str, set[tuple[Any, ...]]] = {}
    async with bot.services.database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = await connection.execute(select(table))
            found[table.name] = {
                tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict | list) else v for v in r)
                for r in rows
            }
    return found


async def submit_with_dump(
    bot: BotHarness, user: User, announcement: Message, scores: list[int | str], comment: str
) -> tuple[dict[str, set[tuple[Any, ...]]], dict[str, set[tuple[Any, ...]]]]:
    """user answers up to the review; the database right before and right after Submit."""
    [_, question] = await bot.press(user, announcement, "Antwoord")
    for score in scores:
        await bot.press(user, question, "Weet ik niet" if score == "dk" else str(score))
    [review] = await bot.send(user, user, comment)
    before = await dump(bot)
    await bot.press(user, review, "Insturen")
    return before, await dump(bot)


def _sqlite_bytes(bot: BotHarness) -> bytes:
    path = Path(make_url(bot.services.database.url).database or "")
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal")]
    return b"".join(f.read_bytes() for f in files if f.exists())


async def test_a_database_reader_cannot_pair_people_with_scores(
    bot: BotHarness, world: World
) -> None:
    net, users = await six_partners(bot, world)
    announcement = await start_round(bot, net.els, k="3")
    ids = {u.id for u in users.values()}
    for number, name in enumerate(("Anna", "Bram", "Hanna", "Dewi", "Eva")):
        before, after = await submit_with_dump(
            bot, users[name], announcement, SCORES[name], f"gedeelde-opmerking-{number}"
        )
        changed = {table for table in before if before[table] != after[table]}
        # The draft goes, a hash joins the voters, the one tally row is rewritten: nothing
        # else, so no row of this submit exists to pair with anything by order, and no time
        # is written anywhere. (On PostgreSQL the sending budget moves with every message the
        # bot sends, here the thanks: its one row holds the next turn, and no chat, no person.)
        assert changed - {"send_budget"} == {"draft", "round_voter", "round_tally"}, changed
        assert all(name == "telegram" for name, _moment in after["send_budget"])
        assert len(after["round_tally"]) == 1 and len(after["draft"]) == 0
        [(_, voter)] = after["round_voter"] - before["round_voter"]
        assert len(voter) == 64 and not any(str(i) in voter for i in ids)
        [(_, data)] = after["round_tally"]
        assert set(json.loads(data)) == {"overall", "groups", "stopped", "comments"}
    # Thirteen days on, Fatima (who has not answered) is reminded; then the round closes.
    bot.advance(days=13)
    await bot.dispatch()
    assert any("sluit" in (m.text or "") for m in world.bot_messages(users["Fatima"]))
    async with bot.services.database.unit_of_work() as session:
        reminders = await session.scalars(select(Outgoing).where(Outgoing.kind == "round_reminder"))
        assert [r.person_id for r in reminders] == [users["Fatima"].id]
    await close_round(bot, net.els, net.group)
    await bot.dispatch()
    results = [m for m in world.bot_messages(net.group) if "Uitkomsten:" in (m.text or "")]
    assert len(results) == 1
    assert "gedeelde-opmerking-0" in await all_results(bot, users["Fatima"], net.group)
    async with bot.services.database.unit_of_work() as session:
        round_ = (await session.scalars(select(Round))).one()
        assert round_.result is not None and round_.voter_salt is None
        for model in (RoundVoter, RoundTally):
            assert (await session.scalars(select(model))).all() == []
        assert (
            await session.scalars(select(Outgoing).where(Outgoing.kind == "round_reminder"))
        ).all() == []
    # Five comments with comment threshold k + 2 = 5 were shown; now a round whose comments
    # stay below the threshold: they must be gone from the database, down to its bytes.
    after_close = await dump(bot)
    published = json.dumps(sorted(after_close["round"], key=str), default=str)
    for user in users.values():
        assert user.first_name not in published
    if bot.services.database.is_sqlite:
        raw = _sqlite_bytes(bot)
        assert b"gedeelde-opmerking-0" in raw  # shown in the results, so kept in the result
    second = await start_round(bot, net.els, k="3")
    for number, name in enumerate(("Anna", "Bram", "Dewi")):
        await answer(bot, users[name], second, SCORES[name], f"verborgen-{number}")
    await close_round(bot, net.els, net.group)
    await bot.dispatch()
    latest = [m for m in world.bot_messages(net.group) if "Uitkomsten:" in (m.text or "")][-1]
    details = await all_results(bot, users["Anna"], net.group)
    assert "verborgen-" not in latest.text + details and "3 opmerkingen" in details
    text_everywhere = json.dumps({k: sorted(map(str, v)) for k, v in (await dump(bot)).items()})
    assert "verborgen-" not in text_everywhere
    if bot.services.database.is_sqlite:
        assert b"verborgen-" not in _sqlite_bytes(bot)


# --- the subtraction attack on everything published ---------------------------------------------

ITEM_LINE = re.compile(r"^(\d+)\. (.+?): (\d+\.\d)")
GROUP_LINE = re.compile(r"^• (.+?) \((\d+)\): (.*)$")


def published_sums(text: str, breakdown: Breakdown) -> dict[str, list[tuple[str, str]]]:
    """From a results message: per item, the sets whose sums it gives away, as (dimension,
    group) with ("all", "") for the total."""
    questionnaire = BUILTIN[NETWERKTOETS]
    labels = {view.label("nl", questionnaire, item): item.key for item in questionnaire.items}
    titles = {
        view.group_title("nl", dimension, name): (dimension, name)
        for dimension in (LEVEL, KIND)
        for name in breakdown.groups(dimension)
    }
    sums: dict[str, list[tuple[str, str]]] = {key: [] for key in ITEMS}
    for line in text.splitlines():
        if item := ITEM_LINE.match(line):
            sums[labels[item.group(2)]].append(("all", ""))
        elif group := GROUP_LINE.match(line):
            target = titles[group.group(1)]
            for part in group.group(3).split(", "):
                label = part.rsplit(" ", 1)[0]
                if label in labels:
                    sums[labels[label]].append(target)
    return sums


async def test_no_published_number_gives_away_a_small_group(bot: BotHarness, world: World) -> None:
    net, users = await six_partners(bot, world)
    announcement = await start_round(bot, net.els, k="3")
    for name, user in users.items():
        await answer(bot, user, announcement, SCORES[name])
    await close_round(bot, net.els, net.group)
    await bot.dispatch()
    [headline] = [m for m in world.bot_messages(net.group) if "Uitkomsten:" in (m.text or "")]
    text = await all_results(bot, net.els, net.group)
    assert "Vertrouwen: 6,5" in text and "2 keer weet niet" in text
    again = await bot.send(net.els, net.group, "/results")
    again_details = await bot.send(net.els, net.group, "/results alles")
    [choice] = await bot.send(net.els, net.els, "/results")
    private = await bot.press(net.els, choice, "Netwerktoets")
    private_details = await all_results(bot, net.els, net.els)
    # The same numbers wherever and whenever they are shown: nothing to subtract between them.
    assert again[0].text == headline.text and private[0].text == headline.text
    assert "\n".join(m.text or "" for m in again_details) == text == private_details
    async with bot.services.database.unit_of_work() as session:
        round_ = (await session.scalars(select(Round))).one()
        breakdown = Breakdown.from_json(round_.breakdown)
    sums = published_sums(text, breakdown)
    assert ("type", "housing") not in sums["trust"]
    for index, key in enumerate(ITEMS):
        scorers = [
            (level, kind) for name, _, _, _, kind, level in PEOPLE if SCORES[name][index] != "dk"
        ]
        rows = []
        for dimension, name in sums[key]:
            members = set()
            for i, (level, kind) in enumerate(scorers):
                if (
                    dimension == "all"
                    or (dimension == LEVEL and level_group(level) == name)
                    or (dimension == KIND and group_for(breakdown, KIND, kind) == name)
                ):
                    members.add(i)
            rows.append(members)
        assert _isolated_sets(scorers, rows, 3) == [], (key, sums[key])
    # The summary and the export show the round's total numbers only, the same ones.
    summary = await bot.send(net.els, net.els, "/summary")
    assert any("6,5" in (m.text or "") for m in summary)
    files = await bot.send(net.els, net.els, "/export")
    [rounds_csv] = [
        m.document[1].decode("utf-8-sig")
        for m in files
        if m.document is not None and m.document[0].endswith("-rounds.csv")
    ]
    assert "6,50" in rounds_csv  # a Dutch CSV: decimal comma
    assert "Woningcorporatie" not in rounds_csv and "housing" not in rounds_csv


# --- one answer each, fixed rules, warnings -----------------------------------------------------


async def test_forgetme_and_joining_again_does_not_give_a_second_answer(
    bot: BotHarness, world: World
) -> None:
    net, users = await six_partners(bot, world)
    announcement = await start_round(bot, net.els, k="3")
    anna = users["Anna"]
    await answer(bot, anna, announcement, SCORES["Anna"], "eerste keer")
    [mine] = await bot.send(anna, anna, "/mydata")
    assert "Rondes die je hebt beantwoord" in mine.text and "Netwerktoets" in mine.text
    [confirm] = await bot.send(anna, anna, "/forgetme")
    await bot.press(anna, confirm, "Ja, wissen")
    await join(bot, net, anna, "Portaal", "Bestuurlijk")
    await bot.press(anna, announcement, "Antwoord")
    assert "al geantwoord" in world.last_bot_message(anna).text
    async with bot.services.database.unit_of_work() as session:
        round_ = (await session.scalars(select(Round))).one()
        row = await session.get(RoundTally, round_.id)
        assert row is not None and row.data["overall"]["n"] == 1


async def test_mydata_shows_an_open_draft_and_forgetme_deletes_it(
    bot: BotHarness, world: World
) -> None:
    net, users = await six_partners(bot, world)
    announcement = await start_round(bot, net.els, k="3")
    bram = users["Bram"]
    [_, question] = await bot.press(bram, announcement, "Antwoord")
    await bot.press(bram, question, "7")
    await bot.press(bram, question, "6")
    [mine] = await bot.send(bram, bram, "/mydata")
    assert "Onafgemaakte antwoorden" in mine.text and "2 van de 7 vragen" in mine.text
    [confirm] = await bot.send(bram, bram, "/forgetme")
    await bot.press(bram, confirm, "Ja, wissen")
    assert any(table == set() for name, table in (await dump(bot)).items() if name == "draft")


async def test_k_cannot_change_once_the_round_has_started(bot: BotHarness, world: World) -> None:
    net, _ = await six_partners(bot, world)
    await start_round(bot, net.els, k="3")
    step = world.last_bot_message(net.els)
    await bot.press_data(net.els, step, pack(Cb.ROUND_K, 7))
    assert (bot.answer_to_last_press() or {}).get("show_alert")
    async with bot.services.database.unit_of_work() as session:
        round_ = (await session.scalars(select(Round))).one()
        assert round_.k == 3 and round_.comment_k == 5


async def test_the_coordinator_sees_the_breakdowns_and_a_warning_before_starting(
    bot: BotHarness, world: World
) -> None:
    net, _ = await six_partners(bot, world)
    [step] = await bot.send(net.els, net.els, "/round")
    await bot.press(net.els, step, "Netwerktoets")
    await bot.press(net.els, step, "Over 14 dagen")
    await bot.press(net.els, step, "7")
    await bot.press(net.els, step, "Volgende")
    assert "Nu zijn 6 partners uitgenodigd" in step.text
    assert "⚠️" in step.text and "Uitsplitsingen: geen" in step.text
    await bot.press(net.els, step, "Annuleren")
    [step] = await bot.send(net.els, net.els, "/round")
    await bot.press(net.els, step, "Netwerktoets")
    await bot.press(net.els, step, "Over 14 dagen")
    await bot.press(net.els, step, "3")
    await bot.press(net.els, step, "Volgende")
    assert "⚠️" not in step.text
    assert "naar niveau" in step.text and "Woningcorporatie" in step.text
    assert "overige soorten samen" in step.text


async def test_the_comment_threshold_is_a_network_setting_fixed_at_each_start(
    bot: BotHarness, world: World
) -> None:
    net, _ = await six_partners(bot, world)
    for wrong in ("2", "51", "abc", "", "9" * 400, "<b>7</b>"):
        [refusal] = await bot.send(net.els, net.group, f"/setup opmerkingen {wrong}")
        assert "/instellen opmerkingen 7" in refusal.text, wrong
    [settings] = await bot.send(net.els, net.group, "/setup opmerkingen 4")
    assert "Opmerkingen worden getoond vanaf 4 schrijvers" in settings.text
    await start_round(bot, net.els, k="3")
    await bot.send(net.els, net.group, "/setup opmerkingen standaard")
    async with bot.services.database.unit_of_work() as session:
        round_ = (await session.scalars(select(Round))).one()
        assert round_.comment_k == 4  # fixed when the round started
