"""Errors a user can act on; everything else is a bug and goes to the crash report."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; the message is Vietnamese and shown as is."""

    exit_code = 1


class ValidationError(UserError):
    """Bad input; nothing was written."""

    exit_code = 2

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class ConflictError(UserError):
    """Someone else saved the same record first (optimistic locking)."""

    exit_code = 3


class NotFoundError(UserError):
    exit_code = 4
