"""A fake telethon ``TelegramClient``: the same methods our session adapter calls, answering with real telethon
``Message`` objects (PeerChannel, MessageReplies, MessageReactions, MessageFwdHeader, edit_date, grouped_id…).

Telethon speaks MTProto over TCP, so no loopback server can stand in for Telegram; the seam is the client object
(FACTS §3.1). Channels are generated from templates (N posts × M comments in a linked discussion group); errors
(``FloodWaitError``, ``AuthKeyUnregisteredError``, ``ChannelPrivateError``…) and stalls are scripted per request
type; ``requests`` logs one entry per request telethon would send (a history chunk of up to 100 is one request).
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from telethon import errors, utils
from telethon._updates import EntityCache
from telethon.tl import functions, types

NOW = datetime(2026, 1, 23, 15, 0, tzinfo=timezone.utc)
CHUNK = 100
POST_TEXTS = (
    "Отключение горячей воды на ул. Ленина, 12–20 с 10:00 до 16:00.",
    "Во дворе дома № 5 по Строителей снова не вывезли мусор 🗑",
    "Ремонт дороги на Солнечной: объезд через 3-й микрорайон.",
    "Глава города проведёт приём граждан в пятницу.",
    "На Смоленской АЭС плановые работы, радиационный фон в норме.",
)
COMMENT_TEXTS = (
    "А когда дадут воду? Третий день без горячей!",
    "Спасибо, что предупредили.",
    "Опять эта яма на Солнечной, сколько можно 😡",
    "Кто отвечает за вывоз мусора во дворе?",
)
_USERS = [types.User(id=500 + n, first_name=first, last_name=last, username=f"user{n}")
          for n, (first, last) in enumerate([("Ирина", "Соколова"), ("Павел", "Ким"), ("Олег", None), ("Нина", "Лебедева")])]


def make_reactions(counts: dict[str, int]) -> types.MessageReactions | None:
    """``{"👍": 5, "😢": 2}`` → ``MessageReactions`` with ``ReactionEmoji`` counts."""
    if not counts:
        return None
    return types.MessageReactions(results=[types.ReactionCount(reaction=types.ReactionEmoji(emoticon=e), count=n)
                                           for e, n in counts.items()])


@dataclass
class FakeTgChannel:
    """A broadcast channel with an optional linked discussion group; messages are real telethon objects."""

    id: int
    username: str
    title: str
    subscribers: int = 12_400
    group_id: int | None = None
    private: bool = False
    posts: dict[int, Any] = field(default_factory=dict)
    comments: dict[int, list[Any]] = field(default_factory=dict)
    entity: Any = None
    about: str = ""
    pinned_id: int | None = None

    @property
    def peer(self) -> types.PeerChannel:
        return types.PeerChannel(channel_id=self.id)


class FakeTelethonClient:
    """Stands in for ``TelegramClient``: ``connect``, ``is_user_authorized``, ``disconnect``, ``get_entity``,
    ``iter_messages``, ``get_messages`` and ``__call__`` (``GetFullChannelRequest``)."""

    def __init__(self, *, authorized: bool = True, flood_sleep_threshold: int = 60, now: datetime = NOW) -> None:
        self.authorized = authorized
        self.now = now  # generated content ends here (collectors judge their horizon by their clock)
        self.flood_sleep_threshold = flood_sleep_threshold
        self.channels: dict[str, FakeTgChannel] = {}
        self.users: dict[str, types.User] = {}
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.connected = False
        self._failures: dict[str, deque[Any]] = {}
        self._ids = itertools.count(1_000_000_001)
        self._group_ids = itertools.count(2_000_000_001)
        # what Message._finish_init and Message.text read from a client
        self.parse_mode = None
        self._self_id = 1
        self._mb_entity_cache = EntityCache()

    # -- configuration ------------------------------------------------------------------------------------------

    def add_channel(self, username: str, posts: int = 0, comments: int = 0, *, title: str | None = None,
                    linked: bool = True, subscribers: int = 12_400, step: timedelta = timedelta(minutes=30),
                    start: datetime | None = None, about: str = "", photo: bool = False) -> FakeTgChannel:
        """A channel with ``posts`` generated posts, each with ``comments`` comments (ending at ``now``)."""
        channel = FakeTgChannel(id=next(self._ids), username=username, title=title or f"Канал {username}",
                                subscribers=subscribers, group_id=next(self._group_ids) if linked else None, about=about)
        picture = types.ChatPhoto(photo_id=channel.id, dc_id=2) if photo else types.ChatPhotoEmpty()
        channel.entity = types.Channel(id=channel.id, title=channel.title, photo=picture, date=NOW,
                                       username=username, broadcast=True, access_hash=channel.id * 7)
        self.channels[username.lower()] = channel
        self.add_posts(channel, posts, comments=comments, step=step, start=start)
        return channel

    def add_posts(self, channel: FakeTgChannel, count: int, *, comments: int = 0,
                  step: timedelta = timedelta(minutes=30), start: datetime | None = None) -> list[Any]:
        """Append generated posts after the channel's last message."""
        moment = start or self.now - step * count
        next_id = max(channel.posts, default=0) + 1
        added = []
        for number in range(count):
            post_id = next_id + number
            date = moment + step * number
            message = self.post(channel, post_id, date, f"{POST_TEXTS[post_id % len(POST_TEXTS)]} (пост {post_id})",
                                views=100 + post_id * 37, forwards=post_id % 5,
                                reactions={"👍": post_id % 13, "😢": post_id % 3} if post_id % 4 == 0 else None,
                                comments=comments)
            added.append(message)
            for index in range(comments):
                self.comment(channel, post_id, date + timedelta(minutes=index + 1), COMMENT_TEXTS[index % len(COMMENT_TEXTS)],
                             user=_USERS[index % len(_USERS)])
        return added

    def post(self, channel: FakeTgChannel, post_id: int, date: datetime, text: str, *, views: int | None = 100,
             forwards: int | None = 0, reactions: dict[str, int] | None = None, comments: int | None = 0,
             fwd_from: types.MessageFwdHeader | None = None, fwd_entity: Any = None, edit_date: datetime | None = None,
             grouped_id: int | None = None, post_author: str | None = None) -> Any:
        """Store (or replace) one channel post built as telethon builds it."""
        replies = None
        if comments is not None and channel.group_id is not None:
            replies = types.MessageReplies(replies=comments, replies_pts=1, comments=True, channel_id=channel.group_id)
        message = types.Message(
            id=post_id, peer_id=channel.peer, date=date, message=text, post=True, views=views, forwards=forwards,
            replies=replies, reactions=make_reactions(reactions or {}), fwd_from=fwd_from,
            edit_date=edit_date, grouped_id=grouped_id, post_author=post_author,
        )
        entities = {utils.get_peer_id(channel.peer): channel.entity}
        if fwd_entity is not None:
            entities[utils.get_peer_id(fwd_entity)] = fwd_entity
        message._finish_init(self, entities, None)
        channel.posts[post_id] = message
        return message

    def service(self, channel: FakeTgChannel, post_id: int, date: datetime) -> Any:
        """A service message (e.g. a pinned-message notice) in the channel's history."""
        message = types.MessageService(id=post_id, peer_id=channel.peer, date=date,
                                       action=types.MessageActionPinMessage())
        message._finish_init(self, {}, None)
        channel.posts[post_id] = message
        return message

    def comment(self, channel: FakeTgChannel, post_id: int, date: datetime, text: str, *, user: types.User | None = None,
                reactions: dict[str, int] | None = None) -> Any:
        """A reply to ``post_id`` in the channel's discussion group."""
        assert channel.group_id is not None, "канал без группы обсуждения"
        thread = channel.comments.setdefault(post_id, [])
        own_id = 10_000 + post_id * 1000 + len(thread) + 1
        sender = user or _USERS[0]
        message = types.Message(
            id=own_id, peer_id=types.PeerChannel(channel_id=channel.group_id), date=date, message=text,
            from_id=types.PeerUser(user_id=sender.id), reactions=make_reactions(reactions or {}),
            reply_to=types.MessageReplyHeader(reply_to_msg_id=post_id, reply_to_top_id=post_id),
        )
        message._finish_init(self, {sender.id: sender}, None)
        thread.append(message)
        self._set_comment_count(channel, post_id)
        return message

    def edit(self, channel: FakeTgChannel, post_id: int, text: str, *, at: datetime = NOW) -> None:
        message = channel.posts[post_id]
        message.message = text
        message.edit_date = at

    def delete(self, channel: FakeTgChannel, post_id: int) -> None:
        del channel.posts[post_id]

    def delete_comment(self, channel: FakeTgChannel, post_id: int, own_id: int) -> None:
        channel.comments[post_id] = [m for m in channel.comments[post_id] if m.id != own_id]
        self._set_comment_count(channel, post_id)

    def fail(self, method: str, *answers: Any) -> None:
        """Queue failures for a request type: an exception instance to raise, or ``("stall", seconds)``.

        Request types: ``connect``, ``ResolveUsername``, ``GetFullChannel``, ``GetHistory``, ``GetReplies``,
        ``GetMessages``.
        """
        self._failures.setdefault(method, deque()).extend(answers)

    def count(self, method: str) -> int:
        return sum(1 for name, _ in self.requests if name == method)

    # -- the telethon surface -----------------------------------------------------------------------------------

    async def connect(self) -> None:
        await self._hit("connect", {})
        self.connected = True

    async def is_user_authorized(self) -> bool:
        return self.authorized

    async def disconnect(self) -> None:
        self.connected = False

    def is_connected(self) -> bool:
        return self.connected

    async def get_entity(self, entity: Any) -> Any:
        await self._hit("ResolveUsername", {"username": entity})
        if isinstance(entity, str):
            name = entity.lstrip("@").lower()
            if name in self.users:
                return self.users[name]
            if name in self.channels:
                return self.channels[name].entity
            raise ValueError(f'No user has "{entity}" as username')
        return self._channel(entity).entity

    def iter_messages(self, entity: Any, limit: int | None = None, *, offset_date: datetime | None = None,
                      offset_id: int = 0, max_id: int = 0, min_id: int = 0, add_offset: int = 0,
                      reverse: bool = False, reply_to: int | None = None, ids: Any = None, **_: Any) -> AsyncIterator[Any]:
        return self._iter(entity, limit, offset_date, max_id, min_id, reverse, reply_to)

    async def get_messages(self, entity: Any, *args: Any, ids: Iterable[int] | None = None, **kwargs: Any) -> list[Any]:
        assert ids is not None, "the adapter always asks by ids"
        wanted = list(ids)
        channel = self._channel(entity)
        for start in range(0, max(len(wanted), 1), CHUNK):
            await self._hit("GetMessages", {"channel": channel.username, "ids": wanted[start:start + CHUNK]})
            self._check_open(channel)
        return [channel.posts.get(message_id) for message_id in wanted]

    async def __call__(self, request: Any) -> Any:
        if isinstance(request, functions.channels.GetFullChannelRequest):
            channel = self._channel(request.channel)
            await self._hit("GetFullChannel", {"channel": channel.username})
            self._check_open(channel)
            full = types.ChannelFull(
                id=channel.id, about=channel.about, pinned_msg_id=channel.pinned_id, read_inbox_max_id=0, read_outbox_max_id=0, unread_count=0,
                chat_photo=types.PhotoEmpty(id=0), notify_settings=types.PeerNotifySettings(), bot_info=[], pts=1,
                participants_count=channel.subscribers, linked_chat_id=channel.group_id,
            )
            return types.messages.ChatFull(full_chat=full, chats=[channel.entity], users=[])
        raise NotImplementedError(type(request).__name__)

    # -- machinery ----------------------------------------------------------------------------------------------

    async def _iter(self, entity: Any, limit: int | None, offset_date: datetime | None, max_id: int, min_id: int,
                    reverse: bool, reply_to: int | None) -> AsyncIterator[Any]:
        channel = self._channel(entity)
        method = "GetReplies" if reply_to is not None else "GetHistory"
        await self._hit(method, {"channel": channel.username, "min_id": min_id, "offset_date": offset_date,
                                 "reply_to": reply_to, "limit": limit})
        self._check_open(channel)
        if reply_to is not None:
            if channel.group_id is None:
                raise errors.PeerIdInvalidError(request=None)
            if reply_to not in channel.posts:
                raise errors.MsgIdInvalidError(request=None)
            pool = list(channel.comments.get(reply_to, []))
        else:
            pool = list(channel.posts.values())
        pool = [m for m in pool if m.id > min_id and (not max_id or m.id < max_id)]
        if offset_date is not None:
            # a message with a broken date (tests of malformed input) passes the filter, as a server would keep it
            pool = [m for m in pool if not isinstance(m.date, datetime)
                    or (m.date >= offset_date if reverse else m.date < offset_date)]
        pool.sort(key=lambda m: m.id, reverse=not reverse)
        chosen = pool[:limit] if limit is not None else pool
        for extra in range(1, (len(chosen) - 1) // CHUNK + 1):  # telethon sends one request per 100 messages
            await self._hit(method, {"channel": channel.username, "chunk": extra})
        for message in chosen:
            yield message

    async def _hit(self, method: str, params: dict[str, Any]) -> None:
        self.requests.append((method, params))
        queue = self._failures.get(method)
        if queue:
            answer = queue.popleft()
            if isinstance(answer, tuple) and answer[0] == "stall":
                await asyncio.sleep(answer[1])
            else:
                raise answer

    def _channel(self, entity: Any) -> FakeTgChannel:
        if isinstance(entity, str):
            found = self.channels.get(entity.lstrip("@").lower())
        else:
            wanted = getattr(entity, "id", getattr(entity, "channel_id", entity))
            found = next((c for c in self.channels.values() if c.id == wanted), None)
        if found is None:
            raise ValueError(f"Could not find the input entity for {entity!r}")
        return found

    @staticmethod
    def _check_open(channel: FakeTgChannel) -> None:
        if channel.private:
            raise errors.ChannelPrivateError(request=None)

    @staticmethod
    def _set_comment_count(channel: FakeTgChannel, post_id: int) -> None:
        post = channel.posts.get(post_id)
        if post is not None and isinstance(post.replies, types.MessageReplies):
            post.replies.replies = len(channel.comments.get(post_id, []))
