"""Intake of uploads from the web and the API: spool, start, queue; re-process (also the CLI); profile
dry run.

The spool file of an upload lives under ``DATA_DIR/tmp/spool`` and is deleted when its batch ends.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from smartkotim.accounts.audit import record_audit
from smartkotim.accounts.roles import Principal
from smartkotim.config import Settings
from smartkotim.economy.ingest import queries
from smartkotim.economy.ingest.models import BatchSource, BatchStatus, IngestBatch
from smartkotim.economy.ingest.parsing import FileFormatError
from smartkotim.economy.ingest.profiles import ProfileError, builtin_profiles, parse_profile
from smartkotim.economy.ingest.services import (
    BatchNotFoundError,
    IngestError,
    UploadSpec,
    check_profile_bank,
    payer_key,
    resolve_profile,
    start_batch,
)
from smartkotim.economy.ingest.tasks import enqueue_batch
from smartkotim.economy.registry.queries import list_known_nmids


def spool_path(settings: Settings) -> Path:
    """A fresh spool file path under ``DATA_DIR/tmp/spool`` for an upload being received."""
    folder = settings.data_dir / "tmp" / "spool"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{uuid.uuid4().hex}.upload"


def copy_to_spool(settings: Settings, source: Any) -> tuple[Path, str, int]:
    """Stream a file-like object into a new spool file; return ``(path, sha256, size)``."""
    path = spool_path(settings)
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return path, digest.hexdigest(), size


def remove_file(path: Path) -> None:
    """Delete a spool file (or folder) if it exists."""
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def submit_upload(
    session: Session,
    settings: Settings,
    *,
    stream: Any,
    file_name: str,
    bank_code: str,
    profile_name: str,
    principal: Principal | None,
    source: BatchSource,
) -> IngestBatch:
    """Spool an uploaded stream (hashing it on the way), start its batch and queue the ingest job.

    The spool file lives under ``DATA_DIR/tmp/spool`` and is deleted when the batch ends (or at once
    when the upload is refused). Raises ``DuplicateFileError`` / ``IngestError`` as ``start_batch``.
    """
    path, sha, size = copy_to_spool(settings, stream)
    spec = UploadSpec(
        path=path,
        file_name=file_name,
        sha256=sha,
        size=size,
        bank_code=bank_code,
        profile_name=profile_name,
        source=source,
        principal=principal,
        delete_after=True,
    )
    try:
        batch = start_batch(session, settings, spec)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    enqueue_batch(session, batch, path=path, delete_after=True, principal=principal)
    return batch


def request_reprocess(
    session: Session,
    settings: Settings,
    *,
    batch_id: int,
    profile_name: str | None,
    principal: Principal | None,
) -> IngestBatch:
    """Create a re-processing batch of ``batch_id`` and queue it (see ``reprocess_batch``)."""
    batch = reprocess_batch(
        session, settings, batch_id=batch_id, profile_name=profile_name, principal=principal
    )
    enqueue_batch(session, batch, path=None, delete_after=False, principal=principal)
    return batch


def preview_upload(
    session: Session,
    settings: Settings,
    *,
    stream: Any,
    profile_name: str | None,
    toml_text: str | None,
    bank_code: str,
) -> dict[str, Any]:
    """Dry-run a profile (stored by name, or given as TOML) on the first rows of an uploaded sample.

    Raises:
        IngestError: invalid profile or unreadable sample (nothing is stored; the spool is deleted).
    """
    from smartkotim.economy.ingest.preview import preview_rows

    try:
        profile = (
            parse_profile(toml_text) if toml_text else resolve_profile(session, profile_name or "default")
        )
    except ProfileError as exc:
        raise IngestError(str(exc)) from exc
    check_profile_bank(profile, bank_code)
    path, _sha, _size = copy_to_spool(settings, stream)
    try:
        return preview_rows(
            settings,
            path=path,
            profile=profile,
            bank_code=bank_code,
            known_nmids=list_known_nmids(session),
            payer_key=payer_key(settings),
        )
    except FileFormatError as exc:
        raise IngestError(str(exc)) from exc
    finally:
        path.unlink(missing_ok=True)


def list_profile_entries(session: Session, principal: Principal | None = None) -> list[dict[str, Any]]:
    """Built-in and stored profiles as ``{name, description, acquirer_code, builtin, toml_text}``; a bank
    partner (``principal`` scoped to one bank) gets only the general ones and its own bank's."""
    entries = [
        {
            "name": name,
            "description": profile.description,
            "acquirer_code": profile.acquirer_code,
            "builtin": True,
            "toml_text": text,
        }
        for name, (profile, text) in sorted(builtin_profiles().items())
    ]
    entries += [
        {
            "name": row.name,
            "description": row.description,
            "acquirer_code": row.acquirer_code,
            "builtin": False,
            "toml_text": row.toml_text,
        }
        for row in queries.list_profiles(session)
    ]
    if principal is not None and queries.is_scoped(principal):
        own = principal.organisation_code.upper()
        entries = [e for e in entries if not e["acquirer_code"] or str(e["acquirer_code"]).upper() == own]
    return entries


def reprocess_batch(
    session: Session,
    settings: Settings,
    *,
    batch_id: int,
    profile_name: str | None,
    principal: Principal | None,
) -> IngestBatch:
    """Create a batch that re-reads the kept upload of ``batch_id`` (e.g. after a profile fix).

    Only the rows that broke a rule (rejected or quarantined) are re-read — the others are in the
    ledger or were duplicates — so only rows the fix made valid are added; errors keep the row numbers
    of the original file.

    A batch that failed before its kept upload was written (unreadable file, missing column …) has
    nothing to re-read: its file is not kept, and the same file may simply be uploaded again.

    Raises:
        BatchNotFoundError: no such batch, or not the principal's.
        IngestError: its kept upload is not available (naming why and what to do), or it has no
            rejected or quarantined rows.
    """
    from smartkotim.economy.ingest.pipeline import kept_path

    original = queries.get_batch(session, batch_id, principal)
    if original is None:
        raise BatchNotFoundError(f"batch {batch_id} tidak ditemukan")
    if not kept_path(settings, original.file_sha256).exists():
        if original.status == BatchStatus.FAILED:
            raise IngestError(
                f"batch {batch_id} gagal sebelum salinan unggahannya disimpan, jadi tidak dapat diproses "
                "ulang; unggah ulang berkasnya (berkas yang sama boleh diunggah lagi)"
            )
        raise IngestError(f"salinan unggahan batch {batch_id} tidak tersedia untuk diproses ulang")
    if original.status == BatchStatus.APPLIED and not (original.rows_rejected or original.rows_quarantined):
        raise IngestError(
            f"batch {batch_id} tidak memiliki baris yang ditolak atau dikarantina; tidak ada yang perlu "
            "diproses ulang"
        )
    name = profile_name or original.profile_name
    check_profile_bank(resolve_profile(session, name), original.acquirer_code)
    # the file's facts as the original pass read them: the separators sniffed from the whole file's first
    # amounts, not from the failing rows alone (which could read "12.500" the other way)
    kept_facts = ("format", "row_offset", "decimal", "thousands")
    keep = {k: v for k, v in (original.details or {}).items() if k in kept_facts}
    batch = IngestBatch(
        organisation_id=original.organisation_id,
        acquirer_code=original.acquirer_code,
        source=BatchSource.REPROCESS,
        profile_name=name,
        file_name=original.file_name,
        file_sha256=original.file_sha256,
        file_size=original.file_size,
        reprocess_of_id=original.id,
        user_id=principal.user_id if principal else None,
        actor_label=principal.username if principal else "cli",
        status=BatchStatus.QUEUED,
        progress=0.0,
        message="",
        months=[],
        details=keep,
    )
    session.add(batch)
    session.flush()
    record_audit(
        session,
        event="economy.batch.reprocess_requested",
        actor=principal,
        actor_label="cli",
        object_type="ingest_batch",
        object_id=batch.id,
        details={"of": original.id, "profile": name},
    )
    session.commit()
    return batch
