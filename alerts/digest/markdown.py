"""The risk digest for a period: data gathered by storage, rendered to Markdown by a jinja2 template."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from jinja2 import Environment, PackageLoader, StrictUndefined

from alerts.message import LEVEL_TITLES
from risk.story import StoryView

PERIOD_TITLES = {"day": "за сутки", "week": "за неделю"}


@dataclass(frozen=True, slots=True)
class TopicVolume:
    code: str
    title: str
    count: int
    previous: int

    @property
    def delta(self) -> int:
        return self.count - self.previous


@dataclass(frozen=True, slots=True)
class OpenAppeal:
    excerpt: str
    url: str | None
    source: str
    published_at: datetime


@dataclass(frozen=True, slots=True)
class DigestData:
    town: str
    period: str
    start: datetime
    end: datetime
    posts: int
    posts_previous: int
    relevant: int
    topics: tuple[TopicVolume, ...]
    platforms: tuple[tuple[str, int], ...]
    sentiment: tuple[tuple[str, int], ...]
    stories: tuple[StoryView, ...]
    appeals: tuple[OpenAppeal, ...]
    alerts_sent: int
    sources_failing: tuple[str, ...] = field(default_factory=tuple)


def _number(value: float) -> str:
    """Russian number format: thin groups, comma decimals."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", " ").replace(".", ",")
    return f"{int(value):,}".replace(",", " ")


def _signed(value: int) -> str:
    return f"+{_number(value)}" if value > 0 else "0" if value == 0 else f"−{_number(-value)}"


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "—"


def render_markdown(data: DigestData, tz: tzinfo) -> str:
    env = Environment(
        loader=PackageLoader("alerts", "templates"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        number=_number,
        signed=_signed,
        local=lambda moment, fmt="%d.%m.%Y %H:%M": moment.astimezone(tz).strftime(fmt),
        level=lambda level: LEVEL_TITLES.get(level, level),
        mdcell=lambda text: str(text).replace("|", "\\|").replace("\n", " "),
    )
    age = {id(a): int((data.end - a.published_at).total_seconds() // 3600) for a in data.appeals}
    return env.get_template("digest.md.j2").render(
        d=data,
        period_title=PERIOD_TITLES.get(data.period, data.period),
        percent=_percent,
        age=lambda appeal: age[id(appeal)],
    )
