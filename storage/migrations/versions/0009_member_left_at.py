"""members who left the network's group

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 06:50:00

A member who leaves or is removed from the group loses every right in the network at once;
the row stays (with left_at) so coordinators see who left, until the person re-joins.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('left_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('left_at')
