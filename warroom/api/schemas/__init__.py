"""Typed request and response bodies of the API (msgspec Structs), and the
conversions from engine objects to them.

Every request body Struct sets ``forbid_unknown_fields=True``, so a misspelt
field is a 400 that names it instead of a field silently dropped.
"""
