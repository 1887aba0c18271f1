"""Attach mode: the TUI against a running sidecar (``warroom tui --attach URL``)."""
