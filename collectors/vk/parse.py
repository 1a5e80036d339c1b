"""Pure functions from VK API payloads to our records (``Post``, ``SourceInfo``); no I/O, no clock.

A page whose shape we cannot read raises ``Malformed`` (the collector turns it into ``SourceUnavailable``);
one malformed item raises ``Malformed`` too, and the collector skips that item with a problem note.
Post ids are VK's global post ids ``"<owner_id>_<post_id>"`` (as in ``wall.getById``), so a post found by
search and the same post read from its community's wall are one record, and a refresh needs nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from collectors.base import comment_id
from collectors.post import Metrics, Post
from collectors.records import clean_text
from collectors.source import SourceInfo

PLATFORM = "vk"
WEB = "https://vk.com"
MAX_TIMESTAMP = 32_503_680_000  # year 3000: anything later is not a real VK date


class Malformed(ValueError):
    """A payload or item lacks what we need; the Russian message names the field."""


# --- ids and links -------------------------------------------------------------------------------------------


def post_key(owner_id: int, post_id: int) -> str:
    """Our ``Post.id`` of a wall post: VK's global id ``"-123_456"``."""
    return f"{owner_id}_{post_id}"


def split_post_key(key: str) -> tuple[int, int]:
    """``"-123_456"`` → ``(-123, 456)``; raises ``Malformed`` for anything else (a comment id, a foreign id)."""
    owner, sep, post = key.rpartition("_")
    try:
        if sep and owner and post and "/" not in key:
            return int(owner), int(post)
    except ValueError:
        pass
    raise Malformed(f"не похоже на id поста VK: {key!r}")


def post_url(owner_id: int, post_id: int) -> str:
    return f"{WEB}/wall{owner_id}_{post_id}"


def comment_url(owner_id: int, post_id: int, comment: int, thread: int | None = None) -> str:
    """Link to a comment; a reply inside a thread also names the thread, as VK's own links do."""
    url = f"{post_url(owner_id, post_id)}?reply={comment}"
    return f"{url}&thread={thread}" if thread is not None else url


def default_screen_name(owner_id: int) -> str:
    """VK's name for a page without a chosen screen name: ``club123`` for communities, ``id123`` for people."""
    return f"club{-owner_id}" if owner_id < 0 else f"id{owner_id}"


# --- who is who ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Names:
    """Display and screen names by owner id (communities negative), from ``profiles``/``groups`` of an answer."""

    display: Mapping[int, str] = field(default_factory=dict)
    screen: Mapping[int, str] = field(default_factory=dict)
    audience: Mapping[int, int] = field(default_factory=dict)

    def name(self, owner_id: int | None) -> str | None:
        return self.display.get(owner_id) if owner_id is not None else None

    def screen_name(self, owner_id: int) -> str:
        return self.screen.get(owner_id) or default_screen_name(owner_id)

    def merged(self, other: "Names") -> "Names":
        return Names({**self.display, **other.display}, {**self.screen, **other.screen},
                     {**self.audience, **other.audience})


def names_from(payload: Any) -> Names:
    """Names from an extended answer; odd profile or group entries are ignored (names are a nicety)."""
    display: dict[int, str] = {}
    screen: dict[int, str] = {}
    audience: dict[int, int] = {}
    if not isinstance(payload, Mapping):
        return Names()
    for profile in _dicts(payload.get("profiles")):
        uid = _opt_int(profile.get("id"))
        if uid is None:
            continue
        parts = [p for p in (profile.get("first_name"), profile.get("last_name")) if isinstance(p, str) and p.strip()]
        if parts:
            display[uid] = clean_text(" ".join(p.strip() for p in parts))
        if isinstance(profile.get("screen_name"), str) and profile["screen_name"]:
            screen[uid] = clean_text(profile["screen_name"])
        if (followers := _opt_int(profile.get("followers_count"))) is not None:
            audience[uid] = followers
    for group in _dicts(payload.get("groups")):
        gid = _opt_int(group.get("id"))
        if gid is None:
            continue
        owner = -abs(gid)
        if isinstance(group.get("name"), str) and group["name"].strip():
            display[owner] = clean_text(group["name"].strip())
        if isinstance(group.get("screen_name"), str) and group["screen_name"]:
            screen[owner] = clean_text(group["screen_name"])
        if (members := _opt_int(group.get("members_count"))) is not None:
            audience[owner] = members
    return Names(display, screen, audience)


# --- pages ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WallPage:
    """One ``wall.get`` page: the wall's post count, its raw items (newest first, pinned on top) and names."""

    total: int
    items: tuple[Mapping[str, Any], ...]
    names: Names


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One ``newsfeed.search`` page; ``next_from`` is absent on the last page (or at the 1000-result cap)."""

    items: tuple[Mapping[str, Any], ...]
    names: Names
    next_from: str | None
    total: int | None


@dataclass(frozen=True, slots=True)
class CommentsPage:
    """One ``wall.getComments`` page: ``total`` counts replies too, ``level_count`` only this level."""

    total: int
    level_count: int
    items: tuple[Mapping[str, Any], ...]
    names: Names


def wall_page(payload: Any) -> WallPage:
    """A ``wall.get`` response (extended or not)."""
    body = _body(payload, "wall.get")
    items = _items(body, "wall.get")
    return WallPage(_opt_int(body.get("count")) or 0, items, names_from(body))


def search_page(payload: Any) -> SearchPage:
    """A ``newsfeed.search`` response (extended or not)."""
    body = _body(payload, "newsfeed.search")
    next_from = body.get("next_from")
    return SearchPage(
        _items(body, "newsfeed.search"),
        names_from(body),
        next_from if isinstance(next_from, str) and next_from else None,
        _opt_int(body.get("total_count")),
    )


def comments_page(payload: Any) -> CommentsPage:
    """A ``wall.getComments`` response (extended or not)."""
    body = _body(payload, "wall.getComments")
    items = _items(body, "wall.getComments")
    total = _opt_int(body.get("count")) or 0
    level = _opt_int(body.get("current_level_count"))
    return CommentsPage(total, level if level is not None else total, items, names_from(body))


def by_id_page(payload: Any) -> tuple[tuple[Mapping[str, Any], ...], Names]:
    """A ``wall.getById`` response: 5.199 gives ``{"items": [...]}`` (+ names when extended), old versions a list."""
    if isinstance(payload, list):
        return tuple(_dicts(payload)), Names()
    body = _body(payload, "wall.getById")
    return _items(body, "wall.getById"), names_from(body)


# --- items ---------------------------------------------------------------------------------------------------


def item_id(item: Any) -> int:
    return _int(item, "id")


def item_owner(item: Any) -> int:
    return _int(item, "owner_id")


def item_date(item: Any) -> int:
    value = _int(item, "date")
    if not 0 < value < MAX_TIMESTAMP:
        raise Malformed(f"date вне разумных пределов: {value}")
    return value


def is_pinned(item: Any) -> bool:
    return isinstance(item, Mapping) and _truthy(item.get("is_pinned"))


def is_deleted(item: Mapping[str, Any]) -> bool:
    return bool(item.get("deleted"))


def comment_count(item: Mapping[str, Any]) -> int | None:
    return _counter(item, "comments")


def post_from_item(item: Any, *, source: str, names: Names, observed_at: datetime | None = None) -> Post:
    """A wall post (``wall.get``, ``wall.getById``, ``newsfeed.search`` item) as a ``Post``.

    Text is the post's own text followed by the texts of the posts it reposts (``copy_history``); the author is
    the name of ``from_id`` (the community for community posts, the person for user posts), else the signer.
    """
    if not isinstance(item, Mapping):
        raise Malformed("пост не является JSON-объектом")
    owner, pid = item_owner(item), item_id(item)
    published = _timestamp(item_date(item))
    texts = [_text(item)]
    for copied in _dicts(item.get("copy_history")):
        texts.append(_text(copied))
    from_id = _opt_int(item.get("from_id"))
    author = names.name(from_id) or names.name(_opt_int(item.get("signer_id")))
    return Post(
        id=post_key(owner, pid),
        platform=PLATFORM,
        source=source,
        published_at=published,
        text="\n\n".join(text for text in texts if text.strip()),
        url=post_url(owner, pid),
        author=author,
        author_id=f"vk:{from_id}" if from_id else None,
        metrics=Metrics(
            views=_counter(item, "views"),
            likes=_counter(item, "likes"),
            reposts=_counter(item, "reposts"),
            comments=_counter(item, "comments"),
        ),
        observed_at=observed_at,
    )


def comment_from_item(
    item: Any,
    *,
    owner_id: int,
    post_id: int,
    source: str,
    names: Names,
    thread: int | None = None,
    observed_at: datetime | None = None,
) -> Post | None:
    """A comment (or a reply inside ``thread``) as a ``Post`` whose parent is the post; ``None`` if deleted."""
    if not isinstance(item, Mapping):
        raise Malformed("комментарий не является JSON-объектом")
    cid = item_id(item)
    if is_deleted(item):
        return None
    parent = post_key(owner_id, post_id)
    thread_info = item.get("thread")
    replies = _opt_count(thread_info.get("count")) if isinstance(thread_info, Mapping) else None
    return Post(
        id=comment_id(parent, cid),
        platform=PLATFORM,
        source=source,
        published_at=_timestamp(item_date(item)),
        text=_text(item),
        url=comment_url(owner_id, post_id, cid, thread),
        author=names.name(_opt_int(item.get("from_id"))),
        author_id=f"vk:{item.get('from_id')}" if _opt_int(item.get("from_id")) else None,
        parent_id=parent,
        metrics=Metrics(likes=_counter(item, "likes"), comments=replies),
        observed_at=observed_at,
    )


def thread_of(item: Mapping[str, Any]) -> tuple[int, tuple[Mapping[str, Any], ...]]:
    """A top-level comment's reply count and the replies that came with it (``thread_items_count``)."""
    thread = item.get("thread")
    if not isinstance(thread, Mapping):
        return 0, ()
    return _opt_count(thread.get("count")) or 0, tuple(_dicts(thread.get("items")))


# --- sources -------------------------------------------------------------------------------------------------


def resolved_object(payload: Any) -> tuple[str, int] | None:
    """``utils.resolveScreenName`` → ``(type, object_id)``, or ``None`` when VK does not know the name (``[]``)."""
    if not isinstance(payload, Mapping) or not payload:
        return None
    kind = payload.get("type")
    object_id = _opt_int(payload.get("object_id"))
    if not isinstance(kind, str) or object_id is None:
        raise Malformed("utils.resolveScreenName: нет type или object_id")
    return kind, object_id


def groups_of(payload: Any) -> list[Mapping[str, Any]]:
    """``groups.getById``: 5.199 answers ``{"groups": [...], "profiles": [...]}``, 5.131 and older a bare list."""
    if isinstance(payload, list):
        return list(_dicts(payload))
    if isinstance(payload, Mapping) and isinstance(payload.get("groups"), list):
        return list(_dicts(payload["groups"]))
    raise Malformed("groups.getById: ожидается список сообществ")


def group_info(group: Mapping[str, Any]) -> SourceInfo:
    """A community as a ``vk_wall`` source; closed when it is closed/private (``is_closed`` 1/2) or deactivated."""
    gid = abs(_int(group, "id"))
    handle = _screen(group) or default_screen_name(-gid)
    name = group.get("name")
    return SourceInfo(
        kind="vk_wall",
        handle=handle,
        external_id=f"-{gid}",
        title=clean_text(name.strip()) if isinstance(name, str) and name.strip() else handle,
        url=f"{WEB}/{handle}",
        audience=_opt_count(group.get("members_count")),
        closed=_truthy(group.get("is_closed")) or bool(group.get("deactivated")),
    )


def user_info(user: Mapping[str, Any]) -> SourceInfo:
    """A person's wall as a ``vk_wall`` source; closed when deactivated or private to us."""
    uid = _int(user, "id")
    handle = _screen(user) or default_screen_name(uid)
    parts = [p.strip() for p in (user.get("first_name"), user.get("last_name")) if isinstance(p, str) and p.strip()]
    private = _truthy(user.get("is_closed")) and not _truthy(user.get("can_access_closed"))
    return SourceInfo(
        kind="vk_wall",
        handle=handle,
        external_id=str(uid),
        title=clean_text(" ".join(parts)) if parts else handle,
        url=f"{WEB}/{handle}",
        audience=_opt_count(user.get("followers_count")),
        closed=private or bool(user.get("deactivated")),
    )


def owner_info(owner_id: int, names: Names) -> SourceInfo | None:
    """What an extended wall page tells about the wall's owner (title, audience), if it names the owner."""
    title = names.name(owner_id)
    if title is None:
        return None
    handle = names.screen_name(owner_id)
    return SourceInfo("vk_wall", handle, str(owner_id), title, f"{WEB}/{handle}", names.audience.get(owner_id))


# --- small readers -------------------------------------------------------------------------------------------


def _body(payload: Any, method: str) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise Malformed(f"{method}: ответ не является JSON-объектом")
    return payload


def _items(body: Mapping[str, Any], method: str) -> tuple[Mapping[str, Any], ...]:
    items = body.get("items")
    if items is None:
        return ()
    if not isinstance(items, list):
        raise Malformed(f"{method}: поле items не является списком")
    # Non-object entries are kept so the collector can report them as skipped items.
    return tuple(items)


def _dicts(value: Any) -> Iterable[Mapping[str, Any]]:
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [entry for entry in value if isinstance(entry, Mapping)]
    return []


def _int(item: Any, name: str) -> int:
    if not isinstance(item, Mapping):
        raise Malformed("элемент ответа не является JSON-объектом")
    value = _opt_int(item.get(name))
    if value is None:
        raise Malformed(f"нет числового поля {name}")
    return value


def _opt_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit() and len(value) < 20:
        return int(value)
    return None


def _opt_count(value: Any) -> int | None:
    number = _opt_int(value)
    return number if number is not None and number >= 0 else None


def _counter(item: Mapping[str, Any], name: str) -> int | None:
    """``views``/``likes``/``reposts``/``comments`` are objects with ``count``; missing on old posts."""
    box = item.get(name)
    return _opt_count(box.get("count")) if isinstance(box, Mapping) else None


def _text(item: Mapping[str, Any]) -> str:
    value = item.get("text")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Malformed("поле text не является строкой")
    return clean_text(value)


def _timestamp(value: int) -> datetime:
    return datetime.fromtimestamp(value, tz=timezone.utc)


def _screen(entry: Mapping[str, Any]) -> str | None:
    value = entry.get("screen_name")
    return clean_text(value) if isinstance(value, str) and value.strip() else None


def _truthy(value: Any) -> bool:
    return value not in (None, 0, False, "0", "")
