"""`mcu demo`: the whole pipeline offline on bundled posts: collect → analyse → stories → alerts → digest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from importlib import resources
from pathlib import Path

from alerts import Alert
from config import Settings
from config.responses import AccountSettings
from alerts.digest.charts import all_charts
from gospublics import PageReport
from mcu.digests import FORMATS, build_digest, gospublics_for_digest, with_gospublics, write_digest
from mcu.gospublics_demo import demo_agenda, load_demo_pages
from mcu.gospublics_run import Gospublics, monitoring, period_of, write_report
from mcu.pipeline import Pipeline
from mcu.ratings import rating_data
from responses import BodyRating
from mcu.timeline import TimelineReport, load_timeline, run_timeline
from storage import Database, sources, stories, upgrade

DEMO_FILE = "posts.jsonl"
# The demo communities are invented for the sample data; a real town lists its own in config.
DEMO_TOWN_SOURCES = [
    "demo_gorod", "demo_podslushano", "demo_desnogorsk", "demo_desna_news", "demo_desna_chat_feed",
    "example-desna-news.ru",
]
DEMO_OFFICIAL_SOURCES = ["demo_admin"]
# The official accounts of the sample data (invented communities): the administration's VK page, the management
# company, the МСЧ, a school, the МУП «ККП». A real town attaches its own: `mcu bodies add URL --body ID`.
DEMO_ACCOUNTS: dict[str, list[dict[str, object]]] = {
    "admin": [{"platform": "vk", "id": "-3", "handle": "demo_admin", "names": ["Администрация г. Десногорск (демо)"]}],
    "management_companies": [{"platform": "vk", "id": "-77", "names": ["УК «Демо-Сервис»"]},
                             {"platform": "ok", "id": "577", "names": ["УК «Демо-Сервис»"]}],
    "msch": [{"platform": "vk", "id": "-135", "names": ["МСЧ-135 (демо)"]},
             {"platform": "ok", "id": "135135", "names": ["МСЧ-135 (демо)"]}],
    "school_3": [{"platform": "telegram", "id": "-1003003", "handle": "demo_school3", "names": ["Школа № 3 (демо)"]}],
    "kkp": [{"platform": "telegram", "id": "-1004004", "handle": "demo_kkp", "names": ["МУП «ККП» (демо)"]},
            {"platform": "vk", "id": "-44", "names": ["МУП «ККП» (демо)"]}],
}

DEMO_LOGIN = "demo"  # the workspace account `mcu web --demo` opens with (role: head of the МЦУ)
DEMO_PASSWORD_FILE = "web-password.txt"


@dataclass(frozen=True, slots=True)
class DemoResult:
    report: TimelineReport
    database: Path
    digest: Path
    stories_by_level: dict[str, int]
    digests: tuple[Path, ...] = ()  # the week's digest in every format
    ratings: tuple[BodyRating, ...] = ()  # the responsible bodies ranked for the week
    rating_title: str = ""
    gospublics: tuple[PageReport, ...] = ()  # the official pages, judged for the month before the demo's end
    gospublics_files: tuple[Path, ...] = ()  # «Мониторинг госпабликов» in every format
    password_file: Path | None = None  # the demo account's password, readable by its owner only


def demo_data_path() -> Path:
    return Path(str(resources.files("mcu").joinpath("data", "demo", DEMO_FILE)))


def with_demo_accounts(settings: Settings) -> Settings:
    """The settings' bodies with the sample data's official accounts attached (bodies the config lacks are skipped)."""
    bodies = []
    for body in settings.bodies:
        extra = [AccountSettings.model_validate(a) for a in DEMO_ACCOUNTS.get(body.id, [])]
        bodies.append(body.model_copy(update={"accounts": [*body.accounts, *extra]}) if extra else body)
    return settings.model_copy(update={"bodies": bodies})


def demo_settings(settings: Settings, workdir: Path) -> Settings:
    """The user's settings with the demo's database, digest folder, sample communities and official accounts."""
    gazetteer = settings.gazetteer.model_copy(update={
        "town_sources": [*settings.gazetteer.town_sources, *DEMO_TOWN_SOURCES],
        "official_sources": [*settings.gazetteer.official_sources, *DEMO_OFFICIAL_SOURCES],
    })
    settings = with_demo_accounts(settings)
    return demo_agenda(settings).model_copy(update={
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
        pages, files = _gospublics(settings, db, pipeline, workdir, week_end)
        week = with_gospublics(build_digest(db, settings, "week", week_end), settings,
                               gospublics_for_digest(db, settings, "week", week_end))
        charts = all_charts(week)
        digests = [write_digest(week, settings, workdir / f"digest-week.{fmt}", fmt, charts) for fmt in FORMATS]
        digest = digests[0]
        with db.transaction() as session:
            rating = rating_data(session, settings, "week", week.start, week.end)
        password_file = demo_account(db, settings, workdir, end)
        pipeline.close()
    finally:
        db.dispose()
    return DemoResult(report, database, digest, dict(levels), tuple(digests), rating.ratings, rating.title, tuple(pages),
                      tuple(files), password_file)


def _gospublics(settings: Settings, db: Database, pipeline: Pipeline, workdir: Path, end: datetime
                ) -> tuple[list[PageReport], list[Path]]:
    """The bundled official pages: judged for the month, their problems told to the role, the report written."""
    load_demo_pages(db)
    service = Gospublics(settings, db)
    period = period_of("month", end)
    reports = service.check(period, end)
    service.alert(reports, end, pipeline.alerting.chats_for((settings.gospublics.role,)))
    pipeline.dispatch(end)
    data = monitoring(settings, reports, period, end)
    files = [write_report(settings, data, fmt, workdir / f"gospublics-month.{fmt}") for fmt in ("docx", "xlsx", "html")]
    return reports, files


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

