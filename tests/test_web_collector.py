"""The web collector and resolver against a fake news site on loopback (no real network, no real sleeping)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from collectors.batch import Batch
from collectors.budget import Budget
from collectors.post import Post
from collectors.source import KnownPost, SourceRef
from collectors.urls import parse_source_url
from collectors.web import WebCollector, WebResolver
from config import Settings
from config.errors import InputError, RateLimited, SourceClosed, SourceUnavailable
from tests.fakes.web import NEWEST, FakeSite

NOW = NEWEST + timedelta(hours=1)


def make_settings(base: Settings, **collection: object) -> Settings:
    values = {"max_pages": 10, "initial_days": 3, "timeout": 1.0, "retries": 1, **collection}  # stalls last 1.5 s
    return base.model_copy(update={"collection": base.collection.model_copy(update=values)})


@pytest.fixture
def config(builtin_settings: Settings) -> Settings:
    return make_settings(builtin_settings)


def collector(settings: Settings, now: datetime = NOW) -> WebCollector:
    return WebCollector(settings, Budget(rates={}), clock=lambda: now, sleep=lambda seconds: None)


def source(site: FakeSite, kind: str = "site", **options: object) -> SourceRef:
    url = site.feed_url if kind == "rss" else site.front_url
    return SourceRef(name="Тестовый сайт", kind=kind, handle="127.0.0.1", url=url, options=options)


def drain(web: WebCollector, ref: SourceRef, cursor: str | None = None, **kwargs: object) -> tuple[list[Batch], str | None]:
    """Call collect until ``more`` is false, as the scheduler does."""
    batches: list[Batch] = []
    for _ in range(50):
        batch = web.collect(ref, cursor, **kwargs)  # type: ignore[arg-type]
        batches.append(batch)
        cursor = batch.cursor
        if not batch.more:
            return batches, cursor
    raise AssertionError("collect never finished")


def posts_of(batches: list[Batch]) -> list[Post]:
    return [post for batch in batches for post in batch.posts]


@pytest.fixture
def municipal() -> Iterator[FakeSite]:
    with FakeSite(25, style="municipal") as site:
        yield site


# ------------------------------------------------------------------------------------------------ site pages


@pytest.mark.parametrize("style", ["municipal", "newspaper"])
def test_first_run_reads_back_initial_days(config: Settings, style: str) -> None:
    with FakeSite(25, style=style, step=timedelta(hours=6)) as site:
        batches, _ = drain(collector(config), source(site))
        posts = posts_of(batches)
        # 3 days back from NOW at one article every 6 hours: articles 14..25
        assert sorted(post.id for post in posts) == sorted(site.path_of(n) for n in range(14, 26))
        assert len(batches) == 2 and batches[0].more and not batches[-1].more
        for batch in batches:
            assert [p.published_at for p in batch.posts] == sorted(p.published_at for p in batch.posts)
            assert 0 < batch.calls <= config.collection.max_pages
        assert sum(batch.calls for batch in batches) == len(site.requests)
        # three articles in a row older than the horizon were read, then nothing more of the listing (the
        # newspaper's sidebar also links its two oldest articles, read once and found old)
        assert site.article_requests() == 12 + 3 + (2 if style == "newspaper" else 0)
        article = site.articles[24]
        post = next(p for p in posts if p.id == site.path_of(25))
        assert post.platform == "web" and post.source == "127.0.0.1" and post.parent_id is None
        assert post.url == site.base_url + site.path_of(25)
        assert post.text == f"{article.title}\n\n" + "\n".join(article.paragraphs)
        assert post.published_at == article.published_at and post.metrics.empty
        assert post.author == (article.author if style == "newspaper" else None)


def test_nothing_new_costs_one_request(config: Settings, municipal: FakeSite) -> None:
    web = collector(config)
    _, cursor = drain(web, source(municipal))
    before = len(municipal.requests)
    batch = web.collect(source(municipal), cursor)
    assert batch.posts == () and not batch.more and batch.calls == 1
    assert municipal.requests[before:] == ["/"]
    assert json.loads(batch.cursor or "{}")["seen"] == json.loads(cursor or "{}")["seen"]


def test_new_articles_on_the_next_run(config: Settings, municipal: FakeSite) -> None:
    web = collector(config)
    _, cursor = drain(web, source(municipal))
    fresh = municipal.publish(2)
    batch = collector(config, NOW + timedelta(hours=12)).collect(source(municipal), cursor)
    assert [post.id for post in batch.posts] == [municipal.path_of(n) for n in fresh]
    assert batch.calls == 3 and not batch.more


def test_a_batch_is_repeatable_until_its_cursor_is_stored(config: Settings, municipal: FakeSite) -> None:
    """The caller saves the cursor only after the posts: a crash in between must give the same posts again."""
    first = collector(config).collect(source(municipal), None)
    again = collector(config).collect(source(municipal), None)
    assert [p.id for p in first.posts] == [p.id for p in again.posts] and first.cursor == again.cursor
    second = collector(config).collect(source(municipal), first.cursor)
    repeat = collector(config).collect(source(municipal), first.cursor)
    assert [p.id for p in second.posts] == [p.id for p in repeat.posts]
    assert not {p.id for p in first.posts} & {p.id for p in second.posts}


def test_since_backfills_through_listing_pages(config: Settings, municipal: FakeSite) -> None:
    web = collector(config)
    _, cursor = drain(web, source(municipal))
    since = NEWEST - timedelta(days=5)
    batches, cursor = drain(web, source(municipal), cursor, since=since)
    got = sorted(post.id for post in posts_of(batches))
    assert got == sorted(municipal.path_of(n) for n in range(5, 14))  # the older ones, none collected twice
    assert municipal.count("/novosti/?PAGEN_1=") >= 2
    assert all(post.published_at >= since for post in posts_of(batches))
    assert collector(config).collect(source(municipal), cursor).posts == ()


def test_first_run_with_since_goes_deeper_than_initial_days(config: Settings) -> None:
    with FakeSite(40, style="newspaper", per_page=8) as site:
        batches, _ = drain(collector(config), source(site), since=NEWEST - timedelta(days=8))
        assert sorted(p.id for p in posts_of(batches)) == sorted(site.path_of(n) for n in range(8, 41))
        assert site.count("/page/") >= 4


def test_link_pattern_option(config: Settings, municipal: FakeSite) -> None:
    batches, _ = drain(collector(config), source(municipal, link_pattern=r"ID=40\d*[02468]$"))
    assert sorted(p.id for p in posts_of(batches)) == sorted(municipal.path_of(n) for n in (14, 16, 18, 20, 22, 24))


def test_invalid_link_pattern_is_reported(config: Settings, municipal: FakeSite) -> None:
    with pytest.raises(SourceUnavailable, match="link_pattern"):
        collector(config).collect(source(municipal, link_pattern="(unclosed"), None)


def test_windows_1251_site(config: Settings) -> None:
    with FakeSite(3, style="municipal", charset="windows-1251") as site:
        batches, _ = drain(collector(config), source(site))
        texts = {post.text for post in posts_of(batches)}
        assert texts == {f"{a.title}\n\n" + "\n".join(a.paragraphs) for a in site.articles}
        assert any("Смоленская АЭС" in text for text in texts)


def test_pages_without_dates_take_the_fetch_time(config: Settings) -> None:
    with FakeSite(14, style="municipal", page_dates=False, per_page=5) as site:
        batches, _ = drain(collector(config), source(site))
        posts = posts_of(batches)
        assert len(posts) == 5 and {post.published_at for post in posts} == {NOW}
        assert sum("не найдена дата" in p.message for b in batches for p in b.problems) == 5
        assert "/novosti/?PAGEN_1=2" not in site.requests  # no dates to tell how deep to go: the first page only


# ----------------------------------------------------------------------------------------------------- feeds


def test_rss_with_full_texts_costs_one_request(config: Settings) -> None:
    with FakeSite(30, style="newspaper", feed="rss", summary="long") as site:
        batch = collector(config).collect(source(site, "rss"), None)
        assert batch.calls == 1 and site.requests == ["/feed/"] and not batch.more
        assert sorted(p.id for p in batch.posts) == sorted(site.path_of(n) for n in range(19, 31))  # 3 days
        post = batch.posts[-1]
        article = site.articles[29]
        assert post.text == f"{article.title}\n\n" + "\n".join(article.paragraphs)
        assert post.published_at == article.published_at and post.author == article.author
        assert post.url == site.base_url + site.path_of(30)


def test_rss_teasers_read_article_pages_within_max_pages(builtin_settings: Settings) -> None:
    settings = make_settings(builtin_settings, max_pages=5)
    with FakeSite(30, style="newspaper", feed="rss", summary="short") as site:
        batches, _ = drain(collector(settings), source(site, "rss"))
        assert [len(b.posts) for b in batches] == [4, 4, 4] and [b.more for b in batches] == [True, True, False]
        assert all(b.calls <= 5 for b in batches)
        posts = posts_of(batches)
        assert [p.id for p in posts] == [site.path_of(n) for n in range(19, 31)]  # oldest first across calls
        article = site.articles[21]
        assert posts[3].text == f"{article.title}\n\n" + "\n".join(article.paragraphs)  # the page, not the teaser


def test_atom_feed(config: Settings) -> None:
    with FakeSite(5, style="municipal", feed="atom") as site:
        batch = collector(config).collect(source(site, "rss"), None)
        assert [p.id for p in batch.posts] == [site.path_of(n) for n in range(1, 6)]
        assert batch.posts[0].author == "Пресс-служба администрации"


def test_site_uses_its_advertised_feed_and_remembers_it(config: Settings) -> None:
    with FakeSite(10, style="newspaper", feed="rss") as site:
        web = collector(config)
        first = web.collect(source(site), None)
        assert site.requests == ["/", "/feed/"] and len(first.posts) == 10
        site.publish(1)
        second = collector(config, NOW + timedelta(hours=7)).collect(source(site), first.cursor)
        assert site.requests[2:] == ["/feed/"] and len(second.posts) == 1


def test_site_with_a_dead_feed_falls_back_to_pages(config: Settings) -> None:
    with FakeSite(6, style="municipal", feed="atom") as site:
        site.script("/atom.xml", 404)
        batch = collector(config).collect(source(site), None)
        assert len(batch.posts) == 6 and site.article_requests() == 6
        assert any("лента" in problem.message and "404" in problem.message for problem in batch.problems)
        assert json.loads(batch.cursor or "{}")["feed"] == ""


def test_feed_without_dates(config: Settings) -> None:
    with FakeSite(3, style="newspaper", feed="rss", feed_dates=False, page_dates=False) as site:
        batch = collector(config).collect(source(site, "rss"), None)
        assert len(batch.posts) == 3 and {post.published_at for post in batch.posts} == {NOW}
        assert any("нет даты" in problem.message for problem in batch.problems)
        assert collector(config).collect(source(site, "rss"), batch.cursor).posts == ()


def test_rss_source_pointing_at_the_site_page(config: Settings) -> None:
    with FakeSite(3, style="newspaper", feed="rss") as site:
        ref = SourceRef(name="Газета", kind="rss", handle="127.0.0.1", url=site.front_url)
        batch = collector(config).collect(ref, None)
        assert len(batch.posts) == 3 and site.requests == ["/", "/feed/"]


# --------------------------------------------------------------------------------------------------- refresh


def known(posts: list[Post]) -> list[KnownPost]:
    return [KnownPost(id=post.id, published_at=post.published_at) for post in posts]


def test_refresh_sees_edits_deletions_and_survives_errors(config: Settings, municipal: FakeSite) -> None:
    web = collector(config)
    collected = posts_of(drain(web, source(municipal))[0])
    municipal.edit(25, "Работы перенесены на следующую неделю.")
    municipal.delete(24)
    municipal.script(municipal.path_of(23), 500, 500)
    later = NOW + timedelta(hours=2)
    batch = collector(config, later).refresh(source(municipal), known(collected))
    assert batch.deleted == (municipal.path_of(24),)
    assert len(batch.problems) == 1 and municipal.path_of(23) in batch.problems[0].message
    by_id = {post.id: post for post in batch.posts}
    assert set(by_id) == {post.id for post in collected} - {municipal.path_of(23), municipal.path_of(24)}
    assert by_id[municipal.path_of(25)].text.endswith("Работы перенесены на следующую неделю.")
    before = {post.id: post for post in collected}
    unchanged = [i for i in by_id if i != municipal.path_of(25)]
    assert all(by_id[i].text == before[i].text and by_id[i].published_at == before[i].published_at for i in unchanged)
    assert all(post.observed_at == later for post in batch.posts)
    assert batch.calls == len(collected) + 1 + 1  # one page each, the front page (feed discovery), one retry


def test_refresh_of_a_feed_source(config: Settings) -> None:
    with FakeSite(5, style="newspaper", feed="rss", feed_items=5) as site:
        collected = list(collector(config).collect(source(site, "rss"), None).posts)
        assert len(collected) == 5
    with FakeSite(5, style="newspaper", feed="rss", feed_items=3) as site:
        # the same site a day later: its feed shows only the newest 3
        site.delete(1)  # and the oldest article's page is gone
        site.edit(5, "Дополнено: работы завершены.")
        ref = source(site, "rss")
        renamed = [KnownPost(id=p.id, published_at=p.published_at) for p in collected]
        batch = collector(config).refresh(ref, renamed)
        assert batch.deleted == (site.path_of(1),)
        ids = [post.id for post in batch.posts]
        assert ids == [site.path_of(n) for n in (3, 4, 5)]  # those still in the feed, from the feed itself
        assert batch.posts[-1].text.endswith("Дополнено: работы завершены.")
        assert site.requests[0] == "/feed/" and batch.calls == 1 + 2  # the feed, then pages 1 and 2 for existence


def test_refresh_gives_up_on_a_dead_site_quickly(builtin_settings: Settings, municipal: FakeSite) -> None:
    settings = make_settings(builtin_settings, retries=0)
    collected = posts_of(drain(collector(settings), source(municipal))[0])
    municipal.vanish(503)
    batch = collector(settings).refresh(source(municipal), known(collected))
    assert batch.posts == () and batch.deleted == ()
    assert batch.calls == 1 + 3  # the front page, then three articles before giving up
    assert "не перечитаны" in batch.problems[-1].message


# ---------------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("kind", "path", "answers", "error", "message"), [
    ("site", "/", [404], SourceClosed, "не существует"),
    ("site", "/", [410], SourceClosed, "HTTP 410"),
    ("rss", "/feed/", [404], SourceClosed, "лента"),
    ("rss", "/feed/", [410], SourceClosed, "лента"),
    ("site", "/", [403], SourceUnavailable, "HTTP 403"),
    ("site", "/", [500, 502], SourceUnavailable, "ошибка сервера HTTP 502"),
    ("site", "/", ["stall", "stall"], SourceUnavailable, "таймаут"),
    ("rss", "/feed/", ["garbage"], SourceUnavailable, "нет корректной ленты"),
])
def test_source_errors(config: Settings, kind: str, path: str, answers: list[str | int],
                       error: type[Exception], message: str) -> None:
    with FakeSite(3, style="newspaper", feed="rss", stall_seconds=1.5) as site:
        site.script(path, *answers)
        with pytest.raises(error, match=message) as caught:
            collector(config).collect(source(site, kind), None)
        assert type(caught.value) is error


def test_connection_refused(config: Settings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ref = SourceRef(name="Мёртвый", kind="site", handle="127.0.0.1", url=f"http://127.0.0.1:{port}/")
    with pytest.raises(SourceUnavailable, match="соединение не удалось"):
        collector(config).collect(ref, None)


def test_server_error_then_success(config: Settings, municipal: FakeSite) -> None:
    municipal.script("/", 500)
    batch = collector(config).collect(source(municipal), None)
    assert len(batch.posts) == 9 and municipal.requests[:2] == ["/", "/"]


def test_rate_limited_once_then_success(config: Settings, municipal: FakeSite) -> None:
    municipal.script("/", "429:1")
    batch = collector(config).collect(source(municipal), None)
    assert len(batch.posts) == 9 and municipal.requests[:2] == ["/", "/"]


def test_long_rate_limit_is_reported(config: Settings, municipal: FakeSite) -> None:
    municipal.script("/", "429:3600")
    with pytest.raises(RateLimited) as caught:
        collector(config).collect(source(municipal), None)
    assert caught.value.retry_after == 3600


def test_malformed_article_is_skipped_with_a_problem(config: Settings, municipal: FakeSite) -> None:
    municipal.script(municipal.path_of(25), "garbage")
    batches, cursor = drain(collector(config), source(municipal))
    assert municipal.path_of(25) not in {p.id for p in posts_of(batches)} and len(posts_of(batches)) == 11
    assert any(municipal.path_of(25) in p.message and "текст" in p.message for b in batches for p in b.problems)
    assert collector(config).collect(source(municipal), cursor).posts == ()  # not fetched again


def test_failing_article_is_retried_next_run_then_given_up(config: Settings, municipal: FakeSite) -> None:
    path = municipal.path_of(25)
    municipal.script(path, 500, 500)  # one failed attempt (a request and its retry)
    first = collector(config).collect(source(municipal), None)
    assert first.posts == () and not first.more and "повторю позже" in first.problems[0].message
    second = collector(config).collect(source(municipal), first.cursor)
    assert path in {p.id for p in second.posts} and municipal.requests.count("/") == 1  # resumed, no listing


def test_article_failing_three_times_is_given_up(config: Settings, municipal: FakeSite) -> None:
    path = municipal.path_of(25)
    municipal.script(path, *[500] * 6)
    cursor = None
    messages = []
    for _ in range(3):
        batch = collector(config).collect(source(municipal), cursor)
        cursor = batch.cursor
        messages.append(batch.problems[0].message)
    assert ["повторю позже" in m for m in messages] == [True, True, False] and "пропущена после 3" in messages[2]
    assert len(batch.posts) == 9 and path not in {p.id for p in batch.posts}
    later, _ = drain(collector(config), source(municipal), cursor)
    assert path not in {p.id for p in posts_of(later)} and municipal.requests.count(path) == 6


def test_source_that_disappears(config: Settings, municipal: FakeSite) -> None:
    _, cursor = drain(collector(config), source(municipal))
    municipal.vanish(410)
    with pytest.raises(SourceClosed):
        collector(config).collect(source(municipal), cursor)


def test_unreadable_cursor_starts_over(config: Settings, municipal: FakeSite) -> None:
    batch = collector(config).collect(source(municipal), "не курсор")
    assert len(batch.posts) == 9 and "курсор" in batch.problems[0].message


def test_no_token_needed(config: Settings) -> None:
    from collectors.factory import build_collector, build_resolver

    assert isinstance(build_collector("site", config, Budget(rates={})), WebCollector)
    assert isinstance(build_collector("rss", config, Budget(rates={})), WebCollector)
    assert isinstance(build_resolver("site", config, Budget(rates={})), WebResolver)


def test_builtin_site_sources_collect_from_pages_shaped_like_theirs(builtin_settings: Settings) -> None:
    """The two sites of the built-in config, pointed at fakes of their shape, are read as listing + articles."""
    settings = make_settings(builtin_settings)
    for configured, style in zip([s for s in builtin_settings.sources if s.kind == "site"], ["municipal", "newspaper"]):
        parsed = parse_source_url(configured.url or "")
        with FakeSite(8, style=style) as site:
            ref = SourceRef(name=configured.name, kind=parsed.kind, handle=parsed.handle, url=site.front_url)
            batch = collector(settings).collect(ref, None)
            assert len(batch.posts) == 8 and {post.source for post in batch.posts} == {parsed.handle}


# -------------------------------------------------------------------------------------------------- resolver


def resolver(settings: Settings) -> WebResolver:
    return WebResolver(settings, Budget(rates={}), sleep=lambda seconds: None)


def test_resolve_site_with_a_feed(config: Settings) -> None:
    with FakeSite(3, style="newspaper", feed="rss") as site:
        info = resolver(config).resolve(site.front_url)
        assert (info.kind, info.handle, info.url, info.title) == ("rss", "127.0.0.1", site.feed_url, "Вестник Заречья")
        assert info.external_id is None and info.audience is None and info.platform == "web"


def test_resolve_site_without_a_feed(config: Settings, municipal: FakeSite) -> None:
    info = resolver(config).resolve(municipal.front_url)
    assert (info.kind, info.url, info.title) == ("site", municipal.front_url, "Новости — Администрация города Заречный")


def test_resolve_a_feed_url(config: Settings) -> None:
    with FakeSite(3, style="municipal", feed="atom") as site:
        info = resolver(config).resolve(site.feed_url)
        assert (info.kind, info.url, info.title) == ("rss", site.feed_url, "Новости")


def test_resolve_site_with_a_broken_feed(config: Settings) -> None:
    with FakeSite(3, style="newspaper", feed="rss") as site:
        site.script("/feed/", "garbage")
        info = resolver(config).resolve(site.front_url)
        assert info.kind == "site" and site.requests == ["/", "/feed/"]


def test_resolve_errors(config: Settings, municipal: FakeSite) -> None:
    with pytest.raises(SourceClosed):
        resolver(config).resolve(municipal.base_url + "/no-such-page/")
    with pytest.raises(InputError):
        resolver(config).resolve("не адрес")
