"""Actor names reserved for the war room's own actions."""

from __future__ import annotations

import pytest

from engine.actors import DEMO_ACTOR, RESERVED_ACTORS, is_reserved_actor
from engine.incidents.manager import ENGINE
from engine.incidents.sla import AUTO_REMEDIATION_ACTOR, CHAOS_ACTOR
from engine.jobs.alerts import ACTOR as SCHEDULER_ACTOR


def test_engine_constants_reserved():
    for name in (
        ENGINE,
        AUTO_REMEDIATION_ACTOR,
        CHAOS_ACTOR,
        SCHEDULER_ACTOR,
        DEMO_ACTOR,
    ):
        assert name in RESERVED_ACTORS


@pytest.mark.parametrize(
    ("name", "reserved"),
    [
        ("engine", True),
        ("ENGINE", True),
        ("engine  (auto)", True),
        ("remediation", True),
        ("scheduler", True),
        ("drill 3", True),
        ("Drill 3", True),
        ("classifier (first scan)", True),
        ("Demo (startup)", True),
        ("demo", False),
        ("dana.oncall", False),
        ("api", False),
        ("drill sergeant", False),
        ("engineer", False),
    ],
)
def test_reserved_actor_names(name, reserved):
    assert is_reserved_actor(name) is reserved
