"""digest day per network

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 21:06:16.431217
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('network', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_day', sa.Integer(), server_default='1', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('network', schema=None) as batch_op:
        batch_op.drop_column('digest_day')

