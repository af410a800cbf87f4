"""keeper heartbeats

Revision ID: 0004_heartbeats
Revises: 0003_api
Create Date: 2026-11-24 15:22:42.238824
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004_heartbeats'
down_revision: str | None = '0003_api'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('keeper_heartbeats',
    sa.Column('holder', sa.String(length=128), nullable=False),
    sa.Column('vault', sa.String(length=42), nullable=True),
    sa.Column('is_leader', sa.Boolean(), nullable=False),
    sa.Column('status', sa.JSON(), nullable=False),
    sa.Column('at_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('holder', name=op.f('pk_keeper_heartbeats'))
    )


def downgrade() -> None:
    op.drop_table('keeper_heartbeats')
