"""The workspace in a real browser: Debian's headless chromium driven by Playwright (never `playwright install`).

Few and quick: signing in, the queue updating by itself, taking a story with the keyboard, a role that may not
open a page, and a report download. Skipped, with the reason, where no chromium or Playwright can be had."""

from __future__ import annotations

import re
import shutil
import socket
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from mcu.alerting import Alerting
from mcu.corrections import mark_story
from mcu.web.app import create_app
from mcu.web.context import Workspace
from mcu.web.server import serve_in_thread
from storage import Database, alert_state
from tests.web_helpers import PASSWORD, SECRET, login_name

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

try:
    from playwright.sync_api import Page, sync_playwright
except ImportError as exc:  # the test extra was not installed
    pytest.skip(f"нет Playwright для Python ({exc}): pip install -e '.[test]'", allow_module_level=True)
if CHROMIUM is None:
    pytest.skip("нет браузера chromium (Debian: apt-get install chromium; .ci/run ставит его сам)",
                allow_module_level=True)


MSK = timezone(timedelta(hours=3))
PAGES_CLOCK = [datetime(2026, 1, 16, 19, 15, tzinfo=MSK)]  # the appeals world's clock: a test moves it


class Site:
    def __init__(self, base: str, db: Database, space: Workspace) -> None:
        self.base, self.db, self.space = base, db, space


def _serve(world: Any, directory: Path, clock: Any) -> Iterator[Site]:
    copy = directory / "web.db"
    shutil.copy(world.path, copy)
    settings = world.settings.model_copy(update={"web": world.settings.web.model_copy(update={"refresh": 1.0})})
    db = Database.from_url(f"sqlite:///{copy}")
    space = Workspace(settings, db, Alerting(settings, {}), SECRET, clock=clock)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stop = serve_in_thread(create_app(space), settings, "127.0.0.1", port)
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield Site(f"http://127.0.0.1:{port}", db, space)
    stop()
    db.dispose()


@pytest.fixture(scope="module")
def site(web_world: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from _serve(web_world, tmp_path_factory.mktemp("browser"), lambda: web_world.end)


@pytest.fixture(scope="module")
def pages_site(pages_world: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The appeals world on a clock the test moves: Friday 16 January 2026, 19:15 in the town."""
    yield from _serve(pages_world, tmp_path_factory.mktemp("browser-pages"), lambda: PAGES_CLOCK[0])


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with sync_playwright() as playwright:
        profile = tmp_path_factory.mktemp("chromium-profile")
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=ARGS, accept_downloads=True,
            locale="ru-RU", viewport={"width": 1280, "height": 900})
        yield context
        context.close()


def _login(page: Page, site: Site, role: str, start: str = "/") -> None:
    page.context.clear_cookies()
    page.goto(f"{site.base}{start}")
    assert page.url.startswith(f"{site.base}/login")
    page.get_by_label("Имя входа").fill(login_name(role))
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()


def test_sign_in_take_a_story_and_watch_the_queue_update(browser: Any, site: Site) -> None:
    page = browser.new_page()
    _login(page, site, "incidents", "/queue")
    page.wait_for_url(f"{site.base}/queue")
    cards = page.locator("ol.queue > li")
    assert cards.count() >= 2
    first_title = cards.nth(0).locator("a.title").inner_text()
    cards.nth(0).locator("a.title").click()
    page.wait_for_selector("button[value=take]")
    take = page.locator("button[value=take]")
    assert take.get_attribute("accesskey") == "t"
    take.focus()  # the keyboard alone: a real button takes focus and Enter presses it
    page.keyboard.press("Enter")
    page.wait_for_selector("text=взята в работу")
    assert "в работе: Тест incidents (incidents)" in page.content()
    page.goto(f"{site.base}/queue")
    assert "в работе: Тест incidents (incidents)" in page.locator("ol.queue > li").nth(0).inner_text()
    assert first_title.split(".")[0] in page.locator("ol.queue > li").nth(0).inner_text()

    # Someone else closes the second story from Telegram or the terminal: the open page follows without a reload.
    second = int(cards.nth(1).locator("a.title").inner_text().split(".")[0].lstrip("№"))
    page.evaluate("window.__marker = 1")
    mark_story(site.db, second, "closed", "Другой аналитик", site.space.now() + timedelta(minutes=1),
               site.space.alerting, chat="CLI")
    page.locator(f'a.title[href="/stories/{second}"]').wait_for(state="detached", timeout=8000)
    assert page.evaluate("window.__marker") == 1  # the same page: updated in place, not reloaded
    with site.db.transaction() as session:
        assert [r.chat for r in alert_state.audit_of(session, second)][-1] == "CLI"
    page.close()


def test_a_role_that_may_not_see_a_page_is_told_so(browser: Any, site: Site) -> None:
    page = browser.new_page()
    _login(page, site, "executor")
    page.wait_for_url(f"{site.base}/appeals")
    assert page.get_by_role("link", name="Очередь").count() == 0
    response = page.goto(f"{site.base}/queue")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", name="Нет доступа").is_visible()
    page.close()


def test_download_a_report(browser: Any, site: Site, tmp_path: Path) -> None:
    page = browser.new_page()
    _login(page, site, "deputy")
    page.wait_for_url(f"{site.base}/queue")
    page.get_by_role("link", name="Сводки").click()
    page.wait_for_selector("iframe.preview")
    frame = page.frame_locator("iframe.preview")
    assert frame.get_by_text("Справка об информационных рисках").count() >= 1
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("digest-week-") and saved.suffix == ".xlsx" and saved.read_bytes()[:2] == b"PK"
    page.close()


def test_appeals_ratings_roadmap_and_gospublics(browser: Any, pages_site: Site) -> None:
    """An analyst's round: the appeals waiting for an answer with their timers (which move on by themselves), the
    rating of bodies and the дорожная карта, the госпаблики scoreboard with each page's checks."""
    site = pages_site
    page = browser.new_page()
    _login(page, site, "deputy", "/appeals?period=quarter")
    page.wait_for_url(f"{site.base}/appeals?period=quarter")
    hostile = page.locator("ol.appeals > li", has_text="горячую воду")
    assert "осталось 7 ч рабочего времени" in hostile.locator(".timer").inner_text()
    assert page.locator("script", has_text="appeal").count() == 0  # the hostile text stays text
    page.evaluate("window.__marker = 1")
    PAGES_CLOCK[0] = datetime(2026, 1, 19, 17, 0, tzinfo=MSK)  # Monday 17:00: the deadline (16:00) has passed
    page.locator("ol.appeals > li", has_text="горячую воду").locator(".timer", has_text="просрочено на 1 ч").wait_for(
        timeout=8000)
    assert page.evaluate("window.__marker") == 1  # updated in place, not reloaded
    page.get_by_role("link", name=re.compile("^просрочены")).click()
    page.wait_for_url(re.compile(r"state=overdue"))
    assert page.locator("ol.appeals > li.overdue").count() == page.locator("ol.appeals > li").count() >= 3
    page.get_by_label("Орган").select_option("education")
    page.get_by_role("button", name="Показать").click()
    page.wait_for_url(re.compile(r"body=education"))
    assert page.locator("ol.appeals > li").count() == 1

    page.get_by_role("link", name="Рейтинг органов").click()
    page.locator("select[name=period]").select_option("quarter")
    page.get_by_role("button", name="Показать").click()
    page.wait_for_url(re.compile(r"/ratings\?period=quarter"))
    rows = page.locator("table.ratings tbody tr")
    assert rows.count() >= 4 and rows.nth(0).locator("td").nth(0).inner_text() == "1"
    page.get_by_role("link", name="Дорожная карта").click()
    page.wait_for_url(f"{site.base}/roadmap")
    assert page.get_by_role("heading", name=re.compile("Повторяющиеся проблемы")).is_visible()

    page.get_by_role("link", name="Госпаблики").click()
    page.wait_for_url(f"{site.base}/gospublics")
    assert page.get_by_role("heading", name="Школы").is_visible()
    school = page.locator("article", has_text="Средняя школа № 2")
    assert "✗" in school.locator("ul.checks").inner_text() and "Рекомендации" in school.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    assert download.value.suggested_filename.startswith("gospublics-")
    page.close()


def test_an_executor_sees_its_appeals_and_no_ratings(browser: Any, pages_site: Site) -> None:
    page = browser.new_page()
    _login(page, pages_site, "executor")
    page.wait_for_url(f"{pages_site.base}/appeals")
    assert page.get_by_text("Вы видите только обращения к органу «МСЧ-135»").is_visible()
    assert page.get_by_role("link", name="Рейтинг органов").count() == 0
    response = page.goto(f"{pages_site.base}/ratings")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", name="Нет доступа").is_visible()
    page.close()
