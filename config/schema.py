"""Typed configuration: the whole YAML file is validated at load into these frozen models."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_serializer, field_validator, model_validator

from config.database_url import check_database_url
from config.duration import Duration
from config.responses import BodySettings, ResponsesSettings, check_bodies
from config.gospublics import GospublicsSettings
from config.secret import Secret, resolve_secret
from config.threats import AlarmLexicon, AlarmWeights, RecurrenceSettings, WaveSettings
from config.times import ClockTime, TimeWindow

Level = Literal["low", "medium", "high", "critical"]
LEVELS: tuple[Level, ...] = ("low", "medium", "high", "critical")
Platform = Literal["vk", "ok", "telegram", "web"]
EXECUTOR_ROLE = "executor"  # an ответственный исполнитель: a body's account, sees only that body's appeals
# What a workspace role may be allowed: pages to read and actions to take (the web shell holds the default table).
WORKSPACE_PERMISSIONS = (
    "queue", "story", "story.act", "story.edit", "silences", "silences.edit", "appeals", "ratings", "gospublics",
    "sources", "sources.edit", "reports", "reports.generate", "search", "audit", "roadmap.edit",
)
MIN_RETENTION = 14 * 86400.0  # a weekly digest compares with the week before


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretRef(Section):
    """``{env: NAME}`` or ``{file: path}``; resolved at load, masked everywhere."""

    env: str | None = None
    file: str | None = None

    @model_validator(mode="after")
    def _one_origin(self) -> "SecretRef":
        if bool(self.env) == bool(self.file):
            raise ValueError("укажите ровно одно из env или file")
        return self

    def resolve(self, base_dir: Path) -> Secret:
        return resolve_secret(self.env, self.file, base_dir)


def _secret(value: object, info: ValidationInfo) -> Secret | None:
    if value is None or isinstance(value, Secret):
        return value
    if isinstance(value, str):
        raise ValueError("секреты нельзя писать в файл конфигурации: укажите {env: ИМЯ_ПЕРЕМЕННОЙ} или {file: путь}")
    ref = SecretRef.model_validate(value)
    base_dir = (info.context or {}).get("base_dir", Path.cwd())
    return ref.resolve(base_dir)


class SecretHolder(Section):
    """A section with secret fields: validated from refs, kept as masked ``Secret`` objects."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    @field_serializer("*", when_used="always")
    def _mask(self, value: object) -> object:
        # Dumps (JSON, dict) show where a secret comes from, never its value.
        return str(value) if isinstance(value, Secret) else value


class TownSettings(Section):
    name: str
    region: str = ""
    timezone: str = "Europe/Moscow"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"неизвестный часовой пояс {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class DatabaseSettings(Section):
    url: str = "sqlite:///mcu.db"
    echo: bool = False
    # SQLite: how long a write waits for another process's write lock before the command says the base is busy.
    busy_timeout: Duration = Field(default=15.0, gt=0)

    _url = field_validator("url")(check_database_url)


class RoleSettings(Section):
    title: str
    telegram_chats: list[int] = Field(default_factory=list)


class VkApiSettings(SecretHolder):
    base_url: str = "https://api.vk.ru"
    version: str = "5.199"
    token: Secret | None = None
    requests_per_second: float = Field(default=3.0, gt=0)
    daily_quotas: dict[str, int] = Field(default_factory=lambda: {"wall.get": 5000, "newsfeed.search": 1000})

    _token = field_validator("token", mode="before")(_secret)


class OkApiSettings(SecretHolder):
    base_url: str = "https://api.ok.ru"
    requests_per_second: float = Field(default=3.0, gt=0)
    application_key: str | None = None
    application_secret: Secret | None = None
    access_token: Secret | None = None

    _secrets = field_validator("application_secret", "access_token", mode="before")(_secret)


class TelegramApiSettings(SecretHolder):
    """Telethon user session (reading channels) and the public web preview."""

    api_id: int | None = None
    api_hash: Secret | None = None
    session: Secret | None = None
    flood_sleep_threshold: Duration = 60.0
    preview_base_url: str = "https://t.me"
    preview_requests_per_second: float = Field(default=1.0, gt=0)

    _secrets = field_validator("api_hash", "session", mode="before")(_secret)


class TelegramBotSettings(SecretHolder):
    """The bot that delivers alerts and digests."""

    base_url: str = "https://api.telegram.org"
    token: Secret | None = None
    timeout: Duration = 10.0
    poll_timeout: Duration = 25.0

    _token = field_validator("token", mode="before")(_secret)


class WebSettings(Section):
    """Plain HTTP for news sites and feeds."""

    user_agent: str = "MCU-monitor/0.1 (municipal media monitoring)"
    requests_per_second: float = Field(default=1.0, gt=0)


class LoginThrottleSettings(Section):
    """Failed logins that lock a name (or an address) out of the workspace for a while."""

    failures: int = Field(default=5, ge=1)  # per account name within ``window``
    address_failures: int = Field(default=20, ge=1)  # per client address within ``window``
    window: Duration = 900.0


class WorkspaceSettings(SecretHolder):
    """The web workspace (`mcu web`, or beside the daemon): where it listens, sessions, who sees what."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    serve_with_daemon: bool = False
    session_secret: Secret | None = None
    session_lifetime: Duration = 12 * 3600.0
    secure_cookies: bool = False  # behind a TLS proxy: cookies only over HTTPS
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1"])
    throttle: LoginThrottleSettings = LoginThrottleSettings()
    queue_days: int = Field(default=7, ge=1)
    refresh: Duration = Field(default=10.0, ge=1)  # how often the open queue and the appeals update themselves
    search_limit: int = Field(default=200, ge=10, le=5000)
    permissions: dict[str, list[str]] = Field(default_factory=dict)  # role → pages and actions (empty: built-in table)

    _secrets = field_validator("session_secret", mode="before")(_secret)

    @field_validator("permissions")
    @classmethod
    def _known_permissions(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted({p for granted in value.values() for p in granted} - set(WORKSPACE_PERMISSIONS))
        if unknown:
            raise ValueError(f"неизвестные права {', '.join(unknown)}; есть: {', '.join(WORKSPACE_PERMISSIONS)}")
        return value


class ApiSettings(Section):
    vk: VkApiSettings = VkApiSettings()
    ok: OkApiSettings = OkApiSettings()
    telegram: TelegramApiSettings = TelegramApiSettings()
    telegram_bot: TelegramBotSettings = TelegramBotSettings()
    web: WebSettings = WebSettings()


SourceKind = Literal["replay", "vk_wall", "vk_search", "ok_group", "telegram", "tme", "rss", "site"]


class SourceSettings(Section):
    """One collected source written in config (communities are usually added with `mcu sources add`)."""

    name: str = Field(min_length=1)
    kind: SourceKind
    path: str | None = None  # replay: a JSON Lines file
    url: str | None = None  # everything else but vk_search: the community, channel, feed or site
    queries: list[str] = Field(default_factory=list)  # vk_search: what to look for
    link_pattern: str | None = None  # site: a regular expression that article URLs match
    interval: Duration = 600.0
    jitter: Duration = 30.0
    enabled: bool = True

    @model_validator(mode="after")
    def _what_to_read(self) -> "SourceSettings":
        if self.kind == "replay" and not self.path:
            raise ValueError(f"источник {self.name!r}: для kind: replay нужен path")
        if self.kind == "vk_search" and not self.queries:
            raise ValueError(f"источник {self.name!r}: для kind: vk_search нужен список queries")
        if self.kind not in ("replay", "vk_search") and not self.url:
            raise ValueError(f"источник {self.name!r}: для kind: {self.kind} нужен url")
        if self.link_pattern:
            try:
                re.compile(self.link_pattern)
            except re.error as exc:
                raise ValueError(f"источник {self.name!r}: link_pattern не является регулярным выражением: {exc}") from exc
        return self


class CollectionSettings(Section):
    """How deep and how often collectors read."""

    initial_days: int = Field(default=3, ge=1)
    watch_window: Duration = 72 * 3600.0
    watch_interval: Duration = 1800.0
    risky_watch_interval: Duration = 600.0
    max_pages: int = Field(default=10, ge=1)
    comments_per_post: int = Field(default=200, ge=0)
    timeout: Duration = 20.0
    retries: int = Field(default=3, ge=0)


class GazetteerSettings(Section):
    """What ties a text to the town; lemmas are matched after pymorphy normalisation."""

    town: list[str] = Field(min_length=1)
    derived: list[str] = Field(default_factory=list)
    districts_max: int = Field(default=0, ge=0)
    plant: list[str] = Field(default_factory=list)
    institutions: list[str] = Field(default_factory=list)
    # One institution under several names: a recurring problem there is one problem («медсанчасть» is «мсч»).
    place_aliases: dict[str, list[str]] = Field(default_factory=dict)
    streets: list[str] = Field(default_factory=list)
    other_towns: list[str] = Field(default_factory=list)
    town_sources: list[str] = Field(default_factory=list)
    official_sources: list[str] = Field(default_factory=list)


class TopicSettings(Section):
    code: str = Field(pattern=r"^[a-z_]+$")
    title: str
    severity: float = Field(default=0.3, ge=0, le=1)
    lemmas: list[str] = Field(default_factory=list)


class OfficialSettings(Section):
    title: str
    terms: list[str] = Field(min_length=1)


class ProblemLexicon(Section):
    """``nlp.problems``: words added to the built-in lexicon of problem statements (``nlp/resources/problems.txt``),
    lemmas by kind; a failure, lack or bad state of an object is a problem a resident expects an answer to."""

    object: list[str] = Field(default_factory=list)  # «фонарь», «крыша», «лифт»
    failure: list[str] = Field(default_factory=list)  # «не гореть», «течь», «не вывозить»
    lack: list[str] = Field(default_factory=list)  # «нет», «без»
    state: list[str] = Field(default_factory=list)  # «разбитый», «аварийный»
    duration: list[str] = Field(default_factory=list)  # «третий день», «до сих пор»
    announcement: list[str] = Field(default_factory=list)  # «уважаемые жители», «плановый»
    advert: list[str] = Field(default_factory=list)  # «продам», «торг»
    resolved: list[str] = Field(default_factory=list)  # «починили», «дали» (past tense only)


class NlpSettings(Section):
    relevance_threshold: float = Field(default=0.5, ge=0, le=1)
    officials: list[OfficialSettings] = Field(default_factory=list)
    authorities: list[str] = Field(default_factory=list)
    escalation: list[str] = Field(default_factory=list)
    alarm: AlarmLexicon = AlarmLexicon()
    problems: ProblemLexicon = ProblemLexicon()
    use_ner: bool = True
    use_model: bool = True
    model_path: str | None = None


class RiskWeights(Section):
    negativity: float = Field(default=20, ge=0)
    severity: float = Field(default=20, ge=0)
    reach: float = Field(default=10, ge=0)
    velocity: float = Field(default=10, ge=0)
    spread: float = Field(default=10, ge=0)
    burst: float = Field(default=5, ge=0)
    officials: float = Field(default=5, ge=0)
    escalation: float = Field(default=10, ge=0)
    unanswered: float = Field(default=10, ge=0)
    alarm: float = Field(default=15, ge=0)
    wave: float = Field(default=15, ge=0)
    recurrence: float = Field(default=10, ge=0)


class RiskThresholds(Section):
    medium: float = Field(default=35, ge=0, le=100)
    high: float = Field(default=55, ge=0, le=100)
    critical: float = Field(default=75, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> "RiskThresholds":
        if not self.medium < self.high < self.critical:
            raise ValueError("пороги должны расти: medium < high < critical")
        return self


class RiskSettings(Section):
    story_window: Duration = 48 * 3600.0
    place_window: Duration = 12 * 3600.0
    duplicate_similarity: float = Field(default=0.5, gt=0, le=1)
    weights: RiskWeights = RiskWeights()
    levels: RiskThresholds = RiskThresholds()
    reach_full: int = Field(default=20000, gt=0)
    velocity_full: float = Field(default=2000, gt=0)
    spread_full: int = Field(default=5, gt=0)
    spread_fast: Duration = 3600.0
    pace_ratio_full: float = Field(default=8.0, gt=1)
    pace_history: Duration = 30 * 86400.0
    pace_min_posts: int = Field(default=5, ge=1)
    burst_window: Duration = 6 * 3600.0
    burst_history: Duration = 28 * 86400.0
    burst_prior: float = Field(default=0.5, gt=0)
    burst_min_posts: int = Field(default=3, ge=1)
    official_discount: float = Field(default=0.5, ge=0, le=1)
    refutation_discount: float = Field(default=0.5, ge=0, le=1)
    alarm: AlarmWeights = AlarmWeights()
    wave: WaveSettings = WaveSettings()
    recurrence: RecurrenceSettings = RecurrenceSettings()


class RouteSettings(Section):
    levels: list[Level] = Field(min_length=1)
    roles: list[str] = Field(min_length=1)
    continue_: bool = Field(default=False, alias="continue")


class AlertSettings(Section):
    routes: list[RouteSettings] = Field(default_factory=list)
    update_min_new_posts: int = Field(default=10, ge=1)
    update_min_interval: Duration = 3600.0
    group_wait: dict[Level, Duration] = Field(default_factory=lambda: {"critical": 0.0, "high": 120.0, "medium": 300.0})
    quiet_hours: TimeWindow = "22:00-07:00"
    repeat_interval: Duration = 3 * 3600.0
    escalate_after: Duration = 3600.0
    console: bool = True
    jsonl_path: str | None = None
    max_attempts: int = Field(default=8, ge=1)
    chat_interval: Duration = 1.0
    group_per_minute: int = Field(default=20, ge=1)
    global_per_second: int = Field(default=25, ge=1)


class DigestSettings(Section):
    daily_at: ClockTime = "08:00"
    weekly_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    weekly_at: ClockTime = "09:00"
    roles: list[str] = Field(default_factory=list)
    formats: list[Literal["md", "html", "docx", "xlsx"]] = Field(default_factory=lambda: ["docx", "html"], min_length=1)
    send: bool = True
    out_dir: str = "digests"


class SchedulerSettings(Section):
    process_interval: Duration = 60.0
    dispatch_interval: Duration = 30.0
    misfire_grace: Duration = 300.0


class Settings(Section):
    """The whole configuration file."""

    town: TownSettings
    database: DatabaseSettings = DatabaseSettings()
    roles: dict[str, RoleSettings] = Field(min_length=1)
    api: ApiSettings = ApiSettings()
    sources: list[SourceSettings] = Field(default_factory=list)
    collection: CollectionSettings = CollectionSettings()
    gazetteer: GazetteerSettings
    topics: list[TopicSettings] = Field(min_length=1)
    nlp: NlpSettings = NlpSettings()
    risk: RiskSettings = RiskSettings()
    alerts: AlertSettings = AlertSettings()
    digest: DigestSettings = DigestSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    web: WorkspaceSettings = WorkspaceSettings()
    retention_days: int = Field(default=365, ge=1)
    bodies: list[BodySettings] = Field(default_factory=list)
    responses: ResponsesSettings = ResponsesSettings()
    gospublics: GospublicsSettings = GospublicsSettings()

    @model_validator(mode="after")
    def _cross_references(self) -> "Settings":
        problems: list[str] = []
        names = [s.name for s in self.sources]
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"sources: имя источника {name!r} повторяется")
        codes = [t.code for t in self.topics]
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            problems.append(f"topics: код темы {code!r} повторяется")
        for index, route in enumerate(self.alerts.routes):
            for role in route.roles:
                if role not in self.roles:
                    problems.append(f"alerts.routes.{index}.roles: неизвестная роль {role!r}")
        for role in self.digest.roles:
            if role not in self.roles:
                problems.append(f"digest.roles: неизвестная роль {role!r}")
        for role in self.web.permissions:
            if role not in self.roles and role != EXECUTOR_ROLE:
                problems.append(f"web.permissions: неизвестная роль {role!r}")
        # Purging sooner would cut the history the risk baselines and the weekly digest's comparison read.
        needed = math.ceil(max(MIN_RETENTION, self.risk.pace_history, self.risk.burst_history) / 86400)
        if self.retention_days < needed:
            problems.append(f"retention_days: не меньше {needed} дней — столько истории нужно обычному темпу "
                            "источников и тем (risk.pace_history, risk.burst_history) и сравнению недельной сводки "
                            "с прошлой неделей")
        problems += check_bodies(self.bodies, set(self.roles), set(codes), self.responses.notify)
        problems += self.gospublics.problems(set(self.roles))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def source(self, name: str) -> SourceSettings | None:
        return next((s for s in self.sources if s.name == name), None)

    def secrets(self) -> list[Secret]:
        """Every resolved secret, for masking log lines and errors."""
        found: list[Secret] = []
        for section in (self.api.vk, self.api.ok, self.api.telegram, self.api.telegram_bot, self.web):
            for value in section.__dict__.values():
                if isinstance(value, Secret):
                    found.append(value)
        return found
