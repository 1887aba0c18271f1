"""The engine's own state in SQLite (WAL), separate from the monitored target."""

from engine.store.database import Store

__all__ = ["Store"]
