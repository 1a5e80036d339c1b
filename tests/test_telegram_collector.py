"""Telegram collectors against fakes: ``tme`` on a loopback t.me/s server, ``telegram`` on a fake telethon client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from telethon import TelegramClient, errors
from telethon.crypto import AuthKey
from telethon.sessions import StringSession
from telethon.tl import types

from collectors.base import NotConfigured, comment_id
from collectors.budget import Budget
from collectors.http import HttpFetcher
from collectors.source import KnownPost, SourceRef
from collectors.telegram import build_collector, build_resolver
from collectors.telegram.channel import TelethonCollector
from collectors.telegram.cursor import Cursor
from collectors.telegram.preview import PreviewCollector
from collectors.telegram.preview_client import PreviewClient
from collectors.telegram.resolve import PreviewResolver, TelethonResolver, channel_name
from collectors.telegram.session import TelethonSession, client_factory, translate
from config import Settings
from config.errors import AuthFailed, InputError, RateLimited, SourceClosed, SourceUnavailable
from config.secret import Secret
from tests.fakes.telethon_client import NOW, FakeTelethonClient, FakeTgChannel
from tests.fakes.tme import FakeTme

DATA = Path(__file__).resolve().parent / "data" / "tme"
UTC = timezone.utc


def tuned(settings: Settings, *, preview: str | None = None, **collection: Any) -> Settings:
    """Settings with collection overrides (and the fake's preview URL)."""
    update: dict[str, Any] = {"collection": settings.collection.model_copy(update=collection)}
    if preview is not None:
        telegram = settings.api.telegram.model_copy(update={"preview_base_url": preview})
        update["api"] = settings.api.model_copy(update={"telegram": telegram})
    return settings.model_copy(update=update)


def ref(handle: str, kind: str = "tme") -> SourceRef:
    return SourceRef(name=handle, kind=kind, handle=handle, url=f"https://t.me/{handle}")


def ids(batch: Any) -> list[str]:
    return [post.id for post in batch.posts]


def drain(collect: Callable[[str | None], Any], cursor: str | None = None, limit: int = 50) -> tuple[list[Any], str | None, int]:
    """Call ``collect`` while ``more``; all posts, the final cursor and the number of calls."""
    posts: list[Any] = []
    for calls in range(1, limit + 1):
        batch = collect(cursor)
        posts.extend(batch.posts)
        cursor = batch.cursor
        if not batch.more:
            return posts, cursor, calls
    raise AssertionError("collection never finished")


# == tme: the public web preview ===================================================================================

@pytest.fixture
def tme() -> Iterator[FakeTme]:
    with FakeTme() as server:
        yield server


class Preview:
    """A preview collector wired to the fake, with recorded sleeps and a fixed clock."""

    def __init__(self, server: FakeTme, settings: Settings, *, timeout: float = 5.0, retries: int = 2) -> None:
        self.sleeps: list[float] = []
        self.budget = Budget(rates={})
        self.settings = tuned(settings, preview=server.base_url)
        fetcher = HttpFetcher("tme", self.budget, timeout=timeout, retries=retries, sleep=self.sleeps.append,
                              follow_redirects=False)
        self.client = PreviewClient(fetcher, server.base_url)
        self.now = NOW
        self.collector = PreviewCollector(self.settings, self.client, clock=lambda: self.now)

    def collect(self, handle: str, cursor: str | None = None, since: datetime | None = None) -> Any:
        return self.collector.collect(ref(handle), cursor, since=since)


@pytest.fixture
def make_preview(tme: FakeTme, builtin_settings: Settings) -> Iterator[Callable[..., Preview]]:
    """Preview collectors on the fake, closed after the test (their HTTP clients hold sockets)."""
    made: list[Preview] = []

    def make(**options: Any) -> Preview:
        made.append(Preview(tme, builtin_settings, **options))
        return made[-1]

    yield make
    for wired in made:
        wired.collector.close()


@pytest.fixture
def preview(make_preview: Callable[..., Preview]) -> Preview:
    return make_preview()


def test_tme_saved_pages_to_the_start_of_the_channel(tme: FakeTme, preview: Preview) -> None:
    for path, name in [("/s/zarechny_news", "zarechny_news.html"), ("/s/zarechny_news?before=4101", "zarechny_news_before_4101.html"),
                       ("/s/zarechny_news?before=4090", "zarechny_news_before_4090.html")]:
        tme.static[path] = (DATA / name).read_text(encoding="utf-8")
    preview.collector.settings = tuned(preview.settings, initial_days=7)
    batch = preview.collect("zarechny_news")
    assert ids(batch) == ["4091", "4093", "4094", "4095", "4096", "4098", "4099", "4101", "4104", "4105", "4106"]
    assert tme.requests == ["/s/zarechny_news", "/s/zarechny_news?before=4101", "/s/zarechny_news?before=4090"]
    assert batch.calls == 3 and not batch.more
    assert Cursor.load(batch.cursor) == Cursor(last_id=4106)
    assert [p.message for p in batch.problems] == ["сообщение zarechny_news/4097 канала @zarechny_news пропущено: "
                                                   "нет времени публикации (time[datetime])"]
    assert batch.info is not None and (batch.info.title, batch.info.audience) == ("Заречный район | Новости", 12_400)
    assert all(post.source == "zarechny_news" and post.platform == "telegram" and post.parent_id is None for post in batch.posts)
    assert [usage.calls for usage in preview.budget.usage() if (usage.api, usage.method) == ("tme", "s")] == [3]


def test_tme_first_run_stops_at_the_horizon(tme: FakeTme, preview: Preview) -> None:
    tme.add_channel("desna", 300, step=timedelta(hours=1))  # 300 hours back, the horizon is 3 days (72 posts)
    batch = preview.collect("desna")
    assert len(batch.posts) == 72 and not batch.more
    assert all(post.published_at >= NOW - timedelta(days=3) for post in batch.posts)
    assert [p.published_at for p in batch.posts] == sorted(p.published_at for p in batch.posts)
    assert batch.calls == len(tme.requests) == 4  # 20 posts a page: 72 need 4 pages
    assert Cursor.load(batch.cursor) == Cursor(last_id=300)


def test_tme_paging_to_the_end_with_max_pages_and_cursor(tme: FakeTme, preview: Preview, builtin_settings: Settings) -> None:
    tme.add_channel("desna", 130, step=timedelta(minutes=5), album_every=9, forward_every=10)
    preview.collector.settings = tuned(preview.settings, max_pages=2)
    posts, cursor, calls = drain(lambda c: preview.collect("desna", c))
    keys = [int(post.id) for post in posts]
    assert len(keys) == len(set(keys)) == len(tme.channels["desna"].posts)  # every post once, albums once
    pages = 1  # the "No posts found" page
    before: int | None = None
    while (page := tme.channels["desna"].page(before, 20)[0]):
        pages, before = pages + 1, page[0].id
    assert len(tme.requests) == pages and calls == -(-pages // 2)  # two pages a call
    assert Cursor.load(cursor) == Cursor(last_id=max(max(p.ids) for p in tme.channels["desna"].posts.values()))
    forwarded = [post for post in posts if post.text.startswith("Переслано из «Администрация города»")]
    assert len(forwarded) == len([p for p in tme.channels["desna"].posts.values() if p.forwarded_from])


def test_tme_cursor_across_runs_and_nothing_new(tme: FakeTme, preview: Preview) -> None:
    channel = tme.add_channel("desna", 30)
    first = preview.collect("desna")
    tme.requests.clear()
    again = preview.collect("desna", first.cursor)
    assert again.posts == () and again.cursor == first.cursor and again.calls == 1
    channel.add(5, start=NOW + timedelta(minutes=1))
    newer = preview.collect("desna", first.cursor)
    assert ids(newer) == ["31", "32", "33", "34", "35"] and newer.calls == 1
    assert Cursor.load(newer.cursor) == Cursor(last_id=35)


def test_tme_backfill_with_since_reads_below_the_cursor(tme: FakeTme, preview: Preview) -> None:
    tme.add_channel("desna", 200, step=timedelta(hours=1))
    first = preview.collect("desna")
    assert len(first.posts) == 72
    preview.collector.settings = tuned(preview.settings, max_pages=3)
    since = NOW - timedelta(days=6)
    posts, cursor, _ = drain(lambda c: preview.collect("desna", c, since=since))
    assert len(posts) == 144 and min(p.published_at for p in posts) >= since
    assert Cursor.load(cursor) == Cursor(last_id=200)


def test_tme_new_since_restarts_an_unfinished_walk(tme: FakeTme, preview: Preview) -> None:
    tme.add_channel("desna", 200, step=timedelta(hours=1))
    preview.collector.settings = tuned(preview.settings, max_pages=1)
    cut = preview.collect("desna")
    assert cut.more and Cursor.load(cut.cursor).before == 181
    since = NOW - timedelta(days=1)
    restarted = preview.collect("desna", cut.cursor, since=since)
    assert tme.requests[-1] == "/s/desna" and len(restarted.posts) == 20
    resumed = preview.collect("desna", restarted.cursor, since=since)
    assert tme.requests[-1] == "/s/desna?before=181" and len(resumed.posts) == 4 and not resumed.more
    assert Cursor.load(resumed.cursor) == Cursor(last_id=200)


def test_tme_refresh_edits_views_and_deletions(tme: FakeTme, preview: Preview) -> None:
    channel = tme.add_channel("desna", 120, album_every=7)
    channel.posts[1].service = True
    first = preview.collect("desna")
    known = [KnownPost(id=p.id, published_at=p.published_at) for p in first.posts]
    album_key = next(p.id for p in channel.posts.values() if p.album > 1)
    known += [KnownPost(id=str(album_key + 1), published_at=NOW), KnownPost(id="1", published_at=NOW),
              KnownPost(id=f"{album_key}/5", published_at=NOW, parent_id=str(album_key))]
    victims = [int(first.posts[3].id), int(first.posts[-1].id), int(first.posts[40].id)]
    for victim in victims:
        channel.delete(victim)
    channel.edit(int(first.posts[10].id), "Исправлено: воду дадут завтра")
    channel.posts[int(first.posts[11].id)].views = 99_999
    tme.requests.clear()
    preview.now = NOW + timedelta(hours=2)
    batch = preview.collector.refresh(ref("desna"), known)
    assert sorted(batch.deleted, key=int) == [str(v) for v in sorted(victims)]
    fresh = {post.id: post for post in batch.posts}
    assert len(fresh) == len(first.posts) - 3
    assert fresh[first.posts[10].id].text == "Исправлено: воду дадут завтра"
    assert fresh[first.posts[11].id].metrics.views == 100_000  # "100K" on the page
    assert all(post.observed_at == preview.now for post in batch.posts)
    assert str(album_key + 1) not in batch.deleted and "1" not in batch.deleted  # album member, service message
    assert batch.calls == len(tme.requests) < first.calls and batch.cursor is None  # pages of the known range only


def test_tme_refresh_jumps_over_gaps_and_sees_the_end(tme: FakeTme, preview: Preview) -> None:
    tme.add_channel("desna", 400)
    known = [KnownPost(id=str(i), published_at=NOW) for i in (400, 399, 250, 100, 3)]
    batch = preview.collector.refresh(ref("desna"), known)
    assert sorted(int(p.id) for p in batch.posts) == [3, 100, 250, 399, 400]
    assert tme.requests == ["/s/desna?before=401", "/s/desna?before=251", "/s/desna?before=101", "/s/desna?before=4"]
    for post in list(tme.channels["desna"].posts):
        tme.channels["desna"].delete(post)
    gone = preview.collector.refresh(ref("desna"), known)
    assert sorted(gone.deleted, key=int) == ["3", "100", "250", "399", "400"] and gone.calls == 1


@pytest.mark.parametrize(
    ("script", "error", "retries"),
    [
        ([302], SourceClosed, 2),
        ([(200, (DATA / "not_a_channel.html").read_text(encoding="utf-8"))], SourceUnavailable, 2),
        ([404], SourceUnavailable, 2),
        ([403], SourceUnavailable, 2),
        ([500, 500, 500], SourceUnavailable, 2),
        ([429, 429, 429], RateLimited, 2),
        (["reset", "reset", "reset"], SourceUnavailable, 2),
    ],
)
def test_tme_errors(tme: FakeTme, make_preview: Callable[..., Preview], script: list[Any], error: type[Exception],
                    retries: int) -> None:
    tme.add_channel("desna", 5)
    tme.script(*script)
    wired = make_preview(retries=retries)
    with pytest.raises(error):
        wired.collect("desna")
    assert len(tme.requests) == len(script)
    assert wired.collect("desna").posts  # the next call works again


@pytest.mark.parametrize("trouble", [429, 500, "reset", "timeout"])
def test_tme_trouble_once_then_success(tme: FakeTme, make_preview: Callable[..., Preview], trouble: Any) -> None:
    tme.add_channel("desna", 5)
    tme.script(trouble)
    wired = make_preview(timeout=1.0)  # the fake stalls for 2 s; normal answers must never time out
    batch = wired.collect("desna")
    assert len(batch.posts) == 5 and batch.calls == 3  # one failed request, one good page, the end page
    assert len(wired.sleeps) == 1


def test_tme_timeout_beyond_retries(tme: FakeTme, make_preview: Callable[..., Preview]) -> None:
    tme.add_channel("desna", 5)
    tme.script("timeout", "timeout")
    tme.stall = 1.0
    wired = make_preview(timeout=0.2, retries=1)
    with pytest.raises(SourceUnavailable, match="таймаут"):
        wired.collect("desna")


def test_tme_source_that_disappears(tme: FakeTme, preview: Preview) -> None:
    tme.add_channel("desna", 10)
    first = preview.collect("desna")
    tme.remove_channel("desna")
    with pytest.raises(SourceClosed, match="desna"):
        preview.collect("desna", first.cursor)
    with pytest.raises(SourceClosed):
        preview.collector.refresh(ref("desna"), [KnownPost(id="3", published_at=NOW)])


def test_tme_unknown_channel_is_closed(preview: Preview) -> None:
    with pytest.raises(SourceClosed, match="@nobody"):
        preview.collect("nobody")


@pytest.mark.parametrize("url", ["https://t.me/desna_online", "t.me/s/desna_online", "@desna_online", "desna_online",
                                 "https://telegram.me/desna_online/123"])
def test_tme_resolver(tme: FakeTme, builtin_settings: Settings, url: str) -> None:
    tme.add_channel("desna_online", 3, title="Десна онлайн", subscribers=4850)
    resolver = build_resolver("tme", tuned(builtin_settings, preview=tme.base_url), Budget(rates={}))
    assert isinstance(resolver, PreviewResolver)
    try:
        info = resolver.resolve(url)
    finally:
        resolver.close()
    assert (info.kind, info.handle, info.external_id, info.title, info.audience, info.url) == (
        "tme", "desna_online", "desna_online", "Десна онлайн", 4850, "https://t.me/desna_online")
    assert info.platform == "telegram" and tme.requests == ["/s/desna_online"]


def test_tme_resolver_errors(tme: FakeTme, builtin_settings: Settings) -> None:
    resolver = build_resolver("tme", tuned(builtin_settings, preview=tme.base_url), Budget(rates={}))
    assert isinstance(resolver, PreviewResolver)
    try:
        with pytest.raises(SourceClosed):
            resolver.resolve("https://t.me/nobody_here")
        for wrong in ("https://vk.com/desna", "https://t.me/+AbCdEf", "https://t.me/joinchat/xyz"):
            with pytest.raises(InputError):
                resolver.resolve(wrong)
    finally:
        resolver.close()
    assert tme.requests == ["/s/nobody_here"]


def test_channel_name() -> None:
    assert channel_name(" https://t.me/s/Desna_News ") == "Desna_News"
    with pytest.raises(InputError):
        channel_name("https://example.ru/news")


def test_tme_needs_no_secrets(builtin_settings: Settings) -> None:
    collector = build_collector("tme", builtin_settings, Budget(rates={}))
    assert isinstance(collector, PreviewCollector)
    assert collector.client.base_url == "https://t.me" and not collector.client.fetcher._client.follow_redirects
    collector.close()
    with pytest.raises(NotConfigured):
        build_collector("vk_wall", builtin_settings, Budget(rates={}))


# == telegram: a user session through telethon ======================================================================

SESSION_STRING = "1" + "A" * 352


def with_secrets(settings: Settings, *, api_id: int | None = 12345, api_hash: str | None = "0123456789abcdef",
                 session: str | None = SESSION_STRING) -> Settings:
    telegram = settings.api.telegram.model_copy(update={
        "api_id": api_id,
        "api_hash": Secret("env:MCU_TG_API_HASH", api_hash),
        "session": Secret("env:MCU_TG_SESSION", session),
    })
    return settings.model_copy(update={"api": settings.api.model_copy(update={"telegram": telegram})})


class Telethon:
    """A telethon collector on the fake client, with a fixed clock."""

    def __init__(self, settings: Settings, client: FakeTelethonClient, *, timeout: float = 5.0) -> None:
        self.fake = client
        self.budget = Budget(rates={})
        self.session = TelethonSession(lambda: client, self.budget, timeout=timeout)
        self.settings = settings
        self.now = NOW
        self.collector = TelethonCollector(settings, self.budget, self.session, clock=lambda: self.now)

    def collect(self, handle: str, cursor: str | None = None, since: datetime | None = None) -> Any:
        return self.collector.collect(ref(handle, "telegram"), cursor, since=since)

    def refresh(self, handle: str, known: list[KnownPost]) -> Any:
        return self.collector.refresh(ref(handle, "telegram"), known)


@pytest.fixture
def tg(builtin_settings: Settings) -> Iterator[Telethon]:
    wired = Telethon(builtin_settings, FakeTelethonClient())
    yield wired
    wired.collector.close()


def test_telegram_first_run_with_comments(tg: Telethon) -> None:
    tg.fake.add_channel("desna", 200, comments=3, step=timedelta(hours=1), title="Десна")
    batch = tg.collect("desna")
    posts = [p for p in batch.posts if p.parent_id is None]
    comments = [p for p in batch.posts if p.parent_id is not None]
    assert len(posts) == 72 and len(comments) == 72 * 3 and not batch.more
    assert all(p.published_at >= NOW - timedelta(days=3) for p in posts)
    assert [int(p.id) for p in posts] == sorted(int(p.id) for p in posts)
    order = [p.parent_id or p.id for p in batch.posts]
    assert order == sorted(order, key=int)  # each post is followed by its own comments
    first_comment = comments[0]
    assert first_comment.id == comment_id(first_comment.parent_id or "", first_comment.id.split("/")[1])
    assert first_comment.url == f"https://t.me/desna/{first_comment.parent_id}?comment={first_comment.id.split('/')[1]}"
    assert first_comment.author == "Ирина Соколова"
    assert posts[0].metrics.comments == 3 and posts[0].metrics.views and posts[0].author == "Десна"
    assert Cursor.load(batch.cursor) == Cursor(last_id=200)
    assert batch.info is not None and batch.info.external_id == str(tg.fake.channels["desna"].id)
    assert batch.calls == 1 + 1 + 72 == len(tg.fake.requests) - 1  # resolve, one history page, 72 threads (+connect)
    assert {(u.method, u.calls) for u in tg.budget.usage()} == {
        ("contacts.resolveUsername", 1), ("messages.getHistory", 1), ("messages.getReplies", 72)}


def test_telegram_paging_cursor_and_nothing_new(tg: Telethon) -> None:
    channel = tg.fake.add_channel("desna", 450, step=timedelta(minutes=5))
    tg.collector.settings = tuned(tg.settings, max_pages=2)
    posts, cursor, calls = drain(lambda c: tg.collect("desna", c))
    assert [int(p.id) for p in posts] == list(range(1, 451)) and calls == 3
    tg.fake.requests.clear()
    again = tg.collect("desna", cursor)
    assert again.posts == () and again.calls == 1 and again.cursor == cursor
    tg.fake.add_posts(channel, 3, start=NOW + timedelta(minutes=1))
    newer = tg.collect("desna", cursor)
    assert ids(newer) == ["451", "452", "453"] and newer.calls == 1
    assert [p[1]["min_id"] for p in tg.fake.requests if p[0] == "GetHistory"] == [450, 450]


def test_telegram_backfill_with_since(tg: Telethon) -> None:
    tg.fake.add_channel("desna", 300, step=timedelta(hours=1))
    first = tg.collect("desna")
    tg.collector.settings = tuned(tg.settings, max_pages=1)
    since = NOW - timedelta(days=10)
    posts, cursor, calls = drain(lambda c: tg.collect("desna", c, since=since), first.cursor)
    assert len(posts) == 240 and calls == 3
    assert Cursor.load(cursor) == Cursor(last_id=300)


def test_telegram_albums_forwards_service_messages(tg: Telethon) -> None:
    channel = tg.fake.add_channel("desna", 98, step=timedelta(minutes=1))
    start = NOW - timedelta(minutes=30)
    for offset in range(3):  # an album across the 100-message page boundary (ids 99..101)
        tg.fake.post(channel, 99 + offset, start, "Фото с места" if offset == 1 else "", grouped_id=555, views=1000 + offset)
    tg.fake.service(channel, 102, start)
    source = types.Channel(id=77, title="Администрация города", photo=types.ChatPhotoEmpty(), date=NOW)
    tg.fake.post(channel, 103, start, "Объявление", fwd_from=types.MessageFwdHeader(
        date=start, from_id=types.PeerChannel(channel_id=77), channel_post=9), fwd_entity=source)
    tg.collector.settings = tuned(tg.settings, initial_days=30)
    posts, _, _ = drain(lambda c: tg.collect("desna", c))
    by_id = {p.id: p for p in posts}
    assert "100" not in by_id and "101" not in by_id and "102" not in by_id
    assert by_id["99"].text == "Фото с места" and by_id["99"].metrics.views == 1002
    assert by_id["103"].text == "Переслано из «Администрация города»\nОбъявление"
    assert len(posts) == 98 + 2


def test_telegram_channel_without_discussion_group(tg: Telethon) -> None:
    tg.fake.add_channel("desna", 10, linked=False)
    batch = tg.collect("desna")
    assert len(batch.posts) == 10 and all(p.metrics.comments is None for p in batch.posts)
    assert tg.fake.count("GetReplies") == 0 and not batch.problems


def test_telegram_thread_errors_mean_no_comments(tg: Telethon) -> None:
    tg.fake.add_channel("desna", 2, comments=2)
    tg.fake.fail("GetReplies", errors.PeerIdInvalidError(request=None), errors.MsgIdInvalidError(request=None))
    batch = tg.collect("desna")
    assert [p.id for p in batch.posts] == ["1", "2"] and not batch.problems


def test_telegram_refresh_edits_deletions_comments(tg: Telethon) -> None:
    channel = tg.fake.add_channel("desna", 20, comments=2)
    first = tg.collect("desna")
    known = [KnownPost(id=p.id, published_at=p.published_at, parent_id=p.parent_id, comments=p.metrics.comments)
             for p in first.posts]
    tg.fake.edit(channel, 5, "Уточнение: отключение переносится")
    tg.fake.delete(channel, 7)
    gone = channel.comments[3][0]
    tg.fake.delete_comment(channel, 3, gone.id)
    added = tg.fake.comment(channel, 4, NOW, "Новый вопрос к администрации")
    tg.fake.delete_comment(channel, 6, channel.comments[6][0].id)
    tg.fake.delete_comment(channel, 6, channel.comments[6][0].id)
    channel.posts[8].views = 77_777
    tg.now = NOW + timedelta(hours=1)
    tg.fake.requests.clear()
    batch = tg.refresh("desna", known)
    fresh = {p.id: p for p in batch.posts}
    assert fresh["5"].text == "Уточнение: отключение переносится" and fresh["8"].metrics.views == 77_777
    assert fresh[comment_id("4", added.id)].text == "Новый вопрос к администрации"
    assert set(batch.deleted) == {"7", comment_id("3", gone.id), *(p.id for p in first.posts if p.parent_id == "6")}
    assert all(p.observed_at == tg.now for p in batch.posts)
    assert len([p for p in batch.posts if p.parent_id is None]) == 19
    assert batch.calls == 1 + 2 and tg.fake.count("GetReplies") == 2  # one getMessages, threads 3 and 4 only


def test_telegram_refresh_reads_album_members(tg: Telethon) -> None:
    channel = tg.fake.add_channel("desna", 0)
    tg.fake.post(channel, 1, NOW, "", grouped_id=9, views=10)
    tg.fake.post(channel, 2, NOW, "Подпись", grouped_id=9, views=12)
    tg.fake.post(channel, 3, NOW, "Другой пост")
    batch = tg.refresh("desna", [KnownPost(id="1", published_at=NOW), KnownPost(id="3", published_at=NOW)])
    assert {p.id: p.text for p in batch.posts} == {"1": "Подпись", "3": "Другой пост"} and not batch.deleted
    assert tg.fake.count("GetMessages") == 2


def test_telegram_malformed_message_is_skipped(tg: Telethon) -> None:
    channel = tg.fake.add_channel("desna", 5)
    channel.posts[3].date = None
    batch = tg.collect("desna")
    assert ids(batch) == ["1", "2", "4", "5"]
    assert len(batch.problems) == 1 and "сообщение 3 канала @desna" in batch.problems[0].message


def test_telegram_flood_wait_once_then_success(tg: Telethon) -> None:
    tg.fake.add_channel("desna", 5)
    tg.fake.fail("GetHistory", errors.FloodWaitError(request=None, capture=420))
    with pytest.raises(RateLimited, match="FloodWait") as caught:
        tg.collect("desna")
    assert caught.value.retry_after == 420
    assert len(tg.collect("desna").posts) == 5


@pytest.mark.parametrize(
    ("method", "error", "expected"),
    [
        ("GetHistory", errors.AuthKeyUnregisteredError(request=None), AuthFailed),
        ("connect", errors.SessionPasswordNeededError(request=None), AuthFailed),
        ("GetHistory", errors.ChannelPrivateError(request=None), SourceClosed),
        ("ResolveUsername", errors.UsernameInvalidError(request=None), SourceClosed),
        ("GetHistory", ConnectionError("reset"), SourceUnavailable),
        ("GetHistory", errors.RpcCallFailError(request=None), SourceUnavailable),
        ("GetMessages", errors.ChannelPrivateError(request=None), SourceClosed),
    ],
)
def test_telegram_errors(tg: Telethon, method: str, error: Exception, expected: type[Exception]) -> None:
    tg.fake.add_channel("desna", 5)
    tg.fake.fail(method, error)
    with pytest.raises(expected) as caught:
        if method == "GetMessages":
            tg.refresh("desna", [KnownPost(id="1", published_at=NOW)])
        else:
            tg.collect("desna")
    if expected is AuthFailed:
        assert caught.value.api == "telegram"  # type: ignore[attr-defined]
    assert len(tg.collect("desna").posts) == 5  # the next call works again


def test_telegram_unauthorized_session(builtin_settings: Settings) -> None:
    wired = Telethon(builtin_settings, FakeTelethonClient(authorized=False))
    wired.fake.add_channel("desna", 1)
    with pytest.raises(AuthFailed, match="MCU_TG_SESSION"):
        wired.collect("desna")
    wired.collector.close()


@pytest.mark.parametrize("handle", ["nobody", "some_person"])
def test_telegram_unknown_or_not_a_channel(tg: Telethon, handle: str) -> None:
    tg.fake.users["some_person"] = types.User(id=42, first_name="Просто", username="some_person")
    with pytest.raises(SourceClosed):
        tg.collect(handle)


def test_telegram_source_that_disappears(tg: Telethon) -> None:
    channel: FakeTgChannel = tg.fake.add_channel("desna", 5)
    first = tg.collect("desna")
    channel.private = True
    with pytest.raises(SourceClosed, match="ChannelPrivateError"):
        tg.collect("desna", first.cursor)


def test_telegram_timeout(builtin_settings: Settings) -> None:
    wired = Telethon(builtin_settings, FakeTelethonClient(), timeout=0.3)
    wired.fake.add_channel("desna", 5)
    wired.fake.fail("GetHistory", ("stall", 5.0))
    with pytest.raises(SourceUnavailable, match="нет ответа"):
        wired.collect("desna")
    assert len(wired.collect("desna").posts) == 5
    wired.collector.close()


@pytest.mark.parametrize(
    ("error", "expected", "retry_after"),
    [
        (errors.FloodWaitError(request=None, capture=90), RateLimited, 90),
        (errors.AuthKeyUnregisteredError(request=None), AuthFailed, None),
        (errors.SessionPasswordNeededError(request=None), AuthFailed, None),
        (errors.AuthKeyDuplicatedError(request=None), AuthFailed, None),
        (errors.ChannelPrivateError(request=None), SourceClosed, None),
        (ValueError('No user has "x" as username'), SourceClosed, None),
        (ValueError("Request was unsuccessful 5 time(s)"), SourceUnavailable, None),
        (TimeoutError(), SourceUnavailable, None),
        (OSError("network is unreachable"), SourceUnavailable, None),
        (errors.ServerError(request=None, message="INTERNAL"), SourceUnavailable, None),
    ],
)
def test_translate(error: Exception, expected: type[Exception], retry_after: float | None) -> None:
    translated = translate(error, "канал @x")
    assert type(translated) is expected and "канал @x" in str(translated)
    if retry_after is not None:
        assert isinstance(translated, RateLimited) and translated.retry_after == retry_after


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"api_id": None}, ["api.telegram.api_id"]),
        ({"api_hash": None}, ["MCU_TG_API_HASH"]),
        ({"session": None}, ["MCU_TG_SESSION"]),
        ({"api_id": None, "api_hash": None, "session": None}, ["api.telegram.api_id", "MCU_TG_API_HASH", "MCU_TG_SESSION"]),
    ],
)
def test_telegram_not_configured(builtin_settings: Settings, overrides: dict[str, Any], names: list[str]) -> None:
    settings = with_secrets(builtin_settings, **overrides)
    for build in (build_collector, build_resolver):
        with pytest.raises(NotConfigured) as caught:
            build("telegram", settings, Budget(rates={}))
        assert all(name in str(caught.value) for name in names)
        assert "0123456789abcdef" not in str(caught.value) and SESSION_STRING not in str(caught.value)
    with pytest.raises(NotConfigured, match="MCU_TG_SESSION"):
        build_collector("telegram", builtin_settings, Budget(rates={}))  # the built-in config has no secrets


def test_telegram_client_is_built_from_settings(builtin_settings: Settings) -> None:
    saved = StringSession()
    saved.set_dc(2, "149.154.167.51", 443)
    saved.auth_key = AuthKey(bytes(range(256)))
    settings = with_secrets(builtin_settings, session=saved.save())
    telegram = settings.api.telegram.model_copy(update={"flood_sleep_threshold": 30.0})
    settings = settings.model_copy(update={"api": settings.api.model_copy(update={"telegram": telegram})})
    client = client_factory(settings)()  # built, never connected
    assert isinstance(client, TelegramClient)
    assert (client.flood_sleep_threshold, client.api_id, client.api_hash, client.session.dc_id) == (
        30, 12345, "0123456789abcdef", 2)


def test_telegram_damaged_session_string_is_auth_failed(builtin_settings: Settings) -> None:
    collector = build_collector("telegram", with_secrets(builtin_settings, session="not a session"), Budget(rates={}))
    assert isinstance(collector, TelethonCollector)
    with pytest.raises(AuthFailed, match="строка сессии") as caught:
        collector.collect(ref("desna", "telegram"), None)
    assert "not a session" not in str(caught.value)
    collector.close()


@pytest.mark.parametrize("url", ["https://t.me/desna_online", "@desna_online", "t.me/s/desna_online"])
def test_telegram_resolver(tg: Telethon, url: str) -> None:
    channel = tg.fake.add_channel("desna_online", title="Десна онлайн", subscribers=4321)
    info = TelethonResolver(tg.session).resolve(url)
    assert (info.kind, info.handle, info.external_id, info.title, info.audience, info.url) == (
        "telegram", "desna_online", str(channel.id), "Десна онлайн", 4321, "https://t.me/desna_online")
    with pytest.raises(SourceClosed):
        TelethonResolver(tg.session).resolve("https://t.me/nobody")


def test_telegram_session_closes_its_loop(builtin_settings: Settings) -> None:
    wired = Telethon(builtin_settings, FakeTelethonClient())
    wired.fake.add_channel("desna", 1)
    wired.collect("desna")
    thread = wired.session._thread
    assert thread is not None and thread.is_alive() and wired.fake.connected
    wired.collector.close()
    wired.collector.close()
    assert not thread.is_alive() and not wired.fake.connected
