"""Article addresses and post ids.

A web post's id is its address: the path (with query) when the article lives on the source's own site
(``/news/123/``), the full URL when it lives elsewhere, and the feed's guid only when an entry has no link.
Paths keep ids short and stable across http/https and www, and ``url_for`` turns an id back into the page to
re-read on refresh. An address longer than the store keeps (percent-encoded Cyrillic slugs triple in length)
becomes ``#`` and a hash of it: stable, storable, and re-read through the feed's link when there is one.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from collectors.bounds import MAX_ID

_TRACKING = re.compile(r"^(utm_[a-z]+|yclid|gclid|fbclid|_openstat)$", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The URL without its fragment and tracking parameters, scheme and host in lower case."""
    parts = urlsplit(url.strip())
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(key)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), ""))


def site_key(url: str) -> tuple[str, int | None]:
    """Host (without ``www.``) and a non-default port: two URLs with the same key belong to the same site
    (http and https of one host too: feeds still list http links of sites long moved to https)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ("", None)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return host, None if port == _DEFAULT_PORTS.get(parts.scheme.lower()) else port


def same_site(url: str, home: str) -> bool:
    return site_key(url)[0] != "" and site_key(url) == site_key(home)


def post_id_for(url: str, home: str) -> str:
    """The post id of the article at ``url`` for a source whose own address is ``home``."""
    canonical = canonical_url(url)
    if not same_site(canonical, home):
        return short_id(canonical)
    parts = urlsplit(canonical)
    return short_id(parts.path + (f"?{parts.query}" if parts.query else ""))


def short_id(value: str) -> str:
    """``value`` when it fits the store's id column, else a stable hash of it."""
    if len(value) <= MAX_ID:
        return value
    return "#" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def url_for(post_id: str, home: str) -> str | None:
    """The page of a post id made by ``post_id_for``; ``None`` for a bare feed guid (nothing to re-read)."""
    if post_id.startswith("/"):
        return urljoin(home, post_id)
    if post_id.startswith(("http://", "https://")):
        return post_id
    return None


_HOST = re.compile(r"^[\w-]+(\.[\w-]+)*\.?$|^\[[0-9a-fA-F:.]+\]$")


def is_web_url(url: str) -> bool:
    """An http(s) URL with a host that could exist (letters, digits, dots and hyphens, or an IP literal)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(_HOST.match(host.split("@")[-1])) and "_" not in host[:1]
