"""From an alert decision to messages in chats, and back from buttons to the alert's state.

- a decision queues, in the same transaction, a new message for chats that have none and an edit in place
  for chats that do; new messages wait for ``group_wait`` and, below critical, for the end of quiet hours;
- nobody took an open alert: a reminder (a new message, so phones ring) every ``repeat_interval``, and once,
  after ``escalate_after``, the roles of the next level hear of it too;
- silences keep planned events quiet; every action (button or command) is written to the audit log, stops
  reminders, re-renders the messages with who did what, and is kept as a label for calibration.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from alerts import Alert, Sink, route
from alerts.lifecycle import FINAL, first_send_at, keyboard, next_level, quiet_until, reminder_line, status_line
from alerts.ratelimit import ChatLimiter
from config import DeliveryError, Settings
from risk import StoryView
from storage import alert_state, outbox, stories
from storage.models import AlertStateRow

log = logging.getLogger(__name__)
MAX_BACKOFF = 3600.0


@dataclass(frozen=True, slots=True)
class Delivery:
    """A claimed message and what to do with it: ``send`` a new message or ``edit`` ``message_id``."""

    message: outbox.Message
    action: str
    message_id: int | None
    text: str
    buttons: list[Any] | None


class Alerting:
    """Plans, reviews and delivers alerts for one database; one instance per process (it holds rate limits)."""

    def __init__(self, settings: Settings, sinks: dict[str, Sink], deliver: bool = True) -> None:
        self.settings = settings
        self.alerts = settings.alerts
        self.tz = settings.town.tz
        self.sinks = sinks
        self.deliver = deliver
        self.limiter = ChatLimiter(self.alerts.chat_interval, self.alerts.group_per_minute, self.alerts.global_per_second)

    # --- where messages go --------------------------------------------------------------------------

    def chats_for(self, roles: tuple[str, ...]) -> list[tuple[str, str]]:
        if not self.deliver:
            return []
        chats: list[tuple[str, str]] = []
        if "console" in self.sinks:
            chats.append(("console", "-"))
        if "jsonl" in self.sinks:
            chats.append(("jsonl", "-"))
        if "telegram" in self.sinks:
            for role in roles:
                role_settings = self.settings.roles.get(role)
                chats += [("telegram", str(chat)) for chat in (role_settings.telegram_chats if role_settings else ())]
        return list(dict.fromkeys(chats))

    def allowed_chats(self) -> set[str]:
        return {str(chat) for role in self.settings.roles.values() for chat in role.telegram_chats}

    def _footer(self, status: str, actor: str | None, at: datetime | None, remind_at: datetime | None) -> str:
        line = status_line(status, actor, at, self.tz) if status != "open" else reminder_line(remind_at, self.tz)
        return f"\n{line}" if line else ""

    def _queue(self, session: Session, alert: Alert, status: str, remind_at: datetime | None, *, notify: bool,
               heading: str = "") -> bool:
        """Save the decision with its messages; ``notify`` makes every message new (reminders, escalation)."""
        state = alert_state.state(session, alert.story_id)
        footer = self._footer(status, state.actor if state else None, state.acted_at if state else None, remind_at)
        text = (f"{heading}\n" if heading else "") + alert.text + footer
        plans: list[outbox.Planned] = []
        for channel, target in self.chats_for(alert.recipients):
            known = alert_state.message(session, alert.story_id, channel, target)
            kind = "edit" if known is not None and not notify else "send"
            if kind == "edit" or alert.level == "critical" or channel != "telegram":
                due = alert.at  # an edit rings no phone, a log wakes nobody; critical news never waits
            elif notify:
                due = quiet_until(alert.at, self.alerts.quiet_hours, self.tz) or alert.at
            else:
                due = first_send_at(alert.level, alert.at, self.alerts, self.tz)
            buttons = keyboard(alert.story_id, status) if channel == "telegram" else None
            record = json.dumps(alert.to_record(), ensure_ascii=False) if channel == "jsonl" else text
            plans.append(outbox.Planned(channel, target, kind, due, buttons, record))
            if known is None:
                alert_state.record_message(session, alert.story_id, channel, target, None, text, alert.at)
        outbox.save_alert(session, alert, plans)
        return any(p.kind == "send" for p in plans)

    # --- decisions ----------------------------------------------------------------------------------

    def on_decision(self, session: Session, alert: Alert, view: StoryView) -> Alert | None:
        """Queue the messages of a decision, unless a silence covers the story; returns what was queued."""
        for silence in alert_state.silences(session, alert.at):
            if silence.matches(view.topic, view.places, view.title, alert.at):
                detail = f"тишина №{silence.id}: {silence.reason}"
                if not alert_state.has_audit(session, alert.story_id, "silenced", detail):
                    alert_state.audit(session, alert.story_id, "silenced", "система", alert.at, detail=detail)
                    log.info("история %d молчит: %s", alert.story_id, detail)
                return None
        state = alert_state.state(session, alert.story_id)
        status = state.status if state is not None else "open"
        if status in FINAL and not alert.update:
            return None
        remind_at = self._next_reminder(state, alert.at) if status == "open" else None
        new_message = self._queue(session, alert, status, remind_at, notify=False)
        alert_state.note_alert(session, alert.story_id, alert.level, alert.at, new_message=new_message, remind_at=remind_at)
        return alert

    def review(self, session: Session, now: datetime, view_of: Callable[[int], StoryView | None],
               render: Callable[[StoryView, str], str]) -> list[Alert]:
        """Reminders for open alerts nobody took, and the one escalation to the next level's roles."""
        made: list[Alert] = []
        for state in alert_state.due_reminders(session, now):
            view = view_of(state.story_id)
            previous = outbox.previous_alert(session, state.story_id)
            quiet_since = now - timedelta(seconds=self.settings.risk.story_window)
            if view is None or previous is None or view.assessment.level == "low" or view.last_seen_at < quiet_since:
                state.remind_at = None  # the story calmed down or went silent: nothing left to remind of
                continue
            roles = previous.recipients
            upper = next_level(state.level)
            escalate = (state.escalated_to is None and upper is not None
                        and now - state.first_at >= timedelta(seconds=self.alerts.escalate_after))
            if escalate and upper is not None:
                roles = tuple(dict.fromkeys([*roles, *route(upper, self.alerts.routes)]))
                state.escalated_to = upper
                heading = f"Эскалация: никто не взял в работу, сообщаем уровню «{upper}»"
            else:
                heading = "Напоминание: никто не взял в работу"
            alert = Alert(state.story_id, view.assessment.level, now, roles, True, view.assessment.reasons,
                          render(view, state.level), view.post_count)
            remind_at = self._next_reminder(state, now)
            self._queue(session, alert, "open", remind_at, notify=True, heading=heading)
            alert_state.note_alert(session, state.story_id, state.level, now, new_message=True, remind_at=remind_at)
            alert_state.audit(session, state.story_id, "escalated" if escalate else "reminded", "система", now,
                              detail=", ".join(roles))
            made.append(alert)
        return made

    def _next_reminder(self, state: AlertStateRow | None, now: datetime) -> datetime:
        """The next repeat, or the escalation if it comes first and has not happened yet."""
        repeat = now + timedelta(seconds=self.alerts.repeat_interval)
        if state is not None and state.escalated_to is not None:
            return repeat
        first = state.first_at if state is not None else now
        return min(repeat, max(now, first + timedelta(seconds=self.alerts.escalate_after)))

    # --- people's actions -----------------------------------------------------------------------------

    def act(self, session: Session, story_id: int, status: str, actor: str, now: datetime, chat: str | None = None) -> bool:
        """Take, close or mark false: state, audit, label, and the messages re-rendered with who did it."""
        state = alert_state.set_status(session, story_id, status, actor, now)
        if state is None:
            return False
        alert_state.audit(session, story_id, status, actor, now, chat=chat)
        stories.add_feedback(session, story_id, status, actor, now)  # statuses are the verdicts
        last = outbox.last_alert_text(session, story_id)
        text = last + self._footer(status, actor, now, None)
        for row in alert_state.messages(session, story_id):
            buttons = keyboard(story_id, status) if row.channel == "telegram" else None
            if row.channel == "jsonl":
                continue
            outbox.queue(session, story_id, outbox.Planned(row.channel, row.target, "edit", now, buttons), text, now)
        return True

    # --- delivery -----------------------------------------------------------------------------------------
    # Three steps per message, so no transaction (and no SQLite write lock) is open while the network answers:
    # ``claim`` (a short transaction), ``transmit`` (the network only), ``record`` (a short transaction).

    @property
    def lease(self) -> timedelta:
        """How long a claimed message is left to its sender: a request (connect, send, answer) ends by then."""
        return timedelta(seconds=2 * self.settings.api.telegram_bot.timeout + 1)

    def claim(self, session: Session, now: datetime, story_id: int | None = None) -> Delivery | None:
        """The next message to deliver (of the story with ``story_id``), taken for this process; None when
        nothing is due."""
        busy = outbox.in_flight(session, now)
        for message in outbox.due_messages(session, now, story_id=story_id):
            if message.story_id is not None and (message.story_id, message.channel, message.target) in busy:
                continue  # the story's previous message to this chat is still in flight
            if message.channel == "telegram":
                wait = self.limiter.wait(message.target, now)
                if wait > 0:
                    outbox.postpone(session, message.id, now + timedelta(seconds=wait))
                    continue
            if not outbox.claim(session, message.id, now, now + self.lease):
                continue  # another sender took it
            delivery = self._plan(session, message, now)
            if delivery is not None:
                return delivery
        return None

    def _plan(self, session: Session, message: outbox.Message, now: datetime) -> Delivery | None:
        """Send or edit, with which text; None when the message turned out to be unnecessary or must wait."""
        story = message.story_id
        if message.kind == "edit" and story is not None:
            known = alert_state.message(session, story, message.channel, message.target)
            if known is not None and known.message_id is not None:
                text, buttons = outbox.newest_pending(session, message)
                return Delivery(message, "edit", int(known.message_id), text, buttons)
            waiting = outbox.send_state(session, story, message.channel, message.target)
            if waiting == outbox.PENDING:
                outbox.supersede(session, message.id)  # the waiting new message will carry this text
                return None
            if waiting == outbox.SENDING:  # the message to edit is on its way: edit it once its id is known
                outbox.postpone(session, message.id, now + timedelta(seconds=1))
                return None
            if message.channel != "telegram":
                return Delivery(message, "edit", 0, message.text, message.buttons)
        text, buttons = outbox.newest_pending(session, message)
        return Delivery(message, "send", None, text, buttons)

    def transmit(self, delivery: Delivery) -> int | None:
        """The network part: the message id a new message got (where the channel has ids)."""
        message = delivery.message
        sink = self.sinks.get(message.channel)
        if sink is None:
            raise DeliveryError(f"канал {message.channel} не настроен", retryable=False)
        if delivery.action == "edit":
            sink.edit(message.target, delivery.message_id or 0, delivery.text, delivery.buttons)
            return None
        return sink.send(message.target, delivery.text, delivery.buttons)

    def record(self, session: Session, delivery: Delivery, at: datetime, outcome: int | None | DeliveryError) -> None:
        """Store what the channel answered at ``at`` (when the answer arrived, not when the pass began)."""
        message = delivery.message
        if isinstance(outcome, DeliveryError):
            retry_at = self._retry_at(outcome, message.attempts, at)
            if outcome.retry_after and message.channel == "telegram":
                self.limiter.block(message.target, at, float(outcome.retry_after))
            outbox.mark_failed(session, message.id, str(outcome), retry_at)
            if retry_at is None:
                log.error("доставка %s → %s отменена: %s", message.channel, message.target, outcome)
            else:
                log.warning("доставка %s → %s не удалась, повтор в %s: %s", message.channel, message.target,
                            retry_at.astimezone(self.tz).strftime("%H:%M:%S"), outcome)
            return
        outbox.mark_sent(session, message.id, at)
        if message.channel == "telegram":
            self.limiter.note(message.target, at)
        if message.story_id is None or (delivery.action == "edit" and delivery.message_id == 0):
            return
        message_id = outcome if delivery.action == "send" else None
        alert_state.record_message(session, message.story_id, message.channel, message.target, message_id,
                                   delivery.text, at)

    def _retry_at(self, exc: DeliveryError, attempts: int, now: datetime) -> datetime | None:
        if not exc.retryable or attempts + 1 >= self.alerts.max_attempts:
            return None
        delay = exc.retry_after if exc.retry_after else min(MAX_BACKOFF, 30.0 * 2**attempts)
        return now + timedelta(seconds=float(delay))


def jsonl_sink_path(settings: Settings) -> Path | None:
    return Path(settings.alerts.jsonl_path).expanduser() if settings.alerts.jsonl_path else None
