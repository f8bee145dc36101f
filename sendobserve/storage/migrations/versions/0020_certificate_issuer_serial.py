"""A certificate's serial is qualified by the installation that issued it.

Each installation numbers its own Form 4/5 certificates, so two laptops can both issue
``SO4-2026-000001``. ``certificates``, ``certificate_conflicts`` and ``certificate_prints``
gain ``issuer`` (the issuing installation's fingerprint) and the key becomes (serial,
issuer). Certificates issued here (no received edition) get this installation's
fingerprint (its signing identity is made now if it was never needed before); those
received from elsewhere before issuers travelled get '' (not known). Nothing printed
changes: serial, verification code and every other column are copied as they are.

SQLite cannot change a primary key in place, so the three tables are made again: their
rows are first copied aside into plain tables, the prints' table is dropped before the
certificates' (so no row refers to a table as it goes: nothing cascades), the tables are
made exactly as the ORM declares them and filled from the copies, and the panel-verdict
triggers on ``certificates`` are made again. Going back keeps
every certificate: where two share a serial, the one issued here (else the one whose
issuer is not known, else the earliest) keeps it and each other's serial gets its
issuer's first 16 fingerprint characters appended (``SO4-2026-000001-ABCD…``), which the
older version reads as another serial.

Revision ID: 0020_certificate_issuer_serial
Revises: 0016_privacy_reach
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_certificate_issuer_serial"
down_revision: str | Sequence[str] | None = "0016_privacy_reach"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CERT_COLUMNS = ("form_number", "mediator_id", "signer_id", "signer_name", "issued_on",
                 "verification_code", "created_at", "signer_drawing", "mediator_drawing",
                 "edition")
_TRIGGER_MEDIATOR = "{row}.mediator_id"
_STALE = "UPDATE panel_verdicts SET stale = 1 WHERE mediator_id = {who} AND stale = 0"


def _triggers() -> list[str]:
    """The panel-verdict triggers of ``certificates`` (as ``0010_panel_verdicts`` made
    them): dropped with the old table, made again on the new one."""
    out = []
    for event, rows in (("insert", ("NEW",)), ("update", ("OLD", "NEW")),
                        ("delete", ("OLD",))):
        body = "; ".join(_STALE.format(who=_TRIGGER_MEDIATOR.format(row=r)) for r in rows)
        out.append(f"CREATE TRIGGER trg_panel_stale_certificates_{event} AFTER "
                   f"{event.upper()} ON certificates BEGIN {body}; END")
    return out


def _own_fingerprint(conn: sa.Connection, *, create: bool) -> str | None:
    """This installation's fingerprint (as ``pki.identity.fingerprint``), from its signing
    key; with ``create``, the key is made first if there is none."""
    from sendobserve.pki.identity import Identity

    row = conn.execute(sa.text(
        "SELECT private_key FROM installation_identity WHERE slot = 1")).first()
    if row is None:
        if not create:
            return None
        identity = Identity.generate()
        from sendobserve.model.domain import utcnow
        from sendobserve.storage.base import UTCDateTime

        created = UTCDateTime().process_bind_param(utcnow(), conn.dialect)
        conn.execute(sa.text(
            "INSERT INTO installation_identity (slot, private_key, created_at) "
            "VALUES (1, :key, :at)"), {"key": identity.private_bytes(), "at": created})
        return identity.fingerprint
    return Identity.from_private_bytes(bytes(row[0])).fingerprint


def _cert_table(name: str, *, issuer: bool) -> None:
    """``certificates`` or ``certificate_conflicts`` as the ORM declares it (with or
    without ``issuer``), constraints in its order, so the file's SQL is the ORM's."""
    conflicts = name == "certificate_conflicts"
    drawings = [sa.Column("signer_drawing", sa.LargeBinary(), nullable=True),
                sa.Column("mediator_drawing", sa.LargeBinary(), nullable=True)]
    edition = [sa.Column("edition", sa.String(length=200), nullable=True)]
    columns = [sa.Column("serial", sa.String(length=32), nullable=False)]
    if issuer:
        columns.append(sa.Column("issuer", sa.String(length=39), nullable=False))
    columns += [
        sa.Column("form_number", sa.Integer(), nullable=False),
        sa.Column("mediator_id", sa.String(length=32), nullable=False),
        sa.Column("signer_id", sa.String(length=32), nullable=True),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("issued_on", sa.String(length=10), nullable=False),
        sa.Column("verification_code", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        *((edition + drawings) if conflicts else (drawings + edition)),
    ]
    constraints: list[sa.Constraint] = [sa.PrimaryKeyConstraint(
        *(("serial", "issuer") if issuer else ("serial",)), name=op.f(f"pk_{name}"))]
    if not conflicts:
        constraints += [
            sa.CheckConstraint("form_number IN (4, 5)", name=op.f(f"ck_{name}_form_number")),
            sa.CheckConstraint("length(trim(signer_name)) > 0",
                               name=op.f(f"ck_{name}_signer_name_not_blank")),
        ]
    constraints.append(sa.ForeignKeyConstraint(
        ["mediator_id"], ["mediators.id"], name=op.f(f"fk_{name}_mediator_id_mediators"),
        ondelete="CASCADE" if conflicts else "RESTRICT"))
    if not conflicts:
        constraints.append(sa.ForeignKeyConstraint(
            ["signer_id"], ["observers.id"], name=op.f(f"fk_{name}_signer_id_observers"),
            ondelete="RESTRICT"))
    op.create_table(name, *columns, *constraints)


def _prints_table(*, issuer: bool) -> None:
    keys = ["serial", "issuer"] if issuer else ["serial"]
    op.create_table(
        "certificate_prints",
        sa.Column("id", sa.String(length=32), nullable=False),
        *(sa.Column(k, sa.String(length=32 if k == "serial" else 39), nullable=False)
          for k in keys),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("printed_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_prints")),
        sa.CheckConstraint("kind IN ('issue', 'reprint')",
                           name=op.f("ck_certificate_prints_kind")),
        sa.ForeignKeyConstraint(keys, [f"certificates.{k}" for k in keys],
                                name=op.f("fk_certificate_prints_serial_certificates"),
                                ondelete="RESTRICT"),
    )


def _set_aside() -> None:
    """Copy the three tables' rows aside (plain tables, no keys) and drop the tables:
    the prints first, so that nothing refers to ``certificates`` when it goes."""
    for table in ("certificates", "certificate_prints", "certificate_conflicts"):
        op.execute(f"CREATE TABLE _old_{table} AS SELECT * FROM {table}")
    op.drop_index("ix_certificate_prints_serial", table_name="certificate_prints")
    op.drop_table("certificate_prints")
    op.drop_index("ix_certificates_mediator_form", table_name="certificates")
    op.drop_table("certificates")  # its triggers go with it
    op.drop_table("certificate_conflicts")


def _make(*, issuer: bool) -> None:
    _cert_table("certificates", issuer=issuer)
    op.create_index("ix_certificates_mediator_form", "certificates",
                    ["mediator_id", "form_number"], unique=False)
    _prints_table(issuer=issuer)
    op.create_index("ix_certificate_prints_serial", "certificate_prints",
                    ["serial", "issuer", "printed_at"] if issuer else ["serial", "printed_at"],
                    unique=False)
    _cert_table("certificate_conflicts", issuer=issuer)


def _finish() -> None:
    for table in ("certificates", "certificate_prints", "certificate_conflicts"):
        op.execute(f"DROP TABLE _old_{table}")
    for sql in _triggers():
        op.execute(sql)


def upgrade() -> None:
    conn = op.get_bind()
    issued_here = conn.execute(sa.text(
        "SELECT count(*) FROM certificates WHERE edition IS NULL")).scalar()
    own = _own_fingerprint(conn, create=bool(issued_here)) or ""
    columns = ", ".join(_CERT_COLUMNS)
    _set_aside()
    _make(issuer=True)
    conn.execute(sa.text(
        f"INSERT INTO certificates (serial, issuer, {columns}) "
        f"SELECT serial, CASE WHEN edition IS NULL THEN :own ELSE '' END, {columns} "
        "FROM _old_certificates"), {"own": own})
    op.execute("INSERT INTO certificate_prints (id, serial, issuer, kind, printed_at) "
               "SELECT p.id, p.serial, c.issuer, p.kind, p.printed_at "
               "FROM _old_certificate_prints p JOIN certificates c ON c.serial = p.serial")
    op.execute(f"INSERT INTO certificate_conflicts (serial, issuer, {columns}) "
               f"SELECT serial, '', {columns} FROM _old_certificate_conflicts")
    _finish()


def _tag(issuer: str) -> str:
    return "".join(ch for ch in issuer if ch.isalnum())[:16] or "UNKNOWN"


def _old_serials(conn: sa.Connection, table: str, own: str | None
                 ) -> list[tuple[str, str, str]]:
    """(serial, issuer, the serial it keeps going back): one certificate per serial keeps
    it (issued here, else its issuer not known, else the earliest); the others get their
    issuer's tag appended."""
    rows = conn.execute(sa.text(
        f"SELECT serial, issuer, created_at FROM {table} ORDER BY serial, created_at, issuer"
    )).all()
    by_serial: dict[str, list[tuple[str, str]]] = {}
    for serial, issuer, created in rows:
        by_serial.setdefault(serial, []).append((issuer, created))
    out = []
    taken = set(by_serial)
    for serial, held in by_serial.items():
        keeper = min(held, key=lambda h: (h[0] != own, h[0] != "", h[1], h[0]))
        for issuer, _created in held:
            new = serial
            if issuer != keeper[0]:
                new = f"{serial}-{_tag(issuer)}"[:32]
                while new in taken:  # pragma: no cover - sixteen characters of a digest
                    new = new[:-1] + "X"
            taken.add(new)
            out.append((serial, issuer, new))
    return out


def downgrade() -> None:
    conn = op.get_bind()
    own = _own_fingerprint(conn, create=False)
    columns = ", ".join(_CERT_COLUMNS)
    selected = ", ".join("c." + c for c in _CERT_COLUMNS)
    mapping = [(table, *row) for table in ("certificates", "certificate_conflicts")
               for row in _old_serials(conn, table, own)]
    _set_aside()
    op.execute("CREATE TABLE _serial_map (tbl TEXT, serial TEXT, issuer TEXT, new TEXT)")
    for table, serial, issuer, new in mapping:
        conn.execute(sa.text("INSERT INTO _serial_map VALUES (:t, :s, :i, :n)"),
                     {"t": table, "s": serial, "i": issuer, "n": new})
    _make(issuer=False)
    for table in ("certificates", "certificate_conflicts"):
        op.execute(f"INSERT INTO {table} (serial, {columns}) SELECT m.new, {selected} "
                   f"FROM _old_{table} c JOIN _serial_map m ON m.tbl = '{table}' "
                   "AND m.serial = c.serial AND m.issuer = c.issuer")
    op.execute("INSERT INTO certificate_prints (id, serial, kind, printed_at) "
               "SELECT p.id, m.new, p.kind, p.printed_at FROM _old_certificate_prints p "
               "JOIN _serial_map m ON m.tbl = 'certificates' AND m.serial = p.serial "
               "AND m.issuer = p.issuer")
    op.execute("DROP TABLE _serial_map")
    _finish()
