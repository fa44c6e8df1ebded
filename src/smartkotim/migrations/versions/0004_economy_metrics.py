"""economy metrics: precomputed metrics store and its recompute runs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import smartkotim.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "economy_metrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column("parent_code", sa.String(length=40), nullable=True),
        sa.Column("period_id", sa.String(length=24), nullable=False),
        sa.Column("period_kind", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("traders_known", sa.Integer(), nullable=False),
        sa.Column("merchants_registered", sa.Integer(), nullable=False),
        sa.Column("merchants_active", sa.Integer(), nullable=False),
        sa.Column("merchants_habitual", sa.Integer(), nullable=True),
        sa.Column("transactions", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("unique_payers", sa.Integer(), nullable=False),
        sa.Column("median_ticket", sa.BigInteger(), nullable=True),
        sa.Column("attempted", sa.BigInteger(), nullable=False),
        sa.Column("adults", sa.Integer(), nullable=True),
        sa.Column("reporting_expected", sa.Integer(), nullable=False),
        sa.Column("reporting_received", sa.Integer(), nullable=False),
        sa.Column("computed_at", smartkotim.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_economy_metrics")),
        sa.UniqueConstraint("level", "area_code", "period_id", name="uq_economy_metrics_area_period"),
    )
    op.create_index(
        "ix_economy_metrics_period_level", "economy_metrics", ["period_id", "level"], unique=False
    )
    op.create_table(
        "economy_metrics_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("trigger", sa.String(length=80), nullable=False),
        sa.Column("periods", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=True),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("seconds_ms", sa.Integer(), nullable=False),
        sa.Column("finished_at", smartkotim.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_economy_metrics_runs")),
    )


def downgrade() -> None:
    op.drop_table("economy_metrics_runs")
    op.drop_index("ix_economy_metrics_period_level", table_name="economy_metrics")
    op.drop_table("economy_metrics")
