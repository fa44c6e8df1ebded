"""Domain errors of the accounts feature; their messages are shown to users as they are (Indonesian).

Views map them to HTTP: ``NotFoundError`` → 404, ``DuplicateError`` → 409, ``LoginLockedError`` →
429, ``InvalidCredentialsError`` → 400 on the form, every other ``AccountsError`` → 400.
"""

from __future__ import annotations

from datetime import datetime


class AccountsError(ValueError):
    """Base class: a request the accounts services refuse, with a message a user understands."""


class NotFoundError(AccountsError):
    """The user, organisation or token named does not exist (or is not the caller's)."""


class DuplicateError(AccountsError):
    """A username or organisation code that is already taken."""


class InvalidInputError(AccountsError):
    """A field value breaks a rule (the message names the field, the value and the rule)."""


class PasswordPolicyError(InvalidInputError):
    """A new password breaks the password policy."""


class InvalidCredentialsError(AccountsError):
    """Wrong username or password, or a disabled account (deliberately not told apart)."""


class LoginLockedError(AccountsError):
    """Too many failed logins for this username or client address within the lock-out window."""

    def __init__(self, message: str, *, until: datetime) -> None:
        super().__init__(message)
        self.until = until
