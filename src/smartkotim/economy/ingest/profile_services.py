"""Admin-defined report profiles: validating and storing them (the built-in ones ship as TOML files)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from smartkotim.accounts.audit import record_audit
from smartkotim.accounts.roles import Principal
from smartkotim.economy.ingest import queries
from smartkotim.economy.ingest.models import IngestProfile
from smartkotim.economy.ingest.profiles import ProfileError, builtin_profiles, parse_profile
from smartkotim.economy.ingest.services import IngestError


def add_profile(session: Session, *, toml_text: str, principal: Principal | None) -> IngestProfile:
    """Store (or replace) an admin-defined profile after validating it.

    Raises:
        IngestError: invalid TOML/profile, or a name reserved by a built-in profile.
    """
    try:
        profile = parse_profile(toml_text)
    except ProfileError as exc:
        raise IngestError(str(exc)) from exc
    if profile.name in builtin_profiles():
        raise IngestError(f"nama profil {profile.name!r} dipakai profil bawaan")
    row = queries.get_profile_row(session, profile.name) or IngestProfile(name=profile.name)
    row.acquirer_code, row.description, row.toml_text = (
        profile.acquirer_code,
        profile.description[:300],
        toml_text,
    )
    row.created_by_user_id = principal.user_id if principal else None
    session.add(row)
    session.flush()
    record_audit(
        session,
        event="economy.profile.saved",
        actor=principal,
        actor_label="cli",
        object_type="ingest_profile",
        object_id=row.id,
        details={"name": profile.name},
    )
    session.commit()
    return row
