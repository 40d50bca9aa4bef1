"""Errors the services raise for the user, with Swedish messages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    label: str
    message: str

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


class ValidationError(Exception):
    """One or more fields are wrong; `str()` names each field in Swedish.

    Not a ValueError: an `except ValueError` meant for a stdlib parse must not swallow it, and no
    handler of the user's errors may catch a bug's ValueError by catching this."""

    def __init__(self, errors: list[FieldError]):
        self.errors = list(errors)
        super().__init__(" ".join(str(e) for e in self.errors))

    @property
    def fields(self) -> set[str]:
        return {e.field for e in self.errors}


class NotFoundError(LookupError):
    pass


class ReadOnlyAnalysisError(PermissionError):
    """The analysis is fastställd; it must be reopened as utkast before it can change."""
