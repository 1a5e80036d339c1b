"""Raw VK API calls through the ``vk_api`` library: the budget before each request, bounded retries, our errors.

vk_api's own handlers are switched off where they would loop (error 6 retries forever by recursion) or need a
person (captcha); every call is one ``budget.acquire("vk", method)``, one INFO log line without the token, and
either the decoded ``response`` or an exception from ``config.errors`` (see ``collectors.vk.errors``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import jconfig
import requests
import vk_api
from vk_api.exceptions import CAPTCHA_ERROR_CODE, TOO_MANY_RPS_CODE, ApiError, ApiHttpError, VkApiError

from collectors.budget import Budget
from collectors.vk.errors import API, RETRY_CODES, translate
from collectors.vk.transport import make_session
from config.errors import SourceUnavailable
from config.secret import Secret

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0
MAX_SHOWN = 200  # characters of parameters in a log line (wall.getById lists up to 100 posts)


class VkClient:
    """Calls VK API methods and returns ``response`` payloads; counts the requests it made in ``calls``.

    ``retries`` bounds the extra attempts after errors 6/9/10, HTTP failures, timeouts and malformed answers;
    ``sleep`` is injected so tests never wait.
    """

    def __init__(
        self,
        token: Secret,
        budget: Budget,
        *,
        base_url: str = "https://api.vk.ru",
        version: str = "5.199",
        timeout: float = 20.0,
        retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        self.budget = budget
        self.retries = retries
        self.calls = 0
        self._token = token
        self._sleep = sleep
        # No token here: it is added to each request's form at the moment of the call.
        self._vk = vk_api.VkApi(
            token=None,
            api_version=version,
            session=session or make_session(base_url, timeout),
            config=jconfig.MemoryConfig,  # never read or write vk_config.v2.json in the working directory
        )
        self._vk.RPS_DELAY = 0  # the shared Budget paces requests, not vk_api's per-object sleep
        # The library retries error 6 by unbounded recursion and raises its own Captcha object; we handle both.
        self._vk.error_handlers.pop(TOO_MANY_RPS_CODE, None)
        self._vk.error_handlers.pop(CAPTCHA_ERROR_CODE, None)

    def call(self, method: str, params: Mapping[str, Any]) -> Any:
        """One API method; returns ``response`` or raises ``AuthFailed``/``QuotaExhausted``/``RateLimited``/
        ``SourceClosed``/``VkApiFailure``/``SourceUnavailable``."""
        values = {key: _form_value(value) for key, value in params.items() if value is not None}
        shown = " ".join(f"{key}={value}" for key, value in values.items())
        if len(shown) > MAX_SHOWN:
            shown = shown[:MAX_SHOWN] + "…"
        for attempt in range(self.retries + 1):
            self.budget.acquire(API, method)
            self.calls += 1
            try:
                return self._attempt(method, values, shown)
            except _Retry as retry:
                if attempt < self.retries:
                    self._sleep(min(MAX_BACKOFF, 2.0**attempt))
                    continue
                if retry.code is not None:
                    raise translate(retry.code, retry.problem, method, self._block) from None
                raise SourceUnavailable(f"VK {method}: {retry.problem}") from None
        raise AssertionError("unreachable")

    def _attempt(self, method: str, values: dict[str, Any], shown: str) -> Any:
        """One request: the payload, ``_Retry`` when another attempt may help, our error when it cannot."""
        form = dict(values, access_token=self._token.reveal())
        try:
            raw = self._vk.method(method, form, raw=True)
        except ApiError as exc:
            code = exc.code if isinstance(exc.code, int) else -1
            message = str(exc.error.get("error_msg") or "") if isinstance(exc.error, dict) else ""
            log.info("vk %s %s → ошибка %s", method, shown, code)
            if code in RETRY_CODES:
                raise _Retry(message or RETRY_CODES[code], code) from None
            raise translate(code, message, method, self._block) from None
        except ApiHttpError as exc:
            log.info("vk %s %s → HTTP %s", method, shown, exc.response.status_code)
            raise _Retry(f"ошибка сервера HTTP {exc.response.status_code}") from None
        except requests.JSONDecodeError:
            log.info("vk %s %s → ответ не JSON", method, shown)
            raise _Retry("ответ не является JSON") from None
        except requests.Timeout:
            log.info("vk %s %s → таймаут", method, shown)
            raise _Retry("нет ответа (таймаут)") from None
        except requests.RequestException as exc:
            log.info("vk %s %s → %s", method, shown, type(exc).__name__)
            raise _Retry(f"соединение не удалось ({type(exc).__name__})") from None
        except (ValueError, TypeError, KeyError, AttributeError):
            # vk_api looks into the decoded body itself: JSON of a shape it cannot read (a number, an odd error).
            log.info("vk %s %s → ответ непонятного вида", method, shown)
            raise _Retry("ответ непонятного вида") from None
        except VkApiError as exc:  # anything else the library raises: report it without its internals
            raise SourceUnavailable(f"VK {method}: ошибка библиотеки vk_api ({type(exc).__name__})") from None
        if not isinstance(raw, dict) or "response" not in raw:
            log.info("vk %s %s → ответ без поля response", method, shown)
            raise _Retry("ответ без поля response")
        log.info("vk %s %s → ok", method, shown)
        return raw["response"]

    def close(self) -> None:
        """Close pooled connections (the daemon keeps one client per collector for its lifetime)."""
        self._vk.http.close()

    def _block(self, method: str) -> datetime:
        return self.budget.block(API, method)


def _form_value(value: Any) -> Any:
    """Form encoding as VK expects it: booleans as 1/0, lists comma-joined."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    return value


class _Retry(Exception):
    """This attempt failed in a way another attempt may fix; ``code`` is VK's error code when there is one."""

    def __init__(self, problem: str, code: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.code = code
