"""anonymous at rest: counts instead of responses, hashed voters, frozen results

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 06:00:00

Until 0007 every submission was a row (response, answer, round_comment, participation) with
breakdown keys, written in the same order as the participation rows: a database reader could
pair people with their scores. From 0008 on an open round keeps one tally row of counts and
comments and the keyed hashes of its voters; a published round keeps only what it published.

Existing rounds: a published round keeps exactly the result it published (recomputed here with
the rules of that time and frozen on the round); an open round, or one that closed with too
few answers, becomes a tally with breakdowns planned from its invited partners, and its
participants become hashed voters. Then the per-response tables are dropped. A downgrade
recreates them empty: individual answers cannot, and must not, come back.
"""

import json
import random
import secrets
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from domain.anonymity import Tally, plan_breakdown, voter_hash
from domain.questionnaires import BUILTIN
from domain.results import result_to_json
from storage.legacy_results import legacy_result

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A level that falls in each of 0007's two level groups.
LEVEL_OF_GROUP = {"upper": "board", "lower": "operational"}

rounds = sa.table(
    "round",
    sa.column("id", sa.Integer),
    sa.column("breakdown", sa.JSON),
    sa.column("comment_k", sa.Integer),
    sa.column("voter_salt", sa.String),
    sa.column("result", sa.JSON),
)
tallies = sa.table("round_tally", sa.column("round_id", sa.Integer), sa.column("data", sa.JSON))
voters = sa.table("round_voter", sa.column("round_id", sa.Integer), sa.column("voter", sa.String))


def upgrade() -> None:
    with op.batch_alter_table('network', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment_k', sa.Integer(), nullable=True))
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('breakdown', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('comment_k', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('voter_salt', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('result', sa.JSON(), nullable=True))
    op.create_table('round_tally',
    sa.Column('round_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_round_tally_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_round_tally'))
    )
    op.create_table('round_voter',
    sa.Column('round_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('voter', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_round_voter_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'voter', name=op.f('pk_round_voter'))
    )
    connection = op.get_bind()
    for row in connection.execute(sa.text("SELECT * FROM round ORDER BY id")).mappings():
        if row["state"] == "closed" and row["published"]:
            _freeze(connection, row)
        else:
            _count(connection, row)
    op.drop_table('answer')
    op.drop_table('round_comment')
    op.drop_table('response')
    op.drop_table('participation')


def _item_keys(connection: sa.Connection, questionnaire: str) -> list[str]:
    if questionnaire in BUILTIN:
        return [item.key for item in BUILTIN[questionnaire].items]
    positions = connection.execute(
        sa.text("SELECT position FROM custom_item WHERE questionnaire_id = :id ORDER BY position"),
        {"id": int(questionnaire[1:])},
    )
    return [f"q{position}" for (position,) in positions]


def _comments(connection: sa.Connection, round_id: int) -> list[str]:
    rows = connection.execute(
        sa.text("SELECT text FROM round_comment WHERE round_id = :id ORDER BY id"), {"id": round_id}
    )
    comments = [text for (text,) in rows]
    random.Random(round_id).shuffle(comments)  # the order 0007 showed them in
    return comments


def _freeze(connection: sa.Connection, row: Any) -> None:
    """A published round: the result it published, frozen on the round."""
    population: dict[tuple[str, str], int] = {}
    for level, kind, n in connection.execute(
        sa.text(
            "SELECT level_group, org_type, count(*) FROM response WHERE round_id = :id "
            "GROUP BY level_group, org_type"
        ),
        {"id": row["id"]},
    ):
        population[(level, kind)] = int(n)
    overall: dict[str, dict[int | None, int]] = defaultdict(lambda: defaultdict(int))
    by_group: dict[tuple[str, str], dict[str, dict[int | None, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for level, kind, item, score, n in connection.execute(
        sa.text(
            "SELECT level_group, org_type, item, score, count(*) FROM answer WHERE round_id = :id "
            "GROUP BY level_group, org_type, item, score"
        ),
        {"id": row["id"]},
    ):
        overall[item][score] += n
        by_group[("level", level)][item][score] += n
        by_group[("type", kind)][item][score] += n
    result = legacy_result(
        item_keys=_item_keys(connection, row["questionnaire"]),
        k=row["k"],
        overall=overall,
        by_group=by_group,
        population=population,
        comments=_comments(connection, row["id"]),
    )
    connection.execute(
        rounds.update()
        .where(rounds.c.id == row["id"])
        .values(result=result_to_json(result), comment_k=row["k"])
    )


def _invited(connection: sa.Connection, row: Any) -> list[tuple[str | None, str]]:
    audience = row["audience"]
    if isinstance(audience, str):
        audience = json.loads(audience)
    levels = audience.get("levels") or []
    kinds = audience.get("types") or []
    members = connection.execute(
        sa.text(
            "SELECT member.level, organisation.type FROM member JOIN organisation "
            "ON organisation.id = member.organisation_id "
            "WHERE member.network_id = :network AND member.joined_at IS NOT NULL"
        ),
        {"network": row["network_id"]},
    )
    return [
        (level, kind)
        for level, kind in members
        if (not levels or level in levels) and (not kinds or kind in kinds)
    ]


def _count(connection: sa.Connection, row: Any) -> None:
    """An open round, or one closed with too few answers: its submissions become counts."""
    round_id = row["id"]
    breakdown = plan_breakdown(_invited(connection, row), row["k"])
    answers: dict[str, dict[str, int | None]] = defaultdict(dict)
    keys: dict[str, tuple[str, str]] = {}
    for response, level, kind, item, score in connection.execute(
        sa.text(
            "SELECT response_id, level_group, org_type, item, score FROM answer "
            "WHERE round_id = :id ORDER BY response_id, item"
        ),
        {"id": round_id},
    ):
        answers[response][item] = score
        keys[response] = (level, kind)
    tally = Tally()
    rng = random.SystemRandom()
    for response, scores in answers.items():
        level, kind = keys[response]
        tally.add(breakdown, scores, LEVEL_OF_GROUP[level], kind, None, rng)
    for comment in _comments(connection, round_id):
        tally.comments.insert(rng.randint(0, len(tally.comments)), comment)
    salt = secrets.token_hex(32)
    connection.execute(
        rounds.update()
        .where(rounds.c.id == round_id)
        .values(breakdown=breakdown.to_json(), comment_k=row["k"], voter_salt=salt)
    )
    connection.execute(tallies.insert().values(round_id=round_id, data=tally.to_json()))
    people = connection.execute(
        sa.text("SELECT person_id FROM participation WHERE round_id = :id"), {"id": round_id}
    )
    hashed = [{"round_id": round_id, "voter": voter_hash(salt, person)} for (person,) in people]
    if hashed:
        connection.execute(voters.insert(), hashed)


def downgrade() -> None:
    op.create_table('participation',
    sa.Column('round_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('person_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_participation_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_participation_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'person_id', name=op.f('pk_participation'))
    )
    op.create_table('response',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('level_group', sa.String(length=16), nullable=False),
    sa.Column('org_type', sa.String(length=32), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_response_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response'))
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_round_id'), ['round_id'], unique=False)
    op.create_table('round_comment',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_round_comment_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_comment'))
    )
    with op.batch_alter_table('round_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_comment_round_id'), ['round_id'], unique=False)
    op.create_table('answer',
    sa.Column('response_id', sa.String(length=32), nullable=False),
    sa.Column('item', sa.String(length=48), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('level_group', sa.String(length=16), nullable=False),
    sa.Column('org_type', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_answer_response_id_response'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_answer_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'item', name=op.f('pk_answer'))
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index('ix_answer_round_id_item', ['round_id', 'item'], unique=False)
    op.drop_table('round_voter')
    op.drop_table('round_tally')
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('result')
        batch_op.drop_column('voter_salt')
        batch_op.drop_column('comment_k')
        batch_op.drop_column('breakdown')
    with op.batch_alter_table('network', schema=None) as batch_op:
        batch_op.drop_column('comment_k')
