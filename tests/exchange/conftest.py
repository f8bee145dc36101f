from __future__ import annotations

import pytest

from sendobserve.pki.identity import Identity


@pytest.fixture(scope="session")
def signer() -> Identity:
    return Identity.generate()
