"""An official OK group as a page: ``group.getInfo`` with the contact fields, and its feed (``mediatopic.getTopics``).

OK has no cover, state mark or comment switch in the documented answers: those facts stay ``None`` («нет
данных»). A group that is not OPEN, or that OK does not return, is a page status, not a failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from collectors.ok.client import OkClient
from collectors.ok.group import TOPIC_FIELDS
from collectors.ok.parse import group_url, parse_topics
from collectors.page import CLOSED, NOT_FOUND, OK, Contact, PageFacts, PageRead, PageRef, PostMark
from collectors.post import Post
from collectors.records import RecordProblem, clean_text
from config.errors import SourceClosed, SourceUnavailable

log = logging.getLogger(__name__)

BASIC_FIELDS = "uid,name,description,shortname,members_count,access_type,pic_avatar"
# UNVERIFIED: homepage_url and phone are field names of the apiok.ru group object not covered by our fact sheet;
# an answer without them (or an error about them) falls back to the documented fields and says so in ``missing``.
FACT_FIELDS = BASIC_FIELDS + ",homepage_url,phone"
PAGE_SIZE = 50


def _text(value: Any) -> str | None:
    return clean_text(value).strip() or None if isinstance(value, str) else None


def page_facts(payload: Any, gid: str, observed_at: datetime, asked: str = FACT_FIELDS) -> PageFacts:
    """``group.getInfo`` (a bare array, or ``{"groups": [...]}``) → ``PageFacts`` for group ``gid``."""
    groups = payload.get("groups") if isinstance(payload, Mapping) else payload
    found = [g for g in groups if isinstance(g, Mapping) and str(g.get("uid")) == gid] if isinstance(groups, list) else []
    if not found:
        return PageFacts("ok", gid, gid, f"группа ОК {gid}", group_url(gid), observed_at, status=NOT_FOUND,
                         status_detail="группа не найдена: удалена или заблокирована")
    group = found[0]
    shortname = _text(group.get("shortname"))
    access = group.get("access_type")
    closed = isinstance(access, str) and access.upper() != "OPEN"
    avatar = group.get("pic_avatar")
    members = group.get("members_count")
    site = _text(group.get("homepage_url"))
    phone = _text(group.get("phone"))
    return PageFacts(
        platform="ok",
        handle=shortname or gid,
        external_id=gid,
        title=_text(group.get("name")) or f"группа ОК {gid}",
        url=group_url(gid),
        observed_at=observed_at,
        status=CLOSED if closed else OK,
        status_detail=f"группа не открыта ({access}): лента видна только участникам" if closed else None,
        followers=members if isinstance(members, int) and not isinstance(members, bool) and members >= 0 else None,
        description=_text(group.get("description")),
        has_avatar=bool(_text(avatar)) if "pic_avatar" in group else None,
        site=site,
        contacts=(Contact(phone=phone),) if phone else (),
        missing=tuple(name for name in asked.split(",") if name not in group and name not in ("uid", "shortname")),
    )


def feed_marks(payload: Any) -> dict[str, PostMark]:
    """Pinned (``is_sticky``) and link blocks of each topic of a feed page, by topic id."""
    marks: dict[str, PostMark] = {}
    topics = payload.get("media_topics") if isinstance(payload, Mapping) else None
    for topic in topics if isinstance(topics, list) else ():
        if not isinstance(topic, Mapping) or not isinstance(topic.get("id"), (str, int)):
            continue
        links = [block["url"].strip() for block in topic.get("media") or ()
                 if isinstance(block, Mapping) and block.get("type") == "link" and isinstance(block.get("url"), str)
                 and block["url"].strip()]
        topic_id = str(topic["id"]).strip()
        marks[topic_id] = PostMark(topic_id, topic.get("is_sticky") is True, (), tuple(dict.fromkeys(links)))
    return marks


class OkPageReader:
    """Reads one group per call through the signed ``OkClient``."""

    def __init__(self, client: OkClient, *, max_pages: int = 5, clock: Callable[[], datetime] | None = None) -> None:
        self.client = client
        self.max_pages = max_pages
        self.clock = clock or (lambda: datetime.now(timezone.utc))

    def read(self, page: PageRef, since: datetime) -> PageRead:
        start_calls = self.client.calls
        now = self.clock()
        gid = page.external_id or page.handle
        try:
            facts = self._facts(gid, now)
        except SourceClosed as exc:
            facts = PageFacts("ok", page.handle, gid, page.handle, group_url(gid), now, status=CLOSED,
                              status_detail=str(exc))
        if not facts.readable:
            log.info("ОК %s: %s", gid, facts.status_detail)
            return PageRead(facts, calls=self.client.calls - start_calls)
        try:
            posts, marks, problems = self._feed(gid, facts.handle, since, now)
        except SourceClosed as exc:
            return PageRead(replace(facts, status=CLOSED, status_detail=str(exc)), calls=self.client.calls - start_calls)
        return PageRead(facts, posts, marks, problems, self.client.calls - start_calls)

    def close(self) -> None:
        pass  # the client's HTTP pool belongs to whoever built it

    def _facts(self, gid: str, now: datetime) -> PageFacts:
        try:
            return page_facts(self.client.call("group.getInfo", uids=gid, fields=FACT_FIELDS), gid, now)
        except SourceClosed:
            raise
        except SourceUnavailable as exc:
            log.info("ОК group.getInfo %s с полями контактов не удался (%s): повтор с основными полями", gid, exc)
            # The fields OK refused are named as missing: the report says what it could not see.
            return page_facts(self.client.call("group.getInfo", uids=gid, fields=BASIC_FIELDS), gid, now)

    def _feed(self, gid: str, handle: str, since: datetime, now: datetime
              ) -> tuple[tuple[Post, ...], tuple[PostMark, ...], tuple[RecordProblem, ...]]:
        posts: dict[str, Post] = {}
        marks: dict[str, PostMark] = {}
        problems: list[RecordProblem] = []
        anchor: str | None = None
        for _ in range(self.max_pages):
            payload = self.client.call("mediatopic.getTopics", gid=gid, count=PAGE_SIZE, anchor=anchor,
                                       direction="FORWARD" if anchor else None, fields=TOPIC_FIELDS)
            page = parse_topics(payload, handle=handle, gid=gid)
            page_marks = feed_marks(payload)
            problems.extend(page.problems)
            older = False
            for item in page.items:
                if item.post.published_at < since and not item.sticky:
                    older = True
                    continue
                post = replace(item.post, observed_at=now)
                posts[post.id] = post
                marks[post.id] = page_marks.get(post.id, PostMark(post.id, item.sticky))
            if older or not page.has_more or not page.anchor:
                break
            anchor = page.anchor
        ordered = sorted(posts.values(), key=lambda p: p.published_at)
        return tuple(ordered), tuple(marks[p.id] for p in ordered), tuple(problems)
