"""Read-only queries of the accounts feature: organisations, users, tokens, login attempts, audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from smartkotim.accounts.models import ApiToken, AuditEntry, LoginAttempt, Organisation, User
from smartkotim.accounts.roles import Role
from smartkotim.regions import queries as region_queries
from smartkotim.regions.models import RegionLevel


def list_organisations(session: Session, *, kind: str | None = None) -> list[Organisation]:
    """Organisations ordered by kind then code; ``kind`` (``opd``/``bank``) filters."""
    query = select(Organisation).order_by(Organisation.kind.desc(), Organisation.code)
    if kind:
        query = query.where(Organisation.kind == kind)
    return list(session.scalars(query))


def get_organisation_by_code(session: Session, code: str) -> Organisation | None:
    """The organisation with ``code`` (case-insensitive), or ``None``."""
    return session.scalars(select(Organisation).where(func.upper(Organisation.code) == code.upper())).first()


def list_users(session: Session, *, role: str | None = None) -> list[tuple[User, Organisation]]:
    """Users with their organisation, ordered by username; ``role`` filters."""
    query = select(User, Organisation).join(Organisation).order_by(User.username)
    if role:
        query = query.where(User.role == role)
    return [(u, o) for u, o in session.execute(query)]


def get_user_by_username(session: Session, username: str) -> User | None:
    """The user with ``username`` (stored lower-case), or ``None``."""
    return session.scalars(select(User).where(User.username == username.strip().lower())).first()


def count_active_admins(session: Session) -> int:
    """How many active users have the ``admin`` role."""
    query = select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.is_active.is_(True))
    return int(session.scalar(query) or 0)


def list_tokens(session: Session, *, user_id: int | None = None) -> list[tuple[ApiToken, User]]:
    """API tokens (never their secret) with their user, newest first; ``user_id`` filters."""
    query = select(ApiToken, User).join(User, ApiToken.user_id == User.id).order_by(ApiToken.id.desc())
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return [(t, u) for t, u in session.execute(query)]


def get_region_level(session: Session, code: str) -> str | None:
    """The level (``kabupaten``/``kecamatan``/``desa``) of region ``code`` in the register, or ``None``."""
    region = region_queries.get_region(session, code)
    return None if region is None else region.level


def list_kecamatan(session: Session, *, regency_code: str) -> list[tuple[str, str]]:
    """``(code, name)`` of the kecamatan of ``regency_code`` in the register, by code."""
    rows = region_queries.list_regions(session, regency_code=regency_code, level=RegionLevel.KECAMATAN)
    return [(r.code, r.name) for r in rows]


def count_login_failures(
    session: Session, *, since: datetime, username: str | None = None, client_address: str | None = None
) -> tuple[int, datetime | None]:
    """Failed attempts since ``since`` for ``username`` or ``client_address``: ``(count, oldest at)``."""
    where: list[ColumnElement[bool]] = [LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since]
    if username is not None:
        where.append(LoginAttempt.username == username)
    if client_address is not None:
        where.append(LoginAttempt.client_address == client_address)
    row = session.execute(select(func.count(), func.min(LoginAttempt.at)).where(and_(*where))).one()
    oldest = row[1]  # min() keeps the column type, so this is a UTC-aware datetime
    return int(row[0]), oldest


def get_last_login_success(session: Session, *, username: str) -> datetime | None:
    """The time of ``username``'s last successful login attempt, or ``None``."""
    query = (
        select(LoginAttempt.at)
        .where(LoginAttempt.username == username, LoginAttempt.succeeded.is_(True))
        .order_by(LoginAttempt.at.desc())
        .limit(1)
    )
    return session.scalar(query)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Filters of the audit log page; ``None`` means "any".

    ``event_prefix`` matches dotted keys from the start (``accounts.user``); ``actor`` is a username
    or actor label (exact); ``object_type``/``object_id`` match exactly; ``start``/``end`` bound
    ``at`` (UTC, ``end`` exclusive).
    """

    event_prefix: str | None = None
    actor: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The SQL conditions of the filter."""
        where: list[ColumnElement[bool]] = []
        if self.event_prefix:
            escaped = self.event_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append(AuditEntry.event.like(f"{escaped}%", escape="\\"))
        if self.actor:
            where.append(AuditEntry.actor_label == self.actor)
        if self.object_type:
            where.append(AuditEntry.object_type == self.object_type)
        if self.object_id:
            where.append(AuditEntry.object_id == self.object_id)
        if self.start:
            where.append(AuditEntry.at >= self.start)
        if self.end:
            where.append(AuditEntry.at < self.end)
        return where


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of audit entries, newest first, with the total matching the filter."""

    entries: list[AuditEntry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def list_audit_entries(session: Session, *, audit_filter: AuditFilter, page: int, per_page: int) -> AuditPage:
    """Page ``page`` (1-based) of the entries matching ``audit_filter``, newest first."""
    where = audit_filter.conditions()
    total = int(session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0)
    query = (
        select(AuditEntry)
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return AuditPage(list(session.scalars(query)), total, page, per_page)


def get_user_with_organisation(session: Session, user_id: int) -> tuple[User, Organisation] | None:
    """User ``user_id`` and its organisation, or ``None``."""
    row = session.execute(select(User, Organisation).join(Organisation).where(User.id == user_id)).first()
    return None if row is None else (row[0], row[1])
