"""Pure adaptation of telethon messages to ``Post`` records: channel posts, albums, and discussion comments.

Reads ``.message`` (the raw text), never ``.text``, which is ``None`` on a message without a client.
Metrics: ``views``; ``forwards`` → reposts; ``replies.replies`` → comments; the sum of reaction counts → likes.
``author_id`` is «tg:» and the sender's marked id as the Bot API writes it (a person ``tg:456``, a channel
``tg:-100123``): ``from_id`` when the message has one, else the channel itself for a channel post. A signature
(``post_author``) is a name, not an id: it stays the post's ``author``, the id stays the channel's.
A forwarded post gets the «Переслано из …» first line (see ``text.py``). ``edit_date`` needs no mark: the store
notices a changed text on refresh.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

from telethon import utils as tl_utils
from telethon.tl import types

from collectors.base import comment_id
from collectors.post import Metrics, Post
from collectors.records import clean_text
from collectors.telegram.links import comment_url, post_url
from collectors.telegram.malformed import MalformedItem
from collectors.telegram.text import mark_forwarded

PLATFORM = "telegram"


def is_content(message: object) -> bool:
    """A real message (not a service message, not an empty placeholder for a deleted id)."""
    return isinstance(message, types.Message)


def group_albums(messages: Iterable[Any]) -> list[list[Any]]:
    """Content messages in ascending id order, album members (same ``grouped_id``) gathered into one list.

    Telegram sends each photo of an album as its own message; we keep an album as one post keyed by its
    first id. Service messages and empty placeholders are dropped.
    """
    groups: list[list[Any]] = []
    by_album: dict[int, list[Any]] = {}
    for message in sorted((m for m in messages if is_content(m)), key=_sort_key):
        album = getattr(message, "grouped_id", None)
        if album is None or not isinstance(message.id, int):
            groups.append([message])
        elif album in by_album:
            by_album[album].append(message)
        else:
            by_album[album] = [message]
            groups.append(by_album[album])
    return groups


def thread_message(group: Sequence[Any]) -> Any:
    """The member of a post (an album) that carries the comment thread: the one with ``replies`` info."""
    with_replies = [m for m in group if isinstance(getattr(m, "replies", None), types.MessageReplies)]
    return max(with_replies, key=lambda m: _int(m.replies.replies)) if with_replies else group[0]


def has_comments(group: Sequence[Any]) -> bool:
    """The channel has a linked discussion group and this post has comments in it."""
    replies = getattr(thread_message(group), "replies", None)
    return isinstance(replies, types.MessageReplies) and bool(replies.comments) and _int(replies.replies) > 0


def comment_count(group: Sequence[Any]) -> int | None:
    replies = getattr(thread_message(group), "replies", None)
    return _int(replies.replies) if isinstance(replies, types.MessageReplies) and replies.comments else None


def post_from_messages(
    group: Sequence[Any], handle: str, channel_title: str | None = None, observed_at: datetime | None = None
) -> Post:
    """One channel post (a message, or an album's messages) → ``Post``; raises ``MalformedItem``."""
    if not group:
        raise MalformedItem("пустой пост")
    first = group[0]
    post_id = _int(first.id)
    captions = [text for text in (_raw_text(m) for m in group) if text]
    text = "\n\n".join(dict.fromkeys(captions))
    forward = _forward_source(first)
    if forward is not None:
        text = mark_forwarded(text, forward)
    # The signature if the channel shows one; in a public group the member who wrote; else the channel's title.
    author = _str(getattr(first, "post_author", None)) or sender_name(getattr(first, "sender", None)) or channel_title
    views = [_int(m.views) for m in group if getattr(m, "views", None) is not None]
    forwards = [_int(m.forwards) for m in group if getattr(m, "forwards", None) is not None]
    likes = [value for value in (reaction_total(m) for m in group) if value is not None]
    return Post(
        id=str(post_id),
        platform=PLATFORM,
        source=handle,
        published_at=_date(first),
        text=clean_text(text),
        url=post_url(handle, post_id),
        author=clean_text(author) if author else None,
        author_id=author_id_of(first, channel_post=True),
        metrics=Metrics(
            views=max(views) if views else None,
            likes=sum(likes) if likes else None,
            reposts=max(forwards) if forwards else None,
            comments=comment_count(group),
        ),
        observed_at=observed_at,
    )


def comment_from_message(message: Any, handle: str, post_id: str, observed_at: datetime | None = None) -> Post:
    """A message of the linked discussion group, replying to channel post ``post_id`` → a comment ``Post``."""
    if not is_content(message):
        raise MalformedItem("не сообщение")
    own_id = _int(message.id)
    author = sender_name(getattr(message, "sender", None)) or _str(getattr(message, "post_author", None))
    return Post(
        id=comment_id(post_id, own_id),
        platform=PLATFORM,
        source=handle,
        published_at=_date(message),
        text=clean_text(_raw_text(message)),
        url=comment_url(handle, post_id, own_id),
        author=clean_text(author) if author else None,
        author_id=author_id_of(message),
        parent_id=post_id,
        metrics=Metrics(likes=reaction_total(message)),
        observed_at=observed_at,
    )


def reaction_total(message: Any) -> int | None:
    """Sum of every reaction's count (emoji, custom emoji, paid), or ``None`` when the message has none."""
    reactions = getattr(message, "reactions", None)
    if not isinstance(reactions, types.MessageReactions):
        return None
    return sum(max(_int(result.count), 0) for result in reactions.results or () if isinstance(result, types.ReactionCount))


def author_id_of(message: Any, *, channel_post: bool = False) -> str | None:
    """«tg:<marked id>» of who sent the message: its ``from_id``, else (``channel_post``) the channel it was posted
    in. ``None`` when neither is a peer: an anonymous group admin, or a malformed message."""
    for peer in (getattr(message, "from_id", None), getattr(message, "peer_id", None) if channel_post else None):
        if isinstance(peer, (types.PeerUser, types.PeerChat, types.PeerChannel)):
            try:
                marked = tl_utils.get_peer_id(peer)
            except (TypeError, ValueError):
                return None  # an id of the wrong type: the post is kept without an author id
            return f"tg:{marked}" if isinstance(marked, int) and not isinstance(marked, bool) else None
    return None


def sender_name(sender: Any) -> str | None:
    """Display name of a ``User`` (first and last name, else @username) or a ``Channel``/``Chat`` (title)."""
    if sender is None:
        return None
    title = _str(getattr(sender, "title", None))
    if title:
        return title
    name = " ".join(part for part in (_str(getattr(sender, "first_name", None)), _str(getattr(sender, "last_name", None))) if part)
    if name:
        return name
    username = _str(getattr(sender, "username", None))
    return f"@{username}" if username else None


def _forward_source(message: Any) -> str | None:
    """The name a forwarded post came from ("" when hidden or unknown); ``None`` when it is not forwarded."""
    header = getattr(message, "fwd_from", None)
    if not isinstance(header, types.MessageFwdHeader):
        return None
    forward = getattr(message, "forward", None)  # telethon's Forward, with the original chat/sender attached
    for candidate in (getattr(forward, "chat", None), getattr(forward, "sender", None)):
        name = sender_name(candidate)
        if name:
            return name
    return _str(header.from_name) or _str(header.post_author) or ""


def _sort_key(message: Any) -> int:
    # A message with a broken id sorts first and fails alone in post_from_messages (reported, skipped).
    return message.id if isinstance(message.id, int) and not isinstance(message.id, bool) else -1


def _raw_text(message: Any) -> str:
    value = getattr(message, "message", None)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedItem(f"текст сообщения не строка ({type(value).__name__})")
    return value


def _date(message: Any) -> datetime:
    value = getattr(message, "date", None)
    if not isinstance(value, datetime):
        raise MalformedItem("нет даты публикации")
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedItem(f"ожидалось целое число, получено {type(value).__name__}")
    return value


def _str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
