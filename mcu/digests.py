"""Build a digest for a period ending at a moment, and write it to a file."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from alerts import DigestData, render_markdown
from config import InputError, Settings
from storage import Database, reports

PERIODS = {"day": timedelta(days=1), "week": timedelta(days=7)}


def period_bounds(period: str, end: datetime) -> tuple[datetime, datetime, datetime]:
    """(previous period start, start, end) for a period ending at ``end``."""
    length = PERIODS[period]
    return end - 2 * length, end - length, end


def build_digest(db: Database, settings: Settings, period: str, end: datetime) -> DigestData:
    previous_start, start, end = period_bounds(period, end)
    with db.transaction() as session:
        return reports.digest_data(
            session,
            town=settings.town.name,
            period=period,
            start=start,
            end=end,
            previous_start=previous_start,
            threshold=settings.nlp.relevance_threshold,
            topic_titles={t.code: t.title for t in settings.topics},
        )


def write_digest(data: DigestData, settings: Settings, out: Path) -> Path:
    text = render_markdown(data, settings.town.tz)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"не удалось записать сводку в {out}: {exc.strerror}") from exc
    return out


def default_digest_path(settings: Settings, period: str, end: datetime) -> Path:
    stamp = end.astimezone(settings.town.tz).strftime("%Y-%m-%d")
    return Path(settings.digest.out_dir) / f"digest-{period}-{stamp}.md"
