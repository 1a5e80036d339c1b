"""Telegram's flood limits, kept before Telegram has to enforce them with 429: about one message a second
per chat, twenty a minute per group, thirty a second in all. Times come from the caller's clock."""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import datetime


class ChatLimiter:
    def __init__(self, chat_interval: float, group_per_minute: int, global_per_second: int) -> None:
        self._chat_interval = chat_interval
        self._group_per_minute = group_per_minute
        self._global_per_second = global_per_second
        self._last: dict[str, datetime] = {}
        self._group: dict[str, deque[datetime]] = defaultdict(deque)
        self._all: deque[datetime] = deque()
        self._blocked: dict[str, datetime] = {}

    @staticmethod
    def _is_group(chat: str) -> bool:
        return chat.startswith("-")  # groups and channels have negative ids

    def wait(self, chat: str, now: datetime) -> float:
        """Seconds to wait before the next message to ``chat``; 0 when it may go now."""
        waits = [0.0]
        if chat in self._blocked:
            waits.append((self._blocked[chat] - now).total_seconds())
        if chat in self._last:
            waits.append(self._chat_interval - (now - self._last[chat]).total_seconds())
        recent = self._group[chat]
        while recent and (now - recent[0]).total_seconds() >= 60:
            recent.popleft()
        if self._is_group(chat) and len(recent) >= self._group_per_minute:
            waits.append(60 - (now - recent[0]).total_seconds())
        while self._all and (now - self._all[0]).total_seconds() >= 1:
            self._all.popleft()
        if len(self._all) >= self._global_per_second:
            waits.append(1 - (now - self._all[0]).total_seconds())
        return max(waits)

    def note(self, chat: str, now: datetime) -> None:
        self._last[chat] = now
        self._group[chat].append(now)
        self._all.append(now)

    def block(self, chat: str, now: datetime, seconds: float) -> None:
        """Telegram said «retry after N»: nothing more to this chat until then."""
        until = now.timestamp() + seconds
        self._blocked[chat] = datetime.fromtimestamp(until, tz=now.tzinfo)
