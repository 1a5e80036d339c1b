"""Config of the responses component: responsible bodies (ответственные исполнители), deadlines, the working
calendar, notifications, rating weights, phrase lists that extend the built-in rules, and the дорожная карта."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from config.duration import Duration

BodyKind = Literal["administration", "department", "institution", "company", "mup", "other"]
AppealKind = Literal["question", "request", "complaint"]
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AccountSettings(_Section):
    """One official account of a body on one platform.

    ``id`` is the platform's id of the author (VK: ``-123`` a community, ``456`` a person; OK: the group or user
    id; Telegram: the channel id); ``handle`` the page it owns (what ``Post.source`` holds); ``discussion`` the
    Telegram discussion group of a channel; ``names`` what it signs with, used only for records without an
    author id (a renamed account keeps its id, so the id always wins).
    """

    platform: Literal["vk", "ok", "telegram", "web"]
    id: str | None = None
    handle: str | None = None
    discussion: str | None = None
    names: list[str] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _identified(self) -> "AccountSettings":
        if not (self.id or self.handle):
            raise ValueError("у аккаунта должен быть id или handle")
        return self


class BodySettings(_Section):
    """A responsible body: the administration, a department, an institution, a management company, a МУП."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1)
    short: str | None = None  # for tables; the name otherwise
    kind: BodyKind = "other"
    parent: str | None = None  # the body it reports to (a department → the administration)
    role: str | None = None  # a role of `roles` that hears of its deadlines
    accounts: list[AccountSettings] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)  # topic codes it answers for
    places: list[str] = Field(default_factory=list)  # «3 мкр», «саэс»…; empty — the whole town
    keywords: list[str] = Field(default_factory=list)  # how residents name it: «мсч», «школа 3», «жилсервис»
    default: bool = False  # takes appeals nobody else answers for

    @property
    def title(self) -> str:
        return self.short or self.name


class OfficeHours(_Section):
    """Working time of the bodies in the town's time zone, and corrections to the state calendar."""

    hours: str = "09:00-18:00"
    shortened_pre_holiday: bool = True  # ТК РФ ст. 95: the working day before a holiday is an hour shorter
    extra_days_off: list[date] = Field(default_factory=list)
    extra_working_days: list[date] = Field(default_factory=list)

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: str) -> str:
        found = _HOURS.match(value.strip())
        if not found:
            raise ValueError("часы работы пишутся как 09:00-18:00")
        start = (int(found.group(1)), int(found.group(2)))
        end = (int(found.group(3)), int(found.group(4)))
        if not (start < end <= (24, 0)) or start[1] > 59 or end[1] > 59:
            raise ValueError("начало рабочего дня должно быть раньше конца, в пределах суток")
        return value.strip()

    @property
    def span(self) -> tuple[time, time]:
        found = _HOURS.match(self.hours)
        assert found is not None
        start = time(int(found.group(1)), int(found.group(2)))
        end_hour, end_minute = int(found.group(3)), int(found.group(4))
        end = time(23, 59, 59) if end_hour == 24 else time(end_hour, end_minute)
        return start, end


class DeadlineRule(_Section):
    """Deadlines for appeals on these platforms and of these kinds (empty lists: any); the first rule that
    matches wins. ``first`` is working time, ``final`` calendar time, ``warn_before`` working time."""

    platforms: list[Literal["vk", "ok", "telegram", "web"]] = Field(default_factory=list)
    kinds: list[AppealKind] = Field(default_factory=list)
    first: Duration = 8 * 3600.0
    final: Duration = 30 * 86400.0
    warn_before: Duration = 2 * 3600.0


class NotifySettings(_Section):
    approaching: list[str] = Field(default_factory=lambda: ["pos", "incidents"])
    conflict: list[str] = Field(default_factory=lambda: ["mcu_head"])


class RatingWeights(_Section):
    """How the 0..100 score of a body is made: each measure is 0..1, the score their weighted mean."""

    answered: float = Field(default=25, ge=0)
    deadline: float = Field(default=20, ge=0)
    speed: float = Field(default=10, ge=0)
    substance: float = Field(default=15, ge=0)
    satisfaction: float = Field(default=15, ge=0)
    conflicts: float = Field(default=10, ge=0)
    repeats: float = Field(default=5, ge=0)

    @model_validator(mode="after")
    def _some_weight(self) -> "RatingWeights":
        if sum(self.model_dump().values()) <= 0:
            raise ValueError("хотя бы один вес рейтинга должен быть больше нуля")
        return self


class PhraseSettings(_Section):
    """Words and phrases (in any form: matched by lemmas) added to the built-in rules of quality and
    satisfaction. Nothing here replaces the built-in lists."""

    formulaic: list[str] = Field(default_factory=list)
    request: list[str] = Field(default_factory=list)
    action: list[str] = Field(default_factory=list)
    done: list[str] = Field(default_factory=list)
    blame: list[str] = Field(default_factory=list)
    rude: list[str] = Field(default_factory=list)
    thanks: list[str] = Field(default_factory=list)
    dissatisfied: list[str] = Field(default_factory=list)


class RoadmapSettings(_Section):
    min_appeals: int = Field(default=3, ge=2)  # over the long window, to become a recurring problem
    min_authors: int = Field(default=2, ge=1)
    short_window: Duration = 30 * 86400.0
    long_window: Duration = 90 * 86400.0
    deadline: Duration = 90 * 86400.0  # proposed deadline of a draft item
    measures: dict[str, str] = Field(default_factory=dict)  # topic code → proposed measure


class ResponsesSettings(_Section):
    office: OfficeHours = OfficeHours()
    deadlines: list[DeadlineRule] = Field(default_factory=lambda: [DeadlineRule()])
    notify: NotifySettings = NotifySettings()
    follow_up: Duration = 72 * 3600.0  # how long after a reply the residents' reaction is read
    repeat_window: Duration = 30 * 86400.0  # the same author on the same problem again: a repeated complaint
    weights: RatingWeights = RatingWeights()
    phrases: PhraseSettings = PhraseSettings()
    roadmap: RoadmapSettings = RoadmapSettings()


def check_bodies(bodies: list[BodySettings], roles: set[str], topics: set[str], notify: NotifySettings) -> list[str]:
    """Cross-references the schema cannot see alone; every problem in one list."""
    problems: list[str] = []
    ids = [b.id for b in bodies]
    for body_id in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"bodies: id {body_id!r} повторяется")
    for index, body in enumerate(bodies):
        if body.parent is not None and body.parent not in ids:
            problems.append(f"bodies.{index}.parent: неизвестный исполнитель {body.parent!r}")
        if body.role is not None and body.role not in roles:
            problems.append(f"bodies.{index}.role: неизвестная роль {body.role!r}")
        for code in body.topics:
            if code not in topics:
                problems.append(f"bodies.{index}.topics: неизвестная тема {code!r}")
    owners: dict[str, str] = {}
    for body in bodies:
        for account in body.accounts:
            for key in filter(None, (account.id, account.handle)):
                ref = f"{account.platform}:{key.lower()}"
                if ref in owners and owners[ref] != body.id:
                    problems.append(f"bodies: аккаунт {ref} указан у {owners[ref]!r} и у {body.id!r}")
                owners[ref] = body.id
    for key in ("approaching", "conflict"):
        if key not in notify.model_fields_set:
            continue  # the defaults name roles of the regulation; a config without them just notifies fewer people
        for role in getattr(notify, key):
            if role not in roles:
                problems.append(f"responses.notify.{key}: неизвестная роль {role!r}")
    return problems
