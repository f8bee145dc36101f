"""The encrypted store: engine, keys, backups, migrations, repositories. Qt-free."""

# How many rolling backups are kept. Here, not in ``backup``, so that the command line can
# name it in its help without importing the storage stack (SQLAlchemy, SQLCipher).
BACKUPS_KEPT = 7
