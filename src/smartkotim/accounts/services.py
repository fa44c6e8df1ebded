"""Account services: resolving sessions and API tokens to principals, and managing users.

Login and lock-out are in ``login.py``, API tokens in ``tokens.py``, organisations in
``organisations.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartkotim.accounts import queries
from smartkotim.accounts.audit import Actor
from smartkotim.accounts.errors import (
    DuplicateError,
    InvalidCredentialsError,
    InvalidInputError,
    NotFoundError,
)
from smartkotim.accounts.models import ApiToken, Organisation, OrganisationKind, User
from smartkotim.accounts.passwords import (
    check_password_policy,
    generate_password,
    hash_password,
    verify_password,
)
from smartkotim.accounts.roles import Principal, Role, TokenScope
from smartkotim.db import utcnow

TOKEN_PREFIX = "skt_"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")


def _principal(user: User, org: Organisation, token: ApiToken | None = None) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        organisation_id=org.id,
        organisation_code=org.code,
        region_code=user.region_code,
        token_id=token.id if token else None,
        token_scopes=frozenset(TokenScope(s) for s in token.scopes) if token else None,
    )


def principal_for_session(session: Session, *, user_id: int, session_version: str) -> Principal | None:
    """The principal of a logged-in session, or ``None`` if the user is gone, disabled or logged out."""
    row = session.execute(
        select(User, Organisation).join(Organisation).where(User.id == user_id, User.is_active.is_(True))
    ).first()
    if row is None or not hmac.compare_digest(row[0].session_version, session_version):
        return None
    return _principal(row[0], row[1])


def principal_for_user(session: Session, *, user_id: int) -> Principal:
    """The (session) principal of user ``user_id``.

    Raises:
        NotFoundError: no such user.
    """
    row = session.execute(select(User, Organisation).join(Organisation).where(User.id == user_id)).first()
    if row is None:
        raise NotFoundError(f"Pengguna {user_id} tidak ditemukan.")
    return _principal(row[0], row[1])


def hash_token(raw_token: str) -> str:
    """SHA-256 hex of an API token (tokens are 256-bit random, so a fast hash is enough)."""
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def principal_for_token(session: Session, *, raw_token: str) -> Principal | None:
    """The principal of a bearer token, or ``None`` if unknown, revoked, expired or its user disabled.

    Token format: ``skt_<prefix>_<secret>``; looked up by prefix, compared by hash in constant time.
    """
    parts = raw_token.split("_")
    if len(parts) != 3 or f"{parts[0]}_" != TOKEN_PREFIX:
        return None
    row = session.execute(
        select(ApiToken, User, Organisation)
        .join(User, ApiToken.user_id == User.id)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(ApiToken.token_prefix == parts[1])
    ).first()
    if row is None:
        return None
    token, user, org = row
    now = utcnow()
    if (
        not hmac.compare_digest(token.token_hash, hash_token(raw_token))
        or token.revoked_at is not None
        or token.expires_at <= now
        or not user.is_active
    ):
        return None
    token.last_used_at = now
    session.commit()
    return _principal(user, org, token)


def new_session_version() -> str:
    """A fresh random session version (changing it ends every session of the user)."""
    return secrets.token_hex(16)


def _check_scope(session: Session, *, role: Role, org: Organisation, region_code: str | None) -> None:
    """Bank partners belong to a bank, every other role to an OPD; surveyors' region is a kecamatan."""
    if role == Role.BANK_PARTNER and org.kind != OrganisationKind.BANK:
        raise InvalidInputError(f"Peran bank_partner harus milik organisasi bank, bukan {org.code!r}.")
    if role != Role.BANK_PARTNER and org.kind != OrganisationKind.OPD:
        raise InvalidInputError(f"Peran {role} harus milik sebuah OPD, bukan bank {org.code!r}.")
    if not region_code:
        return
    level = queries.get_region_level(session, region_code)
    if level is None:
        raise InvalidInputError(f"Kode wilayah {region_code!r} tidak ada di register wilayah.")
    if role == Role.SURVEYOR and level != "kecamatan":
        raise InvalidInputError(f"Wilayah surveyor harus kode kecamatan; {region_code!r} adalah {level}.")


def _clean_identity(username: str, display_name: str | None, role: str) -> tuple[str, str, Role]:
    clean = username.strip().lower()
    if not _USERNAME.match(clean):
        raise InvalidInputError(
            f"Nama pengguna {username!r} tidak valid: 3–80 huruf kecil, angka, titik, '_' atau '-'."
        )
    if role not in set(Role):
        raise InvalidInputError(f"Peran {role!r} tidak dikenal: {', '.join(Role)}.")
    name = " ".join((display_name or "").split()) or clean
    if len(name) > 200:
        raise InvalidInputError("Nama tampilan maksimal 200 karakter.")
    return clean, name, Role(role)


def _organisation_for(session: Session, code: str) -> Organisation:
    org = queries.get_organisation_by_code(session, code.strip())
    if org is None or not org.is_active:
        raise NotFoundError(f"Organisasi {code!r} tidak ada atau tidak aktif.")
    return org


def create_user(
    session: Session,
    *,
    username: str,
    role: str,
    organisation_code: str,
    password: str,
    display_name: str | None = None,
    region_code: str | None = None,
    by: Actor,
) -> User:
    """Create a user with an argon2-hashed password; audit ``accounts.user.created``.

    Raises:
        InvalidInputError: bad username/role, organisation of the wrong kind for the role, region not
            in the register or (surveyor) not a kecamatan; ``PasswordPolicyError`` for a weak password.
        NotFoundError: no such organisation.
        DuplicateError: username taken.
    """
    clean, name, clean_role = _clean_identity(username, display_name, role)
    org = _organisation_for(session, organisation_code)
    _check_scope(session, role=clean_role, org=org, region_code=region_code or None)
    check_password_policy(password, username=clean)
    if queries.get_user_by_username(session, clean) is not None:
        raise DuplicateError(f"Nama pengguna {clean!r} sudah dipakai.")
    user = User(
        username=clean,
        display_name=name,
        password_hash=hash_password(password),
        role=clean_role,
        organisation_id=org.id,
        region_code=region_code or None,
        is_active=True,
        session_version=new_session_version(),
    )
    session.add(user)
    session.flush()
    by.audit(
        session,
        "accounts.user.created",
        object_type="user",
        object_id=user.username,
        details={"role": str(clean_role), "organisation": org.code, "region_code": user.region_code},
    )
    session.commit()
    return user


def _get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"Pengguna {user_id} tidak ditemukan.")
    return user


def set_user_active(session: Session, *, user_id: int, is_active: bool, by: Actor) -> User:
    """Enable or disable a user (disabling ends their sessions; their tokens stop working).

    Audit ``accounts.user.enabled`` / ``accounts.user.disabled``.

    Raises:
        NotFoundError: no such user.
        InvalidInputError: disabling oneself or the last active admin.
    """
    user = _get_user(session, user_id)
    if not is_active and by.principal is not None and by.principal.user_id == user.id:
        raise InvalidInputError("Anda tidak dapat menonaktifkan akun Anda sendiri.")
    if (
        not is_active
        and user.role == Role.ADMIN
        and user.is_active
        and queries.count_active_admins(session) <= 1
    ):
        raise InvalidInputError("Admin aktif terakhir tidak dapat dinonaktifkan.")
    user.is_active = is_active
    if not is_active:
        user.session_version = new_session_version()
    event = "accounts.user.enabled" if is_active else "accounts.user.disabled"
    by.audit(session, event, object_type="user", object_id=user.username)
    session.commit()
    return user


def reset_password(session: Session, *, user_id: int, by: Actor) -> str:
    """Give a user a new generated password (returned once, to show once); end their sessions.

    Audit ``accounts.user.password_reset`` (without the password).

    Raises:
        NotFoundError: no such user.
    """
    user = _get_user(session, user_id)
    password = generate_password()
    user.password_hash = hash_password(password)
    user.session_version = new_session_version()
    by.audit(session, "accounts.user.password_reset", object_type="user", object_id=user.username)
    session.commit()
    return password


def change_password(
    session: Session, *, user_id: int, current_password: str, new_password: str, by: Actor
) -> User:
    """Change one's own password; rotates ``session_version`` (other sessions end).

    Audit ``accounts.user.password_changed``.

    Raises:
        NotFoundError: no such user.
        InvalidCredentialsError: the current password is wrong.
        PasswordPolicyError: the new password is weak.
    """
    user = _get_user(session, user_id)
    if not verify_password(user.password_hash, current_password):
        raise InvalidCredentialsError("Kata sandi saat ini salah.")
    check_password_policy(new_password, username=user.username)
    user.password_hash = hash_password(new_password)
    user.session_version = new_session_version()
    by.audit(session, "accounts.user.password_changed", object_type="user", object_id=user.username)
    session.commit()
    return user


def ensure_first_admin(
    session: Session, *, organisation_code: str, username: str, force: bool, by: Actor
) -> str:
    """Create the first admin with a generated password and return the password (to print once).

    Raises:
        InvalidInputError: an active admin exists and ``force`` is false.
        NotFoundError / DuplicateError: as ``create_user``.
    """
    if not force and queries.count_active_admins(session) > 0:
        raise InvalidInputError("Sudah ada admin aktif; pakai --force untuk membuat admin lain.")
    password = generate_password()
    create_user(
        session,
        username=username,
        role=Role.ADMIN,
        organisation_code=organisation_code,
        password=password,
        display_name="Administrator",
        by=by,
    )
    return password
