"""The one error type the exchange layer raises for anything wrong with a file or its content."""

from __future__ import annotations

from enum import StrEnum

from sendobserve.errors import UserError


class ExchangeProblem(StrEnum):
    """Why a file was refused: stable codes for tests and the GUI, beside the message."""

    NOT_A_BUNDLE = "not_a_bundle"
    UNSUPPORTED_VERSION = "unsupported_version"
    TRUNCATED = "truncated"
    TOO_LARGE = "too_large"
    BAD_HEADER = "bad_header"
    WRONG_KEY = "wrong_key"
    ALTERED = "altered"
    BAD_SIGNATURE = "bad_signature"
    INVALID_PAYLOAD = "invalid_payload"
    BAD_INPUT = "bad_input"


class ExchangeError(UserError):
    """A refused exchange file or export request: one clear line, nothing changed."""

    def __init__(self, problem: ExchangeProblem, message: str, *, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.problem = problem
