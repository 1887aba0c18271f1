"""Snapshot polling, the blocking graph and threshold findings."""
