"""``panel_verdicts`` (each mediator's panel verdict) and ``spot_checks`` (the log of
spot-check draws).

``panel_verdicts``: each mediator's panel verdict, kept with the evidence it came from.

One row per mediator holding ``model.panel.Verdict`` field by field (a column each since
``0018_panel_columns``: no JSON to decode when the dashboard reads them all), the rules
fingerprint and the days it holds for, and a ``stale`` flag. The flag is the hook that
keeps the table honest: SQLite triggers (migration ``0010_panel_verdicts``) set it in the same
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
    """One mediator's verdict, a column per field of ``model.panel.Verdict`` (migration
    ``0018_panel_columns``): the dashboard reads them in one scan, nothing to decode.
    ``still_needed`` and ``renewal_needed`` hold one sentence per line
    (``repositories.panel.join_lines``)."""

    __tablename__ = "panel_verdicts"

    mediator_id: Mapped[uuid.UUID] = mapped_column(
        GUID(), ForeignKey("mediators.id", ondelete="CASCADE"), primary_key=True
    )
    stale: Mapped[bool] = mapped_column(Boolean())
    rules: Mapped[str] = mapped_column(String(64))
    assessed_on: Mapped[date] = mapped_column(ISODate())
    valid_until: Mapped[date] = mapped_column(ISODate())
    name: Mapped[str] = mapped_column(Text)
    ready_to_certify: Mapped[bool] = mapped_column(Boolean())
    still_needed: Mapped[str] = mapped_column(Text)
    accredited_on: Mapped[date | None] = mapped_column(ISODate(), nullable=True)
    passported: Mapped[bool] = mapped_column(Boolean())
    renewal_met: Mapped[bool] = mapped_column(Boolean())
    renewal_needed: Mapped[str] = mapped_column(Text)
    met_at_last_anniversary: Mapped[bool | None] = mapped_column(Boolean(), nullable=True)
    last_observation: Mapped[date | None] = mapped_column(ISODate(), nullable=True)
    ppc: Mapped[str | None] = mapped_column(Text, nullable=True)
    mentor: Mapped[str | None] = mapped_column(Text, nullable=True)
    cases: Mapped[int] = mapped_column(Integer())
    finalised_observations: Mapped[int] = mapped_column(Integer())


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
