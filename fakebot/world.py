"""The fake Telegram's world: users, chats, memberships, messages, and the updates they cause.

Tests act as people through it (send a command, open a deep link, press a button by its label);
the bot sees those acts as updates from getUpdates. Whatever the bot sends is kept per chat, with
its buttons and edits, so tests can read the chat as a person would.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from fakebot.spec import ApiError

BOT_ID = 7000000001
BOT_USERNAME = "netwerkpols_test_bot"
MEMBER = "member"
ADMIN = "administrator"
OWNER = "creator"
LEFT = "left"
KICKED = "kicked"
PRESENT = {MEMBER, ADMIN, OWNER}


@dataclass
class User:
    """A Telegram account acting in a test."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None
    started: bool = False  # has a private chat with the bot
    blocked: bool = False  # has blocked the bot

    def as_api(self) -> dict[str, Any]:
        """The User object Telegram would send."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Netwerkpols",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Chat:
    """A private chat, group or supergroup."""

    id: int
    type: str
    title: str | None = None
    members: dict[int, str] = field(default_factory=dict)  # user id -> status
    migrated_to: int | None = None

    def as_api(self, world: World) -> dict[str, Any]:
        """The Chat object Telegram would send."""
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            data["first_name"] = world.users[self.id].first_name
        else:
            data["title"] = self.title
        return data

    @property
    def bot_status(self) -> str:
        """The bot's own status in this chat."""
        return self.members.get(BOT_ID, LEFT)


@dataclass
class Message:
    """A message in a chat, by a user or by the bot."""

    chat_id: int
    message_id: int
    from_id: int
    date: int
    text: str | None = None
    html: str | None = None
    reply_markup: dict[str, Any] | None = None
    photo: bytes | None = None
    document: tuple[str, bytes] | None = None
    caption: str | None = None
    edits: int = 0
    deleted: bool = False
    reply_to: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def by_bot(self) -> bool:
        """Whether the bot sent it."""
        return self.from_id == BOT_ID

    def buttons(self) -> list[dict[str, Any]]:
        """The inline buttons under the message, row by row flattened."""
        if not self.reply_markup:
            return []
        return [b for row in self.reply_markup.get("inline_keyboard", []) for b in row]

    def button(self, label: str) -> dict[str, Any]:
        """The button labelled label, or else the one whose label contains it (only one may)."""
        matches = [b for b in self.buttons() if b["text"] == label] or [
            b for b in self.buttons() if label in b["text"]
        ]
        if len(matches) != 1:
            labels = [b["text"] for b in self.buttons()]
            raise AssertionError(f"{len(matches)} buttons match {label!r}; there are {labels}")
        return matches[0]

    def as_api(self, world: World) -> dict[str, Any]:
        """The Message object Telegram would send."""
        chat = world.chats[self.chat_id]
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": chat.as_api(world),
        }
        data["from"] = BOT_USER if self.by_bot else world.users[self.from_id].as_api()
        if self.text is not None:
            data["text"] = self.text
            if self.text.startswith("/"):
                command = self.text.split()[0]
                data["entities"] = [
                    {
                        "type": "bot_command",
                        "offset": 0,
                        "length": len(command.encode("utf-16-le")) // 2,
                    }
                ]
        if self.caption is not None:
            data["caption"] = self.caption
        if self.photo is not None:
            data["photo"] = [
                {
                    "file_id": f"photo-{self.chat_id}-{self.message_id}",
                    "file_unique_id": f"p{self.message_id}",
                    "width": 800,
                    "height": 600,
                    "file_size": len(self.photo),
                }
            ]
        if self.document is not None:
            data["document"] = {
                "file_id": f"doc-{self.chat_id}-{self.message_id}",
                "file_unique_id": f"d{self.message_id}",
                "file_name": self.document[0],
                "file_size": len(self.document[1]),
            }
        if "media_group_id" in self.extra:
            data["media_group_id"] = self.extra["media_group_id"]
        if self.reply_markup:
            data["reply_markup"] = self.reply_markup
        if self.reply_to is not None:
            data["reply_to_message"] = world.message(self.chat_id, self.reply_to).as_api(world)
        if self.edits:
            data["edit_date"] = self.date
        data.update(self.extra)
        return data


@dataclass
class Hold:
    """A call that Telegram carried out but has not answered yet (see World.hold)."""

    method: str
    chat_id: int | None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def matches(self, method: str, values: dict[str, Any]) -> bool:
        if method != self.method or self.arrived.is_set():
            return False
        return self.chat_id is None or str(values.get("chat_id")) == str(self.chat_id)

    def release(self) -> None:
        self.released.set()


class World:
    """Everything the fake Telegram knows, and the acts of people in it."""

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        # Message dates come from here: the sandbox passes its jumpable clock.
        self.now = now
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.messages: dict[int, list[Message]] = {}
        self.updates: list[dict[str, Any]] = []
        self.callback_answers: dict[str, dict[str, Any] | None] = {}
        # Telegram takes the answer to a press only for a while (about 15 s); set to refuse
        # later answers as it does. Off by default: tests step through time at their own pace.
        self.callback_window: float | None = None
        self._pressed_at: dict[str, float] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.calls: list[tuple[float, str, dict[str, Any]]] = []
        self.rejections: list[tuple[str, int, str]] = []
        self.injected: list[tuple[str, ApiError, int | None]] = []
        self.holds: list[Hold] = []
        self.webhook: dict[str, Any] | None = None
        # While set (see second_taps), every press is tapped twice and the second tap is put
        # here instead of the queue, for another bot process to handle.
        self.second_taps: list[dict[str, Any]] | None = None
        # While set (see elsewhere), updates go here instead of the queue.
        self.diverted: list[dict[str, Any]] | None = None
        self._update_ids = itertools.count(1)
        self._user_ids = itertools.count(100001)
        self._group_ids = itertools.count(1001)
        self._callback_ids = itertools.count(1)
        self.sent_log: list[Message] = []
        self.changed = asyncio.Condition()

    # --- people and chats -------------------------------------------------------------------

    def user(
        self, first_name: str, *, language: str | None = "nl", username: str | None = None
    ) -> User:
        """A new Telegram user."""
        user = User(next(self._user_ids), first_name, username, language)
        self.users[user.id] = user
        return user

    def group(self, title: str, *, admins: list[User] = (), members: list[User] = ()) -> Chat:  # type: ignore[assignment]
        """A new basic group with these admins (the first is its owner) and members."""
        chat = Chat(-next(self._group_ids), "group", title)
        for index, admin in enumerate(admins):
            chat.members[admin.id] = OWNER if index == 0 else ADMIN
        for member in members:
            chat.members[member.id] = MEMBER
        self.chats[chat.id] = chat
        self.messages[chat.id] = []
        return chat

    def private_chat(self, user: User) -> Chat:
        """The private chat between user and the bot (its id is the user's id)."""
        if user.id not in self.chats:
            self.chats[user.id] = Chat(user.id, "private")
            self.messages[user.id] = []
        return self.chats[user.id]

    def message(self, chat_id: int, message_id: int) -> Message:
        """A message by chat and id."""
        for message in self.messages.get(chat_id, []):
            if message.message_id == message_id:
                return message
        raise ApiError(400, "Bad Request: message to edit not found")

    def bot_messages(self, chat: Chat | User) -> list[Message]:
        """What the bot has sent in a chat (for a user: their private chat), oldest first."""
        return [m for m in self.messages.get(chat.id, []) if m.by_bot and not m.deleted]

    def last_bot_message(self, chat: Chat | User) -> Message:
        """The newest message the bot sent in a chat."""
        sent = self.bot_messages(chat)
        if not sent:
            raise AssertionError("the bot has sent nothing in that chat")
        return sent[-1]

    @property
    def sent_count(self) -> int:
        """How many messages the bot has sent in all, for 'what came since' checks."""
        return len(self.sent_log)

    # --- updates ------------------------------------------------------------------------------

    async def push_update(self, kind: str, payload: dict[str, Any]) -> int:
        """Queue one update for getUpdates; returns its update_id."""
        update_id = next(self._update_ids)
        if self.diverted is not None:
            self.diverted.append({"update_id": update_id, kind: payload})
            return update_id
        async with self.changed:
            self.updates.append({"update_id": update_id, kind: payload})
            self.changed.notify_all()
        return update_id

    def _new_message(self, chat: Chat, from_id: int, **fields: Any) -> Message:
        messages = self.messages.setdefault(chat.id, [])
        message = Message(chat.id, len(messages) + 1, from_id, int(self.now()), **fields)
        messages.append(message)
        return message

    async def send(
        self, user: User, chat: Chat, text: str, *, reply_to: Message | None = None
    ) -> int | None:
        """user writes text in chat; returns the update_id, or None if the bot never sees it.

        In groups the bot's privacy mode applies: it only gets commands and replies to its own
        messages."""
        if chat.type == "private":
            # Writing to a bot opens (or, after a block, reopens) the conversation.
            user.started = True
            user.blocked = False
        elif chat.members.get(user.id) not in PRESENT:
            raise AssertionError(f"{user.first_name} is not in {chat.title}")
        message = self._new_message(
            chat, user.id, text=text, reply_to=reply_to.message_id if reply_to else None
        )
        addressed = text.startswith("/") or (reply_to is not None and reply_to.by_bot)
        if chat.type != "private" and (not addressed or chat.bot_status not in PRESENT):
            return None
        return await self.push_update("message", message.as_api(self))

    async def send_photo(self, user: User, chat: Chat) -> int:
        """user sends a photo without caption (in private chat)."""
        message = self._new_message(chat, user.id, photo=b"\x89PNG fake")
        return await self.push_update("message", message.as_api(self))

    async def press(self, user: User, message: Message, label: str) -> int:
        """user presses the inline button whose label contains label. A URL button that is a
        deep link into the bot opens the private chat with /start <payload>."""
        button = message.button(label)
        if "url" in button:
            return await self.open_link(user, button["url"])
        return await self.press_data(user, message, button["callback_data"])

    async def press_data(self, user: User, message: Message, data: str) -> int:
        """user's client sends this callback data for message (tests forge data with this)."""
        update_id, _ = await self.press_query(user, message, data)
        return update_id

    async def press_query(self, user: User, message: Message, data: str) -> tuple[int, str]:
        """As press_data; returns the update_id and the callback query's id."""
        query_id = str(next(self._callback_ids))
        self.callback_answers[query_id] = None
        self._pressed_at[query_id] = time.monotonic()
        payload = {
            "id": query_id,
            "from": user.as_api(),
            "message": message.as_api(self),
            "chat_instance": str(message.chat_id),
            "data": data,
        }
        if self.second_taps is not None:
            second = str(next(self._callback_ids))
            self.callback_answers[second] = None
            self.second_taps.append(
                {"update_id": next(self._update_ids), "callback_query": {**payload, "id": second}}
            )
        return await self.push_update("callback_query", payload), query_id

    def too_late(self, query_id: str) -> bool:
        """Whether Telegram would no longer take an answer to this press."""
        pressed = self._pressed_at.get(query_id)
        window = self.callback_window
        return window is not None and pressed is not None and time.monotonic() - pressed > window

    @contextlib.contextmanager
    def elsewhere(self) -> Iterator[list[dict[str, Any]]]:
        """Within the block what people do does not reach the queue but the list yielded, for
        another bot process behind the same webhook to handle."""
        with self._collecting("diverted") as taken:
            yield taken

    @contextlib.contextmanager
    def tapping_twice(self) -> Iterator[list[dict[str, Any]]]:
        """Within the block every press is a double tap: the first goes to the queue as usual,
        the second (the same button, its own callback query) into the list yielded, for a
        second bot process behind the same webhook to handle."""
        with self._collecting("second_taps") as taps:
            yield taps

    @contextlib.contextmanager
    def _collecting(self, attribute: str) -> Iterator[list[dict[str, Any]]]:
        collected: list[dict[str, Any]] = []
        setattr(self, attribute, collected)
        try:
            yield collected
        finally:
            setattr(self, attribute, None)

    async def open_link(self, user: User, url: str) -> int:
        """user opens a t.me deep link to the bot."""
        parsed = urlparse(url)
        if parsed.netloc != "t.me" or parsed.path.strip("/") != BOT_USERNAME:
            raise AssertionError(f"not a deep link into this bot: {url}")
        payload = parse_qs(parsed.query).get("start", [""])[0]
        chat = self.private_chat(user)
        update_id = await self.send(user, chat, f"/start {payload}".strip())
        assert update_id is not None
        return update_id

    async def add_bot(self, chat: Chat, by: User, *, as_admin: bool = False) -> int:
        """by adds the bot to a group."""
        return await self._bot_status(chat, by, ADMIN if as_admin else MEMBER)

    async def remove_bot(self, chat: Chat, by: User) -> int:
        """by removes the bot from a group."""
        return await self._bot_status(chat, by, KICKED)

    async def _bot_status(self, chat: Chat, by: User, status: str) -> int:
        old = chat.bot_status
        chat.members[BOT_ID] = status
        return await self._bot_member_update(chat, by, old, status)

    async def remove_member(self, chat: Chat, user: User, *, by: User | None = None) -> list[int]:
        """user leaves the group (by None) or by removes them: the service message every bot
        in the group gets, and when the bot is an admin also the chat_member update."""
        old = chat.members.get(user.id, LEFT)
        new = LEFT if by is None else KICKED
        chat.members[user.id] = new
        actor = by or user
        note = self._new_message(chat, actor.id, extra={"left_chat_member": user.as_api()})
        ids = []
        if chat.bot_status in PRESENT:
            ids.append(await self.push_update("message", note.as_api(self)))
        if chat.bot_status == ADMIN:
            payload = {
                "chat": chat.as_api(self),
                "from": actor.as_api(),
                "date": int(self.now()),
                "old_chat_member": self.chat_member(chat, user.id, old),
                "new_chat_member": self.chat_member(chat, user.id, new),
            }
            ids.append(await self.push_update("chat_member", payload))
        return ids

    async def block_bot(self, user: User) -> int:
        """user blocks the bot in their private chat."""
        user.blocked = True
        return await self._bot_member_update(self.private_chat(user), user, MEMBER, KICKED)

    async def _bot_member_update(self, chat: Chat, by: User, old: str, new: str) -> int:
        """The my_chat_member update for a change of the bot's status in chat."""
        payload = {
            "chat": chat.as_api(self),
            "from": by.as_api(),
            "date": int(self.now()),
            "old_chat_member": self.chat_member(chat, BOT_ID, old),
            "new_chat_member": self.chat_member(chat, BOT_ID, new),
        }
        return await self.push_update("my_chat_member", payload)

    async def migrate_to_supergroup(self, chat: Chat) -> tuple[Chat, list[int]]:
        """The group becomes a supergroup with a new id; both service messages are sent."""
        new = Chat(-1000000000000 + chat.id, "supergroup", chat.title, dict(chat.members))
        self.chats[new.id] = new
        self.messages[new.id] = []
        chat.migrated_to = new.id
        owner = next(uid for uid, status in chat.members.items() if status == OWNER)
        old_note = self._new_message(chat, owner, extra={"migrate_to_chat_id": new.id})
        new_note = self._new_message(new, owner, extra={"migrate_from_chat_id": chat.id})
        ids = [
            await self.push_update("message", old_note.as_api(self)),
            await self.push_update("message", new_note.as_api(self)),
        ]
        return new, ids

    def menu(self, user: User, chat: Chat) -> list[dict[str, Any]]:
        """The command menu user sees in chat, found as Telegram finds it: the narrowest scope
        set for that chat and person first, each in the person's language before the one for
        all languages (core.telegram.org/bots/api#determining-list-of-commands)."""
        if chat.type == "private":
            scopes = [f"chat:{chat.id}", "all_private_chats", "default"]
        else:
            admin = chat.members.get(user.id) in {OWNER, ADMIN}
            scopes = [
                f"chat_member:{chat.id}:{user.id}",
                *([f"chat_administrators:{chat.id}"] if admin else []),
                f"chat:{chat.id}",
                *(["all_chat_administrators"] if admin else []),
                "all_group_chats",
                "default",
            ]
        language = (user.language_code or "").split("-")[0]
        for scope in scopes:
            for lang in (language, ""):
                found = self.commands.get((scope, lang))
                if found is not None:
                    return found
        return []

    def chat_member(self, chat: Chat, user_id: int, status: str | None = None) -> dict[str, Any]:
        """The ChatMember object for a user in a chat."""
        status = status or chat.members.get(user_id, LEFT)
        user = BOT_USER if user_id == BOT_ID else self.users[user_id].as_api()
        data: dict[str, Any] = {"status": status, "user": user}
        if status == OWNER:
            data["is_anonymous"] = False
        elif status == ADMIN:
            data.update(
                {
                    key: False
                    for key in (
                        "can_be_edited",
                        "is_anonymous",
                        "can_post_stories",
                        "can_edit_stories",
                        "can_delete_stories",
                        "can_promote_members",
                    )
                }
            )
            data.update(
                {
                    key: True
                    for key in (
                        "can_manage_chat",
                        "can_delete_messages",
                        "can_manage_video_chats",
                        "can_restrict_members",
                        "can_change_info",
                        "can_invite_users",
                    )
                }
            )
        elif status == KICKED:
            data["until_date"] = 0
        return data

    # --- what the bot does -------------------------------------------------------------------

    def bot_says(self, chat: Chat, **fields: Any) -> Message:
        """Record a message from the bot."""
        message = self._new_message(chat, BOT_ID, **fields)
        self.sent_log.append(message)
        return message

    def inject(self, method: str, error: ApiError, chat_id: int | None = None) -> None:
        """Make the next call of method (to chat_id, if given) fail with error (a 429, a
        502, ...)."""
        self.injected.append((method, error, chat_id))

    def hold(self, method: str, chat_id: int | None = None) -> Hold:
        """Make the next call of method (to chat_id, if given) take effect but keep its answer
        back until released: a message on its way while people go on acting."""
        held = Hold(method, chat_id)
        self.holds.append(held)
        return held
