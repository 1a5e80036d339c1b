"""Where alert texts go: the console (the daemon's log and the demo) and Telegram through the Bot API."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import Any, Protocol

import httpx

from alerts.message import fit_telegram
from config.errors import DeliveryError
from config.secret import Secret

log = logging.getLogger(__name__)


class Sink(Protocol):
    channel: str

    def send(self, target: str, text: str) -> None:
        """Deliver or raise ``DeliveryError``."""


class ConsoleSink:
    channel = "console"

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write

    def send(self, target: str, text: str) -> None:
        self._write(text)


def telegram_html(text: str) -> str:
    """Escape post text for Telegram's HTML mode and make the first line bold."""
    head, _, rest = fit_telegram(text, 4000).partition("\n")
    return f"<b>{html.escape(head)}</b>\n{html.escape(rest)}" if rest else f"<b>{html.escape(head)}</b>"


class TelegramSink:
    """``sendMessage`` through the Bot API at a configured base URL; errors say whether to retry."""

    channel = "telegram"

    def __init__(self, base_url: str, token: Secret, timeout: float = 10.0, client: httpx.Client | None = None) -> None:
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._client = client or httpx.Client(timeout=timeout)

    def send(self, target: str, text: str) -> None:
        url = f"{self._base_url}/bot{self._token.reveal()}/sendMessage"
        payload = {
            "chat_id": target,
            "text": telegram_html(text),
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        try:
            response = self._client.post(url, json=payload)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"Telegram недоступен: {type(exc).__name__}") from None
        log.info("telegram sendMessage chat=%s status=%s", target, response.status_code)
        try:
            body = response.json()
        except ValueError:
            raise DeliveryError(f"Telegram ответил не JSON (HTTP {response.status_code})") from None
        if not isinstance(body, dict):
            raise DeliveryError(f"Telegram ответил непонятно (HTTP {response.status_code})", response.status_code >= 500)
        if body.get("ok") is True:
            return
        code = body.get("error_code", response.status_code)
        raw_parameters = body.get("parameters")
        parameters: dict[str, Any] = raw_parameters if isinstance(raw_parameters, dict) else {}
        retryable = code == 429 or (isinstance(code, int) and code >= 500)
        raise DeliveryError(
            f"Telegram отклонил сообщение: {code} {body.get('description', '')}".strip(),
            retryable,
            parameters.get("retry_after"),
        )

    def close(self) -> None:
        self._client.close()
