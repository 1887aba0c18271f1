"""Mask rules of the masked export: full mask, partial mask and keyed hash.

The hash rule is HMAC-SHA256 under a secret key. A bare hash of a member id
or a date of birth can be reversed by hashing every possible value, so the
hash rule never runs without the key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from engine.config.models import MaskRuleConfig

FULL_MASK_LENGTH = 8
"""A full mask has this length whatever the value's, so it hides the length."""


class MaskingError(ValueError):
    """The mask rules cannot be applied as configured."""


class MissingHashSecret(MaskingError):
    """A hash rule is configured but governance.hash_secret is not set."""


def text_of(value: Any) -> str:
    """Return the text a rule masks: ISO 8601 for dates, ``str`` otherwise."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def mask_value(value: Any, rule: MaskRuleConfig, secret: bytes | None) -> str | None:
    """Return ``value`` masked by ``rule``; NULL stays NULL.

    Raises MissingHashSecret for a hash rule without ``secret``.
    """
    if value is None:
        return None
    text = text_of(value)
    if rule.rule == "hash":
        if not secret:
            raise MissingHashSecret(
                "a hash mask rule needs governance.hash_secret (WARROOM_MASK_SECRET)"
            )
        return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()
    if rule.rule == "partial" and len(text) > rule.keep_first + rule.keep_last:
        hidden = len(text) - rule.keep_first - rule.keep_last
        tail = text[len(text) - rule.keep_last :] if rule.keep_last else ""
        return text[: rule.keep_first] + rule.mask_char * hidden + tail
    # A partial rule on a value too short to hide anything masks it fully.
    return rule.mask_char * FULL_MASK_LENGTH


class Masker:
    """The mask rules of one table, checked against its exported columns."""

    def __init__(
        self,
        table: str,
        columns: Sequence[str],
        rules: Mapping[str, MaskRuleConfig],
        secret: str | None,
    ):
        unknown = sorted(set(rules) - set(columns))
        if unknown:
            raise MaskingError(
                f"governance.masking.{table} names columns the export does not "
                f"have: {', '.join(unknown)}; it exports {', '.join(columns)}"
            )
        hashed = sorted(name for name, rule in rules.items() if rule.rule == "hash")
        if hashed and not secret:
            raise MissingHashSecret(
                f"the masked export of {table} hashes {', '.join(hashed)} with "
                "HMAC-SHA256 and needs a secret key, but governance.hash_secret is "
                "not set; set WARROOM_MASK_SECRET (or governance.hash_secret in "
                "config/warroom.yaml) and export again (warroom demo and serve "
                "read it when they start)"
            )
        self.table = table
        self.columns = list(columns)
        self.rules = dict(rules)
        self._secret = secret.encode("utf-8") if secret else None
        self._by_index = [rules.get(name) for name in self.columns]

    def mask_row(self, row: Sequence[Any]) -> list[Any]:
        """Return ``row`` with every ruled column masked; other values unchanged."""
        return [
            value if rule is None else mask_value(value, rule, self._secret)
            for value, rule in zip(row, self._by_index, strict=True)
        ]
