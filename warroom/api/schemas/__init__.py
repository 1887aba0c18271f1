"""Typed request and response bodies of the API (msgspec Structs), and the
conversions from engine objects to them."""
