"""The request class of the sidecar app."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import HTTPException, SerializationException


def _is_json(media_type: str) -> bool:
    media_type = media_type.lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


class ApiRequest(Request):
    """A Litestar Request whose JSON body must be sent as JSON and must
    decode without exhausting the recursion limit."""

    async def json(self) -> Any:
        """Decode the JSON body.

        Raise HTTPException 415 when a non-empty body has no JSON
        Content-Type, so a text/plain form cannot stand in for a JSON call.
        Raise SerializationException (a 400) when the body nests arrays or
        objects deeper than the decoder can recurse.
        """
        body = await self.body()
        media_type, _ = self.content_type
        if body and not _is_json(media_type):
            raise HTTPException(
                status_code=415,
                detail=f"unsupported Content-Type {media_type or '(none)'!r}; "
                "send the body as JSON with Content-Type: application/json",
            )
        try:
            return await super().json()
        except RecursionError as error:
            # msgspec raises RecursionError past Python's recursion limit, as
            # for "[" * 200000. Litestar turns SerializationException in body
            # parsing into a 400, as for any other malformed JSON.
            raise SerializationException(
                "JSON is malformed: arrays or objects are nested too deeply "
                "to decode; send a flat JSON object"
            ) from error
