"""score rounds: rounds, drafts, participation and anonymous responses

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 20:00:52.615878
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire', sa.String(length=48), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('invited', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_round_network_id_network'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round')),
    sa.UniqueConstraint('token', name=op.f('uq_round_token'))
    )
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.create_index('ix_round_network_id_state', ['network_id', 'state'], unique=False)

    op.create_table('draft',
    sa.Column('round_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('person_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_draft_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_draft_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'person_id', name=op.f('pk_draft'))
    )
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
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_answer_response_id_response'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_answer_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'item', name=op.f('pk_answer'))
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index('ix_answer_round_id_item', ['round_id', 'item'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_round_id_item')

    op.drop_table('answer')
    with op.batch_alter_table('round_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_comment_round_id'))

    op.drop_table('round_comment')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_round_id'))

    op.drop_table('response')
    op.drop_table('participation')
    op.drop_table('draft')
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_index('ix_round_network_id_state')

    op.drop_table('round')
