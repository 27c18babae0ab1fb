"""Relational storage: models, repositories and Alembic migrations (SQLite or PostgreSQL)."""
