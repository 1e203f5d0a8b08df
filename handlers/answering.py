"""A partner answers a round in private chat: the questions one by one, a comment, a review,
and the submit that moves the answers into the anonymous store."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler

from domain.callbacks import Cb, int_arg, pattern, unpack
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.questionnaires import Questionnaire
from domain.text import esc
from handlers.base import (
    Context,
    acknowledge,
    chatting_person,
    drop_buttons,
    is_chat_member,
    replace,
    reply,
)
from i18n import N_, person_language, t
from storage import queries
from storage import rounds as store
from storage.db import after_commit
from storage.models import Draft, Member, Network, Person, Round
from storage.rounds import questionnaire_of
from storage.submits import Outcome
from views import rounds as view

ROUND_CLOSED = N_("This round has closed; answers can no longer be given. Thank you all the same!")
ROUND_UNKNOWN = N_("This link does not lead to a round (any more).")
NOT_A_PARTNER = N_(
    "Only partners of <b>{network}</b> can answer. Join first with the button in the group, "
    "then open this link again."
)
NOT_INVITED = N_("This round is for {audience}; you are not among them. Thank you for looking!")
ALREADY_ANSWERED = N_("You have already answered this round. Thank you!")
OLDER_COPY = N_("That is an older copy of the questions: carry on with the newest one, below.")
SENT_IN = N_("📨 Sent in.")


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
        person, lang = await chatting_person(session, context, user)
        round_, draft = await _answerable(session, round_.id, person.id, lang, create=True)
        questionnaire = await questionnaire_of(session, round_.questionnaire)
        question = _screen(lang, round_, questionnaire, draft)
        shown = _Shown(user.id, round_.id, person.id, draft.message_id)
    await reply(update, view.intro(lang, network, round_, questionnaire))
    await _show_anew(context, shown, *question)


@dataclass(frozen=True)
class _Shown:
    """Where a draft is shown: the private chat, the draft's key, its live message (if any)."""

    chat_id: int
    round_id: int
    person_id: int
    message_id: int | None


async def _show_anew(
    context: Context, shown: _Shown, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Show the draft's screen as a new message at the bottom of the chat, after taking the
    buttons off the message that showed it until now: one live keyboard, and the newest step
    always the last thing in the chat. The new message is recorded as the live one."""
    if shown.message_id is not None:
        with contextlib.suppress(BadRequest):  # gone, or its buttons were taken off already
            await context.bot.edit_message_reply_markup(
                shown.chat_id, shown.message_id, reply_markup=None
            )
    sent = await context.bot.send_message(
        shown.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )
    async with context.unit_of_work() as session:
        draft = await session.get(Draft, (shown.round_id, shown.person_id))
        if draft is not None and (draft.message_id or 0) < sent.message_id:
            draft.message_id = sent.message_id


async def _answerable(
    session: AsyncSession,
    round_id: int,
    person_id: int,
    lang: str,
    *,
    create: bool = False,
    member: Member | None = None,
) -> tuple[Round, Draft]:
    """The open round and this person's draft, after every check that they may
    answer. No lock: a submit's group (storage.submits) checks the round again under its own.
    member: the membership store.load_for_press found (saves asking again).
    """
    round_ = await session.get(Round, round_id)
    if round_ is None:
        raise Refusal(ROUND_UNKNOWN)
    if round_.state != "open":
        raise Refusal(ROUND_CLOSED)
    if member is None or member.network_id != round_.network_id:
        member = await queries.membership(session, round_.network_id, person_id)
    if member is None and not create:
        # A button of a network this person is not in (forged or replayed): say nothing of
        # that network, not even its name.
        raise Refusal(NO_LONGER_ACTIVE)
    if member is None or not member.is_partner:
        network = await session.get(Network, round_.network_id)
        assert network is not None
        raise Refusal(NOT_A_PARTNER, network=esc(network.name))
    if not store.is_invited(round_, member):
        raise Refusal(NOT_INVITED, audience=esc(view.audience_text(lang, round_.audience)))
    # A draft exists only until its submit (which deletes it in the same transaction), so a
    # draft means 'not answered yet' without asking the voters.
    draft = await session.get(Draft, (round_.id, person_id))
    if draft is None:
        if await store.has_answered(session, round_, person_id):
            raise Refusal(ALREADY_ANSWERED)
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
    round_id = int_arg(args, 0)
    if kind is Cb.ROUND_SUBMIT:
        await _submit(update, context, query, round_id)
        return
    async with context.unit_of_work() as session:
        screen = await _step_quickly(session, context, query, kind, args, round_id)
        if screen is None:
            checked = await _checked(session, context, query, round_id)
            if checked is None:
                return
            round_, draft, lang = checked
            questionnaire = await questionnaire_of(session, round_.questionnaire)
            _move(kind, args, draft, questionnaire)
            screen = _screen(lang, round_, questionnaire, draft)
    await query.answer()
    await replace(query, *screen)


async def _checked(
    session: AsyncSession, context: Context, query: CallbackQuery, round_id: int
) -> tuple[Round, Draft, str] | None:
    """Every check of a press on a round's button, with the person's details brought up to
    date and the draft's live message set to the one pressed: the round, the draft and the
    person's language. None when the press was on an older copy (its buttons are gone then,
    and the person told)."""
    assert query.message is not None
    pressed_on = query.message.message_id
    # One statement for what the checks below need: they find it in the session.
    facts = await store.load_for_press(session, round_id, query.from_user.id)
    person, lang = await chatting_person(session, context, query.from_user)
    round_, draft = await _answerable(session, round_id, person.id, lang, member=facts.member)
    if draft.message_id is not None and pressed_on < draft.message_id:
        # A copy the questions have moved on from (shown anew below it since).
        await drop_buttons(query)
        await acknowledge(query, t(lang, OLDER_COPY))
        return None
    draft.message_id = pressed_on
    return round_, draft, lang


async def _submit(update: Update, context: Context, query: CallbackQuery, round_id: int) -> None:
    """Submit: the checks (read with one statement when all is as it should be, else the
    full path of answer_button's checks), then the draft counted in the round's next group of
    submits (storage.submits), outside this update's own transaction."""
    checked = await _submittable(context, query, round_id)
    if checked is None:
        return
    items, lang = checked
    outcome = await context.services.submits.submit(round_id, query.from_user.id, items)
    if outcome is not Outcome.SUBMITTED:
        raise Refusal(_REFUSED[outcome])
    await query.answer()
    # The review becomes a receipt without buttons; the thank-you is the chat's last word. It
    # waits for its turn among everything the bot sends (a crowd submitting at once meets the
    # 30-a-second ceiling), so it waits in a task of its own: this update's place among those
    # handled at once goes to the next person's press meanwhile.
    await replace(query, t(lang, SENT_IN), None)
    assert query.message is not None
    thanked = _thank(context, query.message.chat.id, round_id, lang)
    context.application.create_task(thanked, update=update)
    context.application.create_task(context.services.database.forget_history())


async def _submittable(
    context: Context, query: CallbackQuery, round_id: int
) -> tuple[int, str] | None:
    """A submit's checks: how many items the round's questionnaire has (a complete draft
    answers them all) and the person's language. Read with one statement, and no lock, when
    all is as it should be; else the full path of checks, which refuses in the right words.
    None when the press was on an older copy."""
    user = query.from_user
    async with context.unit_of_work(read_only=True) as session:
        press = _as_it_was(await store.read_press(session, round_id, user.id), query)
        if press is not None:
            questionnaire = await questionnaire_of(session, press.questionnaire)
            lang = person_language(press, user, context.services.settings.default_language)
            return len(questionnaire.items), lang
    async with context.unit_of_work() as session:
        checked = await _checked(session, context, query, round_id)
        if checked is None:
            return None
        round_, draft, lang = checked
        questionnaire = await questionnaire_of(session, round_.questionnaire)
        if draft.step != "review" or len(draft.answers) != len(questionnaire.items):
            raise Refusal(NO_LONGER_ACTIVE)
        return len(questionnaire.items), lang


_REFUSED = {
    Outcome.ALREADY_ANSWERED: ALREADY_ANSWERED,
    Outcome.NOT_READY: NO_LONGER_ACTIVE,
    Outcome.CLOSED: ROUND_CLOSED,
    Outcome.UNKNOWN: ROUND_UNKNOWN,
}


def _as_it_was(press: store.Press | None, query: CallbackQuery) -> store.Press | None:
    """The press's facts when all is as it should be for the quick paths: the person's
    details as stored, started and reachable, the round open, the person invited, a draft,
    and the press on its live message. None when anything is off."""
    user = query.from_user
    assert query.message is not None
    if (
        press is None
        or (press.first_name, press.username, press.telegram_language)
        != queries.stored_details(user.first_name, user.username, user.language_code)
        or not (press.started and press.reachable)
        or press.state != "open"
        or not press.invited
        or press.draft is None
        or (press.message_id is not None and query.message.message_id < press.message_id)
    ):
        return None
    return press


async def _step_quickly(
    session: AsyncSession,
    context: Context,
    query: CallbackQuery,
    kind: Cb,
    args: list[str],
    round_id: int,
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """A score, ◀ Back, Skip or Change when all is as it should be, and the screen it leads
    to: read with one Core statement and stored with one guarded UPDATE, no ORM objects (what
    a crowd scoring at once does most). None, with nothing changed, when anything is off (the
    person's details changed, the round or their membership is not as it was, the press is on
    an older copy, another process moved the draft meanwhile): answer_button's full path then
    refuses in the right words, or puts it right and makes the same move."""
    user = query.from_user
    press = _as_it_was(await store.read_press(session, round_id, user.id), query)
    if press is None:
        return None
    assert query.message is not None and press.draft is not None
    questionnaire = await questionnaire_of(session, press.questionnaire)
    steps = press.draft
    _move(kind, args, steps, questionnaire)
    if not await store.save_steps(session, press, user.id, steps, query.message.message_id):
        return None
    lang = person_language(press, user, context.services.settings.default_language)
    return _screen(lang, press, questionnaire, steps)


async def _thank(context: Context, chat_id: int, round_id: int, lang: str) -> None:
    """The thank-you after a submit, with how many have answered when it is sent (counted
    outside the submit's transaction, which then holds the round's counts a moment less)."""
    async with context.unit_of_work(read_only=True) as session:
        round_ = await session.get(Round, round_id)
        if round_ is None:
            return
        answered = await store.answered_count(session, round_id)
    thanks = view.thanks(lang, answered, max(round_.invited, answered))
    await context.bot.send_message(chat_id, thanks, parse_mode=ParseMode.HTML)


class _Steps(Protocol):
    """What a press moves: a Draft, or its plain values (store.DraftSteps)."""

    answers: dict[str, Any]
    position: int
    step: str
    comment: str | None


def _move(kind: Cb, args: list[str], draft: _Steps, questionnaire: Questionnaire) -> None:
    """A score, ◀ Back, Skip or Change applied to the draft; a button of a screen the draft
    has left (pressed twice, or an older copy) is refused and changes nothing."""
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
    elif kind is Cb.ROUND_COMMENT and draft.step == "comment":
        draft.comment, draft.step = None, "review"
    elif kind is Cb.ROUND_EDIT and draft.step == "review":
        draft.position, draft.step = 0, "items"
    else:
        raise Refusal(NO_LONGER_ACTIVE)


def _screen(
    lang: str, round_: view.Answered, questionnaire: Questionnaire, draft: _Steps
) -> tuple[str, InlineKeyboardMarkup | None]:
    """What the person sees at the draft's step: a question, the comment or the review."""
    if draft.step == "items":
        current = draft.answers.get(questionnaire.items[draft.position].key)
        return view.item_question(lang, round_, questionnaire, draft.position, current)
    if draft.step == "comment":
        # Back from the comment goes to the last question: the position after it.
        return view.ask_comment(lang, round_, len(questionnaire.items))
    return view.review(lang, round_, questionnaire, draft.answers, draft.comment)


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
        text, _ = view.ask_comment(lang, round_, 0)
        await reply(update, text)
        return True
    if len(comment) > view.COMMENT_LIMIT:
        await reply(update, view.comment_too_long(lang, len(comment)))
        return True
    draft.comment, draft.step = comment, "review"
    questionnaire = await questionnaire_of(session, round_.questionnaire)
    screen = _screen(lang, round_, questionnaire, draft)
    shown = _Shown(message.chat.id, round_.id, person.id, draft.message_id)
    after_commit(lambda: _show_anew(context, shown, *screen))
    return True


ANSWER_BUTTONS = (Cb.ROUND_ANSWER, Cb.ROUND_BACK, Cb.ROUND_COMMENT, Cb.ROUND_SUBMIT, Cb.ROUND_EDIT)

HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CallbackQueryHandler(answer_button, pattern(*ANSWER_BUTTONS)),
]
