"""The war room's screens; each one routes keys and composes panels."""
