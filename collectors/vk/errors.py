"""VK API error codes and what each means for us: retry, wait, stop the method, stop the source, or fix the token.

Codes from the official schema (``errors.json``) and dev.vk.com; ``translate`` turns a final (not retried)
error into the project's exception tree, with a Russian message that never contains the token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from config.errors import AuthFailed, CollectorError, QuotaExhausted, RateLimited, SourceClosed, SourceUnavailable

API = "vk"

# Temporary: back off and try again (bounded); if it persists the API is asking us to slow down.
RETRY_CODES = {6: "слишком много запросов в секунду", 9: "флуд-контроль", 10: "внутренняя ошибка сервера VK"}
# The token is bad, expired, revoked or of a type the method does not accept.
AUTH_CODES = {5, 8, 17, 27, 28}
# The wall cannot be read: closed or hidden wall, deleted or banned owner, private profile, closed community.
CLOSED_CODES = {15, 18, 19, 30, 203}
QUOTA_CODE = 29  # the method's daily quota is spent; clears after about a day
CAPTCHA_CODE = 14
COMMENTS_DENIED_CODE = 212
NOT_FOUND_CODES = {100, 104, 113}  # on resolution: the name or id does not exist

CAPTCHA_WAIT = 600.0  # nobody will solve it: wait a while before asking again
RETRY_WAIT = 60.0  # what RateLimited suggests after the retries for 6/9/10 are spent


class VkApiFailure(SourceUnavailable):
    """A VK error the caller may want to tell apart (``code``): comments denied, not found, anything unlisted."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def translate(code: int, message: str, method: str, block: Callable[[str], datetime]) -> CollectorError:
    """The exception for a final VK error ``code`` on ``method``; ``block(method)`` stops a method on error 29."""
    where = f"VK {method}"
    detail = f"ошибка {code}: {message}" if message else f"ошибка {code}"
    if code in AUTH_CODES:
        return AuthFailed(f"{where}: ключ доступа VK не принят ({detail}); проверьте api.vk.token", api=API)
    if code == QUOTA_CODE:
        until = block(method)
        return QuotaExhausted(
            f"{where}: дневная квота вызовов исчерпана ({detail}), метод остановлен до {until:%Y-%m-%d %H:%M} UTC",
            API,
            method,
            until,
        )
    if code == CAPTCHA_CODE:
        return RateLimited(f"{where}: VK требует капчу ({detail}), повторим позже", CAPTCHA_WAIT)
    if code in RETRY_CODES:
        return RateLimited(f"{where}: {RETRY_CODES[code]} ({detail}), повторим позже", RETRY_WAIT)
    if code in CLOSED_CODES:
        return SourceClosed(f"{where}: источник закрыт или недоступен ({detail})", code)
    return VkApiFailure(f"{where}: {detail}", code)
