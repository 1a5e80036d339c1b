"""Logging for the shell: one stderr handler, secrets masked in every line, chatty libraries quietened."""

from __future__ import annotations

import logging
import sys

from config.secret import Secret, mask_secrets


class SecretMask(logging.Formatter):
    """Formats a record, then masks secrets in the whole line, tracebacks included.

    Known values (the configured tokens) and anything shaped like a token are masked: an API or a proxy that
    echoes the request URL must not put ``access_token=…`` into the log."""

    def __init__(self, secrets: list[Secret] | None = None) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")
        self._secrets = [s for s in secrets or [] if s.present]

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record), self._secrets)


def setup_logging(verbose: bool = False, secrets: list[Secret] | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(SecretMask(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    # httpx logs full request URLs at INFO, and the Bot API puts the token in the URL.
    for noisy in ("httpx", "httpcore", "apscheduler.executors", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("mcu").setLevel(logging.DEBUG if verbose else logging.INFO)
