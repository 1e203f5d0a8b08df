"""A dialogue survives a restart after every question, and a question that never arrived (the
call failed after the step was saved) is asked again instead of swallowing the next answer:
the action lands with the right fields, once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from fakebot.spec import ApiError
from fakebot.world import Message, User
from storage.models import Action, Conversation
from tests.e2e.test_rounds import network_with_partners
from tests.e2e.test_workgroups import new_group
from tests.harness import BotHarness


@dataclass
class Act:
    """One thing the trekker does, and the call with which the bot shows what comes next."""

    name: str
    do: Callable[[], Awaitable[object]]
    shown_by: str


def newest_with_buttons(bot: BotHarness, user: User) -> Message:
    return next(m for m in reversed(bot.world.bot_messages(user)) if m.buttons())


async def failing(bot: BotHarness, method: str, act: Act) -> None:
    """act, with Telegram failing the bot's call that shows the next step (a 502)."""
    bot.inject(method, ApiError(502, "Bad Gateway"))
    app = bot.application
    try:
        await act.do()
    except AssertionError as error:  # the failed call is logged as a handler error
        assert "bad gateway" in str(error).lower()
    app.failures.clear()  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", ["restart", "failed"])
async def test_a_new_action_across_restarts_and_failed_questions(
    bot: BotHarness, world, mode: str
) -> None:  # type: ignore[no-untyped-def]
    setup = await network_with_partners(bot, world, 3)
    els, anna = setup.net.els, setup.partners["Anna"]
    announcement = await new_group(bot, els, setup.net.group)
    await bot.press(anna, announcement, "Ik trek")
    await bot.send(anna, anna, "/start")

    acts = [
        Act("/action", lambda: bot.send(anna, anna, "/action"), "sendMessage"),
        Act(
            "group",
            lambda: bot.press(anna, newest_with_buttons(bot, anna), "Wonen met zorg"),
            "editMessageText",
        ),
        Act("title", lambda: bot.send(anna, anna, "Huurlijst opvragen"), "sendMessage"),
        Act("owner", lambda: bot.send(anna, anna, "Gemeente"), "sendMessage"),
        Act("due", lambda: bot.send(anna, anna, "vrijdag"), "sendMessage"),
        Act(
            "save",
            lambda: bot.press(anna, newest_with_buttons(bot, anna), "Opslaan"),
            "editMessageText",
        ),
    ]
    for act in acts:
        if mode == "restart":
            await act.do()
            await bot.restart()
        else:
            await failing(bot, act.shown_by, act)
            # As a person would after the apology: do it again. The question that never came
            # is asked now; what they repeated is not taken as its answer.
            await act.do()
    async with bot.services.database.unit_of_work() as session:
        actions = (await session.scalars(select(Action))).all()
        left = await session.scalar(select(func.count()).select_from(Conversation))
    assert [(a.title, a.owner_text) for a in actions] == [("Huurlijst opvragen", "Gemeente")]
    assert left == 0
    assert bot.expected_rejections == []
