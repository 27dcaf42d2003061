"""Problems a user can fix, reported without a traceback."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an instance: where it is and why.

    Rendered as ``file: key: reason`` (key omitted when empty), the format
    ``willkommen check`` prints and ``serve`` refuses to start with.
    """

    file: str
    key: str
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.key}: {self.reason}" if self.key else f"{self.file}: {self.reason}"
        )


class UserError(Exception):
    """A mistake of the user's (bad input, bad configuration).

    The CLI prints the message (and each problem) and exits 1; no traceback.
    """

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []

    def __str__(self) -> str:
        lines = [self.args[0]] + [f"  {p}" for p in self.problems]
        return "\n".join(lines)
