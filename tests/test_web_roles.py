"""Each role of the regulation sees only its pages: the table below is what the МЦУ agreed, written out by hand
(not read from the code), and every page and action is tried for every role."""

from __future__ import annotations

import pytest

from tests.web_helpers import ROLES, Web

PAGES = {
    "/queue": {"glava", "curator", "mcu_head", "deputy", "pos", "incidents", "gospabliki"},
    "/queue.json": {"glava", "curator", "mcu_head", "deputy", "pos", "incidents", "gospabliki"},
    "/stories/{story}": {"glava", "curator", "mcu_head", "deputy", "pos", "incidents", "gospabliki"},
    "/appeals": set(ROLES),
    "/appeals.json": set(ROLES),
    "/ratings": {"glava", "curator", "mcu_head", "deputy", "pos", "incidents", "gospabliki"},
    "/ratings.json": {"glava", "curator", "mcu_head", "deputy", "pos", "incidents", "gospabliki"},
    "/roadmap": {"glava", "curator", "mcu_head", "deputy", "pos", "incidents", "gospabliki"},
    "/gospublics": {"glava", "curator", "mcu_head", "deputy", "gospabliki"},
    "/gospublics.json": {"glava", "curator", "mcu_head", "deputy", "gospabliki"},
    "/sources": {"curator", "mcu_head", "deputy", "pos", "incidents", "gospabliki"},
    "/reports": {"glava", "curator", "mcu_head", "deputy", "pos", "incidents", "gospabliki"},
    "/search": {"curator", "mcu_head", "deputy", "pos", "incidents", "gospabliki"},
    "/silences": {"mcu_head", "deputy", "pos", "incidents", "gospabliki"},
    "/audit": {"mcu_head", "deputy"},
}
ACTING = {"mcu_head", "deputy", "pos", "incidents", "gospabliki"}  # take, false alarm, close, merge, split, silences
START = {"executor": "/appeals"}
SUBPAGES = {"/roadmap"}  # reached from its section's page (the ratings), not from the menu


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_its_pages(web: Web, role: str) -> None:
    web.login("deputy")
    story = web.client.get("/queue.json").json()["stories"][0]["story_id"]
    web.client.post("/logout", data={"csrf_token": web.csrf("/queue")})
    web.login(role)
    assert web.client.get("/", follow_redirects=False).headers["location"] == START.get(role, "/queue")
    for path, allowed in PAGES.items():
        answer = web.client.get(path.format(story=story), headers={"accept": "text/html"})
        expected = 200 if role in allowed else 403
        assert answer.status_code == expected, f"{role} {path}: {answer.status_code}"
        if expected == 403:
            assert "нет доступа" in answer.text.lower()
    menu = web.client.get("/me").text
    for path, allowed in PAGES.items():
        if "{" not in path and not path.endswith(".json") and path not in SUBPAGES:
            assert (f'href="{path}"' in menu) == (role in allowed), f"{role}: menu link {path}"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_working_roles_act_on_stories(web: Web, role: str) -> None:
    web.login("deputy")
    story = web.client.get("/queue.json").json()["stories"][0]["story_id"]
    web.client.post("/logout", data={"csrf_token": web.csrf("/queue")})
    web.login(role)
    page = f"/stories/{story}" if role != "executor" else "/me"
    for path, data in ((f"/stories/{story}/act", {"action": "take"}),
                       (f"/stories/{story}/merge", {"others": "99999"}),
                       ("/silences", {"topic": "housing", "span": "2h", "reason": "проверка"})):
        answer = web.post(path, data, page=page)
        expected = 303 if role in ACTING else 403
        assert answer.status_code == expected, f"{role} {path}"  # type: ignore[attr-defined]
    shown = web.client.get(f"/stories/{story}").text
    assert ('value="take"' in shown or "в работе" in shown) == (role in ACTING) or role == "executor"


def test_every_route_needs_a_signed_in_person(web: Web) -> None:
    """No page, fragment, file or JSON answers without a login (only the login page, static files, healthz)."""
    public = {"/login", "/healthz", "/static", "/"}
    for route in web.app.routes:
        path = getattr(route, "path", "")
        methods = getattr(route, "methods", None) or {"GET"}
        if not path or path in public or path.startswith("/static"):
            continue
        concrete = path.replace("{story_id}", "1").replace("{silence_id}", "1").replace("{name}", "digest-week.md")
        concrete = concrete.replace("{item_id}", "1")
        for method in methods - {"HEAD"}:
            answer = web.client.request(method, concrete, headers={"accept": "application/json"},
                                        follow_redirects=False)
            assert answer.status_code in (401, 403), f"{method} {path}: {answer.status_code}"
    assert web.client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_a_role_table_from_config_replaces_the_default(web_world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    web = Web(web_world, tmp_path, web_world.settings.model_copy(update={
        "web": web_world.settings.web.model_copy(update={"permissions": {"glava": ["audit"]}})}))
    try:
        web.login("glava")
        assert web.client.get("/audit").status_code == 200
        assert web.client.get("/queue").status_code == 403
    finally:
        web.close()
