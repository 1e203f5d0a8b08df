"""Texts and keyboards of organisation profiles and "who do I call"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from domain.callbacks import Cb, pack
from domain.enums import OrgType
from domain.profiles import (
    ADDRESS_LIMIT,
    LIMIT_TEXT_LIMIT,
    REACHABLE_LIMIT,
    TEXT_LIMIT,
    Channel,
    Reason,
)
from domain.text import esc, pack_blocks, shorten
from i18n import N_, date_text, t
from storage.models import Network, Organisation, SignalContact
from storage.profiles import Card
from views.keyboards import button, keyboard, link, rows

FIELD_TITLES = {
    "interests": N_("🎯 <b>What we want to achieve in this network</b>"),
    "offers": N_("💪 <b>What we can offer</b>"),
    "signals": N_("📣 <b>Signals we want to hear of</b>"),
}
FIELD_BUTTONS = {
    "interests": N_("Interests"),
    "offers": N_("What we offer"),
    "signals": N_("Signals"),
}
FIELD_QUESTIONS = {
    "interests": N_(
        "🎯 What does <b>{organisation}</b> want to achieve in this network? Its interests, in a "
        "few sentences (at most {limit} characters)."
    ),
    "offers": N_(
        "💪 What can <b>{organisation}</b> offer the other partners? Expertise, a place, a "
        "quick line to someone (at most {limit} characters)."
    ),
    "signals": N_(
        "📣 Which signals does <b>{organisation}</b> want to hear of, for instance a niet-pluis "
        "feeling at a tenant's, rent arrears, a resident who avoids care (at most {limit} "
        "characters)?"
    ),
}
LIMIT_BUTTON = N_("Something we cannot do")
CONTACT_BUTTON = N_("I am the signal contact")
CONSENT_BUTTON = N_("I agree")
CHANNEL_LABELS = {
    Channel.TELEGRAM: N_("Telegram"),
    Channel.PHONE: N_("Phone"),
    Channel.EMAIL: N_("E-mail"),
}


def kind(lang: str, organisation: Organisation) -> str:
    """The organisation's kind in words."""
    try:
        return t(lang, OrgType(organisation.type).label)
    except ValueError:
        return esc(organisation.type)


def long_date(lang: str, moment: dt.datetime, timezone: str) -> str:
    """'24 november 2026' / '24 November 2026' in the network's zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    return date_text(lang, local.date(), weekday=False, year=True)


def _contact_line(lang: str, contact: SignalContact) -> str:
    name = esc(contact.person.first_name)
    if contact.channel == Channel.TELEGRAM:
        how = t(lang, "via Telegram")
        name = f'<a href="tg://user?id={contact.person_id}">{name}</a>'
    else:
        how = esc(contact.address or "")
    return f"• {name} — {how}; {esc(contact.reachable)}"


def _limit_line(lang: str, text: str, reason: str) -> str:
    try:
        why = t(lang, Reason(reason).label)
    except ValueError:
        why = t(lang, Reason.OTHER.label)
    return f"• {esc(text)} <i>({why})</i>"


def _head(lang: str, card: Card, network: Network) -> str:
    organisation = card.organisation
    name, network_name = esc(organisation.name), esc(network.name)
    return f"🏢 <b>{name}</b> · {kind(lang, organisation)} · <i>{network_name}</i>"


def card_parts(lang: str, card: Card, network: Network) -> list[str]:
    """The whole profile card, in as few messages as fit."""
    blocks = [_head(lang, card, network)]
    if card.empty:
        blocks.append(t(lang, "<i>No profile yet.</i>"))
    not_filled = t(lang, "<i>not filled in yet</i>")
    profile = card.profile
    for name in ("interests",):
        value = getattr(profile, name) if profile is not None else None
        blocks.append(f"\n{t(lang, FIELD_TITLES[name])}\n{esc(value) if value else not_filled}")
    blocks.append("\n" + t(lang, "🚫 <b>What we cannot do, and why</b>"))
    if card.limits:
        blocks.extend(_limit_line(lang, item.text, item.reason) for item in card.limits)
    else:
        blocks.append(not_filled)
    for name in ("offers", "signals"):
        value = getattr(profile, name) if profile is not None else None
        blocks.append(f"\n{t(lang, FIELD_TITLES[name])}\n{esc(value) if value else not_filled}")
    blocks.append("\n" + t(lang, "📞 <b>Contact for signals</b>"))
    if card.contacts:
        blocks.extend(_contact_line(lang, contact) for contact in card.contacts)
    else:
        blocks.append(t(lang, "<i>Nobody yet: a representative can offer to be it.</i>"))
    if profile is not None:
        who = esc(card.editor.first_name) if card.editor is not None else "—"
        blocks.append(
            "\n"
            + t(
                lang,
                "<i>Updated on {day} by {who}.</i>",
                day=long_date(lang, profile.updated_at, network.timezone),
                who=who,
            )
        )
    return pack_blocks(blocks)


def card_keyboard(
    lang: str, card: Card, *, is_contact: bool, may_add_contact: bool
) -> InlineKeyboardMarkup:
    """What a representative can change on their organisation's card."""
    organisation_id = card.organisation.id
    fields = [
        button("✏️ " + t(lang, FIELD_BUTTONS[name]), pack(Cb.PROFILE_FIELD, organisation_id, name))
        for name in ("interests", "offers", "signals")
    ]
    limits = [
        button("➕ " + t(lang, "Something we cannot do"), pack(Cb.LIMIT_ADD, organisation_id))
    ]
    if card.limits:
        limits.append(button("➖ " + t(lang, "Remove one"), pack(Cb.LIMIT_LIST, organisation_id)))
    if is_contact:
        contact = [
            button(
                "📵 " + t(lang, "Stop as signal contact"), pack(Cb.CONTACT_STOP, organisation_id)
            )
        ]
    elif may_add_contact:
        contact = [
            button(
                "📞 " + t(lang, "I am the signal contact"), pack(Cb.CONTACT_START, organisation_id)
            )
        ]
    else:
        contact = []
    return keyboard(*rows(fields, 3), limits, contact)


def listing(lang: str, network: Network, cards: Sequence[Card]) -> list[str]:
    """The network's organisations, each with how complete its profile is."""
    blocks = [t(lang, "🏢 <b>Organisations of {network}</b>", network=esc(network.name))]
    for card in cards:
        organisation = card.organisation
        if card.profile is None:
            state = t(lang, "no profile yet")
        else:
            state = t(
                lang,
                "updated on {day}",
                day=long_date(lang, card.profile.updated_at, network.timezone),
            )
        if not card.contacts:
            state += "; " + t(lang, "no signal contact")
        blocks.append(f"• <b>{esc(organisation.name)}</b> ({kind(lang, organisation)}): {state}")
    blocks.append(
        t(
            lang,
            "\n<code>/organisation name</code> shows one; in a private chat with me your own "
            "organisation's profile can be filled in.",
        )
    )
    return pack_blocks(blocks)


def ask_text(lang: str, organisation: Organisation, field: str, current: str | None) -> str:
    """The question for one of the profile's texts."""
    text = t(lang, FIELD_QUESTIONS[field], organisation=esc(organisation.name), limit=TEXT_LIMIT)
    if current:
        text += "\n\n" + t(lang, "Now: <i>{current}</i>", current=esc(shorten(current, 600)))
        text += "\n" + t(lang, "Send a single - to empty it.")
    return text + "\n\n" + t(lang, "/cancel keeps it as it is.")


def ask_limit(lang: str, organisation: Organisation) -> str:
    """The first question for something the organisation cannot do."""
    return t(
        lang,
        "🚫 What can <b>{organisation}</b> not do, however much partners might ask for it? One "
        "thing, in a sentence (at most {limit} characters). For instance: <i>We cannot let a "
        "tenant with rent arrears move to another home</i>.",
        organisation=esc(organisation.name),
        limit=LIMIT_TEXT_LIMIT,
    )


def ask_reason(lang: str, text: str) -> tuple[str, InlineKeyboardMarkup]:
    """Why not: the reasons as buttons."""
    buttons = [
        button(t(lang, reason.label), pack(Cb.LIMIT_REASON, reason.value)) for reason in Reason
    ]
    return (
        t(
            lang,
            "<i>{text}</i>\n\nWhy not? Partners accept a no more easily when they know where it "
            "comes from.",
            text=esc(text),
        ),
        keyboard(*rows(buttons, 3)),
    )


def too_many_limits(lang: str, most: int) -> str:
    """The card lists at most so many."""
    return t(
        lang,
        "The profile lists at most {most} things you cannot do. Remove one first (➖ under the "
        "profile).",
        most=most,
    )


def removal_list(lang: str, card: Card, network: Network) -> tuple[str, InlineKeyboardMarkup]:
    """Which of the things we cannot do to remove."""
    buttons = [
        [button("✖ " + shorten(item.text, 36), pack(Cb.LIMIT_REMOVE, item.id))]
        for item in card.limits
    ]
    buttons.append([button("↩ " + t(lang, "Back"), pack(Cb.PROFILE_SHOW, card.organisation.id))])
    return (
        t(
            lang,
            "{head}\n\nWhich one is no longer true? It is removed at once.",
            head=_head(lang, card, network),
        ),
        keyboard(*buttons),
    )


def ask_channel(lang: str, organisation: Organisation) -> tuple[str, InlineKeyboardMarkup]:
    """Becoming a signal contact, step 1: how."""
    buttons = [
        button(t(lang, CHANNEL_LABELS[channel]), pack(Cb.CONTACT_CHANNEL, channel.value))
        for channel in Channel
    ]
    return (
        t(
            lang,
            "📞 You offer to be the contact of <b>{organisation}</b> for signals. Partners in "
            "the network will see your name, how to reach you and when, and can look you up "
            "with /who. How do you want to be reached?",
            organisation=esc(organisation.name),
        ),
        keyboard(buttons),
    )


def ask_address(lang: str, channel: Channel) -> str:
    """Step 2: the number or address."""
    if channel is Channel.PHONE:
        return t(lang, "Which phone number? For instance <code>033 123 45 67</code>.")
    return t(lang, "Which e-mail address? For instance <code>signalen@portaal.nl</code>.")


def bad_address(lang: str, channel: Channel) -> str:
    """A number or address that cannot be one."""
    if channel is Channel.PHONE:
        return t(
            lang,
            "That is not a phone number I can show: digits, spaces, dashes and a leading + only, "
            "6 to 15 digits.",
        )
    return t(
        lang,
        "That is not an e-mail address I can show (like <code>name@organisation.nl</code>, at "
        "most {limit} characters).",
        limit=ADDRESS_LIMIT,
    )


def ask_reachable(lang: str) -> str:
    """Step 3: when."""
    return t(
        lang,
        "When can partners reach you, and for what? For instance <i>working days 8–17; at "
        "night the emergency line</i> (at most {limit} characters).",
        limit=REACHABLE_LIMIT,
    )


def ask_consent(
    lang: str, organisation: Organisation, name: str, how: str, reachable: str
) -> tuple[str, InlineKeyboardMarkup]:
    """Step 4: what others will see, and the consent."""
    return (
        t(
            lang,
            "Partners of the network will see this as the signal contact of <b>{organisation}"
            "</b>:\n\n• {name} — {how}; {reachable}\n\nDo you agree? You can stop any time "
            "from /organisation, and /forgetme removes it.",
            organisation=esc(organisation.name),
            name=esc(name),
            how=esc(how),
            reachable=esc(reachable),
        ),
        keyboard(
            [button("✅ " + t(lang, CONSENT_BUTTON), pack(Cb.CONTACT_CONSENT, "yes"))],
            [button("✖ " + t(lang, "No, not now"), pack(Cb.CONTACT_CONSENT, "no"))],
        ),
    )


def how(lang: str, channel: Channel, address: str | None) -> str:
    """How a contact is reached, in words."""
    return t(lang, "via Telegram") if channel is Channel.TELEGRAM else address or ""


def contact_saved(lang: str, organisation: Organisation) -> str:
    """After the consent."""
    return t(
        lang,
        "📞 Thank you: you are now a signal contact of <b>{organisation}</b>.",
        organisation=esc(organisation.name),
    )


def contact_declined(lang: str) -> str:
    """No consent: nothing stored."""
    return t(lang, "All right: nothing was stored, and nobody sees you as a contact.")


def contact_stopped(lang: str, organisation: Organisation) -> str:
    """Consent withdrawn."""
    return t(
        lang,
        "📵 You are no longer a signal contact of <b>{organisation}</b>; /who no longer shows you.",
        organisation=esc(organisation.name),
    )


def who_usage(lang: str) -> str:
    """/who without a question."""
    return t(
        lang,
        "Who do I call? Ask me with an organisation, a kind of organisation or a subject: "
        "<code>/who police</code>, <code>/who Portaal</code>, <code>/who rent arrears</code>.",
    )


def who_nothing(lang: str, query: str) -> str:
    """No organisation fits."""
    return t(
        lang,
        "I found no organisation for <i>{query}</i>. Try a kind (<code>/who care</code>) or a "
        "name; /organisation lists the organisations.",
        query=esc(shorten(query, 60)),
    )


def who_answer(
    lang: str, query: str, found: Sequence[tuple[Network, Card]]
) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """Per organisation found: its signal contacts, and what it can and cannot do; a button to
    open a chat with each contact on Telegram who has a public username."""
    blocks = [t(lang, "🔎 <b>Who do I call</b> for <i>{query}</i>?", query=esc(shorten(query, 60)))]
    buttons = []
    for network, card in found:
        organisation = card.organisation
        block = [f"\n🏢 <b>{esc(organisation.name)}</b> · {kind(lang, organisation)}"]
        if len({n.id for n, _ in found}) > 1:
            block[0] += f" · <i>{esc(network.name)}</i>"
        if card.contacts:
            block.extend(_contact_line(lang, contact) for contact in card.contacts)
            for contact in card.contacts:
                if contact.channel == Channel.TELEGRAM and contact.person.username:
                    label = f"💬 {contact.person.first_name} ({organisation.name})"
                    buttons.append(link(label, f"https://t.me/{contact.person.username}"))
        else:
            block.append(t(lang, "<i>No signal contact yet.</i>"))
        offers = card.profile.offers if card.profile is not None else None
        if offers:
            block.append(t(lang, "💪 Can: {offers}", offers=esc(shorten(offers, 200))))
        if card.limits:
            cannot = "; ".join(esc(shorten(item.text, 80)) for item in card.limits[:3])
            block.append(t(lang, "🚫 Cannot: {cannot}", cannot=cannot))
        blocks.append("\n".join(block))
    parts = pack_blocks(blocks)
    markup = keyboard(*rows(buttons[:12], 1)) if buttons else None
    return [(part, markup if index == len(parts) - 1 else None) for index, part in enumerate(parts)]


def contact_summary(lang: str, organisation: Organisation, contact: SignalContact) -> str:
    """One consent, for /mydata."""
    reach = how(lang, Channel(contact.channel), contact.address)
    return f"{esc(organisation.name)} — {esc(reach)}; {esc(contact.reachable)}"


def limit_added(lang: str, text: str, reason: str) -> str:
    """After choosing why."""
    return t(lang, "🚫 Added: {line}", line=_limit_line(lang, text, reason).removeprefix("• "))


def check_prompt(
    lang: str, card: Card, network: Network, left: str | None, since: dt.datetime
) -> tuple[str, InlineKeyboardMarkup]:
    """ "Klopt dit nog?": why we ask, the card (as far as fits), and the two answers."""
    organisation = card.organisation
    if left is not None:
        why = t(
            lang,
            "👋 {who} no longer represents <b>{organisation}</b> in the network.",
            who=esc(left),
            organisation=esc(organisation.name),
        )
    else:
        why = t(
            lang,
            "🗓 The profile of <b>{organisation}</b> was last checked on {day}.",
            organisation=esc(organisation.name),
            day=long_date(lang, since, network.timezone),
        )
    question = t(
        lang,
        "Is it still right? Partners find you with /who, so an old contact or a no that has "
        "become a yes costs them time.",
    )
    parts = card_parts(lang, card, network)
    text = f"{why} {question}\n\n{parts[0]}"
    if len(parts) > 1 or len(text) > 4000:
        text = f"{why} {question}\n\n" + t(lang, "/organisation shows it whole.")
    return text, keyboard(
        [
            button("✅ " + t(lang, "Still right"), pack(Cb.PROFILE_CHECK, organisation.id)),
            button("✏️ " + t(lang, "Change it"), pack(Cb.PROFILE_SHOW, organisation.id)),
        ]
    )


def checked(lang: str, organisation: Organisation) -> str:
    """After Klopt."""
    return t(
        lang,
        "✅ Thank you: the profile of <b>{organisation}</b> is marked as still right. I will ask "
        "again in half a year.",
        organisation=esc(organisation.name),
    )
