"""The built-in questionnaires: items with a short question and what the ends of the 1–10 scale
mean. Texts are English catalog msgids (translated where shown); keys never change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.enums import OrgType
from i18n import N_

NETWERKTOETS = "netwerktoets"
VIJF_CONDITIES = "vijf_condities"


@dataclass(frozen=True)
class Item:
    """One question on a 1–10 scale, with what low, middle and high scores mean."""

    key: str
    question: str
    low: str
    high: str
    middle: str = ""
    subject: str = ""  # a name the question is about, filled into it (the relation map's)


@dataclass(frozen=True)
class Questionnaire:
    """A named list of items; built-in ones have a fixed key, custom ones 'custom:<id>'."""

    key: str
    name: str
    items: tuple[Item, ...]
    builtin: bool = True

    def item(self, key: str) -> Item:
        """The item with this key."""
        return next(item for item in self.items if item.key == key)


BUILTIN: dict[str, Questionnaire] = {
    NETWERKTOETS: Questionnaire(
        NETWERKTOETS,
        N_("Network check (7 items)"),
        (
            Item(
                "trust",
                N_("Trust: how much do the partners trust each other?"),
                N_("hardly any trust"),
                N_("great trust, also when it gets tense"),
                N_("trust between some partners, not all"),
            ),
            Item(
                "relationship",
                N_("Relationship: what is the relationship between the partners like?"),
                N_("there is no relationship"),
                N_("good and stable"),
                N_("searching, growing"),
            ),
            Item(
                "communication",
                N_("Communication: how often and how do the partners talk?"),
                N_("never"),
                N_("very often, and much of it informal"),
                N_("regularly and structured"),
            ),
            Item(
                "information",
                N_("Information exchange: what do the partners share with each other?"),
                N_("only information that is public anyway"),
                N_("everything, including tactical and sensitive information"),
                N_("project information"),
            ),
            Item(
                "alignment",
                N_("Alignment: how far are the partners' actions tuned to each other?"),
                N_("we only tell each other what we do"),
                N_("our goals are woven together"),
                N_("goals are adjusted to each other"),
            ),
            Item(
                "goals",
                N_("Goals: whose goals does the network work on?"),
                N_("each organisation has its own goals"),
                N_("shared goals for the long term"),
                N_("shared project goals"),
            ),
            Item(
                "dissent",
                N_("Room for dissent: can partners say what they disagree with?"),
                N_("no room at all"),
                N_("a lot of room"),
                N_("some room"),
            ),
        ),
    ),
    VIJF_CONDITIES: Questionnaire(
        VIJF_CONDITIES,
        N_("Five conditions (5 items)"),
        (
            Item(
                "ambition",
                N_("Ambition: is there a shared ambition the partners feel as their own?"),
                N_("no shared ambition"),
                N_("a shared ambition everyone works for"),
            ),
            Item(
                "interests",
                N_(
                    "Interests: are the partners' interests, and what they cannot do, on the table?"
                ),
                N_("interests stay hidden"),
                N_("interests and limits are known and respected"),
            ),
            Item(
                "relations",
                N_("Relations: do the people know and find each other, also when it is tense?"),
                N_("we hardly know each other"),
                N_("we know whom to call and do so"),
            ),
            Item(
                "organisation",
                N_("Organisation design: are roles, meetings and mandates clear and fitting?"),
                N_("unclear and not fitting"),
                N_("clear and fitting"),
            ),
            Item(
                "process",
                N_("Process: does the collaboration move forward, from talk to action?"),
                N_("we keep talking, nothing moves"),
                N_("decisions lead to actions, with energy"),
            ),
        ),
    ),
}


# --- the relation map: how well each kind of organisation is known and reached --------------

RELATION_MAP = "rk"  # its keys: "rk" and the network's kinds as a hex bitmask ("rk1f")
RELATION_MAP_NAME = N_("Relation map by kind: do we know and reach each other?")
ORG_MAP_NAME = N_("Relation map by organisation: do we know and reach each other?")
RELATION_LOW = N_("we do not know them, nor whom to call")
RELATION_HIGH = N_("we know them and reach them when it matters")
RELATION_MIDDLE = N_("we know a few people there")
_RELATION_QUESTIONS = {
    OrgType.MUNICIPALITY: N_("The municipality: how well do we know them, and can we reach them?"),
    OrgType.HOUSING: N_("Housing corporations: how well do we know them, and can we reach them?"),
    OrgType.CARE: N_("Care providers: how well do we know them, and can we reach them?"),
    OrgType.WELFARE: N_("Welfare organisations: how well do we know them, and can we reach them?"),
    OrgType.POLICE: N_("The police: how well do we know them, and can we reach them?"),
    OrgType.HEALTH: N_("GPs and health care: how well do we know them, and can we reach them?"),
    OrgType.CLIENTS: N_("Client organisations: how well do we know them, and can we reach them?"),
    OrgType.RESIDENTS: N_("Residents: how well do we know them, and can we reach them?"),
    OrgType.OTHER: N_("Other partners: how well do we know them, and can we reach them?"),
}
_KIND_ORDER = list(OrgType)


def relation_map_key(kinds: Iterable[str]) -> str:
    """The relation map for these kinds of organisation (unknown kinds ignored)."""
    mask = sum(
        1 << _KIND_ORDER.index(OrgType(k)) for k in set(kinds) if k in OrgType._value2member_map_
    )
    return f"{RELATION_MAP}{mask:x}"


def relation_map(key: str) -> Questionnaire | None:
    """The relation map a key names: one item per kind of organisation, keyed by the kind."""
    if not key.startswith(RELATION_MAP) or len(key) > len(RELATION_MAP) + 4:
        return None
    try:
        mask = int(key[len(RELATION_MAP) :], 16)
    except ValueError:
        return None
    kinds = [kind for index, kind in enumerate(_KIND_ORDER) if mask >> index & 1]
    if not kinds or mask >> len(_KIND_ORDER):
        return None
    items = tuple(
        Item(kind.value, _RELATION_QUESTIONS[kind], RELATION_LOW, RELATION_HIGH, RELATION_MIDDLE)
        for kind in kinds
    )
    return Questionnaire(key, RELATION_MAP_NAME, items)


# In a small network the map asks about each organisation by name: keys "ro<network>x<mask>",
# the mask over the network's organisations in the order of their ids (they are never removed).
ORG_MAP = "ro"
ORG_MAP_MAX = 8  # organisations: above this the map asks per kind
ORG_QUESTION = N_("{name}: how well do we know them, and can we reach them?")
KEY_LIMIT = 24


def org_map_key(network_id: int, positions: Iterable[int]) -> str | None:
    """The per-organisation map of these positions (None when the key would be too long)."""
    mask = sum(1 << position for position in set(positions))
    key = f"{ORG_MAP}{network_id}x{mask:x}"
    return key if mask and len(key) <= KEY_LIMIT else None


def parse_org_map(key: str) -> tuple[int, int] | None:
    """The network id and the mask of a per-organisation map's key."""
    if not key.startswith(ORG_MAP) or "x" not in key or len(key) > KEY_LIMIT:
        return None
    network, _, mask = key[len(ORG_MAP) :].partition("x")
    try:
        parsed = (int(network), int(mask, 16))
    except ValueError:
        return None
    return parsed if parsed[1] > 0 and network.isdigit() else None


def org_map(key: str, organisations: Iterable[tuple[int, str]]) -> Questionnaire | None:
    """The per-organisation map a key names, from the network's (id, name) pairs by id."""
    parsed = parse_org_map(key)
    if parsed is None:
        return None
    _, mask = parsed
    items = tuple(
        Item(
            f"o{organisation_id}", ORG_QUESTION, RELATION_LOW, RELATION_HIGH, RELATION_MIDDLE, name
        )
        for position, (organisation_id, name) in enumerate(organisations)
        if mask >> position & 1
    )
    return Questionnaire(key, ORG_MAP_NAME, items) if items else None


def is_relation_map(key: str) -> bool:
    """Whether the questionnaire key names a relation map (per kind or per organisation)."""
    return relation_map(key) is not None or parse_org_map(key) is not None


def relation_map_family(key: str) -> str | None:
    """The prefix shared by the maps that compare with this one."""
    if relation_map(key) is not None:
        return RELATION_MAP
    return ORG_MAP if parse_org_map(key) is not None else None
