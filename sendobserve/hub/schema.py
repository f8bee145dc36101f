"""The hub's tables (PostgreSQL). Bundles are opaque bytes: nothing here can open them.

- ``hub_settings``: the organisation's name.
- ``installations``: who asked to join, their public signing and exchange keys, status,
  role, trainee scope, and the admin's signed approval.
- ``objects``: immutable exchange files, keyed by the SHA-256 of their bytes; a NULL
  trainee marks a signed control record (revocation, tombstone, erasure…) for members
  whatever their scope.
- ``routes``: which object goes to which installation, for which trainee, from whom.
  The pull cursor is ``(commit_order, seq)``: ``commit_order`` is the inserting
  transaction's id (plus ``hub_clock``'s offset), and a pull reads only below the oldest
  transaction still running (``hub_pull_horizon()``), so nothing can appear behind it.
- ``hub_clock``: the offset added to transaction ids, raised when a restored dump starts
  a cluster whose transaction ids are lower than the orders already stored.
- ``request_nonces``: nonces seen in the last minutes, so a replayed request is refused.
- ``erasures``: each signed erasure record the hub acted on (``hub.erasures``): the
  trainee's id, the signer, the record itself, how many objects and routes it dropped.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

settings = Table(
    "hub_settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

installations = Table(
    "installations", metadata,
    Column("fingerprint", String(32), primary_key=True),
    Column("public_key", LargeBinary, nullable=False, unique=True),
    Column("exchange_key", LargeBinary, nullable=False),
    Column("exchange_key_signature", LargeBinary, nullable=False),  # by the installation
    Column("name", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("role", String(16)),
    Column("trainees", JSONB),  # list of mediator ids (hex); NULL: every trainee
    Column("approval", LargeBinary),
    Column("approval_signature", LargeBinary),
    Column("approved_by", String(32)),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    CheckConstraint("status IN ('pending', 'approved', 'revoked')", name="status"),
    CheckConstraint("role IS NULL OR role IN ('admin', 'ppc', 'observer', 'trainee', "
                    "'assessor')", name="role"),
    CheckConstraint("status <> 'approved' OR role IS NOT NULL", name="approved_has_role"),
    CheckConstraint("octet_length(public_key) = 32 AND octet_length(exchange_key) = 32",
                    name="key_lengths"),
)

objects = Table(
    "objects", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("uploaded_by", String(32), ForeignKey("installations.fingerprint"), nullable=False),
    Column("trainee", String(32)),  # NULL: a control record for every member
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("octet_length(data) = size", name="size"),
)

routes = Table(
    "routes", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=True),
    Column("sha256", String(64), ForeignKey("objects.sha256"), nullable=False),
    Column("recipient", String(32), ForeignKey("installations.fingerprint"), nullable=False),
    Column("trainee", String(32)),  # NULL: a control record
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("commit_order", BigInteger, nullable=False,
           server_default=text("hub_commit_order()")),
    UniqueConstraint("recipient", "sha256", name="uq_routes_recipient_sha256"),
    Index("ix_routes_recipient_commit_order", "recipient", "commit_order", "seq"),
    Index("ix_routes_sha256", "sha256"),
)

hub_clock = Table(
    "hub_clock", metadata,
    Column("slot", Integer, primary_key=True),
    Column("xid_offset", BigInteger, nullable=False),
    CheckConstraint("slot = 1", name="single_row"),
)

request_nonces = Table(
    "request_nonces", metadata,
    Column("fingerprint", String(32), primary_key=True),
    Column("nonce", String(32), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Index("ix_request_nonces_seen_at", "seen_at"),
)

erasures = Table(
    "erasures", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=True),
    Column("digest", String(64), nullable=False, unique=True),  # SHA-256 of the statement
    Column("trainee", String(32), nullable=False),
    Column("signer", String(32), ForeignKey("installations.fingerprint"), nullable=False),
    Column("statement", LargeBinary, nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Column("erased_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("objects_dropped", Integer, nullable=False),
    Column("routes_dropped", Integer, nullable=False),
    Index("ix_erasures_trainee", "trainee"),
)

HUB_TABLES = ("hub_settings", "installations", "objects", "routes", "request_nonces",
              "hub_clock", "erasures")
