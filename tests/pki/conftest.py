"""The session's signing root and signer, shared with the report tests (making EC keys
takes a moment)."""

from tests.reports.conftest import creds, root

__all__ = ["creds", "root"]
