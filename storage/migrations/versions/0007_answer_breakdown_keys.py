"""answer rows carry their response's level group and organisation type

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 22:25:00

Results become one GROUP BY over a round's answers, without joining responses.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level_group', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('org_type', sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE answer SET"
        " level_group = (SELECT level_group FROM response WHERE response.id = answer.response_id),"
        " org_type = (SELECT org_type FROM response WHERE response.id = answer.response_id)"
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.alter_column('level_group', existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column('org_type', existing_type=sa.String(length=32), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_column('org_type')
        batch_op.drop_column('level_group')
