"""a draft remembers the message that shows it

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 15:00:00

While a partner answers a round, one message in their private chat shows the question they are
at, with its buttons. When the questions are shown anew (resuming from a reminder's link, the
review after a typed comment), the earlier message loses its buttons and presses on it are
turned away: one live keyboard. Drafts in progress have none yet (NULL): their next press or
message records it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('draft') as batch:
        batch.add_column(sa.Column('message_id', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('draft') as batch:
        batch.drop_column('message_id')
