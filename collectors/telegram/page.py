"""An official Telegram channel as a page, two ways: the account (``GetFullChannelRequest`` and history) or the
public preview (the channel card of ``t.me/s`` and its pages).

Telegram has no cover and no state mark; the preview shows neither the pinned post nor whether comments are
open, so those facts stay ``None`` there («нет данных»). A channel that does not exist or is private is a status.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from telethon.tl import types

from collectors.page import CLOSED, NOT_FOUND, OK, PageFacts, PageRead, PageRef, PostMark, account_key
from collectors.post import Post
from collectors.records import RecordProblem, clean_text
from collectors.telegram.links import channel_url
from collectors.telegram.malformed import MalformedItem, skipped
from collectors.telegram.messages import group_albums, post_from_messages
from collectors.telegram.preview_client import PreviewClient
from collectors.telegram.preview_parse import PreviewMessage, parse_page, to_post
from collectors.telegram.session import TelethonSession
from config.errors import SourceClosed

log = logging.getLogger(__name__)

_TME = re.compile(r"^https?://(?:www\.)?(?:t|telegram)\.me/(?:s/)?([A-Za-z0-9_]{3,64})(?:/|$|\?)", re.IGNORECASE)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def channel_of(url: str | None) -> str | None:
    """The channel name in a t.me link (``https://t.me/name/77`` → ``name``)."""
    match = _TME.match(url or "")
    return match.group(1) if match else None


def preview_mark(message: PreviewMessage) -> PostMark:
    source = channel_of(message.forwarded_url)
    return PostMark(str(message.id), False, (account_key("telegram", source),) if source else (), message.links)


class PreviewPageReader:
    """``kind: tme``: the card and the pages down to the horizon, without an account."""

    def __init__(self, client: PreviewClient, *, max_pages: int = 5, clock: Callable[[], datetime] = _utc_now) -> None:
        self.client = client
        self.max_pages = max_pages
        self.clock = clock

    def read(self, page: PageRef, since: datetime) -> PageRead:
        start_calls = self.client.calls
        now = self.clock()
        handle = page.handle
        posts: dict[str, Post] = {}
        marks: dict[str, PostMark] = {}
        problems: list[RecordProblem] = []
        header = None
        before: int | None = None
        try:
            for _ in range(self.max_pages):
                parsed = parse_page(self.client.page(handle, before), handle)
                header = header or (parsed.header if parsed.header.title else None)
                problems.extend(parsed.problems)
                for message in parsed.messages:
                    if message.published_at >= since:
                        posts[str(message.id)] = to_post(message, handle, observed_at=now)
                        marks[str(message.id)] = preview_mark(message)
                lowest = parsed.lowest_id
                if parsed.ended or lowest is None or any(m.published_at < since for m in parsed.messages) \
                        or (before is not None and lowest >= before):
                    break
                before = lowest
        except SourceClosed as exc:
            facts = PageFacts("telegram", handle, handle, handle, channel_url(handle), now, status=NOT_FOUND,
                              status_detail=str(exc))
            return PageRead(facts, calls=self.client.calls - start_calls)
        name = (header.username if header and header.username else None) or handle
        facts = PageFacts(
            platform="telegram",
            handle=name,
            external_id=name,
            title=(header.title if header else None) or name,
            url=channel_url(name),
            observed_at=now,
            followers=header.audience if header else None,
            description=header.description if header else None,
            has_avatar=header.has_avatar if header else None,
            missing=() if header and header.audience is not None else ("subscribers",),
        )
        ordered = sorted(posts.values(), key=lambda p: p.published_at)
        return PageRead(facts, tuple(ordered), tuple(marks[p.id] for p in ordered), tuple(problems),
                        self.client.calls - start_calls)

    def close(self) -> None:
        self.client.close()


def _entity_links(message: Any) -> list[str]:
    """Link targets of a message: text URLs (``MessageEntityTextUrl``) and bare URLs in the text."""
    text = getattr(message, "message", None) or ""
    links = []
    for entity in getattr(message, "entities", None) or ():
        if isinstance(entity, types.MessageEntityTextUrl) and isinstance(entity.url, str):
            links.append(entity.url)
        elif isinstance(entity, types.MessageEntityUrl) and isinstance(text, str):
            links.append(text[entity.offset:entity.offset + entity.length])
    return [link.strip() for link in links if link.strip()]


def _forward_key(message: Any) -> str | None:
    forward = getattr(message, "forward", None)
    chat = getattr(forward, "chat", None)
    username = getattr(chat, "username", None)
    if isinstance(username, str) and username:
        return account_key("telegram", username)
    header = getattr(message, "fwd_from", None)
    peer = getattr(header, "from_id", None)
    if isinstance(peer, types.PeerChannel):
        return account_key("telegram", f"id{peer.channel_id}")
    return None


def telethon_mark(group: Sequence[Any], pinned_id: int | None) -> PostMark:
    first = group[0]
    ids = {m.id for m in group}
    source = _forward_key(first)
    links = [link for message in group for link in _entity_links(message)]
    return PostMark(str(first.id), pinned_id in ids, (source,) if source else (), tuple(dict.fromkeys(links)))


class TelethonPageReader:
    """``kind: telegram``: the full channel card and the history since the horizon, through the user session."""

    def __init__(self, session: TelethonSession, *, max_pages: int = 5, clock: Callable[[], datetime] = _utc_now) -> None:
        self.session = session
        self.max_pages = max_pages
        self.clock = clock

    def read(self, page: PageRef, since: datetime) -> PageRead:
        start_calls = self.session.calls
        now = self.clock()
        handle = page.handle
        try:
            full = self.session.full_channel(handle)
        except SourceClosed as exc:
            status = NOT_FOUND if exc.code in ("not_found", "UsernameNotOccupiedError", "UsernameInvalidError") else CLOSED
            facts = PageFacts("telegram", handle, page.external_id, handle, channel_url(handle), now, status=status,
                              status_detail=str(exc))
            return PageRead(facts, calls=self.session.calls - start_calls)
        name = full.info.username or handle
        messages: list[Any] = []
        min_id = 0
        for number in range(self.max_pages):
            chunk = self.session.history(name, min_id=min_id, offset_date=since if number == 0 else None)
            messages += chunk
            ids = [m.id for m in chunk if isinstance(getattr(m, "id", None), int)]
            if len(chunk) < 100 or not ids:
                break
            min_id = max(ids)
        if full.pinned_id is not None and all(getattr(m, "id", None) != full.pinned_id for m in messages):
            messages += [m for m in self.session.messages(name, [full.pinned_id]) if m is not None]
        posts: list[Post] = []
        marks: list[PostMark] = []
        problems: list[RecordProblem] = []
        for group in group_albums(messages):
            try:
                post = post_from_messages(group, name, full.info.title, observed_at=now)
            except MalformedItem as exc:
                problems.append(skipped(f"сообщение {getattr(group[0], 'id', '?')} канала @{name}", str(exc)))
                continue
            posts.append(post)
            marks.append(telethon_mark(group, full.pinned_id))
        facts = PageFacts(
            platform="telegram",
            handle=name,
            external_id=str(full.info.id),
            title=clean_text(full.info.title),
            url=channel_url(name),
            observed_at=now,
            status=OK,
            followers=full.info.audience,
            description=clean_text(full.about) if full.about else None,
            has_avatar=full.has_photo,
            comments_open=full.linked_chat_id is not None,
            pinned_id=str(full.pinned_id) if full.pinned_id is not None else None,
        )
        order = sorted(range(len(posts)), key=lambda i: posts[i].published_at)
        return PageRead(facts, tuple(posts[i] for i in order), tuple(marks[i] for i in order), tuple(problems),
                        self.session.calls - start_calls)

    def close(self) -> None:
        self.session.close()
