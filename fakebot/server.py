"""A fake Telegram Bot API server on 127.0.0.1 for the real Application to talk to over HTTP.

Every call is checked against the official spec, then against Telegram's own rules (text length,
HTML, callback data, who may be written to), and then acted out on the World. A refused call is
answered exactly like Telegram answers it, and remembered in World.rejections so that a test can
fail on a refusal the bot swallowed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import BodyPartReader, web

from fakebot import html
from fakebot.limits import SENDING_METHODS, StrictLimits, TelegramLimits
from fakebot.spec import (
    ApiError,
    UploadedFile,
    bad_request,
    check_call,
    check_object,
    method_named,
)
from fakebot.world import BOT_ID, BOT_USER, KICKED, LEFT, PRESENT, Chat, Message, World

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ALERT_LIMIT = 200
MAX_POLL_SECONDS = 5.0

Handler = Callable[["FakeBotApi", dict[str, Any]], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    """Register the implementation of a Bot API method."""

    def register(func: Handler) -> Handler:
        METHODS[name] = func
        return func

    return register


class FakeBotApi:
    """The server: start() it, point the bot at base_url, act through world."""

    def __init__(
        self,
        world: World | None = None,
        token: str = f"{BOT_ID}:TEST-token-for-the-fake-bot-api-000",
        *,
        limits: TelegramLimits | StrictLimits | None = None,
    ) -> None:
        self.world = world or World()
        self.token = token
        # Telegram's sending limits, enforced only when given (benchmarks of the dispatcher).
        self.limits = limits
        # Told of every call the fake accepted, as it answers (benchmarks time answers by it).
        self.on_call: Callable[[str, dict[str, Any], Any], None] | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.closing = False

    @property
    def base_url(self) -> str:
        """What TELEGRAM_API_BASE_URL must be for the bot to use this server."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        """Stop listening, first releasing any getUpdates that is still waiting."""
        self.closing = True
        async with self.world.changed:
            self.world.changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        try:
            raw = await _read_parameters(request)
            attached = _attachments(raw)
            canonical, values = check_call(
                name, {k: v for k, v in raw.items() if k not in attached}
            )
            values.update(attached)
            self.world.calls.append((time.monotonic(), canonical, values))
            for index, (target, injected, chat) in enumerate(self.world.injected):
                if target == canonical and chat in (None, values.get("chat_id")):
                    del self.world.injected[index]
                    raise injected
            if self.limits is not None and canonical in getattr(
                self.limits, "methods", SENDING_METHODS
            ):
                chat_id = int(values["chat_id"])
                self.limits.admit(chat_id, is_group=chat_id < 0)
            implementation = METHODS.get(canonical)
            if implementation is None:
                raise ApiError(501, f"Not Implemented: the fake has no {canonical}")
            result = await implementation(self, values)
            returns = method_named(canonical)["returns"]
            if isinstance(result, (dict, list)) and returns[0] != "Boolean":
                check_object(returns[0], result, f"{canonical} result")
            for held in self.world.holds:
                if held.matches(canonical, values):
                    held.arrived.set()
                    await held.released.wait()
                    break
            if self.on_call is not None:
                self.on_call(canonical, values, result)
        except ApiError as error:
            # Rate limits and migrations are Telegram steering the bot, not the bot doing wrong.
            if not error.parameters and "not modified" not in error.description:
                self.world.rejections.append((name, error.status, error.description))
            return _error(error)
        return web.json_response({"ok": True, "result": result})


def _attachments(raw: dict[str, Any]) -> dict[str, UploadedFile]:
    """Uploaded files a parameter names as attach://<name> (the files of a media group): they
    are no parameters of their own. A file nothing names stays, and is refused as unknown."""
    named = " ".join(v for v in raw.values() if isinstance(v, str) and "attach://" in v)
    return {
        key: value
        for key, value in raw.items()
        if isinstance(value, UploadedFile) and f'"attach://{key}"' in named
    }


def _error(error: ApiError) -> web.Response:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": error.status,
        "description": error.description,
    }
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.status)


async def _read_parameters(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        body = await request.json()
        return dict(body or {})
    if request.content_type == "multipart/form-data":
        values: dict[str, Any] = {}
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader) or part.name is None:
                raise bad_request("nested or unnamed multipart parts are not supported")
            if part.name in values:
                raise bad_request(f"the multipart field {part.name} is sent twice")
            if part.filename:
                values[part.name] = UploadedFile(part.filename, bytes(await part.read()))
            else:
                values[part.name] = await part.text()
        return values
    if request.method == "POST":
        return dict(await request.post())
    return dict(request.query)


# --- helpers -------------------------------------------------------------------------------------


def _chat(api: FakeBotApi, chat_id: Any) -> Chat:
    world = api.world
    chat = world.chats.get(int(chat_id))
    if chat is None:
        raise bad_request("chat not found")
    if chat.migrated_to is not None:
        raise ApiError(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            migrate_to_chat_id=chat.migrated_to,
        )
    return chat


def _writable(api: FakeBotApi, chat_id: Any) -> Chat:
    chat = _chat(api, chat_id)
    if chat.type == "private":
        user = api.world.users[chat.id]
        if user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if not user.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
    elif chat.bot_status == "kicked":
        raise ApiError(403, "Forbidden: bot was kicked from the group chat")
    elif chat.bot_status not in PRESENT:
        raise ApiError(403, "Forbidden: bot is not a member of the group chat")
    return chat


def _formatted(text: str, parse_mode: str | None, limit: int, what: str = "message") -> str:
    if parse_mode not in (None, "HTML"):
        raise bad_request(f"the fake only supports HTML parse mode, not {parse_mode}")
    visible = html.parse(text) if parse_mode == "HTML" else text
    if not visible.strip():
        raise bad_request(f"{what} text is empty")
    if html.utf16_length(visible) > limit:
        raise bad_request(f"{what} is too long")
    return visible


def _markup(values: dict[str, Any]) -> dict[str, Any] | None:
    markup = values.get("reply_markup")
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("the fake supports inline keyboards only")
    return markup


def _bot_message(api: FakeBotApi, values: dict[str, Any]) -> Message:
    if "inline_message_id" in values:
        raise bad_request("inline messages are not used by this bot")
    chat = _chat(api, values["chat_id"])
    message = api.world.message(chat.id, int(values["message_id"]))
    if not message.by_bot:
        raise bad_request("message can't be edited")
    if message.deleted:
        raise bad_request("message to edit not found")
    return message


# --- methods -------------------------------------------------------------------------------------


@method("getMe")
async def get_me(api: FakeBotApi, values: dict[str, Any]) -> Any:
    return BOT_USER


@method("getUpdates")
async def get_updates(api: FakeBotApi, values: dict[str, Any]) -> Any:
    world = api.world
    offset = int(values.get("offset", 0))
    limit = int(values.get("limit", 100))
    timeout = min(float(values.get("timeout", 0)), MAX_POLL_SECONDS)
    allowed = values.get("allowed_updates")

    def pending() -> list[dict[str, Any]]:
        if offset:
            world.updates[:] = [u for u in world.updates if u["update_id"] >= offset]
        found = world.updates
        if allowed:
            found = [u for u in found if any(kind in u for kind in allowed)]
        return found[:limit]

    async with world.changed:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                world.changed.wait_for(lambda: api.closing or bool(pending())), timeout
            )
        return pending()


@method("deleteWebhook")
async def delete_webhook(api: FakeBotApi, values: dict[str, Any]) -> Any:
    api.world.webhook = None
    return True


@method("setWebhook")
async def set_webhook(api: FakeBotApi, values: dict[str, Any]) -> Any:
    api.world.webhook = values
    return True


def _scope_target(api: FakeBotApi, scope: dict[str, Any] | None) -> None:
    """A scope naming a chat (and a user in it) needs a chat the bot can reach, as Telegram's."""
    if scope and "chat_id" in scope:
        chat = _chat(api, scope["chat_id"])
        if chat.type == "private" and not api.world.users[chat.id].started:
            raise bad_request("chat not found")
        if "user_id" in scope and chat.members.get(int(scope["user_id"])) in (None, LEFT, KICKED):
            raise bad_request("user not found")


@method("deleteMyCommands")
async def delete_my_commands(api: FakeBotApi, values: dict[str, Any]) -> Any:
    _scope_target(api, values.get("scope"))
    api.world.commands.pop((scope_key(values.get("scope")), values.get("language_code", "")), None)
    return True


@method("setMyCommands")
async def set_my_commands(api: FakeBotApi, values: dict[str, Any]) -> Any:
    _scope_target(api, values.get("scope"))
    for command in values["commands"]:
        name, description = command["command"], command["description"]
        if not (1 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.islower()):
            raise bad_request(f"BOT_COMMAND_INVALID: {name}")
        if not 1 <= len(description) <= 256:
            raise bad_request(f"BOT_COMMAND_DESCRIPTION_INVALID: {name}")
    api.world.commands[(scope_key(values.get("scope")), values.get("language_code", ""))] = values[
        "commands"
    ]
    return True


def scope_key(scope: dict[str, Any] | None) -> str:
    """A BotCommandScope as World.commands keys it: its type, with the chat and user it names
    ('chat:1001', 'chat_member:1001:100001')."""
    scope = scope or {"type": "default"}
    key = str(scope["type"])
    for field in ("chat_id", "user_id"):
        if field in scope:
            key += f":{scope[field]}"
    return key


@method("sendMessage")
async def send_message(api: FakeBotApi, values: dict[str, Any]) -> Any:
    chat = _writable(api, values["chat_id"])
    text = values["text"]
    visible = _formatted(text, values.get("parse_mode"), TEXT_LIMIT)
    reply_to = values.get("reply_parameters", {}).get("message_id")
    message = api.world.bot_says(
        chat, text=visible, html=text, reply_markup=_markup(values), reply_to=reply_to
    )
    return message.as_api(api.world)


def _uploaded(values: dict[str, Any], field: str) -> UploadedFile:
    upload = values[field]
    if not isinstance(upload, UploadedFile) or not upload.content:
        raise bad_request(f"the fake expects the {field} as an uploaded file")
    return upload


def _caption(values: dict[str, Any]) -> tuple[str | None, str | None]:
    """The caption as sent (HTML) and as seen; both None without one."""
    caption = values.get("caption")
    if not caption:
        return None, None
    return caption, _formatted(caption, values.get("parse_mode"), CAPTION_LIMIT, "caption")


@method("sendPhoto")
async def send_photo(api: FakeBotApi, values: dict[str, Any]) -> Any:
    chat = _writable(api, values["chat_id"])
    photo = _uploaded(values, "photo")
    caption, visible = _caption(values)
    message = api.world.bot_says(
        chat, photo=photo.content, caption=visible, html=caption, reply_markup=_markup(values)
    )
    return message.as_api(api.world)


@method("sendDocument")
async def send_document(api: FakeBotApi, values: dict[str, Any]) -> Any:
    chat = _writable(api, values["chat_id"])
    document = _uploaded(values, "document")
    caption, visible = _caption(values)
    message = api.world.bot_says(
        chat, document=(document.filename, document.content), caption=visible, html=caption
    )
    return message.as_api(api.world)


@method("sendMediaGroup")
async def send_media_group(api: FakeBotApi, values: dict[str, Any]) -> Any:
    """An album: 2 to 10 documents (or photos), each file attached by name, shown together."""
    chat = _writable(api, values["chat_id"])
    media = values["media"]
    if isinstance(media, str):
        media = json.loads(media)
    if not 2 <= len(media) <= 10:
        raise bad_request("media group must contain 2-10 items")
    kinds = {item.get("type") for item in media}
    if len(kinds) > 1 and "document" in kinds:
        raise bad_request("documents can't be mixed with other media types in a media group")
    group_id = str(len(api.world.sent_log) + 1)
    sent = []
    for index, item in enumerate(media):
        reference = str(item.get("media", ""))
        if not reference.startswith("attach://"):
            raise bad_request("the fake expects every file of a media group as an upload")
        upload = values.get(reference.removeprefix("attach://"))
        if not isinstance(upload, UploadedFile) or not upload.content:
            raise bad_request(f"media[{index}]: the attached file is missing")
        caption, visible = _caption(item)
        fields: dict[str, Any] = {"caption": visible, "html": caption}
        if item.get("type") == "document":
            fields["document"] = (upload.filename, upload.content)
        else:
            fields["photo"] = upload.content
        message = api.world.bot_says(chat, **fields)
        message.extra["media_group_id"] = group_id
        sent.append(message.as_api(api.world))
    return sent


@method("editMessageText")
async def edit_message_text(api: FakeBotApi, values: dict[str, Any]) -> Any:
    message = _bot_message(api, values)
    text = values["text"]
    visible = _formatted(text, values.get("parse_mode"), TEXT_LIMIT)
    markup = _markup(values)
    if message.html == text and message.reply_markup == markup:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    message.text, message.html, message.reply_markup = visible, text, markup
    message.edits += 1
    return message.as_api(api.world)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(api: FakeBotApi, values: dict[str, Any]) -> Any:
    message = _bot_message(api, values)
    markup = _markup(values)
    if message.reply_markup == markup:
        raise bad_request("message is not modified")
    message.reply_markup = markup
    message.edits += 1
    return message.as_api(api.world)


@method("deleteMessage")
async def delete_message(api: FakeBotApi, values: dict[str, Any]) -> Any:
    message = _bot_message(api, values)
    message.deleted = True
    return True


@method("answerCallbackQuery")
async def answer_callback_query(api: FakeBotApi, values: dict[str, Any]) -> Any:
    query_id = values["callback_query_id"]
    answers = api.world.callback_answers
    if query_id not in answers or answers[query_id] is not None or api.world.too_late(query_id):
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = values.get("text", "")
    if len(text) > ALERT_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")
    answers[query_id] = values
    return True


@method("getChatMember")
async def get_chat_member(api: FakeBotApi, values: dict[str, Any]) -> Any:
    chat = _chat(api, values["chat_id"])
    if chat.bot_status not in PRESENT and chat.type != "private":
        raise ApiError(403, "Forbidden: bot is not a member of the group chat")
    user_id = int(values["user_id"])
    if user_id not in api.world.users and user_id != BOT_ID:
        raise bad_request("user not found")
    return api.world.chat_member(chat, user_id)


@method("getChat")
async def get_chat(api: FakeBotApi, values: dict[str, Any]) -> Any:
    chat = _chat(api, values["chat_id"])
    return {
        **chat.as_api(api.world),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


@method("close")
async def close(api: FakeBotApi, values: dict[str, Any]) -> Any:
    return True


def dump(value: Any) -> str:
    """JSON for debugging output."""
    return json.dumps(value, ensure_ascii=False, indent=1)
