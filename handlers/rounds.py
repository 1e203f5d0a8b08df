"""Score rounds, the coordinator's side: setting one up in private chat, announcing it, and
/close, /extend and /results in the group."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from domain.callbacks import Cb, int_arg, pattern, unpack
from domain.dates import DateProblem, parse_when
from domain.enums import Level
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.results import MIN_K
from handlers.base import (
    NETWORK_PICKERS,
    NOT_A_COORDINATOR,
    Context,
    chatting_person,
    dispatch_soon,
    group_network,
    in_coordinated_network,
    is_group,
    replace,
    reply,
    update_language,
)
from handlers.network import ONLY_IN_GROUP
from handlers.round_outcome import (
    questionnaire_of,
    results_parts,
    round_result,
    schedule_round,
)
from i18n import N_, t
from schedules.outbox import cancel_pending, enqueue
from storage import queries
from storage import rounds as store
from storage.models import Conversation, Member, Network, Round
from views import rounds as view
from views.keyboards import deep_link, keyboard, link

ROUND_SETUP = "round"
DEFAULT_DAYS = 14

ONLY_COORDINATORS = N_("Only coordinators of this network can do this.")
NO_OPEN_ROUND = N_("There is no open round in this network.")
NO_ROUND_YET = N_("This network has no closed round yet.")
ALREADY_OPEN = N_("This questionnaire already has an open round in this network.")
EXTEND_USAGE = N_("Give the new closing date, for example: /extend vrijdag 17:00")


def _local_now(context: Context, network: Network) -> dt.datetime:
    return context.services.clock.now().astimezone(ZoneInfo(network.timezone))


async def _coordinated(session: AsyncSession, person_id: int) -> list[Member]:
    return [m for m in await queries.memberships_of(session, person_id) if m.is_coordinator]


async def _require_coordinator(session: AsyncSession, network_id: int, person_id: int) -> Member:
    member = await queries.membership(session, network_id, person_id)
    if member is None or not member.is_coordinator:
        raise Refusal(ONLY_COORDINATORS)
    return member


# --- a coordinator sets a round up --------------------------------------------------------------


async def new_round(update: Update, context: Context) -> None:
    """/round: start setting up a score round (in private; from the group, a link there)."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    if is_group(chat):
        async with context.unit_of_work() as session:
            network = await group_network(session, chat.id)
            await _require_coordinator(session, network.id, user.id)
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
    await _ask_questionnaire(update, context, network.id, edit=False)


async def _ask_questionnaire(
    update: Update, context: Context, network_id: int, *, edit: bool
) -> None:
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        _, lang = await chatting_person(session, context, user)
        await _require_coordinator(session, network_id, user.id)
        network = await session.get(Network, network_id)
        assert network is not None
        questionnaires = await store.questionnaires_for(session, network.id)
        busy = {q.key for q in questionnaires if await store.open_round(session, network.id, q.key)}
        conversation = await queries.start_conversation(
            session, user.id, ROUND_SETUP, network.id, "questionnaire"
        )
        conversation.data = {}
    text, markup = view.choose_questionnaire(lang, network, questionnaires, busy)
    if edit and update.callback_query:
        await replace(update.callback_query, text, markup)
    else:
        await reply(update, text, markup)


async def _setup(
    session: AsyncSession, person_id: int, *steps: str
) -> tuple[Conversation, Network]:
    conversation = await queries.conversation_of(session, person_id)
    if conversation is None or conversation.kind != ROUND_SETUP or conversation.step not in steps:
        raise Refusal(NO_LONGER_ACTIVE)
    network = (
        await session.get(Network, conversation.network_id) if conversation.network_id else None
    )
    if network is None or not network.active:
        raise Refusal(NO_LONGER_ACTIVE)
    await _require_coordinator(session, network.id, person_id)
    return conversation, network


async def setup_button(update: Update, context: Context) -> None:
    """A button in the round set-up dialogue."""
    query = update.callback_query
    assert query is not None
    kind, args = unpack(query.data)
    user = query.from_user
    async with context.unit_of_work() as session:
        _, lang = await chatting_person(session, context, user)
        if kind is Cb.ROUND_QUESTIONNAIRE:
            conversation, network = await _setup(session, user.id, "questionnaire")
            key = args[1] if len(args) > 1 else ""
            available = {q.key for q in await store.questionnaires_for(session, network.id)}
            if int_arg(args, 0) != network.id or key not in available:
                raise Refusal(NO_LONGER_ACTIVE)
            conversation.data = {"questionnaire": key}
            conversation.step = "deadline"
            default = _default_deadline(context, network, DEFAULT_DAYS)
            text, markup = view.ask_deadline(lang, network, default)
        elif kind is Cb.ROUND_DEADLINE:
            conversation, network = await _setup(session, user.id, "deadline")
            days = int_arg(args, 0)
            if days not in (7, 14):
                raise Refusal(NO_LONGER_ACTIVE)
            closes_at = _default_deadline(context, network, days)
            conversation.data = {**conversation.data, "closes_at": closes_at.isoformat()}
            conversation.step = "k"
            text, markup = view.ask_k(lang)
        elif kind is Cb.ROUND_K:
            conversation, network = await _setup(session, user.id, "k")
            k = int_arg(args, 0)
            if k not in view.K_CHOICES:
                raise Refusal(NO_LONGER_ACTIVE)
            conversation.data = {**conversation.data, "k": k, "levels": [], "types": []}
            conversation.step = "audience"
            present = await store.organisation_types(session, network.id)
            text, markup = view.ask_audience(lang, [], [], present)
        else:
            conversation, network = await _setup(session, user.id, "audience")
            text, markup = await _audience_step(session, conversation, network, args, lang)
    await query.answer()
    await replace(query, text, markup)


def _default_deadline(context: Context, network: Network, days: int) -> dt.datetime:
    day = _local_now(context, network).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(17, 0), tzinfo=ZoneInfo(network.timezone))


async def _audience_step(
    session: AsyncSession, conversation: Conversation, network: Network, args: list[str], lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    data = dict(conversation.data)
    present = await store.organisation_types(session, network.id)
    if args and args[0] == "ok":
        conversation.step = "confirm"
        closes_at = dt.datetime.fromisoformat(data["closes_at"])
        audience = {"levels": data["levels"], "types": data["types"]}
        return view.confirm_round(
            lang,
            network,
            await questionnaire_of(session, data["questionnaire"]),
            closes_at,
            data["k"],
            audience,
            await store.plan_for(session, network, audience, int(data["k"])),
        )
    if len(args) != 2 or args[0] not in ("l", "t"):
        raise Refusal(NO_LONGER_ACTIVE)
    field, value = ("levels", args[1]) if args[0] == "l" else ("types", args[1])
    allowed = {level.value for level in Level} if field == "levels" else set(present)
    if value not in allowed:
        raise Refusal(NO_LONGER_ACTIVE)
    chosen = list(data[field])
    chosen = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
    conversation.data = {**data, field: chosen}
    return view.ask_audience(lang, conversation.data["levels"], conversation.data["types"], present)


async def setup_text(
    update: Update, context: Context, session: AsyncSession, conversation: Conversation, lang: str
) -> None:
    """A typed closing date in the set-up dialogue."""
    message = update.effective_message
    assert message is not None
    if conversation.step != "deadline":
        raise Refusal(N_("I did not understand that. /help shows what I can do."))
    _, network = await _setup(session, conversation.person_id, "deadline")
    try:
        parsed = parse_when(message.text or "", _local_now(context, network))
    except DateProblem as problem:
        await reply(update, view.date_problem(lang, str(problem)))
        return
    conversation.data = {**conversation.data, "closes_at": parsed.moment.isoformat()}
    conversation.step = "k"
    text, markup = view.ask_k(lang)
    await reply(
        update,
        t(lang, "Closes: {deadline}", deadline=view.when(lang, parsed.moment, network.timezone))
        + "\n\n"
        + text,
        markup,
    )


async def start_round(update: Update, context: Context) -> None:
    """▶ Start round: create it, queue its reminders and closing, announce it in the group."""
    query = update.callback_query
    assert query is not None
    user = query.from_user
    now = context.services.clock.now()
    async with context.unit_of_work() as session:
        _, lang = await chatting_person(session, context, user)
        conversation, network = await _setup(session, user.id, "confirm")
        data = conversation.data
        questionnaire = await questionnaire_of(session, data["questionnaire"])
        if await store.open_round(session, network.id, questionnaire.key) is not None:
            raise Refusal(ALREADY_OPEN)
        closes_at = dt.datetime.fromisoformat(data["closes_at"]).astimezone(dt.UTC)
        if closes_at <= now:
            raise Refusal(N_("That closing moment has passed in the meantime; please start again."))
        round_ = Round(
            network_id=network.id,
            questionnaire=questionnaire.key,
            k=max(MIN_K, int(data["k"])),
            audience={"levels": data["levels"], "types": data["types"]},
            token=store.new_round_token(),
            state="open",
            opens_at=now,
            closes_at=closes_at,
            published=False,
        )
        try:
            async with session.begin_nested():  # another process may have opened it just now
                session.add(round_)
        except IntegrityError:
            raise Refusal(ALREADY_OPEN) from None
        plan = await store.plan_for(session, network, round_.audience, round_.k)
        session.add(store.start_counting(round_, plan))
        # Older rounds that closed with too few answers can no longer be extended: what they
        # kept to count further goes now.
        for earlier in await store.unpublished_rounds(session, network.id):
            await store.forget_counts(session, earlier, await round_result(session, earlier))
        await schedule_round(session, round_, network, now)
        # The announcement is queued with the round it announces: a failed call is retried,
        # and the round can never be open without the group hearing of it.
        await enqueue(
            session,
            kind="round_announcement",
            chat_id=network.chat_id,
            network_id=network.id,
            due_at=now,
            payload={"round_id": round_.id},
            dedupe_key=f"round:{round_.id}:announcement",
        )
        await queries.end_conversation(session, user.id)
    await query.answer()
    await replace(query, view.round_started(lang))
    dispatch_soon(context)


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
    now = context.services.clock.now()
    async with context.unit_of_work() as session:
        network = await group_network(session, chat.id)
        await _require_coordinator(session, network.id, user.id)
        round_ = await _latest_round(session, network, ("open",))
        if round_ is None:
            raise Refusal(NO_OPEN_ROUND)
        round_.closes_at = now
        await enqueue(
            session,
            kind="round_close",
            chat_id=network.chat_id,
            network_id=network.id,
            due_at=now,
            payload={"round_id": round_.id},
            dedupe_key=f"round:{round_.id}:close:{now:%Y%m%d%H%M%S}",
        )
    await reply(update, t(network.language, "Closing the round; the results follow in a moment."))
    dispatch_soon(context)


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
        await _require_coordinator(session, network.id, user.id)
        round_ = await _latest_round(session, network, ("open", "closed"))
        if round_ is None or round_.published or round_.result is not None:
            raise Refusal(NO_OPEN_ROUND)
        if round_.state == "closed" and await store.open_round(
            session, network.id, round_.questionnaire
        ):
            raise Refusal(NO_OPEN_ROUND)
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
        async with context.unit_of_work() as session:
            network = await group_network(session, chat.id)
            round_ = await _latest_round(session, network, ("closed",))
            if round_ is None:
                raise Refusal(NO_ROUND_YET)
            parts, photo, caption = await results_parts(session, round_, network, network.language)
        await _send_results(context, chat.id, parts, photo, caption)
        return
    lang = await update_language(update, context)
    async with context.unit_of_work() as session:
        coordinated = await _coordinated(session, user.id)
        choices: list[tuple[Round, str]] = []
        for member in coordinated:
            for round_ in await store.closed_rounds(session, member.network_id):
                questionnaire = await questionnaire_of(session, round_.questionnaire)
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
    async with context.unit_of_work() as session:
        round_ = await session.get(Round, int_arg(args, 0))
        if round_ is None or round_.state != "closed":
            raise Refusal(NO_LONGER_ACTIVE)
        await _require_coordinator(session, round_.network_id, query.from_user.id)
        network = await session.get(Network, round_.network_id)
        assert network is not None
        parts, photo, caption = await results_parts(session, round_, network, lang)
    await _send_results(context, query.from_user.id, parts, photo, caption)
    await query.answer()


async def _send_results(
    context: Context, chat_id: int, parts: list[str], photo: bytes | None, caption: str
) -> None:
    for part in parts:
        await context.bot.send_message(chat_id, part, parse_mode=ParseMode.HTML)
    if photo is not None:
        await context.bot.send_photo(chat_id, photo, caption=caption, parse_mode=ParseMode.HTML)


async def _round_in_network(update: Update, context: Context, network_id: int) -> None:
    await _ask_questionnaire(update, context, network_id, edit=False)


NETWORK_PICKERS["round"] = _round_in_network


SETUP_BUTTONS = (Cb.ROUND_QUESTIONNAIRE, Cb.ROUND_DEADLINE, Cb.ROUND_K, Cb.ROUND_AUDIENCE)

HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("round", new_round),
    CommandHandler("close", close_now),
    CommandHandler("extend", extend),
    CommandHandler("results", results_command),
    CallbackQueryHandler(setup_button, pattern(*SETUP_BUTTONS)),
    CallbackQueryHandler(start_round, pattern(Cb.ROUND_GO)),
    CallbackQueryHandler(results_button, pattern(Cb.ROUND_RESULTS)),
]
