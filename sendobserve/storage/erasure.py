"""Erasure and subject access for one mediator, reaching every copy the store keeps.

Everything the store holds about a mediator is found the same way for both rights: start
at their row in ``mediators`` and follow every foreign key that points at it, then at
what points at those rows, and so on (``PRAGMA foreign_key_list``, read from the file
itself, so a backup made at an older schema revision is followed by *its* schema, and a
table added later is covered without touching this module).

Erasure then deletes those rows with ``secure_delete`` on (SQLite overwrites the freed
content with zeros), checkpoints and truncates the write-ahead log and ``VACUUM``s, so no
freed page keeps the text; it does the same in every database copy in the backups folder
(each is *rewritten*: the backups share the store's data key, so destroying a key would
destroy the live store too). A copy that cannot be opened with the key (damaged, or from
before an unfinished key rotation) cannot be rewritten and is removed.

Certificates already issued (Form 4/5) are a register fact the provider may have to keep
(the Standards' register, §1.4.2): with ``keep_certificates`` (the default) the mediator's
row and their certificates and print log stay, and everything else goes; the result says
so, for the screen and the CLI to repeat.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3

from sendobserve.storage._crash import crash_point
from sendobserve.storage.backup import all_encrypted_copies
from sendobserve.storage.db import Store
from sendobserve.storage.errors import StoreError
from sendobserve.storage.fsutil import fsync_dir, fsync_file

if TYPE_CHECKING:
    from sendobserve.pki.control import ErasureRecord

# Kept as register facts when ``keep_certificates`` (and what they need to stand).
REGISTER_TABLES = frozenset({"certificates", "certificate_prints", "mediators"})
# Never followed: the log of erasures itself holds no content, only counts.
_NOT_FOLLOWED = frozenset({"privacy_log"})


@dataclass(frozen=True, slots=True)
class _ForeignKey:
    child: str
    child_columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...] | None  # None: the parent's primary key


@dataclass
class Holdings:
    """The rows (by rowid) of each table that are about one mediator."""

    rows: dict[str, set[int]] = field(default_factory=dict)

    def count(self) -> dict[str, int]:
        return {table: len(ids) for table, ids in sorted(self.rows.items()) if ids}


@dataclass(frozen=True, slots=True)
class CopyOutcome:
    path: Path
    rewritten: bool  # False: could not be opened with the key, and was removed
    rows_deleted: int


@dataclass(frozen=True, slots=True)
class ErasureResult:
    mediator_id: uuid.UUID
    rows_deleted: dict[str, int]
    certificates_kept: int
    copies: tuple[CopyOutcome, ...]
    # Kept aside after damage was found (a damaged log cannot be opened to rewrite): named so
    # that the provider removes them once the damage has been dealt with.
    untouched: tuple[Path, ...] = ()
    # The signed record that carries this erasure to other copies (files, the hub).
    record: ErasureRecord | None = None

    def summary_lines(self) -> list[str]:
        lines = [f"Deleted {sum(self.rows_deleted.values())} rows from the live store."]
        for copy in self.copies:
            if copy.rewritten:
                lines.append(f"Rewrote the backup {copy.path.name} ({copy.rows_deleted} rows).")
            else:
                lines.append(f"Removed the backup {copy.path.name}: it does not open with "
                             "this store's key, so it could not be rewritten.")
        for path in self.untouched:
            lines.append(f"Not reached: {path} was kept aside after damage was found and "
                         "cannot be rewritten; delete it once the damage has been dealt with.")
        if self.record is not None:
            lines.append(
                f"Signed erasure record kept (mediator {self.mediator_id}, no name; signed by "
                f"installation {self.record.fingerprint}): every file this store exports and "
                "its next sync with the hub carry it, so other laptops that allow this "
                "installation to erase apply it, and the hub drops its files about them.")
        if self.certificates_kept:
            lines.append(
                f"Kept {self.certificates_kept} issued certificate(s) and the mediator's name "
                "as a register fact the provider may have to keep; erase them too with "
                "--certificates."
            )
        return lines


def _tables(conn: sqlcipher3.Connection, schema: str) -> list[str]:
    return [r[0] for r in conn.execute(
        f"SELECT name FROM \"{schema}\".sqlite_master "
        "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )]


def _foreign_keys(conn: sqlcipher3.Connection, schema: str) -> list[_ForeignKey]:
    tables = _tables(conn, schema)
    found = []
    for table in tables:
        by_id: dict[int, list[tuple[Any, ...]]] = {}
        for row in conn.execute(f'PRAGMA "{schema}".foreign_key_list("{table}")'):
            by_id.setdefault(row[0], []).append(row)
        for rows in by_id.values():
            # A composite key too: a certificate's prints name it by serial and issuer.
            rows.sort(key=lambda r: r[1])
            parent = rows[0][2]
            parents = tuple(r[4] for r in rows)
            found.append(_ForeignKey(table, tuple(r[3] for r in rows), parent,
                                     None if None in parents else parents))
    return found


def _primary_key(conn: sqlcipher3.Connection, schema: str, table: str
                 ) -> tuple[str, ...]:
    pk = sorted((r[5], r[1]) for r in conn.execute(
        f'PRAGMA "{schema}".table_info("{table}")') if r[5] >= 1)
    return tuple(name for _n, name in pk) or ("rowid",)


def _mediator_key(conn: sqlcipher3.Connection, mediator_id: uuid.UUID,
                  schema: str = "main", table: str = "mediators") -> Any:
    """The person's id as this file stores it (the GUID column type decides the form)."""
    for candidate in (mediator_id.hex, str(mediator_id), mediator_id.bytes):
        if conn.execute(f'SELECT 1 FROM "{schema}"."{table}" WHERE id = ?',
                        (candidate,)).fetchone():
            return candidate
    return None


def find_holdings(conn: sqlcipher3.Connection, mediator_id: uuid.UUID,
                  schema: str = "main", start: str = "mediators") -> Holdings:
    """Every row reachable from the person's row (in ``start``: ``mediators`` or
    ``observers``) by following foreign keys backwards."""
    holdings = Holdings()
    key = _mediator_key(conn, mediator_id, schema, start)
    if key is None:
        return holdings
    fks = [fk for fk in _foreign_keys(conn, schema) if fk.child not in _NOT_FOLLOWED]
    pending: list[tuple[str, list[int]]] = []
    (rowid,) = conn.execute(f'SELECT rowid FROM "{schema}"."{start}" WHERE id = ?',
                            (key,)).fetchone()
    holdings.rows[start] = {rowid}
    pending.append((start, [rowid]))
    while pending:
        table, rowids = pending.pop()
        for fk in fks:
            if fk.parent != table:
                continue
            columns = fk.parent_columns or _primary_key(conn, schema, table)
            child = ", ".join(f'c."{c}"' for c in fk.child_columns)
            parent = ", ".join(f'p."{c}"' for c in columns)
            for offset in range(0, len(rowids), 500):
                chunk = rowids[offset:offset + 500]
                marks = ",".join("?" * len(chunk))
                found = [r[0] for r in conn.execute(
                    f'SELECT c.rowid FROM "{schema}"."{fk.child}" c '
                    f'WHERE ({child}) IN '
                    f'(SELECT {parent} FROM "{schema}"."{table}" p '
                    f'WHERE p.rowid IN ({marks}))',
                    chunk,
                )]
                seen = holdings.rows.setdefault(fk.child, set())
                new = [r for r in found if r not in seen]
                seen.update(new)
                if new:
                    pending.append((fk.child, new))
    return holdings


def _delete(conn: sqlcipher3.Connection, schema: str, holdings: Holdings, *,
            keep: frozenset[str]) -> int:
    """Delete the held rows, children first (foreign keys stay on: a miss would raise)."""
    deleted = 0
    # Children before parents: repeat until nothing is left that can go.
    remaining = {t: set(ids) for t, ids in holdings.rows.items() if t not in keep and ids}
    for _ in range(len(remaining) + 1):
        progressed = False
        for table in sorted(remaining):
            ids = sorted(remaining[table])
            try:
                conn.execute("SAVEPOINT erase_table")
                for start in range(0, len(ids), 500):
                    chunk = ids[start:start + 500]
                    conn.execute(
                        f'DELETE FROM "{schema}"."{table}" '
                        f'WHERE rowid IN ({",".join("?" * len(chunk))})',
                        chunk,
                    )
                conn.execute("RELEASE erase_table")
            except sqlcipher3.IntegrityError:
                conn.execute("ROLLBACK TO erase_table")
                conn.execute("RELEASE erase_table")
                continue
            deleted += len(ids)
            del remaining[table]
            progressed = True
        if not remaining or not progressed:
            break
    if remaining:
        raise StoreError(
            "could not erase every record: rows in " + ", ".join(sorted(remaining))
            + " are still referenced by records that must be kept"
        )
    return deleted


def _erase_in(conn: sqlcipher3.Connection, schema: str, mediator_id: uuid.UUID, *,
              keep_certificates: bool) -> tuple[dict[str, int], int]:
    holdings = find_holdings(conn, mediator_id, schema)
    certificates = len(holdings.rows.get("certificates", ()))
    keep = REGISTER_TABLES if keep_certificates and certificates else frozenset()
    counts = {t: n for t, n in holdings.count().items() if t not in keep}
    conn.execute("BEGIN IMMEDIATE")
    try:
        _delete(conn, schema, holdings, keep=keep)
        counts.update(_forget_hub_traffic(conn, schema, mediator_id))
        if not counts:  # nothing here (already erased by an import): nothing to log
            conn.execute("COMMIT")
            return counts, 0
        if "privacy_log" in _tables(conn, schema):
            conn.execute(
                f'INSERT INTO "{schema}".privacy_log (at, action, subject_id, summary) '
                "VALUES (?, ?, ?, ?)",
                (datetime.now(UTC).isoformat(timespec="seconds"), "erasure", str(mediator_id),
                 json.dumps({"rows_deleted": counts,
                             "certificates_kept": certificates if keep else 0})),
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return counts, certificates if keep else 0


@contextlib.contextmanager
def _store_connection(store: Store) -> Iterator[sqlcipher3.Connection]:
    """The store's own keyed connection, with freed content overwritten on delete."""
    with store.engine.connect() as sa_conn:
        raw = sa_conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA secure_delete = ON")
        try:
            yield raw
        finally:
            raw.execute("PRAGMA secure_delete = OFF")


def erase_mediator(store: Store, mediator_id: uuid.UUID, *,
                   keep_certificates: bool = True) -> ErasureResult:
    """Erase one mediator from the live store and from every database copy it keeps, and
    keep the signed erasure record that carries the erasure to other copies.

    The record is kept first (so a crash part-way is finished by ``complete_erasures``),
    and dropped again if the erasure itself is refused.
    """
    from sendobserve.pki.control import ErasureRecord
    from sendobserve.storage import erasure_records
    from sendobserve.storage.privacy_log import ErasureRecordRow

    with _store_connection(store) as conn:
        if _mediator_key(conn, mediator_id) is None:
            raise StoreError(f"there is no mediator with the id {mediator_id} in this store")
    with store.session() as session:
        record = ErasureRecord.make(erasure_records.own_identity(session), mediator_id,
                                    erased_at=datetime.now(UTC),
                                    certificates=not keep_certificates)
        erasure_records.hold(session, record, received_from=None)
    try:
        result = _erase_everywhere(store, mediator_id, keep_certificates=keep_certificates)
    except BaseException:
        with store.session() as session:
            row = session.get(ErasureRecordRow,
                              erasure_records.record_digest(record))
            if row is not None:
                session.delete(row)
        raise
    with store.session() as session:
        erasure_records.mark_complete(session, record)
    return replace(result, record=record)


def complete_erasures(store: Store) -> list[ErasureResult]:
    """Finish every erasure held here and not yet complete: one received in an import
    (whose rows the import already deleted, in its own transaction) or one a crash cut
    short. Each: the live store's rows (if any are left), its log truncated and the file
    vacuumed, every backup rewritten; then marked complete. Safe to run again."""
    from sendobserve.storage import erasure_records

    with store.session() as session:
        pending = erasure_records.incomplete(session)
    results = []
    for record in pending:
        result = _erase_everywhere(store, record.subject,
                                   keep_certificates=not record.certificates)
        with store.session() as session:
            erasure_records.mark_complete(session, record)
        results.append(replace(result, record=record))
    return results


def erase_in_transaction(session: Any, mediator_id: uuid.UUID, *,
                         keep_certificates: bool) -> dict[str, int]:
    """Delete the mediator's rows inside the caller's open transaction (an import that
    carries an erasure record), freed content overwritten; ``complete_erasures`` then
    truncates the log, vacuums and rewrites the backups once the caller has committed."""
    conn = session.connection().connection.driver_connection
    conn.execute("PRAGMA secure_delete = ON")
    holdings = find_holdings(conn, mediator_id, "main")
    if not holdings.rows:
        return _forget_hub_traffic(conn, "main", mediator_id)
    certificates = len(holdings.rows.get("certificates", ()))
    keep = REGISTER_TABLES if keep_certificates and certificates else frozenset()
    counts = {t: n for t, n in holdings.count().items() if t not in keep}
    _delete(conn, "main", holdings, keep=keep)
    counts.update(_forget_hub_traffic(conn, "main", mediator_id))
    conn.execute(
        "INSERT INTO privacy_log (at, action, subject_id, summary) VALUES (?, ?, ?, ?)",
        (datetime.now(UTC).isoformat(timespec="seconds"), "erasure", str(mediator_id),
         json.dumps({"rows_deleted": counts, "certificates_kept": certificates if keep else 0,
                     "by_record": True})),
    )
    return counts


def _forget_hub_traffic(conn: sqlcipher3.Connection, schema: str,
                        mediator_id: uuid.UUID) -> dict[str, int]:
    """The hub outbox (sealed files waiting to be sent) and the log of files received for
    this trainee: keyed by the trainee's id, not a foreign key, so removed by name here."""
    counts: dict[str, int] = {}
    tables = set(_tables(conn, schema))
    for table in ("hub_outbox", "hub_received"):
        if table in tables:
            n = conn.execute(f'DELETE FROM "{schema}"."{table}" WHERE trainee = ?',
                             (mediator_id.hex,)).rowcount
            if n:
                counts[table] = n
    return counts


def _erase_everywhere(store: Store, mediator_id: uuid.UUID, *,
                      keep_certificates: bool) -> ErasureResult:
    with _store_connection(store) as conn:
        counts, kept = _erase_in(conn, "main", mediator_id, keep_certificates=keep_certificates)
        # No freed page and no log frame keeps erased text.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        crash_point("erase:before-copies")  # the live store done, its backups not yet
        outcomes = [_erase_in_copy(conn, copy, mediator_id, keep_certificates=keep_certificates)
                    for copy in all_encrypted_copies(store.data_dir)]
    fsync_file(store.path)
    if outcomes:
        fsync_dir(outcomes[0].path.parent)
    return ErasureResult(mediator_id, counts, kept, tuple(outcomes),
                         _kept_aside(store.data_dir))


def _kept_aside(data_dir: Path) -> tuple[Path, ...]:
    """Copies the store keeps after finding damage: whole folders of a damaged database and
    its log, and logs that a restore could not fold in."""
    from sendobserve.storage.backup import backup_dir
    from sendobserve.storage.db import DAMAGED_PREFIX

    found = [p for p in data_dir.iterdir() if p.name.startswith(DAMAGED_PREFIX)]
    folder = backup_dir(data_dir)
    if folder.is_dir():
        found += [p for p in folder.iterdir() if "-wal" in p.name]
    return tuple(sorted(found))


def _erase_in_copy(conn: sqlcipher3.Connection, path: Path, mediator_id: uuid.UUID, *,
                   keep_certificates: bool) -> CopyOutcome:
    try:
        conn.execute("ATTACH DATABASE ? AS erasure_copy", (str(path),))
    except sqlcipher3.DatabaseError:
        path.unlink(missing_ok=True)
        return CopyOutcome(path, rewritten=False, rows_deleted=0)
    try:
        try:
            conn.execute('SELECT count(*) FROM "erasure_copy".sqlite_master').fetchone()
        except sqlcipher3.DatabaseError:
            conn.execute("DETACH DATABASE erasure_copy")
            path.unlink(missing_ok=True)
            return CopyOutcome(path, rewritten=False, rows_deleted=0)
        conn.execute('PRAGMA "erasure_copy".secure_delete = ON')
        counts, _kept = _erase_in(conn, "erasure_copy", mediator_id,
                                  keep_certificates=keep_certificates)
        conn.execute('VACUUM "erasure_copy"')
        conn.execute("DETACH DATABASE erasure_copy")
    except BaseException:
        with contextlib.suppress(sqlcipher3.DatabaseError):
            conn.execute("DETACH DATABASE erasure_copy")
        raise
    fsync_file(path)
    return CopyOutcome(path, rewritten=True, rows_deleted=sum(counts.values()))


def subject_access(store: Store, mediator_id: uuid.UUID | None = None, *,
                   observer_id: uuid.UUID | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every row the live store holds about one person, table by table, as plain values,
    each with where it came from under ``sources.SOURCE_KEY`` (the installation that signed
    it when finalising, the files that brought it: from which installation, when imported).

    A person may be in the store as a mediator (their practice record), as an observer or
    signer (what they observed, signed, mentored), or both: give either id or both.
    """
    starts = [("mediators", mediator_id), ("observers", observer_id)]
    with _store_connection(store) as conn:
        held = Holdings()
        for table, person in starts:
            if person is None:
                continue
            if _mediator_key(conn, person, "main", table) is None:
                what = "mediator" if table == "mediators" else "observer"
                raise StoreError(f"there is no {what} with the id {person} in this store")
            for name, rowids in find_holdings(conn, person, "main", table).rows.items():
                held.rows.setdefault(name, set()).update(rowids)
        out: dict[str, list[dict[str, Any]]] = {}
        for table, rowids in sorted(held.rows.items()):
            if not rowids:
                continue
            ids = sorted(rowids)
            rows: list[dict[str, Any]] = []
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                cur = conn.execute(
                    f'SELECT * FROM "{table}" WHERE rowid IN ({",".join("?" * len(chunk))})',
                    chunk,
                )
                names = [d[0] for d in cur.description]
                rows.extend({n: _plain(v) for n, v in zip(names, row, strict=True)}
                            for row in cur)
            out[table] = rows
    from sendobserve.storage.sources import with_sources

    with store.session() as session:
        return with_sources(session, out)


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"bytes": len(value)}  # drawings, signatures: their size, not a binary dump
    return value
