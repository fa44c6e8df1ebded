"""The audit log writer used by every feature's services (who, what, when, from where, object)."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs a service call: a principal (web, API) or a label (``cli:<os user>``, ``system``).

    ``client_address`` is the caller's network address for web and API calls.
    """

    principal: Principal | None = None
    label: str | None = None
    client_address: str | None = None

    def audit(
        self,
        session: Session,
        event: str,
        *,
        object_type: str | None = None,
        object_id: str | int | None = None,
        details: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """``record_audit`` with this actor."""
        return record_audit(
            session,
            event=event,
            actor=self.principal,
            actor_label=self.label,
            object_type=object_type,
            object_id=object_id,
            client_address=self.client_address,
            details=details,
        )


SYSTEM = Actor(label="system")
