"""The error family. Every failure a user can cause is a DangwuError with an exit code.

The CLI has one handler that prints ``str(error)`` and exits with ``error.exit_code``;
nothing else catches these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ExitCode:
    OK = 0
    RULE = 1  # a rule or validation failure
    USAGE = 2  # the command was used wrongly


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, located like a compiler error."""

    path: str
    line: int | None
    col: int | None
    message: str
    hint: str | None = None

    def location(self) -> str:
        if self.line is None:
            return self.path
        if self.col is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.col}"

    def __str__(self) -> str:
        text = f"{self.location()}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class DangwuError(Exception):
    exit_code = ExitCode.RULE

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        record_id: str | None = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.record_id = record_id
        self.rule = rule

    def __str__(self) -> str:
        return self.message


class UsageError(DangwuError):
    """The command line itself is wrong (exit 2)."""

    exit_code = ExitCode.USAGE


class NotAnOffice(DangwuError):
    """No office repository where one was expected."""


class GitError(DangwuError):
    """git refused or failed; the message carries git's own words."""


class IdentityError(DangwuError):
    """The acting person could not be established or is not allowed to act."""


class RuleViolation(DangwuError):
    """A step breaks a rule of the procedure; nothing was written."""


class Busy(DangwuError):
    """Another dangwu is writing to the same office."""


class RecordNotFound(DangwuError):
    pass


class InvalidFiles(DangwuError):
    """One or more files have problems; each is a located Problem."""

    def __init__(
        self, problems: Sequence[Problem], summary: str | None = None, hint: str | None = None
    ) -> None:
        self.problems = list(problems)
        self.summary = summary
        super().__init__("\n".join(str(p) for p in self.problems), hint=hint)
