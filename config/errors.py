"""The project's exception tree; every component raises from here.

    MCUError                  anything a user can meet; the CLI prints it as one Russian line
    ├── ConfigError           the YAML file is unreadable or invalid (all problems listed together)
    ├── InputError            a user-supplied file or stream cannot be used at all
    ├── CollectorError        a source could not be collected
    │   ├── SourceUnavailable     closed, deleted or unreachable; try again later or never
    │   └── RateLimited           the API asked us to wait (``retry_after`` seconds)
    ├── StorageError          the database is unreachable or its schema is out of date
    └── DeliveryError         an alert could not be delivered (the outbox will retry)
"""

from __future__ import annotations


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


class RateLimited(CollectorError):
    """The API asked us to wait before the next request."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StorageError(MCUError):
    """The database is unreachable, broken, or its schema is out of date."""


class DeliveryError(MCUError):
    """A message could not be delivered; ``retryable`` says whether to try again."""

    def __init__(self, message: str, retryable: bool = True, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
