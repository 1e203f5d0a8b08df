"""Profiles that stay current: half a year after an organisation's profile was last edited or
confirmed, and when one of its representatives leaves the network, its representatives are
asked in private chat "Klopt dit nog?". Through the outgoing queue (office hours, restart-safe,
once across processes), rendered when sent: an edit or a confirmation in the meantime drops the
question."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.calendar import add_months
from i18n import person_language
from schedules.kinds import Queued
from schedules.outbox import RenderContext, Rendered, Renderer, cancel_pending, enqueue
from storage import profiles as store
from storage.models import Member, Network, Organisation, OrganisationProfile, Outgoing, Person
from views import profiles as view

CHECK_AFTER_MONTHS = 6


def _prefix(organisation_id: int) -> str:
    return f"profile:{organisation_id}:check:"


def touched(profile: OrganisationProfile) -> dt.datetime:
    """When the profile was last edited or confirmed."""
    return max(profile.updated_at, profile.checked_at or profile.updated_at)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


async def profile_changed(
    session: AsyncSession, organisation: Organisation, network: Network, now: dt.datetime
) -> None:
    """The profile was edited or confirmed now: its next "Klopt dit nog?" is half a year on."""
    await cancel_pending(session, dedupe_prefix=_prefix(organisation.id))
    local = now.astimezone(ZoneInfo(network.timezone))
    day = add_months(local.date(), CHECK_AFTER_MONTHS)
    morning = dt.datetime.combine(day, network.office_hours.start, tzinfo=local.tzinfo)
    await enqueue(
        session,
        kind=Queued.PROFILE_CHECK,
        chat_id=network.chat_id,
        network_id=network.id,
        due_at=network.in_office_hours(morning),
        payload={"organisation_id": organisation.id, "since": _stamp(now)},
        dedupe_key=f"{_prefix(organisation.id)}{_stamp(now)}",
    )


async def representative_left(
    session: AsyncSession, member: Member, network: Network, now: dt.datetime
) -> None:
    """A representative left the network: they are no longer a contact for it, and the
    others are asked whether the profile still holds."""
    if member.organisation_id is None:
        return
    await store.drop_contacts(session, member.person_id, [member.organisation_id])
    organisation = await session.get(Organisation, member.organisation_id)
    profile = await session.get(OrganisationProfile, member.organisation_id)
    if organisation is None or profile is None:
        return
    await _ask(session, organisation, network, profile, now, left=member.person_id)


async def _ask(
    session: AsyncSession,
    organisation: Organisation,
    network: Network,
    profile: OrganisationProfile,
    at: dt.datetime,
    *,
    left: int | None = None,
) -> None:
    since = _stamp(touched(profile))
    for person_id in await store.representatives(session, organisation):
        person = await session.get(Person, person_id)
        if person is None or not person.started or not person.reachable:
            continue
        await enqueue(
            session,
            kind=Queued.PROFILE_CHECK_PROMPT,
            chat_id=person_id,
            person_id=person_id,
            network_id=network.id,
            due_at=at,
            payload={"organisation_id": organisation.id, "since": since, "left": left},
            dedupe_key=f"{_prefix(organisation.id)}{since}:{left or 'due'}:to:{person_id}",
        )


async def _current(
    session: AsyncSession, item: Outgoing
) -> tuple[Organisation, Network, OrganisationProfile] | None:
    """The row's organisation, network and profile, unless the profile was edited or
    confirmed after the row was queued."""
    organisation = await session.get(Organisation, int(item.payload.get("organisation_id", 0)))
    network = await session.get(Network, organisation.network_id) if organisation else None
    profile = await session.get(OrganisationProfile, organisation.id) if organisation else None
    if organisation is None or network is None or profile is None or not network.active:
        return None
    if _stamp(touched(profile)) != item.payload.get("since"):
        return None
    return organisation, network, profile


async def render_check(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """Half a year on: ask each representative (nothing for the group itself)."""
    found = await _current(session, item)
    if found is not None:
        await _ask(session, *found, item.due_at)
    return None


async def render_prompt(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """ "Klopt dit nog?" to one representative, with the card as it stands."""
    found = await _current(session, item)
    if found is None or item.person_id is None:
        return None
    organisation, network, profile = found
    if not await store.represents(session, organisation, item.person_id):
        return None
    person = await session.get(Person, item.person_id)
    lang = person_language(person, None, network.language)
    left_id = item.payload.get("left")
    left = await session.get(Person, int(left_id)) if isinstance(left_id, int) else None
    card = await store.card(session, organisation)
    text, markup = view.check_prompt(
        lang, card, network, left.first_name if left is not None else None, touched(profile)
    )
    return Rendered(text, markup)


RENDERERS: dict[Queued, Renderer] = {
    Queued.PROFILE_CHECK: render_check,
    Queued.PROFILE_CHECK_PROMPT: render_prompt,
}
