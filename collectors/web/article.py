"""An article page → title, text, publication date and author (pure: HTML in, ``Article`` out).

Text comes from trafilatura (boilerplate removal); the date from the page's own metadata when it has a precise
one, then from date-like elements («14 января 2026, 09:30», «14.01.2026»), the top of the text, the address.
A date without a time of day is taken as the fetch moment when it is today, else as local midnight.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

import trafilatura
from selectolax.lexbor import LexborHTMLParser

from collectors.post import Post
from collectors.records import clean_text
from collectors.web.dates import find_russian_date, parse_iso
from collectors.web.feed import MAX_TEXT, compose_text

log = logging.getLogger(__name__)

_META_DATES = (
    'meta[property="article:published_time"]',
    'meta[property="og:published_time"]',
    'meta[itemprop="datePublished"]',
    'meta[name="pubdate"]',
    'meta[name="publish-date"]',
    'meta[name="date"]',
    'meta[name="DC.date.issued"]',
    'meta[name="dc.date"]',
    'meta[name="sailthru.date"]',
    'meta[name="parsely-pub-date"]',
)
_WORD = re.compile(r"[^\W\d_]{2,}")
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]([01]?\d)[/-]([0-3]?\d)(?=[/_-]|$)")
_TIME_TAGS = ("article time[datetime]", "main time[datetime]", "time[pubdate][datetime]", '[itemprop="datePublished"]')
_DATE_ELEMENTS = '[class*="date"], [class*="time"], [class*="published"], [class*="meta"]'
_DATE_LINE = re.compile(r"^[\d\s.,:/–-]*(?:[а-яё]+\.?)?[\d\s.,:/–-]*(?:г\.|года)?[\s,]*(?:в\s*)?[\d:\s]*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Article:
    """What one article page says. ``text`` excludes the title; ``published_at`` is ``None`` when undated;
    ``dated_by`` names where the date came from (``meta``, ``page``, ``text``, ``url``, or ``""``)."""

    url: str
    title: str
    text: str
    published_at: datetime | None
    author: str | None
    dated_by: str = ""


def _attr(node: Any, name: str) -> str:
    value = node.attributes.get(name)
    return value.strip() if isinstance(value, str) else ""


def _json_ld_dates(tree: LexborHTMLParser) -> list[str]:
    found: list[str] = []

    def walk(value: Any, depth: int) -> None:
        if depth > 6 or len(found) > 3:
            return
        if isinstance(value, dict):
            if isinstance(value.get("datePublished"), str):
                found.append(value["datePublished"])
            for item in value.values():
                walk(item, depth + 1)
        elif isinstance(value, list):
            for item in value[:50]:
                walk(item, depth + 1)

    for node in tree.css('script[type="application/ld+json"]'):
        try:
            walk(json.loads(node.text() or ""), 0)
        except (ValueError, RecursionError):
            continue
    return found


def _day_moment(moment: datetime, now: datetime, tz: tzinfo) -> datetime:
    """A date without a time of day: today → the fetch moment (the article has just appeared), else midnight."""
    day = moment.astimezone(tz).date()
    if day == now.astimezone(tz).date():
        return now
    return datetime.combine(day, datetime.min.time(), tzinfo=tz)


def _plausible(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and moment.year >= 1995 and moment <= now + timedelta(days=1)


def _metadata_date(tree: LexborHTMLParser, now: datetime, tz: tzinfo) -> datetime | None:
    values = [_attr(node, "content") for selector in _META_DATES for node in tree.css(selector)]
    values += _json_ld_dates(tree)
    for selector in _TIME_TAGS:
        values += [_attr(node, "datetime") or _attr(node, "content") for node in tree.css(selector)]
    times = tree.css("time[datetime]")
    if len(times) == 1:
        values.append(_attr(times[0], "datetime"))
    for value in values:
        moment = parse_iso(value, tz)
        if moment is not None and _plausible(moment, now):
            return moment if len(value.strip()) > 10 else _day_moment(moment, now, tz)
    return None


def _text_date(text: str, now: datetime, tz: tzinfo) -> datetime | None:
    found = find_russian_date(text, now=now, tz=tz)
    if found is None:
        return None
    moment, timed = found
    return moment if timed else _day_moment(moment, now, tz)


def _head_date(text: str, now: datetime, tz: tzinfo) -> datetime | None:
    """A date on a short line of its own near the top of the text («Опубликовано 9 декабря 2026 в 19:00»); dates
    inside sentences are what the article is about («воду отключат 15 декабря»), not when it was written."""
    for line in text.splitlines()[:6]:
        line = line.strip()
        if 0 < len(line) <= 60:
            moment = _text_date(line, now, tz)
            if moment is not None:
                return moment
    return None


def _page_date(tree: LexborHTMLParser, now: datetime, tz: tzinfo) -> datetime | None:
    """A date in an element whose class says it is one (``news-date``, ``post-meta``…), first in page order,
    preferring those inside ``article``/``main`` over sidebars."""
    for scope in ("article", "main", "body"):
        root = tree.css_first(scope)
        if root is None:
            continue
        for node in root.css(_DATE_ELEMENTS)[:40]:
            text = " ".join((node.text() or "").split())
            if text and len(text) <= 120:
                moment = _text_date(text, now, tz)
                if moment is not None:
                    return moment
    return None


def _url_date(url: str, now: datetime, tz: tzinfo) -> datetime | None:
    """A dated permalink (``/2026/12/14/slug/``): the day, when nothing in the page says more."""
    found = _URL_DATE.search(url.split("?", 1)[0])
    if found is None:
        return None
    moment = parse_iso("{}-{:0>2}-{:0>2}".format(*found.groups()), tz)
    return _day_moment(moment, now, tz) if moment is not None and _plausible(moment, now) else None


def _extract(html: str, url: str, now: datetime) -> Any:
    try:
        return trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            favor_precision=True,  # small sites: menus and footers must not pass for an article's text
            include_tables=True,
            include_images=False,
            # Its date is not used (it guesses "2026-12-01" from "12.2026" and "© 2026"): ours is above. The
            # cheapest search still runs, bounded by our clock rather than the machine's.
            date_extraction_params={"extensive_search": False, "original_date": False,
                                    "max_date": (now + timedelta(days=1)).strftime("%Y-%m-%d")},
        )
    except Exception as exc:  # trafilatura/lxml can fail in many ways on broken markup; a page is not worth a crash
        log.warning("web: не удалось извлечь текст %s: %s", url, type(exc).__name__)
        return None


def _strip_head(text: str, title: str) -> str:
    """Drop the title and a bare date line when the extracted text repeats them at its top."""
    lines = text.splitlines()
    kept = 0
    while kept < min(3, len(lines)):
        line = lines[kept].strip()
        if line and (line == title or (len(line) <= 40 and _DATE_LINE.match(line) and re.search(r"\d", line))):
            kept += 1
            continue
        break
    return "\n".join(lines[kept:]).strip()


def parse_article(html: str, url: str, *, now: datetime, tz: tzinfo) -> Article:
    """Read an article page fetched from ``url`` at ``now``; never raises on malformed HTML (text may be empty)."""
    tree = LexborHTMLParser(html or "<html></html>")
    document = _extract(html, url, now) if html and html.strip() else None
    title = getattr(document, "title", None) or ""
    if not title:
        for selector in ('meta[property="og:title"]', "h1", "title"):
            node = tree.css_first(selector)
            if node is not None:
                title = _attr(node, "content") if selector.startswith("meta") else node.text() or ""
                if title.strip():
                    break
    title = clean_text(" ".join(title.split()))
    raw_text = getattr(document, "text", None) or ""
    text = clean_text(_strip_head(raw_text, title))[:MAX_TEXT]
    if not _WORD.search(text):
        text = ""  # markup debris ("<<<>>>", stray bytes) is not an article
    author = getattr(document, "author", None) or ""
    if not author:
        node = tree.css_first('meta[name="author"]')
        author = _attr(node, "content") if node is not None else ""
    published, dated_by = _metadata_date(tree, now, tz), "meta"
    if published is None:
        published, dated_by = _page_date(tree, now, tz), "page"
    if published is None:
        published, dated_by = _head_date(raw_text, now, tz), "text"
    if published is None:
        published, dated_by = _url_date(url, now, tz), "url"
    return Article(
        url=url,
        title=title,
        text=text,
        published_at=published,
        author=clean_text(" ".join(author.split())) or None,
        dated_by=dated_by if published is not None else "",
    )


def article_post(article: Article, post_id: str, source: str, *, published_at: datetime,
                 title: str | None = None, observed_at: datetime | None = None) -> Post:
    """The post of an article page; ``title`` overrides the page's (a feed entry's title, for stable texts)."""
    return Post(
        id=post_id,
        platform="web",
        source=source,
        published_at=published_at,
        text=compose_text(article.title if title is None else title, article.text),
        url=article.url,
        author=article.author,
        observed_at=observed_at,
    )
