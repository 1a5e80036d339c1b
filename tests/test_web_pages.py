"""The appeals, ratings, дорожная карта and госпаблики pages, on the bundled appeals with known answers and the demo's
official pages: what each role sees there, the deadline timers, filters, edits with CSRF and audit, downloads."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from mcu.gospublics_run import Gospublics, period_of
from mcu.ratings import rating_data
from responses.roadmap import Draft
from storage import roadmap as roadmap_store
from tests.web_helpers import HOSTILE_APPEAL, HOSTILE_AUTHOR, ROLES, Web

MSK = timezone(timedelta(hours=3))
EDITORS = {"mcu_head", "deputy", "pos", "incidents", "gospabliki"}  # roadmap.edit


def _appeals(site: Web, query: str = "state=all&period=quarter") -> list[dict]:  # type: ignore[type-arg]
    answer = site.client.get(f"/appeals.json?{query}")
    assert answer.status_code == 200, answer.text[:300]
    return answer.json()["appeals"]  # type: ignore[no-any-return]


def _by_text(found: list[dict], words: str) -> dict:  # type: ignore[type-arg]
    return next(a for a in found if words in a["excerpt"])


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


# --- appeals ----------------------------------------------------------------------------------------------------


def test_appeals_show_bodies_states_quality_and_satisfaction(pages: Web) -> None:
    pages.login("mcu_head")
    found = _appeals(pages)
    assert len(found) == 12
    formulaic = _by_text(found, "Третью неделю не горит фонарь")
    assert (formulaic["bodies"], formulaic["state"], formulaic["reply_quality"], formulaic["satisfaction"]) == (
        ["admin"], "met", "formulaic", "dissatisfied")
    joint = _by_text(found, "МСЧ и администрация")
    assert joint["bodies"] == ["msch", "admin"] and joint["story_id"] is not None
    page = _text(pages.client.get("/appeals?state=answered&period=quarter").text)
    for shown in ("отписка", "конфликт", "по существу", "уточняющий вопрос", "недоволен", "доволен", "МСЧ-135, Администрация",
                  "ответ в срок", "ответ с нарушением срока"):
        assert shown in page, shown
    assert "Третью неделю не горит фонарь" in page and "оригинал (ВКонтакте)" in page
    raw = pages.client.get("/appeals?state=answered&period=quarter").text
    assert f'href="/stories/{joint["story_id"]}"' in raw


def test_deadline_timers_count_working_time_and_move_with_the_clock(pages: Web) -> None:
    """The hostile appeal came on Friday 16 January 2026 at 17:00 (town time); the first answer is due within 8 working
    hours: one hour is left on Friday (to 18:00), so it is due on Monday at 16:00. At 19:15 on Friday that leaves 7
    working hours, though 2 days 20 h 45 min pass by the clock; at 17:00 on Monday it is an hour overdue — with no
    processing pass in between."""
    pages.now = datetime(2026, 1, 16, 19, 15, tzinfo=MSK)
    pages.login("deputy")
    hostile = _by_text(_appeals(pages, "period=quarter"), "горячую воду")
    assert hostile["state"] == "open"
    assert hostile["timer"]["text"] == "осталось 7 ч рабочего времени (2 дня 20 ч по часам)"
    assert hostile["timer"]["working_minutes"] == 420
    assert datetime.fromisoformat(hostile["deadline_at"]) == datetime(2026, 1, 19, 16, 0, tzinfo=MSK)
    pages.now = datetime(2026, 1, 19, 14, 30, tzinfo=MSK)
    assert _by_text(_appeals(pages, "period=quarter"), "горячую воду")["timer"]["state"] == "soon"
    pages.now = datetime(2026, 1, 19, 17, 0, tzinfo=MSK)
    late = _by_text(_appeals(pages, "state=overdue&period=quarter"), "горячую воду")
    assert late["state"] == "overdue" and late["timer"]["text"] == "просрочено на 1 ч рабочего времени"
    assert "просрочено на 1 ч рабочего времени" in pages.client.get("/appeals?state=overdue&period=quarter").text


def test_appeal_filters_by_body_state_and_period(pages: Web) -> None:
    pages.login("pos")
    assert [a["bodies"] for a in _appeals(pages, "body=education&state=all&period=quarter")] == [["education"]]
    overdue = _appeals(pages, "state=overdue&period=quarter")
    assert overdue and all(a["state"] == "overdue" for a in overdue)
    waiting = _appeals(pages, "period=quarter")  # the default: waiting for an answer, the nearest deadline first
    assert {a["state"] for a in waiting} == {"open", "overdue"}
    assert [a["deadline_at"] for a in waiting] == sorted(a["deadline_at"] for a in waiting)
    assert _appeals(pages, "state=all&period=custom&start=2026-01-15&end=2026-01-16") != _appeals(pages)
    assert all(a["appeal_at"] >= "2026-01-14" for a in _appeals(pages, "state=all&period=custom&start=2026-01-15&end=2026-01-16"))
    page = _text(pages.client.get("/appeals?state=all&period=custom&start=2020-01-01&end=2020-01-31").text)
    assert "Обращений за 01.01.2020 — 31.01.2020 нет" in page and "mcu run" in page
    nothing = _text(pages.client.get("/appeals?state=deleted&period=quarter").text)
    assert "Таких обращений нет" in nothing and "Показать все обращения периода" in nothing
    assert pages.client.get("/appeals?period=custom&start=вчера").status_code == 400
    assert _appeals(pages, "state=что-то&body=нет-такого&period=quarter") == waiting  # unknown filters: the default


def test_an_executor_sees_only_its_own_bodys_appeals(pages: Web) -> None:
    pages.login("executor")  # МСЧ-135
    for query in ("state=all&period=quarter", "state=all&period=quarter&body=admin", "state=all&period=quarter&body="):
        found = _appeals(pages, query)
        assert found and all("msch" in a["bodies"] for a in found), query
        assert all(a["story_title"] is None for a in found)  # stories are not its to read
    page = pages.client.get("/appeals?state=all&period=quarter").text
    assert "Вы видите только обращения к органу «МСЧ-135»" in page
    assert 'name="body"' not in page and "/stories/" not in page  # no body to choose, no story it may not open
    for path in ("/ratings", "/roadmap", "/gospublics", "/queue"):
        assert pages.client.get(path).status_code == 403, path
    pages.client.post("/logout", data={"csrf_token": pages.csrf("/appeals")})
    pages.login("executor-culture")
    assert _appeals(pages) == []
    assert "Обращений к вашему органу за" in _text(pages.client.get("/appeals").text)


def test_appeal_text_and_author_are_escaped(pages: Web) -> None:
    pages.login("curator")
    assert _by_text(_appeals(pages, "period=quarter"), "горячую воду")["excerpt"].startswith(HOSTILE_APPEAL[:40])
    page = pages.client.get("/appeals?period=quarter").text
    assert '<script>alert("appeal")' not in page and "&lt;script&gt;alert(&#34;appeal&#34;)&lt;/script&gt;" in page
    assert HOSTILE_AUTHOR not in page and "&lt;b onmouseover=" in page


def test_the_appeals_list_refreshes_itself(pages: Web) -> None:
    pages.login("incidents")
    page = pages.client.get("/appeals?state=overdue&period=quarter&body=admin").text
    poll = re.search(r'hx-get="([^"]+)" hx-trigger="every (\d+)s"', page)
    assert poll is not None and poll.group(2) == "10"
    fragment = pages.client.get(html.unescape(poll.group(1)), headers={"hx-request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and 'id="appeals-list"' in fragment.text
    assert "Когда вывезут ёлки" in fragment.text and "Когда откроют запись" not in fragment.text  # the admin's only


# --- ratings and the дорожная карта ---------------------------------------------------------------------------------


def test_ratings_show_the_numbers_mcu_ratings_computes(pages: Web) -> None:
    pages.login("glava")
    answer = pages.client.get("/ratings.json?period=custom&start=2026-01-09&end=2026-01-16").json()
    start, end = datetime.fromisoformat(answer["start"]), datetime.fromisoformat(answer["end"])
    assert (start, end) == (datetime(2026, 1, 9, tzinfo=MSK), datetime(2026, 1, 17, tzinfo=MSK))
    with pages.db.transaction() as session:
        expected = rating_data(session, pages.settings, "custom", start, end)
    assert [b["body"] for b in answer["bodies"]] == [r.body_id for r in expected.ratings]
    assert [b["score"] for b in answer["bodies"]] == [r.score for r in expected.ratings]
    admin = next(b for b in answer["bodies"] if b["body"] == "admin")
    assert admin["appeals"] == 9 and admin["conflicts"] == 1 and admin["parts"]["answered"] < 1
    page = _text(pages.client.get("/ratings?period=custom&start=2026-01-09&end=2026-01-16").text)
    assert "Администрация" in page and "из чего балл" in page and "доля обращений с ответом" in page
    assert "Без обращений за период, не оцениваются:" in page
    empty = _text(pages.client.get("/ratings?period=custom&start=2020-01-01&end=2020-01-07").text)
    assert "обращений к органам нет — оценивать нечего" in empty


def test_rating_report_downloads_and_is_audited(pages: Web) -> None:
    pages.login("curator")
    answer = pages.client.get("/ratings/download?period=week&end=2026-01-16&format=xlsx")
    assert answer.status_code == 200 and answer.content[:2] == b"PK"
    assert 'filename="ratings-2026-01-10-2026-01-16.xlsx"' in answer.headers["content-disposition"]
    assert pages.client.get("/ratings/download?format=pdf").status_code == 400
    pages.client.post("/logout", data={"csrf_token": pages.csrf("/ratings")})
    pages.login("mcu_head")
    journal = pages.client.get("/audit.json").json()["entries"]
    assert (journal[0]["action"], journal[0]["actor"], journal[0]["detail"]) == (
        "report", "Тест curator (curator)", "ratings-2026-01-10-2026-01-16.xlsx")


def _add_item(site: Web) -> int:
    with site.db.transaction() as session:
        rows = roadmap_store.add_drafts(session, [Draft(
            key="lighting|8 мкр|admin", title="Освещение: 8 мкр — Администрация", topic="improvement", place="8 мкр",
            body_id="admin", evidence="обращений за 90 дн.: 3", measure="Заменить светильники", deadline=date(2026, 2, 16))],
            "тест", site.now)
        return rows[0].id


def test_roadmap_items_are_edited_with_history_and_audit(pages: Web) -> None:
    item = _add_item(pages)
    pages.login("deputy")
    page = pages.client.get("/roadmap").text
    assert "Освещение: 8 мкр — Администрация" in page and f'action="/roadmap/{item}"' in page
    answer = pages.post(f"/roadmap/{item}", {"status": "in_progress", "body": "management_companies",
                                             "deadline": "2026-03-31", "measure": "Заменить светильники и кабель"},
                        page="/roadmap")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    shown = _text(pages.client.get("/roadmap").text)
    assert "изменено — статус, ответственный, срок, мера" in shown
    assert "выполняется" in shown and "31.03.2026" in shown and "Заменить светильники и кабель" in shown
    assert "статус: draft → in_progress" in shown  # the item's history
    items = pages.client.get("/roadmap.json").json()["items"]
    assert (items[0]["status"], items[0]["body_id"], items[0]["deadline"]) == ("in_progress", "management_companies",
                                                                               "2026-03-31")
    journal = pages.client.get("/audit.json").json()["entries"]
    assert journal[0]["action"] == "roadmap" and journal[0]["chat"] == "web"
    assert journal[0]["detail"] == (f"№{item}: статус: черновик → выполняется; ответственный: Администрация → "
                                    "Управляющие компании; срок: 16.02.2026 → 31.03.2026; мера: Заменить светильники → "
                                    "Заменить светильники и кабель")
    forged = pages.client.post(f"/roadmap/{item}", data={"status": "cancelled"}, follow_redirects=False)
    assert forged.status_code == 403 and "Форма устарела" in forged.text
    assert pages.client.get("/roadmap.json").json()["items"][0]["status"] == "in_progress"
    bad = pages.post(f"/roadmap/{item}", {"status": "planned", "deadline": "31.03.2026"}, page="/roadmap")
    assert bad.status_code == 400 and "нужна вида 2026-03-31" in bad.text  # type: ignore[attr-defined]
    assert pages.post("/roadmap/999", {"status": "planned"}, page="/roadmap").status_code == 404  # type: ignore[attr-defined]
    download = pages.client.get("/roadmap/download?format=docx")
    assert download.status_code == 200 and download.content[:2] == b"PK"


@pytest.mark.parametrize("role", ROLES)
def test_only_roles_with_roadmap_edit_change_the_roadmap(pages: Web, role: str) -> None:
    item = _add_item(pages)
    pages.login(role)
    page = pages.client.get("/roadmap")
    assert page.status_code == (403 if role == "executor" else 200)
    assert (f'action="/roadmap/{item}"' in page.text) == (role in EDITORS)
    answer = pages.post(f"/roadmap/{item}", {"status": "planned"}, page="/me")
    assert answer.status_code == (303 if role in EDITORS else 403), role  # type: ignore[attr-defined]
    draft = pages.post("/roadmap/draft", page="/me")
    assert draft.status_code == (303 if role in EDITORS else 403), role  # type: ignore[attr-defined]


def test_roadmap_without_items_says_what_to_do(pages: Web) -> None:
    pages.login("incidents")
    page = _text(pages.client.get("/roadmap").text)
    assert "В дорожной карте пока нет пунктов" in page and "Предложить черновики" in page
    pages.post("/roadmap/draft", page="/roadmap")
    after = _text(pages.client.get("/roadmap").text)
    assert "Добавлено черновиков" in after or "Новых повторяющихся проблем нет" in after


# --- госпаблики -----------------------------------------------------------------------------------------------------


def test_gospublics_scoreboard_ranks_within_kind_with_checks_and_advice(pages: Web) -> None:
    pages.login("gospabliki")
    answer = pages.client.get("/gospublics.json?period=month").json()
    end = datetime.fromisoformat(answer["end"])
    assert end == datetime(2026, 1, 17, tzinfo=MSK)  # 30 days to the end of the newest post's day
    expected = Gospublics(pages.settings, pages.db).check(period_of("month", end), pages.now)
    assert answer["pages"] == [report.to_record() for report in expected]
    schools = sorted((p for p in answer["pages"] if p["kind"] == "school" and p["rank"]), key=lambda p: p["rank"])
    assert [p["page"] for p in schools] == ["Средняя школа № 1", "Средняя школа № 2"]
    page = pages.client.get("/gospublics").text
    text = _text(page)
    assert text.index("Школы") < text.index("1 из 2 Средняя школа № 1") < text.index("2 из 2 Средняя школа № 2")
    assert "не пройдено: Частота публикаций : 4 поста за 30 дней: 0,9 в неделю при норме не меньше 3" in text
    assert "пройдено: Комментарии открыты" in text
    assert "публиковать не реже 3 раз в неделю: за месяц 4 поста, самый долгий перерыв 13 дней" in text
    assert "повтор в реестре" in text and "удалена или заблокирована" in text
    school = next(r for r in expected if r.page.title == "Средняя школа № 2")
    assert f'href="{school.page.url}"' in page


def test_gospublics_report_downloads_and_is_audited(pages: Web) -> None:
    pages.login("deputy")
    answer = pages.client.get("/gospublics/report?period=calendar&format=docx")
    assert answer.status_code == 200 and answer.content[:2] == b"PK"
    assert 'filename="gospublics-2025-12-01-2025-12-31.docx"' in answer.headers["content-disposition"]
    sheet = pages.client.get("/gospublics/report?period=month&format=xlsx")
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    assert pages.client.get("/gospublics/report?format=pdf").status_code == 400
    details = [e["detail"] for e in pages.client.get("/audit.json").json()["entries"][:2]]
    assert details == ["gospublics-2025-12-18-2026-01-16.xlsx", "gospublics-2025-12-01-2025-12-31.docx"]


def test_empty_pages_say_what_to_do(web: Web) -> None:
    """The plain town world has no official pages in the registry."""
    web.login("mcu_head")
    page = _text(web.client.get("/gospublics").text)
    assert "Реестр госпабликов пуст" in page and "mcu gospublics add" in page
    assert web.client.get("/gospublics.json").json()["pages"] == []
