"""economy ingest: batches, row errors, report profiles, transaction rollups

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 11:56:57.652791
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import smartkotim.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "txn_rollups",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("acquirer_code", sa.String(length=40), nullable=False),
        sa.Column("nmid", sa.String(length=15), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("txn_count", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("payers", sa.BigInteger(), nullable=False),
        sa.Column("failed_count", sa.BigInteger(), nullable=False),
        sa.Column("reversed_count", sa.BigInteger(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("day", "acquirer_code", "nmid", "channel", name=op.f("pk_txn_rollups")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "ingest_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("acquirer_code", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("profile_name", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("file_format", sa.String(length=10), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=120), nullable=False),
        sa.Column("reprocess_of_id", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("rows_read", sa.BigInteger(), nullable=False),
        sa.Column("rows_accepted", sa.BigInteger(), nullable=False),
        sa.Column("rows_duplicate", sa.BigInteger(), nullable=False),
        sa.Column("rows_rejected", sa.BigInteger(), nullable=False),
        sa.Column("rows_quarantined", sa.BigInteger(), nullable=False),
        sa.Column("value_accepted", sa.BigInteger(), nullable=False),
        sa.Column("error_count", sa.BigInteger(), nullable=False),
        sa.Column("errors_truncated", sa.Boolean(), nullable=False),
        sa.Column("months", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("ledger_version", sa.Integer(), nullable=True),
        sa.Column("created_at", smartkotim.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", smartkotim.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("committed_at", smartkotim.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", smartkotim.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_ingest_batches_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["reprocess_of_id"],
            ["ingest_batches.id"],
            name=op.f("fk_ingest_batches_reprocess_of_id_ingest_batches"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_ingest_batches_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_batches")),
    )
    with op.batch_alter_table("ingest_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ingest_batches_acquirer_code"), ["acquirer_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_ingest_batches_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_ingest_batches_file_sha256"), ["file_sha256"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ingest_batches_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ingest_batches_status"), ["status"], unique=False)

    op.create_table(
        "ingest_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("acquirer_code", sa.String(length=40), nullable=True),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("toml_text", sa.Text(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", smartkotim.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", smartkotim.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_ingest_profiles_created_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_profiles")),
        sa.UniqueConstraint("name", name=op.f("uq_ingest_profiles_name")),
    )
    with op.batch_alter_table("ingest_profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ingest_profiles_acquirer_code"), ["acquirer_code"], unique=False)

    op.create_table(
        "ingest_row_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("row_no", sa.BigInteger(), nullable=False),
        sa.Column("column", sa.String(length=120), nullable=False),
        sa.Column("raw_value", sa.Text(), nullable=True),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["ingest_batches.id"],
            name=op.f("fk_ingest_row_errors_batch_id_ingest_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_row_errors")),
    )
    with op.batch_alter_table("ingest_row_errors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ingest_row_errors_batch_id"), ["batch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ingest_row_errors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_row_errors_batch_id"))
    op.drop_table("ingest_row_errors")
    with op.batch_alter_table("ingest_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_profiles_acquirer_code"))
    op.drop_table("ingest_profiles")
    with op.batch_alter_table("ingest_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_batches_status"))
        batch_op.drop_index(batch_op.f("ix_ingest_batches_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_ingest_batches_file_sha256"))
        batch_op.drop_index(batch_op.f("ix_ingest_batches_created_at"))
        batch_op.drop_index(batch_op.f("ix_ingest_batches_acquirer_code"))
    op.drop_table("ingest_batches")
    op.drop_table("txn_rollups")
