"""Score rounds, the coordinator's side: setting one up in private chat, announcing it, and
/close, /extend and /results in the group."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from dialogues.round_setup import ROUND_SETUP, RoundData
from domain.callbacks import Cb, int_arg, pattern, unpack
from domain.dates import DateProblem, parse_when
from domain.errors import NO_LONGER_ACTIVE, Refusal
from handlers.base import (
    NETWORK_PICKERS,
    NOT_A_COORDINATOR,
    Context,
    acknowledge,
    chatting_person,
    coordinated_by,
    dispatch_soon,
    drop_buttons,
    group_network,
    in_coordinated_network,
    is_group,
    replace,
    reply,
    require_coordinator,
    update_language,
)
from handlers.network import ONLY_IN_GROUP
from i18n import N_, t
from schedules.kinds import Queued
from schedules.outbox import cancel_pending, enqueue
from schedules.rounds import Results, details_parts, queue_details, results_parts, schedule_round
from storage import queries
from storage import rounds as store
from storage.models import Network, Round
from views import rounds as view
from views.commands import names
from views.keyboards import deep_link, keyboard, link

NO_OPEN_ROUND = N_("There is no open round in this network.")
NO_ROUND_YET = N_("This network has no closed round yet.")
NOT_PUBLISHED = N_("Too few partners answered in the latest round: its results stay hidden.")
DETAILS_WORDS = frozenset({"details", "all", "alles", "alle", "detail"})
EXTEND_USAGE = N_("Give the new closing date, for example: /extend vrijdag 17:00")


def _local_now(context: Context, network: Network) -> dt.datetime:
    return context.services.clock.now().astimezone(ZoneInfo(network.timezone))


# --- a coordinator sets a round up --------------------------------------------------------------


async def new_round(update: Update, context: Context) -> None:
    """/round: start setting up a score round (in private; from the group, a link there)."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    if is_group(chat):
        async with context.unit_of_work() as session:
            network = await group_network(session, chat.id)
            await require_coordinator(session, network.id, user.id)
        lang = network.language
        url = deep_link(context.bot.username, f"r_{network.join_token}")
        text = t(lang, "Let us set up the round in a private chat, so the group is not flooded.")
        await reply(update, text, keyboard([link(t(lang, "📊 Set up a round"), url)]))
        return
    await in_coordinated_network(update, context, "round")


async def open_round_setup_link(update: Update, context: Context, token: str) -> None:
    """The 'Set up a round' link from the group."""
    async with context.unit_of_work() as session:
        network = await queries.network_by_token(session, token)
        if network is None:
            raise Refusal(NO_LONGER_ACTIVE)
    await _set_up_in(update, context, network.id)


async def _set_up_in(update: Update, context: Context, network_id: int) -> None:
    """Begin the set-up dialogue (dialogues.round_setup) for a network this person coordinates."""
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, user)
        network = await require_coordinator(session, network_id, user.id)
        if not network.active:
            raise Refusal(NO_LONGER_ACTIVE)
        await ROUND_SETUP.begin(
            update, context, session, person, lang, network, RoundData(), in_place=False
        )


# --- closing, extending, results --------------------------------------------------------------


async def _latest_round(
    session: AsyncSession, network: Network, states: tuple[str, ...]
) -> Round | None:
    rounds = await store.rounds_of(session, network.id, states)
    return rounds[0] if rounds else None


async def close_now(update: Update, context: Context) -> None:
    """/close in the group: close the newest open round now (coordinators)."""
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None and user is not None
    if not is_group(chat):
        raise Refusal(ONLY_IN_GROUP)
    async with context.unit_of_work() as session:
        network = await group_network(session, chat.id)
        await require_coordinator(session, network.id, user.id)
        round_ = await _latest_round(session, network, ("open",))
        if round_ is None:
            raise Refusal(NO_OPEN_ROUND)
        answered = (await store.tally_of(session, round_.id)).respondents
        questionnaire = await store.questionnaire_of(session, round_.questionnaire)
        await reply(update, *view.confirm_close(network.language, round_, questionnaire, answered))


async def close_confirmed(update: Update, context: Context) -> None:
    """🔒 Close now, under /close's question: the round closes and its results follow."""
    query = update.callback_query
    assert query is not None and query.message is not None
    _, args = unpack(query.data)
    now = context.services.clock.now()
    async with context.unit_of_work() as session:
        network = await group_network(session, query.message.chat.id)
        await require_coordinator(session, network.id, query.from_user.id)
        round_ = await session.get(Round, int_arg(args, 0), with_for_update=True)
        if round_ is None or round_.network_id != network.id or round_.state != "open":
            raise Refusal(NO_OPEN_ROUND)
        if round_.closes_at > now:  # a second tap finds it closing already
            round_.closes_at = now
            await enqueue(
                session,
                kind=Queued.ROUND_CLOSE,
                chat_id=network.chat_id,
                network_id=network.id,
                due_at=now,
                payload={"round_id": round_.id},
                dedupe_key=f"round:{round_.id}:close:{now:%Y%m%d%H%M%S}",
            )
        answered = (await store.tally_of(session, round_.id)).respondents
        await acknowledge(query)
        await replace(query, view.closing(network.language, round_, answered))
    dispatch_soon(context)


async def _extendable(session: AsyncSession, network: Network) -> Round:
    """The newest round, if it is open or closed without results (and no newer round of its
    questionnaire is open); else a refusal."""
    round_ = await _latest_round(session, network, ("open", "closed"))
    if round_ is None or round_.published or round_.result is not None:
        raise Refusal(NO_OPEN_ROUND)
    if round_.state == "closed" and await store.open_round(
        session, network.id, round_.questionnaire
    ):
        raise Refusal(NO_OPEN_ROUND)
    return round_


async def extend(update: Update, context: Context) -> None:
    """/extend <date> in the group: give the newest round (open, or closed without results)
    more time (coordinators)."""
    chat = update.effective_chat
    user = update.effective_user
    message = update.effective_message
    assert chat is not None and user is not None and message is not None
    if not is_group(chat):
        raise Refusal(ONLY_IN_GROUP)
    now = context.services.clock.now()
    async with context.unit_of_work() as session:
        network = await group_network(session, chat.id)
        await require_coordinator(session, network.id, user.id)
        round_ = await _extendable(session, network)
        typed = " ".join(context.args or [])
        if not typed:
            raise Refusal(EXTEND_USAGE)
        try:
            parsed = parse_when(typed, now.astimezone(ZoneInfo(network.timezone)))
        except DateProblem as problem:
            await reply(update, view.date_problem(network.language, str(problem)))
            return
        await cancel_pending(session, dedupe_prefix=f"round:{round_.id}:")
        round_.closes_at = parsed.moment.astimezone(dt.UTC)
        round_.state, round_.closed_at = "open", None
        await schedule_round(session, round_, network, now)
    await reply(
        update,
        t(
            network.language,
            "⏳ The round now closes {deadline}.",
            deadline=view.when(network.language, round_.closes_at, network.timezone),
        ),
        view.answer_button(network.language, round_, context.bot.username),
    )


async def results_command(update: Update, context: Context) -> None:
    """/results: the newest published round again (group); earlier rounds too (coordinator,
    private chat)."""
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None and user is not None
    if is_group(chat):
        # Reading only (the chart is drawn meanwhile): on SQLite it holds up no press.
        async with context.unit_of_work(read_only=True) as session:
            network = await group_network(session, chat.id)
            round_ = await _latest_round(session, network, ("closed",))
            if round_ is None:
                raise Refusal(NO_ROUND_YET)
            wants_details = _wants_details(context.args)
            if wants_details:
                parts = await details_parts(session, round_, network.language)
            else:
                shown = await results_parts(session, round_, network, network.language)
        if not wants_details:
            await _send_results(context, chat.id, shown)
            return
        for part in parts or [t(network.language, NOT_PUBLISHED)]:
            await reply(update, part)
        return
    lang = await update_language(update, context)
    async with context.unit_of_work(read_only=True) as session:
        coordinated = await coordinated_by(session, user.id)
        choices: list[tuple[Round, str]] = []
        for member in coordinated:
            for round_ in await store.closed_rounds(session, member.network_id):
                questionnaire = await store.questionnaire_of(session, round_.questionnaire)
                name = view.questionnaire_name(lang, questionnaire)
                day = view.when(lang, round_.closes_at, member.network.timezone, with_time=False)
                choices.append((round_, f"{member.network.name}: {name}, {day}"))
    if not coordinated:
        raise Refusal(NOT_A_COORDINATOR)
    if not choices:
        raise Refusal(NO_ROUND_YET)
    text, markup = view.choose_round(lang, choices[:20])
    await reply(update, text, markup)


async def results_button(update: Update, context: Context) -> None:
    """A round chosen from /results in private chat."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    lang = await update_language(update, context)
    async with context.unit_of_work(read_only=True) as session:
        round_ = await session.get(Round, int_arg(args, 0))
        if round_ is None or round_.state != "closed":
            raise Refusal(NO_LONGER_ACTIVE)
        await require_coordinator(session, round_.network_id, query.from_user.id)
        network = await session.get(Network, round_.network_id)
        assert network is not None
        shown = await results_parts(session, round_, network, lang)
    await _send_results(context, query.from_user.id, shown)
    await query.answer()


async def details_button(update: Update, context: Context) -> None:
    """📋 All results under a headline: every item, the groups and the comments follow in the
    same chat, once per headline however often it is pressed; the button goes."""
    query = update.callback_query
    assert query is not None and query.message is not None
    _, args = unpack(query.data)
    chat_id = query.message.chat.id
    async with context.unit_of_work() as session:
        round_ = await session.get(Round, int_arg(args, 0))
        network = await session.get(Network, round_.network_id) if round_ else None
        if round_ is None or network is None or not round_.published:
            raise Refusal(NO_LONGER_ACTIVE)
        if chat_id == network.chat_id:
            lang = network.language
        elif chat_id == query.from_user.id:
            await require_coordinator(session, network.id, query.from_user.id)
            _, lang = await chatting_person(session, context, query.from_user)
        else:
            raise Refusal(NO_LONGER_ACTIVE)
        now = context.services.clock.now()
        await queue_details(session, round_, network, lang, chat_id, query.message.message_id, now)
    await acknowledge(query, t(lang, "All results follow below."))
    await drop_buttons(query)
    dispatch_soon(context)


def _wants_details(args: list[str] | None) -> bool:
    """/uitslag alles (or details, all): every item rather than the headline."""
    return args is not None and len(args) > 0 and args[0].lower() in DETAILS_WORDS


async def _send_results(context: Context, chat_id: int, shown: Results) -> None:
    await context.bot.send_message(
        chat_id, shown.text, parse_mode=ParseMode.HTML, reply_markup=shown.markup
    )
    if shown.photo is not None:
        await context.bot.send_photo(
            chat_id, shown.photo, caption=shown.caption, parse_mode=ParseMode.HTML
        )


NETWORK_PICKERS["round"] = _set_up_in


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler(names("round"), new_round),
    CommandHandler(names("close"), close_now),
    CommandHandler(names("extend"), extend),
    CommandHandler(names("results"), results_command),
    CallbackQueryHandler(results_button, pattern(Cb.ROUND_RESULTS)),
    CallbackQueryHandler(close_confirmed, pattern(Cb.ROUND_CLOSE)),
    CallbackQueryHandler(details_button, pattern(Cb.ROUND_DETAILS)),
]
