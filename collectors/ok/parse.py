"""Pure functions: OK API payloads → ``Post`` / ``SourceInfo`` records (no I/O, tested on saved payloads).

A malformed item becomes a ``RecordProblem`` and is skipped; a payload of the wrong shape altogether raises
``SourceUnavailable`` (``SourceClosed`` when the group does not exist). Nothing else escapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from collectors.base import comment_id
from collectors.post import Metrics, Post
from collectors.records import RecordProblem, clean_text
from collectors.source import SourceInfo
from config.errors import SourceClosed, SourceUnavailable

PLATFORM = "ok"
KIND = "ok_group"
# discussions.getComments gives "YYYY-MM-DD HH:MM:SS" without a zone; OK reports Moscow time. The saved
# payload agrees: a comment dated "2026-01-23 12:10:00" has id base64("1769159400000:…") = 09:10 UTC.
# Moscow has been UTC+3 all year since 2014, so a fixed offset is exact for anything we still collect.
MOSCOW = timezone(timedelta(hours=3), "MSK")
COMMENT_DATE = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One topic of a feed page: the post, its creation time in ms (for the cursor) and whether it is pinned."""

    post: Post
    created_ms: int
    sticky: bool = False


@dataclass(frozen=True, slots=True)
class TopicPage:
    """A page of ``mediatopic.getTopics`` (or the answer of ``mediatopic.getByIds``), newest first."""

    items: tuple[FeedItem, ...]
    anchor: str | None
    has_more: bool
    problems: tuple[RecordProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class CommentPage:
    """A page of ``discussions.getComments``; ``raw_ids`` are OK's comment ids as given (for deletion checks)."""

    comments: tuple[Post, ...]
    raw_ids: tuple[str, ...]
    anchor: str | None
    has_more: bool
    problems: tuple[RecordProblem, ...] = ()


def topic_url(gid: str, topic_id: str) -> str:
    return f"https://ok.ru/group/{gid}/topic/{topic_id}"


def group_url(gid: str) -> str:
    return f"https://ok.ru/group/{gid}"


def parse_comment_date(value: Any) -> datetime:
    """``"2026-01-23 12:10:00"`` (Moscow time) → an aware UTC datetime; ``ValueError`` if it is not one."""
    if not isinstance(value, str):
        raise ValueError("нет даты")
    try:
        moment = datetime.strptime(value.strip(), COMMENT_DATE)
    except ValueError:
        raise ValueError(f"непонятная дата {value[:40]!r}") from None
    return moment.replace(tzinfo=MOSCOW).astimezone(timezone.utc)


def parse_topics(payload: Any, *, handle: str, gid: str) -> TopicPage:
    """A feed page (or a ``getByIds`` answer) → posts with metrics; bad topics become problems."""
    if not isinstance(payload, Mapping):
        raise SourceUnavailable("ОК: ответ со списком тем не является объектом")
    raw_topics = payload.get("media_topics") or []
    if not isinstance(raw_topics, list):
        raise SourceUnavailable("ОК: поле media_topics не является списком")
    names = entity_names(payload.get("entities"))
    items: list[FeedItem] = []
    problems: list[RecordProblem] = []
    for index, raw in enumerate(raw_topics):
        try:
            items.append(_feed_item(raw, handle=handle, gid=gid, names=names))
        except (ValueError, TypeError, OverflowError, OSError) as exc:
            label = raw.get("id") if isinstance(raw, Mapping) else None
            problems.append(RecordProblem(0, f"тема ОК {label or f'№{index + 1}'} пропущена: {exc}"))
    return TopicPage(tuple(items), _anchor(payload), _has_more(payload), tuple(problems))


def _feed_item(raw: Any, *, handle: str, gid: str, names: Mapping[str, str]) -> FeedItem:
    if not isinstance(raw, Mapping):
        raise ValueError("тема не является объектом")
    topic_id = _id(raw.get("id"))
    created_ms = _count(raw.get("created_ms"))
    if created_ms is None:
        raise ValueError("нет времени создания created_ms")
    published = datetime.fromtimestamp(created_ms / 1000, tz=timezone.utc)
    metrics = Metrics(
        # views: not in the saved payload; OK is said to send "views_count" on some topics (unverified)
        views=_count(raw.get("views_count")),
        likes=_count(_get(raw, "like_summary", "count")),
        reposts=_count(_get(raw, "reshare_summary", "count")),
        comments=_count(_get(raw, "discussion_summary", "comments_count")),
    )
    author_ref = str(raw.get("author_ref") or raw.get("owner_ref") or "")
    author = names.get(author_ref) or names.get(str(raw.get("owner_ref") or ""))
    post = Post(
        id=topic_id,
        platform=PLATFORM,
        source=handle,
        published_at=published,
        text=clean_text(topic_text(raw.get("media"))),
        url=topic_url(gid, topic_id),
        author=clean_text(author) if author else None,
        author_id=ref_author_id(author_ref),
        metrics=metrics,
    )
    return FeedItem(post, created_ms, raw.get("is_sticky") is True)


def ref_author_id(ref: str) -> str | None:
    """«group:700…» or «user:575…» (a topic's ``author_ref``) → «ok:700…», the form comments' ``author_id`` take."""
    _, _, raw = ref.rpartition(":")
    raw = raw.strip()
    return f"ok:{raw}" if raw.isdigit() and raw.isascii() else None


def topic_text(media: Any) -> str:
    """The words of a topic: its text blocks joined, then each link as "title url"; photos and the rest skipped."""
    if not isinstance(media, list):
        return ""
    texts: list[str] = []
    links: list[str] = []
    for block in media:
        if not isinstance(block, Mapping):
            continue
        kind = block.get("type")
        if kind == "text":
            text = block.get("text")
            if not isinstance(text, str):
                # some clients read the words from "text_tokens" when "text" is absent
                text = _token_text(block.get("text_tokens"))
            if text.strip():
                texts.append(text.strip())
        elif kind == "link":
            parts = [v.strip() for v in (block.get("title"), block.get("url")) if isinstance(v, str) and v.strip()]
            if parts:
                links.append(" ".join(parts))
    return "\n\n".join(texts + (["\n".join(links)] if links else []))


def _token_text(tokens: Any) -> str:
    if not isinstance(tokens, list):
        return ""
    return "".join(t["text"] for t in tokens if isinstance(t, Mapping) and isinstance(t.get("text"), str))


def parse_comments(payload: Any, *, handle: str, gid: str, topic_id: str) -> CommentPage:
    """A page of comments of one topic → comment posts (``parent_id`` = the topic id); bad ones become problems."""
    if not isinstance(payload, Mapping):
        raise SourceUnavailable(f"ОК: ответ с комментариями к теме {topic_id} не является объектом")
    raw_comments = payload.get("comments") or []
    if not isinstance(raw_comments, list):
        raise SourceUnavailable(f"ОК: поле comments к теме {topic_id} не является списком")
    names = entity_names(payload.get("entities"))
    comments: list[Post] = []
    raw_ids: list[str] = []
    problems: list[RecordProblem] = []
    for index, raw in enumerate(raw_comments):
        try:
            post, raw_id = _comment(raw, handle=handle, gid=gid, topic_id=topic_id, names=names)
        except (ValueError, TypeError, OverflowError, OSError) as exc:
            label = raw.get("id") if isinstance(raw, Mapping) else None
            name = label or f"№{index + 1}"
            problems.append(RecordProblem(0, f"комментарий ОК {name} к теме {topic_id} пропущен: {exc}"))
            continue
        comments.append(post)
        raw_ids.append(raw_id)
    return CommentPage(tuple(comments), tuple(raw_ids), _anchor(payload), _has_more(payload), tuple(problems))


def _comment(raw: Any, *, handle: str, gid: str, topic_id: str, names: Mapping[str, str]) -> tuple[Post, str]:
    if not isinstance(raw, Mapping):
        raise ValueError("комментарий не является объектом")
    raw_id = _id(raw.get("id"))
    published = parse_comment_date(raw.get("date"))
    text = raw.get("text")
    author_id = str(raw.get("author_id") or "")
    kind = "group" if str(raw.get("author_type") or "").upper() == "GROUP" else "user"
    author = (names.get(f"{kind}:{author_id}") or names.get(author_id)) if author_id else None
    post = Post(
        id=comment_id(topic_id, raw_id),
        platform=PLATFORM,
        source=handle,
        published_at=published,
        text=clean_text(text) if isinstance(text, str) else "",
        url=topic_url(gid, topic_id),
        author=clean_text(author) if author else None,
        author_id=f"ok:{author_id}" if author_id else None,
        parent_id=topic_id,
        metrics=Metrics(likes=_count(raw.get("like_count"))),
    )
    return post, raw_id


def entity_names(entities: Any) -> dict[str, str]:
    """Display names from ``entities``: keyed by ref (``group:<id>``, ``user:<id>``) and by bare id."""
    names: dict[str, str] = {}
    if not isinstance(entities, Mapping):
        return names
    for kind, key in (("group", "groups"), ("user", "users")):
        listed = entities.get(key)
        if not isinstance(listed, list):
            continue
        for entity in listed:
            if not isinstance(entity, Mapping):
                continue
            uid = entity.get("uid") or entity.get("id")
            name = entity.get("name")
            if not isinstance(name, str) or not name.strip():
                first, last = entity.get("first_name"), entity.get("last_name")
                name = " ".join(part for part in (first, last) if isinstance(part, str) and part.strip())
            if uid is None or isinstance(uid, (dict, list)) or not name:
                continue
            names.setdefault(f"{kind}:{uid}", name.strip())
            names.setdefault(str(uid), name.strip())
            ref = entity.get("ref")
            if isinstance(ref, str):
                names.setdefault(ref, name.strip())
    return names


def parse_group_info(payload: Any, *, gid: str) -> SourceInfo:
    """``group.getInfo`` → ``SourceInfo``. Real answers are a bare array; the docs show ``{"groups": [...]}``."""
    groups = payload.get("groups") if isinstance(payload, Mapping) else payload
    if not isinstance(groups, list):
        raise SourceUnavailable(f"ОК: ответ group.getInfo для группы {gid} не является списком групп")
    found = [g for g in groups if isinstance(g, Mapping) and str(g.get("uid")) == gid]
    if not found:
        raise SourceClosed(f"группа ОК {gid} не найдена (удалена или заблокирована)", "not_found")
    group = found[0]
    name = group.get("name")
    shortname = group.get("shortname")
    access = group.get("access_type")
    return SourceInfo(
        kind=KIND,
        handle=shortname.strip() if isinstance(shortname, str) and shortname.strip() else gid,
        external_id=gid,
        title=clean_text(name).strip() if isinstance(name, str) and name.strip() else f"группа ОК {gid}",
        url=group_url(gid),
        audience=_count(group.get("members_count")),
        # OPEN is a public group; CLOSED and SECRET ones show their feed to members only
        closed=isinstance(access, str) and access.upper() != "OPEN",
    )


def parse_url_info(payload: Any) -> str | None:
    """``url.getInfo`` → the group id when the URL is a group, else ``None`` (shape unverified, see resolve.py)."""
    if not isinstance(payload, Mapping):
        raise SourceUnavailable("ОК: ответ url.getInfo не является объектом")
    kind, object_id = payload.get("type"), payload.get("objectId")
    if not isinstance(kind, str) or kind.upper() != "GROUP" or isinstance(object_id, bool):
        return None
    text = str(object_id) if isinstance(object_id, (int, str)) else ""
    return text if text.isascii() and text.isdigit() else None


def _get(raw: Mapping[str, Any], outer: str, inner: str) -> Any:
    block = raw.get(outer)
    return block.get(inner) if isinstance(block, Mapping) else None


def _count(value: Any) -> int | None:
    """A non-negative integer counter, or ``None`` for anything else (missing, text, negative, bool)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("нет идентификатора")
    text = clean_text(str(value)).strip()
    if not text:
        raise ValueError("пустой идентификатор")
    return text


def _anchor(payload: Mapping[str, Any]) -> str | None:
    anchor = payload.get("anchor")
    return anchor if isinstance(anchor, str) and anchor else None


def _has_more(payload: Mapping[str, Any]) -> bool:
    return payload.get("has_more") is True
