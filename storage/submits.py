"""Submits committed together: the submits of one round that arrive while one of its
transactions is running go into the next one, as a group.

Every submit of a round rewrites the round's one tally row, so submits take turns on it (on
SQLite on the one writer, on PostgreSQL on the row's lock). When a crowd submits at once, one
transaction a submit makes each wait for all the turns before it, every turn several trips to
the database across a busy event loop. Here a round's waiting submits share one transaction
and one rewrite of the row instead: the first goes alone, those that arrive meanwhile go next,
together. Nothing waits for a group to fill, so a lone submit is as quick as ever.

A group also hides more: the tally row, and on SQLite the write-ahead log until it is
emptied, change once for several people instead of once for each.
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.anonymity import Breakdown, Tally
from storage.db import Database
from storage.models import Draft, Member, Organisation, Round, RoundTally, RoundVoter
from storage.queries import CURRENT, insert_new
from storage.rounds import admits, voter_of


class Outcome(enum.Enum):
    """What became of a submit."""

    SUBMITTED = "submitted"
    ALREADY_ANSWERED = "already answered"  # a double press, a second device, after /forgetme
    NOT_READY = "not ready"  # no draft at its review with every item answered, or not invited
    CLOSED = "closed"
    UNKNOWN = "unknown"  # no such round (any more)


@dataclass(frozen=True, slots=True)
class _Waiting:
    person_id: int
    items: int  # how many items the round's questionnaire has: a complete draft answers all
    outcome: asyncio.Future[Outcome]


# The drafts of a group with what counting them needs: the membership they answer from (a
# current partner of the round's network) and its organisation's type.
_DRAFTS = (
    select(
        Draft.person_id,
        Draft.answers,
        Draft.comment,
        Draft.step,
        Member.level,
        Organisation.type,
    )
    .join(
        Member,
        (Member.person_id == Draft.person_id)
        & (Member.network_id == bindparam("network_id"))
        & CURRENT
        & Member.joined_at.is_not(None),
    )
    .join(Organisation, Organisation.id == Member.organisation_id)
    .where(
        Draft.round_id == bindparam("round_id"),
        Draft.person_id.in_(bindparam("people", expanding=True)),
    )
)


class Submits:
    """The submits of this process, committed in groups per round (see the module)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._waiting: dict[int, list[_Waiting]] = {}
        self._committing: dict[int, asyncio.Task[None]] = {}
        self._in_group: dict[int, int] = {}  # the size of the group committing, by round

    async def submit(self, round_id: int, person_id: int, items: int) -> Outcome:
        """Count this person's draft in the round and delete it, in the next group of the
        round's submits; what became of it once that group has committed (or the error that
        stopped the group). Call it outside any unit of work: it waits for the group's own."""
        outcome: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(round_id, []).append(_Waiting(person_id, items, outcome))
        if round_id not in self._committing:
            # In a context of its own: nothing of the caller's (its unit of work, say) is the
            # group's.
            task = asyncio.create_task(self._commit_all(round_id), context=contextvars.Context())
            self._committing[round_id] = task
        return await outcome

    def waiting(self, round_id: int) -> int:
        """How many of the round's submits wait for the group after the one committing."""
        return len(self._waiting.get(round_id, ()))

    def committing(self, round_id: int) -> int:
        """How many of the round's submits are in the group committing now."""
        return self._in_group.get(round_id, 0)

    async def _commit_all(self, round_id: int) -> None:
        """The round's groups, one after another, until no submit is waiting. An error that
        stops a group reaches each of its submits, and the next group goes on; cancelled
        (the bot stopping), the group's transaction rolls back and every submit still
        waiting is cancelled with it (their drafts stay, to be sent in again)."""
        group: list[_Waiting] | None = None
        try:
            while group := self._waiting.pop(round_id, None):
                self._in_group[round_id] = len(group)
                try:
                    outcomes = await self._commit(round_id, group)
                except Exception as error:
                    for waiting in group:
                        if not waiting.outcome.done():
                            waiting.outcome.set_exception(error)
                    continue
                for waiting, outcome in zip(group, outcomes, strict=True):
                    if not waiting.outcome.done():
                        waiting.outcome.set_result(outcome)
        finally:
            del self._committing[round_id]
            for waiting in (*(group or ()), *self._waiting.pop(round_id, ())):
                waiting.outcome.cancel()  # no-op for those already told
            self._in_group.pop(round_id, None)

    async def _commit(self, round_id: int, group: Sequence[_Waiting]) -> list[Outcome]:
        async with self.database.unit_of_work() as session:
            # For sharing: closing the round (FOR UPDATE) waits until the group has committed,
            # so no answer slips in after the results were counted.
            round_ = await session.get(Round, round_id, with_for_update={"read": True})
            if round_ is None:
                return [Outcome.UNKNOWN] * len(group)
            if round_.state != "open" or round_.voter_salt is None:
                return [Outcome.CLOSED] * len(group)
            return await _count(session, round_, group)


async def _count(session: AsyncSession, round_: Round, group: Sequence[_Waiting]) -> list[Outcome]:
    """Count the group's complete drafts into the round's tally, record their voters and
    delete the drafts, in the caller's transaction."""
    people = sorted({waiting.person_id for waiting in group})
    found = await session.execute(
        _DRAFTS, {"round_id": round_.id, "network_id": round_.network_id, "people": people}
    )
    drafts = {row.person_id: row for row in found}
    items = {waiting.person_id: waiting.items for waiting in group}
    outcomes: dict[int, Outcome] = {}
    complete: list[Any] = []  # the rows of the drafts ready to count
    for person_id in people:
        row = drafts.get(person_id)
        if (
            row is None
            or row.step != "review"
            or len(row.answers) != items[person_id]
            or not admits(round_.audience, row.level, row.type)
        ):
            outcomes[person_id] = Outcome.NOT_READY
        else:
            complete.append(row)
    if complete:
        voters = {voter_of(round_, row.person_id): row for row in complete}
        # Sorted by the hash, so that not even the order of a group's rows keeps the order
        # in which its people pressed.
        rows = [{"round_id": round_.id, "voter": voter} for voter in sorted(voters)]
        new = await insert_new(session, RoundVoter, rows, RoundVoter.voter)
        for voter, row in voters.items():
            outcomes[row.person_id] = (
                Outcome.SUBMITTED if voter in new else Outcome.ALREADY_ANSWERED
            )
        if new:
            await _tally(session, round_, [row for voter, row in voters.items() if voter in new])
    missing = [p for p in outcomes if p not in drafts]
    if missing:
        # A draft is deleted when it is counted: one that is gone may be a second press.
        answered = set(
            await session.scalars(
                select(RoundVoter.voter).where(
                    RoundVoter.round_id == round_.id,
                    RoundVoter.voter.in_([voter_of(round_, p) for p in missing]),
                )
            )
        )
        for person_id in missing:
            if voter_of(round_, person_id) in answered:
                outcomes[person_id] = Outcome.ALREADY_ANSWERED
    # A person twice in one group (two devices at once): the second finds it answered.
    told: set[int] = set()
    result = []
    for waiting in group:
        outcome = outcomes[waiting.person_id]
        if waiting.person_id in told and outcome is Outcome.SUBMITTED:
            outcome = Outcome.ALREADY_ANSWERED
        told.add(waiting.person_id)
        result.append(outcome)
    return result


async def _tally(session: AsyncSession, round_: Round, counted: Sequence[Any]) -> None:
    """Delete the counted drafts and add them to the round's one tally row, rewritten as a
    whole (the row's lock last: every group of the round waits for it until the one holding
    it has committed, so nothing else of this transaction comes between the two)."""
    await session.execute(
        delete(Draft).where(
            Draft.round_id == round_.id, Draft.person_id.in_([row.person_id for row in counted])
        )
    )
    row = await session.get(RoundTally, round_.id, with_for_update=True)
    if row is None:
        raise ValueError(f"round {round_.id} has no tally")
    tally = Tally.from_json(row.data)
    breakdown = Breakdown.from_json(round_.breakdown)
    rng = random.SystemRandom()
    for draft in rng.sample(list(counted), len(counted)):
        scores = {item: (int(score) or None) for item, score in draft.answers.items()}
        tally.add(breakdown, scores, draft.level, draft.type, draft.comment, rng)
    row.data = tally.to_json()
