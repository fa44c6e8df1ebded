"""Login and logout: password check, lock-out after repeated failures, login attempts, audit.

Lock-out has two independent thresholds within ``lockout_minutes``:

* per username: ``max_failures`` failed attempts for one username (counting only failures after that
  username's last success) lock that username — from any address;
* per client address: ``max_failures_per_address`` failed attempts from one address (any usernames)
  lock that address. It is kept far higher, so one user mistyping behind an office NAT or a reverse
  proxy does not lock out everyone else there; it only stops a password-guessing sweep.

A locked attempt is refused even with the right password until the oldest counted failure leaves the
window. Refused attempts are not recorded as failures, so the lock ends on time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from smartkotim.accounts import queries
from smartkotim.accounts.audit import Actor
from smartkotim.accounts.errors import InvalidCredentialsError, LoginLockedError
from smartkotim.accounts.models import LoginAttempt, User
from smartkotim.accounts.passwords import hash_password, needs_rehash, verify_password
from smartkotim.accounts.roles import Principal
from smartkotim.accounts.services import new_session_version, principal_for_user
from smartkotim.db import utcnow

_MAX_USERNAME = 80


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """Failures within ``lockout_minutes`` that lock a username (``max_failures``) or an address.

    ``max_failures_per_address`` counts failures from one client address over all usernames.
    """

    max_failures: int
    lockout_minutes: int
    max_failures_per_address: int = 50


def _locked_until(
    session: Session, *, username: str, client_address: str, policy: LockoutPolicy
) -> datetime | None:
    """When the current lock ends, or ``None`` when neither the username nor the address is locked."""
    now = utcnow()
    window = timedelta(minutes=policy.lockout_minutes)
    since_user = now - window
    last_success = queries.get_last_login_success(session, username=username)
    if last_success is not None and last_success > since_user:
        since_user = last_success
    ends: list[datetime] = []
    for (count, oldest), limit in (
        (queries.count_login_failures(session, since=since_user, username=username), policy.max_failures),
        (
            queries.count_login_failures(session, since=now - window, client_address=client_address),
            policy.max_failures_per_address,
        ),
    ):
        if count >= limit and oldest is not None:
            ends.append(oldest + window)
    return max(ends) if ends else None


def _refuse_locked(session: Session, *, username: str, until: datetime, by: Actor) -> LoginLockedError:
    by.audit(session, "accounts.user.locked_out", object_type="user", object_id=username)
    session.commit()
    minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
    return LoginLockedError(
        f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit.", until=until
    )


def _record_failure(
    session: Session, *, username: str, client_address: str, reason: str, policy: LockoutPolicy, by: Actor
) -> None:
    """Store a failed attempt and audit it; audit the lock too when this failure starts one."""
    session.add(LoginAttempt(username=username, client_address=client_address, succeeded=False))
    details = {"reason": reason}
    by.audit(session, "accounts.user.login_failed", object_type="user", object_id=username, details=details)
    session.commit()
    if _locked_until(session, username=username, client_address=client_address, policy=policy):
        by.audit(session, "accounts.user.locked_out", object_type="user", object_id=username)
        session.commit()


def authenticate(
    session: Session, *, username: str, password: str, client_address: str, policy: LockoutPolicy, by: Actor
) -> User:
    """Check ``username``/``password``; record the attempt; return the user on success.

    Audit ``accounts.user.login`` / ``accounts.user.login_failed`` / ``accounts.user.locked_out``.
    The password is never stored or logged; an outdated hash is upgraded on success.

    Raises:
        LoginLockedError: the username or the client address is locked out (checked first).
        InvalidCredentialsError: unknown user, wrong password or disabled account (one message).
    """
    name = username.strip().lower()[:_MAX_USERNAME]
    until = _locked_until(session, username=name, client_address=client_address, policy=policy)
    if until is not None:
        raise _refuse_locked(session, username=name, until=until, by=by)
    user = queries.get_user_by_username(session, name) if name else None
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        reason = "disabled" if (user is not None and ok) else "credentials"
        _record_failure(
            session, username=name, client_address=client_address, reason=reason, policy=policy, by=by
        )
        raise InvalidCredentialsError("Nama pengguna atau kata sandi salah.")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.add(LoginAttempt(username=name, client_address=client_address, succeeded=True))
    Actor(principal=principal_for_user(session, user_id=user.id), client_address=client_address).audit(
        session, "accounts.user.login", object_type="user", object_id=user.username
    )
    session.commit()
    return user


def logout(session: Session, *, principal: Principal, by: Actor) -> None:
    """End every session of ``principal``'s user (new ``session_version``); audit ``accounts.user.logout``.

    Cookie sessions live in the signed cookie itself, so rotating the version is what makes a copy of
    the old cookie useless.
    """
    user = session.get(User, principal.user_id)
    if user is not None:
        user.session_version = new_session_version()
    by.audit(session, "accounts.user.logout", object_type="user", object_id=principal.username)
    session.commit()
