"""The request class of the sidecar app."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException


class ApiRequest(Request):
    """A Litestar Request whose JSON decoding fails with a 400 on deep nesting."""

    async def json(self) -> Any:
        """Decode the JSON body; raise SerializationException (a 400) when it
        nests arrays or objects deeper than the decoder can recurse."""
        try:
            return await super().json()
        except RecursionError as error:
            # msgspec raises RecursionError past Python's recursion limit, as
            # for "[" * 200000; Litestar answers SerializationException in the
            # body parsing with a 400, as for any other malformed JSON.
            raise SerializationException(
                "JSON is malformed: arrays or objects are nested too deeply "
                "to decode; send a flat JSON object"
            ) from error
