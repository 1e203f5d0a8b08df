"""Rounds stored the way schema 0007 stored them (one response row per person, answers carrying
breakdown keys), for the test that migration 0008 keeps every published result identical.

`tests/golden/legacy_results.json` holds what the bot published about these rounds before 0008,
rendered by the code of that time (commit bf16f8f) from exactly these rows.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

NETWERKTOETS_ITEMS = (
    "trust",
    "relationship",
    "communication",
    "information",
    "alignment",
    "goals",
    "dissent",
)
FIVE_ITEMS = ("ambition", "interests", "relations", "organisation", "process")

# network id, chat id, language
NETWORKS = ((1, -1001, "nl"), (2, -1002, "en"))
# round id, network, questionnaire, k, state, published, invited, opens, closes
ROUNDS = (
    (1, 1, "netwerktoets", 3, "closed", True, 6, "2026-10-01 09:00:00", "2026-10-15 15:00:00"),
    (2, 1, "netwerktoets", 3, "closed", True, 6, "2026-11-02 09:00:00", "2026-11-16 16:00:00"),
    (3, 1, "vijf_condities", 5, "closed", False, 6, "2026-11-03 09:00:00", "2026-11-17 16:00:00"),
    (4, 2, "netwerktoets", 5, "closed", True, 12, "2026-11-04 09:00:00", "2026-11-18 16:00:00"),
)


def _responses() -> Iterator[tuple[int, str, str, dict[str, int | None], str | None]]:
    """(round, level group, kind, item -> score or None, comment) per response."""
    rng = random.Random(8)
    # Round 2 is the attack: three housing partners score trust 8, the care partner 2,
    # police and welfare answer 'don't know'.
    people = [
        ("upper", "housing", 8),
        ("lower", "housing", 8),
        ("upper", "housing", 8),
        ("lower", "care", 2),
        ("lower", "police", None),
        ("upper", "welfare", None),
    ]
    for number, (level, kind, trust) in enumerate(people):
        scores = {key: rng.randint(3, 9) for key in NETWERKTOETS_ITEMS}
        scores["trust"] = trust
        comment = f"Opmerking {number}" if number < 3 else None
        yield 2, level, kind, scores, comment
    for number in range(5):
        scores = {key: rng.randint(2, 8) for key in NETWERKTOETS_ITEMS}
        yield 1, ("upper", "lower")[number % 2], "housing", scores, None
    for _ in range(2):
        yield 3, "lower", "care", {key: rng.randint(1, 10) for key in FIVE_ITEMS}, "Te weinig"
    for number in range(12):
        level = ("upper", "lower")[number % 2]
        kind = ("care", "municipality")[number // 6]
        scores = {key: rng.choice([None, *range(1, 11)]) for key in NETWERKTOETS_ITEMS}
        yield 4, level, kind, scores, "Comment" if number < 2 else None


def statements() -> list[str]:
    """The INSERT statements, valid on SQLite and PostgreSQL at revision 0007."""
    stamp = "'2026-09-01 09:00:00'"
    sql = [
        "INSERT INTO network (id, chat_id, name, language, timezone, join_token, active, "
        f"created_at) VALUES ({nid}, {chat}, 'Netwerk {nid}', '{lang}', 'Europe/Amsterdam', "
        f"'tok{nid}', true, {stamp})"
        for nid, chat, lang in NETWORKS
    ]
    for rid, nid, key, k, state, published, invited, opens, closes in ROUNDS:
        sql.append(
            "INSERT INTO round (id, network_id, questionnaire, k, audience, token, state, "
            "opens_at, closes_at, closed_at, published, invited) VALUES "
            f"({rid}, {nid}, '{key}', {k}, '{{}}', 'r{rid}', '{state}', '{opens}', '{closes}', "
            f"'{closes}', {str(published).lower()}, {invited})"
        )
    for number, (rid, level, kind, scores, comment) in enumerate(_responses()):
        response = f"resp{number:03d}"
        sql.append(
            "INSERT INTO response (id, round_id, level_group, org_type, submitted_on) VALUES "
            f"('{response}', {rid}, '{level}', '{kind}', '2026-11-10')"
        )
        for item, score in scores.items():
            value = "NULL" if score is None else str(score)
            sql.append(
                "INSERT INTO answer (response_id, item, round_id, score, level_group, org_type) "
                f"VALUES ('{response}', '{item}', {rid}, {value}, '{level}', '{kind}')"
            )
        if comment:
            sql.append(
                "INSERT INTO round_comment (id, round_id, text) VALUES "
                f"('c{number:03d}', {rid}, '{comment}')"
            )
    return sql
