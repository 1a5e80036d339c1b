"""`mcu demo`: the whole pipeline offline on bundled posts: collect → analyse → stories → alerts → digest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from importlib import resources
from pathlib import Path

from alerts import Alert
from config import Settings
from alerts.digest.charts import all_charts
from mcu.digests import FORMATS, build_digest, write_digest
from mcu.pipeline import Pipeline
from mcu.timeline import TimelineReport, load_timeline, run_timeline
from storage import Database, sources, stories, upgrade

DEMO_FILE = "posts.jsonl"
# The demo communities are invented for the sample data; a real town lists its own in config.
DEMO_TOWN_SOURCES = [
    "demo_gorod", "demo_podslushano", "demo_desnogorsk", "demo_desna_news", "demo_desna_chat_feed",
    "example-desna-news.ru",
]
DEMO_OFFICIAL_SOURCES = ["demo_admin"]
DEMO_LOGIN = "demo"  # the workspace account `mcu web --demo` opens with (role: head of the МЦУ)
DEMO_PASSWORD_FILE = "web-password.txt"


@dataclass(frozen=True, slots=True)
class DemoResult:
    report: TimelineReport
    database: Path
    digest: Path
    stories_by_level: dict[str, int]
    digests: tuple[Path, ...] = ()  # the week's digest in every format
    password_file: Path | None = None  # the demo account's password, readable by its owner only


def demo_data_path() -> Path:
    return Path(str(resources.files("mcu").joinpath("data", "demo", DEMO_FILE)))


def demo_settings(settings: Settings, workdir: Path) -> Settings:
    """The user's settings with the demo's database, digest folder and sample communities."""
    gazetteer = settings.gazetteer.model_copy(update={
        "town_sources": [*settings.gazetteer.town_sources, *DEMO_TOWN_SOURCES],
        "official_sources": [*settings.gazetteer.official_sources, *DEMO_OFFICIAL_SOURCES],
    })
    return settings.model_copy(update={
        "gazetteer": gazetteer,
        "database": settings.database.model_copy(update={"url": f"sqlite:///{workdir / 'mcu.db'}"}),
        "digest": settings.digest.model_copy(update={"out_dir": str(workdir)}),
    })


def run_demo(
    settings: Settings,
    workdir: Path,
    show: Callable[[str], None],
    on_alert: Callable[[Alert], None] | None = None,
    data: Path | None = None,
) -> DemoResult:
    """Run the demo in ``workdir`` (its database is recreated each time); ``show`` prints delivered alerts."""
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "mcu.db"
    for leftover in (database, workdir / "mcu.db-wal", workdir / "mcu.db-shm"):
        leftover.unlink(missing_ok=True)
    settings = demo_settings(settings, workdir)
    db = Database.from_url(settings.database.url)
    try:
        upgrade(db.engine)
        pipeline = Pipeline(settings, db, console=show, telegram=False)
        report = TimelineReport()
        events = load_timeline(data or demo_data_path(), report)
        run_timeline(pipeline, events, report, on_alert=on_alert)
        end = report.end or datetime.now(settings.town.tz)
        with db.transaction() as session:
            source = sources.ensure_source(session, "demo", "replay")
            sources.record_success(session, source.id, end, report.events, report.skipped)
            levels = stories.count_by_peak_level(session)
        # The digest covers the week that ends at midnight after the last post.
        local_end = end.astimezone(settings.town.tz)
        week_end = datetime.combine(local_end.date() + timedelta(days=1), time(0), settings.town.tz)
        week = build_digest(db, settings, "week", week_end)
        charts = all_charts(week)
        digests = [write_digest(week, settings, workdir / f"digest-week.{fmt}", fmt, charts) for fmt in FORMATS]
        digest = digests[0]
        password_file = demo_account(db, settings, workdir, end)
        pipeline.close()
    finally:
        db.dispose()
    return DemoResult(report, database, digest, dict(levels), tuple(digests), password_file)


def demo_account(db: Database, settings: Settings, workdir: Path, now: datetime) -> Path:
    """An account for the demo's workspace, with a fresh random password kept in a file only its owner reads."""
    import secrets

    from mcu.accounts import create_user

    password = secrets.token_urlsafe(12)
    create_user(db, settings, DEMO_LOGIN, password, "mcu_head", full_name="Демо-пользователь", now=now)
    path = workdir / DEMO_PASSWORD_FILE
    path.unlink(missing_ok=True)
    path.touch(mode=0o600)
    path.write_text(password + "\n", encoding="utf-8")
    return path

