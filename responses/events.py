"""Transitions of an appeal between two checks, as events (each becomes a row), and the notices some of them
call for: a conflict reply goes to the head of the МЦУ at once; a deadline drawing near goes to the body's role
and the analysts. A notice is made once: the stored state remembers what was told."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from config.responses import NotifySettings
from responses.bodies import BodyDirectory
from responses.records import QUALITY_TITLES, SATISFACTION_TITLES, SLA_TITLES, AppealVerdict, Notice

EXCERPT = 200


@dataclass(frozen=True, slots=True)
class Known:
    """What the store knew of an appeal before this check."""

    sla_status: str | None = None
    quality: str | None = None
    satisfaction: str | None = None
    reply_keys: frozenset[str] = frozenset()
    warned: bool = False
    conflicts_told: frozenset[str] = frozenset()  # keys of conflict replies the head of the МЦУ has heard of


@dataclass(frozen=True, slots=True)
class Event:
    kind: str  # created | replied | status | quality | satisfaction | approaching | conflict
    detail: str
    reply_key: str | None = None


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def events(known: Known | None, verdict: AppealVerdict, now: datetime, directory: BodyDirectory) -> list[Event]:
    found: list[Event] = []
    if known is None:
        found.append(Event("created", "обращение к: " + ", ".join(directory.title(b) for b in verdict.bodies)))
        known = Known()
    for reply in verdict.replies:
        if reply.post.key not in known.reply_keys:
            found.append(Event("replied", f"{directory.title(reply.body_id)}: {QUALITY_TITLES[reply.quality.label]}",
                               reply.post.key))
        if reply.quality.label == "conflict" and reply.post.key not in known.conflicts_told:
            found.append(Event("conflict", "; ".join(reply.quality.reasons), reply.post.key))
    if verdict.sla_status != known.sla_status:
        found.append(Event("status", SLA_TITLES.get(verdict.sla_status, verdict.sla_status)))
    label = verdict.quality.label if verdict.quality else None
    if label != known.quality and label is not None:
        found.append(Event("quality", QUALITY_TITLES[label]))
    if verdict.satisfaction.label != known.satisfaction and known.satisfaction is not None:
        found.append(Event("satisfaction", SATISFACTION_TITLES[verdict.satisfaction.label]))
    if (verdict.sla_status == "open" and not known.warned and now >= verdict.deadlines.warn_at
            and not verdict.replies):
        found.append(Event("approaching", "срок первого ответа подходит"))
    return found


def notices(found: Sequence[Event], verdict: AppealVerdict, notify: NotifySettings, directory: BodyDirectory,
            tz: tzinfo, role_of: Mapping[str, str | None] | None = None) -> list[Notice]:
    """Messages for people from this check's events (Russian, plain text; the delivery escapes it)."""
    appeal = verdict.appeal
    link = f"\n{appeal.url}" if appeal.url else ""
    made: list[Notice] = []
    for event in found:
        if event.kind == "conflict":
            reply = next((r for r in verdict.replies if r.post.key == event.reply_key), None)
            body = directory.title(reply.body_id) if reply else "—"
            reply_link = f"\nОтвет: {reply.post.url}" if reply and reply.post.url else ""
            text = (f"Ошибка при коммуникации: {body}\n"
                    f"Причины: {event.detail}\n"
                    f"Обращение ({appeal.author or 'житель'}): «{_short(appeal.text)}»{link}"
                    + (f"\nОтвет: «{_short(reply.post.text)}»" if reply else "") + reply_link)
            made.append(Notice("conflict", appeal.key, tuple(notify.conflict), text, reply.body_id if reply else None))
        elif event.kind == "approaching":
            due = verdict.deadlines.first_at.astimezone(tz).strftime("%d.%m.%Y %H:%M")
            roles = [role for b in verdict.bodies if (role := (directory.get(b).role if directory.get(b) else None))]
            if role_of:
                roles += [r for b in verdict.bodies if (r := role_of.get(b))]
            bodies = ", ".join(directory.title(b) for b in verdict.bodies) or "исполнитель не определён"
            text = (f"Подходит срок ответа на обращение: до {due}\n"
                    f"Исполнитель: {bodies}\n"
                    f"«{_short(appeal.text)}»{link}")
            made.append(Notice("approaching", appeal.key, tuple(dict.fromkeys([*roles, *notify.approaching])), text,
                               verdict.body))
    return made
