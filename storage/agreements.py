"""Queries for comfort agreements, ground rules and their reviews."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import (
    Agreement,
    AgreementParty,
    Member,
    Review,
    ReviewAnswer,
)

_LOAD = (
    selectinload(Agreement.versions),
    selectinload(Agreement.parties).selectinload(AgreementParty.organisation),
    selectinload(Agreement.responders),
)


async def agreements_of(
    session: AsyncSession, network_id: int, kind: str = "agreement"
) -> Sequence[Agreement]:
    """A network's agreements (or its ground rules), by title."""
    result = await session.scalars(
        select(Agreement)
        .where(Agreement.network_id == network_id, Agreement.kind == kind)
        .options(*_LOAD)
        .order_by(Agreement.title, Agreement.id)
    )
    return result.all()


async def agreement(session: AsyncSession, agreement_id: int) -> Agreement | None:
    """One agreement with versions, parties and named responders."""
    return await session.get(Agreement, agreement_id, options=list(_LOAD), populate_existing=True)


async def agreement_named(session: AsyncSession, network_id: int, name: str) -> Agreement | None:
    """An agreement by (the start of) its title, case-insensitively."""
    wanted = name.casefold().strip()
    found = [
        a for a in await agreements_of(session, network_id) if a.title.casefold().startswith(wanted)
    ]
    exact = [a for a in found if a.title.casefold() == wanted]
    return (exact or found)[0] if found else None


async def rules_of(session: AsyncSession, network_id: int) -> Agreement | None:
    """The network's ground rules, if recorded."""
    rules = await agreements_of(session, network_id, "rules")
    return rules[0] if rules else None


async def review(session: AsyncSession, review_id: int) -> Review | None:
    """One review, locked for the rest of the transaction."""
    return await session.get(Review, review_id, with_for_update=True)


async def reviews_of(session: AsyncSession, agreement_id: int) -> Sequence[Review]:
    """An agreement's reviews, oldest first."""
    result = await session.scalars(
        select(Review).where(Review.agreement_id == agreement_id).order_by(Review.due_on)
    )
    return result.all()


async def answers_of(session: AsyncSession, review_id: int) -> Sequence[ReviewAnswer]:
    """The answers given in a review."""
    result = await session.scalars(
        select(ReviewAnswer).where(ReviewAnswer.review_id == review_id).order_by(ReviewAnswer.label)
    )
    return result.all()


async def responders(session: AsyncSession, item: Agreement) -> dict[str, tuple[str, list[int]]]:
    """Who answers a review: {responder key: (label, person ids who may answer for it)}.

    For named responders each is their own key ('p<id>'); otherwise every party ('o<id>') is
    answered for by its representatives: the network's partners of that organisation.
    Ground rules are answered by every organisation of the network.
    """
    if item.responders:
        people = await session.scalars(
            select(Member)
            .where(
                Member.network_id == item.network_id,
                Member.person_id.in_([r.person_id for r in item.responders]),
                Member.left_at.is_(None),
            )
            .options(selectinload(Member.person))
        )
        return {f"p{m.person_id}": (m.person.first_name, [m.person_id]) for m in people}
    members = await session.scalars(
        select(Member)
        .where(
            Member.network_id == item.network_id,
            Member.joined_at.is_not(None),
            Member.left_at.is_(None),
        )
        .options(selectinload(Member.organisation))
    )
    by_org: dict[int, tuple[str, list[int]]] = {}
    party_ids = {p.organisation_id for p in item.parties}
    for member in members:
        organisation = member.organisation
        if organisation is None or (party_ids and organisation.id not in party_ids):
            continue
        by_org.setdefault(organisation.id, (organisation.name, []))[1].append(member.person_id)
    for party in item.parties:  # a party without representatives still counts as unanswered
        by_org.setdefault(party.organisation_id, (party.organisation.name, []))
    return {f"o{org_id}": value for org_id, value in sorted(by_org.items())}
