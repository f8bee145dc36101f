"""What can go wrong when opening or unlocking the store, each with one clear line.

Every error here is raised before anything on disk was changed. The CLI prints the
message and exits non-zero; the GUI shows it in a dialog.
"""

from __future__ import annotations

from sendobserve.errors import UserError


class StoreError(UserError):
    """Base class for problems with the store, its key file or its backups."""


class NoStoreError(StoreError):
    """There is no database in the data folder (yet)."""


class StoreExistsError(StoreError):
    """``init`` found a database or key file it must not overwrite."""


class WrongKeyError(StoreError):
    """The passphrase, recovery key or data key does not open this store."""


class DamagedStoreError(StoreError):
    """The database file fails its checks: damaged, truncated, or not encrypted."""


class NewerSchemaError(StoreError):
    """The database was written by a newer version of sendobserve."""


class KeyFileError(StoreError):
    """The key file is missing, damaged, or from a newer version."""


class DataDirError(StoreError):
    """The data folder cannot be created or written."""


class StoreBusyError(StoreError):
    """Another sendobserve is using the store, so a whole-file operation must wait."""


class DiskFullError(StoreError):
    """The disk (or the user's quota) is full: nothing was changed, try again with space."""
