"""A crowd answering a round, as the partners feel it: the real `bot.py`, started as its own
process with the settings from the environment, against the fake Telegram in this process
(with StrictLimits on, and Telegram's window for answering a press). Every partner presses as
soon as the previous press has shown its next question, all of them at once. Measured from
outside: the bot process's CPU per press (from /proc), the time from a press to its answer
and to its edit, presses answered too late, and the process's peak memory. The baseline is the
bare python-telegram-bot bot (`bench/bare.py`), as its own process, pressed the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.bare import answer_data
from domain.questionnaires import NETWERKTOETS
from fakebot.limits import StrictLimits
from fakebot.server import FakeBotApi
from fakebot.world import Message, User, World
from storage import rounds as store
from storage.db import Database
from storage.models import Round

ROOT = Path(__file__).resolve().parent.parent
CALLBACK_WINDOW = 15.0  # Telegram's window for answering a press (about 15 s)
PATIENCE = 120.0  # a press not shown within this is a failure of the benchmark, not slowness


@dataclass
class Crowd:
    """What the partners saw."""

    presses: int = 0
    cpu_seconds: float = 0.0
    to_answer: list[float] = field(default_factory=list)
    to_edit: list[float] = field(default_factory=list)
    too_late: int = 0
    peak_rss_mb: float = 0.0

    @property
    def p95_answer(self) -> float:
        return _p95(self.to_answer)

    @property
    def p95_edit(self) -> float:
        return _p95(self.to_edit)


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


class Watch:
    """Told by the fake of every call it accepted: when each press was answered, and when
    each message was edited."""

    def __init__(self, api: FakeBotApi) -> None:
        self.world = api.world
        self.answered: dict[str, float] = {}
        self._edits: dict[tuple[int, int], asyncio.Future[float]] = {}
        api.on_call = self.seen

    def seen(self, method: str, values: dict[str, Any], result: Any) -> None:
        now = time.monotonic()
        if method == "answerCallbackQuery":
            self.answered[str(values["callback_query_id"])] = now
        elif method.startswith("editMessage") and "message_id" in values:
            key = (int(values["chat_id"]), int(values["message_id"]))
            edit = self._edits.pop(key, None)
            if edit is not None and not edit.done():
                edit.set_result(now)

    def next_edit(self, message: Message) -> asyncio.Future[float]:
        edit = asyncio.get_running_loop().create_future()
        self._edits[(message.chat_id, message.message_id)] = edit
        return edit


async def press_through(
    world: World, watch: Watch, crowd: Crowd, user: User, message: Message, presses: list[str]
) -> None:
    """One partner: a press, wait until its next question shows, the next press."""
    for data in presses:
        edit = watch.next_edit(message)
        pressed = time.monotonic()
        _, query_id = await world.press_query(user, message, data)
        edited = await asyncio.wait_for(edit, PATIENCE)
        crowd.presses += 1
        crowd.to_edit.append(edited - pressed)
        answered = watch.answered.get(query_id)
        if answered is None:
            crowd.too_late += 1  # refused by the fake as too old: never counted as answered
        else:
            crowd.to_answer.append(answered - pressed)


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """A process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc (Linux only)")


def bot_env(api: FakeBotApi, url: str) -> dict[str, str]:
    """The settings bot.py reads from the environment, for this fake and database (whatever a
    .env in the checkout says)."""
    return {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_URL": url,
        "WEBHOOK_URL": "",
        "LOG_LEVEL": "WARNING",
        "DISPATCH_INTERVAL_SECONDS": "5",
        "CHAT_SEND_INTERVAL_SECONDS": "1.0",
    }


@contextlib.asynccontextmanager
async def running(api: FakeBotApi, *command: str, env: dict[str, str]) -> AsyncIterator[int]:
    """A bot as its own process, polling the fake; yields its pid, ends it afterwards."""
    polls_before = _polls(api)
    process = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, env={**os.environ, **env}, stdin=asyncio.subprocess.PIPE
    )
    try:
        for _ in range(int(PATIENCE / 0.05)):
            if _polls(api) > polls_before:
                break
            if process.returncode is not None:
                raise RuntimeError(f"{command} ended with {process.returncode}")
            await asyncio.sleep(0.05)
        else:
            raise RuntimeError(f"{command} never asked for updates")
        yield process.pid
    finally:
        if process.returncode is None:
            assert process.stdin is not None
            process.stdin.close()  # the bare bot ends when its stdin closes
            process.terminate()  # bot.py stops on SIGTERM
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


def _polls(api: FakeBotApi) -> int:
    return sum(1 for _, method, _ in api.world.calls if method == "getUpdates")


async def _measure(
    api: FakeBotApi, pid: int, watch: Watch, plan: list[tuple[User, Message, list[str]]]
) -> Crowd:
    crowd = Crowd()
    before = cpu_seconds(pid)
    await asyncio.gather(
        *(
            press_through(api.world, watch, crowd, user, message, data)
            for user, message, data in plan
        )
    )
    crowd.cpu_seconds = cpu_seconds(pid) - before
    crowd.peak_rss_mb = peak_rss_mb(pid)
    return crowd


async def ours(url: str, partners: int) -> Crowd:
    """The crowd answering a round of the real bot."""
    from bench.run import open_round, seed_network

    api = FakeBotApi(World(), limits=StrictLimits())
    api.world.callback_window = CALLBACK_WINDOW
    await api.start()
    try:
        database = Database(url)
        network, users, _ = await seed_network(database, api.world, partners)
        now = dt.datetime.now(dt.UTC)
        async with database.unit_of_work() as session:
            round_id = await open_round(session, network, "crowdround", now, len(users))
        await database.dispose()
        async with running(api, sys.executable, "bot.py", env=bot_env(api, url)) as pid:
            watch = Watch(api)
            for user in users:  # not measured: each opens the link and gets the first question
                await api.world.open_link(
                    user, "https://t.me/netwerkpols_test_bot?start=a_crowdround"
                )
            questions = [await _question(api.world, user) for user in users]
            plan = [
                (user, question, answer_data(round_id))
                for user, question in zip(users, questions, strict=True)
            ]
            crowd = await _measure(api, pid, watch, plan)
        database = Database(url)
        async with database.unit_of_work(read_only=True) as session:
            answered = await store.answered_count(session, round_id)
        await database.dispose()
        assert answered == len(users), f"only {answered} of {len(users)} submitted"
        return crowd
    finally:
        await api.stop()


async def _question(world: World, user: User) -> Message:
    """The first question, once the bot has shown it to user."""
    for _ in range(int(PATIENCE / 0.05)):
        shown = [m for m in world.bot_messages(user) if m.buttons()]
        if shown:
            return shown[-1]
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{user.first_name} never got the first question")


async def bare(partners: int, transport: str = "httpx") -> Crowd:
    """The same crowd pressing the bare bot (on python-telegram-bot's HTTP client, httpx, or
    on ours, aiohttp)."""
    api = FakeBotApi(World(), limits=StrictLimits())
    api.world.callback_window = CALLBACK_WINDOW
    await api.start()
    try:
        world = api.world
        command = (sys.executable, "-m", "bench.bare", api.base_url, api.token, transport)
        async with running(api, *command, env={}) as pid:
            watch = Watch(api)
            plan = []
            for number in range(partners):
                user = world.user(f"Kaal {number}")
                user.started = True
                message = world.bot_says(world.private_chat(user), text="start", html="start")
                plan.append((user, message, answer_data(1)))
            return await _measure(api, pid, watch, plan)
    finally:
        await api.stop()


async def under_summary(url: str, size: dict[str, int]) -> tuple[Crowd, Crowd, int]:
    """A partner pressing, one press at a time, first while nothing else happens, then while
    the coordinator asks for /summary again and again (of a network with size['rounds']
    published rounds of size['responses'] responses in all). Returns the idle presses, the
    presses under /summary and how many summaries were sent meanwhile."""
    from bench.run import RNG, open_round, seed_network
    from tests.seeding import insert_responses

    api = FakeBotApi(World(), limits=StrictLimits())
    await api.start()
    try:
        world = api.world
        database = Database(url)
        network, users, coordinator = await seed_network(database, world, size["members"])
        now = dt.datetime.now(dt.UTC)
        per_round = max(1, size["responses"] // size["rounds"])
        async with database.unit_of_work() as session:
            for number in reversed(range(size["rounds"])):  # the oldest first
                closed = Round(
                    network_id=network.id,
                    questionnaire=NETWERKTOETS,
                    k=5,
                    audience={},
                    token=f"r{number}",
                    state="closed",
                    opens_at=now - dt.timedelta(days=30 * (number + 1)),
                    closes_at=now - dt.timedelta(days=30 * number + 1),
                    closed_at=now - dt.timedelta(days=30 * number + 1),
                    published=True,
                    invited=per_round,
                )
                session.add(closed)
                await session.flush()
                await insert_responses(session, closed.id, per_round, rng=RNG)
                await session.flush()
                await store.forget_counts(
                    session, closed, await store.round_result(session, closed)
                )
            round_id = await open_round(session, network, "pressround", now, len(users))
        await database.dispose()
        partner = users[0]
        async with running(api, sys.executable, "bot.py", env=bot_env(api, url)):
            watch = Watch(api)
            await world.open_link(partner, "https://t.me/netwerkpols_test_bot?start=a_pressround")
            question = await _question(world, partner)
            summaries = _Summaries(world, coordinator)
            await summaries.one()  # warm-up: what a summary sends; its charts drawn once
            presses = size["pressers"] * 10
            idle = Crowd()
            await _back_and_forth(watch, idle, partner, question, round_id, lambda: False, presses)
            asking = asyncio.create_task(summaries.until_cancelled())
            busy = Crowd()
            try:
                # Until at least a few whole summaries were sent while pressing.
                enough = summaries.sent + size["pressers"] // 2 + 1
                await _back_and_forth(
                    watch, busy, partner, question, round_id, lambda: summaries.sent >= enough
                )
            finally:
                asking.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await asking
            summaries.sent -= 1  # the warm-up
        return idle, busy, summaries.sent
    finally:
        await api.stop()


class _Summaries:
    """The coordinator asking for /summary in private chat, each time until all of it came."""

    def __init__(self, world: World, coordinator: User) -> None:
        self.world = world
        self.coordinator = coordinator
        self.parts = 0
        self.sent = 0

    async def one(self) -> None:
        chat = self.world.private_chat(self.coordinator)
        before = len(self.world.bot_messages(chat))
        await self.world.send(self.coordinator, chat, "/summary")
        if not self.parts:  # the first time: until nothing more comes for two seconds
            seen, quiet = before, 0.0
            while quiet < 2.0:
                await asyncio.sleep(0.1)
                now = len(self.world.bot_messages(chat))
                seen, quiet = now, (0.0 if now != seen else quiet + 0.1)
            self.parts = seen - before
            assert self.parts > 0, "/summary sent nothing"
        else:
            for _ in range(int(PATIENCE / 0.02)):
                if len(self.world.bot_messages(chat)) >= before + self.parts:
                    break
                await asyncio.sleep(0.02)
            else:
                raise RuntimeError("/summary did not finish")
        self.sent += 1

    async def until_cancelled(self) -> None:
        while True:
            await self.one()


async def _back_and_forth(
    watch: Watch,
    crowd: Crowd,
    user: User,
    question: Message,
    round_id: int,
    done: Callable[[], bool],
    presses: int = 0,
) -> None:
    """One partner scoring the first question and going back to it, over and over: presses
    that never run out (a submit would end them), until done() or after presses presses."""
    pressed = 0
    while not done() and (not presses or pressed < presses):
        score = f"ra:{round_id}:0:{1 + pressed % 10}"
        await press_through(watch.world, watch, crowd, user, question, [score, f"rb:{round_id}:1"])
        pressed += 2
