"""The risk digest as Markdown (jinja2 template ``digest.md.j2``), and the template helpers HTML shares with it.

Both text formats show the same sections with the same words and numbers: the helpers below are the one place
where a number, a date, a level or an age becomes Russian text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from alerts.digest.data import PLATFORM_TITLES, STORY_STATUS_TITLES, DigestData, StoryLine
from alerts.digest.formatting import long_date, number, percent, short, signed
from alerts.message import LEVEL_TITLES
from risk.wording import plural

MAX_LINKS = 5  # a story's further links: the first few are the most viewed, the rest add nothing for a reader
OTHER_TOPIC = {"other": "другое"}
# Characters that would turn post text into markup: raw HTML, links, code, emphasis. `_` is left alone —
# CommonMark does not emphasise inside words, and source names (demo_gorod) must stay readable.
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>])")
_UNSAFE_URL = re.compile(r"[\s<>\"'`\x00-\x1f\x7f]")


# --- shared with html.py ------------------------------------------------------------------------------


def safe_url(url: str | None) -> str | None:
    """A post link fit to click: http(s) only, nothing that could break out of an attribute or an autolink.

    Links come from collected posts, so a ``javascript:`` or a quote in one is treated as text, not a link."""
    if not url or not url.lower().startswith(("https://", "http://")) or _UNSAFE_URL.search(url):
        return None
    return url


def age_text(hours: int) -> str:
    """How long an appeal waits: hours for the first two days, then days (a reader thinks in days by then)."""
    if hours < 1:
        return "меньше часа"
    if hours < 48:
        return plural(hours, "час", "часа", "часов")
    return plural(hours // 24, "день", "дня", "дней")


def minutes_text(minutes: float | None) -> str:
    return "нет данных" if minutes is None else f"{number(round(minutes, 1))} мин"


def story_excerpts(line: StoryLine) -> list[tuple[str, str | None]]:
    return [(text, safe_url(url)) for text, url in line.excerpts]


def story_links(line: StoryLine) -> list[str]:
    """The story's links not already shown under its excerpts, so the reader does not open the same post twice."""
    shown = {url for _, url in line.excerpts}
    links = (safe_url(link) for link in line.story.links if link not in shown)
    return [link for link in links if link][:MAX_LINKS]


def topic_titles(data: DigestData) -> dict[str, str]:
    """Topic code → title, from every record that carries both (appeals carry only the code)."""
    titles = dict(OTHER_TOPIC)
    titles.update({r.topic: r.title for r in data.recurring})
    titles.update({line.story.topic: line.story.topic_title for line in data.stories})
    titles.update({v.key: v.title for v in data.topics})
    return titles


def template_env(tz: tzinfo, *, autoescape: bool) -> Environment:
    """A jinja2 environment with the Russian filters every digest template uses; ``tz`` is the town's zone."""
    env = Environment(
        loader=PackageLoader("alerts", "templates"),
        undefined=StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    filters: dict[str, Callable[..., Any]] = {
        "number": number,
        "signed": signed,
        "share": percent,
        "when": lambda moment: short(moment, tz),
        "long_date": lambda moment: long_date(moment, tz),
        "level": lambda level: LEVEL_TITLES.get(level, level),
        "score": lambda score: f"{score:.0f}/100",
        "status": lambda status: STORY_STATUS_TITLES.get(status, status),
        "platforms": lambda codes: ", ".join(PLATFORM_TITLES.get(c, c) for c in codes),
        "age": age_text,
        "minutes": minutes_text,
        "url": safe_url,
    }
    env.filters.update(filters)
    return env


def digest_context(data: DigestData, tz: tzinfo) -> dict[str, Any]:
    """What the templates get besides the data: wording helpers and the few sums they show."""
    titles = topic_titles(data)
    return {
        "d": data,
        "period_start": _moment(data.start, tz),
        "period_end": _moment(data.end, tz),
        # Storage may list appeals without the total; then the list is all there is.
        "appeals_total": max(data.appeals_total, len(data.appeals)),
        "alert_updates": max(data.alerts.sent - data.alerts.first, 0),
        "topic_title": lambda code: titles.get(code, code),
        "excerpts": story_excerpts,
        "links": story_links,
    }


def _moment(moment: datetime, tz: tzinfo) -> str:
    """«12 января 2026 г., 09:00»: the period edges with the town's clock time, as they are exclusive bounds."""
    return f"{long_date(moment, tz)}, {moment.astimezone(tz).strftime('%H:%M')}"


# --- Markdown ---------------------------------------------------------------------------------------


def md_text(text: object) -> str:
    """Post text as inert Markdown on one line: a post must not add headings, links, HTML or list items."""
    one_line = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", one_line)


def md_cell(text: object) -> str:
    """A table cell: inert text, and `|` escaped so the post cannot split the row."""
    return md_text(text).replace("|", "\\|")


def render_markdown(data: DigestData, tz: tzinfo) -> str:
    env = template_env(tz, autoescape=False)
    env.filters.update(md=md_text, mdcell=md_cell)
    return env.get_template("digest.md.j2").render(**digest_context(data, tz))
