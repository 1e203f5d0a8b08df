"""Organisation profiles and "who do I call": /profiel (/organisation) shows and edits the
profile of one's organisation, /wie finds the organisations and signal contacts for a kind,
a name or a subject. Visible to the networks' members only; edited by representatives only."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from dialogues.profile import (
    NOT_A_REPRESENTATIVE,
    PROFILE_LIMIT,
    PROFILE_TEXT,
    SIGNAL_CONTACT,
    ContactData,
    LimitData,
    TextData,
)
from domain.callbacks import Cb, int_arg, pattern, unpack
from domain.enums import OrgType
from domain.errors import NO_LONGER_ACTIVE, ONLY_PRIVATE, Refusal
from domain.profiles import MAX_CONTACTS, MAX_LIMITS, fold, matches, query_words
from domain.text import esc
from handlers.base import (
    NOT_IN_NETWORK,
    Context,
    acknowledge,
    chatting_person,
    group_network,
    is_group,
    is_private,
    replace,
    reply,
)
from i18n import LANGUAGES, N_, t
from schedules.profiles import profile_changed
from storage import profiles as store
from storage import queries
from storage.models import Network, Organisation, Person
from views import profiles as view
from views.commands import names

NO_SUCH_ORGANISATION = N_("There is no organisation called {name} in your networks.")
NOT_A_CONTACT = N_("You are not a signal contact of {organisation}.")
TOO_MANY_LIMITS = N_("The profile lists at most {most} things you cannot do.")
MAX_FOUND = 8


async def _networks(session: AsyncSession, person_id: int) -> list[Network]:
    """The networks the person is in now (their members see each other's profiles)."""
    return [m.network for m in await queries.memberships_of(session, person_id)]


async def _send_card(
    update: Update,
    session: AsyncSession,
    lang: str,
    organisation: Organisation,
    network: Network,
    person_id: int | None,
) -> None:
    """The card, with what a representative can change when person_id represents it (in a
    private chat only)."""
    card = await store.card(session, organisation)
    parts = view.card_parts(lang, card, network)
    markup: InlineKeyboardMarkup | None = None
    if person_id is not None and await store.represents(session, organisation, person_id):
        markup = view.card_keyboard(
            lang,
            card,
            is_contact=any(c.person_id == person_id for c in card.contacts),
            may_add_contact=len(card.contacts) < MAX_CONTACTS,
        )
    for index, part in enumerate(parts):
        await reply(update, part, markup if index == len(parts) - 1 else None)


async def profile(update: Update, context: Context) -> None:
    """/profiel [name]: one's own organisation's profile (to edit, in private chat), or the one
    named; in the group without a name: every organisation with how complete it is."""
    name = " ".join(context.args or []).strip()
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    async with context.unit_of_work() as session:
        if is_group(chat):
            network = await group_network(session, chat.id)
            lang = network.language
            networks = [network]
        else:
            person, lang = await chatting_person(session, context, user)
            networks = await _networks(session, person.id)
            if not networks:
                raise Refusal(NOT_IN_NETWORK)
        editor = user.id if is_private(update) else None
        if name:
            found = await _named(session, networks, name)
            if not found:
                raise Refusal(NO_SUCH_ORGANISATION, name=esc(name[:60]))
            for organisation in found[:MAX_FOUND]:
                await _send_card(update, session, lang, organisation, organisation.network, editor)
            return
        own = [
            m
            for m in await queries.memberships_of(session, user.id)
            if m.is_partner and m.organisation is not None and m.network in networks
        ]
        if is_private(update) and own:
            for member in own:
                assert member.organisation is not None
                await _send_card(update, session, lang, member.organisation, member.network, editor)
            return
        for network in networks:
            cards = [
                await store.card(session, organisation)
                for organisation in await queries.organisations_of(session, network.id)
            ]
            for part in view.listing(lang, network, cards):
                await reply(update, part)


async def _named(
    session: AsyncSession, networks: Sequence[Network], name: str
) -> list[Organisation]:
    """Organisations of these networks whose name is (or starts with) name."""
    wanted = fold(name)
    if not wanted:
        return []
    organisations = await store.organisations_in(session, [n.id for n in networks])
    exact = [o for o in organisations if fold(o.name) == wanted]
    return exact or [o for o in organisations if fold(o.name).startswith(wanted)]


def _kind_names(organisation: Organisation) -> list[str]:
    try:
        kind = OrgType(organisation.type)
    except ValueError:
        return [organisation.type]
    return [kind.value, *(t(lang, kind.label) for lang in LANGUAGES)]


async def who(update: Update, context: Context) -> None:
    """/wie <organisation, kind or subject>: whom to call, and what they can and cannot do."""
    user = update.effective_user
    assert user is not None
    if not is_private(update):
        raise Refusal(ONLY_PRIVATE)
    query = " ".join(context.args or []).strip()
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, user)
        networks = await _networks(session, person.id)
        if not networks:
            raise Refusal(NOT_IN_NETWORK)
        words = query_words(query)
        if not words:
            await reply(update, view.who_usage(lang))
            return
        by_id = {n.id: n for n in networks}
        found = []
        for organisation in await store.organisations_in(session, list(by_id)):
            card = await store.card(session, organisation)
            profile = card.profile
            texts = [organisation.name, *_kind_names(organisation)]
            if profile is not None:
                texts += [profile.interests or "", profile.offers or "", profile.signals or ""]
            texts += [item.text for item in card.limits]
            if matches(words, texts):
                found.append((by_id[organisation.network_id], card))
        if not found:
            await reply(update, view.who_nothing(lang, query))
            return
        # Those with someone to call first.
        found.sort(key=lambda pair: (not pair[1].contacts, pair[1].organisation.name.casefold()))
        for text, markup in view.who_answer(lang, query, found[:MAX_FOUND]):
            await reply(update, text, markup)


# --- the card's buttons (private chat) ---------------------------------------------------------


async def _pressed(
    update: Update, context: Context, session: AsyncSession, *, edit: bool
) -> tuple[Person, str, Organisation, Network, list[str]]:
    """The person who pressed, their language, the organisation the button is about (in one of
    their networks; with edit, one they represent), its network and the button's arguments."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    person, lang = await chatting_person(session, context, query.from_user)
    organisation = await session.get(Organisation, int_arg(args, 0))
    if organisation is None:
        raise Refusal(NO_LONGER_ACTIVE)
    member = await queries.membership(session, organisation.network_id, person.id)
    network = await session.get(Network, organisation.network_id)
    if member is None or network is None or not network.active:
        raise Refusal(NO_LONGER_ACTIVE)
    if edit and not await store.represents(session, organisation, person.id):
        raise Refusal(NOT_A_REPRESENTATIVE, organisation=esc(organisation.name))
    return person, lang, organisation, network, args


async def show(update: Update, context: Context) -> None:
    """The card (from "Klopt dit nog?" → Aanpassen, or Back from the removal list)."""
    query = update.callback_query
    assert query is not None
    async with context.unit_of_work() as session:
        person, lang, organisation, network, _ = await _pressed(
            update, context, session, edit=False
        )
        await acknowledge(query)
        await _send_card(update, session, lang, organisation, network, person.id)


async def edit_field(update: Update, context: Context) -> None:
    """✏️ Interests / What we offer / Signals: the text's dialogue."""
    query = update.callback_query
    assert query is not None
    async with context.unit_of_work() as session:
        person, lang, organisation, network, args = await _pressed(
            update, context, session, edit=True
        )
        field = args[1] if len(args) > 1 else ""
        if field not in store.FIELDS:
            raise Refusal(NO_LONGER_ACTIVE)
        await acknowledge(query)
        await PROFILE_TEXT.begin(
            update,
            context,
            session,
            person,
            lang,
            network,
            TextData(organisation.id, field),
            in_place=False,
        )


async def add_limit(update: Update, context: Context) -> None:
    """➕ Something we cannot do."""
    query = update.callback_query
    assert query is not None
    async with context.unit_of_work() as session:
        found = await _pressed(update, context, session, edit=True)
        person, lang, organisation, network, _ = found
        if len((await store.card(session, organisation)).limits) >= MAX_LIMITS:
            raise Refusal(
                N_("The profile lists at most {most} things you cannot do."), most=MAX_LIMITS
            )
        await acknowledge(query)
        await PROFILE_LIMIT.begin(
            update,
            context,
            session,
            person,
            lang,
            network,
            LimitData(organisation.id),
            in_place=False,
        )


async def list_limits(update: Update, context: Context) -> None:
    """➖ Remove one: the list to choose from, in place of the card."""
    query = update.callback_query
    assert query is not None
    async with context.unit_of_work() as session:
        _, lang, organisation, network, _ = await _pressed(update, context, session, edit=True)
        card = await store.card(session, organisation)
        if not card.limits:
            raise Refusal(NO_LONGER_ACTIVE)
        await acknowledge(query)
        await replace(query, *view.removal_list(lang, card, network))


async def remove_limit(update: Update, context: Context) -> None:
    """✖ one of them: removed at once; the card follows."""
    query = update.callback_query
    assert query is not None
    _, args = unpack(query.data)
    async with context.unit_of_work() as session:
        person, lang = await chatting_person(session, context, query.from_user)
        item = await store.limit(session, int_arg(args, 0))
        organisation = await session.get(Organisation, item.organisation_id) if item else None
        network = await session.get(Network, organisation.network_id) if organisation else None
        if item is None or organisation is None or network is None:
            raise Refusal(NO_LONGER_ACTIVE)
        if not await store.represents(session, organisation, person.id):
            raise Refusal(NOT_A_REPRESENTATIVE, organisation=esc(organisation.name))
        await session.delete(item)
        await store.editable_profile(session, organisation, person.id, context.services.clock.now())
        await profile_changed(session, organisation, network, context.services.clock.now())
        await acknowledge(query)
        card = await store.card(session, organisation)
        if card.limits:
            await replace(query, *view.removal_list(lang, card, network))
        else:
            await replace(query, t(lang, "✖ Removed."))
        await _send_card(update, session, lang, organisation, network, person.id)


async def start_contact(update: Update, context: Context) -> None:
    """📞 I am the signal contact: how, when, and the consent."""
    query = update.callback_query
    assert query is not None
    async with context.unit_of_work() as session:
        found = await _pressed(update, context, session, edit=True)
        person, lang, organisation, network, _ = found
        await acknowledge(query)
        await SIGNAL_CONTACT.begin(
            update,
            context,
            session,
            person,
            lang,
            network,
            ContactData(organisation.id),
            in_place=False,
        )


async def stop_contact(update: Update, context: Context) -> None:
    """📵 Stop as signal contact: the consent is withdrawn at once."""
    query = update.callback_query
    assert query is not None
    async with context.unit_of_work() as session:
        person, lang, organisation, network, _ = await _pressed(
            update, context, session, edit=False
        )
        if await store.contact(session, organisation.id, person.id) is None:
            raise Refusal(NOT_A_CONTACT, organisation=esc(organisation.name))
        await store.drop_contacts(session, person.id, [organisation.id])
        await acknowledge(query)
        await reply(update, view.contact_stopped(lang, organisation))
        await _send_card(update, session, lang, organisation, network, person.id)


async def still_right(update: Update, context: Context) -> None:
    """✅ Still right, to "Klopt dit nog?": confirmed now, asked again in half a year."""
    query = update.callback_query
    assert query is not None
    async with context.unit_of_work() as session:
        _, lang, organisation, network, _ = await _pressed(update, context, session, edit=True)
        card = await store.card(session, organisation)
        if card.profile is None:
            raise Refusal(NO_LONGER_ACTIVE)
        card.profile.checked_at = context.services.clock.now()
        await profile_changed(session, organisation, network, context.services.clock.now())
        await acknowledge(query)
        await replace(query, view.checked(lang, organisation))


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler(names("organisation"), profile),
    CommandHandler(names("who"), who),
    CallbackQueryHandler(show, pattern(Cb.PROFILE_SHOW)),
    CallbackQueryHandler(edit_field, pattern(Cb.PROFILE_FIELD)),
    CallbackQueryHandler(add_limit, pattern(Cb.LIMIT_ADD)),
    CallbackQueryHandler(list_limits, pattern(Cb.LIMIT_LIST)),
    CallbackQueryHandler(remove_limit, pattern(Cb.LIMIT_REMOVE)),
    CallbackQueryHandler(start_contact, pattern(Cb.CONTACT_START)),
    CallbackQueryHandler(stop_contact, pattern(Cb.CONTACT_STOP)),
    CallbackQueryHandler(still_right, pattern(Cb.PROFILE_CHECK)),
]
