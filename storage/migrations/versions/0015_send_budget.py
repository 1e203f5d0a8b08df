"""one sending budget for every bot process on the database

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 15:30:00

Telegram's limit of about 30 messages a second is the bot's, not a process's: two processes on
one PostgreSQL database take their turns to send from one row here, so that together they stay
under it. (On SQLite, one process sends and keeps its turns in memory; the table stays empty.)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'send_budget',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('next_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_send_budget')),
    )


def downgrade() -> None:
    op.drop_table('send_budget')
