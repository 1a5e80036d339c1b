"""Secrets referenced from config: read from an environment variable or a file, never written in the YAML."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

MASK = "***"
MIN_MASKED = 4  # a "secret" shorter than this would mask ordinary words; real tokens are far longer

# Every secret value resolved in this process. Error texts reach storage, logs and digests from components that
# never see the settings (an API or proxy echoing the request URL); ``redact`` masks them all the same.
_KNOWN: set[str] = set()

# What a secret looks like even when we do not know its value: parameters and headers that carry one,
# a Bot API URL, a VK token, a telethon StringSession. Group 1 is kept, group 2 is masked.
_NAMES = (
    r"access_?token|refresh_?token|token|sig|signature|api_?hash|app(?:lication)?_?secret(?:_?key)?|client_?secret"
    r"|secret_?key|session_?secret_?key|session|string_?session|password|passwd"
)
_PATTERNS = (
    # access_token=…, sig=…, api_hash: …, "session": "…" — in URLs, forms, JSON and prose alike
    re.compile(rf"(?i)(?<![A-Za-z0-9])((?:{_NAMES})[\"']?\s*[=:]\s*[\"']?)([^\s&\"',;)}}\]]+)"),
    # VK's request_params: {"key": "access_token", "value": "…"}
    re.compile(rf"(?i)([\"']key[\"']\s*:\s*[\"'](?:{_NAMES})[\"']\s*,\s*[\"']value[\"']\s*:\s*[\"'])([^\"']+)"),
    re.compile(r"(?i)(\bBearer\s+)([A-Za-z0-9._~+/=-]+)"),
    re.compile(r"(/bot)(\d+:[A-Za-z0-9_-]+)"),  # Bot API URLs: https://api.telegram.org/bot<id>:<token>/method
    re.compile(r"()(\b\d{5,}:[A-Za-z0-9_-]{30,})"),  # a bare bot token
    re.compile(r"()(\bvk1\.a\.[A-Za-z0-9_-]+)"),  # a VK access token
)
# A StringSession or another long opaque blob: mixed case and digits (a long lowercase URL slug is not one).
_BLOB = re.compile(r"[A-Za-z0-9+/=_-]{100,}")


def _mask_blob(match: re.Match[str]) -> str:
    blob = match.group(0)
    opaque = any(c.isupper() for c in blob) and any(c.islower() for c in blob) and any(c.isdigit() for c in blob)
    return MASK if opaque else blob


@dataclass(frozen=True)
class Secret:
    """A resolved secret whose value never shows in repr, str or logs."""

    origin: str
    _value: str | None = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._value and len(self._value) >= MIN_MASKED:
            _KNOWN.add(self._value)

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
    except UnicodeDecodeError:
        raise ValueError(f"файл секрета {path} не в кодировке UTF-8") from None
    except OSError as exc:
        raise ValueError(f"не удалось прочитать файл секрета {path}: {exc.strerror or exc}") from exc
    return Secret(origin=f"file:{path}", _value=value or None)


def mask_secrets(text: str, secrets: list[Secret] | None = None) -> str:
    """Replace secrets in ``text`` before it is stored, logged or shown: the values of ``secrets``, every secret
    resolved in this process, and anything shaped like a token (see ``_PATTERNS``)."""
    if not text:
        return text
    values = set(_KNOWN)
    values.update(s.reveal() for s in secrets or () if s.present)
    for value in sorted(values, key=len, reverse=True):  # a longer secret may contain a shorter one
        if value in text:
            text = text.replace(value, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda match: match.group(1) + MASK, text)
    return _BLOB.sub(_mask_blob, text)
