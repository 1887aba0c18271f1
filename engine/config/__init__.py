"""Typed configuration loaded from the YAML files in ``config/``."""

from engine.config.loader import ConfigError, ConfigProblem, load_config
from engine.config.models import (
    ChaosConfig,
    IncidentsConfig,
    JobsConfig,
    MonitorConfig,
    RemediationConfig,
    ScenarioConfig,
    SidecarConfig,
    TargetConfig,
    ThresholdsConfig,
    ValidationConfig,
    WarroomConfig,
    WarroomFile,
)

__all__ = [
    "ChaosConfig",
    "ConfigError",
    "ConfigProblem",
    "IncidentsConfig",
    "JobsConfig",
    "MonitorConfig",
    "RemediationConfig",
    "ScenarioConfig",
    "SidecarConfig",
    "TargetConfig",
    "ThresholdsConfig",
    "ValidationConfig",
    "WarroomConfig",
    "WarroomFile",
    "load_config",
]
