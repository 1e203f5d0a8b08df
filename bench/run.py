"""Netwerkpols benchmarks: every figure that matters is a ratio to a baseline measured in the
same run, on the same fake Telegram (127.0.0.1), on SQLite and PostgreSQL.

    .venv/bin/python -m bench.run            # default sizes (a few minutes)
    .venv/bin/python -m bench.run --full     # the sizes of the benchmark issue
    .venv/bin/python -m bench.run --toy      # seconds; what the test suite runs

Prints one table and writes it as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, insert, select, text

from bench import crowd
from bench.bare import answer_data, answer_round_bare, bare_application, stop
from bench.dispatch_process import KIND, render_bench_note
from domain.questionnaires import NETWERKTOETS
from fakebot.limits import StrictLimits
from fakebot.server import FakeBotApi
from fakebot.world import BOT_ID, MEMBER, OWNER, World
from schedules.dispatcher import Dispatcher
from schedules.pacing import TelegramPacer
from storage import rounds as store
from storage.db import Database
from storage.migrate import upgrade
from storage.models import (
    Action,
    Member,
    Network,
    Organisation,
    Outgoing,
    Person,
    Round,
    Trekker,
    WorkingGroup,
)
from storage.rounds import round_result
from tests.harness import BotHarness
from tests.seeding import closed_round, ensure_postgres_database, insert_responses

ROOT = Path(__file__).resolve().parent
START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
RNG = random.Random(2026)
# A database of its own, so a benchmark never disturbs the test database (or a test run).
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/netwerkpols_bench"
)

SIZES = {
    "toy": {
        "partners": 5,
        "actions": 20,
        "members": 10,
        "rounds": 2,
        "responses": 200,
        "queue": 500,
        "updates": 50,
        "repeat": 2,
        "dispatch_groups": 5,
        "dispatch_people": 20,
        "dispatch_group_messages": 3,
        "dispatch_private_messages": 2,
        "crowd": 5,
        "pressers": 2,
    },
    "default": {
        "partners": 100,
        "actions": 500,
        "members": 150,
        "rounds": 20,
        "responses": 10_000,
        "queue": 20_000,
        "updates": 2_000,
        "repeat": 10,
        "dispatch_groups": 100,
        "dispatch_people": 500,
        "dispatch_group_messages": 10,  # 100 × 10 + 500 × 2 = 2,000 messages
        "dispatch_private_messages": 2,
        "crowd": 150,
        "pressers": 10,
    },
    "full": {
        "partners": 500,
        "actions": 500,
        "members": 150,
        "rounds": 20,
        "responses": 100_000,
        "queue": 100_000,
        "updates": 50_000,
        "repeat": 20,
        "dispatch_groups": 100,
        "dispatch_people": 500,
        "dispatch_group_messages": 10,  # 100 × 10 + 500 × 2 = 2,000 messages
        "dispatch_private_messages": 2,
        "crowd": 150,
        "pressers": 20,
    },
}


@dataclass
class Row:
    """One line of the table."""

    backend: str
    benchmark: str
    ours: float
    baseline: float
    unit: str
    target: float | None  # the most the ratio may be
    at_most: float | None = None  # or: the most ours may be, in its unit (the baseline for scale)

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("inf")


def rss_mb() -> float:
    """The process's resident memory now, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def fresh_database(backend: str, tmp: Path) -> str:
    """An empty, migrated database of the backend."""
    if backend == "sqlite":
        path = tmp / f"bench-{uuid.uuid4().hex}.sqlite3"
        url = f"sqlite+aiosqlite:///{path}"
        database = Database(url)
        await upgrade(database)
        await database.dispose()
        return url
    await ensure_postgres_database(POSTGRES_URL)
    database = Database(POSTGRES_URL)
    async with database.engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(database)
    await database.dispose()
    return POSTGRES_URL


async def measure(run: Callable[[], Awaitable[int]]) -> tuple[float, float, int]:
    """CPU seconds, wall seconds and the count that run() reports."""
    cpu, wall = time.process_time(), time.perf_counter()
    count = await run()
    return time.process_time() - cpu, time.perf_counter() - wall, count


# --- a network to measure against -------------------------------------------------------------


async def seed_network(
    database: Database, world: World, partners: int
) -> tuple[Network, list[Any], Any]:
    """A network with partners (in the fake and the database), all with a private chat."""
    coordinator = world.user("Coördinator")
    users = [world.user(f"Partner {i}") for i in range(partners)]
    group = world.group("Benchmarknetwerk", admins=[coordinator], members=users)
    group.members[7000000001] = MEMBER
    for user in [coordinator, *users]:
        user.started = True
        world.private_chat(user)
    async with database.unit_of_work() as session:
        network = Network(
            chat_id=group.id,
            name="Benchmarknetwerk",
            language="nl",
            timezone="Europe/Amsterdam",
            join_token="bench",
            active=True,
        )
        session.add(network)
        await session.flush()
        organisations = [
            Organisation(
                network_id=network.id,
                name=f"Organisatie {i}",
                name_key=f"organisatie {i}",
                type=("housing", "care", "municipality", "welfare")[i % 4],
            )
            for i in range(12)
        ]
        session.add_all(organisations)
        await session.flush()
        for index, user in enumerate([coordinator, *users]):
            session.add(
                Person(
                    id=user.id,
                    first_name=user.first_name,
                    started=True,
                    reachable=True,
                    language="nl",
                )
            )
            await session.flush()
            session.add(
                Member(
                    network_id=network.id,
                    person_id=user.id,
                    organisation_id=organisations[index % 12].id,
                    level=("board", "strategic", "tactical", "operational")[index % 4],
                    is_coordinator=index == 0,
                    joined_at=START,
                )
            )
    assert group.members.get(coordinator.id) == OWNER
    return network, users, coordinator


async def open_round(
    session: Any, network: Network, token: str, opens_at: dt.datetime, invited: int
) -> int:
    """An open Netwerktoets round of two weeks for everyone, counting from the start; its id.
    Its answer link is /start a_<token>."""
    round_ = Round(
        network_id=network.id,
        questionnaire=NETWERKTOETS,
        k=5,
        audience={},
        token=token,
        state="open",
        opens_at=opens_at,
        closes_at=opens_at + dt.timedelta(days=14),
        published=False,
        invited=invited,
    )
    session.add(round_)
    await session.flush()
    plan = await store.plan_for(session, network, round_.audience, round_.k)
    session.add(store.start_counting(round_, plan))
    return round_.id


async def answer_round_ours(api: FakeBotApi, url: str, size: dict[str, int]) -> tuple[float, int]:
    """Partners answering a round (callback -> store -> edit): CPU seconds and presses."""
    world = api.world
    bot = BotHarness(api, url, _clock())
    await bot.start()
    network, users, _ = await seed_network(bot.services.database, world, size["partners"])
    async with bot.services.database.unit_of_work() as session:
        round_id = await open_round(session, network, "benchround", START, len(users))
    for user in users:  # not measured: each opens the link and gets the first question
        await bot.act(world.open_link(user, "https://t.me/netwerkpols_test_bot?start=a_benchround"))
    presses = [
        (user, world.last_bot_message(user), data)
        for user in users
        for data in answer_data(round_id)
    ]
    for user in users:
        # All presses are queued at once, each carrying the message as it was then; a person's
        # client would carry it as edited by the previous press (every press edits it), so the
        # bot takes the data as the handler's to check, not as a forgery.
        world.last_bot_message(user).edits += 1

    async def ours() -> int:
        ids = [await world.press_data(user, message, data) for user, message, data in presses]
        await bot.settle(ids)
        return len(ids)

    cpu, _, count = await measure(ours)
    async with bot.services.database.unit_of_work() as session:
        answered = await store.answered_count(session, round_id)
    assert answered == len(users), f"only {answered} of {len(users)} submitted"
    await bot.stop()
    return cpu, count


async def bench_answer_path(
    backend: str, url: str, size: dict[str, int], api: FakeBotApi
) -> list[Row]:
    """Answering a round vs a bare bot making the same Bot API calls with no logic and no
    database."""
    cpu, count = await answer_round_ours(api, url, size)
    bare_cpu, bare_count = await answer_round_bare(api, size["partners"])
    return [
        Row(
            backend,
            "answer path, bot and fake in one process: CPU ms per button press",
            1000 * cpu / count,
            1000 * bare_cpu / bare_count,
            "ms",
            None,  # the 1.5 is for the bot as its own process: the crowd's row
        )
    ]


def _clock():  # type: ignore[no-untyped-def]
    from domain.clock import ManualClock

    return ManualClock(START)


async def bench_commands(
    backend: str, url: str, size: dict[str, int], api: FakeBotApi
) -> list[Row]:
    """/actions with many actions and /summary of a large network vs a bare echo command."""
    world = api.world
    bot = BotHarness(api, url, _clock())
    await bot.start()
    network, users, coordinator = await seed_network(bot.services.database, world, size["members"])
    async with bot.services.database.unit_of_work() as session:
        groups = [WorkingGroup(network_id=network.id, name=f"Werkgroep {i}") for i in range(10)]
        session.add_all(groups)
        await session.flush()
        for index, group in enumerate(groups):
            session.add(Trekker(working_group_id=group.id, person_id=users[index].id))
        await session.execute(
            insert(Action),
            [
                {
                    "working_group_id": groups[i % 10].id,
                    "title": f"Actie {i}",
                    "owner_text": "Partner",
                    "due_on": (START + dt.timedelta(days=i % 60 - 20)).date(),
                    "state": ("open", "open", "done")[i % 3],
                    "done_at": START if i % 3 == 2 else None,
                    "created_at": START,
                }
                for i in range(size["actions"])
            ],
        )
        for number in range(size["rounds"]):
            round_ = Round(
                network_id=network.id,
                questionnaire=NETWERKTOETS,
                k=5,
                audience={},
                token=f"r{number}",
                state="closed",
                opens_at=START - dt.timedelta(days=30 * (number + 1)),
                closes_at=START - dt.timedelta(days=30 * number),
                closed_at=START,
                published=True,
                invited=len(users),
            )
            session.add(round_)
            await session.flush()
            await insert_responses(session, round_.id, len(users), rng=RNG)
    coordinator_chat = world.private_chat(coordinator)
    group = world.chats[network.chat_id]

    async def run(command: str, chat: Any, repeat: int) -> float:
        """Median CPU ms of one command: robust against a garbage collection in one sample."""
        samples = []
        for _ in range(repeat):
            cpu = time.process_time()
            await bot.act(world.send(coordinator, chat, command))
            samples.append(1000 * (time.process_time() - cpu))
        return statistics.median(samples)

    await run("/actions", group, 1)  # warm-up, both sides: compiled statements, catalogs
    await run("/summary", coordinator_chat, 1)
    per_actions = await run("/actions", group, size["repeat"])
    per_summary = await run("/summary", coordinator_chat, max(1, size["repeat"] // 4))
    await bot.stop()
    bare = await bare_application(api)

    async def echo(repeat: int) -> float:
        samples = []
        for _ in range(repeat):
            cpu = time.process_time()
            update_id = await world.send(coordinator, group, "/help")
            assert update_id is not None
            await bare.settle([update_id], 30)
            samples.append(1000 * (time.process_time() - cpu))
        return statistics.median(samples)

    await echo(3)
    per_echo = await echo(5 * size["repeat"])
    await stop(bare)
    return [
        Row(
            backend,
            f"/actions, {size['actions']} actions: CPU ms",
            per_actions,
            per_echo,
            "ms",
            3.0,
        ),
        Row(
            backend,
            f"/summary, {size['members']} members, {size['rounds']} rounds: CPU ms",
            per_summary,
            per_echo,
            "ms",
            None,
        ),
    ]


SCORES = sa.table("bench_score", sa.column("item", sa.String), sa.column("score", sa.Integer))


async def _score_rows(database: Database, given: dict[str, list[int]]) -> None:
    """The same scores as one row each, in a scratch table: what one GROUP BY has to read."""
    async with database.engine.begin() as connection:
        await connection.execute(sa.text("DROP TABLE IF EXISTS bench_score"))
        await connection.execute(sa.text("CREATE TABLE bench_score (item VARCHAR(48), score INT)"))
        rows = [
            {"item": item, "score": score} for item, scores in given.items() for score in scores
        ]
        for start in range(0, len(rows), 5000):
            await connection.execute(SCORES.insert(), rows[start : start + 5000])


async def bench_results(backend: str, url: str, size: dict[str, int]) -> list[Row]:
    """A round's results (from its one tally row) vs the floor of a design that keeps a row per
    score: one GROUP BY over those rows on the same database."""
    database = Database(url)
    async with database.unit_of_work() as session:
        round_ = await closed_round(
            session, chat_id=-5, token="groot", invited=size["responses"], at=START
        )
        given = await insert_responses(session, round_.id, size["responses"], rng=RNG)
    await _score_rows(database, given)

    async def ours() -> int:
        async with database.unit_of_work() as session:
            await round_result(session, round_)
        return 1

    async def floor() -> int:
        async with database.unit_of_work() as session:
            await session.execute(
                select(SCORES.c.item, SCORES.c.score, func.count()).group_by(
                    SCORES.c.item, SCORES.c.score
                )
            )
        return 1

    await ours()  # warm caches on both sides equally
    await floor()
    _, ours_wall, _ = await measure(ours)
    _, floor_wall, _ = await measure(floor)
    from views.charts import bar_chart

    chart_cpu = time.process_time()
    bar_chart("Netwerktoets", [f"item {i}" for i in range(7)], [6.0] * 7, [5.0] * 7)
    chart_ms = 1000 * (time.process_time() - chart_cpu)
    await database.dispose()
    return [
        Row(
            backend,
            f"results of {size['responses']} responses: ms",
            1000 * ours_wall,
            1000 * floor_wall,
            "ms",
            2.0,
        ),
        Row(
            backend, "results chart rendering: CPU ms (no baseline)", chart_ms, chart_ms, "ms", None
        ),
    ]


async def bench_startup(backend: str, url: str, size: dict[str, int], api: FakeBotApi) -> list[Row]:
    """Starting the bot (migrations checked, menus set, first dispatch) with a full queue vs
    an empty one: nothing may be loaded wholesale."""

    async def start_once() -> float:
        bot = BotHarness(api, url, _clock())
        wall = time.perf_counter()
        await bot.start()
        await bot.services.dispatcher.run_once()
        elapsed = time.perf_counter() - wall
        await bot.stop()
        return elapsed

    empty = min([await start_once() for _ in range(3)])
    database = Database(url)
    async with database.unit_of_work() as session:
        for start in range(0, size["queue"], 5000):
            await session.execute(
                insert(Outgoing),
                [
                    {
                        "kind": "note",
                        "chat_id": 1,
                        "payload": {},
                        "due_at": START + dt.timedelta(days=30),
                        "state": "pending",
                        "attempts": 0,
                        "created_at": START,
                    }
                    for _ in range(min(5000, size["queue"] - start))
                ],
            )
    await database.dispose()
    full = min([await start_once() for _ in range(3)])
    return [
        Row(
            backend,
            f"startup with {size['queue']} queued rows: ms",
            1000 * full,
            1000 * empty,
            "ms",
            1.5,
        )
    ]


HELP_EVERY = 50  # replies are paced at Telegram's 30 a second; button answers are not


async def bench_memory(backend: str, url: str, size: dict[str, int], api: FakeBotApi) -> list[Row]:
    """Memory growth across many updates (no leak), after a warm-up: mostly presses of a button
    of a round that is gone (a database look-up, a refusal answered in the person's language),
    and every 50th a /help (a reply message)."""
    world = api.world
    bot = BotHarness(api, url, _clock())
    await bot.start()
    user = world.user("Geheugen")
    chat = world.private_chat(user)

    async def one(index: int) -> int | None:
        if index % HELP_EVERY == 0:
            return await world.send(user, chat, "/help")
        return await world.press_data(
            user, world.last_bot_message(user), f"ra:999999:0:{index % 10}"
        )

    for index in range(min(200, size["updates"])):
        await bot.act(one(index))
    before = rss_mb()
    ids = []
    for index in range(size["updates"]):
        ids.append(await one(index))
        if index % 500 == 499:
            await bot.settle(ids)
            ids = []
            del world.messages[chat.id][:-10]  # the fake's own memory is not the bot's
            world.sent_log.clear()
            world.calls.clear()
            world.callback_answers.clear()
    await bot.settle(ids)
    after = rss_mb()
    await bot.stop()
    return [
        Row(
            backend, f"RSS after {size['updates']} updates vs before: MB", after, before, "MB", 1.05
        )
    ]


def _dispatch_world(world: World, size: dict[str, int]) -> tuple[list[int], list[int]]:
    """The groups (the bot a member) and the private chats (started) that the due messages
    go to."""
    groups = []
    for number in range(size["dispatch_groups"]):
        group = world.group(f"Netwerk {number}", admins=[world.user(f"Beheerder {number}")])
        group.members[BOT_ID] = MEMBER
        groups.append(group.id)
    people = []
    for number in range(size["dispatch_people"]):
        user = world.user(f"Partner {number}")
        user.started = True
        world.private_chat(user)
        people.append(user.id)
    return groups, people


async def _queue_due(
    database: Database, groups: list[int], people: list[int], size: dict[str, int]
) -> list[dict[str, Any]]:
    """Due messages, all at once, spread as a day's work would be: each turn reaches every
    chat once."""
    per_group, per_person = size["dispatch_group_messages"], size["dispatch_private_messages"]
    rows = [
        {
            "kind": KIND,
            "chat_id": chat_id,
            "payload": {"text": f"Bericht {turn + 1}"},
            "due_at": START,
            "state": "pending",
            "attempts": 0,
            "created_at": START,
        }
        for turn in range(max(per_group, per_person))
        for chat_id in [
            *(groups if turn < per_group else []),
            *(people if turn < per_person else []),
        ]
    ]
    async with database.unit_of_work() as session:
        await session.execute(insert(Outgoing), rows)
    return rows


def _dispatch_row(
    backend: str,
    what: str,
    rows: list[dict[str, Any]],
    groups: list[int],
    limits: StrictLimits,
    wall: float,
) -> Row:
    least = limits.least_seconds(dict(Counter(row["chat_id"] for row in rows)), set(groups))
    return Row(
        backend,
        f"dispatch {len(rows)} messages {what} at a strict Telegram's limits "
        f"({limits.refused} × 429, {limits.early_retries} retried early): wall s",
        wall,
        least,
        "s",
        1.10,
    )


async def bench_dispatch(
    backend: str, url: str, size: dict[str, int], api: FakeBotApi
) -> list[Row]:
    """Due messages to many groups and private chats, against a fake that enforces Telegram's
    limits as a strict Telegram does (StrictLimits: sliding windows, a chat blocked after a
    429 until its retry_after; not the bot's own model): wall time vs the least time those
    limits allow. On PostgreSQL also with two bot processes sharing the database."""
    limits = StrictLimits()
    api.limits = limits
    bot = BotHarness(api, url, _clock(), chat_send_interval_seconds=1.0)
    await bot.start()
    groups, people = _dispatch_world(api.world, size)
    rows = await _queue_due(bot.services.database, groups, people, size)
    dispatcher = Dispatcher(
        bot.services.database,
        bot.application.bot,
        bot.clock,
        {KIND: render_bench_note},
        batch_size=bot.settings.dispatch_batch_size,
    )
    wall = time.perf_counter()
    report = await dispatcher.run_until_idle(max_rounds=100_000)
    sent = report.outcomes.get("sent", 0)
    pacer = bot.application.bot.rate_limiter
    assert isinstance(pacer, TelegramPacer)
    for _ in range(10):
        if sent == len(rows):
            break
        # What Telegram refused went back to the queue for after its retry_after; the bot's
        # clock is a manual one here, so it is moved on, and the time waited counts.
        await asyncio.sleep(max(pacer.blocked_for(chat) for chat in [*groups, *people]))
        bot.advance(seconds=60)
        sent += (await dispatcher.run_until_idle(max_rounds=100_000)).outcomes.get("sent", 0)
    wall = time.perf_counter() - wall
    await bot.stop()
    assert sent == len(rows), (sent, len(rows))
    result = [_dispatch_row(backend, "from one process", rows, groups, limits, wall)]
    if backend == "postgresql":
        result.append(await _dispatch_two_processes(url, size, api))
    api.limits = None
    return result


async def _dispatch_two_processes(url: str, size: dict[str, int], api: FakeBotApi) -> Row:
    """The same messages sent by two bot processes (bench.dispatch_process) on one database:
    from the first message Telegram takes to the last."""
    limits = StrictLimits()
    api.limits = limits
    api.world = World()
    groups, people = _dispatch_world(api.world, size)
    database = Database(url)
    async with database.unit_of_work() as session:
        await session.execute(sa.delete(Outgoing))
    rows = await _queue_due(database, groups, people, size)
    await database.dispose()
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.dispatch_process",
            url,
            api.base_url,
            api.token,
            name,
            cwd=ROOT.parent,
        )
        for name in ("one", "two")
    ]
    for process in processes:
        assert await process.wait() == 0, "bench.dispatch_process failed"
    sent = [at for at, method, _ in api.world.calls if method == "sendMessage"]
    assert limits.accepted == len(rows), (limits.accepted, len(rows))
    return _dispatch_row(
        "postgresql", "from two processes", rows, groups, limits, max(sent) - min(sent)
    )


async def bench_peak_memory(backend: str, size: dict[str, int]) -> list[Row]:
    """Peak RSS of a process that answers a round with our bot vs one with the bare bot (each
    process runs the fake too, equally)."""
    peaks = {}
    for kind in ("ours", "bare"):
        done = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.peak",
            kind,
            backend,
            str(size["partners"]),
            cwd=ROOT.parent,
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await done.communicate()
        assert done.returncode == 0, f"bench.peak {kind} failed"
        peaks[kind] = float(out.decode().split()[-1])
    return [
        Row(
            backend,
            "peak RSS answering a round: MB",
            peaks["ours"],
            peaks["bare"],
            "MB",
            None,
        )
    ]


async def bench_crowd(backend: str, url: str, size: dict[str, int]) -> list[Row]:
    """A crowd answering at once, the bot as its own process (bench.crowd): CPU per press,
    the 95th percentile from press to answer, and peak memory, each against the bare bot."""
    partners = size["crowd"]
    ours = await crowd.ours(url, partners)
    bare = await crowd.bare(partners)
    bare_aiohttp = await crowd.bare(partners, "aiohttp")
    late = f"{ours.too_late} of {ours.presses} answered too late (bare: {bare.too_late})"
    return [
        Row(
            backend,
            f"crowd of {partners}, bot as its own process: CPU ms per press",
            1000 * ours.cpu_seconds / ours.presses,
            1000 * bare.cpu_seconds / bare.presses,
            "ms",
            1.5,
        ),
        Row(
            backend,
            f"crowd of {partners}: CPU ms per press, vs the bare bot on our HTTP client",
            1000 * ours.cpu_seconds / ours.presses,
            1000 * bare_aiohttp.cpu_seconds / bare_aiohttp.presses,
            "ms",
            None,
        ),
        Row(
            backend,
            f"crowd of {partners}: p95 s from press to its answer, {late}",
            ours.p95_answer,
            bare.p95_answer,
            "s",
            None,
            at_most=1.0,
        ),
        Row(
            backend,
            f"crowd of {partners}: p95 s from press to the next question shown",
            ours.p95_edit,
            bare.p95_edit,
            "s",
            None,
        ),
        Row(
            backend,
            f"crowd of {partners}: peak RSS of the bot process, MB",
            ours.peak_rss_mb,
            bare.peak_rss_mb,
            "MB",
            2.0,
        ),
    ]


async def bench_under_summary(backend: str, url: str, size: dict[str, int]) -> list[Row]:
    """A partner's presses while the coordinator runs /summary again and again, against the
    same presses while nothing else happens (bench.crowd.under_summary, the bot as its own
    process)."""
    idle, busy, summaries = await crowd.under_summary(url, size)
    return [
        Row(
            backend,
            f"press while /summary runs ({summaries} of {size['responses']} responses in "
            f"{size['rounds']} rounds): p95 s to the next question, vs idle",
            busy.p95_edit,
            idle.p95_edit,
            "s",
            1.5,
        )
    ]


WITH_FAKE = {
    "answer": bench_answer_path,
    "commands": bench_commands,
    "startup": bench_startup,
    "memory": bench_memory,
    "dispatch": bench_dispatch,
}
BENCHMARKS = (*WITH_FAKE, "results", "peak", "crowd", "pressure")


async def run_all(scale: str, backends: list[str], only: list[str] | None = None) -> list[Row]:
    """Every benchmark (or only those named) on every backend."""
    size = SIZES[scale]
    wanted = only or list(BENCHMARKS)
    rows: list[Row] = []
    tmp = ROOT / "results" / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    for backend in backends:
        for name, bench in WITH_FAKE.items():
            if name not in wanted:
                continue
            api = FakeBotApi(World())
            await api.start()
            try:
                url = await fresh_database(backend, tmp)
                rows += await bench(backend, url, size, api)
            finally:
                await api.stop()
        if "results" in wanted:
            rows += await bench_results(backend, await fresh_database(backend, tmp), size)
        if "peak" in wanted:
            rows += await bench_peak_memory(backend, size)
        if "crowd" in wanted:
            rows += await bench_crowd(backend, await fresh_database(backend, tmp), size)
        if "pressure" in wanted:
            rows += await bench_under_summary(backend, await fresh_database(backend, tmp), size)
    for leftover in tmp.glob("bench-*.sqlite3*"):
        leftover.unlink()
    return rows


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| backend | benchmark | Netwerkpols | baseline | ratio | target |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        if row.at_most is not None:
            target = f"≤ {row.at_most:g} {row.unit}"
        else:
            target = f"≤ {row.target:g}" if row.target else "—"
        figures = f"{row.ours:.2f} | {row.baseline:.2f} | {row.ratio:.2f}"
        lines.append(f"| {row.backend} | {row.benchmark} | {figures} | {target} |")
    return "\n".join(lines)


def main() -> None:
    """Run, print the table, write JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--full", action="store_true", help="the sizes of the benchmark issue")
    parser.add_argument("--toy", action="store_true", help="tiny sizes, seconds")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--only", choices=BENCHMARKS, action="append", help="repeatable")
    arguments = parser.parse_args()
    scale = "full" if arguments.full else "toy" if arguments.toy else "default"
    backends = arguments.backend or ["sqlite", "postgresql"]
    rows = asyncio.run(run_all(scale, backends, arguments.only))
    print(table(rows))
    out = ROOT / "results" / f"bench-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{scale}.json"
    out.write_text(json.dumps([{**asdict(row), "ratio": row.ratio} for row in rows], indent=1))
    print(f"\nwritten to {out.relative_to(ROOT.parent)}")


if __name__ == "__main__":
    main()
