"""organisation profiles, their limits and signal contacts

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 00:46:09

Partners must know each other's interests and impossibilities, and whom to call with a signal.
Each organisation gets a profile in its representatives' words, a list of what it cannot do and
why, and the representatives who agreed to be its contact for signals (the row is the consent).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('organisation_limit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['person.id'], name=op.f('fk_organisation_limit_created_by_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_organisation_limit_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_limit'))
    )
    with op.batch_alter_table('organisation_limit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_limit_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('organisation_profile',
    sa.Column('organisation_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('interests', sa.Text(), nullable=True),
    sa.Column('offers', sa.Text(), nullable=True),
    sa.Column('signals', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.BigInteger(), nullable=True),
    sa.Column('checked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_organisation_profile_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['person.id'], name=op.f('fk_organisation_profile_updated_by_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_organisation_profile'))
    )
    op.create_table('signal_contact',
    sa.Column('organisation_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('person_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=128), nullable=True),
    sa.Column('reachable', sa.String(length=200), nullable=False),
    sa.Column('agreed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_signal_contact_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_signal_contact_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', 'person_id', name=op.f('pk_signal_contact'))
    )


def downgrade() -> None:
    op.drop_table('signal_contact')
    op.drop_table('organisation_profile')
    with op.batch_alter_table('organisation_limit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_limit_organisation_id'))

    op.drop_table('organisation_limit')
