"""The ``gospublics`` section: official pages of the town's bodies, what each check expects, weights, schedule."""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from config.duration import Duration

# Every check the component runs, in report order; ``weights`` must name only these.
CHECK_CODES: tuple[str, ...] = (
    "cadence", "silence", "last_post", "working_hours", "weekends", "federal_regional", "engagement",
    "answers", "comments_open", "pinned_actual", "contacts_actual", "design",
)
DESIGN_ELEMENTS: tuple[str, ...] = ("avatar", "cover", "description", "contacts", "site", "pinned_contacts", "state_mark")
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
# Keys that once meant something and are now ignored with a warning, not refused: a config written for an older
# version must keep the daemon running. Key → where its meaning went.
RETIRED_THRESHOLDS = {
    "answer_deadline": "срок ответа жителю теперь берётся из responses.deadlines — срок первого ответа исполнителя "
                       "в рабочем времени с праздниками; уберите ключ из конфигурации",
}

log = logging.getLogger(__name__)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PageKind(_Section):
    """A kind of official page (administration, school…): its title and whether weekends must be covered."""

    title: str = Field(min_length=1)
    weekends: bool = False


class ExpectedContacts(_Section):
    """What the page must show; a page showing other contacts is «outdated»."""

    phone: str | None = None
    email: str | None = None
    site: str | None = None
    address: str | None = None


class ConfiguredPage(_Section):
    """An official page written in config (analysts add more with `mcu gospublics add URL --body ID`)."""

    url: str = Field(min_length=1)
    body: str = Field(min_length=1)
    kind: str = Field(min_length=1)
    name: str | None = None
    via: Literal["tme", "telegram"] = "tme"
    contacts: ExpectedContacts = ExpectedContacts()


class FederalRegional(_Section):
    """The mandatory federal and regional component: whose reposts, links and hashtags count."""

    accounts: list[str] = Field(default_factory=list)  # pages of the regional government, ЦУР, federal bodies
    sites: list[str] = Field(default_factory=list)  # hosts; «*.gosuslugi.ru» also takes subdomains
    hashtags: list[str] = Field(default_factory=list)  # national projects and regional campaigns

    @field_validator("hashtags")
    @classmethod
    def _hash_signs(cls, values: list[str]) -> list[str]:
        return ["#" + value.lstrip("#").strip() for value in values if value.strip("# ")]


class Thresholds(_Section):
    """What a healthy page does in a period; each check compares a figure with one of these."""

    min_posts_per_week: float = Field(default=3.0, ge=0)
    max_silence_days: float = Field(default=7.0, gt=0)
    max_days_since_last_post: float = Field(default=5.0, gt=0)
    working_hours: str = "08:00-20:00"
    min_working_hours_share: float = Field(default=0.7, ge=0, le=1)
    min_weekend_share: float = Field(default=0.5, ge=0, le=1)
    min_federal_regional_share: float = Field(default=0.2, ge=0, le=1)
    min_engagement_vs_kind: float = Field(default=0.5, ge=0)
    min_engagement_vs_own: float = Field(default=0.5, ge=0)
    min_answered_share: float = Field(default=0.8, ge=0, le=1)
    max_median_answer: Duration = 8 * 3600.0
    outdated_grace: Duration = 86400.0
    follower_drop: float = Field(default=0.05, gt=0, lt=1)
    follower_drop_window: Duration = 7 * 86400.0

    @model_validator(mode="before")
    @classmethod
    def _retired(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        found = [key for key in RETIRED_THRESHOLDS if key in data]
        for key in found:
            log.warning("конфигурация: gospublics.thresholds.%s больше не используется и пропущена: %s",
                        key, RETIRED_THRESHOLDS[key])
        return {key: value for key, value in data.items() if key not in found} if found else data

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        match = _HOURS.match(value.strip())
        if not match or int(match.group(1)) > 23 or int(match.group(3)) > 24 or int(match.group(2)) > 59 \
                or int(match.group(4)) > 59:
            raise ValueError("ожидается интервал вида 08:00-20:00")
        return value.strip()

    def working_window(self) -> tuple[int, int]:
        """Working hours as minutes after midnight: (start, end)."""
        match = _HOURS.match(self.working_hours)
        assert match is not None  # validated
        return int(match.group(1)) * 60 + int(match.group(2)), int(match.group(3)) * 60 + int(match.group(4))


def _default_kinds() -> dict[str, PageKind]:
    return {
        "administration": PageKind(title="Администрация и её подразделения", weekends=True),
        "school": PageKind(title="Школы"),
        "kindergarten": PageKind(title="Детские сады"),
        "culture": PageKind(title="Культура", weekends=True),
        "sport": PageKind(title="Спорт", weekends=True),
        "health": PageKind(title="Здравоохранение"),
        "social": PageKind(title="Социальная защита"),
        "youth": PageKind(title="Молодёжная политика", weekends=True),
        "utilities": PageKind(title="ЖКХ и городское хозяйство", weekends=True),
        "other": PageKind(title="Прочие учреждения"),
    }


def _default_weights() -> dict[str, float]:
    return {"cadence": 15, "silence": 10, "last_post": 10, "working_hours": 5, "weekends": 5, "federal_regional": 10,
            "engagement": 10, "answers": 10, "comments_open": 5, "pinned_actual": 5, "contacts_actual": 5,
            "design": 10}


class GospublicsSettings(_Section):
    """Monitoring of the official pages (section 2.7 of the МЦУ regulation)."""

    role: str = "gospabliki"
    kinds: dict[str, PageKind] = Field(default_factory=_default_kinds)
    pages: list[ConfiguredPage] = Field(default_factory=list)
    federal_regional: FederalRegional = FederalRegional()
    thresholds: Thresholds = Thresholds()
    weights: dict[str, float] = Field(default_factory=_default_weights)
    state_mark_platforms: list[Literal["vk", "ok", "telegram"]] = Field(default_factory=lambda: ["vk"])
    history_days: int = Field(default=40, ge=7, le=400)
    max_pages: int = Field(default=5, ge=1, le=100)
    facts_at: str = Field(default="07:00", pattern=r"^\d{1,2}:\d{2}$")
    report_day: int = Field(default=1, ge=1, le=28)
    report_at: str = Field(default="09:30", pattern=r"^\d{1,2}:\d{2}$")
    report_formats: list[Literal["docx", "xlsx", "html"]] = Field(default_factory=lambda: ["docx", "xlsx", "html"],
                                                                  min_length=1)
    report_roles: list[str] = Field(default_factory=lambda: ["deputy"])

    @field_validator("weights")
    @classmethod
    def _known_checks(cls, weights: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(weights) - set(CHECK_CODES))
        if unknown:
            raise ValueError(f"неизвестные проверки {unknown}: есть {', '.join(CHECK_CODES)}")
        if any(value < 0 for value in weights.values()):
            raise ValueError("вес не может быть отрицательным")
        if sum(weights.values()) <= 0:
            raise ValueError("сумма весов должна быть больше нуля")
        return weights

    @model_validator(mode="after")
    def _pages_kinds(self) -> "GospublicsSettings":
        problems = [f"pages.{index}.kind: неизвестный вид {page.kind!r} (есть: {', '.join(self.kinds)})"
                    for index, page in enumerate(self.pages) if page.kind not in self.kinds]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def problems(self, roles: set[str]) -> list[str]:
        """Cross-references into other sections (roles), for ``Settings`` to report with the rest."""
        # Defaults are checked only when written: a small config without this section must still load.
        found = []
        if "role" in self.model_fields_set and self.role not in roles:
            found.append(f"gospublics.role: неизвестная роль {self.role!r}")
        if "report_roles" in self.model_fields_set:
            found += [f"gospublics.report_roles: неизвестная роль {role!r}" for role in self.report_roles
                      if role not in roles]
        return found

    def weight(self, code: str) -> float:
        return float(self.weights.get(code, 0.0))
