"""RSS and Atom feeds → entries and posts (pure: bytes in, records out; feedparser never fetches anything)."""

from __future__ import annotations

import calendar
import io
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import feedparser

from collectors.bounds import MAX_TEXT
from collectors.post import Post
from collectors.records import clean_text
from collectors.web.address import canonical_url, is_web_url, post_id_for, short_id
from collectors.web.page import html_to_text
from config.errors import SourceUnavailable

SHORT_SUMMARY = 300  # a summary shorter than this is a teaser: the article page is read for the full text
_SURROGATE_REF = re.compile(
    rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*(?:5529[6-9]|55[3-9]\d\d|56\d\d\d|57[0-2]\d\d|573[0-3]\d|5734[0-3]));"
)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One feed item: ``id`` is the post id (see ``address``), ``body`` the longest text the feed gives."""

    id: str
    link: str | None
    title: str
    body: str
    author: str | None
    published_at: datetime | None

    @property
    def is_teaser(self) -> bool:
        return len(self.body) < SHORT_SUMMARY


@dataclass(frozen=True, slots=True)
class Feed:
    """A parsed feed: its title and site link, entries in feed order, and how many items were unusable."""

    title: str
    link: str | None
    entries: tuple[FeedEntry, ...]
    skipped: int = 0
    malformed: bool = False


def looks_like_feed(content: bytes) -> bool:
    """True when the bytes are meant as RSS/Atom (feedparser recognises a version, even in a broken feed),
    whatever the content type said."""
    return bool(_parse(content, "").get("version"))


def _parse(content: bytes, url: str, content_type: str = "") -> Any:
    # feedparser turns "&#xD800;" into a lone surrogate and then fails to encode it: one such item would sink
    # the whole feed, so the reference becomes U+FFFD first.
    content = _SURROGATE_REF.sub(b"&#xFFFD;", content)
    # A stream, never bytes or str: feedparser would treat a str as a URL or a file name and open it.
    headers = {"content-type": content_type or "application/xml"}
    if url:
        headers["content-location"] = url
    return feedparser.parse(io.BytesIO(content), response_headers=headers)


def _moment(parsed: Any) -> datetime | None:
    if not isinstance(parsed, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
    except (OverflowError, ValueError, OSError):
        return None


def _text(value: Any) -> str:
    return clean_text(html_to_text(value)) if isinstance(value, str) else ""


def _body(entry: Any) -> str:
    """The longest of content:encoded/Atom content, yandex:full-text and the summary, as plain text."""
    candidates = [_text(entry.get("summary"))]
    for content in entry.get("content") or []:
        if isinstance(content, dict):
            candidates.append(_text(content.get("value")))
    for key, value in entry.items():
        if isinstance(key, str) and key.endswith("full-text"):
            candidates.append(_text(value))
    return max(candidates, key=len)[:MAX_TEXT]


def parse_entry(entry: Any, home: str) -> FeedEntry | None:
    """One feedparser entry → ``FeedEntry``; ``None`` when it has neither a link nor a guid to identify it."""
    link = entry.get("link")
    link = link.strip() if isinstance(link, str) and is_web_url(link.strip()) else None
    guid = entry.get("id")
    guid = guid.strip() if isinstance(guid, str) else ""
    if link:
        link = canonical_url(link)
        post_id = post_id_for(link, home)
    elif is_web_url(guid):
        link = canonical_url(guid)
        post_id = post_id_for(link, home)
    elif guid:
        post_id = short_id(clean_text(guid))
    else:
        return None
    author = entry.get("author")
    # dict.get, not entry.get: feedparser maps a missing key to its sibling with a DeprecationWarning.
    published = _moment(dict.get(entry, "published_parsed")) or _moment(dict.get(entry, "updated_parsed"))
    return FeedEntry(
        id=post_id,
        link=link,
        title=_text(entry.get("title")),
        body=_body(entry),
        author=(clean_text(author.strip()) or None) if isinstance(author, str) else None,
        published_at=published,
    )


def parse_feed(content: bytes, url: str, home: str | None = None, content_type: str = "") -> Feed:
    """Parse feed bytes fetched from ``url`` (served as ``content_type``); ids are made relative to ``home``
    (default: the feed's own site). ``malformed`` tells that feedparser had to recover from errors.

    Raises ``SourceUnavailable`` when the bytes are not a feed or are too broken to give a single entry.
    """
    try:
        parsed = _parse(content, url, content_type)
    except Exception as exc:  # feedparser's SAX/HTML layers can throw anything on hostile input
        raise SourceUnavailable(f"web: лента {url} не разбирается ({type(exc).__name__})") from exc
    raw_entries = parsed.get("entries") or []
    entries: list[FeedEntry] = []
    skipped = 0
    for raw in raw_entries:
        entry = parse_entry(raw, home or url) if isinstance(raw, dict) else None
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    # Not a feed at all, or one so broken that not a single item survived (an empty valid feed is fine).
    if (not raw_entries and not parsed.get("version")) or (not entries and parsed.get("bozo")):
        problem = parsed.get("bozo_exception")
        why = f": {type(problem).__name__}" if problem is not None else ""
        raise SourceUnavailable(f"web: по адресу {url} нет корректной ленты RSS/Atom{why}")
    channel = parsed.get("feed") or {}
    link = channel.get("link") if isinstance(channel.get("link"), str) else None
    return Feed(
        title=_text(channel.get("title")),
        link=link,
        entries=tuple(entries),
        skipped=skipped,
        malformed=bool(parsed.get("bozo")),
    )


def feed_title(content: bytes) -> str:
    """The channel title of feed bytes ('' when none)."""
    parsed = _parse(content, "")
    return _text((parsed.get("feed") or {}).get("title"))


def compose_text(title: str, body: str) -> str:
    """A web post's text: the title, a blank line, the body (the title is not repeated when the body opens with it)."""
    title, body = title.strip(), body.strip()
    if not title or body.startswith(title):
        return clean_text(body or title)[:MAX_TEXT]
    if not body:
        return clean_text(title)
    return clean_text(f"{title}\n\n{body}")[:MAX_TEXT]


def entry_post(entry: FeedEntry, source: str, *, published_at: datetime, body: str | None = None,
               observed_at: datetime | None = None) -> Post:
    """The post of a feed entry; ``body`` replaces the feed's teaser when the article page was read."""
    return Post(
        id=entry.id,
        platform="web",
        source=source,
        published_at=published_at,
        text=compose_text(entry.title, entry.body if body is None else body),
        url=entry.link,
        author=entry.author,
        observed_at=observed_at,
    )

