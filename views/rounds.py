"""Texts and keyboards of score rounds: setting up, announcing, answering, reminding, results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Protocol
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from domain.anonymity import KIND, LEVEL, REST, Breakdown, RoundPlan
from domain.callbacks import Cb, pack
from domain.enums import Level, OrgType
from domain.questionnaires import (
    NETWERKTOETS,
    Item,
    Questionnaire,
    is_relation_map,
    parse_org_map,
)
from domain.results import (
    ADAPT,
    ALIGN,
    INNER,
    INTERWEAVE,
    MIDDLE_RING,
    OUTER,
    RoundResult,
    collaboration_advice,
    lowest_items,
    rings,
    widest_disagreement,
)
from domain.text import esc, pack_blocks, shorten, telegram_length
from i18n import N_, date_text, decimal, signed, t, tn
from storage.models import Network, Round
from views.keyboards import button, deep_link, keyboard, link, rows

COMMENT_LIMIT = 1000


class Answered(Protocol):
    """What the answering screens show of a round: its id (in their buttons) and k."""

    @property
    def id(self) -> int: ...

    @property
    def k(self) -> int: ...


K_CHOICES = (3, 5, 7, 10)
BARS = " ▁▂▃▄▅▆▇█"
LEVEL_GROUP_LABELS = {"upper": N_("Board & strategic"), "lower": N_("Tactical & operational")}


def when(lang: str, moment: dt.datetime, timezone: str, *, with_time: bool = True) -> str:
    """A moment as people say it: 'vrijdag 27 november 17:00' / 'Friday 27 November 17:00'."""
    local = moment.astimezone(ZoneInfo(timezone))
    text = date_text(lang, local.date())
    return f"{text} {local:%H:%M}" if with_time else text


def question_text(lang: str, questionnaire: Questionnaire, item: Item) -> str:
    """An item's question as the person reads it (with the name it is about filled in)."""
    if item.subject:
        return t(lang, item.question, name=item.subject)
    return _text(lang, questionnaire, item.question)


def label(lang: str, questionnaire: Questionnaire, item: Item) -> str:
    """An item's short name: the words before the colon of its question."""
    if item.subject:
        return shorten(item.subject, 40)
    question = _text(lang, questionnaire, item.question)
    return shorten(question.split(":")[0], 40)


def _text(lang: str, questionnaire: Questionnaire, msgid: str) -> str:
    # Built-in texts are catalog msgids; a network's own questionnaire is shown as written.
    return t(lang, msgid) if questionnaire.builtin else msgid


def questionnaire_name(lang: str, questionnaire: Questionnaire) -> str:
    """A questionnaire's name as plain text (escape it for HTML)."""
    return _text(lang, questionnaire, questionnaire.name)


# --- setting a round up (coordinator, private chat) --------------------------------------------


def choose_questionnaire(
    lang: str, network: Network, questionnaires: Sequence[Questionnaire], busy: set[str]
) -> tuple[str, InlineKeyboardMarkup]:
    """Step 1: which questionnaire."""
    text = t(
        lang,
        "📊 New score round for <b>{network}</b>\nWhich questionnaire?",
        network=esc(network.name),
    )
    buttons = [
        button(_text(lang, q, q.name), pack(Cb.ROUND_QUESTIONNAIRE, network.id, q.key))
        for q in questionnaires
        if q.key not in busy
    ]
    if busy:
        text += "\n\n" + t(
            lang, "A questionnaire with an open round is not listed: close that round first."
        )
    return text, keyboard(*rows(buttons, 1), [button(t(lang, "Cancel"), pack(Cb.CANCEL))])


def ask_deadline(
    lang: str, network: Network, default: dt.datetime
) -> tuple[str, InlineKeyboardMarkup]:
    """Step 2: until when."""
    text = t(
        lang,
        "When does the round close? Type a date, such as <i>vrijdag 17:00</i>, <i>15 december</i> "
        "or <i>over twee weken</i>, or take the suggestion.",
    )
    return text, keyboard(
        [
            button(
                t(lang, "In 14 days: {date}", date=when(lang, default, network.timezone)),
                pack(Cb.ROUND_DEADLINE, 14),
            )
        ],
        [button(t(lang, "In 7 days"), pack(Cb.ROUND_DEADLINE, 7))],
    )


def date_problem(lang: str, problem: str) -> str:
    """Why a typed date was not accepted."""
    if problem == "past":
        return t(lang, "That moment has already passed. Please type a date in the future.")
    if problem == "impossible":
        return t(lang, "That date does not exist (such as 31 February). Please type another one.")
    if problem == "far":
        return t(lang, "That date is too far from today. Please type one within ten years.")
    return t(
        lang,
        "I could not read that date. Try <i>vrijdag 17:00</i>, <i>15 december</i>, "
        "<i>2026-12-15</i> or <i>over twee weken</i>.",
    )


def ask_k(lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """Step 3: the anonymity threshold."""
    text = t(
        lang,
        "How many people must answer before results are shown? Below this number nothing is "
        "published, to keep answers anonymous. At least 3; 5 is a good choice.",
    )
    buttons = [button(str(k) + (" ✓" if k == 5 else ""), pack(Cb.ROUND_K, k)) for k in K_CHOICES]
    return text, keyboard(buttons)


def ask_audience(
    lang: str, levels: Sequence[str], types: Sequence[str], present_types: Sequence[str]
) -> tuple[str, InlineKeyboardMarkup]:
    """Step 4: who is invited; nothing ticked means everyone."""
    text = t(
        lang,
        "Who is invited? Tick levels or kinds of organisation to invite only those; with "
        "nothing ticked, every partner is invited.",
    )
    level_buttons = [
        button(
            ("✅ " if level.value in levels else "▫️ ") + t(lang, level.label),
            pack(Cb.ROUND_AUDIENCE, "l", level.value),
        )
        for level in Level
    ]
    type_buttons = [
        button(
            ("✅ " if kind in types else "▫️ ") + t(lang, OrgType(kind).label),
            pack(Cb.ROUND_AUDIENCE, "t", kind),
        )
        for kind in present_types
    ]
    return text, keyboard(
        *rows(level_buttons, 2),
        *rows(type_buttons, 2),
        [button(t(lang, "Next ▶"), pack(Cb.ROUND_AUDIENCE, "ok"))],
    )


def audience_text(lang: str, audience: dict[str, list[str]]) -> str:
    """Who a round is for, in words."""
    parts = [t(lang, Level(v).label).lower() for v in audience.get("levels") or []]
    parts += [t(lang, OrgType(v).label).lower() for v in audience.get("types") or []]
    return ", ".join(parts) if parts else t(lang, "every partner")


def confirm_round(
    lang: str,
    network: Network,
    questionnaire: Questionnaire,
    closes_at: dt.datetime,
    k: int,
    audience: dict[str, list[str]],
    plan: RoundPlan,
) -> tuple[str, InlineKeyboardMarkup]:
    """Step 5: the summary, with what anonymity allows this round to show, to start or cancel."""
    text = t(
        lang,
        "Start this round?\n\nNetwork: <b>{network}</b>\nQuestionnaire: {questionnaire}\n"
        "Closes: {deadline}\nResults from: {k} answers\nInvited: {audience}",
        network=esc(network.name),
        questionnaire=esc(_text(lang, questionnaire, questionnaire.name)),
        deadline=when(lang, closes_at, network.timezone),
        k=k,
        audience=esc(audience_text(lang, audience)),
    )
    text += "\n" + tn(
        lang, "{n} partner is invited now.", "{n} partners are invited now.", plan.invited
    )
    if plan.invited < k:
        text += "\n\n" + t(
            lang,
            "⚠️ That is fewer than the {k} answers needed: unless more partners join before "
            "the round closes, it cannot show any result.",
            k=k,
        )
    text += "\n\n" + breakdown_text(lang, plan.breakdown, k)
    text += "\n" + t(
        lang,
        "Comments are shown when at least {n} people write one.",
        n=plan.comment_k,
    )
    text += "\n" + t(lang, "These rules are fixed once the round starts.")
    return text, keyboard(
        [
            button(t(lang, "▶ Start round"), pack(Cb.ROUND_GO)),
            button(t(lang, "Cancel"), pack(Cb.CANCEL)),
        ]
    )


def group_title(lang: str, dimension: str, name: str) -> str:
    """The name of a breakdown group: a level group, a kind of organisation, or the rest."""
    if dimension == LEVEL:
        return t(lang, LEVEL_GROUP_LABELS[name])
    if name == REST:
        return t(lang, "other kinds together")
    return t(lang, OrgType(name).label)


def breakdown_text(lang: str, breakdown: Breakdown, k: int) -> str:
    """Which breakdowns a round will have, for the coordinator before starting it."""
    lines = []
    if breakdown.mapping(LEVEL):
        groups = " / ".join(group_title(lang, LEVEL, g) for g in breakdown.groups(LEVEL))
        lines.append(t(lang, "• by level: {groups}", groups=esc(groups)))
    if breakdown.mapping(KIND):
        groups = ", ".join(group_title(lang, KIND, g) for g in breakdown.groups(KIND))
        lines.append(t(lang, "• by kind of organisation: {groups}", groups=esc(groups)))
    if not lines:
        return t(
            lang,
            "Breakdowns: none. No level or kind of organisation has at least {k} invited "
            "partners next to at least {k} others, so only the whole network's result can be "
            "shown.",
            k=k,
        )
    head = t(
        lang,
        "Breakdowns, each group at least {k} invited partners (shown per item only where "
        "every group gave at least {k} scores):",
        k=k,
    )
    return head + "\n" + "\n".join(lines)


def round_started(lang: str) -> str:
    """Confirmation to the coordinator."""
    return t(lang, "✅ The round has started and is announced in the group.")


# --- the group ----------------------------------------------------------------------------------


def announcement(
    lang: str, network: Network, round_: Round, questionnaire: Questionnaire, bot_username: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The group's announcement with the button into the private chat."""
    text = t(
        lang,
        "📊 <b>New score round: {questionnaire}</b>\n\n"
        "Partners of {network}: how is our collaboration doing? Give your scores before "
        "{deadline}. It takes about two minutes.\n\n"
        "Your answers are anonymous: this group sees only the combined result, and only when "
        "at least {k} people answered. Invited: {audience}.",
        questionnaire=esc(_text(lang, questionnaire, questionnaire.name)),
        network=esc(network.name),
        deadline=when(lang, round_.closes_at, network.timezone),
        k=round_.k,
        audience=esc(audience_text(lang, round_.audience)),
    )
    return text, answer_button(lang, round_, bot_username)


def answer_button(lang: str, round_: Round, bot_username: str) -> InlineKeyboardMarkup:
    """The deep-link button that opens the questions in private chat."""
    return keyboard(
        [link(t(lang, "📝 Answer (anonymous)"), deep_link(bot_username, f"a_{round_.token}"))]
    )


def progress(
    lang: str,
    network: Network,
    round_: Round,
    questionnaire: Questionnaire,
    answered: int,
    invited: int,
) -> str:
    """The group's daily 'n of m answered'."""
    return tn(
        lang,
        "📊 {questionnaire}: {n} of {invited} partners has answered. The round closes {deadline}.",
        "📊 {questionnaire}: {n} of {invited} partners have answered. The round closes {deadline}.",
        answered,
        questionnaire=esc(_text(lang, questionnaire, questionnaire.name)),
        invited=invited,
        deadline=when(lang, round_.closes_at, network.timezone),
    )


def confirm_close(
    lang: str, round_: Round, questionnaire: Questionnaire, answered: int
) -> tuple[str, InlineKeyboardMarkup]:
    """/close asks first: closing cannot be undone, and may leave the results hidden."""
    text = tn(
        lang,
        "Close <b>{questionnaire}</b> now? {n} of {invited} partners has answered.",
        "Close <b>{questionnaire}</b> now? {n} of {invited} partners have answered.",
        answered,
        questionnaire=esc(_text(lang, questionnaire, questionnaire.name)),
        invited=round_.invited,
    )
    if answered < round_.k:
        text += " " + t(
            lang,
            "That is fewer than the {k} needed: the results would stay hidden.",
            k=round_.k,
        )
    return text, keyboard(
        [
            button(t(lang, "🔒 Close now"), pack(Cb.ROUND_CLOSE, round_.id)),
            button(t(lang, "Keep it open"), pack(Cb.CANCEL)),
        ]
    )


def closing(lang: str, round_: Round, answered: int) -> str:
    """After /close was confirmed: what follows."""
    if answered < round_.k:
        return t(
            lang,
            "🔒 The round is closing. Fewer than {k} answered, so its results stay hidden.",
            k=round_.k,
        )
    return t(lang, "🔒 The round is closing; the results follow in a moment.")


def hidden_results(
    lang: str, network: Network, questionnaire: Questionnaire, result: RoundResult
) -> str:
    """Fewer than k answered: nothing is published."""
    return tn(
        lang,
        "📊 The round <b>{questionnaire}</b> has closed. {n} person answered, fewer than the "
        "{k} needed, so the results stay hidden to protect everyone's anonymity. A coordinator "
        "can give the round more time with /extend <i>date</i>.",
        "📊 The round <b>{questionnaire}</b> has closed. {n} people answered, fewer than the "
        "{k} needed, so the results stay hidden to protect everyone's anonymity. A coordinator "
        "can give the round more time with /extend <i>date</i>.",
        result.respondents,
        questionnaire=esc(_text(lang, questionnaire, questionnaire.name)),
        k=result.k,
    )


# --- answering (partner, private chat) ------------------------------------------------------


def intro(lang: str, network: Network, round_: Round, questionnaire: Questionnaire) -> str:
    """What the person is about to do, and exactly what is anonymous."""
    return tn(
        lang,
        "📊 <b>{questionnaire}</b> — {network}\n\n"
        "You get {n} question, scored from 1 to 10, or “don't know”. You can go back to "
        "change your answer until you submit.\n\n"
        "🔒 When you submit, your scores are stored without your name, your Telegram id or the "
        "time, and your draft is deleted. The group sees only combined results, and only when "
        "at least {k} people answered. Nobody, coordinators included, can see your scores.",
        "📊 <b>{questionnaire}</b> — {network}\n\n"
        "You get {n} questions, each scored from 1 to 10, or “don't know”. You can go back to "
        "change an answer until you submit.\n\n"
        "🔒 When you submit, your scores are stored without your name, your Telegram id or the "
        "time, and your draft is deleted. The group sees only combined results, and only when "
        "at least {k} people answered. Nobody, coordinators included, can see your scores.",
        len(questionnaire.items),
        questionnaire=esc(_text(lang, questionnaire, questionnaire.name)),
        network=esc(network.name),
        k=round_.k,
    )


def item_question(
    lang: str, round_: Answered, questionnaire: Questionnaire, position: int, current: int | None
) -> tuple[str, InlineKeyboardMarkup]:
    """One item: the question, the meaning of the scale's ends, buttons 1–10 and don't know."""
    item = questionnaire.items[position]
    lines = [
        t(lang, "<b>Question {i} of {n}</b>", i=position + 1, n=len(questionnaire.items)),
        esc(question_text(lang, questionnaire, item)),
        "",
        "1 = " + esc(_text(lang, questionnaire, item.low)),
    ]
    if item.middle:
        lines.append("5 = " + esc(_text(lang, questionnaire, item.middle)))
    lines.append("10 = " + esc(_text(lang, questionnaire, item.high)))
    if current is not None:
        lines += [
            "",
            t(lang, "Your answer so far: {answer}", answer=current or t(lang, "don't know")),
        ]

    def score(value: int) -> str:
        return f"[{value}]" if current == value else str(value)

    scores = [button(score(v), pack(Cb.ROUND_ANSWER, round_.id, position, v)) for v in range(1, 11)]
    dont_know = button(
        ("[" + t(lang, "Don't know") + "]") if current == 0 else t(lang, "Don't know"),
        pack(Cb.ROUND_ANSWER, round_.id, position, 0),
    )
    back = [button(t(lang, "◀ Back"), pack(Cb.ROUND_BACK, round_.id, position))] if position else []
    return "\n".join(lines), keyboard(scores[:5], scores[5:], [dont_know], back)


def ask_comment(lang: str, round_: Answered, position: int) -> tuple[str, InlineKeyboardMarkup]:
    """The optional comment."""
    text = t(
        lang,
        "Anything you want to add? Type a comment (at most {limit} characters), or press Skip.\n"
        "Comments are shown to the group without names, in random order, and only when at "
        "least {k} people wrote one.",
        limit=COMMENT_LIMIT,
        k=round_.k,
    )
    return text, keyboard(
        [button(t(lang, "Skip ▶"), pack(Cb.ROUND_COMMENT, round_.id))],
        [button(t(lang, "◀ Back"), pack(Cb.ROUND_BACK, round_.id, position))],
    )


def comment_too_long(lang: str, length: int) -> str:
    """The comment is over the limit."""
    return t(
        lang,
        "Your comment has {length} characters; at most {limit} fit. Please shorten it and send "
        "it again, or press Skip.",
        length=length,
        limit=COMMENT_LIMIT,
    )


def review(
    lang: str,
    round_: Answered,
    questionnaire: Questionnaire,
    answers: dict[str, int],
    comment: str | None,
) -> tuple[str, InlineKeyboardMarkup]:
    """All answers at a glance, to submit or change."""
    lines = [t(lang, "<b>Your answers</b>")]
    for index, item in enumerate(questionnaire.items, start=1):
        value = answers.get(item.key)
        shown = t(lang, "don't know") if value == 0 else str(value) if value else "—"
        lines.append(f"{index}. {esc(label(lang, questionnaire, item))}: {shown}")
    if comment:
        lines += ["", t(lang, "Comment: {comment}", comment=esc(comment))]
    lines += [
        "",
        t(
            lang,
            "Submit now? After that your answers cannot be changed: they are stored without "
            "your name.",
        ),
    ]
    return "\n".join(lines), keyboard(
        [button(t(lang, "✅ Submit"), pack(Cb.ROUND_SUBMIT, round_.id))],
        [button(t(lang, "✏️ Change answers"), pack(Cb.ROUND_EDIT, round_.id))],
    )


def thanks(lang: str, answered: int, invited: int) -> str:
    """After submitting."""
    return tn(
        lang,
        "✅ Thank you! Your answers are in, anonymously. {n} of {invited} partners has "
        "answered so far.",
        "✅ Thank you! Your answers are in, anonymously. {n} of {invited} partners have "
        "answered so far.",
        answered,
        invited=invited,
    )


def reminder(
    lang: str,
    network: Network,
    round_: Round,
    questionnaire: Questionnaire,
    bot_username: str,
    started: bool,
) -> tuple[str, InlineKeyboardMarkup]:
    """The private reminder to someone who has not answered yet."""
    text = t(
        lang,
        "⏰ The round <b>{questionnaire}</b> of {network} closes {deadline}. It takes about two "
        "minutes, and your answers are anonymous.",
        questionnaire=esc(_text(lang, questionnaire, questionnaire.name)),
        network=esc(network.name),
        deadline=when(lang, round_.closes_at, network.timezone),
    )
    if started:
        text += "\n" + t(lang, "You have already begun: you continue where you left off.")
    return text, answer_button(lang, round_, bot_username)


# --- results ----------------------------------------------------------------------------------


def _item_label(lang: str, questionnaire: Questionnaire, key: str) -> str:
    return esc(label(lang, questionnaire, questionnaire.item(key)))


def _sparkline(distribution: Sequence[int]) -> str:
    peak = max(distribution) or 1
    return "".join(
        BARS[round(count / peak * (len(BARS) - 1))] if count else "·" for count in distribution
    )


def _arrow(lang: str, now: float, before: float | None) -> str:
    if before is None:
        return ""
    delta = now - before
    symbol = "↑" if delta >= 0.3 else "↓" if delta <= -0.3 else "→"
    return f" {symbol} ({signed(lang, delta)})"


HEADLINE_LOWEST = 3


def results(
    lang: str,
    network: Network,
    round_: Round,
    questionnaire: Questionnaire,
    result: RoundResult,
    invited: int,
) -> tuple[str, InlineKeyboardMarkup]:
    """The results in one phone screen: who answered, the lowest items, where opinions differ
    most, the advice; the rest (every item, the groups, the comments) behind a button."""
    name = esc(_text(lang, questionnaire, questionnaire.name))
    closed = when(lang, round_.closed_at or round_.closes_at, network.timezone, with_time=False)
    blocks = [
        t(
            lang,
            "📊 <b>Results: {questionnaire}</b> — {network}",
            questionnaire=name,
            network=esc(network.name),
        )
        + "\n"
        + tn(
            lang,
            "{n} of {invited} invited partners answered (closed {date}).",
            "{n} of {invited} invited partners answered (closed {date}).",
            result.respondents,
            invited=invited,
            date=closed,
        )
    ]
    previous = result.previous_means or {}
    lowest = lowest_items(result.items, HEADLINE_LOWEST)
    if lowest and not is_relation_map(questionnaire.key):
        lines = [
            f"• {_item_label(lang, questionnaire, s.key)}: <b>{decimal(lang, s.mean or 0)}</b>"
            + _arrow(lang, s.mean or 0, previous.get(s.key))
            for s in lowest
        ]
        blocks.append(t(lang, "🔻 <b>Lowest scores</b> (from 1 to 10):") + "\n" + "\n".join(lines))
    widest = widest_disagreement(result.items)
    if widest is not None and not is_relation_map(questionnaire.key):
        blocks.append(
            t(
                lang,
                "💬 <b>Most difference of opinion:</b> {item}, with scores from {low} to {high}. "
                "That is the one to talk about.",
                item=_item_label(lang, questionnaire, widest.key),
                low=widest.minimum,
                high=widest.maximum,
            )
        )
    if questionnaire.key == NETWERKTOETS:
        advice = collaboration_advice(result.means)
        if advice is not None:
            blocks.append(form_text(lang, questionnaire, advice.form, advice.work_on))
    if is_relation_map(questionnaire.key) and result.means:
        blocks.append(rings_text(lang, questionnaire, result.means))
    if result.comments:
        blocks.append(
            tn(
                lang,
                "📝 {n} comment, under all results.",
                "📝 {n} comments, under all results.",
                len(result.comments),
            )
        )
    text = "\n\n".join(blocks)
    return text, keyboard([button(t(lang, "📋 All results"), pack(Cb.ROUND_DETAILS, round_.id))])


def results_details(lang: str, questionnaire: Questionnaire, result: RoundResult) -> list[str]:
    """Every item with its average, change, range and spread, explained once in plain words;
    the advice's risks, the groups that may be shown, the comments."""
    name = esc(_text(lang, questionnaire, questionnaire.name))
    blocks = [
        t(lang, "📋 <b>All results: {questionnaire}</b>", questionnaire=name)
        + "\n"
        + t(
            lang,
            "<i>Per item: the average (1 to 10), the change since the previous round, the "
            "lowest and highest score, and the spread: how far the scores lie apart (under 1: "
            "nearly everyone agrees; 2 or more: opinions differ a lot). 'Don't know' does not "
            "count in the average.</i>",
        )
    ]
    previous = result.previous_means or {}
    for index, stats in enumerate(result.items, start=1):
        item = questionnaire.item(stats.key)
        title = esc(label(lang, questionnaire, item))
        if stats.mean is None:
            blocks.append(
                f"<b>{index}. {title}</b>: "
                + t(lang, "too few scores to show (don't know: {n})", n=stats.dont_know)
            )
            continue
        assert stats.sd is not None
        line = (
            f"<b>{index}. {title}: {decimal(lang, stats.mean)}</b>"
            + _arrow(lang, stats.mean, previous.get(stats.key))
            + "\n"
            + t(
                lang,
                "{low} to {high}, spread {sd}",
                low=stats.minimum,
                high=stats.maximum,
                sd=decimal(lang, stats.sd),
            )
        )
        if stats.dont_know:
            line += "; " + tn(lang, "{n} don't know", "{n} don't know", stats.dont_know)
        blocks.append(line)
    if questionnaire.key == NETWERKTOETS:
        advice = collaboration_advice(result.means)
        if advice is not None:
            blocks.append("\n" + t(lang, FORM_RISKS[advice.form]))
    blocks.extend(_breakdown(lang, questionnaire, result))
    if result.comments:
        blocks.append("\n" + t(lang, "<b>Comments</b> (in random order)"))
        blocks.extend("• " + esc(comment) for comment in result.comments)
    elif result.comments_waiting:
        blocks.append(
            "\n"
            + tn(
                lang,
                "There is {n} comment; comments are shown when at least {k} people write one.",
                "There are {n} comments; comments are shown when at least {k} people write one.",
                result.comments_waiting,
                k=result.comment_k,
            )
        )
    return pack_blocks(blocks)


RING_LEGENDS = {
    INNER: N_("● inner ring: known and reachable (7 or more)"),
    MIDDLE_RING: N_("● middle ring (5.5 to 7)"),
    OUTER: N_("● outer ring: they have to beg (under 5.5)"),
}
RING_TITLES = {
    INNER: N_("🟢 Inner ring, known and reachable: {kinds}"),
    MIDDLE_RING: N_("🟡 Middle ring: {kinds}"),
    OUTER: N_("🔴 Outer ring, they have to beg: {kinds}"),
}


def ring_label(lang: str, questionnaire: Questionnaire, key: str) -> str:
    """One kind (or, in a small network's map, one organisation) as plain text."""
    if parse_org_map(questionnaire.key) is None:
        try:
            return t(lang, OrgType(key).label)
        except ValueError:
            return key
    return label(lang, questionnaire, questionnaire.item(key))


def ring_names(lang: str, questionnaire: Questionnaire, keys: Sequence[str]) -> str:
    """The kinds (or organisations) of a ring, in words, for HTML."""
    return ", ".join(esc(ring_label(lang, questionnaire, key)) for key in keys)


def rings_text(lang: str, questionnaire: Questionnaire, means: Mapping[str, float]) -> str:
    """The relation map's rings, and the next step for the outer ring (K2: include them)."""
    placed = rings(means)
    lines = [t(lang, "🗺 <b>The network as rings</b>")]
    lines += [
        t(lang, RING_TITLES[ring], kinds=ring_names(lang, questionnaire, placed[ring]))
        for ring in (INNER, MIDDLE_RING, OUTER)
        if placed[ring]
    ]
    if placed[OUTER]:
        lines.append(
            t(
                lang,
                "Next step for the outer ring ({kinds}): let them put what they can and cannot do "
                "in their profile (/organisation), give them a seat at a table (/table), and "
                "introduce them at the next meeting, with whom to call.",
                kinds=ring_names(lang, questionnaire, placed[OUTER]),
            )
        )
    else:
        lines.append(
            t(lang, "Nobody is in the outer ring: every kind of partner is known and reached.")
        )
    return "\n".join(lines)


FORM_RISKS = {
    INTERWEAVE: N_(
        "⚠️ <i>Risks of interweaving:</i> decisions get slow, it blurs who is accountable for "
        "what, it leans on a few people who carry it, and shared means bind everyone's money."
    ),
    ADAPT: N_(
        "⚠️ <i>Risks of adapting:</i> partners may expect more say than they get (the plan "
        "stays one party's), and much consulting without result wears them out."
    ),
    ALIGN: N_(
        "⚠️ <i>Risks of aligning:</i> where problems are intertwined, parties still work past "
        "each other, and signals fall between the organisations."
    ),
}


def _advice_text(lang: str, questionnaire: Questionnaire, form: str, work_on: Sequence[str]) -> str:
    """The form the scores support, what to work on, and that form's main risks (every form
    has them: the lightest one that fits the problems is the best)."""
    return form_text(lang, questionnaire, form, work_on) + "\n" + t(lang, FORM_RISKS[form])


def form_text(lang: str, questionnaire: Questionnaire, form: str, work_on: Sequence[str]) -> str:
    names = ", ".join(_item_label(lang, questionnaire, key) for key in work_on)
    if form == INTERWEAVE:
        return t(
            lang,
            "🧭 The scores are high on every item: they support <b>interweaving</b>, with shared "
            "goals, plans and means. Choose it only if the problems really are intertwined; it "
            "also asks the most of everyone.",
        )
    if form == ADAPT:
        return t(
            lang,
            "🧭 The scores support <b>adapting</b> to each other: involving each other early and "
            "making plans together. Before going further, talk about: {items}.",
            items=names,
        )
    assert form == ALIGN
    return t(
        lang,
        "🧭 For now the scores support <b>aligning</b>: keeping each other informed so that no "
        "one gets in another's way. To grow closer, start with: {items}.",
        items=names,
    )


def _breakdown(lang: str, questionnaire: Questionnaire, result: RoundResult) -> list[str]:
    if not result.groups:
        if result.groups_hidden:
            return [
                "\n"
                + t(
                    lang,
                    "Breakdowns by level and kind of organisation are not shown: the groups are "
                    "too small to keep answers anonymous.",
                )
            ]
        return []
    blocks = ["\n" + t(lang, "<b>By group</b> (only groups of at least {k})", k=result.k)]
    for group in result.groups:
        dimension, name = group.group
        title = group_title(lang, dimension, name)
        means = ", ".join(
            f"{_item_label(lang, questionnaire, key)} {decimal(lang, mean)}"
            for key, mean in group.means.items()
            if mean is not None
        )
        blocks.append(f"• {esc(title)} ({group.respondents}): {means or '—'}")
    return blocks


CAPTION_LIMIT = 1024


def chart_caption(lang: str, questionnaire: Questionnaire, result: RoundResult) -> str:
    """The caption under the results chart, with the chart in words (what a screen reader
    reads, and what a reader sees when the image does not load)."""
    means = result.means
    if is_relation_map(questionnaire.key):
        text = t(
            lang,
            "🗺 The network as rings: in the middle the kinds of partner the others know and "
            "reach, on the outside those who have to beg. The number is their average score.",
        )
        words = [
            f"{esc(ring_label(lang, questionnaire, key))} {decimal(lang, mean)}"
            for key, mean in sorted(means.items(), key=lambda kv: -kv[1])
        ]
    else:
        text = t(
            lang,
            "📊 {questionnaire}: average per item, on a scale from 1 to 10",
            questionnaire=esc(_text(lang, questionnaire, questionnaire.name)),
        )
        if result.previous_means is not None:
            text += "\n" + t(lang, "Grey: the previous round.")
        words = [
            f"{_item_label(lang, questionnaire, item.key)} "
            + (decimal(lang, means[item.key]) if item.key in means else "—")
            for item in questionnaire.items
        ]
    return chart_in_words(lang, text, words)


def chart_in_words(lang: str, caption: str, words: Sequence[str]) -> str:
    """caption, then 'In numbers: Trust 7,0 · Relation 6,5 …' as far as a caption allows."""
    head = caption + "\n" + t(lang, "In numbers:") + " "
    shown: list[str] = []
    for word in words:
        if telegram_length(head + " · ".join([*shown, word]) + " …") > CAPTION_LIMIT:
            return head + " · ".join(shown) + " …"
        shown.append(word)
    return head + " · ".join(shown)


def choose_round(
    lang: str, rounds: Sequence[tuple[Round, str]]
) -> tuple[str, InlineKeyboardMarkup]:
    """Earlier rounds, for a coordinator in private chat."""
    buttons = [button(title, pack(Cb.ROUND_RESULTS, round_.id)) for round_, title in rounds]
    return t(lang, "Which round?"), keyboard(*rows(buttons, 1))
