"""The durable outgoing queue: due work is sent once, survives downtime and crashes, and every
refusal by Telegram ends in the right state without stopping the dispatcher."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.ext import ExtBot

from bot import sending_budget
from domain.clock import ManualClock
from fakebot.limits import StrictLimits
from fakebot.server import FakeBotApi
from fakebot.spec import ApiError
from fakebot.world import BOT_ID, MEMBER, User, World
from schedules.dispatcher import Dispatcher
from schedules.outbox import RenderContext, Rendered, State, enqueue
from schedules.pacing import LocalBudget, TelegramPacer
from schedules.transport import AiohttpRequest
from storage.db import Database
from storage.models import Network, Outgoing, Person
from tests.harness import BotHarness


async def render_note(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """Test renderer: the payload's text, or nothing when the payload says it is obsolete."""
    if item.payload.get("obsolete"):
        return None
    return Rendered(str(item.payload["text"]))


RENDERERS = {"note": render_note}


def dispatcher(
    bot: BotHarness,
    *,
    telegram: Bot | None = None,
    database: Database | None = None,
    **kwargs: object,
) -> Dispatcher:
    return Dispatcher(
        database or bot.services.database,
        telegram or bot.application.bot,
        bot.clock,
        RENDERERS,
        **kwargs,  # type: ignore[arg-type]
    )


async def started_user(bot: BotHarness, world: World, name: str = "Anna") -> User:
    user = world.user(name)
    await bot.send(user, user, "/start")
    return user


async def queue(
    bot: BotHarness, user: User, text: str, *, minutes: float = 0, **kwargs: object
) -> None:
    async with bot.services.database.unit_of_work() as session:
        await enqueue(
            session,
            kind="note",
            chat_id=user.id,
            person_id=user.id,
            due_at=bot.clock.now() + dt.timedelta(minutes=minutes),
            payload={"text": text, **kwargs},
        )


async def rows(bot: BotHarness) -> list[Outgoing]:
    async with bot.services.database.unit_of_work() as session:
        return list(await session.scalars(select(Outgoing).order_by(Outgoing.id)))


def texts(world: World, user: User) -> list[str]:
    return [m.text or "" for m in world.bot_messages(user)][1:]  # after the /start answer


async def test_due_rows_are_sent_once_and_later_rows_wait(bot: BotHarness, world: World) -> None:
    anna = await started_user(bot, world)
    await queue(bot, anna, "nu")
    await queue(bot, anna, "over een uur", minutes=60)
    first = await dispatcher(bot).run_once()
    assert first.outcomes == {"sent": 1}
    assert texts(world, anna) == ["nu"]
    assert (await dispatcher(bot).run_once()).claimed == 0
    bot.advance(minutes=61)
    await dispatcher(bot).run_once()
    assert texts(world, anna) == ["nu", "over een uur"]
    assert [r.state for r in await rows(bot)] == [State.SENT, State.SENT]


async def test_work_due_during_downtime_is_sent_once_after_restart(
    bot: BotHarness, world: World
) -> None:
    els = world.user("Els")
    group = world.group("Netwerk", admins=[els])
    await bot.add_bot(group, by=els)
    await bot.send(els, group, "/setup")
    await bot.send(els, els, "/start")
    async with bot.services.database.unit_of_work() as session:
        network = (await session.scalars(select(Network))).one()
        await enqueue(
            session,
            kind="coordinator_appointed",
            chat_id=els.id,
            person_id=els.id,
            network_id=network.id,
            due_at=bot.clock.now() + dt.timedelta(minutes=30),
            payload={"network_id": network.id},
        )
    await bot.stop()
    bot.advance(hours=5)  # the bot was down when the row fell due
    await bot.start(dispatch_on_start=True)  # as in production
    notes = lambda: [m for m in world.bot_messages(els) if "coördinator van" in (m.text or "")]  # noqa: E731
    for _ in range(250):
        if notes():
            break
        await asyncio.sleep(0.02)
    bot.check_failures()
    assert len(notes()) == 1
    await bot.restart()
    await bot.dispatch()
    assert len(notes()) == 1


async def test_two_dispatchers_on_one_database_send_each_of_1000_rows_exactly_once(
    bot: BotHarness, world: World, database_url: str
) -> None:
    # More chats than one batch holds: a chat another dispatcher is sending to stays with it.
    users = [await started_user(bot, world, f"Partner {i}") for i in range(100)]
    async with bot.services.database.unit_of_work() as session:
        for i in range(1000):
            user = users[i % len(users)]
            await enqueue(
                session,
                kind="note",
                chat_id=user.id,
                person_id=user.id,
                due_at=bot.clock.now(),
                payload={"text": f"bericht {i}"},
            )
    # Two processes: each its own engine (connection pool) and its own Telegram client.
    base = f"{bot.api.base_url}/bot"
    second_db = Database(database_url)
    async with Bot(bot.api.token, base_url=base) as one, Bot(bot.api.token, base_url=base) as two:
        first = dispatcher(bot, telegram=one, batch_size=50, name="one")
        second = dispatcher(bot, telegram=two, database=second_db, batch_size=50, name="two")
        reports = await asyncio.gather(first.run_until_idle(), second.run_until_idle())
    await second_db.dispose()
    sent = Counter(m.text for m in world.sent_log if (m.text or "").startswith("bericht "))
    assert len(sent) == 1000 and set(sent.values()) == {1}
    assert sum(r.claimed for r in reports) == 1000
    assert all(r.claimed > 0 for r in reports), "both dispatchers should have taken part"
    assert {r.state for r in await rows(bot)} == {State.SENT}


async def test_rate_limit_is_honoured_and_never_retried_early(
    bot: BotHarness, world: World
) -> None:
    anna = await started_user(bot, world)
    await queue(bot, anna, "na de pauze")
    world.inject("sendMessage", ApiError(429, "Too Many Requests: retry after 1", retry_after=1))
    sender = dispatcher(bot)
    assert (await sender.run_once()).outcomes == {"retry": 1}  # back in the queue, not in memory
    bot.advance(seconds=1)
    assert (await sender.run_once()).outcomes == {"sent": 1}
    attempts = [
        at
        for at, method, values in world.calls
        if method == "sendMessage"
        and values.get("chat_id") == anna.id
        and values["text"] == "na de pauze"
    ]
    assert len(attempts) == 2
    assert attempts[1] - attempts[0] >= 1.0
    assert texts(world, anna) == ["na de pauze"]


async def test_a_burst_stays_within_a_strict_telegrams_limits_without_a_single_429(
    database_url: str, clock: ManualClock
) -> None:
    """A strict Telegram counts any one second (not a leaky bucket the bot's limiter could
    share a model with): 150 messages due at once, to 70 private chats and three groups, go
    out without one refusal, each chat's a second apart."""
    limits = StrictLimits()
    api = FakeBotApi(World(), limits=limits)
    await api.start()
    world = api.world
    bot = BotHarness(api, database_url, clock, chat_send_interval_seconds=1.0)
    await bot.start()
    try:
        people = [await started_user(bot, world, f"Partner {n}") for n in range(70)]
        groups = [world.group(f"Netwerk {n}", admins=[world.user(f"Beheer {n}")]) for n in range(3)]
        for group in groups:
            group.members[BOT_ID] = MEMBER
        for round_number in range(2):
            for person in people:
                await queue(bot, person, f"bericht {round_number}")
        async with bot.services.database.unit_of_work() as session:
            for group in groups:
                for number in range(3):
                    await enqueue(
                        session,
                        kind="note",
                        chat_id=group.id,
                        due_at=bot.clock.now(),
                        payload={"text": f"groep {number}"},
                    )
        before = limits.accepted
        report = await dispatcher(bot).run_until_idle()
        assert report.outcomes == {"sent": 149}
        assert (limits.refused, limits.accepted - before) == (0, 149)
        for person in people:
            assert texts(world, person) == ["bericht 0", "bericht 1"]
            first, second = (
                at
                for at, method, values in world.calls
                if method == "sendMessage"
                and values.get("chat_id") == person.id
                and values["text"].startswith("bericht")
            )
            assert second - first >= 1.0
    finally:
        await bot.stop()
        await api.stop()


async def test_rate_limit_beyond_the_limiters_retries_is_rescheduled(
    bot: BotHarness, world: World
) -> None:
    anna = await started_user(bot, world)
    await queue(bot, anna, "later")
    world.inject("sendMessage", ApiError(429, "Too Many Requests: retry after 30", retry_after=30))
    # Without the rate limiter the 429 reaches the dispatcher, as when the limiter gives up.
    telegram = Bot(bot.api.token, base_url=f"{bot.api.base_url}/bot")
    async with telegram:
        report = await dispatcher(bot, telegram=telegram).run_once()
    assert report.outcomes == {"retry": 1}
    [row] = await rows(bot)
    assert row.state == State.PENDING
    assert row.due_at >= bot.clock.now() + dt.timedelta(seconds=30)
    assert row.attempts == 0  # a rate limit is not a failed attempt
    bot.advance(seconds=31)
    await dispatcher(bot).run_once()
    assert texts(world, anna) == ["later"]


async def test_a_blocked_user_is_marked_and_skipped_without_stopping_the_rest(
    bot: BotHarness, world: World
) -> None:
    anna = await started_user(bot, world, "Anna")
    bram = await started_user(bot, world, "Bram")
    await queue(bot, anna, "voor Anna")
    await queue(bot, bram, "voor Bram")
    anna.blocked = True  # blocked without the bot noticing yet
    report = await dispatcher(bot).run_once()
    assert report.outcomes == {"undeliverable": 1, "sent": 1}
    assert texts(world, bram) == ["voor Bram"]
    async with bot.services.database.unit_of_work() as session:
        person = await session.get(Person, anna.id)
        assert person is not None and person.reachable is False
    states = {r.payload["text"]: r.state for r in await rows(bot)}
    assert states == {"voor Anna": State.UNDELIVERABLE, "voor Bram": State.SENT}
    world.rejections.clear()  # the fake noted the 403: expected here


async def test_blocking_in_telegram_marks_the_person_unreachable_and_start_again_restores(
    bot: BotHarness, world: World
) -> None:
    anna = await started_user(bot, world)
    await bot.act(world.block_bot(anna))
    async with bot.services.database.unit_of_work() as session:
        assert (await session.get(Person, anna.id)).reachable is False  # type: ignore[union-attr]
    await bot.send(anna, anna, "/start")
    async with bot.services.database.unit_of_work() as session:
        assert (await session.get(Person, anna.id)).reachable is True  # type: ignore[union-attr]


async def test_network_errors_are_retried_with_backoff(bot: BotHarness, world: World) -> None:
    anna = await started_user(bot, world)
    await queue(bot, anna, "volhouden")
    world.inject("sendMessage", ApiError(502, "Bad Gateway"))
    report = await dispatcher(bot).run_once()
    assert report.outcomes == {"retry": 1}
    [row] = await rows(bot)
    assert row.state == State.PENDING and row.attempts == 1
    assert row.due_at == bot.clock.now() + dt.timedelta(seconds=10)
    assert (await dispatcher(bot).run_once()).claimed == 0  # not before the backoff
    bot.advance(seconds=10)
    await dispatcher(bot).run_once()
    assert texts(world, anna) == ["volhouden"]
    world.rejections.clear()


async def test_a_crash_between_claim_and_send_is_recovered_after_the_lease(
    bot: BotHarness, world: World
) -> None:
    anna = await started_user(bot, world)
    await queue(bot, anna, "niet verloren")
    crashed = dispatcher(bot, name="crashed", lease=dt.timedelta(minutes=5))
    claimed = await crashed._claim()  # claims, then the process dies before sending
    assert len(claimed) == 1
    survivor = dispatcher(bot, name="survivor")
    assert (await survivor.run_once()).claimed == 0  # the lease still holds
    bot.advance(minutes=6)
    assert (await survivor.run_once()).outcomes == {"sent": 1}
    assert texts(world, anna) == ["niet verloren"]


async def test_rejected_and_obsolete_rows_end_without_retrying(
    bot: BotHarness, world: World
) -> None:
    anna = await started_user(bot, world)
    await queue(bot, anna, "<b>kapot")  # HTML Telegram cannot parse: a bug, not worth retrying
    await queue(bot, anna, "achterhaald", obsolete=True)
    await queue(bot, anna, "x" * 5000)
    report = await dispatcher(bot).run_once()
    assert report.outcomes == {"failed": 2, "skipped": 1}
    assert texts(world, anna) == []
    assert len(world.rejections) == 2
    world.rejections.clear()


async def test_a_queued_group_message_follows_a_migration_it_did_not_see(
    bot: BotHarness, world: World
) -> None:
    els = world.user("Els")
    group = world.group("Netwerk", admins=[els])
    await bot.add_bot(group, by=els)
    await bot.send(els, group, "/setup")
    async with bot.services.database.unit_of_work() as session:
        network = (await session.scalars(select(Network))).one()
        await enqueue(
            session,
            kind="note",
            chat_id=group.id,
            network_id=network.id,
            due_at=bot.clock.now(),
            payload={"text": "aankondiging"},
        )
    supergroup, _ = await world.migrate_to_supergroup(group)
    world.updates.clear()  # the bot misses the service messages (it was down, say)
    await dispatcher(bot).run_until_idle()
    assert [m.text for m in world.bot_messages(supergroup)] == ["aankondiging"]
    async with bot.services.database.unit_of_work() as session:
        assert (await session.scalars(select(Network.chat_id))).one() == supergroup.id


async def test_dedupe_key_queues_at_most_once(bot: BotHarness, world: World) -> None:
    anna = await started_user(bot, world)
    async with bot.services.database.unit_of_work() as session:
        for _ in range(3):
            await enqueue(
                session,
                kind="note",
                chat_id=anna.id,
                due_at=bot.clock.now(),
                payload={"text": "één keer"},
                dedupe_key="round:1:reminder:anna",
            )
    assert len(await rows(bot)) == 1


async def test_two_bot_processes_on_one_database_share_one_sending_budget(
    bot: BotHarness, world: World, database_url: str
) -> None:
    """Telegram's 30 a second are the bot's, not a process's. On PostgreSQL (where two bot
    processes can share a database) both draw their turns from the database, and a strict
    Telegram refuses neither; on SQLite one process sends, and keeps its turns in memory."""
    if Database(database_url).is_sqlite:
        assert isinstance(sending_budget(bot.services.database), LocalBudget)
        return
    users = [await started_user(bot, world, f"Partner {i}") for i in range(120)]
    for user in users:
        await queue(bot, user, "aan iedereen")
    limits = StrictLimits()
    bot.api.limits = limits
    second_db = Database(database_url)
    base = f"{bot.api.base_url}/bot"
    pacer = TelegramPacer(chat_interval=1.0, budget=sending_budget(second_db))
    try:
        # As bot.py makes it: enough connections that no request queues for one (requests
        # that queued would leave in a bunch, closer than their turns).
        request = AiohttpRequest()
        async with ExtBot(bot.api.token, base_url=base, rate_limiter=pacer, request=request) as two:
            first = dispatcher(bot, batch_size=30, name="one")
            second = dispatcher(bot, telegram=two, database=second_db, batch_size=30, name="two")
            reports = await asyncio.gather(first.run_until_idle(), second.run_until_idle())
    finally:
        await second_db.dispose()
    assert all(r.claimed > 0 for r in reports), "both processes should have taken part"
    # All but a handful at once; one that a busy moment brought too close to the one before
    # waits its retry_after in the queue (never retried early), and goes then. (Here both
    # "processes" share one event loop: on a loaded machine one late wake-up sends a turn of
    # each together, which two processes would not; 2-4 of 120 then, none when idle.)
    assert limits.refused <= 5 and limits.early_retries == 0, limits.reasons
    bot.advance(seconds=5)
    await asyncio.sleep(max(pacer.blocked_for(u.id) for u in users))
    await dispatcher(bot).run_until_idle()
    assert limits.accepted == 120 and limits.early_retries == 0
    assert {r.state for r in await rows(bot)} == {State.SENT}
