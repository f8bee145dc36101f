"""Alembic migrations, run programmatically on the store's open connection (no alembic.ini)."""
