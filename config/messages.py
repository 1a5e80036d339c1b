"""Russian wording for pydantic validation errors, shared by the config loader and record parsers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

_MESSAGES = {
    "missing": "обязательный ключ не задан",
    "extra_forbidden": "неизвестный ключ",
    "int_parsing": "ожидается целое число",
    "int_type": "ожидается целое число",
    "int_from_float": "ожидается целое число",
    "float_parsing": "ожидается число",
    "float_type": "ожидается число",
    "bool_parsing": "ожидается true или false",
    "bool_type": "ожидается true или false",
    "string_type": "ожидается строка",
    "list_type": "ожидается список",
    "dict_type": "ожидается словарь (ключ: значение)",
    "model_type": "ожидается словарь (ключ: значение)",
    "model_attributes_type": "ожидается словарь (ключ: значение)",
    "too_short": "слишком мало элементов или пустое значение",
    "string_too_short": "значение не может быть пустым",
    "greater_than": "значение слишком мало",
    "greater_than_equal": "значение слишком мало",
    "less_than_equal": "значение слишком велико",
    "literal_error": "недопустимое значение",
    "string_pattern_mismatch": "значение не подходит по формату",
    "datetime_parsing": "ожидается дата и время ISO 8601 со смещением, например 2026-01-14T08:00:00+03:00",
    "datetime_from_date_parsing": "ожидается дата и время ISO 8601 со смещением, например 2026-01-14T08:00:00+03:00",
    "datetime_type": "ожидается дата и время ISO 8601",
    "timezone_aware": "у даты нет смещения часового пояса (+03:00)",
}


def describe_error(error: Mapping[str, Any]) -> str:
    """One Russian line for one pydantic error, prefixed by its key path."""
    path = ".".join(str(part) for part in error.get("loc", ()) if part != "__root__")
    kind = error.get("type", "")
    if kind == "value_error":
        # Our own validators raise Russian messages; pydantic would prefix them in English.
        message = str(error.get("ctx", {}).get("error", error.get("msg", "")))
    else:
        message = _MESSAGES.get(kind, error.get("msg", "неверное значение"))
        if kind == "literal_error":
            message += f" (допустимо: {error.get('ctx', {}).get('expected', '')})"
    return f"{path}: {message}" if path else message


def describe_validation_error(exc: ValidationError) -> list[str]:
    """Every problem of a validation error, each as one Russian line."""
    problems: list[str] = []
    for error in exc.errors(include_url=False):
        if error.get("type") == "value_error" and not error.get("loc"):
            problems.extend(str(error.get("ctx", {}).get("error", "")).split("; "))
        else:
            problems.append(describe_error(error))
    return problems
