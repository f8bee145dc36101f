"""``panel_verdicts`` (each mediator's panel verdict) and ``spot_checks`` (the log of
spot-check draws).

``panel_verdicts``: each mediator's panel verdict, kept with the evidence it came from.

One row per mediator holding ``model.panel.Verdict`` as JSON, the rules fingerprint and
the days it holds for, and a ``stale`` flag. The flag is the hook that keeps the table
honest: SQLite triggers (migration ``0010_panel_verdicts``) set it in the same
transaction as any write to that mediator's evidence — a tick, a record edit, an
amendment, an import, a sync, whatever code path or plain SQL made it — and on every row
when an observer or a form version changes, since those weigh in every verdict. Setting
a flag costs a tick one indexed ``UPDATE``; the verdict itself is assessed again (by the
rules engine, never here) when it is next read (``repositories.panel``).

A verdict is shown only when it is not stale, was assessed by the same rules and holds
for today; anything else is assessed again first. So the stored verdict never says what
a full assessment would not.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sendobserve.storage.base import GUID, Base, ISODate, UTCDateTime


class PanelVerdictRecord(Base):
    __tablename__ = "panel_verdicts"

    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="CASCADE"), primary_key=True
    )
    rules: Mapped[str] = mapped_column(String(64))
    assessed_on: Mapped[date] = mapped_column(ISODate())
    valid_until: Mapped[date] = mapped_column(ISODate())
    stale: Mapped[bool] = mapped_column(Boolean())
    verdict: Mapped[str] = mapped_column(Text)


class SpotCheckRecord(Base):
    """One spot check (§1.4.2 ii): the draw (seed, population, sample) and its outcome."""

    __tablename__ = "spot_checks"

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seed: Mapped[str] = mapped_column(String(64))
    population: Mapped[int] = mapped_column(Integer())
    sample: Mapped[str] = mapped_column(Text)  # JSON: the mediator ids drawn, in order
    signer: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(Text)  # JSON: per member, what the pack showed
    manifest_sha256: Mapped[str] = mapped_column(String(64))
