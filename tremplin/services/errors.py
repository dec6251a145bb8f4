"""Domain errors carry a French message meant for the end user, and a stable code for the code."""
from __future__ import annotations


class DomainError(Exception):
    """A rule of the stage refused an operation; `message` is ready to show to the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass
