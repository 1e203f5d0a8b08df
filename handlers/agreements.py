"""Comfort agreements and ground rules: coordinators record them (private chat), everyone in the
network can read them and their history."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from domain.calendar import next_review
from domain.callbacks import USER_ID_LIMIT, Cb, int_arg, pattern, unpack
from domain.dates import DateProblem, in_range, parse_when
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.text import NameProblem, clean_name, esc
from handlers.base import (
    NETWORK_PICKERS,
    NOT_IN_NETWORK,
    Context,
    acknowledge,
    chatting_person,
    dispatch_soon,
    group_network,
    in_coordinated_network,
    is_group,
    is_private,
    person_language,
    replace,
    reply,
    touch_person,
)
from handlers.network import ONLY_COORDINATORS
from handlers.reviews import queue_review
from i18n import N_
from schedules.outbox import RenderContext, Rendered, enqueue
from storage import agreements as store
from storage import queries
from storage.models import (
    Agreement,
    AgreementParty,
    AgreementResponder,
    AgreementVersion,
    Conversation,
    Member,
    Network,
    Outgoing,
)
from views import agreements as view
from views import rounds as round_view
from views.workgroups import text_problem

NEW = "agreement"
NEW_TEXT = "agreement_text"
RULES = "setrules"  # the network picker of /setrules
UNKNOWN = N_("There is no agreement called {name}. /agreements lists them.")
NO_ORGANISATIONS = N_("There are no organisations in this network yet: partners join first.")


def _today(network: Network, context: Context) -> dt.date:
    return context.services.clock.now().astimezone(ZoneInfo(network.timezone)).date()


async def _my_networks(
    update: Update, context: Context, session: AsyncSession
) -> tuple[list[Network], str]:
    """The networks this command is about (the group's; in private chat every network the
    person is in, not just the first), and the language to answer in."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    if is_group(chat):
        network = await group_network(session, chat.id)
        return [network], network.language
    person = await touch_person(session, user, started=True)
    memberships = await queries.memberships_of(session, user.id)
    if not memberships:
        raise Refusal(NOT_IN_NETWORK)
    lang = person_language(person, user, context.services.settings.default_language)
    return [m.network for m in memberships], lang


async def list_agreements(update: Update, context: Context) -> None:
    """/agreements: every agreement with its next review and last outcome, per network."""
    async with context.unit_of_work() as session:
        networks, lang = await _my_networks(update, context, session)
        for network in networks:
            items = []
            for item in await store.agreements_of(session, network.id):
                reviews = await store.reviews_of(session, item.id)
                closed = [r for r in reviews if r.state == "closed"]
                items.append((item, closed[-1].outcome if closed else None))
            for part in view.listing(lang, network, items):
                await reply(update, part)


async def agreement(update: Update, context: Context) -> None:
    """/agreement <title>: the text and history (found in any of the person's networks);
    without a title (private): record a new one."""
    name = " ".join(context.args or [])
    if not name:
        await _new(update, context)
        return
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        networks, lang = await _my_networks(update, context, session)
        found = []
        for network in networks:
            item = await store.agreement_named(session, network.id, name)
            if item is not None:
                found.append((network, item))
        if not found:
            raise Refusal(UNKNOWN, name=esc(name[:100]))
        for network, item in found:
            reviews = [
                (r, await store.answers_of(session, r.id))
                for r in await store.reviews_of(session, item.id)
            ]
            member = await queries.membership(session, network.id, user.id)
            editable = is_private(update) and member is not None and member.is_coordinator
            parts = view.history(lang, item, reviews)
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                button = last and editable and item.state == "active"
                await reply(update, part, view.edit_button(lang, item) if button else None)


async def show_rules(update: Update, context: Context) -> None:
    """/rules: the ground rules of the network (in private chat: of each of the person's)."""
    async with context.unit_of_work() as session:
        networks, lang = await _my_networks(update, context, session)
        for network in networks:
            item = await store.rules_of(session, network.id)
            await reply(update, view.rules(lang, network, item))


# --- recording (coordinators, private chat) --------------------------------------------------


async def _new(update: Update, context: Context) -> None:
    if not is_private(update):
        raise Refusal(N_("Send me this in a private chat: tap my name and then 'Message'."))
    await in_coordinated_network(update, context, NEW)


async def _begin(update: Update, context: Context, network_id: int) -> None:
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        _, lang = await chatting_person(session, context, user)
        network = await _coordinated(session, network_id, user.id)
        if not await queries.organisations_of(session, network.id):
            raise Refusal(NO_ORGANISATIONS)
        await queries.start_conversation(session, user.id, NEW, network.id, "title")
    await reply(update, view.ask_title(lang, network))


async def _coordinated(session: AsyncSession, network_id: int, person_id: int) -> Network:
    member = await queries.membership(session, network_id, person_id)
    if member is None or not member.is_coordinator:
        raise Refusal(ONLY_COORDINATORS)
    network = await session.get(Network, network_id)
    assert network is not None
    return network


async def agreement_text(
    update: Update, context: Context, session: AsyncSession, conversation: Conversation, lang: str
) -> None:
    """Typed title, text or start date while recording an agreement (or a new text)."""
    message = update.effective_message
    assert message is not None and conversation.network_id is not None
    network = await _coordinated(session, conversation.network_id, conversation.person_id)
    raw = (message.text or "").strip()
    if conversation.step == "title":
        try:
            title = clean_name(raw, view.TITLE_LIMIT)
        except NameProblem:
            await reply(update, text_problem(lang, view.TITLE_LIMIT))
            return
        conversation.data, conversation.step = {"title": title}, "text"
        await reply(update, view.ask_text(lang))
    elif conversation.step == "text":
        if not raw or len(raw) > view.TEXT_LIMIT:
            await reply(update, text_problem(lang, view.TEXT_LIMIT))
            return
        if conversation.kind == NEW_TEXT:
            await _save_new_text(update, context, session, conversation, raw, lang)
            return
        conversation.data, conversation.step = (
            {**conversation.data, "text": raw, "parties": []},
            "parties",
        )
        text, markup = view.ask_parties(
            lang, await queries.organisations_of(session, network.id), []
        )
        await reply(update, text, markup)
    elif conversation.step == "start":
        try:
            start = _typed_start(raw, network, context)
        except DateProblem as problem:
            await reply(update, round_view.date_problem(lang, str(problem)))
            return
        await _ask_who(update, session, conversation, network, lang, start, edit=False)
    else:
        raise Refusal(N_("I did not understand that. /help shows what I can do."))


def _typed_start(raw: str, network: Network, context: Context) -> dt.date:
    """An agreement's start: an ISO date (also in the past), or a date in plain words."""
    now = context.services.clock.now().astimezone(ZoneInfo(network.timezone))
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return parse_when(raw, now - dt.timedelta(days=1)).moment.date()
    return in_range(day, now.date())


async def _ask_who(
    update: Update,
    session: AsyncSession,
    conversation: Conversation,
    network: Network,
    lang: str,
    start: dt.date,
    *,
    edit: bool,
) -> None:
    conversation.data = {**conversation.data, "start": start.isoformat(), "people": []}
    conversation.step = "who"
    people = await _party_people(session, network.id, conversation.data["parties"])
    text, markup = view.ask_who(lang, people, [])
    if edit and update.callback_query:
        await replace(update.callback_query, text, markup)
    else:
        await reply(update, text, markup)


async def _party_people(
    session: AsyncSession, network_id: int, parties: list[int]
) -> list[tuple[int, str]]:
    members = await session.scalars(
        select(Member)
        .where(
            Member.network_id == network_id,
            Member.organisation_id.in_(parties),
            Member.left_at.is_(None),
        )
        .options(selectinload(Member.person))
    )
    return sorted(((m.person_id, m.person.first_name) for m in members), key=lambda p: p[1])


async def setup_button(update: Update, context: Context) -> None:
    """A button while recording an agreement: parties, interval, start, responders, save."""
    query = update.callback_query
    assert query is not None
    kind, args = unpack(query.data)
    user = query.from_user
    async with context.unit_of_work() as session:
        _, lang = await chatting_person(session, context, user)
        conversation = await queries.conversation_of(session, user.id)
        if conversation is None or conversation.kind != NEW or conversation.network_id is None:
            raise Refusal(NO_LONGER_ACTIVE)
        network = await _coordinated(session, conversation.network_id, user.id)
        data, step = dict(conversation.data), conversation.step
        organisations = await queries.organisations_of(session, network.id)
        if kind is Cb.AGREEMENT_PARTY and step == "parties":
            if args == ["ok"] and data["parties"]:
                conversation.step = "interval"
                text, markup = view.ask_interval(lang)
            else:
                org_id = int_arg(args, 0)
                if org_id not in {o.id for o in organisations}:
                    raise Refusal(NO_LONGER_ACTIVE)
                chosen = (
                    [p for p in data["parties"] if p != org_id]
                    if org_id in data["parties"]
                    else [*data["parties"], org_id]
                )
                conversation.data = {**data, "parties": chosen}
                text, markup = view.ask_parties(lang, organisations, chosen)
        elif (
            kind is Cb.AGREEMENT_INTERVAL
            and step == "interval"
            and int_arg(args, 0) in view.INTERVALS
        ):
            conversation.data, conversation.step = {**data, "months": int_arg(args, 0)}, "start"
            text, markup = view.ask_start(lang)
        elif kind is Cb.AGREEMENT_START and step == "start":
            await acknowledge(query)
            await _ask_who(
                update, session, conversation, network, lang, _today(network, context), edit=True
            )
            return
        elif kind is Cb.AGREEMENT_WHO and step == "who":
            people = await _party_people(session, network.id, data["parties"])
            if args and args[0] in ("all", "ok"):
                if args[0] == "all":
                    data["people"] = []
                conversation.data, conversation.step = data, "confirm"
                start = dt.date.fromisoformat(data["start"])
                first = next_review(
                    start,
                    data["months"],
                    max(start, _today(network, context)) - dt.timedelta(days=1),
                )
                names = [o.name for o in organisations if o.id in data["parties"]]
                text, markup = view.confirm(
                    lang, data["title"], data["text"], names, data["months"], start, first
                )
            else:
                person_id = int_arg(args, 1, limit=USER_ID_LIMIT)
                if person_id not in {p for p, _ in people}:
                    raise Refusal(NO_LONGER_ACTIVE)
                chosen = (
                    [p for p in data["people"] if p != person_id]
                    if person_id in data["people"]
                    else [*data["people"], person_id]
                )
                conversation.data = {**data, "people": chosen}
                text, markup = view.ask_who(lang, people, chosen)
        elif kind is Cb.AGREEMENT_SAVE and step == "confirm":
            saved = await _save(session, network, data, context)
            await queries.end_conversation(session, user.id)
            item = await store.agreement(session, saved.id)
            assert item is not None
            # The group's notice is queued with the agreement it announces: a failed call is
            # retried and can never undo the save.
            await enqueue(
                session,
                kind="agreement_recorded",
                chat_id=network.chat_id,
                network_id=network.id,
                due_at=context.services.clock.now(),
                payload={"agreement_id": item.id},
                dedupe_key=f"agreement:{item.id}:recorded",
            )
            text, markup = view.recorded(lang, item), None
        else:
            raise Refusal(NO_LONGER_ACTIVE)
    await query.answer()
    await replace(query, text, markup)
    if kind is Cb.AGREEMENT_SAVE:
        dispatch_soon(context)


async def render_recorded(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The group's notice of a newly recorded agreement, as it stands when it is sent."""
    agreement = await store.agreement(session, int(item.payload.get("agreement_id", 0)))
    if agreement is None:
        return None
    network = await session.get(Network, agreement.network_id)
    if network is None:
        return None
    return Rendered(view.recorded(network.language, agreement))


RENDERERS = {"agreement_recorded": render_recorded}


async def _save(session: AsyncSession, network: Network, data: dict, context: Context) -> Agreement:  # type: ignore[type-arg]
    start = dt.date.fromisoformat(data["start"])
    today = _today(network, context)
    item = Agreement(
        network_id=network.id,
        kind="agreement",
        title=data["title"],
        start_on=start,
        interval_months=int(data["months"]),
        next_review_on=next_review(
            start, int(data["months"]), max(start, today) - dt.timedelta(days=1)
        ),
        state="active",
    )
    item.versions = [AgreementVersion(number=1, text=data["text"])]
    item.parties = [AgreementParty(organisation_id=org_id) for org_id in data["parties"]]
    item.responders = [AgreementResponder(person_id=pid) for pid in data.get("people", [])]
    session.add(item)
    await session.flush()
    await queue_review(session, item, network)
    return item


# --- a new text (after "adjust"), and ground rules ---------------------------------------------


async def edit_text(update: Update, context: Context) -> None:
    """✏️ New text under an agreement (coordinators, private chat)."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    user = query.from_user
    async with context.unit_of_work() as session:
        _, lang = await chatting_person(session, context, user)
        item = await store.agreement(session, int_arg(args, 0))
        if item is None or item.state != "active":
            raise Refusal(NO_LONGER_ACTIVE)
        await _coordinated(session, item.network_id, user.id)
        conversation = await queries.start_conversation(
            session, user.id, NEW_TEXT, item.network_id, "text"
        )
        conversation.data = {"agreement_id": item.id}
    await query.answer()
    await reply(update, view.ask_text(lang))


async def set_rules(update: Update, context: Context) -> None:
    """/setrules: record (a new version of) the network's ground rules (coordinators)."""
    if not is_private(update):
        raise Refusal(N_("Send me this in a private chat: tap my name and then 'Message'."))
    await in_coordinated_network(update, context, RULES)


async def _begin_rules(update: Update, context: Context, network_id: int) -> None:
    user = update.effective_user
    assert user is not None
    async with context.unit_of_work() as session:
        _, lang = await chatting_person(session, context, user)
        network = await _coordinated(session, network_id, user.id)
        conversation = await queries.start_conversation(
            session, user.id, NEW_TEXT, network.id, "text"
        )
        conversation.data = {"rules": True}
    await reply(update, view.ask_text(lang))


async def _save_new_text(
    update: Update,
    context: Context,
    session: AsyncSession,
    conversation: Conversation,
    text: str,
    lang: str,
) -> None:
    assert conversation.network_id is not None
    network = await _coordinated(session, conversation.network_id, conversation.person_id)
    if conversation.data.get("rules"):
        item = await store.rules_of(session, network.id)
        if item is None:
            today = _today(network, context)
            item = Agreement(
                network_id=network.id,
                kind="rules",
                title="spelregels",
                start_on=today,
                interval_months=6,
                next_review_on=next_review(today, 6, today),
                state="active",
            )
            item.versions = [AgreementVersion(number=1, text=text)]
            session.add(item)
            await session.flush()
            await queue_review(session, item, network)
        else:
            session.add(
                AgreementVersion(agreement_id=item.id, number=len(item.versions) + 1, text=text)
            )
    else:
        item = await store.agreement(session, int(conversation.data["agreement_id"]))
        if item is None:
            raise Refusal(NO_LONGER_ACTIVE)
        session.add(
            AgreementVersion(agreement_id=item.id, number=len(item.versions) + 1, text=text)
        )
    await queries.end_conversation(session, conversation.person_id)
    await session.flush()
    fresh = await store.agreement(session, item.id)
    assert fresh is not None
    await reply(
        update,
        view.rules(lang, network, fresh)
        if fresh.kind == "rules"
        else view.history(lang, fresh, [])[0],
    )


NETWORK_PICKERS[NEW] = _begin
NETWORK_PICKERS[RULES] = _begin_rules

HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("agreements", list_agreements),
    CommandHandler("agreement", agreement),
    CommandHandler("rules", show_rules),
    CommandHandler("setrules", set_rules),
    CallbackQueryHandler(
        setup_button,
        pattern(
            Cb.AGREEMENT_PARTY,
            Cb.AGREEMENT_INTERVAL,
            Cb.AGREEMENT_START,
            Cb.AGREEMENT_WHO,
            Cb.AGREEMENT_SAVE,
        ),
    ),
    CallbackQueryHandler(edit_text, pattern(Cb.AGREEMENT_EDIT)),
]
