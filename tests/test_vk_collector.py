"""VK collectors against the fake VK API: paging, cursors, comments, refresh, errors, search and resolution."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from collectors.base import NotConfigured
from collectors.batch import Batch
from collectors.budget import Budget
from collectors.source import KnownPost, SourceRef
from collectors.vk import VkResolver, VkSearchCollector, VkWallCollector, build_client, build_collector, build_resolver
from collectors.vk.transport import make_session
from config.errors import (
    AuthFailed,
    InputError,
    QuotaExhausted,
    RateLimited,
    SourceClosed,
    SourceUnavailable,
)
from config.schema import Settings
from config.secret import Secret
from tests.fakes.vk import NOW, FakeVk

TOKEN = "vk-test-token"
OWNER = -123
WALL = SourceRef("Новости", "vk_wall", "zarechny_news", "https://vk.com/zarechny_news", str(OWNER))


def configure(base: Settings, fake: FakeVk | None, *, token: str | None = TOKEN, **collection: Any) -> Settings:
    vk = base.api.vk.model_copy(update={
        "token": Secret("env:MCU_VK_TOKEN", token),
        "base_url": fake.base_url if fake else "http://127.0.0.1:9",
    })
    defaults = {"timeout": 3.0, "retries": 2}  # generous: a loaded CI machine must not time out
    return base.model_copy(update={
        "api": base.api.model_copy(update={"vk": vk}),
        "collection": base.collection.model_copy(update={**defaults, **collection}),
    })


@pytest.fixture
def fake() -> Iterator[FakeVk]:
    with FakeVk(TOKEN, stall=1.0) as server:
        yield server


class Kit:
    """Builds collectors on one fake with a recorded sleep and a controllable clock."""

    def __init__(self, base: Settings, fake: FakeVk) -> None:
        self.base = base
        self.fake = fake
        self.sleeps: list[float] = []
        self.now = NOW
        self.budget = Budget(rates={})
        self._closers: list[Callable[[], None]] = []

    def settings(self, **collection: Any) -> Settings:
        return configure(self.base, self.fake, **collection)

    def client(self, **collection: Any) -> Any:
        client = build_client(self.settings(**collection), self.budget, sleep=self.sleeps.append)
        self._closers.append(client.close)
        return client

    def wall(self, **collection: Any) -> VkWallCollector:
        return VkWallCollector(self.client(**collection), self.settings(**collection), clock=lambda: self.now)

    def search(self, **collection: Any) -> VkSearchCollector:
        return VkSearchCollector(self.client(**collection), self.settings(**collection), clock=lambda: self.now)

    def resolver(self) -> VkResolver:
        return VkResolver(self.client())

    def close(self) -> None:
        for close in self._closers:
            close()


@pytest.fixture
def kit(builtin_settings: Settings, fake: FakeVk) -> Iterator[Kit]:
    made = Kit(builtin_settings, fake)
    yield made
    made.close()


def drain(collector: Any, source: SourceRef, cursor: str | None = None, **kwargs: Any) -> tuple[list[Batch], str | None]:
    """Call collect until ``more`` is false (at most 50 times); returns the batches and the last cursor."""
    batches = []
    for _ in range(50):
        batch = collector.collect(source, cursor, **kwargs)
        batches.append(batch)
        cursor = batch.cursor
        if not batch.more:
            return batches, cursor
    raise AssertionError("collect never finished")


def top_level(batch: Batch) -> list[str]:
    return [post.id for post in batch.posts if post.parent_id is None]


# --- walls: paging and cursors -------------------------------------------------------------------------------


def test_first_run_reads_back_initial_days_oldest_first(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", "Новости Заречного района", posts=150)  # one an hour
    batch = kit.wall(initial_days=3).collect(WALL, None)

    published = [post.published_at for post in batch.posts]
    assert published == sorted(published)
    assert len(batch.posts) == 72  # newest an hour ago, one an hour, 3 days back
    assert min(published) >= NOW - timedelta(days=3)
    assert batch.posts[-1].id == "-123_150" and batch.posts[-1].url == "https://vk.com/wall-123_150"
    assert all(post.source == "zarechny_news" and post.author == "Новости Заречного района" for post in batch.posts)
    assert batch.more is False and batch.calls == kit.fake.calls() == 1
    assert batch.info is not None and (batch.info.title, batch.info.audience) == ("Новости Заречного района", 1000)


def test_paging_to_the_end_in_bounded_batches_without_duplicates(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=500, step=timedelta(minutes=5))
    batches, _ = drain(kit.wall(max_pages=2), WALL)

    ids = [post_id for batch in batches for post_id in top_level(batch)]
    assert len(ids) == len(set(ids)) == 500
    assert [b.more for b in batches] == [True, True, False]
    assert sum(b.calls for b in batches) == kit.fake.calls("wall.get") == 6  # 5 pages + one overlap on resume
    assert max(len(top_level(b)) for b in batches) == 200  # max_pages × 100


def test_posts_published_during_a_pass_are_neither_lost_nor_duplicated(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=300, step=timedelta(minutes=5))
    collector = kit.wall(max_pages=1)
    first = collector.collect(WALL, None)
    for index in range(30):  # 30 new posts push everything 30 offsets down
        kit.fake.add_post(OWNER, f"новость {index}", date=NOW - timedelta(minutes=30 - index))
    batches, cursor = drain(collector, WALL, first.cursor)
    ids = top_level(first) + [i for b in batches for i in top_level(b)]
    assert len(ids) == len(set(ids)) == 300  # the whole old wall, once

    kit.now = NOW + timedelta(minutes=1)
    later, _ = drain(collector, WALL, cursor)
    assert sorted(i for b in later for i in top_level(b)) == sorted(f"-123_{n}" for n in range(301, 331))


def test_posts_deleted_during_a_pass_do_not_hide_older_ones(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=300, step=timedelta(minutes=5))
    collector = kit.wall(max_pages=1)
    first = collector.collect(WALL, None)
    assert top_level(first)[-1] == "-123_300" and len(top_level(first)) == 100
    for post_id in range(296, 301):  # five already-collected posts deleted: the wall shifts up by five
        kit.fake.delete_post(OWNER, post_id)
    batches, _ = drain(collector, WALL, first.cursor)
    assert sorted(i for b in batches for i in top_level(b)) == sorted(f"-123_{n}" for n in range(1, 201))


def test_second_run_with_nothing_new_costs_one_call_and_returns_nothing(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=40, comments=2)
    collector = kit.wall()
    first = collector.collect(WALL, None)
    before = kit.fake.calls()
    again = collector.collect(WALL, first.cursor)
    assert again.posts == () and again.more is False
    assert again.calls == kit.fake.calls() - before == 1
    assert again.cursor == first.cursor

    post = kit.fake.add_post(OWNER, "Свежая новость", date=NOW)
    kit.fake.add_comment(OWNER, post.id, "первый!")
    third = collector.collect(WALL, again.cursor)
    assert [p.id for p in third.posts] == ["-123_41", "-123_41/" + str(kit.fake.post(OWNER, 41).comments[0].id)]


def test_backfill_since_reads_below_the_cursor(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=200)  # one an hour: 8+ days
    collector = kit.wall(initial_days=1)
    first = collector.collect(WALL, None)
    assert len(first.posts) == 24
    batches, cursor = drain(collector, WALL, first.cursor, since=NOW - timedelta(days=5))
    ids = [i for b in batches for i in top_level(b)]
    assert len(ids) == 120
    assert collector.collect(WALL, cursor).posts == ()  # the cursor still points at the newest post


@pytest.mark.parametrize("pinned_age", [timedelta(days=30), timedelta(minutes=10)])
def test_pinned_post_never_stops_paging_or_moves_the_cursor(kit: Kit, pinned_age: timedelta) -> None:
    wall = kit.fake.add_wall(OWNER, "zarechny_news", posts=10)
    if pinned_age > timedelta(days=3):  # an old post pinned: id 1 shows first, out of order
        old = kit.fake.post(OWNER, 1)
        old.date = int((NOW - pinned_age).timestamp())
        old.is_pinned = True
    else:  # a fresh post pinned
        kit.fake.add_post(OWNER, "Важно!", date=NOW - pinned_age, is_pinned=True)
    collector = kit.wall()
    first = collector.collect(WALL, None)
    expected = len(wall.posts) - (1 if pinned_age > timedelta(days=3) else 0)
    assert len(first.posts) == expected

    new = kit.fake.add_post(OWNER, "После закрепа", date=NOW + timedelta(minutes=1))
    kit.now = NOW + timedelta(minutes=2)
    second = collector.collect(WALL, first.cursor)
    assert top_level(second) == [f"-123_{new.id}"]  # not stopped by the pinned one, no repeats
    assert collector.collect(WALL, second.cursor).posts == ()


def test_pinned_post_is_not_repeated_when_a_pass_resumes(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=250, step=timedelta(minutes=5))
    kit.fake.post(OWNER, 250).is_pinned = True
    batches, _ = drain(kit.wall(max_pages=1), WALL)
    ids = [i for b in batches for i in top_level(b)]
    assert len(ids) == len(set(ids)) == 250


def test_user_wall_by_screen_name_before_resolution(kit: Kit) -> None:
    kit.fake.add_wall(700000001, "ivan.petrov", "Иван Петров", posts=3)
    source = SourceRef("Иван", "vk_wall", "ivan.petrov")  # not resolved: read by domain
    batch = kit.wall().collect(source, None)
    assert top_level(batch) == ["700000001_1", "700000001_2", "700000001_3"]
    assert batch.posts[0].author == "Иван Петров"
    assert kit.fake.params("wall.get")[0]["domain"] == "ivan.petrov"


# --- comments ------------------------------------------------------------------------------------------------


def test_comments_of_new_posts_with_long_threads(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=3, comments=12, replies=15)  # 4 threads × 15 per post
    batch = kit.wall().collect(WALL, None)

    for post in [p for p in batch.posts if p.parent_id is None]:
        comments = [p for p in batch.posts if p.parent_id == post.id]
        assert len(comments) == post.metrics.comments == 12 + 4 * 15
        assert all(c.id.startswith(post.id + "/") and c.source == "zarechny_news" for c in comments)
        assert all(c.author and c.published_at > post.published_at for c in comments)
        position = batch.posts.index(post)
        assert batch.posts[position + 1 : position + 1 + len(comments)] == tuple(comments)  # right after its post
    replies = [c for c in batch.posts if c.url and "&thread=" in c.url]
    assert len(replies) == 3 * 4 * 15
    # per post: one top-level page and one call for each thread longer than 10 replies
    assert kit.fake.calls("wall.getComments") == 3 * (1 + 4)


def test_comments_limit_per_post_and_deleted_placeholders(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=1, comments=30)
    doomed = kit.fake.post(OWNER, 1).comments[5].id
    kit.fake.delete_comment(OWNER, 1, doomed, placeholder=True)
    batch = kit.wall().collect(WALL, None)
    comments = [p for p in batch.posts if p.parent_id]
    assert len(comments) == 29 and f"-123_1/{doomed}" not in {c.id for c in comments}

    limited = kit.wall(comments_per_post=10).collect(WALL, None)
    kept = [p for p in limited.posts if p.parent_id]
    assert len(kept) == 10
    newest = sorted((c.id for c in kit.fake.post(OWNER, 1).comments if not c.deleted), reverse=True)[:10]
    assert {c.id.split("/")[1] for c in kept} == {str(i) for i in newest}  # the newest ones are kept

    none = kit.wall(comments_per_post=0).collect(WALL, None)
    assert [p for p in none.posts if p.parent_id] == []


def test_comments_denied_on_one_post_keeps_the_post_and_the_others(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=3, comments=2)
    kit.fake.post(OWNER, 2).comments_denied = True
    batch = kit.wall().collect(WALL, None)
    assert top_level(batch) == ["-123_1", "-123_2", "-123_3"]
    assert {p.parent_id for p in batch.posts if p.parent_id} == {"-123_1", "-123_3"}
    assert len(batch.problems) == 1 and "-123_2" in batch.problems[0].message
    assert "закрыты" in batch.problems[0].message


# --- refresh -------------------------------------------------------------------------------------------------


def known_from(batch: Batch) -> list[KnownPost]:
    return [KnownPost(p.id, p.published_at, p.parent_id, p.metrics.comments) for p in batch.posts]


def test_refresh_sees_edits_metrics_deletions_and_new_comments(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=5, comments=3)
    collector = kit.wall()
    first = collector.collect(WALL, None)
    known = known_from(first)

    kit.fake.post(OWNER, 1).text = "Исправлено: воду дадут в 18:00"
    kit.fake.post(OWNER, 1).likes = 99
    kit.fake.delete_post(OWNER, 2)
    kit.fake.add_comment(OWNER, 3, "Новый комментарий", date=NOW)
    gone = kit.fake.post(OWNER, 4).comments[0].id
    kit.fake.delete_comment(OWNER, 4, gone)
    kit.fake.add_comment(OWNER, 4, "взамен", date=NOW)  # count unchanged: not re-read
    placeholder = kit.fake.post(OWNER, 5).comments[1].id
    kit.fake.delete_comment(OWNER, 5, placeholder, placeholder=True)
    kit.now = NOW + timedelta(minutes=30)
    before = kit.fake.calls()

    batch = collector.refresh(WALL, known)
    by_id = {p.id: p for p in batch.posts}
    assert by_id["-123_1"].text == "Исправлено: воду дадут в 18:00" and by_id["-123_1"].metrics.likes == 99
    assert all(p.observed_at == kit.now for p in batch.posts)
    assert "-123_2" in batch.deleted and "-123_2" not in by_id
    comments_of_2 = {p.id for p in first.posts if p.parent_id == "-123_2"}
    assert len(comments_of_2) == 3 and comments_of_2 <= set(batch.deleted)  # a deleted post takes its comments
    assert "Новый комментарий" in {p.text for p in batch.posts if p.parent_id == "-123_3"}
    assert f"-123_5/{placeholder}" in batch.deleted  # shown as deleted, and its count dropped
    assert not any(p.parent_id == "-123_4" for p in batch.posts)  # comment count unchanged: not re-read
    # one getById for all five, comments only for posts 3 and 5
    assert [method for method, _ in kit.fake.requests[before:]] == ["wall.getById"] + ["wall.getComments"] * 2
    assert batch.calls == kit.fake.calls() - before == 3


def test_refresh_reports_comments_that_vanished_when_known(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=1, comments=3)
    collector = kit.wall()
    known = known_from(collector.collect(WALL, None))
    victim = kit.fake.post(OWNER, 1).comments[0].id
    kit.fake.delete_comment(OWNER, 1, victim)
    batch = collector.refresh(WALL, known)
    assert batch.deleted == (f"-123_1/{victim}",)


def test_refresh_of_150_posts_takes_two_calls(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=150, step=timedelta(minutes=10))
    collector = kit.wall(comments_per_post=0)
    batches, _ = drain(collector, WALL)
    known = [KnownPost(p.id, p.published_at, None, p.metrics.comments) for b in batches for p in b.posts]
    before = kit.fake.calls()
    batch = collector.refresh(WALL, known)
    assert len(batch.posts) == 150 and batch.deleted == ()
    assert kit.fake.calls() - before == batch.calls == 2
    assert [len(p["posts"].split(",")) for p in kit.fake.params("wall.getById")] == [100, 50]


def test_refresh_of_a_wall_that_closed_raises_instead_of_deleting_everything(kit: Kit) -> None:
    wall = kit.fake.add_wall(OWNER, "zarechny_news", posts=3)
    collector = kit.wall()
    known = known_from(collector.collect(WALL, None))
    wall.wall_error = 15
    with pytest.raises(SourceClosed) as caught:
        collector.refresh(WALL, known)
    assert caught.value.code == 15


# --- errors --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "error", "calls"), [
    (5, AuthFailed, 1),
    (8, AuthFailed, 1),
    (28, AuthFailed, 1),
    (15, SourceClosed, 1),
    (18, SourceClosed, 1),
    (30, SourceClosed, 1),
    (203, SourceClosed, 1),
    (29, QuotaExhausted, 1),
    (14, RateLimited, 1),
    (100, SourceUnavailable, 1),
])
def test_wall_get_errors(kit: Kit, answer: int, error: type[Exception], calls: int) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=3)
    kit.fake.script("wall.get", answer)
    with pytest.raises(error) as caught:
        kit.wall().collect(WALL, None)
    assert kit.fake.calls() == calls and kit.sleeps == []
    assert TOKEN not in str(caught.value)
    assert f"ошибка {answer}" in str(caught.value)
    if isinstance(caught.value, SourceClosed):
        assert caught.value.code == answer
    if isinstance(caught.value, AuthFailed):
        assert caught.value.api == "vk"


def test_error_29_blocks_the_method_in_the_budget(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=3)
    kit.fake.script("wall.get", 29)
    collector = kit.wall()
    with pytest.raises(QuotaExhausted) as caught:
        collector.collect(WALL, None)
    assert (caught.value.api, caught.value.method) == ("vk", "wall.get")
    blocked = {(u.api, u.method): u.blocked_until for u in kit.budget.usage()}
    assert blocked[("vk", "wall.get")] is not None
    with pytest.raises(QuotaExhausted):  # no request leaves until the quota resets
        collector.collect(WALL, None)
    assert kit.fake.calls() == 1


def test_daily_quota_in_the_budget_stops_before_the_request(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=250, step=timedelta(minutes=5))
    kit.budget = Budget(rates={}, quotas={"vk": {"wall.get": 2}})
    with pytest.raises(QuotaExhausted):
        kit.wall().collect(WALL, None)
    assert kit.fake.calls("wall.get") == 2


@pytest.mark.parametrize("answer", [6, 9, 10, "http500", "malformed", {"unexpected": True}])
def test_temporary_trouble_once_then_success(kit: Kit, answer: Any) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=3)
    kit.fake.script("wall.get", answer)
    batch = kit.wall().collect(WALL, None)
    assert len(batch.posts) == 3
    assert batch.calls == kit.fake.calls() == 2 and kit.sleeps == [1.0]


@pytest.mark.parametrize(("answer", "error"), [
    (6, RateLimited), (9, RateLimited), (10, RateLimited),
    ("http500", SourceUnavailable), ("malformed", SourceUnavailable),
])
def test_persistent_trouble_is_bounded(kit: Kit, answer: Any, error: type[Exception]) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=3)
    kit.fake.script("wall.get", *[answer] * 10)
    with pytest.raises(error) as caught:
        kit.wall(retries=2).collect(WALL, None)
    assert not isinstance(caught.value, SourceClosed)
    assert kit.fake.calls() == 3 and kit.sleeps == [1.0, 2.0]  # retries + 1 attempts, growing backoff


def test_stalled_server_times_out_then_source_unavailable(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=3)
    kit.fake.script("wall.get", "stall", "stall")
    with pytest.raises(SourceUnavailable, match="таймаут"):
        kit.wall(retries=1, timeout=0.2).collect(WALL, None)
    assert kit.fake.calls() == 2


def test_stall_once_then_success(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=3)
    kit.fake.script("wall.get", "stall")
    assert len(kit.wall(retries=1, timeout=0.2).collect(WALL, None).posts) == 3


def test_source_that_disappears(kit: Kit) -> None:
    wall = kit.fake.add_wall(OWNER, "zarechny_news", posts=3)
    collector = kit.wall()
    first = collector.collect(WALL, None)
    wall.wall_error = 15
    with pytest.raises(SourceClosed):
        collector.collect(WALL, first.cursor)
    del kit.fake.walls[OWNER]
    with pytest.raises(SourceUnavailable):
        collector.collect(WALL, first.cursor)


def test_malformed_item_is_skipped_with_a_problem(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=2)
    good = kit.fake._post_json(kit.fake.walls[OWNER], kit.fake.post(OWNER, 2))
    kit.fake.script("wall.get", {"response": {"count": 3, "items": [good, {"id": "x"}, "junk"]}})
    batch = kit.wall().collect(WALL, None)
    assert top_level(batch) == ["-123_2"]
    assert len(batch.problems) == 2 and all("пропущен" in p.message for p in batch.problems)


def test_bad_cursor_restarts_with_a_note(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=2)
    batch = kit.wall().collect(WALL, "garbage")
    assert len(batch.posts) == 2 and len(batch.problems) == 1 and not batch.problems[0].skipped


def test_one_info_line_per_request_and_never_the_token(kit: Kit, caplog: pytest.LogCaptureFixture) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=2, comments=1)
    kit.fake.script("wall.get", 6)
    with caplog.at_level(logging.DEBUG):
        kit.wall().collect(WALL, None)
    lines = [r.getMessage() for r in caplog.records if r.name == "collectors.vk.client"]
    assert len(lines) == kit.fake.calls() == 4  # error 6, wall.get, two getComments
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == "collectors.vk.client")
    assert TOKEN not in caplog.text


def test_version_and_token_are_sent_as_configured(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=1)
    kit.wall().collect(WALL, None)
    assert kit.fake.params("wall.get")[0]["v"] == "5.199"
    wrong = configure(kit.base, kit.fake, token="not-the-token")
    collector = VkWallCollector(build_client(wrong, Budget(rates={})), wrong)
    with pytest.raises(AuthFailed):
        collector.collect(WALL, None)
    collector.close()


@pytest.mark.parametrize("host", ["https://api.vk.ru", "https://api.vk.com"])
def test_both_vk_hosts_are_redirected_to_the_base_url(fake: FakeVk, host: str) -> None:
    fake.add_wall(OWNER, "zarechny_news")
    with make_session(fake.base_url, 1.0) as session:
        answer = session.post(f"{host}/method/utils.resolveScreenName",
                              data={"screen_name": "zarechny_news", "access_token": TOKEN, "v": "5.199"})
    assert answer.json() == {"response": {"object_id": 123, "type": "page"}}


# --- not configured ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["vk_wall", "vk_search"])
def test_not_configured_without_a_token(builtin_settings: Settings, kind: str) -> None:
    settings = configure(builtin_settings, None, token=None)
    with pytest.raises(NotConfigured, match="MCU_VK_TOKEN"):
        build_collector(kind, settings, Budget())
    with pytest.raises(NotConfigured, match="MCU_VK_TOKEN"):
        build_resolver(kind, settings, Budget())


def test_builtin_config_without_env_is_not_configured(builtin_settings: Settings) -> None:
    with pytest.raises(NotConfigured):
        build_collector("vk_wall", builtin_settings, Budget())


def test_build_collector_kinds(builtin_settings: Settings) -> None:
    settings = configure(builtin_settings, None)
    wall, search = build_collector("vk_wall", settings, Budget()), build_collector("vk_search", settings, Budget())
    assert isinstance(wall, VkWallCollector) and isinstance(search, VkSearchCollector)
    wall.close()
    search.close()
    with pytest.raises(NotConfigured):
        build_collector("ok_group", settings, Budget())


# --- search --------------------------------------------------------------------------------------------------

SEARCH = SourceRef("Поиск", "vk_search", "vk-search", options={"queries": ["поликлинику", "фонари"]})


def test_search_finds_posts_in_unlisted_communities_with_their_screen_names(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", "Новости", posts=10)  # TEXTS cycle: #2 поликлинику, #5 фонари
    kit.fake.add_wall(-456, "podslushano", "Подслушано", posts=5)
    batch = kit.search().collect(SEARCH, None)

    assert {(p.source, p.id) for p in batch.posts} == {
        ("zarechny_news", "-123_2"), ("zarechny_news", "-123_7"), ("zarechny_news", "-123_5"),
        ("zarechny_news", "-123_10"), ("podslushano", "-456_2"), ("podslushano", "-456_5")}
    published = [p.published_at for p in batch.posts]
    assert published == sorted(published) and all(p.parent_id is None for p in batch.posts)
    assert batch.more is False and batch.calls == 2  # one page per query
    assert kit.fake.params("newsfeed.search")[0]["extended"] == "1"
    wall = kit.wall(comments_per_post=0).collect(WALL, None)
    assert {p.id for p in batch.posts if p.source == "zarechny_news"} <= {p.id for p in wall.posts}


def test_search_cursor_nothing_new_then_only_the_new(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=10)
    collector = kit.search()
    first = collector.collect(SEARCH, None)
    again = collector.collect(SEARCH, first.cursor)
    assert again.posts == () and again.calls == 2
    starts = [int(p["start_time"]) for p in kit.fake.params("newsfeed.search")]
    assert starts[2] == max(int(p.published_at.timestamp()) for p in first.posts if "поликлинику" in p.text)

    fresh = kit.fake.add_post(OWNER, "Когда откроют поликлинику?", date=NOW + timedelta(minutes=5))
    kit.now = NOW + timedelta(minutes=10)
    third = collector.collect(SEARCH, again.cursor)
    assert [p.id for p in third.posts] == [f"-123_{fresh.id}"]


def test_search_pages_with_next_from_and_bounded_batches(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=2000, step=timedelta(minutes=1))  # 400 per query
    batches, _ = drain(kit.search(max_pages=1), SEARCH)
    ids = [p.id for b in batches for p in b.posts]
    assert len(ids) == len(set(ids)) == 800
    assert len(batches) == 4 and kit.fake.calls("newsfeed.search") == 4
    follow = [p for p in kit.fake.params("newsfeed.search") if "start_from" in p]
    assert len(follow) == 2 and all(p["start_from"].startswith("200/") for p in follow)


def test_search_gets_past_the_1000_result_cap_with_time_slices(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=6000, step=timedelta(seconds=30))  # 1200 per query
    source = SourceRef("Поиск", "vk_search", "vk-search", options={"queries": ["поликлинику"]})
    batches, _ = drain(kit.search(max_pages=20), source)
    ids = [p.id for b in batches for p in b.posts]
    assert len(ids) == len(set(ids)) == 1200
    ends = {p.get("end_time") for p in kit.fake.params("newsfeed.search")}
    assert len(ends) == 2  # a second slice below the oldest result of the first


def test_search_refresh_updates_metrics_and_sees_deletions(kit: Kit) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", posts=10)
    kit.fake.add_wall(-456, "podslushano", posts=5)
    collector = kit.search()
    first = collector.collect(SEARCH, None)
    kit.fake.post(-456, 2).views = 5000
    kit.fake.delete_post(OWNER, 7)
    batch = collector.refresh(SEARCH, known_from(first))
    by_id = {p.id: p for p in batch.posts}
    assert by_id["-456_2"].metrics.views == 5000 and by_id["-456_2"].source == "podslushano"
    assert batch.deleted == ("-123_7",)
    assert kit.fake.calls("wall.getComments") == 0 and batch.calls == 1


def test_search_error_29_blocks_newsfeed_search(kit: Kit) -> None:
    kit.fake.script("newsfeed.search", 29)
    with pytest.raises(QuotaExhausted) as caught:
        kit.search().collect(SEARCH, None)
    assert caught.value.method == "newsfeed.search"


# --- resolution ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "calls"), [
    ("https://vk.com/zarechny_news", 2),
    ("vk.com/zarechny_news", 2),
    ("https://m.vk.ru/zarechny_news?w=wall", 2),
    ("zarechny_news", 2),
    ("@zarechny_news", 2),
    ("https://vk.com/club123", 1),
    ("public123", 1),
])
def test_resolve_communities(kit: Kit, text: str, calls: int) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", "Новости Заречного района", members=48213)
    info = kit.resolver().resolve(text)
    assert (info.kind, info.handle, info.external_id, info.title) == (
        "vk_wall", "zarechny_news", "-123", "Новости Заречного района")
    assert (info.url, info.audience, info.closed) == ("https://vk.com/zarechny_news", 48213, False)
    assert kit.fake.calls() == calls


@pytest.mark.parametrize("legacy", [False, True])
def test_resolve_accepts_both_group_shapes(builtin_settings: Settings, legacy: bool) -> None:
    with FakeVk(TOKEN, legacy_groups=legacy) as fake:
        fake.add_wall(OWNER, "zarechny_news", "Новости")
        client = build_client(configure(builtin_settings, fake), Budget(rates={}))
        assert VkResolver(client).resolve("zarechny_news").external_id == "-123"
        client.close()


@pytest.mark.parametrize(("text", "external_id"), [("https://vk.com/ivan.petrov", "700000001"), ("id700000001", "700000001")])
def test_resolve_user_walls(kit: Kit, text: str, external_id: str) -> None:
    kit.fake.add_wall(700000001, "ivan.petrov", "Иван Петров", members=321)
    info = kit.resolver().resolve(text)
    assert (info.external_id, info.handle, info.title, info.audience) == (external_id, "ivan.petrov", "Иван Петров", 321)


@pytest.mark.parametrize(("options", "closed"), [
    ({"is_closed": 1}, True), ({"deactivated": "banned"}, True), ({}, False),
])
def test_resolve_reports_closed_communities(kit: Kit, options: dict[str, Any], closed: bool) -> None:
    kit.fake.add_wall(OWNER, "zarechny_news", **options)
    assert kit.resolver().resolve("zarechny_news").closed is closed


@pytest.mark.parametrize("text", ["https://vk.com/no_such_page", "club999", "id999"])
def test_resolve_unknown_names(kit: Kit, text: str) -> None:
    with pytest.raises(SourceClosed, match="не найдено") as caught:
        kit.resolver().resolve(text)
    assert caught.value.code == "not_found"


def test_resolve_something_that_is_not_a_wall(kit: Kit) -> None:
    kit.fake.script("utils.resolveScreenName", {"response": {"object_id": 51234, "type": "application"}})
    with pytest.raises(SourceClosed, match="не сообщество"):
        kit.resolver().resolve("https://vk.com/some_app")


@pytest.mark.parametrize("text", ["https://t.me/desnogorsk", "", "https://vk.com/"])
def test_resolve_rejects_what_is_not_vk(kit: Kit, text: str) -> None:
    with pytest.raises(InputError):
        kit.resolver().resolve(text)
    assert kit.fake.calls() == 0
