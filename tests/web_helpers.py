"""A small town world for the workspace tests: two real timelines through the pipeline, a post with hostile
markup, an account for every role, and a signed-in test client."""

from __future__ import annotations

import re
import shutil
from importlib import resources
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from fastapi.testclient import TestClient

from collectors import Metrics, Post
from config import Settings
from mcu.accounts import create_user
from mcu.alerting import Alerting
from mcu.calibration import bundled_timelines
from mcu.pipeline import Pipeline
from mcu.timeline import TimelineReport, load_timeline, run_timeline
from mcu.web.app import create_app
from mcu.web.context import Workspace
from nlp import Analyzer
from storage import Database, upgrade

PASSWORD = "пароль-для-тестов-1"
ROLES = ("glava", "curator", "mcu_head", "deputy", "pos", "incidents", "gospabliki", "executor")
HOSTILE_TEXT = 'Срочно! <script>alert("xss")</script> На САЭС авария, выброс, пейте йод <img src=x onerror=alert(1)>'
HOSTILE_AUTHOR = '<b onmouseover="alert(2)">Иван</b>'
SECRET = "тестовый-ключ-сессий-которого-нет-ни-на-одной-странице"


@dataclass(frozen=True)
class World:
    path: Path
    settings: Settings
    end: datetime


def build_world(directory: Path, settings: Settings, analyzer: Analyzer) -> World:
    """The heating and night-rumour timelines with their alerts (console chats, so edits have somewhere to go)."""
    database = directory / "world.db"
    db = Database.from_url(f"sqlite:///{database}")
    upgrade(db.engine)
    pipeline = Pipeline(settings, db, analyzer=analyzer, console=lambda _text: None, telegram=False)
    report = TimelineReport()
    events: list[Post] = []
    for name in ("heating.jsonl", "npp_rumour.jsonl"):
        events += load_timeline(next(p for p in bundled_timelines() if p.name == name), report)
    last = max(e.published_at for e in events)
    events.append(Post(id="hostile-1", platform="vk", source="demo_gorod", published_at=last - timedelta(minutes=30),
                       text=HOSTILE_TEXT, url="https://vk.com/wall-1_999", author=HOSTILE_AUTHOR,
                       metrics=Metrics(views=900, likes=5)))
    events.sort(key=lambda e: e.observed_at or e.published_at)
    run_timeline(pipeline, events, report, tick=timedelta(minutes=15))
    assert report.end is not None
    for role in ROLES:
        create_user(db, settings, role.replace("_", "-"), PASSWORD, role, full_name=f"Тест {role}",
                    body="uk-1" if role == "executor" else None, now=report.end)
    pipeline.close()
    db.dispose()
    return World(database, settings, report.end)


def login_name(role: str) -> str:
    return role.replace("_", "-")


class Web:
    """A copy of the world behind a test client; ``now`` is where the world's clock stopped (movable)."""

    def __init__(self, world: World, directory: Path, settings: Settings | None = None) -> None:
        copy = directory / "web.db"
        shutil.copy(world.path, copy)
        self.settings = settings or world.settings
        self.db = Database.from_url(f"sqlite:///{copy}")
        self.now = world.end
        self.actions = 0
        alerting = Alerting(self.settings, {})
        self.space = Workspace(self.settings, self.db, alerting, SECRET, clock=lambda: self.now,
                               after_action=self._acted)
        self.app = create_app(self.space)
        self.client = TestClient(self.app, base_url="http://127.0.0.1")

    def _acted(self) -> None:
        self.actions += 1

    def csrf(self, path: str = "/login") -> str:
        page = self.client.get(path)
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found, page.text[:500]
        return found.group(1)

    def login(self, role: str, password: str = PASSWORD) -> TestClient:
        token = self.csrf()
        answer = self.client.post("/login", data={"login": login_name(role), "password": password,
                                                  "csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 303, answer.text[:500]
        return self.client

    def post(self, path: str, data: dict[str, object] | None = None, page: str = "/me") -> object:
        return self.client.post(path, data={**(data or {}), "csrf_token": self.csrf(page)}, follow_redirects=False)

    def close(self) -> None:
        self.client.close()
        self.db.dispose()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)  # type: ignore[misc]


# --- the world of the appeals, ratings and госпаблики pages ---------------------------------------------------------

HOSTILE_APPEAL = 'Администрация, когда дадут горячую воду в 3 мкр?? <script>alert("appeal")</script> Ответьте!'
PAGE_USERS = {"executor": "msch", "executor-culture": "culture"}  # login → body of an ответственный исполнитель


def build_pages_world(directory: Path, settings: Settings, analyzer: Analyzer) -> World:
    """The bundled appeals with known answers (every reply quality, two bodies, overdue and open ones) through the
    pipeline, a hostile appeal, the demo's official pages with their facts, and an account for every role."""
    from mcu.answer_check import check_settings
    from mcu.gospublics_demo import load_demo_pages

    settings = check_settings(settings)
    database = directory / "pages.db"
    db = Database.from_url(f"sqlite:///{database}")
    upgrade(db.engine)
    pipeline = Pipeline(settings, db, analyzer=analyzer, console=lambda _text: None, telegram=False)
    report = TimelineReport()
    timeline = Path(str(resources.files("mcu").joinpath("data", "timelines", "responses_cases.jsonl")))
    events = load_timeline(timeline, report)
    last = max(e.published_at for e in events)
    events.append(Post(id="hostile-appeal", platform="vk", source="demo_gorod", published_at=last - timedelta(hours=2),
                       text=HOSTILE_APPEAL, url="https://vk.com/demo_gorod?w=wall-1_777", author=HOSTILE_AUTHOR,
                       author_id="vk:777"))
    events.sort(key=lambda e: e.observed_at or e.published_at)
    run_timeline(pipeline, events, report, tick=timedelta(minutes=15))
    assert report.end is not None
    load_demo_pages(db)
    for role in ROLES:
        create_user(db, settings, login_name(role), PASSWORD, role, full_name=f"Тест {role}",
                    body=PAGE_USERS.get(role), now=report.end)
    create_user(db, settings, "executor-culture", PASSWORD, "executor", full_name="Тест культура",
                body=PAGE_USERS["executor-culture"], now=report.end)
    pipeline.close()
    db.dispose()
    return World(database, settings, report.end)
