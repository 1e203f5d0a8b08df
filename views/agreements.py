"""Texts and keyboards of comfort agreements, ground rules and their reviews."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from domain.callbacks import Cb, pack
from domain.reviews import ADJUST, BACK, KEEP, NONE, STOP, STOP_SURE
from domain.text import MESSAGE_LIMIT, esc, pack_blocks, shorten, telegram_length
from i18n import N_, t, tn
from storage.models import Agreement, Network, Organisation, Review, ReviewAnswer
from views.keyboards import button, keyboard, rows
from views.workgroups import day

TITLE_LIMIT = 100
TEXT_LIMIT = 3000
NOTE_LIMIT = 1000
INTERVALS = (3, 6, 12)
CHOICE_LABELS = {
    KEEP: N_("Keep as is"),
    ADJUST: N_("Adjust"),
    STOP: N_("Stop"),
    NONE: N_("no answers"),
}


def choice(lang: str, value: str) -> str:
    """A review choice in words."""
    return t(lang, CHOICE_LABELS.get(value, CHOICE_LABELS[NONE]))


def ask_title(lang: str, network: Network) -> str:
    """Step 1."""
    return t(
        lang,
        "🤝 A new agreement for <b>{network}</b>. What is its title? For example <i>Huurcontracten "
        "op naam van zorgaanbieders</i>.",
        network=esc(network.name),
    )


def ask_text(lang: str) -> str:
    """Step 2."""
    return t(
        lang, "What has been agreed? Type the text (at most {limit} characters).", limit=TEXT_LIMIT
    )


def ask_parties(
    lang: str, organisations: Sequence[Organisation], chosen: Sequence[int]
) -> tuple[str, InlineKeyboardMarkup]:
    """Step 3: which organisations are party to it."""
    buttons = [
        button(("✅ " if org.id in chosen else "▫️ ") + org.name, pack(Cb.AGREEMENT_PARTY, org.id))
        for org in organisations
    ]
    next_row = [button(t(lang, "Next ▶"), pack(Cb.AGREEMENT_PARTY, "ok"))] if chosen else []
    return t(lang, "Which organisations are party to it? Tick at least one."), keyboard(
        *rows(buttons, 2), next_row
    )


def ask_interval(lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """Step 4."""
    labels = {
        3: t(lang, "Every quarter"),
        6: t(lang, "Every six months"),
        12: t(lang, "Every year"),
    }
    return t(lang, "How often is it reviewed?"), keyboard(
        [button(labels[n], pack(Cb.AGREEMENT_INTERVAL, n)) for n in INTERVALS]
    )


def ask_start(lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """Step 5."""
    text = t(
        lang, "Since when does it apply? Press Today or type a date, such as <i>2026-08-31</i>."
    )
    return text, keyboard([button(t(lang, "Today"), pack(Cb.AGREEMENT_START, "today"))])


def ask_who(
    lang: str, people: Sequence[tuple[int, str]], chosen: Sequence[int]
) -> tuple[str, InlineKeyboardMarkup]:
    """Step 6: who answers the reviews."""
    text = t(
        lang,
        "Who answers the reviews? Every party's representatives, or only the people you tick.",
    )
    named = [
        button(("✅ " if pid in chosen else "▫️ ") + name, pack(Cb.AGREEMENT_WHO, "p", pid))
        for pid, name in people
    ]
    last = (
        [button(t(lang, "Only these people ▶"), pack(Cb.AGREEMENT_WHO, "ok"))]
        if chosen
        else [button(t(lang, "All representatives ▶"), pack(Cb.AGREEMENT_WHO, "all"))]
    )
    return text, keyboard(*rows(named, 2), last)


def confirm(
    lang: str,
    title: str,
    text: str,
    parties: Sequence[str],
    months: int,
    start: dt.date,
    first_review: dt.date,
) -> tuple[str, InlineKeyboardMarkup]:
    """The summary before saving."""
    summary = t(
        lang,
        "Record this agreement?\n\n<b>{title}</b>\n{text}\n\nParties: {parties}\nSince: {start}\n"
        "Review every {months} months; the first on {first}.",
        title=esc(title),
        text=esc(shorten(text, 1500)),
        parties=esc(", ".join(parties)),
        start=day(lang, start),
        months=months,
        first=day(lang, first_review),
    )
    return summary, keyboard(
        [
            button(t(lang, "✅ Save"), pack(Cb.AGREEMENT_SAVE)),
            button(t(lang, "Cancel"), pack(Cb.CANCEL)),
        ]
    )


def recorded(lang: str, item: Agreement) -> str:
    """The group hears of a new agreement."""
    return t(
        lang,
        "🤝 New agreement: <b>{title}</b>\nParties: {parties}\nFirst review: {first}. "
        "/agreements lists all agreements.",
        title=esc(item.title),
        parties=esc(", ".join(p.organisation.name for p in item.parties)),
        first=day(lang, item.next_review_on) if item.next_review_on else "—",
    )


def listing(
    lang: str, network: Network, items: Sequence[tuple[Agreement, str | None]]
) -> list[str]:
    """/agreements: each with its next review and last outcome."""
    if not items:
        return [
            t(lang, "<b>{network}</b> has no agreements on record yet.", network=esc(network.name))
        ]
    blocks = [t(lang, "🤝 Agreements of <b>{network}</b>", network=esc(network.name))]
    for item, last in items:
        state = (
            t(lang, "next review {day}", day=day(lang, item.next_review_on))
            if item.state == "active" and item.next_review_on
            else t(lang, "stopped")
        )
        line = f"\n<b>{esc(item.title)}</b> — {state}"
        if last:
            line += "\n" + t(lang, "Last review: {outcome}", outcome=choice(lang, last))
        blocks.append(line)
    blocks.append("\n" + t(lang, "/agreement <i>title</i> shows the text and its history."))
    return pack_blocks(blocks)


def history(
    lang: str, item: Agreement, reviews: Sequence[tuple[Review, Sequence[ReviewAnswer]]]
) -> list[str]:
    """One agreement: the current text, its versions and every review with its answers."""
    blocks = [
        f"🤝 <b>{esc(item.title)}</b>",
        esc(item.text),
        t(
            lang,
            "Parties: {parties}",
            parties=esc(", ".join(p.organisation.name for p in item.parties)) or "—",
        ),
    ]
    if len(item.versions) > 1:
        blocks.append("\n" + t(lang, "<b>Versions</b>"))
        blocks.extend(
            f"{v.number}. {day(lang, v.created_at.date())}: {esc(shorten(v.text, 200))}"
            for v in item.versions
        )
    if reviews:
        blocks.append("\n" + t(lang, "<b>Reviews</b>"))
    for review, answers in reviews:
        outcome = (
            choice(lang, review.outcome or NONE) if review.state == "closed" else t(lang, "open")
        )
        blocks.append(f"{day(lang, review.due_on)}: <b>{outcome}</b>")
        blocks.extend(_answer_line(lang, answer) for answer in answers)
    if item.state == "stopped":
        blocks.append("\n" + t(lang, "This agreement has stopped; it stays in the history."))
    return pack_blocks(blocks)


def _answer_line(lang: str, answer: ReviewAnswer) -> str:
    line = f"  • {esc(answer.label)}: {choice(lang, answer.choice)}"
    return line + (f" — {esc(shorten(answer.note, 300))}" if answer.note else "")


def edit_button(lang: str, item: Agreement) -> InlineKeyboardMarkup:
    """For coordinators in private chat: record a new text."""
    return keyboard([button(t(lang, "✏️ New text"), pack(Cb.AGREEMENT_EDIT, item.id))])


def rules(lang: str, network: Network, item: Agreement | None) -> str:
    """/rules."""
    if item is None:
        return t(
            lang,
            "<b>{network}</b> has no ground rules on record yet. A coordinator records them with "
            "/setrules in a private chat.",
            network=esc(network.name),
        )
    return (
        t(lang, "📜 Ground rules of <b>{network}</b>", network=esc(network.name))
        + "\n\n"
        + esc(item.text)
    )


def review_started(lang: str, item: Agreement, deadline: dt.datetime) -> str:
    """The group hears a review is due."""
    return t(
        lang,
        "🔁 Time to review <b>{title}</b>: do we keep it, adjust it or stop? Each party gets the "
        "question in a private chat; answers are welcome until {deadline}.",
        title=esc(item.title),
        deadline=day(lang, deadline.date()),
    )


def review_prompt(
    lang: str, item: Agreement, label: str, deadline: dt.date, review_id: int, chase: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """The private question to a party's representative."""
    head = t(lang, "⏰ Still open: ") if chase else ""
    text = head + t(
        lang,
        "🔁 Review of <b>{title}</b> (for {party}), before {deadline}:\n\n{text}\n\nDo we keep "
        "this agreement as it is, adjust it, or stop it? You can add a note after choosing.",
        title=esc(item.title),
        party=esc(label),
        deadline=day(lang, deadline),
        text=esc(shorten(item.text, TEXT_LIMIT)),
    )
    return text, keyboard(
        [button("✅ " + t(lang, "Keep as is"), pack(Cb.REVIEW_ANSWER, review_id, KEEP))],
        [button("✏️ " + t(lang, "Adjust"), pack(Cb.REVIEW_ANSWER, review_id, ADJUST))],
        [button("⛔ " + t(lang, "Stop"), pack(Cb.REVIEW_ANSWER, review_id, STOP))],
    )


@dataclass(frozen=True)
class PromptPart:
    """One review in a joined prompt, as it stands."""

    agreement: Agreement
    party: str
    deadline: dt.date
    review_id: int
    chase: bool
    answer: str | None  # the party's choice, once someone answered
    answered_by: str | None
    open: bool


def review_prompts(
    lang: str, parts: Sequence[PromptPart], row_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Several reviews for one representative in one message: a numbered part per review and
    a row of choices per review still to answer (their buttons name the prompt, so that an
    answer can redraw the message with the other reviews still open)."""
    head = tn(
        lang,
        "🔁 {n} agreement is up for review. For each: do we keep it as it is, adjust it, or "
        "stop it? You can add a note after choosing.",
        "🔁 {n} agreements are up for review. For each: do we keep it as it is, adjust it, "
        "or stop it? You can add a note after choosing.",
        len(parts),
    )
    budget = TEXT_LIMIT // max(len(parts), 1)
    while True:
        blocks = [head] + [
            _prompt_part(lang, number, part, budget) for number, part in enumerate(parts, 1)
        ]
        text = "\n\n".join(blocks)
        if telegram_length(text) <= MESSAGE_LIMIT or budget <= 40:
            break
        budget //= 2
    choices = []
    for number, part in enumerate(parts, 1):
        if part.open and part.answer is None:
            choices.append(
                [
                    button(
                        f"{number} {mark} " + t(lang, CHOICE_LABELS[value]),
                        pack(Cb.REVIEW_ANSWER, part.review_id, value, row_id),
                    )
                    for mark, value in (("✅", KEEP), ("✏️", ADJUST), ("⛔", STOP))
                ]
            )
    return text, keyboard(*choices) if choices else None


def _prompt_part(lang: str, number: int, part: PromptPart, budget: int) -> str:
    title = f"<b>{number}. {esc(part.agreement.title)}</b>"
    if part.answer is not None:
        return t(
            lang,
            "{title} (for {party}): recorded <b>{choice}</b> ({who}).",
            title=title,
            party=esc(part.party),
            choice=choice(lang, part.answer),
            who=esc(part.answered_by or "—"),
        )
    if not part.open:
        return t(lang, "{title}: this review is closed.", title=title)
    head = t(lang, "⏰ Still open: ") if part.chase else ""
    return head + t(
        lang,
        "{title} (for {party}), before {deadline}:\n{text}",
        title=title,
        party=esc(part.party),
        deadline=day(lang, part.deadline),
        text=esc(shorten(part.agreement.text, budget)),
    )


def answered(
    lang: str,
    item: Agreement,
    label: str,
    value: str,
    *,
    replaced: str | None = None,
    replaced_by: str | None = None,
) -> str:
    """After pressing a choice (replacing what another representative answered for the party,
    who is told)."""
    text = t(
        lang,
        "Recorded for {party}: <b>{choice}</b> ({title}).",
        party=esc(label),
        choice=choice(lang, value),
        title=esc(item.title),
    )
    if replaced is not None:
        text += " " + t(
            lang,
            "This replaces the answer {who} gave ({choice}); I will let {who} know.",
            who=esc(replaced_by or "—"),
            choice=choice(lang, replaced),
        )
    return (
        text
        + " "
        + t(
            lang,
            "Want to add a note? Type it now (at most {limit} characters); otherwise nothing "
            "more is needed.",
            limit=NOTE_LIMIT,
        )
    )


def party_answered(
    lang: str,
    item: Agreement,
    label: str,
    value: str,
    who: str,
    *,
    yours: str | None,
    review_id: int | None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Another representative of the party answered a review (perhaps replacing yours); while
    the review is open (review_id), with the other choices, so that this representative can
    change the party's answer also when their own question never came."""
    text = t(
        lang,
        "👥 {who} answered the review of <b>{title}</b> for {party}: <b>{choice}</b>.",
        who=esc(who),
        title=esc(item.title),
        party=esc(label),
        choice=choice(lang, value),
    )
    if yours is not None:
        text += " " + t(lang, "That replaces your answer ({choice}).", choice=choice(lang, yours))
    if review_id is None:
        return text, None
    text += " " + t(
        lang,
        "You need not answer as well. If your organisation sees it differently, talk it over; "
        "either of you can still change the answer below.",
    )
    others = [
        button(
            f"{mark} " + t(lang, CHOICE_LABELS[option]), pack(Cb.REVIEW_ANSWER, review_id, option)
        )
        for mark, option in (("✅", KEEP), ("✏️", ADJUST), ("⛔", STOP))
        if option != value
    ]
    return text, keyboard(others)


def confirm_stop(
    lang: str, item: Agreement, label: str, review_id: int, row_id: int | None
) -> tuple[str, InlineKeyboardMarkup]:
    """Before a Stop counts: it may end the agreement, so the representative says it twice."""
    tail = (row_id,) if row_id is not None else ()
    text = t(
        lang,
        "⛔ Answer <b>Stop</b> for {party} in the review of <b>{title}</b>?\n\nWhen most parties "
        "answer Stop, the agreement ends when the review closes, which is at once if yours is the "
        "last answer still missing. It stays in the history.",
        party=esc(label),
        title=esc(item.title),
    )
    return text, keyboard(
        [
            button(
                "⛔ " + t(lang, "Yes, answer Stop"),
                pack(Cb.REVIEW_ANSWER, review_id, STOP_SURE, *tail),
            )
        ],
        [
            button(
                "↩️ " + t(lang, "Back to the choices"),
                pack(Cb.REVIEW_ANSWER, review_id, BACK, *tail),
            )
        ],
    )


def note_saved(lang: str) -> str:
    """After a note."""
    return t(lang, "📝 Note added. Thank you!")


def outcome(
    lang: str,
    item: Agreement,
    review: Review,
    answers: Sequence[ReviewAnswer],
    missing: Sequence[str],
) -> list[str]:
    """The review's outcome for the group."""
    blocks = [
        t(
            lang,
            "🔁 Review of <b>{title}</b>: {outcome}",
            title=esc(item.title),
            outcome=f"<b>{choice(lang, review.outcome or NONE)}</b>",
        )
    ]
    blocks.extend(_answer_line(lang, answer) for answer in answers)
    if missing:
        blocks.append(t(lang, "No answer from: {parties}", parties=esc(", ".join(missing))))
    if review.outcome == STOP:
        blocks.append(t(lang, "The agreement stops; it stays in the history."))
    else:
        if review.outcome == ADJUST:
            blocks.append(
                t(lang, "A coordinator can record the new text via /agreement in a private chat.")
            )
        if item.next_review_on:
            blocks.append(t(lang, "Next review: {day}.", day=day(lang, item.next_review_on)))
    return pack_blocks(blocks)


def escalation(lang: str, item: Agreement, missing: Sequence[str]) -> str:
    """To the coordinators: a review closed with parties that did not answer."""
    return t(
        lang,
        "🚩 The review of <b>{title}</b> closed without an answer from: {parties}. Perhaps ask "
        "them directly.",
        title=esc(item.title),
        parties=esc(", ".join(missing)),
    )
