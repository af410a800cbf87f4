"""api keys, nonces, risk templates

Revision ID: 0003_api
Revises: 0002_chain
Create Date: 2026-11-24 14:29:54.320155
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003_api'
down_revision: str | None = '0002_chain'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.Column('key_hash', sa.LargeBinary(), nullable=False),
    sa.Column('owner', sa.String(length=128), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=True),
    sa.Column('revoked_at', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('key_id', name=op.f('pk_api_keys'))
    )
    op.create_table('api_nonces',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_api_nonces'))
    )
    with op.batch_alter_table('api_nonces', schema=None) as batch_op:
        batch_op.create_index('ix_api_nonces_expires_at', ['expires_at'], unique=False)

    op.create_table('risk_templates',
    sa.Column('vault', sa.String(length=42), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('template', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.String(length=128), nullable=False),
    sa.Column('updated_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('vault', name=op.f('pk_risk_templates'))
    )


def downgrade() -> None:
    op.drop_table('risk_templates')
    with op.batch_alter_table('api_nonces', schema=None) as batch_op:
        batch_op.drop_index('ix_api_nonces_expires_at')

    op.drop_table('api_nonces')
    op.drop_table('api_keys')
