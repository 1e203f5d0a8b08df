"""Texts and keyboards of the private chat: help, joining, profile, leaving, privacy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from domain.callbacks import Cb, pack
from domain.enums import Level, OrgType
from domain.questionnaires import Questionnaire
from domain.roles import Role
from domain.text import NAME_LIMIT, esc, pack_blocks
from i18n import N_, t, tn
from storage.models import Member, Network, Organisation, Person
from views.commands import COMMANDS, help_lines
from views.keyboards import button, keyboard, rows
from views.network import LANGUAGE_FLAGS, LANGUAGE_NAMES
from views.rounds import questionnaire_name

MAX_ORGANISATION_BUTTONS = 40


def _membership_line(lang: str, member: Member) -> str:
    parts = [f"<b>{esc(member.network.name)}</b>"]
    if member.is_partner and member.organisation is not None:
        parts.append(
            t(
                lang,
                "partner for {organisation} ({type}), {level}",
                organisation=esc(member.organisation.name),
                type=esc(t(lang, OrgType(member.organisation.type).label)).lower(),
                level=esc(t(lang, Level(member.level).label)).lower() if member.level else "—",
            )
        )
    else:
        parts.append(t(lang, "not joined as a partner yet"))
    if member.is_coordinator:
        parts.append(t(lang, "coordinator"))
    if not member.network.active:
        parts.append(t(lang, "inactive: I am not in its group"))
    return "• " + " — ".join(parts)


HELP_SECTIONS = (
    (Role.ANYONE, N_("What you can do here:")),
    (Role.PARTNER, N_("In your networks:")),
    (Role.TREKKER, N_("As a trekker:")),
    (Role.COORDINATOR, N_("As a coordinator:")),
)
GROUP_ONLY_SHOWN = frozenset({"help"})


def help_text(
    lang: str, first_name: str, memberships: Sequence[Member], roles: frozenset[Role]
) -> str:
    """The /start and /help answer in private: what this person can do, per role they have,
    the same commands their "/" menu offers."""
    greeting = t(
        lang,
        "Hello {name}! I am <b>Netwerkpols</b>: I help partnership networks keep a finger "
        "on the pulse of their collaboration.",
        name=esc(first_name),
    )
    if memberships:
        networks = (
            t(lang, "Your networks:")
            + "\n"
            + "\n".join(_membership_line(lang, m) for m in memberships)
        )
    else:
        networks = t(
            lang,
            "You are not in a network yet. Press <b>Join</b> under my message in your "
            "network's group (or send /join there) to take part.",
        )
    parts = [greeting, networks]
    shown: set[str] = {"start", "help"}  # this message is what they say
    for role, title in HELP_SECTIONS:
        if role not in roles:
            continue
        mine = [c for c in COMMANDS if role in c.private and c.name not in shown]
        shown |= {c.name for c in mine}
        block = t(lang, title) + "\n" + help_lines(lang, mine)
        in_group = [c for c in COMMANDS if role in c.group and c.name not in GROUP_ONLY_SHOWN]
        if role is not Role.ANYONE and in_group:
            block += "\n" + t(
                lang,
                "In the group: {commands}",
                commands=", ".join(f"/{c.shown(lang)}" for c in in_group),
            )
        parts.append(block)
    return "\n\n".join(parts)


def group_help(lang: str, roles: frozenset[Role], set_up: bool) -> str:
    """/help in a group: what the person who asked can do there."""
    intro = t(
        lang,
        "I am <b>Netwerkpols</b>: partners score their collaboration anonymously in a private "
        "chat with me, and this group sees the results. Everything personal happens in that "
        "private chat.",
    )
    if not set_up:
        return intro + "\n\n" + t(lang, "A group admin registers this group with /setup.")
    mine = [c for c in COMMANDS if c.group & roles and c.name != "help"]
    return intro + "\n\n" + t(lang, "What you can do here:") + "\n" + help_lines(lang, mine)


def ask_organisation(
    lang: str, network: Network, organisations: Sequence[Organisation]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Question 1: which organisation; known ones as buttons, a new one by typing."""
    intro = t(lang, "<b>{network}</b> — question 1 of 3", network=esc(network.name))
    listed = organisations[:MAX_ORGANISATION_BUTTONS]
    if listed:
        question = t(
            lang,
            "Which organisation do you represent? Pick it below, or type its name if it "
            "is not in the list.",
        )
    else:
        question = t(lang, "Which organisation do you represent? Type its name.")
    buttons = [button(org.name, pack(Cb.JOIN_ORG, org.id)) for org in listed]
    markup = keyboard(*rows(buttons, 2)) if buttons else None
    return f"{intro}\n{question}", markup


def ask_type(lang: str, organisation_name: str) -> tuple[str, InlineKeyboardMarkup]:
    """Question 2: what kind of organisation a new one is."""
    text = t(
        lang,
        "Question 2 of 3\nWhat kind of organisation is <b>{organisation}</b>?",
        organisation=esc(organisation_name),
    )
    buttons = [button(t(lang, kind.label), pack(Cb.JOIN_TYPE, kind.value)) for kind in OrgType]
    return text, keyboard(*rows(buttons, 2))


def ask_level(lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """Question 3: the level at which the person takes part."""
    text = t(lang, "Question 3 of 3\nAt which level do you take part in the network?")
    buttons = [button(t(lang, level.label), pack(Cb.JOIN_LEVEL, level.value)) for level in Level]
    return text, keyboard(*rows(buttons, 1))


def confirm_join(
    lang: str, network: Network, organisation: str, org_type: str, level: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The summary of the three answers, to confirm or start over."""
    text = t(
        lang,
        "Please check your answers:\n\nNetwork: <b>{network}</b>\nOrganisation: {organisation} "
        "({type})\nLevel: {level}",
        network=esc(network.name),
        organisation=esc(organisation),
        type=esc(t(lang, OrgType(org_type).label)).lower(),
        level=esc(t(lang, Level(level).label)).lower(),
    )
    return text, keyboard(
        [
            button(t(lang, "✅ Confirm"), pack(Cb.JOIN_CONFIRM)),
            button(t(lang, "↩️ Start over"), pack(Cb.JOIN_RESTART)),
        ]
    )


def joined(lang: str, network: Network, organisation: str) -> str:
    """The confirmation after joining."""
    return t(
        lang,
        "✅ Welcome to <b>{network}</b>! You take part for {organisation}.\n\n"
        "When a score round starts, the questions come to this chat. /profile shows or "
        "changes your details; /privacy tells what I store.",
        network=esc(network.name),
        organisation=esc(organisation),
    )


def name_problem(lang: str, problem: str) -> str:
    """Why a typed organisation name was not accepted."""
    if problem == "too_long":
        return t(
            lang,
            "That name is too long: at most {limit} characters, please. Type a shorter name.",
            limit=NAME_LIMIT,
        )
    if problem == "no_letters":
        return t(lang, "A name needs at least one letter or digit. Please type the name again.")
    return t(lang, "Please type the name of your organisation.")


def profile(lang: str, memberships: Sequence[Member]) -> tuple[str, InlineKeyboardMarkup | None]:
    """A person's memberships with buttons to change details or leave."""
    if not memberships:
        return (
            t(
                lang,
                "You are not in a network yet. Press <b>Join</b> in your network's group to "
                "take part.",
            ),
            None,
        )
    text = (
        t(lang, "Your details:") + "\n" + "\n".join(_membership_line(lang, m) for m in memberships)
    )
    buttons = []
    for member in memberships:
        buttons.append(
            [
                button(
                    t(lang, "✏️ {network}", network=member.network.name),
                    pack(Cb.PROFILE_EDIT, member.network_id),
                ),
                button(
                    t(lang, "🚪 Leave {network}", network=member.network.name),
                    pack(Cb.LEAVE, member.network_id),
                ),
            ]
        )
    return text, keyboard(*buttons)


def choose_network_to_leave(
    lang: str, memberships: Sequence[Member]
) -> tuple[str, InlineKeyboardMarkup]:
    """Which network to leave, when a person is in several."""
    buttons = [button(m.network.name, pack(Cb.LEAVE, m.network_id)) for m in memberships]
    return t(lang, "Which network do you want to leave?"), keyboard(*rows(buttons, 1))


def confirm_leave(lang: str, network: Network) -> tuple[str, InlineKeyboardMarkup]:
    """Are you sure you want to leave?"""
    text = t(
        lang,
        "Leave <b>{network}</b>? Your details in this network are deleted. Scores you gave "
        "earlier stay in the anonymous results, without any link to you.",
        network=esc(network.name),
    )
    return text, keyboard(
        [
            button(t(lang, "Yes, leave"), pack(Cb.LEAVE_CONFIRM, network.id)),
            button(t(lang, "Cancel"), pack(Cb.CANCEL)),
        ]
    )


def left(lang: str, network: Network) -> str:
    """After leaving a network."""
    return t(lang, "You have left <b>{network}</b>.", network=esc(network.name))


def choose_language(lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """The language question."""
    buttons = [
        button(f"{LANGUAGE_FLAGS[code]} {name}", pack(Cb.LANGUAGE, code))
        for code, name in LANGUAGE_NAMES.items()
    ]
    return t(lang, "Which language shall I use with you?"), keyboard(buttons)


def language_set(lang: str) -> str:
    """Confirmation, in the newly chosen language."""
    return t(lang, "Done: I will write to you in English from now on.")


def privacy(lang: str) -> str:
    """What is stored, what never is, and who can learn what (the threat model in plain words)."""
    return t(
        lang,
        "🔒 <b>What I store about you</b>\n"
        "• your Telegram id, first name, username and language;\n"
        "• per network: your organisation, its kind, your level and whether you are a "
        "coordinator;\n"
        "• while you fill in a questionnaire: your unfinished answers.\n\n"
        "<b>When you submit</b>\n"
        "• your scores and comment are added to the round's totals and your unfinished "
        "answers are deleted. No row with your answers exists, so nothing can be matched to "
        "you by an id, an order or a time;\n"
        "• I keep a fingerprint of your Telegram account (a keyed hash, without a time), so "
        "that you are not reminded any more and cannot answer twice, also not after "
        "/forgetme. When the results are published, the fingerprints, their key and the "
        "reminders are deleted.\n\n"
        "<b>Who can learn what</b>\n"
        "• The group and the coordinators: only results of at least k people (at least 3, "
        "usually 5), per group only where every group has k scores for that question, "
        "comments only when enough people wrote one, and how many answered. Never who "
        "scored what.\n"
        "• Someone with the database or a backup: while a round is open, who has answered "
        "it, not what; after it published, nothing about you and that round. Two copies made "
        "while a round is open do show how the totals changed in between: if you were the "
        "only one to answer in between, that change is yours. Backups deserve the same care "
        "as the bot itself.\n"
        "• The bot program sees your answers while you give them, because Telegram delivers "
        "them; it never writes them to its logs.\n\n"
        "/mydata shows everything I store about you; /forgetme deletes it.",
    )


@dataclass(frozen=True)
class RoundMention:
    """A round as /mydata names it: its network, questionnaire and (for a draft) progress."""

    network: str
    questionnaire: Questionnaire
    answers: int


def _round_name(lang: str, mention: RoundMention) -> str:
    name = questionnaire_name(lang, mention.questionnaire)
    return f"<b>{esc(mention.network)}</b>: {esc(name)}"


def my_data(
    lang: str,
    person: Person,
    memberships: Sequence[Member],
    drafts: Sequence[RoundMention] = (),
    answered: Sequence[RoundMention] = (),
    contacts: Sequence[str] = (),
    edited: Sequence[str] = (),
) -> list[str]:
    """Everything stored about a person, for the right of access (contacts: how they agreed
    to be reached as an organisation's signal contact; edited: profiles they last edited)."""
    language = LANGUAGE_NAMES.get(person.language or "") or t(lang, "as in Telegram")
    head = t(
        lang,
        "📋 <b>What I store about you</b>\nTelegram id: <code>{id}</code>\nFirst name: {name}\n"
        "Username: {username}\nLanguage: {language}\nPrivate chat started: {started}",
        id=person.id,
        name=esc(person.first_name),
        username=esc("@" + person.username) if person.username else "—",
        language=language,
        started=t(lang, "yes") if person.started else t(lang, "no"),
    )
    blocks = [head]
    if memberships:
        blocks.append(t(lang, "Networks:"))
        blocks.extend(_membership_line(lang, m) for m in memberships)
    if drafts:
        blocks.append(t(lang, "Unfinished answers (only you can see them):"))
        blocks.extend(
            "• "
            + _round_name(lang, d)
            + " — "
            + tn(
                lang,
                "{n} of {total} questions answered",
                "{n} of {total} questions answered",
                d.answers,
                total=len(d.questionnaire.items),
            )
            for d in drafts
        )
    if answered:
        blocks.append(
            t(
                lang,
                "Rounds you have answered (kept as a fingerprint, not with your answers, and "
                "deleted when the results are published):",
            )
        )
        blocks.extend("• " + _round_name(lang, a) for a in answered)
    if contacts:
        blocks.append(
            t(
                lang,
                "Signal contact (you agreed; stop from /organisation, and partners no longer "
                "see it):",
            )
        )
        blocks.extend("• " + line for line in contacts)
    if edited:
        blocks.append(t(lang, "Organisation profiles last edited by you (your name shows there):"))
        blocks.extend("• " + esc(name) for name in edited)
    blocks.append(t(lang, "/forgetme deletes all of this."))
    return pack_blocks(blocks)


def confirm_forget(lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """Are you sure you want everything deleted?"""
    text = t(
        lang,
        "Delete everything I store about you? You leave all your networks. Anonymous answers "
        "you submitted stay, because nothing links them to you.",
    )
    return text, keyboard(
        [
            button(t(lang, "Yes, delete"), pack(Cb.FORGET_CONFIRM)),
            button(t(lang, "Cancel"), pack(Cb.CANCEL)),
        ]
    )


def forgotten(lang: str) -> str:
    """After deleting a person's data."""
    return t(
        lang,
        "Done: everything I stored about you is deleted. If you send me a message again, I "
        "only know what Telegram tells me then.",
    )
