"""The database seam: the Target protocol and its PostgreSQL implementations."""
