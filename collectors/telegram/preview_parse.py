"""Pure parsing of the public web preview ``t.me/s/<channel>``: one HTML page → channel header and message records.

The markup is undocumented (FACTS §3.2); every selector lives here. A page that is not a channel feed at all
raises ``SourceUnavailable`` (the markup may have changed); one malformed message block becomes a problem and
is skipped, never a crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from selectolax.lexbor import LexborHTMLParser, LexborNode

from collectors.post import Metrics, Post
from collectors.records import RecordProblem, clean_text
from collectors.telegram.links import post_url
from collectors.telegram.malformed import MalformedItem, skipped
from collectors.telegram.text import mark_forwarded
from config.errors import SourceUnavailable

PLATFORM = "telegram"
MAX_PAGE_CHARS = 5_000_000  # a real page is ~100 KB; anything far larger is not a feed page

_COUNT = re.compile(r"^(\d+(?:[.,]\d+)?)\s*([KMB]?)$", re.IGNORECASE | re.ASCII)
_TRAILING_COUNT = re.compile(r"(\d+(?:[.,]\d+)?\s*[KMB]?)\s*$", re.IGNORECASE | re.ASCII)
_MULTIPLIERS = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}
_ID_AT_END = re.compile(r"/(\d+)(?:\?.*)?$", re.ASCII)
_EDITED = re.compile(r"\bedited\b", re.IGNORECASE)
_BLOCKS = frozenset({"blockquote", "p", "div", "pre", "li", "ul", "ol", "h1", "h2", "h3", "h4"})
_SKIP = frozenset({"script", "style", "template"})
_AUDIENCE = frozenset({"subscriber", "subscribers", "member", "members"})


@dataclass(frozen=True, slots=True)
class ChannelHeader:
    """The channel card at the top of every preview page; any field may be missing."""

    title: str | None = None
    username: str | None = None
    description: str | None = None
    audience: int | None = None
    has_avatar: bool | None = None  # a photo in the card or beside the posts; None when the page shows neither


@dataclass(frozen=True, slots=True)
class PreviewMessage:
    """One post as the preview shows it; an album is one message keyed by its first photo's id."""

    id: int
    published_at: datetime
    text: str
    views: int | None = None
    likes: int | None = None
    author: str | None = None
    forwarded_from: str | None = None
    forwarded_url: str | None = None
    edited: bool = False
    album_ids: tuple[int, ...] = ()
    links: tuple[str, ...] = ()  # hrefs in the text and the link preview (a link's text may differ from its target)


@dataclass(frozen=True, slots=True)
class PreviewPage:
    """A parsed page: messages in ascending id order, every id the page shows, and how it ends.

    ``seen_ids`` includes album members and service messages, which are not posts but do exist: a refresh
    must not call them deleted. ``ended`` is the "No posts found" page (nothing older, or nothing at all).
    """

    header: ChannelHeader
    messages: tuple[PreviewMessage, ...]
    seen_ids: frozenset[int]
    ended: bool = False
    older: int | None = None
    problems: tuple[RecordProblem, ...] = ()

    @property
    def lowest_id(self) -> int | None:
        return min(self.seen_ids) if self.seen_ids else None

    @property
    def highest_id(self) -> int | None:
        return max(self.seen_ids) if self.seen_ids else None


def parse_count(text: str | None) -> int | None:
    """``"401"`` → 401, ``"4.85K"`` → 4850, ``"1.2M"`` → 1200000; anything else → ``None``."""
    if not text:
        return None
    match = _COUNT.match(text.strip().replace("\xa0", "").replace(" ", ""))
    if not match:
        return None
    number, suffix = match.groups()
    multiplier = _MULTIPLIERS[suffix.upper()]
    if multiplier == 1 and "," in number:
        return int(number.replace(",", ""))  # "1,234" is a thousands separator
    return round(float(number.replace(",", ".")) * multiplier)


def parse_page(html: str | bytes, channel: str) -> PreviewPage:
    """Parse one ``/s/<channel>`` page; raises ``SourceUnavailable`` when it is not a channel feed at all."""
    if len(html) > MAX_PAGE_CHARS:
        raise SourceUnavailable(f"t.me: страница канала @{channel} слишком велика ({len(html)} байт), это не лента")
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    tree = LexborHTMLParser(clean_text(html))
    blocks = tree.css("div.tgme_widget_message")
    ended = tree.css_first(".tme_no_messages_found") is not None
    if not blocks and not ended and tree.css_first("section.tgme_channel_history") is None:
        raise SourceUnavailable(f"t.me: страница @{channel} не похожа на ленту канала (разметка изменилась?)")
    header = parse_header(tree)
    messages: dict[int, PreviewMessage] = {}
    seen: set[int] = set()
    problems: list[RecordProblem] = []
    for index, block in enumerate(blocks, start=1):
        what = f"сообщение {_data_post(block) or f'№{index}'} канала @{channel}"
        try:
            block_ids = _block_ids(block)
            seen.update(block_ids)
            if _is_service(block):
                continue
            message = parse_message(block, channel_title=header.title)
        except MalformedItem as exc:
            problems.append(skipped(what, str(exc)))
            continue
        seen.update(message.album_ids)
        messages[message.id] = message
    ordered = tuple(sorted(messages.values(), key=lambda m: m.id))
    return PreviewPage(header, ordered, frozenset(seen), ended and not ordered, _older(tree), tuple(problems))


def parse_header(tree: LexborHTMLParser) -> ChannelHeader:
    """Title, @username, description and subscriber count from the channel card (or the page's og:title)."""
    title = _text_of(tree.css_first(".tgme_channel_info_header_title"))
    if not title:
        meta = tree.css_first('meta[property="og:title"]')
        title = clean_text((meta.attributes.get("content") or "").strip()) if meta is not None else None
    username = _text_of(tree.css_first(".tgme_channel_info_header_username"))
    username = username.lstrip("@") if username else None
    audience = None
    for counter in tree.css(".tgme_channel_info_counter"):
        kind = (_text_of(counter.css_first(".counter_type")) or "").lower()
        if kind in _AUDIENCE:
            audience = parse_count(_text_of(counter.css_first(".counter_value")))
            break
    description = _text_of(tree.css_first(".tgme_channel_info_description"))
    return ChannelHeader(title or None, username or None, description or None, audience, _avatar(tree))


def _avatar(tree: LexborHTMLParser) -> bool | None:
    """An ``<img>`` in the card's photo or in a post's author photo means a picture; the letter placeholder
    (``data-content`` without an image) means none. Inferred from the markup (FACTS §3.2 lists no avatar)."""
    photos = tree.css(".tgme_page_photo_image, .tgme_widget_message_user_photo")
    if not photos:
        return None
    return any(photo.css_first("img") is not None for photo in photos)


def parse_message(block: LexborNode, *, channel_title: str | None = None) -> PreviewMessage:
    """One ``div.tgme_widget_message`` → a record; raises ``MalformedItem`` without an id or a date."""
    post_id = _post_id(block)
    published_at = _published_at(block)
    text_node = block.css_first(".tgme_widget_message_text.js-message_text")
    text = html_to_text(text_node) if text_node is not None else ""
    meta = block.css_first(".tgme_widget_message_meta")
    signature = _text_of(block.css_first(".tgme_widget_message_from_author"))
    owner = _text_of(block.css_first(".tgme_widget_message_owner_name"))
    forwarded_from, forwarded_url = _forwarded(block)
    album = tuple(sorted({post_id, *_album_ids(block)})) if block.css_first(".tgme_widget_message_grouped_wrap") else ()
    return PreviewMessage(
        id=album[0] if album else post_id,
        published_at=published_at,
        text=text,
        views=parse_count(_text_of(block.css_first(".tgme_widget_message_views"))),
        likes=_reactions(block),
        author=signature or owner or channel_title,
        forwarded_from=forwarded_from,
        forwarded_url=forwarded_url,
        edited=_edited(meta, signature),
        album_ids=album,
        links=_links(text_node, block),
    )


def _links(text_node: LexborNode | None, block: LexborNode) -> tuple[str, ...]:
    anchors = list(text_node.css("a")) if text_node is not None else []
    anchors += block.css("a.tgme_widget_message_link_preview")
    hrefs = [(a.attributes.get("href") or "").strip() for a in anchors]
    return tuple(dict.fromkeys(href for href in hrefs if href.startswith(("http://", "https://"))))


def to_post(message: PreviewMessage, handle: str, observed_at: datetime | None = None) -> Post:
    """The ``Post`` record of one preview message of channel ``handle`` (forwarded posts marked in the text)."""
    text = message.text
    if message.forwarded_from is not None:
        text = mark_forwarded(text, message.forwarded_from)
    return Post(
        id=str(message.id),
        platform=PLATFORM,
        source=handle,
        published_at=message.published_at,
        text=clean_text(text),
        url=post_url(handle, message.id),
        author=clean_text(message.author) if message.author else None,
        author_id=preview_author_id(handle),
        metrics=Metrics(views=message.views, likes=message.likes),
        observed_at=observed_at,
    )


def preview_author_id(handle: str) -> str | None:
    """«tg:<username>»: the preview shows only channel posts and no numeric ids, so the channel's public name is
    its author id (the same form ``tme`` sources keep as their external id). A signature
    (``tgme_widget_message_from_author``) is a name, not an id: it stays the post's ``author``."""
    name = handle.strip().lstrip("@").lower()
    return f"tg:{name}" if name else None


def html_to_text(node: LexborNode) -> str:
    """Visible text of a message's HTML: ``<br>`` and blocks become line breaks, emoji and link texts stay.

    Iterative (an explicit stack), so deeply nested junk cannot exhaust the recursion limit.
    """
    parts: list[str] = []
    stack: list[tuple[LexborNode, bool]] = [(child, False) for child in reversed(list(node.iter(include_text=True)))]
    while stack:
        item, closing = stack.pop()
        if closing:
            parts.append("\n")
            continue
        tag = item.tag
        if tag == "-text":
            parts.append(item.text_content or "")
            continue
        if tag == "br":
            parts.append("\n")
            continue
        if tag in _SKIP or tag == "-comment":
            continue
        if tag in _BLOCKS:
            parts.append("\n")
            stack.append((item, True))
        stack.extend((child, False) for child in reversed(list(item.iter(include_text=True))))
    text = "".join(parts).replace("\xa0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _data_post(block: LexborNode) -> str | None:
    value = block.attributes.get("data-post")
    return clean_text(value) if value else None


def _post_id(block: LexborNode) -> int:
    value = _data_post(block)
    if not value or "/" not in value:
        raise MalformedItem("нет атрибута data-post «канал/номер»")
    tail = value.rsplit("/", 1)[1]
    if not tail.isdigit() or not tail.isascii() or len(tail) > 18:
        raise MalformedItem(f"номер сообщения {tail!r} не число")
    return int(tail)


def _block_ids(block: LexborNode) -> set[int]:
    """Ids a block shows even when it is no post (a service message) or beyond its key (album photos)."""
    ids = set(_album_ids(block))
    try:
        ids.add(_post_id(block))
    except MalformedItem:
        pass
    return ids


def _is_service(block: LexborNode) -> bool:
    classes = (block.attributes.get("class") or "").split()
    return "service_message" in classes


def _published_at(block: LexborNode) -> datetime:
    node = block.css_first(".tgme_widget_message_date time") or block.css_first("time[datetime]")
    raw = node.attributes.get("datetime") if node is not None else None
    if not raw:
        raise MalformedItem("нет времени публикации (time[datetime])")
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise MalformedItem(f"время публикации {raw[:40]!r} не в формате ISO 8601") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _album_ids(block: LexborNode) -> list[int]:
    ids = []
    for link in block.css(".tgme_widget_message_grouped_wrap a[href]"):
        match = _ID_AT_END.search(link.attributes.get("href") or "")
        if match and len(match.group(1)) <= 18:
            ids.append(int(match.group(1)))
    return ids


def _forwarded(block: LexborNode) -> tuple[str | None, str | None]:
    node = block.css_first(".tgme_widget_message_forwarded_from")
    if node is None:
        return None, None
    name_node = node.css_first(".tgme_widget_message_forwarded_from_name")
    if name_node is not None:
        name = _text_of(name_node)
        url = name_node.attributes.get("href") if name_node.tag == "a" else None
    else:
        name = re.sub(r"^\s*Forwarded from\s*", "", _text_of(node) or "", flags=re.IGNORECASE)
        url = None
    return (name or ""), (clean_text(url) if url else None)


def _reactions(block: LexborNode) -> int | None:
    node = block.css_first(".tgme_widget_message_reactions")
    if node is None:
        return None
    total = 0
    for reaction in node.css(".tgme_reaction"):
        match = _TRAILING_COUNT.search(reaction.text(deep=True) or "")
        total += (parse_count(match.group(1)) or 0) if match else 0
    return total


def _edited(meta: LexborNode | None, signature: str | None) -> bool:
    if meta is None:
        return False
    text = meta.text(deep=True) or ""
    if signature:
        text = text.replace(signature, " ")
    return bool(_EDITED.search(text))


def _older(tree: LexborHTMLParser) -> int | None:
    """The ``data-before`` of the "load more" link: where the next older page starts (``None`` at the start)."""
    node = tree.css_first("a.tme_messages_more[data-before]")
    raw = node.attributes.get("data-before") if node is not None else None
    return int(raw) if raw and raw.isdigit() and raw.isascii() and len(raw) <= 18 else None


def _text_of(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    return clean_text(" ".join((node.text(deep=True) or "").replace("\xa0", " ").split())) or None
