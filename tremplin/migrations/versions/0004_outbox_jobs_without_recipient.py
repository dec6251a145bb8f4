"""outbox jobs without a recipient (erasing a deleted user's conversation)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 23:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An « erase_conversation » job outlives the account it erases: it has no one to notify.
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('recipient_account_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE recipient_account_id IS NULL")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('recipient_account_id', existing_type=sa.Integer(), nullable=False)
