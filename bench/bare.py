"""The baseline: a bare python-telegram-bot bot on the same fake, with no logic and no
database. Imports nothing of Netwerkpols, so its memory is the framework's floor."""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
import time
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from fakebot.recording import RecordingApplication
from fakebot.server import FakeBotApi
from schedules.transport import AiohttpRequest

ITEMS = 7  # the Netwerktoets's items: a press per item, then 'no comment' and 'submit'


def answer_data(round_id: int) -> list[str]:
    """One partner's presses while answering a round."""
    scores = [f"ra:{round_id}:{i}:{random.randint(1, 10)}" for i in range(ITEMS)]
    return [*scores, f"rc:{round_id}", f"rv:{round_id}"]


def _keyboard(data: str) -> InlineKeyboardMarkup:
    """A keyboard shaped as a question's (1-10 in two rows, don't know, back): the edit carries
    as much as ours does, so the comparison is of the logic, not of the payload."""
    scores = [InlineKeyboardButton(str(v), callback_data=f"{data}:{v}") for v in range(1, 11)]
    return InlineKeyboardMarkup(
        [
            scores[:5],
            scores[5:],
            [InlineKeyboardButton("Weet ik niet", callback_data=f"{data}:0")],
            [InlineKeyboardButton("◀ Terug", callback_data=f"{data}:back")],
        ]
    )


async def bare_application(
    api: FakeBotApi | None = None,
    *,
    callback: bool = False,
    token: str = "",
    base_url: str = "",
    aiohttp: bool = False,
) -> RecordingApplication:
    """Started and polling: on a press it answers and edits the message to a question with a
    keyboard (the submit: to a receipt, then a thank-you message), or it echoes a command.
    aiohttp: on the HTTP client Netwerkpols uses (schedules/transport.py) instead of
    python-telegram-bot's default (httpx)."""

    async def press(update: Update, context: Any) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        await query.answer()
        if query.data.startswith("rv:"):
            await query.edit_message_text("<b>Ingestuurd.</b>", parse_mode=ParseMode.HTML)
            assert query.message is not None
            # A bare bot has no limiter: in a crowd Telegram refuses some thank-yous (429),
            # and a bare bot does not care.
            with contextlib.suppress(RetryAfter):
                await context.bot.send_message(query.message.chat.id, "Dank je wel!")
            return
        text = f"<b>Vraag {update.update_id}</b>\n{query.data}"
        await query.edit_message_text(
            text, parse_mode=ParseMode.HTML, reply_markup=_keyboard(query.data[:40])
        )

    async def echo(update: Update, context: Any) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("echo")

    builder = (
        Application.builder()
        .application_class(RecordingApplication)
        .token(api.token if api else token)
        .base_url(f"{api.base_url if api else base_url}/bot")
    )
    if aiohttp:
        builder = builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest(pool_size=1))
    application = builder.build()
    application.add_handler(
        CallbackQueryHandler(press)
        if callback
        else CommandHandler(["help", "actions", "summary"], echo)
    )
    await application.initialize()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=5)
    await application.start()
    return application  # type: ignore[return-value]


async def stop(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop polling and shut down."""
    assert application.updater is not None
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


async def answer_round_bare(api: FakeBotApi, partners: int) -> tuple[float, int]:
    """Partners' presses to the bare bot: CPU seconds until all are handled, and how many."""
    world = api.world
    bare = await bare_application(api, callback=True)
    presses = []
    for number in range(partners):
        user = world.user(f"Kaal {number}")
        user.started = True
        for data in answer_data(1):
            message = world.bot_says(world.private_chat(user), text="start", html="start")
            presses.append((user, message, data))
    cpu = time.process_time()
    ids: list[int | None] = [
        await world.press_data(user, message, data) for user, message, data in presses
    ]
    await bare.settle(ids, 30)
    cpu = time.process_time() - cpu
    await stop(bare)
    return cpu, len(ids)


async def serve(base_url: str, token: str, transport: str = "httpx") -> None:
    """Answer presses until stdin closes (bench.crowd runs this as its own process; transport
    httpx or aiohttp)."""
    bare = await bare_application(
        callback=True, token=token, base_url=base_url, aiohttp=transport == "aiohttp"
    )
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await stop(bare)


if __name__ == "__main__":
    asyncio.run(serve(*sys.argv[1:4]))
