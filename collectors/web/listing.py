"""A site's front page or news listing → its title, its advertised feed, article links and the next listing page.

Pure: HTML text in, absolute URLs out. Without a configured ``link_pattern`` an article link is guessed: same
site, outside menus (``nav``/``header``/``footer`` or a menu-like class), not a file, not a pager or tag page,
and shaped like an article (a number in the address, a date path, ``/news/<slug>``, or a long slug).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from collectors.records import clean_text
from collectors.web.address import canonical_url, is_web_url, same_site

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
_FILE = re.compile(
    r"\.(pdf|docx?|xlsx?|pptx?|od[tsp]|rtf|txt|csv|zip|rar|7z|gz|jpe?g|png|gif|bmp|webp|svg|tiff?|ico|mp[34]|avi"
    r"|mov|wmv|flv|mkv|webm|wav|ogg|xml|rss|json|js|css|exe|apk|sig)$",
    re.IGNORECASE,
)
_PAGER = re.compile(r"[?&](page|PAGEN_\d+|start|offset|p|from)=\d+|/page/\d+/?$", re.IGNORECASE)
_NOT_ARTICLE = re.compile(
    r"/(tags?|rubrics?|category|categories|search|poisk|login|logout|auth|register|personal|user|users|profile"
    r"|rss|feed|print|sitemap|kontakty|contacts?|about|o-nas|archive|arhiv)(/|$)",
    re.IGNORECASE,
)
_ARTICLE_WORD = re.compile(
    r"^(news|novosti|novost|articles?|stati|statya|publikacii|publications?|materials?|materialy|posts?|events?"
    r"|sobytiya|press|press-center|press-tsentr|anonsy?|soobshcheniya|announcements?|info|informatsiya)$",
    re.IGNORECASE,
)
_MENU_CLASS = re.compile(
    r"(^|[\s_-])(menu|nav|navbar|navigation|breadcrumbs?|footer|header|pagination|pager|topbar|social)([\s_-]|$)",
    re.IGNORECASE,
)
_MENU_TAGS = {"nav", "header", "footer"}
_NEXT_TEXT = re.compile(r"^\s*(следующая|следующие|далее|вперед|вперёд|еще новости|ещё новости|next|»|›|→|>)",
                        re.IGNORECASE)
_YEAR = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True, slots=True)
class Listing:
    """What a listing page tells: the site's title, its feed (if advertised), article links, the next page."""

    url: str
    title: str
    feed: str | None
    links: tuple[str, ...]
    next_page: str | None


def _tree(html: str) -> LexborHTMLParser:
    return LexborHTMLParser(html or "<html></html>")


def _attr(node: LexborNode, name: str) -> str:
    value = node.attributes.get(name)
    return value.strip() if isinstance(value, str) else ""


def _base(tree: LexborHTMLParser, url: str) -> str:
    for node in tree.css("base[href]"):
        href = _attr(node, "href")
        if href:
            joined = urljoin(url, href)
            return joined if is_web_url(joined) else url
    return url


def _absolute(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    try:
        joined = canonical_url(urljoin(base, href))
    except ValueError:
        return None
    return joined if is_web_url(joined) else None


def _in_menu(node: LexborNode) -> bool:
    parent = node.parent
    depth = 0
    while parent is not None and depth < 30:
        if parent.tag in _MENU_TAGS:
            return True
        marks = f"{_attr(parent, 'class')} {_attr(parent, 'id')} {_attr(parent, 'role')}"
        if marks.strip() and _MENU_CLASS.search(marks):
            return True
        parent = parent.parent
        depth += 1
    return False


def looks_like_article(url: str) -> bool:
    """The address-shape heuristic used when no ``link_pattern`` is configured."""
    parts = urlsplit(url)
    path = parts.path
    if _FILE.search(path) or _PAGER.search(url) or _NOT_ARTICLE.search(path):
        return False
    segments = [segment for segment in path.split("/") if segment]
    if not segments:
        return bool(re.search(r"=\d+", parts.query))  # /index.php?id=123 style
    last = segments[-1].rsplit(".", 1)[0]
    if _YEAR.match(last) or (len(segments) <= 3 and all(s.isdigit() for s in segments) and len(segments[-1]) <= 2):
        return False  # /2026/ or /2026/12/: an archive listing, not an article
    if re.search(r"\d", last) or re.search(r"=\d+", parts.query):
        return True
    if any(_YEAR.match(segment) for segment in segments[:-1]):
        return True  # /2026/12/14/zima/: a dated permalink
    if any(_ARTICLE_WORD.match(segment) for segment in segments[:-1]):
        return True
    return last.count("-") + last.count("_") >= 3  # a long slug: /otklyuchenie-vody-v-tretem-mkr/


def _feed(tree: LexborHTMLParser, base: str) -> str | None:
    for node in tree.css("link[rel][href]"):
        rel = _attr(node, "rel").lower().split()
        kind = _attr(node, "type").lower().split(";", 1)[0].strip()
        if "alternate" not in rel or kind not in FEED_TYPES:
            continue
        href = _absolute(base, _attr(node, "href"))
        label = f"{_attr(node, 'title')} {href or ''}".lower()
        if href and "comment" not in label and "коммент" not in label:
            return href
    return None


def _title(tree: LexborHTMLParser, url: str) -> str:
    for node in tree.css('meta[property="og:site_name"]'):
        if _attr(node, "content"):
            return clean_text(_attr(node, "content"))
    for selector in ("title", "h1"):
        node = tree.css_first(selector)
        if node is not None:
            text = " ".join(node.text().split())
            if text:
                return clean_text(text)
    return urlsplit(url).hostname or url


def _next_page(tree: LexborHTMLParser, base: str, current: str) -> str | None:
    # rel="next" is trusted; a "Следующая"/"»" link only when its address looks like a pager (a "Далее" link
    # is as often "read the rest of this article").
    candidates: list[tuple[str, bool]] = []
    for node in tree.css('link[rel~="next"][href], a[rel~="next"][href]'):
        candidates.append((_attr(node, "href"), True))
    for node in tree.css("a[href]"):
        marks = f"{_attr(node, 'class')} {_attr(node, 'id')}"
        if _NEXT_TEXT.match(node.text() or "") or re.search(r"(^|[\s_-])next([\s_-]|$)", marks, re.IGNORECASE):
            candidates.append((_attr(node, "href"), False))
    here = canonical_url(current)
    for href, trusted in candidates:
        url = _absolute(base, href)
        if not url or url == here or not same_site(url, current) or _FILE.search(urlsplit(url).path):
            continue
        if trusted or _PAGER.search(url):
            return url
    return None


def parse_listing(html: str, url: str, pattern: re.Pattern[str] | None = None, *, home: str | None = None) -> Listing:
    """Read a listing page fetched from ``url``. ``pattern`` (the source's ``link_pattern``) replaces the
    address heuristic; ``home`` (the source's own address) is never an article."""
    tree = _tree(html)
    base = _base(tree, url)
    skip = {canonical_url(url), canonical_url(home or url)}
    links: dict[str, None] = {}
    for node in tree.css("a[href]"):
        link = _absolute(base, _attr(node, "href"))
        if link is None or link in skip or link in links or not same_site(link, url):
            continue
        if _FILE.search(urlsplit(link).path):
            continue
        if pattern is not None:
            if not pattern.search(link):
                continue
        elif _in_menu(node) or not looks_like_article(link):
            continue
        links[link] = None
    return Listing(
        url=url,
        title=_title(tree, url),
        feed=_feed(tree, base),
        links=tuple(links),
        next_page=_next_page(tree, base, url),
    )
