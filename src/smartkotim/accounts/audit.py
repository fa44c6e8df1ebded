"""The audit log writer used by every feature's services (who, what, when, from where, object)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from smartkotim.accounts.models import AuditEntry
from smartkotim.accounts.roles import Principal


def record_audit(
    session: Session,
    *,
    event: str,
    actor: Principal | None,
    actor_label: str | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    client_address: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to ``session`` (the calling service commits it with its own change).

    ``event`` is a dotted key (``economy.batch.ingested``); ``actor_label`` names a non-user actor
    such as ``cli`` or ``system`` when ``actor`` is ``None``. ``details`` must hold no personal data.
    """
    entry = AuditEntry(
        event=event,
        actor_user_id=actor.user_id if actor else None,
        actor_label=actor.username if actor else (actor_label or "system"),
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        client_address=client_address,
        details=details or {},
    )
    session.add(entry)
    return entry
