"""A note after answering a review: the answer's confirmation invites one, typed text adds it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dialogues.engine import Dialogue, Kind, Said, Step, Turn, register
from domain.errors import NO_LONGER_ACTIVE, Refusal
from i18n import N_
from storage import agreements as store
from storage.models import Person, ReviewAnswer
from views import agreements as view
from views.workgroups import text_problem


class NoteStep(StrEnum):
    """The one step: waiting for the note."""

    NOTE = "note"


@dataclass
class NoteData:
    """Whose answer the note belongs to."""

    review_id: int
    responder: str
    replaced: str | None = None  # the choice this answer replaced, of
    replaced_by: int | None = None  # another representative of the party


NoteTurn = Turn[NoteStep, NoteData]


async def _answer(turn: NoteTurn) -> ReviewAnswer:
    answer = await turn.session.get(ReviewAnswer, (turn.data.review_id, turn.data.responder))
    if answer is None:
        raise Refusal(NO_LONGER_ACTIVE)
    return answer


async def _still_answered(turn: NoteTurn) -> None:
    await _answer(turn)


async def _ask_note(turn: NoteTurn) -> Said:
    """The recorded answer, with the invitation to add a note."""
    answer = await _answer(turn)
    review = await store.review(turn.session, answer.review_id)
    agreement = await store.agreement(turn.session, review.agreement_id) if review else None
    if agreement is None:
        raise Refusal(NO_LONGER_ACTIVE)
    replaced_by = None
    if turn.data.replaced is not None and turn.data.replaced_by is not None:
        other = await turn.session.get(Person, turn.data.replaced_by)
        replaced_by = other.first_name if other is not None else None
    text = view.answered(
        turn.lang,
        agreement,
        answer.label,
        answer.choice,
        replaced=turn.data.replaced,
        replaced_by=replaced_by,
    )
    return text, None


async def _note_typed(turn: NoteTurn, typed: str) -> None:
    note = " ".join(typed.split())
    if not note or len(note) > view.NOTE_LIMIT:
        await turn.say(text_problem(turn.lang, view.NOTE_LIMIT))
        return
    (await _answer(turn)).note = note
    turn.finish()
    await turn.show(view.note_saved(turn.lang))


REVIEW_NOTE = register(
    Dialogue(
        kind=Kind.REVIEW_NOTE,
        steps=NoteStep,
        data=NoteData,
        table={NoteStep.NOTE: Step(_ask_note, text=_note_typed)},
        restart=N_("Your answer is recorded; a note can go with the next review."),
        guard=_still_answered,
    )
)
