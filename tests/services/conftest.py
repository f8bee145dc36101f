"""Services fixtures: the real encrypted store, filled by the demo where a test needs it."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from sendobserve.demo import demo_id, fill_store
from sendobserve.storage.db import Store

TODAY = date.today()


def mediator_id(name: str) -> uuid.UUID:
    return demo_id("mediator", name)


@pytest.fixture
def demo_store(store: Store) -> Store:
    """A real encrypted store with the four demo mediators, as ``sendobserve demo`` makes it."""
    fill_store(store, today=TODAY)
    return store
