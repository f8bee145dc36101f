"""The encrypted store: engine, keys, backups, migrations, repositories. Qt-free."""
