"""The OK collector, client and resolver against the fake OK API on loopback (signatures checked there)."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from collectors.base import NotConfigured, comment_id
from collectors.budget import Budget
from collectors.factory import build_collector as factory_collector
from collectors.ok import OkClient, OkGroupCollector, OkGroupResolver, build_collector, build_resolver, signature
from collectors.source import KnownPost, SourceRef
from config.errors import AuthFailed, InputError, QuotaExhausted, RateLimited, SourceClosed, SourceUnavailable
from config.schema import Settings
from config.secret import Secret
from tests.fakes.ok import NEWEST, FakeOk

GID = "70000001234567"
NOW = NEWEST + timedelta(minutes=5)


@pytest.fixture
def fake() -> Iterator[FakeOk]:
    with FakeOk() as server:
        yield server


def configured(base: Settings, fake: FakeOk, *, secret: str | None = None, **collection: Any) -> Settings:
    ok = base.api.ok.model_copy(
        update={
            "base_url": fake.base_url,
            "application_key": fake.application_key,
            "application_secret": Secret("env:MCU_OK_APP_SECRET", secret or fake.application_secret),
            "access_token": Secret("env:MCU_OK_ACCESS_TOKEN", fake.access_token),
        }
    )
    defaults: dict[str, Any] = {"retries": 1, "timeout": 2.0}
    return base.model_copy(
        update={
            "api": base.api.model_copy(update={"ok": ok}),
            "collection": base.collection.model_copy(update={**defaults, **collection}),
        }
    )


@dataclass
class Env:
    """A collector wired to the fake, with recorded sleeps and a controllable clock."""

    fake: FakeOk
    settings: Settings
    budget: Budget = field(default_factory=lambda: Budget(rates={}))
    sleeps: list[float] = field(default_factory=list)
    now: datetime = NOW

    def client(self) -> OkClient:
        return OkClient.from_settings(self.settings, self.budget, sleep=self.sleeps.append)

    def collector(self, **sizes: int) -> OkGroupCollector:
        return OkGroupCollector(self.client(), self.settings.collection, clock=lambda: self.now, **sizes)

    def resolver(self) -> OkGroupResolver:
        return OkGroupResolver(self.client())


def env_for(fake: FakeOk, builtin_settings: Settings, **collection: Any) -> Env:
    return Env(fake, configured(builtin_settings, fake, **collection))


def source(handle: str = "zarechny.news", external_id: str | None = GID) -> SourceRef:
    return SourceRef("Заречный", "ok_group", handle, external_id=external_id)


def run_to_end(collector: OkGroupCollector, cursor: str | None, **kwargs: Any) -> tuple[list[Any], str | None, int, int]:
    """Call collect while it says "more", as the shell does; returns posts, cursor, steps and calls."""
    posts: list[Any] = []
    steps = calls = 0
    while True:
        batch = collector.collect(source(), cursor, **kwargs)
        posts.extend(batch.posts)
        cursor, steps, calls = batch.cursor, steps + 1, calls + batch.calls
        if not batch.more:
            return posts, cursor, steps, calls
        assert steps < 100


# -- signing and transport -------------------------------------------------------------------------------------


def test_signature_follows_the_documented_rule() -> None:
    # the aiookru worked example: application_key=…format=jsonmethod=events.get + md5(token + app secret)
    params = {"method": "events.get", "format": "json", "application_key": "ABCDEFGHIGKLMNOPK",
              "access_token": "TOKEN", "sig": "old"}
    session_secret = hashlib.md5(b"TOKENSECRET").hexdigest()
    expected = hashlib.md5(f"application_key=ABCDEFGHIGKLMNOPKformat=jsonmethod=events.get{session_secret}".encode()).hexdigest()
    assert signature(params, "TOKEN", "SECRET") == expected
    # values are signed raw, in UTF-8
    cyrillic = {"q": "Десногорск"}
    assert signature(cyrillic, "T", "S") == hashlib.md5(
        ("q=Десногорск" + hashlib.md5(b"TS").hexdigest()).encode("utf-8")).hexdigest()


def test_requests_are_signed_posts_without_the_token_in_the_url(fake: FakeOk, builtin_settings: Settings,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    fake.add_group(GID, topics=3, comments=1)
    env = env_for(fake, builtin_settings)
    with caplog.at_level(logging.DEBUG):
        env.collector().collect(source(), None)
    first = fake.requests[0]
    assert first["verb"] == "POST" and first["path"] == "/fb.do"
    assert first["params"]["method"] == "mediatopic.getTopics"
    assert first["params"]["format"] == "json" and first["params"]["gid"] == GID
    assert "anchor" not in first["params"] and "direction" not in first["params"], "empty params are dropped"
    text = caplog.text
    assert fake.access_token not in text and fake.application_secret not in text


def test_the_fake_also_answers_signed_gets(fake: FakeOk) -> None:
    fake.add_group(GID, topics=1)
    params = {"method": "group.getInfo", "uids": GID, "fields": "uid,name", "application_key": fake.application_key,
              "format": "json"}
    params["sig"] = signature(params, fake.access_token, fake.application_secret)
    params["access_token"] = fake.access_token
    good = httpx.get(f"{fake.base_url}/fb.do", params=params).json()
    assert good[0]["uid"] == GID
    bad = httpx.get(f"{fake.base_url}/fb.do", params={**params, "uids": "1"})
    assert bad.json()["error_code"] == 104 and bad.headers["invocation-error"] == "104"


def test_a_wrong_secret_is_caught_by_the_signature_check(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, topics=1)
    env = Env(fake, configured(builtin_settings, fake, secret="not-the-secret"))
    with pytest.raises(AuthFailed, match="104") as caught:
        env.collector().collect(source(), None)
    assert caught.value.api == "ok"
    assert "not-the-secret" not in str(caught.value)


# -- collecting ------------------------------------------------------------------------------------------------


def test_first_run_reads_back_to_the_horizon_oldest_first_with_comments(fake: FakeOk, builtin_settings: Settings) -> None:
    group = fake.add_group(GID, topics=120, comments=3)  # one topic an hour; the horizon (3 days) holds 72
    env = env_for(fake, builtin_settings)
    batch = env.collector().collect(source(), None)
    topics = [p for p in batch.posts if p.parent_id is None]
    comments = [p for p in batch.posts if p.parent_id is not None]
    assert [p.id for p in topics] == [t.id for t in reversed(group.topics[:72])]
    assert [p.published_at for p in topics] == sorted(p.published_at for p in topics)
    assert len(comments) == 72 * 3
    # each topic is followed by its own comments
    assert batch.posts[1].parent_id == batch.posts[0].id and batch.posts[1].id.startswith(batch.posts[0].id + "/")
    assert all(c.author and c.url == f"https://ok.ru/group/{GID}/topic/{c.parent_id}" for c in comments)
    assert batch.more is False and batch.problems == ()
    assert fake.calls("mediatopic.getTopics") == 2  # 50 + the page that crosses the horizon
    assert batch.calls == fake.calls() == 2 + 72


def test_paging_to_the_end_in_bounded_steps_without_duplicates(fake: FakeOk, builtin_settings: Settings) -> None:
    group = fake.add_group(GID, topics=40, comments=0)
    env = env_for(fake, builtin_settings, max_pages=2)
    collector = env.collector(page_size=7)
    first = collector.collect(source(), None)
    assert first.more is True and len(first.posts) == 14 and first.calls == 2
    posts, cursor, steps, _ = run_to_end(collector, first.cursor)
    everything = list(first.posts) + posts
    assert sorted(p.id for p in everything) == sorted(t.id for t in group.topics)
    assert len({p.id for p in everything}) == 40
    assert steps == 2  # 40 topics in pages of 7 = 6 pages, 2 per call
    # nothing new: one call, no posts
    again = collector.collect(source(), cursor)
    assert again.posts == () and again.more is False and again.calls == 1


def test_cursor_across_runs_brings_only_new_topics(fake: FakeOk, builtin_settings: Settings) -> None:
    group = fake.add_group(GID, topics=10, comments=2)
    env = env_for(fake, builtin_settings)
    collector = env.collector()
    batch = collector.collect(source(), None)
    assert len([p for p in batch.posts if p.parent_id is None]) == 10
    later = NEWEST + timedelta(hours=2)
    new = group.add_topic("Новая тема про отопление", later, comments=2)
    newer = group.add_topic("Ещё новее", later + timedelta(minutes=1))
    env.now = later + timedelta(minutes=5)
    second = collector.collect(source(), batch.cursor)
    assert [p.id for p in second.posts if p.parent_id is None] == [new.id, newer.id]
    assert [p.parent_id for p in second.posts if p.parent_id] == [new.id, new.id]
    assert second.calls == 2  # one feed page, one thread (the newest topic has no comments)
    assert collector.collect(source(), second.cursor).posts == ()


def test_since_reads_further_back_than_the_horizon(fake: FakeOk, builtin_settings: Settings) -> None:
    group = fake.add_group(GID, topics=200, comments=0)
    env = env_for(fake, builtin_settings, max_pages=1)
    posts, _, steps, calls = run_to_end(env.collector(), None, since=NEWEST - timedelta(hours=149, minutes=30))
    assert sorted(p.id for p in posts) == sorted(t.id for t in group.topics[:150])
    assert len(posts) == 150 and steps == 4 and calls == 4  # 150 within reach, pages of 50, one more to see the floor


def test_a_pinned_old_topic_does_not_stop_the_walk(fake: FakeOk, builtin_settings: Settings) -> None:
    group = fake.add_group(GID, topics=5, comments=0)
    pinned = group.add_topic("Закреплено давно", NEWEST - timedelta(days=30), sticky=True)
    env = env_for(fake, builtin_settings)
    collector = env.collector(page_size=3)
    batch = collector.collect(source(), None)
    assert pinned.id not in {p.id for p in batch.posts}
    assert len(batch.posts) == 5
    fresh = group.add_topic("Новая закреплённая", NEWEST + timedelta(minutes=1), sticky=True)
    second = collector.collect(source(), batch.cursor)
    assert [p.id for p in second.posts] == [fresh.id]
    assert collector.collect(source(), second.cursor).posts == ()


def test_comments_are_paged_and_capped(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, topics=2, comments=10)
    env = env_for(fake, builtin_settings, comments_per_post=7)
    batch = env.collector(comment_page_size=3).collect(source(), None)
    comments = [p for p in batch.posts if p.parent_id]
    assert len(comments) == 14
    assert fake.calls("discussions.getComments") == 2 * 3  # 3 + 3 + 1
    pages = [r["params"] for r in fake.requests if r["method"] == "discussions.getComments"][:3]
    assert [p["anchor"] == "FIRST" for p in pages] == [True, False, False]
    assert [p["count"] for p in pages] == ["3", "3", "1"]
    assert all(p["discussionType"] == "GROUP_TOPIC" for p in pages)


def test_no_comment_calls_when_comments_are_off(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, topics=4, comments=5)
    env = env_for(fake, builtin_settings, comments_per_post=0)
    batch = env.collector().collect(source(), None)
    assert len(batch.posts) == 4 and fake.calls("discussions.getComments") == 0


def test_a_malformed_topic_is_a_problem_not_a_crash(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.script("mediatopic.getTopics", {
        "media_topics": [{"id": "1", "media": []}, {"id": "2", "created_ms": int(NEWEST.timestamp() * 1000)}],
        "has_more": False,
    })
    env = env_for(fake, builtin_settings)
    batch = env.collector().collect(source(), None)
    assert [p.id for p in batch.posts] == ["2"]
    assert len(batch.problems) == 1 and "тема ОК 1" in batch.problems[0].message


def test_a_closed_thread_skips_its_comments_only(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, topics=2, comments=1)
    fake.script("discussions.getComments", 10)
    env = env_for(fake, builtin_settings)
    batch = env.collector().collect(source(), None)
    assert len(batch.posts) == 3
    assert len(batch.problems) == 1 and "недоступны" in batch.problems[0].message


def test_a_short_name_is_looked_up_once(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, shortname="zarechny.news", topics=2)
    env = env_for(fake, builtin_settings)
    collector = env.collector()
    for _ in range(2):
        collector.collect(source(external_id=None), None)
    assert fake.calls("url.getInfo") == 1
    assert {r["params"].get("gid") for r in fake.requests if r["method"] == "mediatopic.getTopics"} == {GID}


def test_an_unreadable_cursor_starts_from_the_horizon(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, topics=100)
    env = env_for(fake, builtin_settings)
    batch = env.collector().collect(source(), "not json")
    assert len(batch.posts) == 72


# -- refresh ---------------------------------------------------------------------------------------------------


def test_refresh_sees_edits_deletions_and_new_comments(fake: FakeOk, builtin_settings: Settings) -> None:
    group = fake.add_group(GID, topics=5, comments=2)
    env = env_for(fake, builtin_settings)
    collector = env.collector()
    batch = collector.collect(source(), None)
    known = [KnownPost(p.id, p.published_at, p.parent_id, p.metrics.comments) for p in batch.posts]
    edited, gone, talked, quiet, lost_comment = (t.id for t in group.topics)
    group.edit(edited, "Исправлено: воду дадут в 18:00", likes=500)
    group.delete(gone)
    new_comment = group.add_comment(talked, "А когда починят?", NEWEST + timedelta(minutes=3))
    removed = group.topic(lost_comment).comments[0]
    group.delete_comment(lost_comment, removed.id)
    group.add_comment(lost_comment, "Другой комментарий", NEWEST + timedelta(minutes=4))  # same count, other ids
    fake.requests.clear()
    env.now = NOW + timedelta(hours=1)

    result = collector.refresh(source(), known)

    by_id = {p.id: p for p in result.posts}
    assert by_id[edited].text == "Исправлено: воду дадут в 18:00"
    assert by_id[edited].metrics.likes == 500
    assert all(p.observed_at == env.now for p in result.posts)
    assert gone not in by_id
    assert gone in result.deleted
    gone_comments = [k.id for k in known if k.parent_id == gone]
    assert set(gone_comments) <= set(result.deleted)
    assert comment_id(talked, new_comment.id) in by_id
    assert by_id[comment_id(talked, new_comment.id)].parent_id == talked
    # the count of `lost_comment` did not change, so its thread was not re-read (and its deletion goes unseen)
    assert comment_id(lost_comment, removed.id) not in result.deleted
    assert fake.calls("mediatopic.getByIds") == 1
    assert fake.calls("discussions.getComments") == 1  # only `talked` changed its count
    assert quiet in by_id and result.calls == 2
    assert result.cursor is None


def test_refresh_reports_deleted_comments_of_a_changed_thread(fake: FakeOk, builtin_settings: Settings) -> None:
    group = fake.add_group(GID, topics=1, comments=3)
    env = env_for(fake, builtin_settings)
    collector = env.collector()
    batch = collector.collect(source(), None)
    known = [KnownPost(p.id, p.published_at, p.parent_id, p.metrics.comments) for p in batch.posts]
    (topic,) = group.topics
    removed = topic.comments[1]
    group.delete_comment(topic.id, removed.id)
    result = collector.refresh(source(), known)
    assert result.deleted == (comment_id(topic.id, removed.id),)
    assert len([p for p in result.posts if p.parent_id]) == 2
    # every comment gone: the count says so, no thread call needed
    for comment in list(topic.comments):
        group.delete_comment(topic.id, comment.id)
    fake.requests.clear()
    result = collector.refresh(source(), known)
    assert len(result.deleted) == 3 and fake.calls("discussions.getComments") == 0


@pytest.mark.parametrize("why", ["capped", "closed"])
def test_refresh_deletes_no_comments_from_a_partly_read_thread(fake: FakeOk, builtin_settings: Settings, why: str) -> None:
    group = fake.add_group(GID, topics=1, comments=5)
    env = env_for(fake, builtin_settings, comments_per_post=2 if why == "capped" else 200)
    (topic,) = group.topics
    known = [KnownPost(topic.id, NEWEST, None, 4)] + [KnownPost(comment_id(topic.id, c.id), NEWEST, topic.id) for c in topic.comments]
    if why == "closed":
        fake.script("discussions.getComments", 10)
    result = env.collector().refresh(source(), known)
    assert result.deleted == ()
    assert len([p for p in result.posts if p.parent_id]) == (2 if why == "capped" else 0)
    assert len(result.problems) == (0 if why == "capped" else 1)


def test_refresh_of_100_known_posts_costs_two_calls(fake: FakeOk, builtin_settings: Settings) -> None:
    group = fake.add_group(GID, topics=100, comments=4)
    env = env_for(fake, builtin_settings)
    known = [KnownPost(t.id, NEWEST, None, 4) for t in group.topics]
    result = env.collector().refresh(source(), known)
    assert len(result.posts) == 100 and result.deleted == ()
    assert result.calls == 2 and fake.calls("mediatopic.getByIds") == 2
    assert all(r["params"]["media_limit"] == "3" for r in fake.requests)


def test_refresh_survives_not_found_for_a_whole_list(fake: FakeOk, builtin_settings: Settings) -> None:
    group = fake.add_group(GID, topics=3)
    env = env_for(fake, builtin_settings)
    known = [KnownPost(t.id, NEWEST, None, 0) for t in group.topics]
    group.delete(group.topics[0].id)
    fake.script("mediatopic.getByIds", 300)  # whole list refused once; then asked one by one
    result = env.collector().refresh(source(), known)
    assert result.deleted == (known[0].id,)
    assert fake.calls("mediatopic.getByIds") == 4


# -- errors ----------------------------------------------------------------------------------------------------

ERRORS = [
    (102, AuthFailed, "MCU_OK_ACCESS_TOKEN"),
    (103, AuthFailed, "MCU_OK_ACCESS_TOKEN"),
    (101, AuthFailed, "application_key"),
    (104, AuthFailed, "MCU_OK_APP_SECRET"),
    (10, SourceClosed, "PERMISSION_DENIED"),
    (160, SourceClosed, "PARAM_GROUP_ID"),
    (300, SourceClosed, "NOT_FOUND"),
    (456, SourceClosed, "GROUP_RESTRICTION"),
    (100, SourceUnavailable, "100"),
    (9, RateLimited, "IP_BLOCKED"),
]


@pytest.mark.parametrize(("code", "error", "words"), ERRORS, ids=[str(e[0]) for e in ERRORS])
def test_api_errors(fake: FakeOk, builtin_settings: Settings, code: int, error: type[Exception], words: str) -> None:
    fake.add_group(GID, topics=2)
    fake.script("mediatopic.getTopics", code)
    env = env_for(fake, builtin_settings)
    with pytest.raises(error, match=words) as caught:
        env.collector().collect(source(), None)
    assert type(caught.value) is error
    if isinstance(caught.value, AuthFailed):
        assert caught.value.api == "ok"
    assert fake.calls() == 1, "no retry on errors that will not pass"
    assert env.sleeps == []


def test_limit_reached_blocks_the_method_in_the_budget(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, topics=2)
    fake.script("mediatopic.getTopics", 11)
    env = env_for(fake, builtin_settings)
    collector = env.collector()
    with pytest.raises(QuotaExhausted) as caught:
        collector.collect(source(), None)
    assert (caught.value.api, caught.value.method) == ("ok", "mediatopic.getTopics")
    assert caught.value.until > NOW - timedelta(days=1)
    with pytest.raises(QuotaExhausted):  # refused by the budget, not sent
        collector.collect(source(), None)
    assert fake.calls() == 1


def test_flood_once_then_success(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, topics=2)
    fake.script("mediatopic.getTopics", 8)
    env = env_for(fake, builtin_settings)
    batch = env.collector().collect(source(), None)
    assert len(batch.posts) == 2
    assert env.sleeps == [1.0] and batch.calls == 2


def test_flood_that_persists_is_rate_limited_after_bounded_retries(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, topics=2)
    fake.script("mediatopic.getTopics", 8, 8, 8, 8)
    env = env_for(fake, builtin_settings)
    with pytest.raises(RateLimited) as caught:
        env.collector().collect(source(), None)
    assert type(caught.value) is RateLimited and caught.value.retry_after >= 60
    assert env.sleeps == [1.0, 2.0] and fake.calls() == 3


@pytest.mark.parametrize(("answers", "outcome"), [((2,), None), ((2, 2, 2), SourceUnavailable)])
def test_service_unavailable_is_retried_briefly(fake: FakeOk, builtin_settings: Settings, answers: tuple[int, ...],
                                                outcome: type[Exception] | None) -> None:
    fake.add_group(GID, topics=2)
    fake.script("mediatopic.getTopics", *answers)
    env = env_for(fake, builtin_settings)
    if outcome is None:
        assert len(env.collector().collect(source(), None).posts) == 2
    else:
        with pytest.raises(outcome, match="ошибка API 2"):
            env.collector().collect(source(), None)
    assert env.sleeps == [1.0, 2.0][: len(answers)]


def test_malformed_json_is_unavailable(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, topics=2)
    fake.script("mediatopic.getTopics", "garbage")
    env = env_for(fake, builtin_settings)
    with pytest.raises(SourceUnavailable, match="не является JSON"):
        env.collector().collect(source(), None)


def test_a_stalled_server_times_out(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, topics=2)
    fake.script("mediatopic.getTopics", ("stall", 1.0), ("stall", 1.0))
    env = env_for(fake, builtin_settings, timeout=0.2, retries=1)
    started = time.monotonic()
    with pytest.raises(SourceUnavailable, match="таймаут"):
        env.collector().collect(source(), None)
    assert time.monotonic() - started < 1.5
    assert len(env.sleeps) == 1


def test_http_500_then_success(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, topics=2)
    fake.script("mediatopic.getTopics", "http500")
    env = env_for(fake, builtin_settings)
    batch = env.collector().collect(source(), None)
    assert len(batch.posts) == 2 and batch.calls == 2 and env.sleeps == [1.0]


@pytest.mark.parametrize("how", ["deleted", "closed"])
def test_a_group_that_disappears(fake: FakeOk, builtin_settings: Settings, how: str) -> None:
    group = fake.add_group(GID, topics=3)
    env = env_for(fake, builtin_settings)
    collector = env.collector()
    batch = collector.collect(source(), None)
    if how == "deleted":
        del fake.groups[GID]
    else:
        group.access_type = "CLOSED"
    with pytest.raises(SourceClosed):
        collector.collect(source(), batch.cursor)


def test_an_expired_token(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, topics=1)
    fake.token_expired = True
    env = env_for(fake, builtin_settings)
    with pytest.raises(AuthFailed, match="102"):
        env.collector().collect(source(), None)


def test_the_budget_is_asked_before_every_request(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, topics=3, comments=1)
    env = env_for(fake, builtin_settings)
    env.budget = Budget(rates={}, quotas={"ok": {"discussions.getComments": 2}})
    with pytest.raises(QuotaExhausted):
        env.collector().collect(source(), None)
    assert fake.calls("discussions.getComments") == 2


# -- configuration ---------------------------------------------------------------------------------------------


def test_not_configured_names_what_is_missing(builtin_settings: Settings) -> None:
    budget = Budget(rates={})
    for build in (build_collector, build_resolver, factory_collector):
        with pytest.raises(NotConfigured) as caught:
            build("ok_group", builtin_settings, budget)
        message = str(caught.value)
        assert "application_key" in message and "MCU_OK_APP_SECRET" in message and "MCU_OK_ACCESS_TOKEN" in message


def test_not_configured_names_only_the_token(fake: FakeOk, builtin_settings: Settings) -> None:
    settings = configured(builtin_settings, fake)
    ok = settings.api.ok.model_copy(update={"access_token": Secret("env:MCU_OK_ACCESS_TOKEN", None)})
    settings = settings.model_copy(update={"api": settings.api.model_copy(update={"ok": ok})})
    with pytest.raises(NotConfigured) as caught:
        build_collector("ok_group", settings, Budget(rates={}))
    assert "MCU_OK_ACCESS_TOKEN" in str(caught.value) and "MCU_OK_APP_SECRET" not in str(caught.value)


def test_built_from_settings(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, topics=2)
    settings = configured(builtin_settings, fake)
    collector = build_collector("ok_group", settings, Budget(rates={}))
    assert len(collector.collect(source(), None, since=NEWEST - timedelta(days=1)).posts) == 2
    with pytest.raises(NotConfigured, match="vk_wall"):
        build_collector("vk_wall", settings, Budget(rates={}))


# -- resolving -------------------------------------------------------------------------------------------------

RESOLVE = [
    (f"https://ok.ru/group/{GID}", 1),
    (f"m.ok.ru/group/{GID}/topic/1", 1),
    (GID, 1),
    ("https://ok.ru/zarechny.news", 2),
    ("https://www.ok.ru/zarechny.news/", 2),
]


@pytest.mark.parametrize(("url", "calls"), RESOLVE)
def test_resolve(fake: FakeOk, builtin_settings: Settings, url: str, calls: int) -> None:
    fake.add_group(GID, shortname="zarechny.news", name="Заречный район", members=23817)
    info = env_for(fake, builtin_settings).resolver().resolve(url)
    assert (info.kind, info.handle, info.external_id) == ("ok_group", "zarechny.news", GID)
    assert (info.title, info.audience, info.closed) == ("Заречный район", 23817, False)
    assert info.url == f"https://ok.ru/group/{GID}"
    assert fake.calls() == calls
    getinfo = next(r["params"] for r in fake.requests if r["method"] == "group.getInfo")
    assert getinfo["uids"] == GID and "members_count" in getinfo["fields"] and "access_type" in getinfo["fields"]


def test_resolve_accepts_the_documented_object_form(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, access_type="CLOSED")
    fake.getinfo_wrapped = True
    info = env_for(fake, builtin_settings).resolver().resolve(f"https://ok.ru/group/{GID}")
    assert info.closed is True and info.handle == GID


@pytest.mark.parametrize(
    ("url", "script", "error", "words"),
    [
        ("https://ok.ru/group/123", None, SourceClosed, "123"),
        ("https://ok.ru/nosuchgroup", None, SourceClosed, "https://ok.ru/group/"),
        ("https://ok.ru/someone", {"type": "USER", "objectId": 5}, SourceClosed, "https://ok.ru/group/"),
        ("https://ok.ru/zarechny.news", 3, SourceUnavailable, "https://ok.ru/group/"),
        ("https://vk.com/zarechny", None, InputError, "Одноклассников"),
        ("https://ok.ru/profile/5", None, InputError, "группы"),
    ],
)
def test_resolve_failures(fake: FakeOk, builtin_settings: Settings, url: str, script: Any, error: type[Exception],
                          words: str) -> None:
    fake.add_group(GID, shortname="zarechny.news")
    if script is not None:
        fake.script("url.getInfo", script)
    with pytest.raises(error, match=words):
        env_for(fake, builtin_settings).resolver().resolve(url)


def test_resolve_passes_auth_errors_through(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID, shortname="zarechny.news")
    fake.script("url.getInfo", 102)
    with pytest.raises(AuthFailed):
        env_for(fake, builtin_settings).resolver().resolve("https://ok.ru/zarechny.news")


def test_resolver_built_from_settings(fake: FakeOk, builtin_settings: Settings) -> None:
    fake.add_group(GID)
    resolver = build_resolver("ok_group", configured(builtin_settings, fake), Budget(rates={}))
    assert resolver.resolve(f"https://ok.ru/group/{GID}").external_id == GID
