"""A small Bot API client: one POST per method, the real error envelope turned into ``DeliveryError``."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from config.errors import DeliveryError
from config.secret import Secret

log = logging.getLogger(__name__)
NOT_MODIFIED = "message is not modified"


class BotClient:
    """Calls ``<base_url>/bot<token>/<method>``; the token never appears in errors or logs."""

    def __init__(self, base_url: str, token: Secret, timeout: float = 10.0, client: httpx.Client | None = None) -> None:
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._client = client or httpx.Client(timeout=timeout)

    def call(self, method: str, payload: dict[str, Any], timeout: float | None = None) -> Any:
        """The ``result`` of a successful call; ``DeliveryError`` says whether trying again can help."""
        return self._post(method, timeout, json=payload)

    def upload(self, method: str, fields: dict[str, Any], field: str, filename: str, content: bytes, mime: str,
               timeout: float | None = None) -> Any:
        """sendPhoto / sendDocument with the file in multipart/form-data."""
        data = {key: str(value) for key, value in fields.items()}
        return self._post(method, timeout, data=data, files={field: (filename, content, mime)})

    def _post(self, method: str, timeout: float | None, **body: Any) -> Any:
        url = f"{self._base_url}/bot{self._token.reveal()}/{method}"
        try:
            response = self._client.post(url, timeout=timeout or self._timeout, **body)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"Telegram недоступен: {type(exc).__name__}") from None
        log.debug("telegram %s status=%s", method, response.status_code)
        # An answer that is not the API's envelope (cut off, a proxy's page) says nothing about the message:
        # it is tried again rather than lost.
        try:
            body = response.json()
        except ValueError:
            raise DeliveryError(f"Telegram ответил не JSON (HTTP {response.status_code})") from None
        if not isinstance(body, dict):
            raise DeliveryError(f"Telegram ответил непонятно (HTTP {response.status_code})")
        if body.get("ok") is True:
            return body.get("result")
        code = body.get("error_code", response.status_code)
        raw = body.get("parameters")
        parameters: dict[str, Any] = raw if isinstance(raw, dict) else {}
        retryable = code == 429 or (isinstance(code, int) and code >= 500)
        raise DeliveryError(
            f"Telegram отклонил {method}: {code} {body.get('description', '')}".strip(),
            retryable,
            parameters.get("retry_after"),
        )

    def close(self) -> None:
        self._client.close()
