"""at most one open round per questionnaire and network

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 07:00:00

Two bot processes handling a double tap on "Start round" could each see no open round and
each open one; the partial unique index makes the second insert fail instead.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'uq_round_one_open',
        'round',
        ['network_id', 'questionnaire'],
        unique=True,
        sqlite_where=sa.text("state = 'open'"),
        postgresql_where=sa.text("state = 'open'"),
    )


def downgrade() -> None:
    op.drop_index('uq_round_one_open', table_name='round')
