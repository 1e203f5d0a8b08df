"""Queries for organisation profiles: what each organisation wants, offers and cannot do, and
who agreed to be its contact for signals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import (
    Member,
    Organisation,
    OrganisationLimit,
    OrganisationProfile,
    Person,
    SignalContact,
)
from storage.queries import CURRENT

FIELDS = ("interests", "offers", "signals")  # the profile's free texts, in the card's order


@dataclass(frozen=True)
class Card:
    """Everything an organisation's profile card shows."""

    organisation: Organisation
    profile: OrganisationProfile | None
    limits: Sequence[OrganisationLimit]
    contacts: Sequence[SignalContact]
    editor: Person | None

    @property
    def empty(self) -> bool:
        """Nothing filled in yet."""
        profile = self.profile
        texts = [getattr(profile, name) for name in FIELDS] if profile is not None else []
        return not any(texts) and not self.limits and not self.contacts


async def representatives(session: AsyncSession, organisation: Organisation) -> list[int]:
    """The people who represent the organisation in its network now (joined, not left)."""
    result = await session.scalars(
        select(Member.person_id)
        .where(Member.network_id == organisation.network_id)
        .where(Member.organisation_id == organisation.id, Member.joined_at.is_not(None), CURRENT)
        .order_by(Member.person_id)
    )
    return list(result)


async def represents(session: AsyncSession, organisation: Organisation, person_id: int) -> bool:
    """Whether person_id is one of the organisation's current representatives."""
    return person_id in await representatives(session, organisation)


async def card(session: AsyncSession, organisation: Organisation) -> Card:
    """The organisation's card as it stands; contacts only while they still represent it."""
    profile = await session.get(OrganisationProfile, organisation.id)
    limits = await session.scalars(
        select(OrganisationLimit)
        .where(OrganisationLimit.organisation_id == organisation.id)
        .order_by(OrganisationLimit.id)
    )
    current = await representatives(session, organisation)
    contacts = await session.scalars(
        select(SignalContact)
        .where(SignalContact.organisation_id == organisation.id)
        .where(SignalContact.person_id.in_(current))
        .options(selectinload(SignalContact.person))
        .order_by(SignalContact.agreed_at, SignalContact.person_id)
    )
    editor = None
    if profile is not None and profile.updated_by is not None:
        editor = await session.get(Person, profile.updated_by)
    return Card(organisation, profile, limits.all(), contacts.all(), editor)


async def editable_profile(
    session: AsyncSession, organisation: Organisation, person_id: int, now: dt.datetime
) -> OrganisationProfile:
    """The organisation's profile (created when it has none), marked edited now by person."""
    profile = await session.get(OrganisationProfile, organisation.id, with_for_update=True)
    if profile is None:
        profile = OrganisationProfile(organisation_id=organisation.id)
        session.add(profile)
    profile.updated_at, profile.updated_by = now, person_id
    await session.flush()
    return profile


async def limit(session: AsyncSession, limit_id: int) -> OrganisationLimit | None:
    """One thing an organisation cannot do."""
    return await session.get(OrganisationLimit, limit_id)


async def contact(
    session: AsyncSession, organisation_id: int, person_id: int
) -> SignalContact | None:
    """Whether (and how) person agreed to be the organisation's signal contact."""
    return await session.get(SignalContact, (organisation_id, person_id))


async def contacts_of_person(session: AsyncSession, person_id: int) -> Sequence[SignalContact]:
    """Every organisation a person is signal contact for (for /mydata)."""
    result = await session.scalars(
        select(SignalContact)
        .where(SignalContact.person_id == person_id)
        .order_by(SignalContact.agreed_at)
    )
    return result.all()


async def drop_contacts(
    session: AsyncSession, person_id: int, organisation_ids: Iterable[int] | None = None
) -> None:
    """Withdraw a person's consent to be signal contact (for these organisations, or all)."""
    statement = delete(SignalContact).where(SignalContact.person_id == person_id)
    if organisation_ids is not None:
        statement = statement.where(SignalContact.organisation_id.in_(list(organisation_ids)))
    await session.execute(statement)


async def organisations_in(
    session: AsyncSession, network_ids: Sequence[int]
) -> Sequence[Organisation]:
    """The organisations of these networks, by network and name."""
    result = await session.scalars(
        select(Organisation)
        .where(Organisation.network_id.in_(network_ids))
        .options(selectinload(Organisation.network))
        .order_by(Organisation.network_id, Organisation.name_key)
    )
    return result.all()


async def personal_data(
    session: AsyncSession, person_id: int
) -> tuple[list[tuple[Organisation, SignalContact]], list[str]]:
    """For /mydata: the organisations the person agreed to be signal contact for (and how),
    and the names of the profiles whose last edit carries their name."""
    contacts = []
    for item in await contacts_of_person(session, person_id):
        organisation = await session.get(Organisation, item.organisation_id)
        if organisation is not None:
            contacts.append((organisation, item))
    edited = await session.scalars(
        select(Organisation.name)
        .join(OrganisationProfile, OrganisationProfile.organisation_id == Organisation.id)
        .where(OrganisationProfile.updated_by == person_id)
        .order_by(Organisation.name)
    )
    return contacts, list(edited)
