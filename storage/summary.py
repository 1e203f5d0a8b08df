"""Everything a coordinator's summary, export and report show about one network, gathered in one
read, as plain data. Only what the anonymity rules allow: round aggregates come from
round_result, which publishes nothing below k."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from domain.questionnaires import Questionnaire
from domain.results import RoundResult
from storage import agreements as agreement_store
from storage import profiles as profile_store
from storage import queries
from storage import workgroups as work_store
from storage.models import (
    Action,
    Agreement,
    Member,
    Network,
    Review,
    ReviewAnswer,
    Round,
    WorkingGroup,
)
from storage.rounds import questionnaire_of, round_result

UPCOMING_REVIEW_DAYS = 60


@dataclass
class RoundSummary:
    """A published round with its result."""

    round: Round
    questionnaire: Questionnaire
    result: RoundResult


@dataclass
class GroupSummary:
    """A working group's numbers."""

    group: WorkingGroup
    open: int
    due_this_week: int
    overdue: list[Action]
    done_last_30_days: int


@dataclass
class AgreementSummary:
    """An agreement with its next review, last outcome and parties still to answer."""

    agreement: Agreement
    last_outcome: str | None
    reviews: list[tuple[Review, list[ReviewAnswer]]]
    unanswered: list[str]


@dataclass
class Summary:
    """One network, as a coordinator wants to see it."""

    network: Network
    today: dt.date
    members: list[Member]
    partners: int
    organisations: int
    reachable: int
    by_type: Counter[str]
    by_level: Counter[str]
    latest: list[RoundSummary] = field(default_factory=list)
    history: dict[str, list[RoundSummary]] = field(default_factory=dict)
    groups: list[GroupSummary] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    agreements: list[AgreementSummary] = field(default_factory=list)
    # Organisations (with partners) that others cannot get to know yet, by name.
    without_profile: list[str] = field(default_factory=list)
    without_contact: list[str] = field(default_factory=list)

    @property
    def upcoming_reviews(self) -> list[Agreement]:
        """Active agreements reviewed in the coming 60 days."""
        horizon = self.today + dt.timedelta(days=UPCOMING_REVIEW_DAYS)
        return [
            a.agreement
            for a in self.agreements
            if a.agreement.state == "active"
            and a.agreement.next_review_on is not None
            and a.agreement.next_review_on <= horizon
        ]


async def gather(session: AsyncSession, network: Network, now: dt.datetime) -> Summary:
    """Read everything the summary needs, in one transaction."""
    today = network.today(now)
    members = list(await queries.members_of(session, network.id))
    partners = [m for m in members if m.is_partner and m.organisation is not None]
    summary = Summary(
        network=network,
        today=today,
        members=members,
        partners=len(partners),
        organisations=len({m.organisation_id for m in partners}),
        reachable=sum(1 for m in partners if m.person.started and m.person.reachable),
        by_type=Counter(m.organisation.type for m in partners if m.organisation),
        by_level=Counter(m.level or "" for m in partners),
    )
    summary.history = await _published_rounds(session, network)
    summary.latest = [_latest(entries) for entries in summary.history.values()]
    summary.groups = await _groups(session, network, now)
    summary.actions = list(
        await session.scalars(
            select(Action)
            .join(WorkingGroup, WorkingGroup.id == Action.working_group_id)
            .where(WorkingGroup.network_id == network.id)
            .options(selectinload(Action.owner))
            .order_by(Action.due_on, Action.id)
        )
    )
    summary.agreements = [
        await _agreement(session, agreement)
        for agreement in await agreement_store.agreements_of(session, network.id)
    ]
    represented = {m.organisation_id for m in partners}
    for organisation in await queries.organisations_of(session, network.id):
        if organisation.id not in represented:
            continue
        card = await profile_store.card(session, organisation)
        if card.profile is None or card.empty:
            summary.without_profile.append(organisation.name)
        if not card.contacts:
            summary.without_contact.append(organisation.name)
    return summary


async def _published_rounds(
    session: AsyncSession, network: Network
) -> dict[str, list[RoundSummary]]:
    """Every published round per questionnaire, oldest first, each with its own result."""
    history: dict[str, list[RoundSummary]] = {}
    rounds = await session.scalars(
        select(Round)
        .where(Round.network_id == network.id, Round.state == "closed", Round.published.is_(True))
        .order_by(Round.closes_at, Round.id)
    )
    for round_ in rounds:
        questionnaire = await questionnaire_of(session, round_.questionnaire)
        entry = RoundSummary(
            round_, questionnaire, await round_result(session, round_, compare=False)
        )
        history.setdefault(round_.questionnaire, []).append(entry)
    return history


def _latest(entries: list[RoundSummary]) -> RoundSummary:
    """A questionnaire's newest round, compared with the one before it."""
    latest = entries[-1]
    previous = entries[-2].result.means if len(entries) > 1 else None
    return RoundSummary(latest.round, latest.questionnaire, _with_previous(latest.result, previous))


async def _groups(session: AsyncSession, network: Network, now: dt.datetime) -> list[GroupSummary]:
    today, month_ago = network.today(now), now - dt.timedelta(days=30)
    groups = []
    for group in await work_store.groups_of(session, network.id):
        open_actions = list(await work_store.open_actions(session, group.id))
        done = await work_store.done_between(session, group.id, month_ago, now)
        groups.append(
            GroupSummary(
                group,
                len(open_actions),
                sum(1 for a in open_actions if today <= a.due_on < today + dt.timedelta(days=7)),
                [a for a in open_actions if a.due_on < today],
                len(done),
            )
        )
    return groups


async def _agreement(session: AsyncSession, agreement: Agreement) -> AgreementSummary:
    """An agreement's reviews, its last outcome and who has yet to answer the open review."""
    reviews = [
        (review, list(await agreement_store.answers_of(session, review.id)))
        for review in await agreement_store.reviews_of(session, agreement.id)
    ]
    closed = [r for r, _ in reviews if r.state == "closed"]
    unanswered: list[str] = []
    open_reviews = [(r, answers) for r, answers in reviews if r.state == "open"]
    if open_reviews:
        answered = {a.responder for a in open_reviews[-1][1]}
        responders = await agreement_store.responders(session, agreement)
        unanswered = [label for key, (label, _) in responders.items() if key not in answered]
    return AgreementSummary(agreement, closed[-1].outcome if closed else None, reviews, unanswered)


def _with_previous(result: RoundResult, previous: dict[str, float] | None) -> RoundResult:
    return replace(result, previous_means=previous)
