"""Password hashing (argon2id via ``argon2-cffi``), the password policy and generated passwords.

Passwords are never logged, stored in clear or put in the session cookie; only the argon2 hash is
kept in ``users.password_hash``.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from smartkotim.accounts.errors import PasswordPolicyError

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256
# No look-alike characters (0/O, 1/l/I), so a password read off a console can be typed back.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_GENERATED_LENGTH = 16

# argon2id with OWASP's recommended minimum (m = 19 MiB, t = 2, p = 1): about 0.1 s per check on one
# core, so a login stays quick on a small server. Hashes made with other parameters are upgraded to
# these at the next successful login (``needs_rehash``).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the username is unknown, so that both cases take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string, ≤ 255 chars) of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; ``None`` burns the same time and is False."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current ones."""
    return _hasher.check_needs_rehash(password_hash)


def check_password_policy(password: str, *, username: str) -> None:
    """Enforce the policy: 10 to 256 characters, not only spaces, not the username.

    Raises:
        PasswordPolicyError: naming the rule that is broken (never echoing the password).
    """
    if len(password) < PASSWORD_MIN_LENGTH:
        raise PasswordPolicyError(f"Kata sandi minimal {PASSWORD_MIN_LENGTH} karakter.")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise PasswordPolicyError(f"Kata sandi maksimal {PASSWORD_MAX_LENGTH} karakter.")
    if not password.strip():
        raise PasswordPolicyError("Kata sandi tidak boleh hanya berisi spasi.")
    if password.strip().lower() == username.strip().lower():
        raise PasswordPolicyError("Kata sandi tidak boleh sama dengan nama pengguna.")
    if len(set(password)) < 4:
        raise PasswordPolicyError("Kata sandi terlalu sederhana: pakai minimal 4 karakter berbeda.")


def generate_password() -> str:
    """A random 16-character password (about 93 bits) from an unambiguous alphabet."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(_GENERATED_LENGTH))
