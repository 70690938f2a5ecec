"""Alembic migrations for the vault schema (run programmatically on the keyed connection)."""
