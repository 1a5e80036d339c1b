"""An official VK community as a page: ``groups.getById`` with the design fields, and its feed with ``wall.get``.

Pure parsers (``page_facts``, ``feed_marks``, ``comments_open``) turn the saved-shape payloads into records;
``VkPageReader`` makes the calls (two to about six per page a day). Errors 15/18/30/203 and unknown ids are
statuses of the page, not failures: the report must say «страница закрыта/удалена», and the other pages go on.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from collectors.page import CLOSED, DELETED, NOT_FOUND, OK, Contact, PageFacts, PageRead, PageRef, PostMark, account_key
from collectors.post import Post
from collectors.records import RecordProblem, clean_text
from collectors.vk.client import VkClient
from collectors.vk.errors import NOT_FOUND_CODES, VkApiFailure
from collectors.vk.parse import (
    WEB,
    Malformed,
    Names,
    default_screen_name,
    groups_of,
    is_pinned,
    item_date,
    post_from_item,
    wall_page,
)
from config.errors import SourceClosed

log = logging.getLogger(__name__)

PAGE = 100
# What the design and contact checks need (schema groups_fields); screen_name and photos come anyway.
FACT_FIELDS = ("description", "members_count", "status", "cover", "contacts", "links", "site", "verified", "wall",
               "fixed_post", "has_photo", "addresses", "activity")
# Absent when there is nothing to say, so never reported as missing.
OPTIONAL_FIELDS = {"fixed_post", "status", "addresses", "activity"}
WALL_STATES = {0: "disabled", 1: "open", 2: "limited", 3: "restricted"}
DELETED_CODES = {18}
CLOSED_CODES = {15, 19, 30, 203}
_PLACEHOLDER = re.compile(r"/images/(?:community|camera|deactivated)_\d+", re.IGNORECASE)


def _utc(moment: int) -> datetime:
    return datetime.fromtimestamp(moment, tz=timezone.utc)


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and value in ("0", "1"):
        return value == "1"
    return None


def _text(value: Any) -> str | None:
    return clean_text(value).strip() or None if isinstance(value, str) else None


def _avatar(group: Mapping[str, Any]) -> bool | None:
    """``has_photo`` when VK gives it; otherwise a photo URL that is not VK's placeholder image."""
    flag = _flag(group.get("has_photo"))
    if flag is not None:
        return flag
    photo = group.get("photo_200") or group.get("photo_100") or group.get("photo_50")
    if isinstance(photo, str) and photo:
        return not _PLACEHOLDER.search(photo)
    return None


def _cover(group: Mapping[str, Any]) -> bool | None:
    cover = group.get("cover")
    if not isinstance(cover, Mapping):
        return None
    enabled = _flag(cover.get("enabled"))
    images = cover.get("images")
    return bool(enabled) and (not isinstance(images, list) or bool(images))


def _contacts(group: Mapping[str, Any]) -> tuple[Contact, ...]:
    found = []
    for entry in group.get("contacts") or ():
        if isinstance(entry, Mapping):
            contact = Contact(_text(entry.get("desc")), _text(entry.get("phone")), _text(entry.get("email")))
            if contact.phone or contact.email or contact.description:
                found.append(contact)
    return tuple(found)


def _links(group: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(url for entry in group.get("links") or () if isinstance(entry, Mapping)
                 and isinstance(url := entry.get("url"), str) and url.strip())


def _address(group: Mapping[str, Any]) -> str | None:
    addresses = group.get("addresses")
    main = addresses.get("main_address") if isinstance(addresses, Mapping) else None
    if isinstance(main, Mapping):
        parts = [_text(main.get(key)) for key in ("title", "address")]
        return ", ".join(part for part in parts if part) or None
    return None


def page_facts(group: Mapping[str, Any], observed_at: datetime) -> PageFacts:
    """A ``groups.getById`` entry (5.199 or legacy) → ``PageFacts``; raises ``Malformed`` without an id."""
    gid = group.get("id")
    if isinstance(gid, bool) or not isinstance(gid, int):
        raise Malformed("groups.getById: у сообщества нет числового id")
    owner = -abs(gid)
    handle = _text(group.get("screen_name")) or default_screen_name(owner)
    deactivated = group.get("deactivated")
    closed = _flag(group.get("is_closed"))
    status, detail = OK, None
    if isinstance(deactivated, str) and deactivated:
        status, detail = DELETED, f"сообщество {'заблокировано' if deactivated == 'banned' else 'удалено'} ({deactivated})"
    elif closed:
        status, detail = CLOSED, "закрытое или частное сообщество: стена видна только участникам"
    wall = group.get("wall")
    fixed = group.get("fixed_post")
    return PageFacts(
        platform="vk",
        handle=handle,
        external_id=str(owner),
        title=_text(group.get("name")) or handle,
        url=f"{WEB}/{handle}",
        observed_at=observed_at,
        status=status,
        status_detail=detail,
        followers=count if isinstance(count := group.get("members_count"), int) and count >= 0 else None,
        description=_text(group.get("description")),
        status_text=_text(group.get("status")),
        has_avatar=_avatar(group),
        has_cover=_cover(group),
        site=_text(group.get("site")),
        contacts=_contacts(group),
        links=_links(group),
        address=_address(group),
        state_mark=_flag(group.get("verified")),
        wall=WALL_STATES.get(wall) if isinstance(wall, int) else None,
        pinned_id=f"{owner}_{fixed}" if isinstance(fixed, int) and fixed > 0 else None,
        missing=tuple(name for name in FACT_FIELDS if name not in OPTIONAL_FIELDS and name not in group),
    )


def _attachment_links(item: Mapping[str, Any]) -> list[str]:
    links = []
    for attachment in item.get("attachments") or ():
        link = attachment.get("link") if isinstance(attachment, Mapping) else None
        if isinstance(link, Mapping) and isinstance(link.get("url"), str) and link["url"].strip():
            links.append(link["url"].strip())
    return links


def feed_mark(item: Mapping[str, Any], post_id: str, names: Names) -> PostMark:
    """Pinned, the communities or people it reposts (by id and screen name), and its link attachments."""
    sources: list[str] = []
    links = _attachment_links(item)
    for copied in item.get("copy_history") or ():
        if not isinstance(copied, Mapping):
            continue
        owner = copied.get("owner_id") if isinstance(copied.get("owner_id"), int) else copied.get("from_id")
        if isinstance(owner, int) and not isinstance(owner, bool):
            sources.append(account_key("vk", str(owner)))
            if owner in names.screen:
                sources.append(account_key("vk", names.screen[owner]))
            sources.append(account_key("vk", default_screen_name(owner)))
        links += _attachment_links(copied)
    return PostMark(post_id, is_pinned(item), tuple(dict.fromkeys(sources)), tuple(dict.fromkeys(links)))


def comments_open(items: Sequence[Mapping[str, Any]]) -> bool | None:
    """Open when VK lets the reading key comment on any recent post (``comments.can_post``); ``None`` if unsaid."""
    seen = [_flag(box.get("can_post")) for item in items if isinstance(box := item.get("comments"), Mapping)]
    known = [flag for flag in seen if flag is not None]
    return any(known) if known else None


class VkPageReader:
    """Reads one community per call through ``VkClient`` (budgeted, retried, errors translated)."""

    def __init__(self, client: VkClient, *, max_pages: int = 5, clock: Callable[[], datetime] | None = None) -> None:
        self.client = client
        self.max_pages = max_pages
        self.clock = clock or (lambda: datetime.now(timezone.utc))

    def read(self, page: PageRef, since: datetime) -> PageRead:
        start_calls = self.client.calls
        now = self.clock()
        key = page.external_id.lstrip("-") if page.external_id else page.handle
        try:
            payload = self.client.call("groups.getById", {"group_id": key, "fields": ",".join(FACT_FIELDS)})
            groups = groups_of(payload)
        except VkApiFailure as exc:
            if exc.code in NOT_FOUND_CODES:
                return self._gone(page, now, NOT_FOUND, "сообщество не найдено: удалено или сменило адрес", start_calls)
            raise
        except SourceClosed as exc:
            return self._gone(page, now, DELETED if exc.code in DELETED_CODES else CLOSED, str(exc), start_calls)
        except Malformed as exc:
            return self._gone(page, now, NOT_FOUND, f"неожиданный ответ groups.getById ({exc})", start_calls)
        if not groups:
            return self._gone(page, now, NOT_FOUND, "VK не вернул сообщество: удалено или сменило адрес", start_calls)
        facts = page_facts(groups[0], now)
        if not facts.readable:
            return PageRead(facts, calls=self.client.calls - start_calls)
        try:
            posts, marks, items, total, problems = self._feed(int(facts.external_id or 0), facts.handle, since, now)
        except SourceClosed as exc:
            gone = DELETED if exc.code in DELETED_CODES else CLOSED
            facts = replace(facts, status=gone, status_detail=str(exc))
            return PageRead(facts, calls=self.client.calls - start_calls)
        facts = replace(facts, comments_open=comments_open(items), posts_total=total)
        return PageRead(facts, posts, marks, problems, self.client.calls - start_calls)

    def close(self) -> None:
        self.client.close()

    def _feed(self, owner: int, handle: str, since: datetime, now: datetime
              ) -> tuple[tuple[Post, ...], tuple[PostMark, ...], list[Mapping[str, Any]], int, tuple[RecordProblem, ...]]:
        posts: dict[str, Post] = {}
        marks: dict[str, PostMark] = {}
        items: list[Mapping[str, Any]] = []
        problems: list[RecordProblem] = []
        total = 0
        horizon = since.timestamp()
        for number in range(self.max_pages):
            payload = self.client.call("wall.get", {"owner_id": owner, "count": PAGE, "offset": number * PAGE,
                                                    "extended": 1})
            try:
                page = wall_page(payload)
            except Malformed as exc:
                problems.append(RecordProblem(0, f"VK {handle}: страница ленты пропущена: {exc}"))
                break
            total = page.total
            older = False
            for item in page.items:
                try:
                    date = item_date(item)
                    pinned = is_pinned(item)
                    if date < horizon and not pinned:
                        older = True
                        continue
                    post = post_from_item(item, source=handle, names=page.names, observed_at=now)
                except Malformed as exc:
                    problems.append(RecordProblem(0, f"VK {handle}: пост пропущен: {exc}"))
                    continue
                posts[post.id] = post
                marks[post.id] = feed_mark(item, post.id, page.names)
                items.append(item)
            if older or len(page.items) < PAGE or (number + 1) * PAGE >= page.total:
                break
        ordered = sorted(posts.values(), key=lambda p: p.published_at)
        return tuple(ordered), tuple(marks[p.id] for p in ordered), items, total, tuple(problems)

    def _gone(self, page: PageRef, now: datetime, status: str, detail: str, start_calls: int) -> PageRead:
        log.info("VK %s: %s", page.handle, detail)
        facts = PageFacts("vk", page.handle, page.external_id, page.handle, page.url or f"{WEB}/{page.handle}", now,
                          status=status, status_detail=detail)
        return PageRead(facts, calls=self.client.calls - start_calls)
