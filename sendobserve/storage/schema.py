"""The whole schema: importing this registers every ORM table on ``Base.metadata``.

Table classes live beside the code that owns them (records, certificates, exchange,
store meta); anything that needs the complete metadata (the migration environment, the
tests that compare migrations with the ORM) imports this one module.
"""

from sendobserve.storage import (
    certificates,
    evidence,
    exchange,
    exchange_controls,
    hub_sync,
    meta,
    privacy_log,
    records,
    verdicts,
)
from sendobserve.storage.base import Base

metadata = Base.metadata

__all__ = ["certificates", "evidence", "exchange", "exchange_controls", "hub_sync", "meta",
           "metadata", "privacy_log", "records", "verdicts"]
