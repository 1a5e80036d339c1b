"""The bounds a post record keeps to be stored and to make sense: checked where records enter the system.

Every collector's batch and every JSON Lines line passes ``check_post`` before storage, so one bad record is
skipped (or repaired) with a reason and never blocks its source:

- skipped: no id or source, an id, parent id or source longer than the store keeps, an unknown platform,
  a date without a time zone, before ``EARLIEST`` or after ``LATEST``, and a date more than ``FUTURE_SLACK`` ahead
  of the collecting clock (a wrong clock or a forged record: it would sit on top of every "latest" list);
- repaired, with a note: odd Unicode (lone surrogates become U+FFFD, NUL characters go), a text longer than
  ``MAX_TEXT`` (cut), an author or URL longer than the store keeps (cut / dropped), a metric that is not a number,
  negative, or above ``MAX_METRIC`` (dropped: no page has more views than people on Earth several times over);
- kept as they are: empty texts (a photo post, whose comments still need their parent).
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from collectors.post import METRIC_NAMES, PLATFORMS, Metrics, Post
from collectors.problem import RecordProblem, clean_text

MAX_ID = 300  # characters of an id or parent id: what the store's columns keep on every database
MAX_SOURCE = 300
MAX_AUTHOR = 300
MAX_URL = 4000
MAX_TEXT = 100_000  # characters; a post, not an archive
MAX_METRIC = 10**11
EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)  # before the web: a broken or zero timestamp
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)  # checked even without a clock (files, `analyze`)
FUTURE_SLACK = timedelta(days=1)  # clocks and time zones disagree by hours, never by days


class _Skip(Exception):
    """The record cannot be kept; the message says why, in Russian."""


def _text(value: str | None, name: str, notes: list[str]) -> str | None:
    if value is None:
        return None
    cleaned = clean_text(value)
    if cleaned != value:
        notes.append(f"{name}: недопустимые символы Unicode заменены")
    return cleaned


def _identity(value: str | None, name: str, limit: int, required: bool) -> str | None:
    if value is None or not value.strip():
        if required:
            raise _Skip(f"{name}: значение не может быть пустым")
        return None
    value = clean_text(value).strip()
    if not value:
        raise _Skip(f"{name}: значение не может быть пустым")
    if len(value) > limit:
        raise _Skip(f"{name}: длиннее {limit} символов ({len(value)})")
    return value


def _moment(value: datetime | None, name: str, now: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise _Skip(f"{name}: у даты нет смещения часового пояса")
    try:
        instant = value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        instant = None
    if instant is None or not EARLIEST <= instant < LATEST:
        raise _Skip(f"{name}: дата {value.isoformat()} вне допустимого диапазона "
                    f"({EARLIEST:%Y-%m-%d} … {LATEST:%Y-%m-%d})")
    if now is not None and instant > now + FUTURE_SLACK:
        raise _Skip(f"{name}: дата {value.isoformat()} в будущем — позже текущего времени больше чем на сутки")
    return value


def _metrics(metrics: Metrics, notes: list[str]) -> Metrics:
    kept: dict[str, int] = {}
    for name in METRIC_NAMES:
        value = getattr(metrics, name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                isinstance(value, float) and not math.isfinite(value)):
            notes.append(f"metrics.{name}: ожидается число, значение отброшено")
        elif value < 0:
            notes.append(f"metrics.{name}: отрицательное значение отброшено")
        elif value > MAX_METRIC:
            notes.append(f"metrics.{name}: значение больше {MAX_METRIC:.0e}, отброшено")
        else:
            kept[name] = int(value)
    return Metrics(**kept)


def check_post(post: Post, now: datetime | None = None) -> tuple[Post | None, list[str], str | None]:
    """``(post to keep or None, repair notes, reason it was skipped)``; ``now`` enables the future check."""
    notes: list[str] = []
    try:
        if post.platform not in PLATFORMS:
            raise _Skip(f"platform: неизвестная платформа {post.platform!r} (допустимо: {', '.join(PLATFORMS)})")
        ident = _identity(post.id, "id", MAX_ID, True)
        source = _identity(post.source, "source", MAX_SOURCE, True)
        parent = _identity(post.parent_id, "parent_id", MAX_ID, False)
        published = _moment(post.published_at, "published_at", now)
        observed = _moment(post.observed_at, "observed_at", now)
    except _Skip as skip:
        return None, notes, str(skip)
    assert ident is not None and source is not None and published is not None
    if observed is not None and observed < published:
        notes.append("observed_at раньше published_at, взято время публикации")
        observed = published
    text = _text(post.text if isinstance(post.text, str) else "", "text", notes) or ""
    if len(text) > MAX_TEXT:
        notes.append(f"text: длиннее {MAX_TEXT} символов, обрезан")
        text = text[:MAX_TEXT]
    author = _text(post.author, "author", notes)
    if author is not None and len(author) > MAX_AUTHOR:
        notes.append(f"author: длиннее {MAX_AUTHOR} символов, обрезан")
        author = author[:MAX_AUTHOR]
    url = _text(post.url, "url", notes)
    if url is not None and len(url) > MAX_URL:
        notes.append(f"url: длиннее {MAX_URL} символов, отброшен")
        url = None
    metrics = _metrics(post.metrics, notes)
    checked = replace(post, id=ident, source=source, parent_id=parent, published_at=published, observed_at=observed,
                      text=text, author=author or None, url=url or None, metrics=metrics)
    return checked, notes, None


def check_posts(posts: tuple[Post, ...] | list[Post], now: datetime | None) -> tuple[list[Post], list[RecordProblem]]:
    """The posts of one batch that may be stored, and a problem per skipped or repaired one, naming its id."""
    kept: list[Post] = []
    problems: list[RecordProblem] = []
    for post in posts:
        checked, notes, reason = check_post(post, now)
        label = f"запись {_short(post.id)}"
        if checked is None:
            problems.append(RecordProblem(0, f"{label} пропущена: {reason}"))
            continue
        problems.extend(RecordProblem(0, f"{label} исправлена: {note}", skipped=False) for note in notes)
        kept.append(checked)
    return kept, problems


def _short(value: object, limit: int = 60) -> str:
    text = clean_text(str(value))
    return repr(text if len(text) <= limit else text[:limit] + "…")
