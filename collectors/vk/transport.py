"""The HTTP session handed to vk_api: sends its hard-coded ``https://api.vk.ru`` calls to the configured base URL.

vk_api has no base-URL setting (11.10 posts to ``api.vk.ru``, older releases to ``api.vk.com``), so a mounted
adapter rewrites both hosts to ``settings.api.vk.base_url`` — the real host by default, a proxy, a mirror or a
test fake otherwise — and gives every request a timeout, which ``requests`` has no default for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from requests.utils import should_bypass_proxies

# The prefixes vk_api uses (new and old releases); both are redirected.
VK_PREFIXES = ("https://api.vk.ru/", "https://api.vk.com/")
USER_AGENT = "MCU-monitor (municipal media monitoring)"


class RedirectingAdapter(HTTPAdapter):
    """Rewrites ``https://api.vk.ru/…`` (and ``api.vk.com``) to ``base_url/…`` and applies a default timeout."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(max_retries=0)  # retries are ours: bounded, counted and budgeted
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        url = request.url or ""
        for prefix in VK_PREFIXES:
            if url.startswith(prefix):
                request.url = self.base_url + url[len(prefix):]
                # Proxies were picked for api.vk.ru; honour NO_PROXY for the real target (loopback, a mirror).
                if kwargs.get("proxies") and should_bypass_proxies(request.url, no_proxy=None):
                    kwargs["proxies"] = {}
                break
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def make_session(base_url: str, timeout: float, headers: Mapping[str, str] | None = None) -> requests.Session:
    """A session whose VK API calls go to ``base_url`` with ``timeout`` seconds per request."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    session.headers.update(headers or {})
    adapter = RedirectingAdapter(base_url, timeout)
    for prefix in VK_PREFIXES:
        session.mount(prefix, adapter)
    return session
