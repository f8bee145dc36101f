"""Readiness and record fixtures: the real encrypted store filled by the demo, offscreen Qt."""

from __future__ import annotations

import os
import uuid
from datetime import date

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sendobserve.demo import GAPS, PASSPORTED, READY, RENEWING, demo_id, fill_store
from sendobserve.storage.db import Store

TODAY = date.today()
NAMES = (READY, GAPS, PASSPORTED, RENEWING)


def mediator_id(name: str) -> uuid.UUID:
    return demo_id("mediator", name)


@pytest.fixture
def demo_store(store: Store) -> Store:
    """A real encrypted store with the four demo mediators, as ``sendobserve demo`` makes it."""
    fill_store(store, today=TODAY)
    return store
