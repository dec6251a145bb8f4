"""turn results: an action's answer in a turn that wrote, for a turn Rasa runs again

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 10:05:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tremplin.models.base

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('turn_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('sender', sa.String(length=64), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('created_at', tremplin.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_turn_results')),
    sa.UniqueConstraint('key', name=op.f('uq_turn_results_key'))
    )
    with op.batch_alter_table('turn_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_turn_results_sender'), ['sender'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('turn_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_turn_results_sender'))
    op.drop_table('turn_results')
