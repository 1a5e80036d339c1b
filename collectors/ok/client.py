"""The OK REST API client: signs each call, sends it through ``HttpFetcher`` and turns OK errors into ours.

There is no maintained synchronous OK library, so this is the documented rule in a few lines (FACTS §2.1):
``secret = md5(access_token + application_secret)``, ``sig = md5(sorted "key=value" pairs + secret)``.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from collectors.base import NotConfigured
from collectors.budget import Budget
from collectors.http import HttpFetcher
from config.errors import AuthFailed, QuotaExhausted, RateLimited, SourceClosed, SourceUnavailable
from config.schema import Settings
from config.secret import Secret, mask_secrets

log = logging.getLogger(__name__)

API = "ok"  # the budget line and the AuthFailed.api value

# Never part of the signed string (FACTS §2.1 step 2).
UNSIGNED = frozenset({"access_token", "session_key", "sig"})

# OK error codes (apiok.ru/en/dev/errors) and what they mean for us.
AUTH_CODES = {
    101: "PARAM_API_KEY",
    102: "PARAM_SESSION_EXPIRED",
    103: "PARAM_SESSION_KEY",
    104: "PARAM_SIGNATURE",
    453: "SESSION_REQUIRED",
}
CLOSED_CODES = {
    10: "PERMISSION_DENIED",
    160: "PARAM_GROUP_ID",
    300: "NOT_FOUND",
    455: "FRIEND_RESTRICTION",
    456: "GROUP_RESTRICTION",
    457: "UNAUTHORIZED_RESTRICTION",
    458: "PRIVACY_RESTRICTION",
}
FLOOD_BLOCKED = 8
IP_BLOCKED = 9
LIMIT_REACHED = 11
SERVICE = 2  # "service temporarily unavailable": worth a short retry like a flood block

FLOOD_RETRIES = 2  # bounded: OK publishes no wait time, so after these we report and let the scheduler wait
FLOOD_WAIT = 60.0  # what we tell the caller to wait after the retries (OK gives no number)
IP_BLOCK_WAIT = 3600.0


def signature(params: Mapping[str, str], access_token: str, application_secret: str) -> str:
    """``sig`` for a request with a session token: every param but the token and sig, sorted, no separator."""
    secret = hashlib.md5((access_token + application_secret).encode("utf-8")).hexdigest().lower()
    joined = "".join(f"{key}={params[key]}" for key in sorted(params) if key not in UNSIGNED)
    return hashlib.md5((joined + secret).encode("utf-8")).hexdigest().lower()


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class OkClient:
    """Calls ``fb.do`` methods; returns the decoded JSON or raises the errors of ``config.errors``.

    ``calls`` counts HTTP requests sent (retries included), for ``Batch.calls``.
    """

    def __init__(
        self,
        fetcher: HttpFetcher,
        *,
        base_url: str,
        application_key: str,
        application_secret: Secret,
        access_token: Secret,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._fetcher = fetcher
        self._url = base_url.rstrip("/") + "/fb.do"
        self._application_key = application_key
        self._application_secret = application_secret
        self._access_token = access_token
        self._sleep = sleep

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        budget: Budget,
        *,
        sleep: Callable[[float], None] = time.sleep,
        http: httpx.Client | None = None,
    ) -> "OkClient":
        """The client for ``settings.api.ok``; raises ``NotConfigured`` naming whatever is missing."""
        ok = settings.api.ok
        missing = []
        if not ok.application_key:
            missing.append("публичный ключ приложения api.ok.application_key в конфигурации")
        if ok.application_secret is None or not ok.application_secret.present:
            missing.append(f"секретный ключ приложения ({_origin(ok.application_secret, 'MCU_OK_APP_SECRET')})")
        if ok.access_token is None or not ok.access_token.present:
            missing.append(f"ключ доступа ({_origin(ok.access_token, 'MCU_OK_ACCESS_TOKEN')})")
        if missing:
            raise NotConfigured("Одноклассники не настроены: нет " + "; нет ".join(missing))
        assert ok.application_key and ok.application_secret and ok.access_token  # narrowed above
        fetcher = HttpFetcher(
            API,
            budget,
            timeout=settings.collection.timeout,
            retries=settings.collection.retries,
            user_agent=settings.api.web.user_agent,
            client=http,
            sleep=sleep,
        )
        return cls(
            fetcher,
            base_url=ok.base_url,
            application_key=ok.application_key,
            application_secret=ok.application_secret,
            access_token=ok.access_token,
            sleep=sleep,
        )

    @property
    def calls(self) -> int:
        return self._fetcher.calls

    def call(self, method: str, **params: Any) -> Any:
        """One API method; ``None`` and empty params are dropped before signing (as aiookru does)."""
        for attempt in range(FLOOD_RETRIES + 1):
            payload, error = self._send(method, params)
            if error is None:
                return payload
            code, message = error
            if code in (FLOOD_BLOCKED, SERVICE) and attempt < FLOOD_RETRIES:
                log.info("ok %s: ошибка %s, повтор через %.0f с", method, code, 2.0**attempt)
                self._sleep(2.0**attempt)
                continue
            raise self._error(method, code, message)
        raise AssertionError("unreachable")

    def _send(self, method: str, params: Mapping[str, Any]) -> tuple[Any, tuple[int, str] | None]:
        fields = {key: _plain(value) for key, value in params.items() if value is not None and _plain(value) != ""}
        fields.update(method=method, application_key=self._application_key, format="json")
        # The token and secret are revealed only here, for this one request, and never logged.
        token = self._access_token.reveal()
        fields["sig"] = signature(fields, token, self._application_secret.reveal())
        fields["access_token"] = token
        # POST keeps the token out of the URL, so no log line (ours, httpx's, a proxy's) can carry it.
        response = self._fetcher.request("POST", self._url, data=fields, budget_method=method)
        log.debug("ok %s (%s) → HTTP %s", method, ",".join(sorted(params)), response.status_code)
        try:
            payload = response.json()
        except ValueError:
            payload = None
            if response.status_code == 200 and "invocation-error" not in response.headers:
                raise SourceUnavailable(f"ok: {method}: ответ не является JSON") from None
        error = _api_error(payload, response.headers.get("invocation-error"))
        if error is None and response.status_code != 200:
            raise SourceUnavailable(f"ok: {method}: неожиданный ответ HTTP {response.status_code}")
        return payload, error

    def _error(self, method: str, code: int, message: str) -> Exception:
        text = mask_secrets(message, [self._access_token, self._application_secret])[:200]
        log.info("ok %s: ошибка API %s (%s)", method, code, text)
        if code in AUTH_CODES:
            hint = {
                101: "проверьте api.ok.application_key",
                104: "проверьте секретный ключ приложения MCU_OK_APP_SECRET",
            }.get(code, "получите новый ключ доступа MCU_OK_ACCESS_TOKEN")
            return AuthFailed(f"ОК отклонил ключи ({code} {AUTH_CODES[code]}): {hint}", api=API)
        if code == FLOOD_BLOCKED:
            return RateLimited(f"ОК: {method}: слишком много запросов (8 FLOOD_BLOCKED), повторить позже", FLOOD_WAIT)
        if code == IP_BLOCKED:
            return RateLimited(f"ОК: {method}: запросы с этого адреса заблокированы (9 IP_BLOCKED)", IP_BLOCK_WAIT)
        if code == LIMIT_REACHED:
            until = self._fetcher.budget.block(API, method)
            message = f"ОК: {method}: исчерпан лимит вызовов (11 LIMIT_REACHED) до {until:%Y-%m-%d %H:%M} UTC"
            return QuotaExhausted(message, API, method, until)
        if code in CLOSED_CODES:
            return SourceClosed(f"ОК: {method}: нет доступа ({code} {CLOSED_CODES[code]}): {text}", code)
        return SourceUnavailable(f"ОК: {method}: ошибка API {code}: {text}")


def _api_error(payload: Any, header: str | None) -> tuple[int, str] | None:
    """``(code, message)`` of an OK error body (or of the ``invocation-error`` header alone), else ``None``."""
    if isinstance(payload, dict) and "error_code" in payload:
        try:
            code = int(payload["error_code"])
        except (TypeError, ValueError):
            code = 1  # UNKNOWN
        return code, str(payload.get("error_msg") or "")
    if header:
        try:
            return int(header.strip()), ""
        except ValueError:
            return 1, header.strip()[:100]
    return None


def _origin(secret: Secret | None, default_env: str) -> str:
    """Where the secret should come from, for the message: the configured origin, or the usual variable."""
    if secret is None:
        return f"переменная окружения {default_env}"
    origin = secret.origin
    if origin.startswith("env:"):
        return f"переменная окружения {origin[4:]}"
    return f"файл {origin.removeprefix('file:')}"
