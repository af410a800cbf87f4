"""api key vault bindings

Revision ID: 0005_key_vaults
Revises: 0004_heartbeats
Create Date: 2026-11-24 15:23:35.413004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_key_vaults'
down_revision: str | None = '0004_heartbeats'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('api_key_vaults',
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.Column('vault', sa.String(length=42), nullable=False),
    sa.PrimaryKeyConstraint('key_id', 'vault', name=op.f('pk_api_key_vaults'))
    )


def downgrade() -> None:
    op.drop_table('api_key_vaults')
