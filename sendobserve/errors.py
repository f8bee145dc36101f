"""Errors that reach a person: one clear line, and an exit status for the CLI.

Anything raised as a ``UserError`` has already been checked to have changed
nothing on disk; the CLI prints ``message`` and exits with ``exit_code``, the GUI
shows it in a dialog.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can understand and act on; nothing was changed."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"
