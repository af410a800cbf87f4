"""initial schema

Revision ID: 0001_initial
Revises: 
Create Date: 2026-11-24 11:34:42.863136
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001_initial'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Generated with alembic autogenerate from keeper.store.models, then reviewed (UInt256 -> String(78)).
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at_ms', sa.BigInteger(), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_table('epochs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('vault', sa.String(length=42), nullable=False),
    sa.Column('epoch', sa.BigInteger(), nullable=False),
    sa.Column('start_ms', sa.BigInteger(), nullable=False),
    sa.Column('end_ms', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('nav', sa.String(length=78), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_epochs')),
    sa.UniqueConstraint('vault', 'epoch', name='uq_epochs_vault_epoch')
    )
    op.create_table('fills',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('venue', sa.String(length=32), nullable=False),
    sa.Column('account', sa.String(length=42), nullable=False),
    sa.Column('tid', sa.BigInteger(), nullable=False),
    sa.Column('oid', sa.BigInteger(), nullable=False),
    sa.Column('coin', sa.String(length=32), nullable=False),
    sa.Column('is_buy', sa.Boolean(), nullable=False),
    sa.Column('px', sa.BigInteger(), nullable=False),
    sa.Column('sz', sa.BigInteger(), nullable=False),
    sa.Column('fee', sa.BigInteger(), nullable=False),
    sa.Column('closed_pnl', sa.BigInteger(), nullable=False),
    sa.Column('start_position', sa.BigInteger(), nullable=False),
    sa.Column('direction', sa.String(length=32), nullable=False),
    sa.Column('crossed', sa.Boolean(), nullable=False),
    sa.Column('time_ms', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=66), nullable=False),
    sa.Column('cloid', sa.String(length=34), nullable=True),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('ingested_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fills')),
    sa.UniqueConstraint('venue', 'tid', name='uq_fills_venue_tid')
    )
    with op.batch_alter_table('fills', schema=None) as batch_op:
        batch_op.create_index('ix_fills_account_time', ['venue', 'account', 'time_ms'], unique=False)
        batch_op.create_index('ix_fills_oid', ['venue', 'oid'], unique=False)

    op.create_table('ingest_checkpoints',
    sa.Column('venue', sa.String(length=32), nullable=False),
    sa.Column('account', sa.String(length=42), nullable=False),
    sa.Column('confirmed_ms', sa.BigInteger(), nullable=False),
    sa.Column('last_ack_ms', sa.BigInteger(), nullable=True),
    sa.Column('last_ws_fill_ms', sa.BigInteger(), nullable=True),
    sa.Column('last_rest_ms', sa.BigInteger(), nullable=True),
    sa.Column('last_position_check_ms', sa.BigInteger(), nullable=True),
    sa.Column('positions_in_sync', sa.Boolean(), nullable=True),
    sa.Column('ws_fills', sa.BigInteger(), nullable=False),
    sa.Column('reconciled_fills', sa.BigInteger(), nullable=False),
    sa.Column('ws_dropped_suspected', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('venue', 'account', name=op.f('pk_ingest_checkpoints'))
    )
    op.create_table('keeper_leases',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=128), nullable=False),
    sa.Column('term', sa.BigInteger(), nullable=False),
    sa.Column('acquired_ms', sa.BigInteger(), nullable=False),
    sa.Column('renewed_ms', sa.BigInteger(), nullable=False),
    sa.Column('expires_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_keeper_leases'))
    )
    op.create_table('marks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('venue', sa.String(length=32), nullable=False),
    sa.Column('coin', sa.String(length=32), nullable=False),
    sa.Column('time_ms', sa.BigInteger(), nullable=False),
    sa.Column('px', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_marks')),
    sa.UniqueConstraint('venue', 'coin', 'time_ms', name='uq_marks_venue_coin_time')
    )
    op.create_table('order_acks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('venue', sa.String(length=32), nullable=False),
    sa.Column('account', sa.String(length=42), nullable=False),
    sa.Column('oid', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('expected_sz', sa.BigInteger(), nullable=False),
    sa.Column('ack_ms', sa.BigInteger(), nullable=False),
    sa.Column('settled', sa.Boolean(), nullable=False),
    sa.Column('settled_ms', sa.BigInteger(), nullable=True),
    sa.Column('fallback_attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_acks')),
    sa.UniqueConstraint('venue', 'oid', name='uq_order_acks_venue_oid')
    )
    with op.batch_alter_table('order_acks', schema=None) as batch_op:
        batch_op.create_index('ix_order_acks_open', ['venue', 'account', 'settled'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('vault', sa.String(length=42), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('nonce', sa.BigInteger(), nullable=True),
    sa.Column('tx_hash', sa.String(length=66), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_ms', sa.BigInteger(), nullable=False),
    sa.Column('updated_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('dedupe_key', name='uq_outbox_dedupe_key')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_status', ['status', 'id'], unique=False)

    op.create_table('positions',
    sa.Column('venue', sa.String(length=32), nullable=False),
    sa.Column('account', sa.String(length=42), nullable=False),
    sa.Column('coin', sa.String(length=32), nullable=False),
    sa.Column('szi', sa.BigInteger(), nullable=False),
    sa.Column('realized_pnl', sa.BigInteger(), nullable=False),
    sa.Column('fees', sa.BigInteger(), nullable=False),
    sa.Column('fill_count', sa.Integer(), nullable=False),
    sa.Column('last_fill_ms', sa.BigInteger(), nullable=False),
    sa.Column('venue_szi', sa.BigInteger(), nullable=True),
    sa.Column('reconciled_ms', sa.BigInteger(), nullable=True),
    sa.Column('in_sync', sa.Boolean(), nullable=True),
    sa.PrimaryKeyConstraint('venue', 'account', 'coin', name=op.f('pk_positions'))
    )
    op.create_table('reports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('vault', sa.String(length=42), nullable=False),
    sa.Column('epoch', sa.BigInteger(), nullable=False),
    sa.Column('nav', sa.String(length=78), nullable=False),
    sa.Column('positions_root', sa.String(length=66), nullable=False),
    sa.Column('holders_root', sa.String(length=66), nullable=True),
    sa.Column('report_hash', sa.String(length=66), nullable=False),
    sa.Column('signature', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('vault', 'epoch', name='uq_reports_vault_epoch')
    )
    op.create_table('statements',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('vault', sa.String(length=42), nullable=False),
    sa.Column('epoch', sa.BigInteger(), nullable=False),
    sa.Column('holder', sa.String(length=42), nullable=False),
    sa.Column('shares', sa.String(length=78), nullable=False),
    sa.Column('leaf', sa.String(length=66), nullable=False),
    sa.Column('salt', sa.String(length=66), nullable=False),
    sa.Column('proof', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statements')),
    sa.UniqueConstraint('vault', 'epoch', 'holder', name='uq_statements_vault_epoch_holder')
    )
    op.create_table('venue_orders',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('venue', sa.String(length=32), nullable=False),
    sa.Column('account', sa.String(length=42), nullable=False),
    sa.Column('oid', sa.BigInteger(), nullable=False),
    sa.Column('cloid', sa.String(length=34), nullable=True),
    sa.Column('coin', sa.String(length=32), nullable=False),
    sa.Column('is_buy', sa.Boolean(), nullable=False),
    sa.Column('sz', sa.BigInteger(), nullable=False),
    sa.Column('limit_px', sa.BigInteger(), nullable=True),
    sa.Column('order_type', sa.String(length=16), nullable=False),
    sa.Column('reduce_only', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('filled_sz', sa.BigInteger(), nullable=False),
    sa.Column('created_ms', sa.BigInteger(), nullable=False),
    sa.Column('updated_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_venue_orders')),
    sa.UniqueConstraint('venue', 'oid', name='uq_venue_orders_venue_oid')
    )
    op.create_table('trade_commitments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('vault', sa.String(length=42), nullable=False),
    sa.Column('epoch', sa.BigInteger(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('fill_id', sa.Integer(), nullable=False),
    sa.Column('commitment', sa.String(length=66), nullable=False),
    sa.Column('ciphertext', sa.LargeBinary(), nullable=False),
    sa.Column('enc_meta', sa.JSON(), nullable=False),
    sa.Column('created_ms', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['fill_id'], ['fills.id'], name=op.f('fk_trade_commitments_fill_id_fills')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trade_commitments')),
    sa.UniqueConstraint('vault', 'fill_id', name='uq_trade_commitments_vault_fill_id'),
    sa.UniqueConstraint('vault', 'seq', name='uq_trade_commitments_vault_seq')
    )


def downgrade() -> None:
    # Reverse of upgrade().
    op.drop_table('trade_commitments')
    op.drop_table('venue_orders')
    op.drop_table('statements')
    op.drop_table('reports')
    op.drop_table('positions')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status')

    op.drop_table('outbox')
    with op.batch_alter_table('order_acks', schema=None) as batch_op:
        batch_op.drop_index('ix_order_acks_open')

    op.drop_table('order_acks')
    op.drop_table('marks')
    op.drop_table('keeper_leases')
    op.drop_table('ingest_checkpoints')
    with op.batch_alter_table('fills', schema=None) as batch_op:
        batch_op.drop_index('ix_fills_oid')
        batch_op.drop_index('ix_fills_account_time')

    op.drop_table('fills')
    op.drop_table('epochs')
    op.drop_table('audit_log')
