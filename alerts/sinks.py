"""Where alert texts go: the console (the daemon's log and the demo) and Telegram through the Bot API."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import httpx

from alerts.message import TELEGRAM_LIMIT, fit_telegram
from alerts.telegram_client import NOT_MODIFIED, BotClient
from config.errors import DeliveryError
from config.secret import Secret

log = logging.getLogger(__name__)
_URL = re.compile(r"https?://\S+")


class Sink(Protocol):
    channel: str

    def send(self, target: str, text: str, buttons: list[Any] | None = None) -> int | None:
        """Deliver a new message and return its id where the channel has one; or raise ``DeliveryError``."""

    def edit(self, target: str, message_id: int, text: str, buttons: list[Any] | None = None) -> None:
        """Replace the text of a message sent before; or raise ``DeliveryError``."""


class ConsoleSink:
    channel = "console"

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write

    def send(self, target: str, text: str, buttons: list[Any] | None = None) -> int | None:
        self._write(text)
        return None

    def edit(self, target: str, message_id: int, text: str, buttons: list[Any] | None = None) -> None:
        self._write(text)


class JsonlSink:
    """Appends each alert record to a JSON Lines file (for other systems to read); edits append too."""

    channel = "jsonl"

    def __init__(self, path: Path) -> None:
        self._path = path

    def send(self, target: str, text: str, buttons: list[Any] | None = None) -> int | None:
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._path.open("a", encoding="utf-8") as handle:
                handle.write(text.rstrip("\n") + "\n")
        except OSError as exc:
            raise DeliveryError(f"не удалось дописать {self._path}: {exc.strerror}") from None
        return None

    def edit(self, target: str, message_id: int, text: str, buttons: list[Any] | None = None) -> None:
        self.send(target, text, buttons)


def telegram_html(text: str, more: str | None = None) -> str:
    """Escape everything for Telegram's HTML mode (post text is hostile), bold the first line; cut to fit."""
    if more is None and (found := _URL.search(text)):
        more = found.group(0)  # the story's first link: where the reader finds the rest
    # Telegram counts UTF-16 units after entity parsing: an emoji is two, so keep a margin.
    head, _, rest = fit_telegram(text, TELEGRAM_LIMIT - 96, more).partition("\n")
    escape = lambda value: html.escape(value, quote=False)  # noqa: E731 - the three characters Telegram requires
    return f"<b>{escape(head)}</b>\n{escape(rest)}" if rest else f"<b>{escape(head)}</b>"


class TelegramSink:
    """sendMessage / editMessageText with HTML and inline buttons; the message id makes later edits possible."""

    channel = "telegram"

    def __init__(self, base_url: str, token: Secret, timeout: float = 10.0, client: httpx.Client | None = None) -> None:
        self.bot = BotClient(base_url, token, timeout, client)

    @staticmethod
    def _payload(text: str, buttons: list[Any] | None) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "text": telegram_html(text),
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        if buttons is not None:
            payload["reply_markup"] = {"inline_keyboard": buttons}
        return payload

    def send(self, target: str, text: str, buttons: list[Any] | None = None) -> int | None:
        result = self.bot.call("sendMessage", {"chat_id": target, **self._payload(text, buttons)})
        message_id = result.get("message_id") if isinstance(result, dict) else None
        log.info("telegram: сообщение %s в чат %s", message_id, target)
        return int(message_id) if isinstance(message_id, int) else None

    def edit(self, target: str, message_id: int, text: str, buttons: list[Any] | None = None) -> None:
        try:
            self.bot.call("editMessageText", {"chat_id": target, "message_id": message_id, **self._payload(text, buttons)})
        except DeliveryError as exc:
            if NOT_MODIFIED in str(exc):
                return  # the chat already shows this text: nothing to do
            raise

    def close(self) -> None:
        self.bot.close()
