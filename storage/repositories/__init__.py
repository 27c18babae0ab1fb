"""Repositories: the only place that writes SQL. Services call these with plain values."""
