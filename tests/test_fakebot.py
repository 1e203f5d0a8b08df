"""The fake Telegram refuses what Telegram refuses, so the bot's tests mean something."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, InvalidToken

from fakebot import html
from fakebot.server import FakeBotApi
from fakebot.spec import ApiError, check_call
from fakebot.world import World


@pytest.fixture
async def telegram(fake_api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(fake_api.token, base_url=f"{fake_api.base_url}/bot") as client:
        yield client


@pytest.fixture
def group(world: World):  # type: ignore[no-untyped-def]
    els = world.user("Els")
    chat = world.group("Netwerk", admins=[els])
    chat.members[7000000001] = "member"
    return chat


async def test_get_me_and_a_valid_message(telegram: Bot, world: World, group) -> None:  # type: ignore[no-untyped-def]
    me = await telegram.get_me()
    assert me.username == "netwerkpols_test_bot"
    message = await telegram.send_message(group.id, "<b>Hallo</b> &amp; welkom", parse_mode="HTML")
    assert message.text == "Hallo & welkom"
    assert world.last_bot_message(group).html == "<b>Hallo</b> &amp; welkom"


@pytest.mark.parametrize(
    "text",
    [
        "x" * 4097,
        "<b>open",
        "<script>alert(1)</script>",
        "Wonen & Zorg",
        "a < b",
        "<b><i>x</b></i>",
        "   ",
        "&nbsp;x",
    ],
)
async def test_text_telegram_would_refuse(telegram: Bot, world: World, group, text: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadRequest):
        await telegram.send_message(group.id, text, parse_mode="HTML")
    assert world.rejections


async def test_the_limit_counts_visible_utf16_units(telegram: Bot, group) -> None:  # type: ignore[no-untyped-def]
    await telegram.send_message(group.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    await telegram.send_message(group.id, "🙂" * 2048)
    with pytest.raises(BadRequest):
        await telegram.send_message(group.id, "🙂" * 2049)


async def test_callback_data_over_64_bytes_is_refused(telegram: Bot, group) -> None:  # type: ignore[no-untyped-def]
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="é" * 32)]])
    await telegram.send_message(group.id, "knoppen", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("te lang", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await telegram.send_message(group.id, "knoppen", reply_markup=too_long)


async def test_writing_to_someone_who_never_started_the_bot_is_forbidden(
    telegram: Bot, world: World
) -> None:
    anna = world.user("Anna")
    world.private_chat(anna)
    with pytest.raises(Forbidden, match="initiate conversation"):
        await telegram.send_message(anna.id, "Hallo")
    anna.started = True
    await telegram.send_message(anna.id, "Hallo")
    anna.blocked = True
    with pytest.raises(Forbidden, match="blocked"):
        await telegram.send_message(anna.id, "Hallo")


async def test_groups_the_bot_is_not_in_are_forbidden(telegram: Bot, world: World) -> None:
    els = world.user("Els")
    chat = world.group("Zonder bot", admins=[els])
    with pytest.raises(Forbidden):
        await telegram.send_message(chat.id, "Hallo")


async def test_wrong_token_is_unauthorized(fake_api: FakeBotApi) -> None:
    stranger = Bot("123:" + "x" * 35, base_url=f"{fake_api.base_url}/bot")
    with pytest.raises(InvalidToken):
        await stranger.initialize()
    await stranger.shutdown()


def test_calls_are_checked_against_the_spec() -> None:
    assert check_call("sendMessage", {"chat_id": "5", "text": "hoi"}) == (
        "sendMessage",
        {"chat_id": 5, "text": "hoi"},
    )
    with pytest.raises(ApiError, match="required"):
        check_call("sendMessage", {"chat_id": "5"})
    with pytest.raises(ApiError, match="unknown parameter"):
        check_call("sendMessage", {"chat_id": "5", "text": "hoi", "colour": "red"})
    with pytest.raises(ApiError, match="integer"):
        check_call("getChatMember", {"chat_id": "5", "user_id": "anna"})
    with pytest.raises(ApiError) as not_found:
        check_call("sendTelepathy", {})
    assert not_found.value.status == 404
    with pytest.raises(ApiError, match="unknown field"):
        check_call(
            "sendMessage",
            {
                "chat_id": 5,
                "text": "x",
                "reply_markup": '{"inline_keyboard": [[{"text": "a", "callback_data": "b", '
                '"colour": 1}]]}',
            },
        )
    with pytest.raises(ApiError, match="exactly one"):
        check_call(
            "sendMessage",
            {"chat_id": 5, "text": "x", "reply_markup": '{"inline_keyboard": [[{"text": "a"}]]}'},
        )
    with pytest.raises(ApiError, match="all_private_chats"):
        check_call(
            "setMyCommands",
            {
                "commands": '[{"command": "a", "description": "b"}]',
                "scope": '{"type": "all_private_chat"}',
            },
        )


def test_html_parser_returns_visible_text() -> None:
    assert html.parse('<a href="https://x.nl">x</a> &lt;b&gt; &#128578;') == "x <b> 🙂"
    assert html.utf16_length("🙂") == 2


async def test_edits_and_callback_answers(telegram: Bot, world: World, group) -> None:  # type: ignore[no-untyped-def]
    message = await telegram.send_message(group.id, "eerste")
    with pytest.raises(BadRequest, match="not modified"):
        await telegram.edit_message_text("eerste", chat_id=group.id, message_id=message.message_id)
    await telegram.edit_message_text("tweede", chat_id=group.id, message_id=message.message_id)
    assert world.last_bot_message(group).text == "tweede"
    with pytest.raises(BadRequest, match="query"):
        await telegram.answer_callback_query("12345")


async def test_a_press_answered_after_telegrams_window_is_refused(  # type: ignore[no-untyped-def]
    telegram: Bot, world: World, group
) -> None:
    els = world.users[min(world.users)]
    message = world.bot_says(group, text="kies", html="kies")
    world.callback_window = 0.2
    _, in_time = await world.press_query(els, message, "a")
    _, too_late = await world.press_query(els, message, "b")
    assert await telegram.answer_callback_query(in_time)
    await asyncio.sleep(0.3)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await telegram.answer_callback_query(too_late)
