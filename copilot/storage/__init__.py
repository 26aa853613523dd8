"""Relational storage: the database (``db``), its schema (``models``, alembic ``migrations``) and the
async, owner-scoped stores over it (conversations, accounts, runs)."""
