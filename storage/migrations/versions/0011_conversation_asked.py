"""a dialogue remembers whether its current question reached the person

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 14:00:00

The engine saves the next step before it asks the step's question (say after you saved). When
that question never arrives (Telegram failed the call, or the process stopped in between), the
person's next text is not an answer to it: the engine asks the question again instead of taking
the text. Existing conversations were asked under the old code: true.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('conversation') as batch:
        batch.add_column(sa.Column('asked', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('conversation') as batch:
        batch.drop_column('asked')
