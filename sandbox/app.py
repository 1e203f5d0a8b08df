"""The sandbox: the real bot, the fake Telegram and the demo people, in one event loop.

Every act of a visitor (write, press a button, open a link, jump ahead) goes through the fake
Telegram as an update and returns once the bot has handled it, so the page can show the
answer at once. Acts are taken one at a time, as one person at one keyboard would.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from domain.calendar import add_months
from domain.clock import ShiftedClock
from domain.profiles import Channel
from domain.tables import MEETINGS, SHARES
from fakebot.html import to_web_html
from fakebot.recording import RecordingApplication
from fakebot.server import FakeBotApi
from fakebot.world import PRESENT, Chat, Message, User, World
from handlers.base import services_of
from i18n import t
from sandbox.demo import (
    CAST,
    DEMO_TABLE,
    GROUP_TITLE,
    LEAD_BUTTON,
    PROFILE_COMMAND,
    TABLE_COMMAND,
    TABLE_SEATS,
    WORKING_GROUP,
    DemoPerson,
    DemoProfile,
    join_labels,
)
from sandbox.local import start_local_bot, stop_local_bot
from settings import Settings, SettingsError
from views.profiles import (
    CHANNEL_LABELS,
    CONSENT_BUTTON,
    CONTACT_BUTTON,
    FIELD_BUTTONS,
    LIMIT_BUTTON,
)

log = logging.getLogger(__name__)

SETTLE_SECONDS = 30.0
MAX_STOPS = 2000  # moments a jump stops at, at most (half a year of daily reminders and more)
JUMPS = {"day": dt.timedelta(days=1), "week": dt.timedelta(weeks=1), "halfyear": None}


class SandboxError(Exception):
    """An act the sandbox cannot do; the message is an English msgid for the page."""


def sandbox_settings(settings: Settings) -> Settings:
    """The bot's settings for the sandbox: its own SQLite file, the local fake, no pacing."""
    sandbox_file = _sqlite_file(settings.sandbox_database_url)
    if sandbox_file is None:
        raise SettingsError("SANDBOX_DATABASE_URL must be a SQLite file (sqlite+aiosqlite:///…).")
    if sandbox_file == _sqlite_file(settings.database_url):
        raise SettingsError("SANDBOX_DATABASE_URL must differ from DATABASE_URL.")
    return settings.model_copy(
        update={
            "database_url": settings.sandbox_database_url,
            "webhook_url": "",
            "chat_send_interval_seconds": 0.0,
            "dispatch_interval_seconds": 2.0,
        }
    )


def _sqlite_file(database_url: str) -> Path | None:
    """The file of a SQLite URL, resolved; None for other databases and in-memory SQLite."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).resolve()


class Sandbox:
    """One sandbox world with its bot."""

    def __init__(self, settings: Settings) -> None:
        self.settings = sandbox_settings(settings)
        self.clock = ShiftedClock()
        self.world = World(now=lambda: self.clock.now().timestamp())
        self.api = FakeBotApi(self.world)
        self.app: RecordingApplication | None = None
        self.cast: dict[int, DemoPerson] = {}
        self.users: dict[str, User] = {}
        self.group: Chat | None = None
        self._turn = asyncio.Lock()

    # --- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the fake Telegram and the bot on an empty sandbox database."""
        self._empty_database()
        await self.api.start()
        settings = self.settings.model_copy(
            update={
                "telegram_api_base_url": self.api.base_url,
                "telegram_bot_token": SecretStr(self.api.token),
            }
        )
        self.app = await start_local_bot(settings, self.clock, dispatch_on_start=True)
        self._create_people()

    async def stop(self) -> None:
        """Stop the bot and the fake."""
        if self.app is not None:
            await stop_local_bot(self.app)
            self.app = None
        await self.api.stop()

    def _empty_database(self) -> None:
        path = Path(make_url(self.settings.database_url).database or "")
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)

    def _create_people(self) -> None:
        lang = self.settings.default_language
        for person in CAST:
            user = self.world.user(person.first_name, language=lang)
            self.cast[user.id] = person
            self.users[person.key] = user
        coordinator = next(self.users[p.key] for p in CAST if p.coordinator)
        others = [u for u in self.users.values() if u is not coordinator]
        self.group = self.world.group(GROUP_TITLE, admins=[coordinator], members=others)

    @property
    def application(self) -> RecordingApplication:
        assert self.app is not None, "the sandbox is not running"
        return self.app

    # --- acts -----------------------------------------------------------------------------------

    async def _settle(self, update_id: Any) -> None:
        ids = update_id if isinstance(update_id, list) else [update_id]
        try:
            await self.application.settle(ids, SETTLE_SECONDS)
        except TimeoutError:
            raise SandboxError("The bot did not answer in time.") from None

    def user(self, user_id: int) -> User:
        """A demo person by Telegram id."""
        user = self.world.users.get(user_id)
        if user is None or user_id not in self.cast:
            raise SandboxError("There is no such person in the sandbox.")
        return user

    def chat(self, chat_id: int) -> Chat:
        """A chat of the sandbox: the group or someone's private chat with the bot."""
        if self.group is not None and chat_id == self.group.id:
            return self.group
        return self.world.private_chat(self.user(chat_id))

    async def send(self, user_id: int, chat_id: int, text: str) -> None:
        """user writes text in chat (their private chat, or the group)."""
        text = text.strip()
        if not text:
            raise SandboxError("Type a message first.")
        if len(text) > 4096:
            raise SandboxError("Telegram allows at most 4,096 characters in a message.")
        async with self._turn:
            user, chat = self.user(user_id), self.chat(chat_id)
            if chat.type == "private" and chat.id != user.id:
                raise SandboxError("Only the person whose chat this is can write in it.")
            await self._settle(await self.world.send(user, chat, text))

    async def press(
        self, user_id: int, chat_id: int, message_id: int, row: int, column: int
    ) -> tuple[int | None, dict[str, Any] | None]:
        """user presses a button; returns the private chat a deep link opened, if one did, and
        the pop-up Telegram would show ({text, alert}), if the bot answered with a text."""
        async with self._turn:
            user, chat = self.user(user_id), self.chat(chat_id)
            message = self._message(chat, message_id)
            try:
                found = message.reply_markup["inline_keyboard"][row][column]  # type: ignore[index]
            except (TypeError, KeyError, IndexError):
                raise SandboxError("That button is no longer there.") from None
            if "url" in found:
                return await self._open(user, str(found["url"])), None
            await self._settle(await self.world.press_data(user, message, found["callback_data"]))
            answers = self.world.callback_answers
            answer = answers[max(answers, key=int)] or {}
            if not answer.get("text"):
                return None, None
            return None, {"text": answer["text"], "alert": bool(answer.get("show_alert"))}

    async def open_link(self, user_id: int, url: str) -> int | None:
        """user follows a link in a message."""
        async with self._turn:
            return await self._open(self.user(user_id), url)

    async def _open(self, user: User, url: str) -> int | None:
        try:
            update_id = await self.world.open_link(user, url)
        except AssertionError:
            raise SandboxError("That link leads outside the sandbox.") from None
        await self._settle(update_id)
        return user.id

    def _message(self, chat: Chat, message_id: int) -> Message:
        for message in self.world.messages.get(chat.id, []):
            if message.message_id == message_id and not message.deleted:
                return message
        raise SandboxError("That message is no longer there.")

    async def jump(self, step: str) -> dt.datetime:
        """Move the bot's clock ahead and deliver everything that fell due meanwhile."""
        if step not in JUMPS:
            raise SandboxError("The sandbox can jump a day, a week or half a year.")
        async with self._turn:
            now = self.clock.now()
            delta = JUMPS[step]
            if delta is None:  # six calendar months, as the half-yearly reviews count them
                delta = dt.datetime.combine(add_months(now.date(), 6), now.timetz()) - now
            await self._live_through(now + delta)
            return self.clock.now()

    async def _live_through(self, target: dt.datetime) -> None:
        """Move the clock to target the way time passes: stopping at each moment something
        falls due (a reminder, a deadline, the office opening after a night) and sending it
        then, so every message is dated when the bot would have sent it."""
        dispatcher = services_of(self.application).dispatcher
        for _ in range(MAX_STOPS):
            due = await dispatcher.next_due()
            if due is None or due > target:
                break
            if due > self.clock.now():
                self.clock.jump(due - self.clock.now())
            report = await dispatcher.run_until_idle(max_rounds=1000)
            if report.claimed == 0 and due <= self.clock.now():
                break  # due but not to be claimed now (leased elsewhere): the job sends it
        if target > self.clock.now():
            self.clock.jump(target - self.clock.now())
        await dispatcher.run_until_idle(max_rounds=1000)

    async def create_demo_network(self, lang: str) -> None:
        """The coordinator adds the bot and sets up the group; five partners join."""
        async with self._turn:
            group = self.group
            assert group is not None
            if group.bot_status in PRESENT:
                raise SandboxError("The demo network is already there.")
            for user in self.users.values():
                user.language_code = lang
            coordinator = next(self.users[p.key] for p in CAST if p.coordinator)
            await self._settle(await self.world.add_bot(group, coordinator))
            setup = (
                "/setup" if lang == self.settings.default_language else f"/setup language {lang}"
            )
            await self._settle(await self.world.send(coordinator, group, setup))
            invitation = self.world.last_bot_message(group)
            for person in CAST:
                if person.coordinator:
                    continue
                await self._join(invitation, self.users[person.key], person, lang)
            await self._settle(
                await self.world.send(coordinator, self.world.private_chat(coordinator), "/start")
            )
            # A working group with its trekker, so actions can be tried at once.
            command = f"/workgroup {t(lang, WORKING_GROUP)}"
            await self._settle(await self.world.send(coordinator, group, command))
            trekker = next(self.users[p.key] for p in CAST if p.trekker)
            announcement = self.world.last_bot_message(group)
            await self._settle(await self.world.press(trekker, announcement, t(lang, LEAD_BUTTON)))
            # Two organisations introduce themselves; the police has a contact for signals.
            for person in CAST:
                if person.profile is not None:
                    await self._fill_profile(self.users[person.key], person.profile, lang)
            await self._set_up_table(coordinator, lang)

    async def _set_up_table(self, coordinator: User, lang: str) -> None:
        """A board table of four with a third of its seats rotating, as the coordinator would."""
        chat = self.world.private_chat(coordinator)
        await self._settle(
            await self.world.send(coordinator, chat, TABLE_COMMAND.get(lang, TABLE_COMMAND["en"]))
        )
        await self._settle(await self.world.send(coordinator, chat, t(lang, DEMO_TABLE)))
        seats = [p.organisation for p in CAST if p.key in TABLE_SEATS]
        quarterly, third = MEETINGS["quarterly"], SHARES[3]
        labels = [t(lang, quarterly), *seats, t(lang, "Next"), t(lang, third), t(lang, "Save")]
        for label in labels:
            shown = self.world.last_bot_message(coordinator)
            await self._settle(await self.world.press(coordinator, shown, label))

    async def _fill_profile(self, user: User, profile: DemoProfile, lang: str) -> None:
        """As the partner would: /profiel, the buttons under the card, typed answers."""
        chat = self.world.private_chat(user)

        async def press(label: str) -> None:
            await self._settle(
                await self.world.press(user, self.world.last_bot_message(user), label)
            )

        async def say(text: str) -> None:
            await self._settle(await self.world.send(user, chat, text))

        await say(PROFILE_COMMAND.get(lang, PROFILE_COMMAND["en"]))
        interests = FIELD_BUTTONS["interests"]
        await press(t(lang, interests))
        await say(t(lang, profile.interests))
        await press(t(lang, LIMIT_BUTTON))
        await say(t(lang, profile.limit))
        await press(t(lang, profile.reason.label))
        if profile.contact_when is not None:
            await press(t(lang, CONTACT_BUTTON))
            await press(t(lang, CHANNEL_LABELS[Channel.TELEGRAM]))
            await say(t(lang, profile.contact_when))
            await press(t(lang, CONSENT_BUTTON))

    async def _join(self, invitation: Message, user: User, person: DemoPerson, lang: str) -> None:
        join, kind, level, confirm = join_labels(lang, person)
        await self._settle(await self.world.press(user, invitation, join))
        chat = self.world.private_chat(user)
        await self._settle(await self.world.send(user, chat, person.organisation))
        for label in (kind, level, confirm):
            await self._settle(
                await self.world.press(user, self.world.last_bot_message(user), label)
            )

    # --- what the page shows ------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Everything the page draws: the clock, the people and the chats with their messages."""
        group = self.group
        assert group is not None
        chats = [self._chat_state(group, group.title or "")]
        chats += [
            self._chat_state(self.world.private_chat(user), user.first_name)
            for user in self.users.values()
        ]
        return {
            "now": self.clock.now().isoformat(),
            "shifted_days": round(self.clock.offset.total_seconds() / 86400, 1),
            "bot_in_group": group.bot_status in PRESENT,
            "people": [
                {
                    "id": user.id,
                    "name": user.first_name,
                    "organisation": self.cast[user.id].organisation,
                    "role": self.cast[user.id].role,
                    # The "/" menu Telegram shows them: in the group, and in their own chat.
                    "group_menu": _menu(self.world.menu(user, group)),
                    "private_menu": _menu(self.world.menu(user, self.world.private_chat(user))),
                }
                for user in self.users.values()
            ],
            "group_id": group.id,
            "chats": chats,
        }

    def _chat_state(self, chat: Chat, title: str) -> dict[str, Any]:
        return {
            "id": chat.id,
            "type": chat.type,
            "title": title,
            "messages": [
                self._message_state(m)
                for m in self.world.messages.get(chat.id, [])
                if not m.deleted
            ],
        }

    def _message_state(self, message: Message) -> dict[str, Any]:
        sender = "Netwerkpols" if message.by_bot else self.world.users[message.from_id].first_name
        body = message.html if message.by_bot and message.html else None
        data: dict[str, Any] = {
            "id": message.message_id,
            "from": sender,
            "by_bot": message.by_bot,
            "date": message.date,
            "html": to_web_html(body) if body else None,
            "text": None if body else _shown_text(message),
            "edited": message.edits > 0,
            "photo": bool(message.photo),
            "document": message.document[0] if message.document else None,
            "buttons": [
                [{"text": b["text"], "url": "url" in b} for b in row]
                for row in (message.reply_markup or {}).get("inline_keyboard", [])
            ],
        }
        return data

    def photo(self, chat_id: int, message_id: int) -> bytes:
        """A photo the bot sent."""
        message = self._message(self.chat(chat_id), message_id)
        if not message.photo:
            raise SandboxError("That message has no picture.")
        return message.photo

    def document(self, chat_id: int, message_id: int) -> tuple[str, bytes]:
        """A file the bot sent (an export)."""
        message = self._message(self.chat(chat_id), message_id)
        if not message.document:
            raise SandboxError("That message has no file.")
        return message.document


def _menu(commands: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"command": c["command"], "description": c["description"]} for c in commands]


def _shown_text(message: Message) -> str:
    """What a person's client shows of their message: a deep link's /start without its code."""
    text = message.text or message.caption or ""
    return "/start" if text.startswith("/start ") and not message.by_bot else text
