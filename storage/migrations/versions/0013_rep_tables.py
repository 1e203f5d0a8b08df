"""representative tables

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 01:28:38

A network's representative tables: seats held by organisations since a date (the history
stays), and the yearly rotation of part of them, proposed to the coordinators.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rep_table',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('meets', sa.String(length=16), nullable=False),
    sa.Column('rotate_share', sa.Integer(), nullable=False),
    sa.Column('next_rotation_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_rep_table_network_id_network'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rep_table'))
    )
    with op.batch_alter_table('rep_table', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rep_table_network_id'), ['network_id'], unique=False)

    op.create_table('table_rotation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('leaving', sa.JSON(), nullable=False),
    sa.Column('joining', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('decided_by', sa.BigInteger(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['person.id'], name=op.f('fk_table_rotation_decided_by_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['table_id'], ['rep_table.id'], name=op.f('fk_table_rotation_table_id_rep_table'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_table_rotation')),
    sa.UniqueConstraint('table_id', 'due_on', name=op.f('uq_table_rotation_table_id_due_on'))
    )
    op.create_table('table_seat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_table_seat_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['table_id'], ['rep_table.id'], name=op.f('fk_table_seat_table_id_rep_table'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_table_seat'))
    )
    with op.batch_alter_table('table_seat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_table_seat_table_id'), ['table_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('table_seat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_table_seat_table_id'))

    op.drop_table('table_seat')
    op.drop_table('table_rotation')
    with op.batch_alter_table('rep_table', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rep_table_network_id'))

    op.drop_table('rep_table')
