"""The network's private notes: to a newly appointed coordinator, and to someone who left
the group (their rights there ended)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from i18n import person_language
from schedules.kinds import Queued
from schedules.outbox import RenderContext, Rendered, Renderer
from storage import queries
from storage.models import Network, Outgoing, Person
from views import network as view


async def _network_and_person(
    session: AsyncSession, item: Outgoing
) -> tuple[Network, Person] | None:
    """The network and the person a private queued note is about, if both still exist."""
    network = await session.get(Network, int(item.payload.get("network_id", 0)))
    person = await session.get(Person, item.person_id) if item.person_id else None
    return (network, person) if network is not None and person is not None else None


async def render_coordinator_appointed(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The private note to a newly appointed coordinator (sent through the outgoing queue)."""
    found = await _network_and_person(session, item)
    if found is None:
        return None
    network, person = found
    member = await queries.membership(session, network.id, person.id)
    if member is None or not member.is_coordinator:
        return None
    lang = person_language(person, None, network.language)
    return Rendered(view.appointed_note(lang, network))


async def render_member_left(
    session: AsyncSession, item: Outgoing, render: RenderContext
) -> Rendered | None:
    """The private note to someone who left a network's group, unless they came back."""
    found = await _network_and_person(session, item)
    if found is None:
        return None
    network, person = found
    if await queries.membership(session, network.id, person.id) is not None:
        return None  # back in the group and joined again
    return Rendered(view.left_group_note(person_language(person, None, network.language), network))


RENDERERS: dict[Queued, Renderer] = {
    Queued.COORDINATOR_APPOINTED: render_coordinator_appointed,
    Queued.MEMBER_LEFT: render_member_left,
}
