"""Secrets referenced from config: read from an environment variable or a file, never written in the YAML."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

MASK = "***"


@dataclass(frozen=True)
class Secret:
    """A resolved secret whose value never shows in repr, str or logs."""

    origin: str
    _value: str | None = field(repr=False, compare=False)

    @property
    def present(self) -> bool:
        return bool(self._value)

    def reveal(self) -> str:
        """The plain value, for the one call that needs it (an API request)."""
        if not self._value:
            raise LookupError(f"секрет не задан ({self.origin})")
        return self._value

    def __str__(self) -> str:
        return MASK if self._value else f"<не задан: {self.origin}>"

    def __repr__(self) -> str:
        return f"Secret({self.origin}, {'***' if self._value else 'не задан'})"


def resolve_secret(env: str | None, file: str | None, base_dir: Path) -> Secret:
    """Read a secret; a missing env var means "not configured", a missing named file is an error."""
    if env:
        return Secret(origin=f"env:{env}", _value=(os.environ.get(env) or "").strip() or None)
    assert file is not None
    path = Path(file).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ValueError(f"не удалось прочитать файл секрета {path}: {exc.strerror or exc}") from exc
    return Secret(origin=f"file:{path}", _value=value or None)


def mask_secrets(text: str, secrets: list[Secret]) -> str:
    """Replace every known secret value in ``text`` (for log lines and error messages)."""
    for secret in secrets:
        if secret.present:
            text = text.replace(secret.reveal(), MASK)
    return text
