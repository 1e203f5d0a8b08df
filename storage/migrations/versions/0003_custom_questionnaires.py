"""custom questionnaires

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 20:21:47.508226
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('custom_questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_custom_questionnaire_network_id_network'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_questionnaire'))
    )
    with op.batch_alter_table('custom_questionnaire', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custom_questionnaire_network_id'), ['network_id'], unique=False)

    op.create_table('custom_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=256), nullable=False),
    sa.Column('low', sa.String(length=128), nullable=False),
    sa.Column('high', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['custom_questionnaire.id'], name=op.f('fk_custom_item_questionnaire_id_custom_questionnaire'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_item')),
    sa.UniqueConstraint('questionnaire_id', 'position', name=op.f('uq_custom_item_questionnaire_id_position'))
    )


def downgrade() -> None:
    op.drop_table('custom_item')
    with op.batch_alter_table('custom_questionnaire', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custom_questionnaire_network_id'))

    op.drop_table('custom_questionnaire')
