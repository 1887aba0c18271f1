"""governance.classifications: its categories, its table names and the
shipped list of the demo schema's PHI columns."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from engine.config import load_config
from engine.config.models import ColumnCategory, GovernanceConfig
from engine.governance.monitor import CATEGORIES, configured_classifications
from engine.paths import CONFIG_DIR


def test_categories_match_classifier():
    assert get_args(ColumnCategory) == CATEGORIES


def test_unknown_category_rejected():
    with pytest.raises(ValidationError, match="healthcare.patients"):
        GovernanceConfig(classifications={"healthcare.patients": {"ssn": "social"}})


def test_table_without_schema_rejected():
    with pytest.raises(ValidationError, match="missing its schema"):
        GovernanceConfig(classifications={"patients": {"ssn": "ssn"}})


def test_shipped_list_covers_dimensions():
    governance = load_config(CONFIG_DIR, environ={}).warroom.governance
    keys = configured_classifications(governance)

    for column in ("member_id", "first_name", "last_name", "date_of_birth"):
        patient = keys[("healthcare", "patients", column)]
        assert keys[("healthcare", "dim_patient", column)] == patient
    for column in ("first_name", "last_name"):
        provider = keys[("healthcare", "providers", column)]
        assert keys[("healthcare", "dim_provider", column)] == provider
    assert keys[("healthcare", "dim_patient", "zip_code")] == "zip_code"
