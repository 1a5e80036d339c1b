"""The workspace through its test client: signing in, the queue, a story and its actions, search, reports,
sources, silences — what a person sees and what the database keeps afterwards."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from storage import alert_state
from storage.models import AlertAuditRow, OutboxRow, PostRow, StoryCorrectionRow, StoryFeedbackRow, StoryRow
from tests.web_helpers import HOSTILE_AUTHOR, PASSWORD, SECRET, Web

HTML = {"accept": "text/html"}


def _queue(web: Web) -> list[dict]:  # type: ignore[type-arg]
    return web.client.get("/queue.json").json()["stories"]  # type: ignore[no-any-return]


def _hostile_story(web: Web) -> int:
    with web.db.transaction() as session:
        post = session.scalar(select(PostRow).where(PostRow.external_id == "hostile-1"))
        assert post is not None and post.story_id is not None, "the hostile post should join the rumour story"
        return post.story_id


# --- signing in -----------------------------------------------------------------------------------------------


def test_pages_send_strangers_to_the_login_page_and_back(web: Web) -> None:
    answer = web.client.get("/queue?show=open", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=%2Fqueue%3Fshow%3Dopen"
    assert web.client.get("/queue.json").status_code == 401
    fragment = web.client.get("/queue/list", headers={"hx-request": "true"})
    assert fragment.status_code == 401 and fragment.headers["HX-Redirect"].startswith("/login")
    token = web.csrf("/login?next=%2Fqueue%3Fshow%3Dopen")
    answer = web.client.post("/login", data={"login": "deputy", "password": PASSWORD, "csrf_token": token,
                                             "next": "/queue?show=open"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/queue?show=open"
    assert "Очередь историй" in web.client.get("/queue?show=open").text


def test_login_never_redirects_to_another_site(web: Web) -> None:
    token = web.csrf()
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        answer = web.client.post("/login", data={"login": "deputy", "password": PASSWORD, "csrf_token": token,
                                                 "next": target}, follow_redirects=False)
        assert answer.headers["location"] == "/queue", target
        web.client.post("/logout", data={"csrf_token": web.csrf("/queue")})
        token = web.csrf()


def test_wrong_password_and_unknown_name_look_the_same(web: Web) -> None:
    token = web.csrf()
    wrong = web.client.post("/login", data={"login": "deputy", "password": "не тот пароль", "csrf_token": token})
    unknown = web.client.post("/login", data={"login": "nobody", "password": "не тот пароль", "csrf_token": token})
    assert wrong.status_code == unknown.status_code == 401
    assert "Неверное имя или пароль." in wrong.text and "Неверное имя или пароль." in unknown.text


def test_failed_logins_lock_the_name_for_a_while(web: Web) -> None:
    token = web.csrf()
    for _ in range(web.settings.web.throttle.failures):
        assert web.client.post("/login", data={"login": "deputy", "password": "угадываю", "csrf_token": token}).status_code == 401
    locked = web.client.post("/login", data={"login": "deputy", "password": PASSWORD, "csrf_token": token})
    assert locked.status_code == 429 and "Слишком много неудачных попыток" in locked.text
    assert web.client.get("/queue.json").status_code == 401  # the right password did not sign in
    web.now += timedelta(seconds=web.settings.web.throttle.window + 1)
    web.login("deputy")
    assert web.client.get("/queue.json").status_code == 200


def test_forms_without_the_session_token_change_nothing(web: Web) -> None:
    web.login("deputy")
    story = _queue(web)[0]["story_id"]
    answer = web.client.post(f"/stories/{story}/act", data={"action": "take"}, follow_redirects=False)
    assert answer.status_code == 403
    forged = web.client.post(f"/stories/{story}/act", data={"action": "take", "csrf_token": "x" * 43})
    assert forged.status_code == 403
    assert not web.client.post("/login", data={"login": "deputy", "password": PASSWORD}).is_success
    with web.db.transaction() as session:
        state = alert_state.state(session, story)
        assert state is not None and state.status == "open"


def test_session_cookie_is_signed_http_only_and_same_site(web: Web) -> None:
    token = web.csrf()
    answer = web.client.post("/login", data={"login": "deputy", "password": PASSWORD, "csrf_token": token},
                             follow_redirects=False)
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "mcu_session=" in cookie
    page = web.client.get("/queue")
    for header in ("content-security-policy", "x-content-type-options", "x-frame-options"):
        assert header in page.headers
    assert page.headers["cache-control"] == "no-store"


def test_logout_and_password_change_end_the_session(web: Web) -> None:
    web.login("pos")
    assert web.client.get("/queue.json").status_code == 200
    assert web.post("/logout", page="/queue").status_code == 303  # type: ignore[attr-defined]
    assert web.client.get("/queue.json").status_code == 401
    web.login("pos")
    stolen = dict(web.client.cookies)
    answer = web.post("/me/password", {"old": PASSWORD, "new": "новый-пароль-2", "repeat": "новый-пароль-2"})
    assert answer.headers["location"] == "/login"  # type: ignore[attr-defined]
    web.client.cookies.clear()
    web.client.cookies.update(stolen)  # the old cookie no longer opens anything
    assert web.client.get("/queue.json").status_code == 401
    web.client.cookies.clear()
    web.login("pos", "новый-пароль-2")


# --- the queue and a story ----------------------------------------------------------------------------------------


def test_queue_lists_open_stories_riskiest_first_and_updates_live(web: Web) -> None:
    web.login("incidents")
    stories = _queue(web)
    assert len(stories) >= 2
    assert [s["score"] for s in stories] == sorted((s["score"] for s in stories), reverse=True) or \
        stories[0]["level"] in ("critical", "high")
    assert all(s["handling"]["status"] == "open" and s["reasons"] for s in stories)
    page = web.client.get("/queue").text
    assert 'hx-trigger="every 10s"' in page and "/static/htmx.min.js" in page
    first = stories[0]
    assert f"/stories/{first['story_id']}" in page and first["reasons"][0] in page

    web.post(f"/stories/{first['story_id']}/act", {"action": "take"}, page="/queue")
    fragment = web.client.get("/queue/list?show=taken", headers={"hx-request": "true"}).text
    assert "в работе: Тест incidents (incidents)" in fragment and "<html" not in fragment
    assert first["story_id"] not in [s["story_id"] for s in web.client.get("/queue.json?show=open").json()["stories"]]
    mine = web.client.get("/queue.json?show=mine").json()["stories"]
    assert [s["story_id"] for s in mine] == [first["story_id"]]


def test_taking_a_story_does_what_the_bot_button_does(web: Web) -> None:
    web.login("deputy")
    story = _queue(web)[0]["story_id"]
    answer = web.post(f"/stories/{story}/act", {"action": "take"}, page=f"/stories/{story}")
    assert answer.headers["location"] == f"/stories/{story}"  # type: ignore[attr-defined]
    page = web.client.get(f"/stories/{story}").text
    assert f"История №{story} взята в работу." in page and "Тест deputy (deputy)" in page
    with web.db.transaction() as session:
        state = alert_state.state(session, story)
        assert state is not None and state.status == "taken" and state.actor == "Тест deputy (deputy)"
        assert state.remind_at is None  # no more reminders, as after the button
        audit = [(r.action, r.actor, r.chat) for r in alert_state.audit_of(session, story)]
        assert ("taken", "Тест deputy (deputy)", "web") in audit
        labels = session.scalars(select(StoryFeedbackRow.verdict).where(StoryFeedbackRow.story_id == story)).all()
        assert "taken" in labels
        edits = session.scalars(select(OutboxRow.text).where(OutboxRow.story_id == story, OutboxRow.kind == "edit")).all()
        assert any("Взято в работу: Тест deputy (deputy)" in text for text in edits)  # the chat messages say who
    assert web.actions == 1  # delivery was woken

    web.post(f"/stories/{story}/act", {"action": "false"}, page=f"/stories/{story}")
    web.post(f"/stories/{story}/act", {"action": "close"}, page=f"/stories/{story}")
    with web.db.transaction() as session:
        assert [r.action for r in alert_state.audit_of(session, story)][-2:] == ["false_positive", "closed"]
    assert story not in [s["story_id"] for s in _queue(web)]
    assert 'value="take"' in web.client.get(f"/stories/{story}").text  # a closed story can be taken up again


def test_story_page_shows_posts_links_entities_and_history(web: Web) -> None:
    web.login("deputy")
    story = _hostile_story(web)
    page = web.client.get(f"/stories/{story}").text
    assert "Почему такой уровень" in page and "Оповещения" in page and "первое оповещение" in page
    assert 'href="https://vk.com/wall-1_999"' in page and 'rel="noopener noreferrer nofollow"' in page
    assert f'src="/stories/{story}/timeline.svg"' in page
    chart = web.client.get(f"/stories/{story}/timeline.svg")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml") and b"<svg" in chart.content
    detail = web.client.get(f"/stories/{story}.json").json()
    assert detail["id"] == story and detail["posts"] and detail["alerts"]
    assert any(kind == "place" or kind == "organisation" for kind, _, _ in detail["entities"]) or detail["places"]


def test_post_text_and_names_are_never_rendered_as_markup(web: Web) -> None:
    web.login("deputy")
    story = _hostile_story(web)
    for page in (web.client.get(f"/stories/{story}").text,
                 web.client.get("/search?q=xss&all=1&start=2026-01-01&end=2026-12-31").text):
        assert "<script>alert" not in page and "<img src=x" not in page and HOSTILE_AUTHOR not in page
        assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in page
    assert "&lt;b onmouseover=&#34;alert(2)&#34;&gt;Иван&lt;/b&gt;" in web.client.get(f"/stories/{story}").text


def test_merge_and_split_from_the_story_page(web: Web) -> None:
    web.login("incidents")
    first, second = (s["story_id"] for s in _queue(web)[:2])
    web.post(f"/stories/{first}/merge", {"others": f"№{second}"}, page=f"/stories/{first}")
    assert web.client.get(f"/stories/{second}", follow_redirects=False).headers["location"] == f"/stories/{first}"
    with web.db.transaction() as session:
        merged = session.get(StoryRow, second)
        assert merged is not None and merged.merged_into == first
        correction = session.scalars(select(StoryCorrectionRow)).one()
        assert correction.author == "Тест incidents (incidents)"
        assert [(r.action, r.chat) for r in alert_state.audit_of(session, first)][-1] == ("merge", "web")
        moving = session.scalars(select(PostRow.id).where(PostRow.story_id == first, PostRow.source == "demo_gorod",
                                                          PostRow.parent_external_id.is_(None))).all()
    form = {"csrf_token": web.csrf(f"/stories/{first}"), "post": [str(p) for p in moving]}
    answer = web.client.post(f"/stories/{first}/split", data=form, follow_redirects=False)
    new = int(answer.headers["location"].rsplit("/", 1)[1])
    assert new not in (first, second)
    assert "вынесено постов" in web.client.get(f"/stories/{new}").text
    with web.db.transaction() as session:
        assert set(session.scalars(select(PostRow.id).where(PostRow.story_id == new))) >= set(moving)
    bad = web.post(f"/stories/{first}/merge", {"others": f"{first}"}, page=f"/stories/{first}")
    assert "не может войти сама в себя" in web.client.get(bad.headers["location"]).text  # type: ignore[attr-defined]


def test_unknown_story_and_bad_numbers_get_a_russian_page(web: Web) -> None:
    web.login("deputy")
    missing = web.client.get("/stories/99999", headers=HTML)
    assert missing.status_code == 404 and "Такой истории нет." in missing.text and "Traceback" not in missing.text
    assert web.client.get("/stories/abc", headers=HTML).status_code == 400
    assert web.client.get("/no-such-page", headers=HTML).status_code == 404


# --- search, reports, sources, silences, audit -----------------------------------------------------------------


def test_search_finds_cyrillic_in_any_case_and_exports_what_it_found(web: Web) -> None:
    web.login("pos")
    found = web.client.get("/search.json?q=саэс&start=2026-01-01&end=2026-01-31").json()
    assert found["total"] >= 3 and all("саэс" in p["text"].lower() for p in found["posts"])
    heating = web.client.get("/search.json?topic=housing&place=3%20мкр&start=2026-01-01&end=2026-01-31").json()
    assert heating["total"] >= 1 and all(p["topic"] == "housing" for p in heating["posts"])
    negative = web.client.get("/search.json?sentiment=negative&start=2026-01-01&end=2026-01-31").json()
    assert all(p["sentiment"] == "negative" for p in negative["posts"])
    nothing = web.client.get("/search?q=кукуруза&start=2026-01-01&end=2026-01-31").text
    assert "Ничего не найдено" in nothing
    answer = web.client.get("/search/export?q=саэс&start=2026-01-01&end=2026-01-31&format=xlsx")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None and sheet.max_row == found["total"] + 1 and sheet["A1"].value == "id"
    csv = web.client.get("/search/export?q=саэс&start=2026-01-01&end=2026-01-31&format=csv")
    assert csv.content.startswith("\ufeffid,".encode())
    with web.db.transaction() as session:
        exports = [r for r in alert_state.audit_of(session) if r.action == "export"]
        assert len(exports) == 2 and exports[0].actor == "Тест pos (pos)" and "записей" in exports[0].detail
    assert web.client.get("/search.json?start=2026-13-01").status_code == 400


def test_reports_show_in_the_page_and_download_for_any_period(web: Web) -> None:
    web.login("deputy")
    page = web.client.get("/reports").text
    assert "Сводки об информационных рисках" in page
    assert re.search(r'src="/reports/view\?period=week&amp;end=2026-01-1\d"', page)  # the week of the newest posts
    view = web.client.get("/reports/view?period=week&end=2026-01-14")
    assert view.status_code == 200 and "Справка об информационных рисках" in view.text
    assert "frame-ancestors 'self'" in view.headers["content-security-policy"]
    docx = web.client.get("/reports/download?period=custom&start=2026-01-10&end=2026-01-14&format=docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert 'filename="digest-2026-01-10-2026-01-14.docx"' in docx.headers["content-disposition"]
    with web.db.transaction() as session:
        assert [r.detail for r in alert_state.audit_of(session) if r.action == "report"] == ["digest-2026-01-10-2026-01-14.docx"]
    assert web.client.get("/reports/download?period=custom&start=2026-01-20&end=2026-01-14&format=docx").status_code == 400
    assert web.client.get("/reports/download?format=exe").status_code == 400
    assert web.client.get("/reports/files/..%2Fmcu.db").status_code == 404


def test_sources_page_tells_health_like_status(web: Web) -> None:
    web.login("mcu_head")
    status = web.client.get("/sources.json").json()
    assert status["schema"] == status["schema_expected"] and status["bot_configured"] is False
    page = web.client.get("/sources").text
    assert "не настроен (нет токена)" in page


def test_silences_from_the_workspace(web: Web) -> None:
    web.login("deputy")
    web.post("/silences", {"topic": "housing", "place": "3 мкр", "span": "6h", "reason": "плановое отключение"},
             page="/silences")
    page = web.client.get("/silences").text
    assert "плановое отключение" in page and "Тишина №1 действует до" in page
    web.post("/silences", {"span": "6h", "reason": "без условий"}, page="/silences")
    assert "заглушит всё" in web.client.get("/silences").text
    web.post("/silences/1/end", page="/silences")
    assert "Действующих тишин нет" in web.client.get("/silences").text
    journal = web.client.get("/audit.json").json()["entries"]
    assert [(e["action"], e["chat"]) for e in journal[:2]] == [("unsilence", "web"), ("silence", "web")]


def test_no_secret_shows_in_any_page(web: Web) -> None:
    web.login("mcu_head")
    for path in ("/queue", "/sources", "/sources.json", "/me", "/audit", "/reports", "/search", "/appeals", "/ratings",
                 "/roadmap", "/gospublics"):
        assert SECRET not in web.client.get(path).text, path


def test_empty_queue_says_what_to_do(web: Web) -> None:
    web.login("deputy")
    for story in [s["story_id"] for s in _queue(web)]:
        web.post(f"/stories/{story}/act", {"action": "close"}, page="/queue")
    page = web.client.get("/queue").text
    assert "Очередь пуста" in page and re.search(r'href="/sources"', page)
