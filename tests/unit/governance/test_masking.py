"""Mask rules, the keyed hash, and the export path check."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from engine.config.models import GovernanceConfig, MaskRuleConfig
from engine.governance.export import ExportPathError, resolve_export_path
from engine.governance.masking import (
    Masker,
    MaskingError,
    MissingHashSecret,
    mask_value,
)

FULL = MaskRuleConfig(rule="full")
HASH = MaskRuleConfig(rule="hash")


def test_full_mask_hides_length():
    assert mask_value("Al", FULL, None) == "********"
    assert mask_value("Bartholomew", FULL, None) == "********"


def test_partial_keeps_last_four():
    rule = MaskRuleConfig(rule="partial", keep_last=4)

    assert mask_value("123-45-6789", rule, None) == "*******6789"


def test_partial_keeps_year_of_date():
    rule = MaskRuleConfig(rule="partial", keep_first=4, mask_char="#")

    assert mask_value(date(1980, 5, 2), rule, None) == "1980######"


def test_partial_on_short_value_masks_all():
    rule = MaskRuleConfig(rule="partial", keep_first=3, keep_last=2)

    assert mask_value("12345", rule, None) == "********"


def test_null_stays_null():
    assert mask_value(None, FULL, None) is None


def test_hash_is_keyed():
    digest = mask_value("WRM000000001", HASH, b"key-one")

    expected = hmac.new(b"key-one", b"WRM000000001", hashlib.sha256).hexdigest()
    assert digest == expected
    assert digest != hashlib.sha256(b"WRM000000001").hexdigest()
    assert digest != mask_value("WRM000000001", HASH, b"key-two")


def test_hash_without_secret_raises():
    with pytest.raises(MissingHashSecret):
        mask_value("WRM000000001", HASH, None)


def test_masker_rejects_hash_without_secret():
    with pytest.raises(MissingHashSecret, match="member_id.*WARROOM_MASK_SECRET"):
        Masker("healthcare.patients", ["member_id"], {"member_id": HASH}, None)


def test_masker_rejects_unknown_column():
    with pytest.raises(MaskingError, match="ssn"):
        Masker("healthcare.patients", ["member_id"], {"ssn": FULL}, "key")


def test_masker_masks_only_ruled_columns():
    masker = Masker("t.p", ["id", "first_name"], {"first_name": FULL}, None)

    assert masker.mask_row([7, "Maria"]) == [7, "********"]


def test_partial_rule_needs_keep():
    with pytest.raises(ValidationError, match="keep_first or keep_last"):
        MaskRuleConfig(rule="partial")


def test_blank_secret_is_unset():
    assert GovernanceConfig(hash_secret="  ").hash_secret is None


def test_export_path_inside_exports(tmp_path: Path):
    path = resolve_export_path(tmp_path, "daily/p.csv", "csv")

    assert path == tmp_path.resolve() / "exports" / "daily" / "p.csv"
    # Checking creates nothing: the export creates its folders itself.
    assert not (tmp_path / "exports").exists()


def test_export_path_absolute_inside(tmp_path: Path):
    requested = str(tmp_path / "exports" / "p.json")

    path = resolve_export_path(tmp_path, requested, "json")

    assert path == tmp_path.resolve() / "exports" / "p.json"


@pytest.mark.parametrize(
    "requested",
    ["../p.csv", "../pgdata/p.csv", "/etc/p.csv", "a/../../p.csv", "", ".", "../"],
)
def test_export_path_outside_rejected(tmp_path: Path, requested: str):
    with pytest.raises(ExportPathError):
        resolve_export_path(tmp_path / "data", requested, "csv")


@pytest.mark.parametrize(
    ("requested", "export_format"),
    [("p.json", "csv"), ("p.csv", "json"), ("p", "csv"), ("p.csv.gz", "csv")],
)
def test_export_path_extension_rejected(
    tmp_path: Path, requested: str, export_format: str
):
    with pytest.raises(ExportPathError, match=f"does not end in .{export_format}"):
        resolve_export_path(tmp_path, requested, export_format)


def test_export_path_existing_rejected(tmp_path: Path):
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "p.csv").write_text("an earlier export")

    with pytest.raises(ExportPathError, match="exists"):
        resolve_export_path(tmp_path, "p.csv", "csv")


def test_export_folder_link_rejected(tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    (home / "exports").symlink_to(elsewhere, target_is_directory=True)

    with pytest.raises(ExportPathError, match="not a file inside"):
        resolve_export_path(home, "p.csv", "csv")
