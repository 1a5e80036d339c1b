"""The bot's ears: button presses read with getUpdates long polling and turned into alert actions.

The offset is stored in the same transaction as the action, so a crash repeats at most the update being
handled (and actions are idempotent: taking a taken alert changes nothing but the audit). Only chats from
the config are answered; anything else is ignored and logged once per chat.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from alerts import BotClient
from alerts.lifecycle import STATUS_TITLES, parse_callback
from config import DeliveryError, MCUError, Settings
from mcu.alerting import Alerting
from storage import Database, alert_state, users

log = logging.getLogger(__name__)
OFFSET = "updates_offset"


def _actor(user: Any, session: Any = None) -> str:
    """The presser as the audit names them: a Telegram account linked to a workspace account shows as that person."""
    if not isinstance(user, dict):
        return "неизвестный"
    if session is not None and isinstance(user.get("id"), int):
        linked = users.by_telegram(session, user["id"])
        if linked is not None:
            return linked.label
    name = " ".join(str(user[k]) for k in ("first_name", "last_name") if user.get(k))
    handle = f" @{user['username']}" if user.get("username") else ""
    return f"{name or 'без имени'}{handle} (id {user.get('id', '?')})"


class BotPoller:
    def __init__(self, settings: Settings, db: Database, alerting: Alerting, client: BotClient,
                 clock: Callable[[], datetime]) -> None:
        self._settings = settings
        self._db = db
        self._alerting = alerting
        self._client = client
        self._clock = clock
        self._allowed = alerting.allowed_chats()

    def poll_once(self, timeout: float = 0.0) -> int:
        """Read and handle one batch of updates; returns how many were handled."""
        with self._db.transaction() as session:
            offset = int(alert_state.bot_value(session, OFFSET) or 0)
        payload = {"offset": offset, "timeout": int(timeout), "allowed_updates": ["callback_query", "message"]}
        updates = self._client.call("getUpdates", payload, timeout=timeout + self._settings.api.telegram_bot.timeout)
        handled = 0
        for update in sorted((u for u in updates or [] if isinstance(u, dict)), key=lambda u: u.get("update_id", 0)):
            answer = None
            with self._db.transaction() as session:
                answer = self._handle(session, update)
                alert_state.set_bot_value(session, OFFSET, str(int(update.get("update_id", 0)) + 1))
            if answer is not None:
                self._answer(*answer)
            handled += 1
        return handled

    def _handle(self, session: Any, update: dict[str, Any]) -> tuple[str, str] | None:
        """Apply one update; returns (callback query id, text) to answer, if it deserves an answer."""
        query = update.get("callback_query")
        message = (query or {}).get("message") or update.get("message") or {}
        chat = str((message.get("chat") or {}).get("id", ""))
        if chat not in self._allowed:
            key = f"foreign:{chat}"
            if alert_state.bot_value(session, key) is None:
                alert_state.set_bot_value(session, key, self._clock().isoformat())
                log.warning("бот получил сообщение из чата %s, которого нет в конфигурации: не отвечаю", chat or "?")
            return None
        if not isinstance(query, dict):
            return None  # people talk in the alert chats; the bot listens only to its buttons
        parsed = parse_callback(query.get("data"))
        if parsed is None:
            return str(query.get("id", "")), "Эта кнопка больше не работает"
        status, story_id = parsed
        actor = _actor(query.get("from"), session)
        if not self._alerting.act(session, story_id, status, actor, self._clock(), chat=chat):
            return str(query.get("id", "")), f"Оповещения по истории №{story_id} нет"
        log.info("история %d: %s — %s", story_id, STATUS_TITLES[status], actor)
        return str(query.get("id", "")), STATUS_TITLES[status]

    def _answer(self, query_id: str, text: str) -> None:
        try:
            self._client.call("answerCallbackQuery", {"callback_query_id": query_id, "text": text})
        except DeliveryError as exc:  # an old query cannot be answered; the action itself is done
            log.info("ответ на нажатие не принят: %s", exc)


def run_polling(poller: BotPoller, stop: threading.Event, timeout: float) -> None:
    """The daemon's listening thread: long polls until ``stop``; outages are waited out, not fatal."""
    pause = 1.0
    while not stop.is_set():
        try:
            poller.poll_once(timeout)
            pause = 1.0
        except DeliveryError as exc:
            log.warning("getUpdates: %s; повтор через %.0f с", exc, pause)
            stop.wait(pause)
            pause = min(60.0, pause * 2)
        except MCUError as exc:  # the database is busy or away: the press is read again and applied later
            log.warning("нажатие кнопки не сохранено: %s; повтор через %.0f с", exc, pause)
            stop.wait(pause)
            pause = min(60.0, pause * 2)
        except Exception:  # the listener must outlive a bug in one update
            log.exception("ошибка при чтении нажатий кнопок")
            stop.wait(pause)
