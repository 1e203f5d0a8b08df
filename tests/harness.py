"""Run the real bot against the fake Bot API, and wait for it the way a person would.

`await bot.send(anna, group, "/setup")` puts Anna's message into the fake Telegram, waits until
the Application has fetched it over HTTP and finished handling it, and returns what the bot sent
meanwhile. Any handler exception, and any call the fake refused, fails the test.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from telegram import Update

from bot import build_application
from domain.callbacks import BadCallback
from domain.clock import ManualClock
from domain.errors import Refusal
from fakebot.recording import RecordingApplication
from fakebot.server import FakeBotApi
from fakebot.spec import ApiError
from fakebot.world import Chat, Message, User
from handlers.base import App, services_of
from sandbox.local import start_local_bot, stop_local_bot
from schedules.dispatcher import DispatchReport
from schedules.pacing import TelegramPacer
from settings import Settings

SETTLE_TIMEOUT = 15.0


async def _record_failure(update: object, context: Any) -> None:
    """Error handler for tests: a refusal is an answer, anything else is a failure."""
    if not isinstance(context.error, (Refusal, BadCallback)):
        context.application.failures.append(context.error)


class BotHarness:
    """One running instance of the bot on a database, talking to the fake."""

    def __init__(
        self, api: FakeBotApi, database_url: str, clock: ManualClock, **settings: Any
    ) -> None:
        self.api = api
        self.world = api.world
        self.clock = clock
        options: dict[str, Any] = {
            "default_language": "nl",
            "dispatch_interval_seconds": 3600,
            # The fake enforces no sending limits unless a test or benchmark asks it to.
            "chat_send_interval_seconds": 0,
            **settings,
        }
        self.settings = Settings(
            telegram_bot_token=api.token,  # type: ignore[arg-type]
            database_url=database_url,
            telegram_api_base_url=api.base_url,
            _env_file=None,  # type: ignore[call-arg]
            **options,
        )
        self.app: App | None = None
        self.expected_rejections: list[tuple[str, int]] = []

    def inject(self, method: str, error: ApiError, chat_id: int | None = None) -> None:
        """Make the fake fail the next call of method (to chat_id, if given) with error, and
        expect that refusal."""
        self.world.inject(method, error, chat_id)
        self.expected_rejections.append((method, error.status))

    def lift_group_limit(self) -> None:
        """Let the running bot send more than 20 messages a minute to one group: for tests that
        send hundreds of commands in a group and would otherwise wait 3 s per reply (the fake
        enforces no limits unless told to)."""
        limiter = self.application.bot.rate_limiter
        assert isinstance(limiter, TelegramPacer)
        limiter.groups.count = 1_000_000

    @property
    def application(self) -> App:
        """The running Application."""
        assert self.app is not None, "the bot is not running"
        return self.app

    async def start(self, *, dispatch_on_start: bool = False) -> None:
        """Build and start the Application as bot.py does, polling the fake.

        The dispatcher's repeating job waits an hour in tests, and the run at start is left out
        unless asked for: tests call dispatch() themselves, deciding when time-driven work happens.
        """
        app = await start_local_bot(
            self.settings,
            self.clock,
            dispatch_on_start=dispatch_on_start,
            error_handler=_record_failure,
        )
        self.app = app

    async def stop(self) -> None:
        """Stop the Application like a shutdown would (the database stays)."""
        app = self.app
        if app is None:
            return
        self.app = None
        await stop_local_bot(app)
        self.check_failures(app)

    async def restart(self) -> None:
        """A new process on the same database: stop this Application and start a fresh one."""
        await self.stop()
        await self.start()

    def check_failures(self, app: App | None = None) -> None:
        """Fail loudly on handler exceptions and on calls the fake refused."""
        app = app or self.app
        failures = list(getattr(app, "failures", []))
        if app is not None:
            failures += services_of(app).dispatcher.errors
        if failures:
            raise AssertionError(f"a handler raised: {failures[0]!r}") from failures[0]
        for expected in list(self.expected_rejections):
            found = next((r for r in self.world.rejections if r[:2] == expected), None)
            if found is not None:
                self.world.rejections.remove(found)
                self.expected_rejections.remove(expected)
        if self.world.rejections:
            raise AssertionError(f"the fake Telegram refused calls: {self.world.rejections}")

    @property
    def services(self):  # type: ignore[no-untyped-def]
        """The bot's services (database, clock, dispatcher)."""
        return services_of(self.application)

    async def settle(self, update_ids: list[int | None]) -> None:
        """Wait until the bot has finished handling these updates; fail if it makes no progress
        for SETTLE_TIMEOUT seconds (a long batch may take longer in all)."""
        app = self.application
        assert isinstance(app, RecordingApplication)
        try:
            await app.settle(update_ids, SETTLE_TIMEOUT)
        except TimeoutError:
            wanted = {uid for uid in update_ids if uid is not None}
            missing = sorted(wanted - app.processed)
            raise AssertionError(
                f"the bot stopped handling updates; {len(missing)} left, from {missing[0]}"
            ) from None
        self.check_failures()

    async def _act(self, act: Any) -> list[Message]:
        before = self.world.sent_count
        update_id = await act
        await self.settle([update_id] if not isinstance(update_id, list) else update_id)
        return self._sent_since(before)

    def _sent_since(self, count: int) -> list[Message]:
        return self.world.sent_log[count:]

    # --- acting as people ----------------------------------------------------------------

    async def send(
        self, user: User, chat: Chat | User, text: str, *, reply_to: Message | None = None
    ) -> list[Message]:
        """user writes text in chat (a User means their private chat with the bot)."""
        target = self.world.private_chat(chat) if isinstance(chat, User) else chat
        return await self._act(self.world.send(user, target, text, reply_to=reply_to))

    async def press(self, user: User, message: Message, label: str) -> list[Message]:
        """user presses the button labelled label under message."""
        return await self._act(self.world.press(user, message, label))

    async def press_data(self, user: User, message: Message, data: str) -> list[Message]:
        """user's client sends raw callback data (a forged or stale button)."""
        return await self._act(self.world.press_data(user, message, data))

    async def open_link(self, user: User, url: str) -> list[Message]:
        """user opens a t.me link."""
        return await self._act(self.world.open_link(user, url))

    async def add_bot(self, chat: Chat, by: User) -> list[Message]:
        """by adds the bot to chat."""
        return await self._act(self.world.add_bot(chat, by))

    async def remove_bot(self, chat: Chat, by: User) -> list[Message]:
        """by removes the bot from chat."""
        return await self._act(self.world.remove_bot(chat, by))

    async def act(self, update_id: Any) -> list[Message]:
        """Wait for any world act (given as its awaitable) and return what the bot sent."""
        return await self._act(update_id)

    def answer_to_last_press(self) -> dict[str, Any] | None:
        """What the bot answered to the newest button press (text, show_alert)."""
        answers = self.world.callback_answers
        return answers[max(answers, key=int)] if answers else None

    async def dispatch(self) -> DispatchReport:
        """Run the dispatcher once, as its repeating job would."""
        report = await self.services.dispatcher.run_until_idle()
        self.check_failures()
        return report

    def advance(self, **delta: float) -> None:
        """Move the bot's clock forward (days=…, hours=…)."""
        self.clock.advance(dt.timedelta(**delta))


class Replica:
    """A second process of the bot on the same database and the same Telegram, as behind one
    webhook: it handles only the updates handed to it (World.tapping_twice makes them)."""

    def __init__(self, bot: BotHarness) -> None:
        self.bot = bot
        self.app = build_application(
            bot.settings,
            clock=bot.clock,
            application_class=RecordingApplication,
            dispatch_on_start=False,
        )
        self.app.add_error_handler(_record_failure)

    async def __aenter__(self) -> Replica:
        await self.app.initialize()
        assert self.app.post_init is not None
        await self.app.post_init(self.app)
        await self.app.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.app.stop()
        await self.app.shutdown()
        if self.app.post_shutdown is not None:
            await self.app.post_shutdown(self.app)
        self.bot.check_failures(self.app)

    async def handle(self, update: dict[str, Any]) -> None:
        """Handle one update to the end, background sends included."""
        app = self.app
        assert isinstance(app, RecordingApplication)
        await app.process_update(Update.de_json(update, app.bot))
        await app.settle([update["update_id"]], SETTLE_TIMEOUT)
