"""Chaos drills: scenarios, interlocks, the rollback journal and the drill runner."""
