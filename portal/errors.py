"""The base of every app's domain error, rendered the same way in pages and in the API."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused an action. Each app subclasses it (`AccountError`, ...).

    `code` is stable for API clients; `message` is user-facing (translated); `field` names the
    input at fault when there is one; `status` is the HTTP status the API answers with.
    """

    status = 400
    fields: dict | None = None  # structured field errors, when one field is not enough

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def field_errors(self) -> dict:
        if self.fields is not None:
            return self.fields
        return {self.field: [str(self.message)]} if self.field else {}

    def __str__(self) -> str:
        return str(self.message)
