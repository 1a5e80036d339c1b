"""Logging for the shell: one stderr handler, secrets masked in every line, chatty libraries quietened."""

from __future__ import annotations

import logging
import sys

from config.secret import Secret, mask_secrets


class SecretMask(logging.Filter):
    """Replaces known secret values in the formatted message; tokens in URLs included."""

    def __init__(self, secrets: list[Secret]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s.present]

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            record.msg = mask_secrets(record.getMessage(), self._secrets)
            record.args = None
        return True


def setup_logging(verbose: bool = False, secrets: list[Secret] | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S"))
    handler.addFilter(SecretMask(secrets or []))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    # httpx logs full request URLs at INFO, and the Bot API puts the token in the URL.
    for noisy in ("httpx", "httpcore", "apscheduler.executors", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("mcu").setLevel(logging.DEBUG if verbose else logging.INFO)
