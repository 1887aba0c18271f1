"""config_with: the sidecar's settings copied into the engineer's config."""

from __future__ import annotations

from engine.config import load_config
from engine.paths import CONFIG_DIR
from warroom.api.schemas.settings import settings_out
from warroom.attach.convert import config_with


def test_rules_copied_without_params() -> None:
    sidecar = load_config(CONFIG_DIR, environ={})
    local = load_config(CONFIG_DIR, environ={})
    local.validation.rules = []
    ranges = [rule for rule in sidecar.validation.rules if rule.type == "range_check"]
    # The settings body leaves params out, which a range check needs.
    assert ranges

    copied = config_with(local, settings_out(sidecar)).validation.rules

    assert [rule.name for rule in copied] == [
        rule.name for rule in sidecar.validation.rules
    ]
    assert [rule.type for rule in copied] == [
        rule.type for rule in sidecar.validation.rules
    ]
    assert all(rule.params == {} for rule in copied)


def test_remediation_defaults_copied() -> None:
    sidecar = load_config(CONFIG_DIR, environ={})
    sidecar.warroom.remediation.dry_run = True
    sidecar.warroom.remediation.auto = True
    local = load_config(CONFIG_DIR, environ={})

    copied = config_with(local, settings_out(sidecar)).warroom.remediation

    assert copied.dry_run is True
    assert copied.auto is True
    assert local.warroom.remediation.dry_run is False
