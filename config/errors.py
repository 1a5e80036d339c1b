"""The project's exception tree; every component raises from here.

    MCUError                  anything a user can meet; the CLI prints it as one Russian line
    ├── ConfigError           the YAML file is unreadable or invalid (all problems listed together)
    ├── InputError            a user-supplied file or stream cannot be used at all
    ├── CollectorError        a source could not be collected
    │   ├── SourceUnavailable     unreachable now (network, HTTP 5xx, malformed answer); try again later
    │   │   └── SourceClosed          closed, private, deleted or banned: stop polling it, keep the others
    │   ├── RateLimited           the API asked us to wait (``retry_after`` seconds)
    │   │   └── QuotaExhausted        a method's daily quota is spent until ``until``
    │   └── AuthFailed            the token is invalid, expired or of the wrong type
    ├── StorageError          the database is unreachable or its schema is out of date
    └── DeliveryError         an alert could not be delivered (the outbox will retry)
"""

from __future__ import annotations

from datetime import datetime


class MCUError(Exception):
    """Root of every error a user can meet; ``str()`` is a Russian sentence."""


class ConfigError(MCUError):
    """The configuration cannot be used; ``problems`` holds every problem found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        listing = "; ".join(problems)
        super().__init__(f"ошибки в конфигурации {source}: {listing}")


class InputError(MCUError):
    """A file or stream given by the user cannot be read at all."""


class CollectorError(MCUError):
    """A source could not be collected this time."""


class SourceUnavailable(CollectorError):
    """The source is closed, deleted or unreachable."""


class SourceClosed(SourceUnavailable):
    """The source is closed, private, deleted or banned: mark it and keep going with the others."""

    def __init__(self, message: str, code: int | str | None = None) -> None:
        super().__init__(message)
        self.code = code


class RateLimited(CollectorError):
    """The API asked us to wait before the next request."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QuotaExhausted(RateLimited):
    """A method's daily quota is spent: no calls to ``api``/``method`` until ``until``."""

    def __init__(self, message: str, api: str, method: str, until: datetime) -> None:
        super().__init__(message, retry_after=0.0)
        self.api = api
        self.method = method
        self.until = until


class AuthFailed(CollectorError):
    """The token is invalid, expired, revoked or of the wrong type: nothing works until a person fixes it."""

    def __init__(self, message: str, api: str) -> None:
        super().__init__(message)
        self.api = api


class StorageError(MCUError):
    """The database is unreachable, broken, or its schema is out of date."""


class DeliveryError(MCUError):
    """A message could not be delivered; ``retryable`` says whether to try again."""

    def __init__(self, message: str, retryable: bool = True, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
