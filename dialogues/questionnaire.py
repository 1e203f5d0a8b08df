"""A questionnaire of the network's own: a name, then items with their scale anchors."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from dialogues.engine import Dialogue, Kind, Said, Step, Turn, register
from domain.callbacks import Cb
from domain.errors import NO_LONGER_ACTIVE, Refusal
from domain.text import NameProblem, clean_name
from handlers.base import require_coordinator
from i18n import N_
from storage.models import CustomItem, CustomQuestionnaire
from views import questionnaires as view


class QuestionnaireStep(StrEnum):
    """Name first, then as many items as the coordinator types."""

    NAME = "name"
    ITEMS = "items"


@dataclass
class QuestionnaireData:
    """The questionnaire so far: its name and its items (question, low anchor, high anchor)."""

    name: str = ""
    items: list[tuple[str, str, str]] = field(default_factory=list)


QuestionnaireTurn = Turn[QuestionnaireStep, QuestionnaireData]


def parse_item(text: str) -> tuple[str, str, str]:
    """'question | low anchor | high anchor' as its three parts; ValueError("shape") when it
    is not three filled parts, ValueError("too_long") when a part is too long."""
    parts = [" ".join(part.split()) for part in text.split("|")]
    if len(parts) != 3 or not all(parts):
        raise ValueError("shape")
    question, low, high = parts
    if len(question) > view.QUESTION_LIMIT or max(len(low), len(high)) > view.ANCHOR_LIMIT:
        raise ValueError("too_long")
    return question, low, high


async def _coordinates(turn: QuestionnaireTurn) -> None:
    await require_coordinator(turn.session, turn.network.id, turn.person.id)


async def _ask_name(turn: QuestionnaireTurn) -> Said:
    return view.ask_name(turn.lang, turn.network), None


async def _name_typed(turn: QuestionnaireTurn, typed: str) -> None:
    try:
        turn.data = QuestionnaireData(name=clean_name(typed))
    except NameProblem:
        turn.goto(QuestionnaireStep.NAME)
        return
    turn.goto(QuestionnaireStep.ITEMS)


async def _ask_items(turn: QuestionnaireTurn) -> Said:
    return view.ask_items(turn.lang, turn.data.name, len(turn.data.items))


async def _item_typed(turn: QuestionnaireTurn, typed: str) -> None:
    if len(turn.data.items) >= view.MAX_ITEMS:
        await turn.say(view.item_problem(turn.lang, "too_many"))
        return
    try:
        turn.data.items.append(parse_item(typed))
    except ValueError as problem:
        await turn.say(view.item_problem(turn.lang, str(problem)))
        return
    turn.goto(QuestionnaireStep.ITEMS)


async def _done(turn: QuestionnaireTurn, args: list[str]) -> None:
    """✅ Done: save the questionnaire."""
    data = turn.data
    if not data.items or not data.name:
        raise Refusal(NO_LONGER_ACTIVE)
    custom = CustomQuestionnaire(network_id=turn.network.id, name=data.name)
    custom.items = [
        CustomItem(position=index, question=question, low=low, high=high)
        for index, (question, low, high) in enumerate(data.items, start=1)
    ]
    turn.session.add(custom)
    turn.finish()
    await turn.show(view.saved(turn.lang, data.name, len(data.items)))


QUESTIONNAIRE = register(
    Dialogue(
        kind=Kind.QUESTIONNAIRE,
        steps=QuestionnaireStep,
        data=QuestionnaireData,
        table={
            QuestionnaireStep.NAME: Step(_ask_name, text=_name_typed),
            QuestionnaireStep.ITEMS: Step(
                _ask_items, text=_item_typed, buttons={Cb.QUESTIONNAIRE_DONE: _done}
            ),
        },
        restart=N_("Send /questionnaire to start again."),
        guard=_coordinates,
    )
)
