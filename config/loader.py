"""Find, read and validate the configuration file; every problem is reported at once, in Russian."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from config.errors import ConfigError
from config.messages import describe_validation_error
from config.schema import Settings

BUILTIN_NAME = "desnogorsk.yaml"


def builtin_config_path() -> Path:
    """The Desnogorsk configuration shipped inside the package."""
    return Path(str(resources.files("config").joinpath(BUILTIN_NAME)))


def find_config(explicit: str | None) -> Path:
    """``--config`` first, then ``$MCU_CONFIG``, then ``./mcu.yaml``, then the built-in file."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get("MCU_CONFIG")
    if from_env:
        return Path(from_env)
    local = Path("mcu.yaml")
    if local.exists():
        return local
    return builtin_config_path()


def parse_config(text: str, origin: str, base_dir: Path) -> Settings:
    """Validate YAML text into ``Settings``; raise ``ConfigError`` listing every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (строка {mark.line + 1})" if mark is not None else ""
        raise ConfigError(origin, [f"файл не является корректным YAML{where}"]) from exc
    if not isinstance(data, dict):
        raise ConfigError(origin, ["в начале файла ожидается словарь разделов (town, roles, …)"])
    try:
        return Settings.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise ConfigError(origin, describe_validation_error(exc)) from exc


def load_config(explicit: str | None = None) -> tuple[Settings, Path]:
    """Load the configuration the user meant; return it with the path it came from."""
    path = find_config(explicit)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(str(path), ["файл не найден"]) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), [f"файл не в кодировке UTF-8 (байт {exc.start + 1}): сохраните его в UTF-8"]) from None
    except OSError as exc:
        raise ConfigError(str(path), [f"файл не читается: {exc.strerror or exc}"]) from exc
    return parse_config(text, str(path), path.resolve().parent), path
