"""The hostile corpus: every command the bot registers, in private and in the group, from an
outsider, a partner and a coordinator, with empty, huge and hostile arguments; forged data for
every kind of button; and at every step of every dialogue, input that is no answer to it.

Each case must get an answer Telegram accepts (a message, an edit or a pop-up), raise nothing,
and leave nothing stored wrongly: forged buttons change no row, and every dialogue still saves
exactly what it saved without the noise. Counts per part are printed with the results.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select
from telegram.ext import CommandHandler

from domain.callbacks import Cb
from fakebot.world import MEMBER, Chat, Message, User, World
from storage.models import Base, Conversation, SendBudget
from tests.e2e.test_dialogue_crashes import JOURNEYS, no_dialogue_left
from tests.e2e.test_rounds import network_with_partners, start_round
from tests.harness import BotHarness
from views.commands import COMMANDS

ARGUMENTS = [
    "",
    "x" * 4000,
    "<b>vet</b> & </code> <a href='javascript:alert(1)'>klik</a>",
    "a\x00b\x00c",
    "\u202e\u200b🙂\ufeff" * 40,
    "'; DROP TABLE person; --",
    "{n} {0} {network} %s %(x)s",
    "99999999999999999999999999",
    "-1",
    "31-12-9999",
    "@nobody_here",
    "j_99999999999999999999",  # deep-link payloads: a join and an answer link, forged
    "a_\x00" + "z" * 60,
]

FORGED_ARGUMENTS = [
    "",
    ":",
    ":99999999999999999999",
    ":-1",
    ":0",
    ":abc",
    ":0:0:0:0:0:0:0:0:0",
    ":2147483648:2147483648",
]

# Never an answer to any dialogue step: too long for every field (the longest takes 3,000
# characters), a command that does not exist, a photo, and buttons the bot did not make.
NOISE_TEXTS = ["y" * 4096, "<i>" * 1365, "\x00" * 4096, "/bestaatniet"]


def arguments_for(index: int) -> list[str]:
    """The bare command and two hostile arguments, turning through the corpus: the six
    combinations of role and chat give each command all of them."""
    hostile = ARGUMENTS[1:]
    return ["", hostile[(2 * index) % len(hostile)], hostile[(2 * index + 1) % len(hostile)]]


def counts_table(title: str, counts: Counter[str]) -> str:
    width = max(len(key) for key in counts)
    lines = [f"{title}:"] + [f"  {key:<{width}}  {value:>5}" for key, value in counts.items()]
    return "\n".join(lines)


Recorder = Callable[[str, object], None]


def report(record_property: Recorder, title: str, counts: Counter[str]) -> None:
    """Counts for the run's summary (tests/conftest.py prints them, also from xdist workers)."""
    record_property("corpus counts", counts_table(title, counts))


def registered_commands(bot: BotHarness) -> list[str]:
    """One name per command handler: a command's Dutch and English names reach the same
    callback (tests/e2e/test_commands_and_menus.py proves it), so one of them is tried."""
    names: set[str] = set()
    for group in bot.application.handlers.values():
        for handler in group:
            if isinstance(handler, CommandHandler):
                english = set(handler.commands) & DECLARED
                names.add(min(english or handler.commands))
    return sorted(names)


DECLARED = frozenset(command.name for command in COMMANDS)


def answered(bot: BotHarness, before: int, user: User, chat: Chat) -> bool:
    """Whether the bot said something to user's private chat or to chat since before."""
    targets = {chat.id, bot.world.private_chat(user).id}
    return any(m.chat_id in targets for m in bot.world.sent_log[before:])


async def snapshot(bot: BotHarness) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table but the dialogues' own (a forged press may end a dialogue) and
    the sending budget (it moves with every answer sent)."""
    rows: dict[str, list[tuple[object, ...]]] = {}
    async with bot.services.database.unit_of_work() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in (Conversation.__tablename__, SendBudget.__tablename__):
                continue
            result = await session.execute(select(table))
            rows[table.name] = sorted((tuple(map(repr, row)) for row in result), key=repr)
    return rows


async def busy_network(bot: BotHarness, world: World) -> tuple[User, User, User, Chat]:
    """A network with an open round: coordinator Els, partner Anna, and Mallory, who is in the
    group but never joined."""
    bot.lift_group_limit()
    setup = await network_with_partners(bot, world, 3)
    els, group = setup.net.els, setup.net.group
    await start_round(bot, els, k="3")
    mallory = world.user("Mallory")
    group.members[mallory.id] = MEMBER
    await bot.send(mallory, mallory, "/start")
    return els, setup.partners["Anna"], mallory, group


async def test_every_command_everywhere_by_everyone_gets_an_answer(
    bot: BotHarness, world: World, record_property: Recorder
) -> None:
    els, anna, mallory, group = await busy_network(bot, world)
    commands = registered_commands(bot)
    assert len(commands) > 30
    counts: Counter[str] = Counter()
    silent: list[str] = []
    people = {"outsider": mallory, "partner": anna, "coordinator": els}
    for command in commands:
        combinations = [(r, p) for r in people for p in ("private", "group")]
        for index, (role, place) in enumerate(combinations):
            person = people[role]
            chat = group if place == "group" else world.private_chat(person)
            for argument in arguments_for(index):
                typed = f"/{command} {argument}".strip()
                before = bot.world.sent_count
                await bot.send(person, chat, typed)
                counts[f"{place}, {role}"] += 1
                if not answered(bot, before, person, chat):
                    silent.append(f"{role} in {place}: {typed[:60]!r}")
    counts["commands registered"] = len(commands)
    counts["unanswered"] = len(silent)
    report(record_property, "hostile commands", counts)
    assert silent == [], "\n".join(silent)
    await bot.send(els, els, "/cancel")


def forged_data(index: int) -> Iterator[str]:
    """Every kind of button with four forged arguments, turning through them: the three
    people of the test give each kind all of them."""
    for prefix in Cb:
        for turn in range(4):
            argument = FORGED_ARGUMENTS[(4 * index + turn) % len(FORGED_ARGUMENTS)]
            yield f"{prefix.value}{argument}"
    yield from ("", "x" * 64, "é" * 32, "ra:1:0:5:" + "9" * 40)


def planted(message: Message, data: str) -> Message:
    """message as a client would show it with a button carrying data: a button the bot made
    long ago, replayed after what it pointed at has changed, as handlers must expect."""
    message.reply_markup = {"inline_keyboard": [[{"text": "?", "callback_data": data}]]}
    return message


def press_answered(bot: BotHarness, before: int, edits: int, user: User, message: Message) -> bool:
    """Whether a press got a visible answer: a pop-up text, an edit or a new message."""
    return bool(
        (bot.answer_to_last_press() or {}).get("text")
        or message.edits > edits
        or any(m.chat_id in {message.chat_id, user.id} for m in bot.world.sent_log[before:])
    )


# A planted 'Yes, delete' is a real confirmation: it deletes the one who presses it.
PLANTED_SKIP = {Cb.FORGET_CONFIRM}


@pytest.mark.parametrize("mode", ["forged", "planted"])
async def test_forged_buttons_of_every_kind_change_nothing_and_get_an_answer(
    bot: BotHarness, world: World, record_property: Recorder, mode: str
) -> None:
    els, anna, mallory, group = await busy_network(bot, world)
    [announcement] = [m for m in world.bot_messages(group) if m.buttons()][-1:]
    markup = dict(announcement.reply_markup or {})
    before = await snapshot(bot)
    counts: Counter[str] = Counter()
    unanswered: list[str] = []
    people = {"outsider": mallory, "partner": anna, "coordinator": els}
    for index, (role, person) in enumerate(people.items()):
        [hello] = await bot.send(person, person, "/start")
        for number, data in enumerate(forged_data(index)):
            if mode == "planted" and (not data or data.split(":")[0] in PLANTED_SKIP):
                continue  # Telegram takes no button with empty data
            # Under a private message and under the group's announcement, by turns.
            message = (hello, announcement)[number % 2]
            if mode == "planted":
                message = planted(message, data)
            sent, edits = bot.world.sent_count, message.edits
            await bot.press_data(person, message, data)
            counts[role] += 1
            if not press_answered(bot, sent, edits, person, message):
                unanswered.append(f"{role}: {data!r} {bot.answer_to_last_press()}")
    announcement.reply_markup = markup
    counts["unanswered"] = len(unanswered)
    report(record_property, f"{mode} buttons", counts)
    assert unanswered == [], "\n".join(unanswered)
    assert await snapshot(bot) == before


@pytest.mark.parametrize("name", list(JOURNEYS))
async def test_noise_at_every_dialogue_step_is_answered_and_changes_nothing(
    bot: BotHarness, world: World, name: str
) -> None:
    journey = await JOURNEYS[name](bot, world)
    person = journey.person
    step = 0
    for act in journey.acts:
        await act.do()
        async with bot.services.database.unit_of_work() as session:
            talking = await session.scalar(
                select(Conversation).where(Conversation.person_id == person.id)
            )
        if talking is None:
            continue  # the journey's last act ended the dialogue
        step += 1
        shown = bot.world.last_bot_message(person)
        for noise in NOISE_TEXTS:
            before = bot.world.sent_count
            await bot.send(person, person, noise)
            assert answered(bot, before, person, world.private_chat(person)), (step, noise[:9])
        before = bot.world.sent_count
        await bot.act(world.send_photo(person, world.private_chat(person)))
        assert answered(bot, before, person, world.private_chat(person)), (step, "photo")
        for data in (f"{talking.kind}:x", "ws:99999999999999", "rq:-1"):
            await bot.press_data(person, shown, data)
            assert (bot.answer_to_last_press() or {}).get("text"), (step, data)
        async with bot.services.database.unit_of_work() as session:
            still = await session.scalar(
                select(Conversation).where(Conversation.person_id == person.id)
            )
        assert still is not None and (still.kind, still.step) == (talking.kind, talking.step)
    assert step > 0
    await journey.check()
    await no_dialogue_left(bot)
