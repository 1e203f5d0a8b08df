"""Texts and keyboards of the group: welcome, setup, the join button, members and coordinators."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from domain.callbacks import Cb, pack
from domain.enums import Level, OrgType
from domain.text import esc, pack_blocks
from i18n import N_, t, tn
from storage.models import Member, Network
from views.keyboards import button, deep_link, keyboard, link, rows
from views.rounds import when

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}
LANGUAGE_FLAGS = {"nl": "🇳🇱", "en": "🇬🇧"}
MAX_PARTNER_BUTTONS = 48


DIGEST_LABELS = {
    "group": N_("in this group"),
    "trekkers": N_("to the trekkers privately"),
    "off": N_("off"),
}
DAY_ABBREVIATIONS = {
    "nl": ["ma", "di", "wo", "do", "vr", "za", "zo"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}


def office_days(lang: str, work_days: str) -> str:
    """'ma, di, wo, do, vr' from '12345'."""
    names = DAY_ABBREVIATIONS.get(lang, DAY_ABBREVIATIONS["en"])
    return ", ".join(
        names[int(day) - 1] for day in work_days if day.isdigit() and 1 <= int(day) <= 7
    )


def join_payload(network: Network) -> str:
    """The /start payload of a network's join link."""
    return f"j_{network.join_token}"


def welcome(lang: str) -> str:
    """What the bot says when it is added to a group that is not a network yet."""
    return t(
        lang,
        "👋 Hello, I am <b>Netwerkpols</b>. I help this network keep a finger on the pulse "
        "of its collaboration:\n"
        "• partners score the collaboration in a private chat with me, and this group sees "
        "only the combined result;\n"
        "• working-group leads get reminders of their actions;\n"
        "• agreements get their regular review.\n\n"
        "Answers are anonymous: nobody, coordinators included, can see who gave which score.\n\n"
        "To begin, a group admin sends /setup.",
    )


def welcome_back(lang: str, network: Network) -> str:
    """What the bot says when it is added again to the group of an existing network."""
    return t(
        lang,
        "👋 I am back. The network <b>{name}</b> is active again, with everything it had.",
        name=esc(network.name),
    )


def join_keyboard(lang: str, network: Network, bot_username: str) -> InlineKeyboardMarkup:
    """The Join button: a deep link into the private chat."""
    return keyboard(
        [link(t(lang, "🤝 Join"), deep_link(bot_username, join_payload(network)))],
    )


def setup_message(
    lang: str,
    network: Network,
    coordinators: Sequence[str],
    bot_username: str,
    *,
    created: bool,
) -> tuple[str, InlineKeyboardMarkup]:
    """The settings of a network with language buttons and the Join button."""
    header = (
        t(lang, "✅ This group is now the network <b>{name}</b>.", name=esc(network.name))
        if created
        else t(lang, "⚙️ Settings of the network <b>{name}</b>", name=esc(network.name))
    )
    people = ", ".join(esc(name) for name in coordinators) or "—"
    text = "\n\n".join(
        [
            header,
            t(
                lang,
                "Language: {language}\nTime zone: {timezone}\nCoordinators: {coordinators}",
                language=LANGUAGE_NAMES.get(network.language, network.language),
                timezone=esc(network.timezone),
                coordinators=people,
            ),
            t(
                lang,
                "Reminders: {days}, {start}–{end}. Weekly overview: {digest} ({day}).",
                day=office_days(lang, str(network.digest_day)),
                days=office_days(lang, network.work_days),
                start=network.work_start,
                end=network.work_end,
                digest=t(lang, DIGEST_LABELS.get(network.digest, DIGEST_LABELS["group"])),
            )
            + "\n"
            + (
                t(lang, "Comments are shown from {n} writers.", n=network.comment_k)
                if network.comment_k
                else t(lang, "Comments are shown from k + 2 writers (k: chosen per round).")
            ),
            t(
                lang,
                "Partners: press <b>Join</b>. I will ask you three short questions "
                "in a private chat.",
            ),
            t(
                lang,
                "Coordinators can change the settings: /setup name <i>new name</i>, "
                "/setup timezone <i>Europe/Amsterdam</i>, or the language buttons below.",
            ),
        ]
    )
    languages = [
        button(f"{LANGUAGE_FLAGS[code]} {name}", pack(Cb.SETUP_LANGUAGE, code))
        for code, name in LANGUAGE_NAMES.items()
    ]
    join = link(t(lang, "🤝 Join"), deep_link(bot_username, join_payload(network)))
    return text, keyboard(languages, [join])


def join_invitation(
    lang: str, network: Network, bot_username: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The /join answer in the group."""
    text = t(
        lang,
        "Partners of <b>{name}</b>: press the button to join. I will ask you three short "
        "questions in a private chat.",
        name=esc(network.name),
    )
    return text, join_keyboard(lang, network, bot_username)


def members_overview(
    lang: str, network: Network, members: Sequence[Member], departed: Sequence[Member] = ()
) -> list[str]:
    """Organisations by type with their partners per level, and who left the group; never
    anything about scores."""
    partners = [m for m in members if m.is_partner and m.organisation is not None]
    by_type: dict[str, dict[str, list[Member]]] = defaultdict(lambda: defaultdict(list))
    for member in partners:
        assert member.organisation is not None
        by_type[member.organisation.type][member.organisation.name].append(member)
    organisations = sum(len(orgs) for orgs in by_type.values())
    blocks = [
        t(lang, "👥 <b>{name}</b>", name=esc(network.name))
        + "\n"
        + tn(
            lang,
            "{n} partner from {organisations} organisation(s)",
            "{n} partners from {organisations} organisation(s)",
            len(partners),
            organisations=organisations,
        )
    ]
    for org_type in OrgType:
        orgs = by_type.get(org_type.value)
        if not orgs:
            continue
        # One block per line, so that a long list splits between organisations.
        blocks.append(f"\n<b>{esc(t(lang, org_type.label))}</b>")
        for org_name in sorted(orgs, key=str.casefold):
            levels = Counter(m.level for m in orgs[org_name])
            detail = ", ".join(
                f"{esc(t(lang, level.label)).lower()} {levels[level.value]}"
                for level in Level
                if levels[level.value]
            )
            blocks.append(f"• {esc(org_name)}: {len(orgs[org_name])} ({detail})")
    coordinators = [esc(m.person.first_name) for m in members if m.is_coordinator]
    blocks.append("\n" + t(lang, "Coordinators: {names}", names=", ".join(coordinators) or "—"))
    pending = sum(1 for m in members if not m.is_partner)
    if pending:
        blocks.append(
            tn(
                lang,
                "{n} person has not answered the join questions yet.",
                "{n} people have not answered the join questions yet.",
                pending,
            )
        )
    if departed:
        blocks.append("\n" + t(lang, "<b>Left the group</b> (no rights here any more):"))
        for member in departed:
            assert member.left_at is not None
            organisation = f" ({esc(member.organisation.name)})" if member.organisation else ""
            day = when(lang, member.left_at, network.timezone, with_time=False)
            blocks.append(f"• {esc(member.person.first_name)}{organisation}, {day}")
    if organisations:
        blocks.append(
            "\n"
            + t(
                lang,
                "🏢 <code>/organisation name</code> shows what an organisation wants, offers and "
                "cannot do, and whom to call there.",
            )
        )
    return pack_blocks(blocks)


def coordinators_message(
    lang: str, network: Network, members: Sequence[Member]
) -> tuple[str, InlineKeyboardMarkup]:
    """The coordinators with remove buttons, and partners with appoint buttons."""
    coordinators = [m for m in members if m.is_coordinator]
    candidates = [m for m in members if m.is_partner and not m.is_coordinator]
    text = t(
        lang,
        "🧭 Coordinators of <b>{name}</b>: {names}\n\n"
        "Press ➕ to appoint a partner, ➖ to remove a coordinator. You can also reply "
        "/coordinator to someone's message.",
        name=esc(network.name),
        names=", ".join(esc(m.person.first_name) for m in coordinators) or "—",
    )
    remove = [
        button(f"➖ {m.person.first_name}", pack(Cb.COORD_REMOVE, m.id)) for m in coordinators
    ]
    add = [
        button(f"➕ {m.person.first_name}", pack(Cb.COORD_ADD, m.id))
        for m in candidates[:MAX_PARTNER_BUTTONS]
    ]
    if len(candidates) > MAX_PARTNER_BUTTONS:
        text += "\n\n" + t(
            lang, "Not every partner fits here: reply /coordinator to their message instead."
        )
    return text, keyboard(*rows(remove, 2), *rows(add, 2))


def choose_network(
    lang: str, memberships: Sequence[Member], command: str
) -> tuple[str, InlineKeyboardMarkup]:
    """Which network a coordinator command is about, when the person coordinates several."""
    buttons = [
        button(m.network.name, pack(Cb.PICK_NETWORK, command, m.network_id)) for m in memberships
    ]
    return t(lang, "Which network?"), keyboard(*rows(buttons, 1))


def left_group_note(lang: str, network: Network) -> str:
    """The private note to someone who is no longer in a network's group."""
    return t(
        lang,
        "👋 You are no longer in the group of <b>{network}</b>, so you no longer take part "
        "there: no questions, reminders or agreements of this network, and an unfinished "
        "questionnaire of it is deleted. Back in the group? Press <b>Join</b> there again.",
        network=esc(network.name),
    )


def appointed_note(lang: str, network: Network) -> str:
    """The private note to someone who has just been made a coordinator."""
    return t(
        lang,
        "🧭 You are now a coordinator of <b>{network}</b>. /help shows what you can do.",
        network=esc(network.name),
    )
