"""Our small synchronous face of a telethon user session: the few reads collectors need, on a private event loop.

Telethon is asyncio and speaks MTProto, not HTTP. ``TelethonSession`` runs one client on its own event loop in a
background thread, so any thread (the scheduler's) can call plain methods. Each method is one API request (or
one per 100 messages), counted against the shared ``Budget`` under the API name ``"telegram"``, and every
telethon error is translated here into ours: FloodWait longer than ``flood_sleep_threshold`` → ``RateLimited``
(shorter ones telethon sleeps through itself), an unusable session → ``AuthFailed``, a missing or private
channel → ``SourceClosed``, anything else → ``SourceUnavailable``.

Tests hand in a fake client object with the same methods (``tests/fakes/telethon_client.py``).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from telethon import errors
from telethon.tl import functions, types

from collectors.base import NotConfigured
from collectors.budget import Budget
from config.errors import AuthFailed, CollectorError, MCUError, RateLimited, SourceClosed, SourceUnavailable
from config.schema import Settings

log = logging.getLogger(__name__)

API = "telegram"
CHUNK = 100  # telethon and Telegram give at most 100 messages per request
T = TypeVar("T")

_CLOSED = (
    errors.ChannelPrivateError,
    errors.ChannelInvalidError,
    errors.ChannelBannedError,
    errors.ChannelPublicGroupNaError,
    errors.ChatForbiddenError,
    errors.ChatIdInvalidError,
    errors.UsernameNotOccupiedError,
    errors.UsernameInvalidError,
    errors.PeerIdInvalidError,
)
_AUTH = (errors.UnauthorizedError, errors.AuthKeyError, errors.ApiIdInvalidError)
# Errors of a comment thread that only mean "no discussion group here", not "the channel is gone".
_NO_THREAD = (errors.PeerIdInvalidError, errors.MsgIdInvalidError, errors.ChannelPrivateError, errors.ChannelInvalidError)


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """What telethon tells about a channel: its id, title, @username and subscriber count (when asked)."""

    id: int
    title: str
    username: str | None
    audience: int | None = None
    broadcast: bool = True


@dataclass(frozen=True, slots=True)
class FullChannel:
    """``channels.getFullChannel``: the card (about, photo), subscribers, pinned post and discussion group."""

    info: ChannelInfo
    about: str | None = None
    has_photo: bool | None = None
    pinned_id: int | None = None
    linked_chat_id: int | None = None


def translate(exc: BaseException, what: str) -> CollectorError:
    """A telethon (or network) exception → our error with a Russian message naming the request."""
    if isinstance(exc, errors.FloodError):
        seconds = float(getattr(exc, "seconds", 0) or 0)
        return RateLimited(f"Telegram: {what}: FloodWait — сервер просит подождать {seconds:.0f} с", seconds)
    if isinstance(exc, _AUTH):
        return AuthFailed(
            f"Telegram: {what}: сессия пользователя не действует ({type(exc).__name__}); "
            "создайте новую строку сессии (MCU_TG_SESSION)",
            api=API,
        )
    if isinstance(exc, _CLOSED):
        return SourceClosed(f"Telegram: {what}: канал не существует, закрыт или недоступен ({type(exc).__name__})",
                            code=type(exc).__name__)
    if isinstance(exc, ValueError) and "unsuccessful" not in str(exc):
        # telethon's get_entity/get_input_entity: 'No user has "x" as username', 'Cannot find any entity …'
        return SourceClosed(f"Telegram: {what}: такого канала нет", code="not_found")
    if isinstance(exc, TimeoutError):
        return SourceUnavailable(f"Telegram: {what}: нет ответа (таймаут)")
    if isinstance(exc, (ConnectionError, OSError)):
        return SourceUnavailable(f"Telegram: {what}: соединение не удалось ({type(exc).__name__})")
    return SourceUnavailable(f"Telegram: {what}: ошибка {type(exc).__name__}")


class TelethonSession:
    """Synchronous reads through one telethon client; ``calls`` counts the API requests made.

    ``client_factory`` builds the client (a ``TelegramClient``, or a fake in tests); it is called once, lazily,
    on the private loop, so building a collector never touches the network. ``timeout`` bounds one request,
    including the FloodWait sleeps telethon does by itself.
    """

    def __init__(self, client_factory: Callable[[], Any], budget: Budget, *, timeout: float = 120.0) -> None:
        self._factory = client_factory
        self._budget = budget
        self._timeout = timeout
        self._lock = threading.RLock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: Any = None
        self._entities: dict[str, Any] = {}
        self._channels: dict[str, ChannelInfo] = {}
        self.calls = 0

    # -- the reads collectors use -------------------------------------------------------------------------------

    def channel(self, handle: str, *, full: bool = False) -> ChannelInfo:
        """Resolve ``@handle`` once (later calls are free); ``full`` also asks for the subscriber count."""
        with self._lock:
            key = handle.lower()
            if key not in self._entities:
                entity = self._request("contacts.resolveUsername", f"канал @{handle}", lambda c: c.get_entity(handle))
                log.info("telegram contacts.resolveUsername @%s → %s", handle, type(entity).__name__)
                if not isinstance(entity, types.Channel):
                    raise SourceClosed(f"Telegram: @{handle} — не канал и не группа", code="not_channel")
                self._entities[key] = entity
                self._channels[key] = ChannelInfo(
                    id=entity.id,
                    title=entity.title or handle,
                    username=entity.username,
                    audience=entity.participants_count,
                    broadcast=bool(entity.broadcast),
                )
            info = self._channels[key]
            if full:
                entity = self._entities[key]
                result = self._request(
                    "channels.getFullChannel", f"канал @{handle}",
                    lambda c: c(functions.channels.GetFullChannelRequest(channel=entity)),
                )
                count = getattr(getattr(result, "full_chat", None), "participants_count", None)
                log.info("telegram channels.getFullChannel @%s → %s подписчиков", handle, count)
                if isinstance(count, int):
                    info = ChannelInfo(info.id, info.title, info.username, count, info.broadcast)
                    self._channels[key] = info
            return info

    def full_channel(self, handle: str) -> FullChannel:
        """The channel's full card: about, photo, subscribers, pinned message id, linked discussion group."""
        with self._lock:
            info = self.channel(handle)
            entity = self._entities[handle.lower()]
            result = self._request(
                "channels.getFullChannel", f"канал @{handle}",
                lambda c: c(functions.channels.GetFullChannelRequest(channel=entity)),
            )
        full = getattr(result, "full_chat", None)
        count = getattr(full, "participants_count", None)
        if isinstance(count, int):
            info = ChannelInfo(info.id, info.title, info.username, count, info.broadcast)
        about = getattr(full, "about", None)
        pinned = getattr(full, "pinned_msg_id", None)
        linked = getattr(full, "linked_chat_id", None)
        photo = getattr(entity, "photo", None)
        log.info("telegram channels.getFullChannel @%s → %s подписчиков", handle, count)
        return FullChannel(
            info=info,
            about=about.strip() or None if isinstance(about, str) else None,
            has_photo=None if photo is None else not isinstance(photo, types.ChatPhotoEmpty),
            pinned_id=pinned if isinstance(pinned, int) and not isinstance(pinned, bool) and pinned > 0 else None,
            linked_chat_id=linked if isinstance(linked, int) and not isinstance(linked, bool) else None,
        )

    def history(self, handle: str, *, min_id: int = 0, offset_date: datetime | None = None, limit: int = CHUNK) -> list[Any]:
        """One page of the channel's messages, oldest first: ids above ``min_id``, or after ``offset_date``."""
        entity = self._entity(handle)
        limit = min(limit, CHUNK)

        async def read(client: Any) -> list[Any]:
            return [m async for m in client.iter_messages(
                entity, limit=limit, min_id=min_id, offset_date=offset_date, reverse=True)]

        where = f"@{handle} после {min_id}" if min_id or not offset_date else f"@{handle} с {offset_date:%Y-%m-%d %H:%M}"
        page: list[Any] = self._request("messages.getHistory", where, read)
        log.info("telegram messages.getHistory %s → %d", where, len(page))
        return page

    def replies(self, handle: str, post_id: int, *, limit: int) -> list[Any]:
        """Comments of channel post ``post_id`` from its discussion group, oldest first, at most ``limit``.

        A channel without a discussion group (or a post without a thread) gives ``[]``, not an error.
        """
        entity = self._entity(handle)
        found: list[Any] = []
        after = 0
        while len(found) < limit:
            size = min(CHUNK, limit - len(found))

            async def read(client: Any, after: int = after, size: int = size) -> list[Any]:
                return [m async for m in client.iter_messages(entity, limit=size, reply_to=post_id, min_id=after, reverse=True)]

            try:
                chunk: list[Any] = self._request("messages.getReplies", f"комментарии @{handle}/{post_id}", read, raw=True)
            except _NO_THREAD as exc:
                log.info("telegram messages.getReplies @%s/%s: нет обсуждения (%s)", handle, post_id, type(exc).__name__)
                return found
            except MCUError:
                raise
            except BaseException as exc:
                raise translate(exc, f"комментарии @{handle}/{post_id}") from exc
            log.info("telegram messages.getReplies @%s/%s после %d → %d", handle, post_id, after, len(chunk))
            found.extend(chunk)
            ids = [m.id for m in chunk if isinstance(getattr(m, "id", None), int)]
            if len(chunk) < size or not ids or max(ids) <= after:
                break
            after = max(ids)
        return found

    def messages(self, handle: str, ids: Sequence[int]) -> list[Any]:
        """The messages with these ids, aligned with ``ids``; ``None`` where a message no longer exists."""
        entity = self._entity(handle)
        result: list[Any] = []
        for start in range(0, len(ids), CHUNK):
            chunk = list(ids[start:start + CHUNK])

            async def read(client: Any, chunk: list[int] = chunk) -> list[Any]:
                return list(await client.get_messages(entity, ids=chunk))

            got: list[Any] = self._request("channels.getMessages", f"@{handle}: {len(chunk)} сообщений", read)
            log.info("telegram channels.getMessages @%s %d ids → %d", handle, len(chunk), sum(m is not None for m in got))
            if len(got) != len(chunk):
                raise SourceUnavailable(f"Telegram: @{handle}: ответ на запрос {len(chunk)} сообщений не совпал по длине")
            result.extend(got)
        return result

    def close(self) -> None:
        """Disconnect the client and stop the private loop (safe to call twice)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            if loop is None or thread is None:
                return
            try:
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(self._timeout)
            except Exception as exc:  # closing must not fail the caller; the reason is logged
                log.warning("telegram: не удалось штатно закрыть сессию: %s", type(exc).__name__)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(self._timeout)
            loop.close()
            self._loop = self._thread = self._client = None

    def __enter__(self) -> "TelethonSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- machinery ----------------------------------------------------------------------------------------------

    def _entity(self, handle: str) -> Any:
        with self._lock:
            if handle.lower() not in self._entities:
                self.channel(handle)
            return self._entities[handle.lower()]

    def _request(self, method: str, what: str, call: Callable[[Any], Awaitable[T]], *, raw: bool = False) -> T:
        """Run one API request on the private loop; ``raw`` leaves telethon's exceptions untranslated."""
        with self._lock:
            self._budget.acquire(API, method)
            self.calls += 1
            loop = self._ensure_loop()

            async def run() -> T:
                return await call(await self._connected())

            future = asyncio.run_coroutine_threadsafe(run(), loop)
            try:
                return future.result(self._timeout)
            except TimeoutError:
                future.cancel()
                if future.cancelled() or not future.done():
                    raise SourceUnavailable(f"Telegram: {what}: нет ответа за {self._timeout:.0f} с") from None
                raise translate(future.exception() or TimeoutError(), what) from None
            except MCUError:
                raise
            except BaseException as exc:
                if raw:
                    raise
                raise translate(exc, what) from exc

    async def _connected(self) -> Any:
        if self._client is None:
            try:
                client = self._factory()
            except NotConfigured:
                raise
            except (ValueError, TypeError) as exc:  # StringSession rejects a damaged string at construction
                raise AuthFailed(f"Telegram: строка сессии не читается ({type(exc).__name__}); "
                                 "создайте новую (MCU_TG_SESSION)", api=API) from None
            await client.connect()
            if not await client.is_user_authorized():
                await _maybe_await(client.disconnect())
                raise AuthFailed("Telegram: сессия не авторизована; войдите заново и сохраните строку сессии "
                                 "в MCU_TG_SESSION", api=API)
            self._client = client
        return self._client

    async def _shutdown(self) -> None:
        if self._client is not None:
            await _maybe_await(self._client.disconnect())
        current = asyncio.current_task()
        pending = [task for task in asyncio.all_tasks() if task is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        loop = asyncio.get_running_loop()
        await loop.shutdown_asyncgens()

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=_serve, args=(loop,), name="telethon-loop", daemon=True)
            thread.start()
            self._loop, self._thread = loop, thread
        return self._loop


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    loop.run_forever()


async def _maybe_await(value: Any) -> None:
    # TelegramClient.disconnect() returns a future on a running loop, a fake may return a coroutine or None.
    if inspect.isawaitable(value):
        await value


def client_factory(settings: Settings) -> Callable[[], Any]:
    """The real ``TelegramClient`` builder from settings; raises ``NotConfigured`` naming what is missing.

    Secrets are revealed only inside the returned factory, when the first request connects.
    """
    tg = settings.api.telegram
    missing = []
    if tg.api_id is None:
        missing.append("api.telegram.api_id (число с my.telegram.org)")
    if tg.api_hash is None or not tg.api_hash.present:
        missing.append(f"api.telegram.api_hash ({_origin(tg.api_hash, 'MCU_TG_API_HASH')})")
    if tg.session is None or not tg.session.present:
        missing.append(f"api.telegram.session ({_origin(tg.session, 'MCU_TG_SESSION')})")
    if missing:
        raise NotConfigured("для чтения каналов Telegram через аккаунт не задано: " + "; ".join(missing)
                            + ". Без аккаунта используйте вид источника tme (веб-просмотр t.me/s)")
    api_id, api_hash, session, threshold = tg.api_id, tg.api_hash, tg.session, tg.flood_sleep_threshold
    timeout, retries = settings.collection.timeout, settings.collection.retries
    assert api_id is not None and api_hash is not None and session is not None

    def build() -> Any:
        from telethon import TelegramClient
        from telethon.sessions import StringSession

        return TelegramClient(
            StringSession(session.reveal()), api_id, api_hash.reveal(),
            flood_sleep_threshold=int(threshold), timeout=int(max(timeout, 1)),
            request_retries=max(retries, 1), connection_retries=max(retries, 1), receive_updates=False,
            raise_last_call_error=True,
        )

    return build


def session_timeout(settings: Settings) -> float:
    """How long one request may take: telethon's own retries plus a FloodWait it sleeps through."""
    collection = settings.collection
    return collection.timeout * (collection.retries + 1) + settings.api.telegram.flood_sleep_threshold + 5.0


def _origin(secret: Any, default_env: str) -> str:
    if secret is None:
        return f"переменная окружения {default_env}"
    origin = str(getattr(secret, "origin", ""))
    if origin.startswith("env:"):
        return f"переменная окружения {origin[4:]}"
    if origin.startswith("file:"):
        return f"файл {origin[5:]} пуст"
    return f"переменная окружения {default_env}"
