"""Store commands: init, status, backup, restore, passphrase change, key rotate."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sendobserve.cli._common import (
    ask_new_passphrase,
    data_dir_from_args,
    given_secret,
    key_cache,
    open_store_from_args,
    read_secret_file,
    unlock_from_args,
)
from sendobserve.environment import NEW_PASSPHRASE_ENV, environment_secret
from sendobserve.errors import UserError
from sendobserve.services.store import BACKUPS_KEPT

# The services load the storage stack (SQLAlchemy, SQLCipher: about 0.3 s) inside each
# function, so that building the parser, --help and the other commands do not pay for it.


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "init",
        help="create a new encrypted store and print its recovery key (once)",
        description="Create a new encrypted store in the data folder. The passphrase comes "
        "from --passphrase-file, SENDOBSERVE_PASSPHRASE, or is asked for twice; one that is "
        "easy to guess (zxcvbn score below 3) is refused with the reason. The "
        "recovery key is printed once: print it or write it down and keep it safe.",
    )
    p.set_defaults(func=cmd_init)

    p = subparsers.add_parser(
        "status",
        help="show where the store is, its schema, record counts, keyring and backups",
        description="Open the store and report its location, schema version, records per "
        "table, whether an OS keyring caches the key (and if not, why) and the last backup.",
    )
    p.set_defaults(func=cmd_status)

    p = subparsers.add_parser(
        "backup",
        help="make an encrypted backup now",
        description="Copy the store, still encrypted, into the backups folder (the newest "
        f"{BACKUPS_KEPT} are kept).",
    )
    p.set_defaults(func=cmd_backup)

    p = subparsers.add_parser(
        "restore",
        help="replace the store with a backup (the current database is kept aside)",
        description="Check that FILE opens with this store's key and passes the integrity "
        "checks, then put it in place of the database. The replaced database, with its "
        "write-ahead log folded in, is kept in the backups folder as replaced-….db (later "
        "key rotations re-encrypt it). Works when the database is damaged.",
    )
    p.add_argument("file", metavar="FILE", help="the backup to restore")
    p.set_defaults(func=cmd_restore)

    p = subparsers.add_parser(
        "passphrase",
        help="change the passphrase",
        description="Passphrase commands.",
    )
    sub = p.add_subparsers(dest="passphrase_command", metavar="ACTION", required=True)
    c = sub.add_parser(
        "change",
        help="set a new passphrase (the recovery key keeps working)",
        description="Unlock with the current passphrase or the recovery key, then set a new "
        "passphrase. The new one comes from --new-passphrase-file, "
        f"{NEW_PASSPHRASE_ENV}, or is asked for twice.",
    )
    c.add_argument(
        "--new-passphrase-file", metavar="FILE", help="read the new passphrase from FILE"
    )
    c.set_defaults(func=cmd_passphrase_change)

    p = subparsers.add_parser("key", help="rotate the data key", description="Key commands.")
    sub = p.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    c = sub.add_parser(
        "rotate",
        help="re-encrypt the store and its backups under a new data key",
        description="Make a new random data key and re-encrypt the database and every backup "
        "with it. Passphrase and recovery key stay the same. Safe to interrupt: afterwards "
        "the store opens as before. A damaged backup is left as it was and listed.",
    )
    c.set_defaults(func=cmd_key_rotate)
    c = sub.add_parser(
        "recovery",
        help="make a new recovery key (the old one stops working)",
        description="Unlock with the passphrase (or the current recovery key) and replace the "
        "recovery key with a new one, printed once. Use it when the old one is lost, or "
        "when the store says the key file's recovery slot is damaged.",
    )
    c.set_defaults(func=cmd_key_recovery)


def _out(line: str = "") -> None:
    print(line, file=sys.stdout)


def _warn(warnings: Any) -> None:
    for warning in warnings:
        print(f"WARNING: {warning}", file=sys.stderr)


def cmd_init(args: argparse.Namespace) -> int:
    from sendobserve.services import store as stores

    data_dir = data_dir_from_args(args)
    blocker = stores.init_blocker(data_dir)
    if blocker:  # before asking for a passphrase that could not be used
        raise UserError(blocker)
    passphrase = ask_new_passphrase(given_secret(args), "passphrase")
    cache = key_cache()
    created = stores.create_store(data_dir, passphrase, cache)
    created.store.close()
    _out(f"Created an encrypted store in {data_dir}")
    _out()
    _out("RECOVERY KEY (shown only this once; print it or write it down, keep it safe):")
    _out()
    _out(f"    {created.recovery_key}")
    _out()
    _out("It opens the store if the passphrase is forgotten. Anyone holding it and a copy of")
    _out("the data folder can read the records, so keep it apart from the computer.")
    if created.keyring_note:  # in words, not the keyring library's class names
        status = cache.status()
        why = "the OS keyring refused the key" if status.trusted else status.plain()
        _out(f"The passphrase will be asked for each time: {why}.")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from sendobserve.services import store as stores

    with open_store_from_args(args) as store:
        found = stores.status(store, key_cache())
    _out(f"data folder:  {found.data_dir}")
    _out(f"database:     {found.database} ({found.size_kib():.0f} KiB, encrypted)")
    _out(f"key file:     {found.key_file}")
    _out(f"store id:     {found.store_id}")
    state = "up to date" if found.up_to_date else \
        f"this version expects {', '.join(found.heads)}"
    _out(f"schema:       {found.revision} ({state})")
    _out("records:")
    for table, count in found.counts.items():
        _out(f"  {table:<28} {count}")
    _out(f"keyring:      {found.keyring}")
    if found.backups:
        _out(f"last backup:  {found.last_backup:%Y-%m-%d %H:%M} UTC, {found.backups[0]}")
        _out(f"backups kept: {len(found.backups)} in {found.backup_dir}")
    else:
        _out("last backup:  none yet")
    for warning in found.warnings:
        _out(f"warning:      {warning}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from sendobserve.services.store import make_backup

    with open_store_from_args(args) as store:
        made = make_backup(store).value
    _out(f"Backup written: {made}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from sendobserve.services.store import restore_backup

    data_dir = data_dir_from_args(args)
    unlocked = unlock_from_args(args)
    _warn(unlocked.warnings)
    result = restore_backup(data_dir, unlocked, Path(args.file)).value
    _out(f"Restored {result.restored_from}")
    if result.replaced_copy is not None:
        _out(f"The database it replaced is kept as {result.replaced_copy}")
    if result.kept_log is not None:
        _out(f"Its write-ahead log could not be folded into it and is kept as {result.kept_log}")
    return 0


def cmd_passphrase_change(args: argparse.Namespace) -> int:
    from sendobserve.services.store import change_passphrase

    data_dir = data_dir_from_args(args)
    unlocked = unlock_from_args(args)
    given: str | None = environment_secret(NEW_PASSPHRASE_ENV)
    if args.new_passphrase_file:
        given = read_secret_file(args.new_passphrase_file)
    still = change_passphrase(data_dir, unlocked, ask_new_passphrase(given)).value
    _out("Passphrase changed. The recovery key is unchanged.")
    _warn(still)
    return 0


def cmd_key_rotate(args: argparse.Namespace) -> int:
    from sendobserve.services.store import rotate_data_key

    data_dir = data_dir_from_args(args)
    unlocked = unlock_from_args(args)
    _warn(unlocked.warnings)
    rotated = rotate_data_key(data_dir, unlocked, key_cache()).value
    _out(
        f"Data key rotated (key id {rotated.key_id[:8]}…); the database and its backups are "
        "re-encrypted."
    )
    for skipped in rotated.skipped:
        _out(f"Not re-encrypted (damaged, left as it was): {skipped}")
    return 0


def cmd_key_recovery(args: argparse.Namespace) -> int:
    from sendobserve.services.store import new_recovery_key

    data_dir = data_dir_from_args(args)
    unlocked = unlock_from_args(args)
    recovery = new_recovery_key(data_dir, unlocked).value
    _out("NEW RECOVERY KEY (shown only this once; the old one no longer works):")
    _out()
    _out(f"    {recovery}")
    _out()
    _out("Print it or write it down and keep it apart from the computer.")
    return 0
