"""Incident lifecycle, timelines and postmortems."""
