"""Texts and keyboards of working groups, trekkers, actions, reminders and the weekly digest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from domain.callbacks import Cb, pack
from domain.text import esc, pack_blocks, shorten
from i18n import date_text, t, tn
from storage.models import Action, ActionNote, Network, WorkingGroup
from views.commands import shown
from views.keyboards import button, deep_link, keyboard, link, rows

TITLE_LIMIT = 300
NOTE_LIMIT = 500
OWNER_LIMIT = 100


def day(lang: str, value: dt.date) -> str:
    """'vrijdag 27 november' / 'Friday 27 November', with the year when not this year."""
    return date_text(lang, value)


def trekker_names(group: WorkingGroup) -> str:
    """The trekkers' first names, escaped."""
    return ", ".join(esc(tr.person.first_name) for tr in group.trekkers) or "—"


def new_group(lang: str, group: WorkingGroup) -> tuple[str, InlineKeyboardMarkup | None]:
    """The group message for a new working group, with the 'I'll lead this' button."""
    text = t(lang, "🛠 Working group <b>{name}</b>", name=esc(group.name))
    if group.purpose:
        text += "\n" + esc(group.purpose)
    if group.trekkers:
        text += "\n\n" + t(lang, "Trekker: {names}", names=trekker_names(group))
        return text, None
    text += "\n\n" + t(
        lang,
        "Who leads it? The first to press the button becomes trekker: you keep its actions "
        "moving, and I remind you of them.",
    )
    return text, keyboard([button(t(lang, "🙋 I'll lead this"), pack(Cb.WG_TAKE, group.id))])


def trekker_note(lang: str, network: Network, group: WorkingGroup, *, by_self: bool) -> str:
    """In private, to a new trekker: what it means and how to begin."""
    head = (
        t(
            lang,
            "🛠 You are now the trekker of <b>{group}</b> in <b>{network}</b>. Thank you for "
            "taking it on!",
            group=esc(group.name),
            network=esc(network.name),
        )
        if by_self
        else t(
            lang,
            "🛠 A coordinator made you the trekker of <b>{group}</b> in <b>{network}</b>.",
            group=esc(group.name),
            network=esc(network.name),
        )
    )
    body = t(
        lang,
        "As trekker you keep the working group's actions moving. Add one with {action}: what, "
        "who and by when. {actions} shows the open ones. I remind you of each deadline, and "
        "the group sees a weekly overview.",
        action=shown(lang, "action"),
        actions=shown(lang, "actions"),
    )
    tail = t(
        lang,
        "Can you not take this on after all? Say so in the group, so that a coordinator can "
        "ask someone else.",
    )
    return f"{head}\n\n{body}\n\n{tail}"


def nudge(lang: str, first_name: str, bot_username: str) -> tuple[str, InlineKeyboardMarkup]:
    """A trekker who never opened a private chat: once, in the group."""
    text = t(
        lang,
        "{name}, to get reminders of your actions, open a private chat with me once.",
        name=esc(first_name),
    )
    return text, keyboard([link(t(lang, "💬 Open chat"), deep_link(bot_username, "hi"))])


@dataclass(frozen=True)
class GroupCounts:
    """A working group with its numbers of open and overdue actions."""

    group: WorkingGroup
    open: int
    overdue: int


def group_list(lang: str, network: Network, groups: Sequence[GroupCounts]) -> list[str]:
    """/workgroups."""
    if not groups:
        return [
            t(
                lang,
                "<b>{network}</b> has no working groups yet. A coordinator starts one with "
                "/workgroup <i>name</i>.",
                network=esc(network.name),
            )
        ]
    blocks = [t(lang, "🛠 Working groups of <b>{network}</b>", network=esc(network.name))]
    for entry in groups:
        blocks.append(
            f"\n<b>{esc(entry.group.name)}</b> — "
            + t(lang, "trekker: {names}", names=trekker_names(entry.group))
            + "\n"
            + t(lang, "{open} open, {overdue} overdue", open=entry.open, overdue=entry.overdue)
        )
    return pack_blocks(blocks)


def choose_group(lang: str, groups: Sequence[WorkingGroup]) -> tuple[str, InlineKeyboardMarkup]:
    """Which working group a new action is for."""
    buttons = [button(g.name, pack(Cb.WG_ACTION_GROUP, g.id)) for g in groups]
    return t(lang, "For which working group is the action?"), keyboard(*rows(buttons, 1))


def ask_title(lang: str, group: WorkingGroup) -> str:
    """What needs to happen."""
    return t(
        lang,
        "New action for <b>{group}</b>. What needs to happen? (at most {limit} characters)",
        group=esc(group.name),
        limit=TITLE_LIMIT,
    )


def ask_owner(lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """Who is responsible."""
    text = t(
        lang,
        "Who is responsible? Press <b>Me</b>, or type a name or an organisation, such as "
        "<i>corporatie Portaal</i>.",
    )
    return text, keyboard([button(t(lang, "🙋 Me"), pack(Cb.WG_OWNER_ME))])


def ask_due(lang: str) -> str:
    """Until when."""
    return t(
        lang,
        "When is it due? For example <i>vrijdag</i>, <i>over twee weken</i>, <i>15 dec</i> or "
        "<i>2026-12-15</i>.",
    )


def confirm_action(
    lang: str, group: WorkingGroup, title: str, owner: str, due: dt.date
) -> tuple[str, InlineKeyboardMarkup]:
    """The whole action read back before saving: what, for which group, who, when."""
    text = t(
        lang,
        "Is this right?\n\n<b>{title}</b>\nWorking group: {group}\nWho: {owner}\nDue: {day}",
        title=esc(title),
        group=esc(group.name),
        owner=esc(owner),
        day=day(lang, due),
    )
    return text, keyboard(
        [
            button(t(lang, "✅ Save"), pack(Cb.WG_SAVE)),
            button(t(lang, "✏️ Other date"), pack(Cb.WG_OTHER_DATE)),
        ]
    )


def text_problem(lang: str, limit: int) -> str:
    """Empty or too long."""
    return t(lang, "Please type it in at most {limit} characters.", limit=limit)


def owner_name(lang: str, action: Action) -> str:
    """Who is responsible, escaped."""
    if action.owner is not None:
        return esc(action.owner.first_name)
    return esc(action.owner_text) if action.owner_text else "—"


def action_line(lang: str, action: Action, today: dt.date) -> str:
    """One action in a list."""
    late = action.due_on < today and action.state == "open"
    mark = "⚠️" if late else "•"
    title = esc(shorten(action.title, 120))
    return f"{mark} {title} — {owner_name(lang, action)}, {day(lang, action.due_on)}"


GROUP_CHAT_ACTIONS = 3  # per working group in the group chat; all of them in private


def actions_list(
    lang: str,
    network: Network,
    groups: Sequence[tuple[WorkingGroup, Sequence[Action]]],
    today: dt.date,
    *,
    totals: dict[int, int] | None = None,
) -> list[str]:
    """/actions: open actions per working group, overdue first. With totals (open actions per
    group), the given actions are the first few of each and the rest is counted: the group
    chat gets the most pressing ones, not a wall of messages."""
    blocks = [t(lang, "📋 Open actions of <b>{network}</b>", network=esc(network.name))]
    any_action = cut = False
    for group, actions in groups:
        if not actions:
            continue
        any_action = True
        blocks.append(f"\n<b>{esc(group.name)}</b> ({trekker_names(group)})")
        blocks.extend(action_line(lang, a, today) for a in actions)
        hidden = (totals or {}).get(group.id, len(actions)) - len(actions)
        if hidden > 0:
            cut = True
            blocks.append(tn(lang, "… and {n} more", "… and {n} more", hidden))
    if not any_action:
        blocks.append(t(lang, "No open actions."))
    if cut:
        blocks.append(
            t(lang, "\nEvery open action, with its card: /actions in a private chat with me.")
        )
    return pack_blocks(blocks)


def action_buttons(lang: str, action: Action) -> InlineKeyboardMarkup:
    """What a trekker can do with an action."""
    return keyboard(
        [
            button(t(lang, "✅ Done"), pack(Cb.WG_ACT, action.id, "done")),
            button(t(lang, "📝 Note"), pack(Cb.WG_ACT, action.id, "note")),
        ],
        [
            button(t(lang, "📅 A week later"), pack(Cb.WG_ACT, action.id, "week")),
            button(t(lang, "📅 Other date"), pack(Cb.WG_ACT, action.id, "date")),
        ],
        [
            button(t(lang, "👤 Other owner"), pack(Cb.WG_ACT, action.id, "owner")),
            button(t(lang, "✏️ Text"), pack(Cb.WG_ACT, action.id, "text")),
        ],
        [button(t(lang, "✖ Cancel action"), pack(Cb.WG_ACT, action.id, "cancel"))],
    )


def confirm_cancel(lang: str, action: Action) -> tuple[str, InlineKeyboardMarkup]:
    """Cancelling asks first: it cannot be undone."""
    text = t(
        lang,
        "Cancel <b>{title}</b>? Its reminders stop and it leaves the lists; this cannot be undone.",
        title=esc(action.title),
    )
    return text, keyboard(
        [
            button(t(lang, "✖ Yes, cancel it"), pack(Cb.WG_ACT, action.id, "cancelyes")),
            button(t(lang, "↩️ No, keep it"), pack(Cb.WG_ACT, action.id, "keep")),
        ]
    )


def acted(lang: str, what: str, action: Action) -> str | None:
    """The pop-up that confirms what a button did to an action (None: the card says it)."""
    if what == "done":
        return t(lang, "✅ Marked as done.")
    if what == "week":
        return t(lang, "📅 Now due {day}.", day=day(lang, action.due_on))
    if what == "cancelyes":
        return t(lang, "✖ Action cancelled.")
    return None


def action_card(
    lang: str, action: Action, group: WorkingGroup, notes: Sequence[ActionNote], today: dt.date
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One action with its notes, and buttons while it is open."""
    state = {
        "open": t(lang, "open"),
        "done": t(lang, "done ✅"),
        "cancelled": t(lang, "cancelled"),
    }[action.state]
    lines = [
        f"<b>{esc(action.title)}</b>",
        t(lang, "Working group: {group}", group=esc(group.name)),
        t(lang, "Responsible: {owner}", owner=owner_name(lang, action)),
        t(lang, "Due: {day}", day=day(lang, action.due_on))
        + (" ⚠️" if action.state == "open" and action.due_on < today else ""),
        t(lang, "State: {state}", state=state),
    ]
    for note in notes[-3:]:
        lines.append(f"📝 {esc(shorten(note.text, 300))}")
    return "\n".join(lines), action_buttons(lang, action) if action.state == "open" else None


def pick_action(lang: str, actions: Sequence[Action]) -> InlineKeyboardMarkup:
    """Buttons to open an action's card from the list."""
    buttons = [button(shorten(a.title, 36), pack(Cb.WG_CARD, a.id)) for a in actions[:30]]
    return keyboard(*rows(buttons, 1))


def reminder(
    lang: str, action: Action, group: WorkingGroup, overdue: int, today: dt.date
) -> tuple[str, InlineKeyboardMarkup]:
    """A private reminder to a trekker, worded from today (a reminder sent late, after
    downtime, says what is true when it arrives)."""
    if overdue or today > action.due_on:
        head = t(lang, "⚠️ Overdue since {day}:", day=day(lang, action.due_on))
    elif action.due_on == today:
        head = t(lang, "⏰ Due today:")
    else:
        head = t(lang, "⏰ Due {day}:", day=day(lang, action.due_on))
    text = f"{head} <b>{esc(action.title)}</b>\n" + t(
        lang,
        "Working group {group}, responsible: {owner}.",
        group=esc(group.name),
        owner=owner_name(lang, action),
    )
    return text, action_buttons(lang, action)


def escalation(lang: str, action: Action, group: WorkingGroup) -> str:
    """To the coordinators, after two overdue reminders."""
    return t(
        lang,
        "🚩 An action of <b>{group}</b> is still open, two reminders after its due date "
        "({day}): <b>{title}</b>. Trekker: {trekkers}. Perhaps a word with them helps.",
        group=esc(group.name),
        day=day(lang, action.due_on),
        title=esc(action.title),
        trekkers=trekker_names(group),
    )


def digest(
    lang: str,
    network: Network,
    per_group: Sequence[tuple[WorkingGroup, Sequence[Action], Sequence[Action], Sequence[Action]]],
    today: dt.date,
    *,
    since: dt.date | None = None,
) -> list[str]:
    """The weekly digest: per working group done last week (or since `since`, when it covers
    more than a week), due this week, overdue."""
    blocks = [t(lang, "🗓 <b>Week overview of {network}</b>", network=esc(network.name))]
    if since is not None:
        blocks.append(
            t(
                lang,
                "<i>Later than planned; about everything since {day}.</i>",
                day=day(lang, since),
            )
        )
    for group, done, due, overdue in per_group:
        blocks.append(f"\n<b>{esc(group.name)}</b> ({trekker_names(group)})")
        if not (done or due or overdue):
            blocks.append(t(lang, "Nothing done, due or overdue."))
        if done and since is not None:
            blocks.append(
                tn(
                    lang,
                    "✅ {n} done since {day}:",
                    "✅ {n} done since {day}:",
                    len(done),
                    day=day(lang, since),
                )
            )
        elif done:
            blocks.append(tn(lang, "✅ {n} done last week:", "✅ {n} done last week:", len(done)))
        blocks.extend(f"  • {esc(shorten(a.title, 120))}" for a in done)
        if due:
            blocks.append(tn(lang, "⏰ {n} due this week:", "⏰ {n} due this week:", len(due)))
            blocks.extend("  " + action_line(lang, a, today) for a in due)
        if overdue:
            blocks.append(tn(lang, "⚠️ {n} overdue:", "⚠️ {n} overdue:", len(overdue)))
            blocks.extend("  " + action_line(lang, a, today) for a in overdue)
    return pack_blocks(blocks)


def saved(lang: str, action: Action, group: WorkingGroup, person_id: int) -> str:
    """After saving a new action: what was saved, and who will be reminded (told as 'you' to a
    trekker who saved it)."""
    text = t(
        lang,
        "✅ Saved: <b>{title}</b> ({owner}), due {day}.",
        title=esc(action.title),
        owner=owner_name(lang, action),
        day=day(lang, action.due_on),
    )
    if any(tr.person_id == person_id for tr in group.trekkers):
        return text + " " + t(lang, "I will remind you before then.")
    return (
        text
        + " "
        + tn(
            lang,
            "I will remind its trekker, {names}, before then.",
            "I will remind its trekkers, {names}, before then.",
            len(group.trekkers),
            names=trekker_names(group),
        )
    )
