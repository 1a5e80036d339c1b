"""Configuration: one YAML file validated whole into typed settings; also the project's exception root."""

from config.duration import parse_duration
from config.errors import (
    AuthFailed,
    CollectorError,
    ConfigError,
    DeliveryError,
    InputError,
    MCUError,
    QuotaExhausted,
    RateLimited,
    SourceClosed,
    SourceUnavailable,
    StorageError,
)
from config.loader import builtin_config_path, find_config, load_config, parse_config
from config.schema import LEVELS, Level, Platform, Settings
from config.secret import Secret, mask_secrets

__all__ = [
    "LEVELS",
    "AuthFailed",
    "CollectorError",
    "ConfigError",
    "DeliveryError",
    "InputError",
    "Level",
    "MCUError",
    "Platform",
    "QuotaExhausted",
    "RateLimited",
    "Secret",
    "Settings",
    "SourceClosed",
    "SourceUnavailable",
    "StorageError",
    "builtin_config_path",
    "find_config",
    "load_config",
    "mask_secrets",
    "parse_config",
    "parse_duration",
]
