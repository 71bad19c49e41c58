"""Errors a user can act on; everything else is a bug and goes to the crash report."""

from __future__ import annotations

from collections.abc import Callable

# Long operations report (done, total) through this; total is 0 when not known yet.
Progress = Callable[[int, int], None]
# ... and poll this to learn that the user pressed "Hủy".
CancelCheck = Callable[[], bool]


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


class Cancelled(UserError):
    """The user cancelled a long operation; everything it did was rolled back."""

    exit_code = 130

    def __init__(self, message: str = "Đã hủy; không có gì được ghi vào cơ sở dữ liệu.") -> None:
        super().__init__(message)

