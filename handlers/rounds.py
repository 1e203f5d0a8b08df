"""Score rounds: a coordinator starts one, partners answer anonymously in private chat, the
group gets reminders of progress and, at the deadline, the results that may be published."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from domain.callbacks import Cb, int_arg, pattern, unpack
from domain.dates import DateProblem, parse_when
from domain.daytime import next_in_window
from domain.enums import Level
from domain.errors import Refusal
from domain.questionnaires import Questionnaire
from domain.results import MIN_K, RoundResult, compose
from domain.text import esc
from handlers.base import (
    NETWORK_PICKERS,
    Context,
    is_chat_member,
    is_group,
    person_language,
    replace,
    reply,
    touch_person,
    update_language,
)
from handlers.network import NOT_SET_UP, ONLY_IN_GROUP
from i18n import N_, t
from schedules.outbox import RenderContext, Rendered, cancel_pending, enqueue
from storage import queries
from storage import rounds as store
from storage.models import Conversation, Draft, Member, Network, Outgoing, Person, Round
from views import charts
from views import network as network_view
from views import rounds as view
from views.keyboards import deep_link, keyboard, link

ROUND_SETUP = "round"
DEFAULT_DAYS = 14
REMIND_DAYS_BEFORE = (3, 1)

NO_LONGER_ACTIVE = N_("This button is no longer active.")
ONLY_COORDINATORS = N_("Only coordinators of this network can do this.")
NOT_A_COORDINATOR = N_("You are not a coordinator of any network.")
ROUND_CLOSED = N_("This round has closed; answers can no longer be given. Thank you all the same!")
ROUND_UNKNOWN = N_("This link does not lead to a round (any more).")
NOT_A_PARTNER = N_(
    "Only partners of <b>{network}</b> can answer. Join first with the button in the group, "
    "then open this link again."
)
NOT_INVITED = N_("This round is for {audience}; you are not among them. Thank you for looking!")
ALREADY_ANSWERED = N_("You have already answered this round. Thank you!")
NO_OPEN_ROUND = N_("There is no open round in this network.")
NO_ROUND_YET = N_("This network has no closed round yet.")
EXTEND_USAGE = N_("Give the new closing date, for example: /extend vrijdag 17:00")
SEVERAL_OPEN = N_("Several rounds are open; I take the newest: {questionnaire}.")


async def questionnaire_of(session: AsyncSession, key: str) -> Questionnaire:
    """The questionnaire a round uses (built in, or the network's own)."""
    questionnaire = await store.questionnaire(session, key)
    if questionnaire is None:
        raise Refusal(NO_LONGER_ACTIVE)
    return questionnaire


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
            network = await queries.network_by_chat(session, chat.id)
            if network is None:
                raise Refusal(NOT_SET_UP)
            await _require_coordinator(session, network.id, user.id)
        lang = network.language
        url = deep_link(context.bot.username, f"r_{network.join_token}")
        text = t(lang, "Let us set up the round in a private chat, so the group is not flooded.")
        await reply(update, text, keyboard([link(t(lang, "📊 Set up a round"), url)]))
        return
    async with context.unit_of_work() as session:
        person = await touch_person(session, user, started=True)
        coordinated = await _coordinated(session, person.id)
    if not coordinated:
        raise Refusal(NOT_A_COORDINATOR)
    if len(coordinated) > 1:
        lang = person_language(person, user, context.services.settings.default_language)
        text, markup = network_view.choose_network(lang, coordinated, "round")
        await reply(update, text, markup)
        return
    await _ask_questionnaire(update, context, coordinated[0].network_id, edit=False)


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
        person = await touch_person(session, user, started=True)
        lang = person_language(person, user, context.services.settings.default_language)
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
        person = await touch_person(session, user, started=True)
        lang = person_language(person, user, context.services.settings.default_language)
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
        person = await touch_person(session, user, started=True)
        lang = person_language(person, user, context.services.settings.default_language)
        conversation, network = await _setup(session, user.id, "confirm")
        data = conversation.data
        questionnaire = await questionnaire_of(session, data["questionnaire"])
        if await store.open_round(session, network.id, questionnaire.key) is not None:
            raise Refusal(N_("This questionnaire already has an open round in this network."))
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
        session.add(round_)
        await session.flush()
        round_.invited = len(await store.invited_members(session, round_))
        await schedule_round(session, round_, network, now)
        await queries.end_conversation(session, user.id)
    await query.answer()
    await replace(query, view.round_started(lang))
    text, markup = view.announcement(
        network.language, network, round_, questionnaire, context.bot.username
    )
    await context.bot.send_message(
        network.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )


async def schedule_round(
    session: AsyncSession, round_: Round, network: Network, now: dt.datetime
) -> None:
    """Queue the round's closing, the reminders before it and the first daily progress note."""
    stamp = round_.closes_at.strftime("%Y%m%d%H%M%S")
    await enqueue(
        session,
        kind="round_close",
        chat_id=network.chat_id,
        network_id=network.id,
        due_at=round_.closes_at,
        payload={"round_id": round_.id},
        dedupe_key=f"round:{round_.id}:close:{stamp}",
    )
    for days in REMIND_DAYS_BEFORE:
        due = next_in_window(round_.closes_at - dt.timedelta(days=days), network.timezone)
        if now < due < round_.closes_at:
            await enqueue(
                session,
                kind="round_remind",
                chat_id=network.chat_id,
                network_id=network.id,
                due_at=due,
                payload={"round_id": round_.id, "stage": days},
                dedupe_key=f"round:{round_.id}:remind:{days}:{stamp}",
            )
    await _queue_progress(session, round_, network, now)


async def _queue_progress(
    session: AsyncSession, round_: Round, network: Network, after: dt.datetime
) -> None:
    zone = ZoneInfo(network.timezone)
    day = after.astimezone(zone).date() + dt.timedelta(days=1)
    due = next_in_window(dt.datetime.combine(day, dt.time(10, 0), tzinfo=zone), network.timezone)
    if due >= round_.closes_at:
        return
    await enqueue(
        session,
        kind="round_progress",
        chat_id=network.chat_id,
        network_id=network.id,
        due_at=due,
        payload={"round_id": round_.id},
        dedupe_key=f"round:{round_.id}:progress:{due.astimezone(zone).date().isoformat()}",
    )


# --- a partner answers ------------------------------------------------------------------------


async def open_answer_link(update: Update, context: Context, token: str) -> None:
    """/start a_<token>: the introduction and the first (or next unanswered) question."""
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        round_ = await store.round_by_token(session, token) if token else None
        if round_ is None:
            raise Refusal(ROUND_UNKNOWN)
        network = await session.get(Network, round_.network_id)
        assert network is not None
    if not await is_chat_member(context, network.chat_id, user.id):
        raise Refusal(NOT_A_PARTNER, network=esc(network.name))
    async with context.unit_of_work() as session:
        person = await touch_person(session, user, started=True)
        lang = person_language(person, user, context.services.settings.default_language)
        round_, draft = await _answerable(session, round_.id, person.id, lang, create=True)
        questionnaire = await questionnaire_of(session, round_.questionnaire)
        if draft.step == "items":
            current = draft.answers.get(questionnaire.items[draft.position].key)
            question = view.item_question(lang, round_, questionnaire, draft.position, current)
        elif draft.step == "comment":
            question = view.ask_comment(lang, round_, len(questionnaire.items) - 1)
        else:
            question = view.review(lang, round_, questionnaire, draft.answers, draft.comment)
    await reply(update, view.intro(lang, network, round_, questionnaire))
    await reply(update, *question)


async def _answerable(
    session: AsyncSession, round_id: int, person_id: int, lang: str, *, create: bool = False
) -> tuple[Round, Draft]:
    """The open round and this person's draft, after every check that they may answer."""
    round_ = await session.get(Round, round_id, with_for_update=True)
    if round_ is None:
        raise Refusal(ROUND_UNKNOWN)
    if round_.state != "open":
        raise Refusal(ROUND_CLOSED)
    network = await session.get(Network, round_.network_id)
    assert network is not None
    member = await queries.membership(session, round_.network_id, person_id)
    if member is None or not member.is_partner:
        raise Refusal(NOT_A_PARTNER, network=esc(network.name))
    if not store.is_invited(round_, member):
        raise Refusal(NOT_INVITED, audience=esc(view.audience_text(lang, round_.audience)))
    if await store.has_answered(session, round_.id, person_id):
        raise Refusal(ALREADY_ANSWERED)
    draft = await session.get(Draft, (round_.id, person_id))
    if draft is None:
        if not create:
            raise Refusal(NO_LONGER_ACTIVE)
        draft = Draft(round_id=round_.id, person_id=person_id, answers={}, position=0, step="items")
        session.add(draft)
    return round_, draft


async def answer_button(update: Update, context: Context) -> None:
    """A score, ◀ Back, Skip, Submit or Change answers while answering a round."""
    query = update.callback_query
    assert query is not None
    kind, args = unpack(query.data)
    user = query.from_user
    submitted = False
    async with context.unit_of_work() as session:
        person = await touch_person(session, user, started=True)
        lang = person_language(person, user, context.services.settings.default_language)
        round_, draft = await _answerable(session, int_arg(args, 0), person.id, lang)
        questionnaire = await questionnaire_of(session, round_.questionnaire)
        last = len(questionnaire.items) - 1
        if kind is Cb.ROUND_ANSWER:
            position, score = int_arg(args, 1), int_arg(args, 2)
            if draft.step != "items" or position != draft.position or not 0 <= score <= 10:
                raise Refusal(NO_LONGER_ACTIVE)
            draft.answers = {**draft.answers, questionnaire.items[position].key: score}
            draft.position = min(position + 1, last)
            draft.step = "comment" if position == last else "items"
        elif kind is Cb.ROUND_BACK:
            position = int_arg(args, 1)
            at = draft.position if draft.step == "items" else last + 1
            if position != at or position == 0:
                raise Refusal(NO_LONGER_ACTIVE)
            draft.position, draft.step = position - 1, "items"
        elif kind is Cb.ROUND_COMMENT:
            if draft.step != "comment":
                raise Refusal(NO_LONGER_ACTIVE)
            draft.comment, draft.step = None, "review"
        elif kind is Cb.ROUND_EDIT:
            if draft.step != "review":
                raise Refusal(NO_LONGER_ACTIVE)
            draft.position, draft.step = 0, "items"
        else:
            if draft.step != "review" or len(draft.answers) != len(questionnaire.items):
                raise Refusal(NO_LONGER_ACTIVE)
            member = await queries.membership(session, round_.network_id, person.id)
            assert member is not None
            today = context.services.clock.now().date()
            submitted = await store.submit(session, round_, draft, member, today)
            if not submitted:
                raise Refusal(ALREADY_ANSWERED)
            answered = await store.answered_count(session, round_.id)
            invited = max(round_.invited, answered)
        if submitted:
            text, markup = view.thanks(lang, answered, invited), None
        elif draft.step == "items":
            current = draft.answers.get(questionnaire.items[draft.position].key)
            text, markup = view.item_question(lang, round_, questionnaire, draft.position, current)
        elif draft.step == "comment":
            text, markup = view.ask_comment(lang, round_, last + 1)
        else:
            text, markup = view.review(lang, round_, questionnaire, draft.answers, draft.comment)
    await query.answer()
    await replace(query, text, markup)


async def comment_text(
    update: Update, context: Context, session: AsyncSession, person: Person, lang: str
) -> bool:
    """A typed comment, if this person is at the comment step of a round; else False."""
    drafts = await store.drafts_at(session, person.id, "comment")
    if not drafts:
        return False
    draft = drafts[0]
    round_ = await session.get(Round, draft.round_id)
    if round_ is None or round_.state != "open":
        return False
    message = update.effective_message
    assert message is not None
    comment = " ".join((message.text or "").split())
    if not comment:
        text, markup = view.ask_comment(lang, round_, 0)
        await reply(update, text)
        return True
    if len(comment) > view.COMMENT_LIMIT:
        await reply(update, view.comment_too_long(lang, len(comment)))
        return True
    draft.comment, draft.step = comment, "review"
    questionnaire = await questionnaire_of(session, round_.questionnaire)
    text, markup = view.review(lang, round_, questionnaire, draft.answers, draft.comment)
    await reply(update, text, markup)
    return True


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
        network = await queries.network_by_chat(session, chat.id)
        if network is None:
            raise Refusal(NOT_SET_UP)
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
    context.application.create_task(context.services.dispatcher.run_until_idle())


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
        network = await queries.network_by_chat(session, chat.id)
        if network is None:
            raise Refusal(NOT_SET_UP)
        await _require_coordinator(session, network.id, user.id)
        round_ = await _latest_round(session, network, ("open", "closed"))
        if round_ is None or round_.published:
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
            network = await queries.network_by_chat(session, chat.id)
            if network is None:
                raise Refusal(NOT_SET_UP)
            round_ = await _latest_round(session, network, ("closed",))
            if round_ is None:
                raise Refusal(NO_ROUND_YET)
            parts, photo, caption = await _results_parts(session, round_, network, network.language)
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
        parts, photo, caption = await _results_parts(session, round_, network, lang)
    await _send_results(context, query.from_user.id, parts, photo, caption)
    await query.answer()


async def _send_results(
    context: Context, chat_id: int, parts: list[str], photo: bytes | None, caption: str
) -> None:
    for part in parts:
        await context.bot.send_message(chat_id, part, parse_mode=ParseMode.HTML)
    if photo is not None:
        await context.bot.send_photo(chat_id, photo, caption=caption, parse_mode=ParseMode.HTML)


async def round_result(session: AsyncSession, round_: Round) -> RoundResult:
    """The publishable result of a round, computed from SQL aggregates."""
    questionnaire = await questionnaire_of(session, round_.questionnaire)
    counts = await store.aggregates(session, round_.id)
    previous_round = await store.previous_round(session, round_)
    previous = None
    if previous_round is not None:
        previous = (await round_result(session, previous_round)).means or None
    comments = await store.comments(session, round_.id)
    random.Random(round_.id).shuffle(comments)
    return compose(
        item_keys=[item.key for item in questionnaire.items],
        k=round_.k,
        overall=counts.overall,
        by_group=counts.by_group,
        population=counts.population,
        previous=previous,
        comments=comments,
    )


async def _results_parts(
    session: AsyncSession, round_: Round, network: Network, lang: str
) -> tuple[list[str], bytes | None, str]:
    questionnaire = await questionnaire_of(session, round_.questionnaire)
    result = await round_result(session, round_)
    if not result.published:
        return [view.hidden_results(lang, network, questionnaire, result)], None, ""
    parts = view.results(
        lang, network, round_, questionnaire, result, max(round_.invited, result.respondents)
    )
    photo = await _chart(lang, questionnaire, result)
    return parts, photo, view.chart_caption(lang, questionnaire, result.previous_means is not None)


async def _chart(lang: str, questionnaire: Questionnaire, result: RoundResult) -> bytes:
    labels = [view.label(lang, questionnaire, item) for item in questionnaire.items]
    means = [result.means.get(item.key) for item in questionnaire.items]
    previous = (
        [result.previous_means.get(item.key) for item in questionnaire.items]
        if result.previous_means
        else None
    )
    title = t(lang, questionnaire.name) if questionnaire.builtin else questionnaire.name
    return await asyncio.to_thread(charts.bar_chart, title, labels, means, previous)


# --- renderers of the outgoing queue ----------------------------------------------------------


async def _round_and_network(session: AsyncSession, item: Outgoing) -> tuple[Round, Network] | None:
    round_ = await session.get(Round, int(item.payload.get("round_id", 0)), with_for_update=True)
    if round_ is None:
        return None
    network = await session.get(Network, round_.network_id)
    return (round_, network) if network is not None else None


async def render_close(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """Close the round if it is (still) due, and queue its results for the group."""
    found = await _round_and_network(session, item)
    if found is None:
        return None
    round_, network = found
    if round_.state != "open" or round_.closes_at > item.due_at:
        return None  # closed already, or extended: a later row closes it
    result = await round_result(session, round_)
    round_.state, round_.closed_at, round_.published = "closed", item.due_at, result.published
    parts = 1
    if result.published:
        questionnaire = await questionnaire_of(session, round_.questionnaire)
        parts = len(
            view.results(network.language, network, round_, questionnaire, result, round_.invited)
        )
    for part in range(parts):
        await enqueue(
            session,
            kind="round_results",
            chat_id=network.chat_id,
            network_id=network.id,
            due_at=item.due_at,
            payload={"round_id": round_.id, "part": part},
            dedupe_key=f"round:{round_.id}:results:{part}:{round_.closes_at:%Y%m%d%H%M%S}",
        )
    if result.published:
        await enqueue(
            session,
            kind="round_chart",
            chat_id=network.chat_id,
            network_id=network.id,
            due_at=item.due_at,
            payload={"round_id": round_.id},
            dedupe_key=f"round:{round_.id}:chart:{round_.closes_at:%Y%m%d%H%M%S}",
        )
    return None


async def render_results(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """One part of a closed round's results message."""
    found = await _round_and_network(session, item)
    if found is None or found[0].state != "closed":
        return None
    round_, network = found
    parts, _, _ = await _results_parts(session, round_, network, network.language)
    part = int(item.payload.get("part", 0))
    return Rendered(parts[part]) if part < len(parts) else None


async def render_chart(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The results chart of a closed round, as a photo."""
    found = await _round_and_network(session, item)
    if found is None or not found[0].published:
        return None
    round_, network = found
    questionnaire = await questionnaire_of(session, round_.questionnaire)
    result = await round_result(session, round_)
    photo = await _chart(network.language, questionnaire, result)
    return Rendered(
        view.chart_caption(network.language, questionnaire, result.previous_means is not None),
        photo=photo,
    )


async def render_remind(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """Fan out: queue a private reminder for every invited partner who has not answered."""
    found = await _round_and_network(session, item)
    if found is None or found[0].state != "open":
        return None
    round_, network = found
    stage = int(item.payload.get("stage", 0))
    for member in await store.invited_members(session, round_):
        person = member.person
        if not person.started or not person.reachable:
            continue
        if await store.has_answered(session, round_.id, person.id):
            continue
        await enqueue(
            session,
            kind="round_reminder",
            chat_id=person.id,
            person_id=person.id,
            network_id=network.id,
            due_at=item.due_at,
            payload={"round_id": round_.id},
            dedupe_key=f"round:{round_.id}:reminder:{stage}:{person.id}:{round_.closes_at:%Y%m%d%H%M}",
        )
    return None


async def render_reminder(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The private reminder; nothing if the person answered in the meantime."""
    found = await _round_and_network(session, item)
    if found is None or found[0].state != "open" or item.person_id is None:
        return None
    round_, network = found
    if await store.has_answered(session, round_.id, item.person_id):
        return None
    person = await session.get(Person, item.person_id)
    if person is None:
        return None
    lang = person_language(person, None, network.language)
    begun = await session.get(Draft, (round_.id, person.id)) is not None
    text, markup = view.reminder(
        lang,
        network,
        round_,
        await questionnaire_of(session, round_.questionnaire),
        render.bot_username,
        begun,
    )
    return Rendered(text, markup)


async def render_progress(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The group's daily 'n of m answered', and tomorrow's one queued."""
    found = await _round_and_network(session, item)
    if found is None or found[0].state != "open":
        return None
    round_, network = found
    await _queue_progress(session, round_, network, max(item.due_at, render.now))
    if render.now - item.due_at > dt.timedelta(hours=20):
        return None  # long overdue (the bot was down): only the newest count is worth sending
    answered = await store.answered_count(session, round_.id)
    invited = max(len(await store.invited_members(session, round_)), answered)
    text = view.progress(
        network.language,
        network,
        round_,
        await questionnaire_of(session, round_.questionnaire),
        answered,
        invited,
    )
    return Rendered(text, view.answer_button(network.language, round_, render.bot_username))


async def _round_in_network(update: Update, context: Context, network_id: int) -> None:
    await _ask_questionnaire(update, context, network_id, edit=False)


NETWORK_PICKERS["round"] = _round_in_network

RENDERERS = {
    "round_close": render_close,
    "round_results": render_results,
    "round_chart": render_chart,
    "round_remind": render_remind,
    "round_reminder": render_reminder,
    "round_progress": render_progress,
}

SETUP_BUTTONS = (Cb.ROUND_QUESTIONNAIRE, Cb.ROUND_DEADLINE, Cb.ROUND_K, Cb.ROUND_AUDIENCE)
ANSWER_BUTTONS = (Cb.ROUND_ANSWER, Cb.ROUND_BACK, Cb.ROUND_COMMENT, Cb.ROUND_SUBMIT, Cb.ROUND_EDIT)

HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("round", new_round),
    CommandHandler("close", close_now),
    CommandHandler("extend", extend),
    CommandHandler("results", results_command),
    CallbackQueryHandler(setup_button, pattern(*SETUP_BUTTONS)),
    CallbackQueryHandler(start_round, pattern(Cb.ROUND_GO)),
    CallbackQueryHandler(answer_button, pattern(*ANSWER_BUTTONS)),
    CallbackQueryHandler(results_button, pattern(Cb.ROUND_RESULTS)),
]
