"""Web parsers on saved sample pages and feeds: feeds, listings, articles, dates, addresses, cursor, decoding."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from collectors.base import NotConfigured
from collectors.budget import Budget
from collectors.urls import parse_source_url
from collectors.web import WebCollector, build_collector, build_resolver
from collectors.web.address import canonical_url, post_id_for, same_site, url_for
from collectors.web.article import parse_article
from collectors.web.cursor import SEEN_LIMIT, WebCursor
from collectors.web.dates import find_russian_date, parse_iso
from collectors.web.feed import (
    MAX_TEXT,
    compose_text,
    entry_post,
    looks_like_feed,
    parse_feed,
)
from collectors.web.listing import looks_like_article, parse_listing
from collectors.web.page import Page, decode, html_to_text
from config import Settings
from config.errors import SourceUnavailable

DATA = Path(__file__).resolve().parent / "data" / "web"
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 12, 15, 9, 0, tzinfo=timezone.utc)
PAPER = "https://vestnik-zarechye.example/"
ADM = "https://zarechny-adm.example/novosti/"


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


def page_text(name: str, content_type: str = "text/html") -> str:
    return Page("https://x.example/", 200, data(name), content_type).text


# ------------------------------------------------------------------------------------------------------ feeds


def test_rss_newspaper_entries() -> None:
    feed = parse_feed(data("rss_newspaper.xml"), PAPER + "feed/", content_type="application/rss+xml")
    assert feed.title == "Городская газета «Вестник Заречья»"
    assert feed.link == PAPER
    assert feed.skipped == 1  # the item with neither link nor guid
    assert not feed.malformed
    got = [(e.id, e.link, e.title, e.author, e.published_at, e.is_teaser) for e in feed.entries]
    assert got == [
        ("/2026/12/14/net-goryachey-vody-v-tretem-mkr/",
         PAPER + "2026/12/14/net-goryachey-vody-v-tretem-mkr/",  # utm_* tracking dropped
         "В третьем микрорайоне третий день нет горячей воды", "Мария Соколова",
         datetime(2026, 12, 14, 8, 40, tzinfo=timezone.utc), False),
        ("/2026/12/13/elku-ustanovyat-k-20-dekabrya/", PAPER + "2026/12/13/elku-ustanovyat-k-20-dekabrya/",
         "Ёлку на площади Победы установят к 20 декабря", "Редакция",
         datetime(2026, 12, 13, 15, 15, tzinfo=timezone.utc), True),
        ("/2026/12/12/itogi-nedeli/", PAPER + "2026/12/12/itogi-nedeli/",
         'Итоги недели: "дороги, снег и тарифы"', None, datetime(2026, 12, 12, 9, 0, tzinfo=timezone.utc), False),
        ("vz-announce-77", None, "Объявление без ссылки", None,
         datetime(2026, 12, 11, 5, 0, tzinfo=timezone.utc), True),
    ]
    full, teaser, yandex, _ = feed.entries
    # content:encoded wins over the short description; HTML becomes lines of plain text
    assert full.body.startswith("Жители домов № 5, 7 и 9 на улице Строителей жалуются в редакцию")
    assert full.body.count("\n") == 2 and "<p>" not in full.body
    assert teaser.body == "Главную ёлку города в этом году привезут из местного лесничества. Читать далее"
    assert yandex.body.startswith("Снегоуборочная техника")  # yandex:full-text wins over "Коротко о главном."


def test_atom_municipal_entries() -> None:
    feed = parse_feed(data("atom_municipal.xml"), "https://zarechny-adm.example/novosti/atom.xml")
    assert feed.title == "Администрация муниципального образования «город Заречный»"
    first, second = feed.entries
    assert (first.id, first.author, first.published_at) == (
        "/novosti/detail.php?ID=4521", "Пресс-служба администрации", datetime(2026, 12, 14, 6, 30, tzinfo=timezone.utc))
    assert first.body == "Публичные слушания состоятся 22 декабря в 17:00 в актовом зале администрации."
    assert first.is_teaser
    # no <published>: <updated> is the date; xhtml content is the body
    assert second.published_at == datetime(2026, 12, 10, 15, 0, tzinfo=timezone.utc)
    assert second.body.startswith("Глава города проводит личный приём граждан") and not second.is_teaser


def test_entry_post_fields() -> None:
    entry = parse_feed(data("rss_newspaper.xml"), PAPER + "feed/").entries[0]
    post = entry_post(entry, "vestnik-zarechye.example", published_at=entry.published_at or NOW)
    assert post.platform == "web" and post.source == "vestnik-zarechye.example"
    assert post.id == "/2026/12/14/net-goryachey-vody-v-tretem-mkr/"
    assert post.url == PAPER + "2026/12/14/net-goryachey-vody-v-tretem-mkr/"
    assert post.text.startswith("В третьем микрорайоне третий день нет горячей воды\n\nЖители домов № 5")
    assert post.author == "Мария Соколова" and post.published_at.tzinfo is not None
    assert post.metrics.empty and post.parent_id is None
    replaced = entry_post(entry, "h", published_at=NOW, body="Полный текст")
    assert replaced.text == "В третьем микрорайоне третий день нет горячей воды\n\nПолный текст"


@pytest.mark.parametrize("content", [
    data("rss_broken.xml"),
    data("front_municipal.html"),  # an HTML page is not a feed
    b"",
    b"\x00\xff\xfe garbage",
    b'{"items": []}',
])
def test_not_a_feed_is_source_unavailable(content: bytes) -> None:
    with pytest.raises(SourceUnavailable, match="нет корректной ленты RSS/Atom"):
        parse_feed(content, "https://x.example/feed/")


def test_broken_tail_keeps_entries() -> None:
    content = data("rss_undated.xml").replace(b"</channel></rss>", b"<item><title>oops</title>")
    feed = parse_feed(content, "https://nodates.example/rss")
    assert feed.malformed and [e.id for e in feed.entries] == ["/news/1/"]
    assert feed.entries[0].published_at is None


@pytest.mark.parametrize(("name", "expected"), [
    ("rss_newspaper.xml", True), ("atom_municipal.xml", True), ("rss_undated.xml", True),
    ("rss_broken.xml", True),  # broken, but a feed all the same: not a site
    ("front_newspaper.html", False), ("article_municipal.html", False), ("article_empty.html", False),
])
def test_looks_like_feed(name: str, expected: bool) -> None:
    assert looks_like_feed(data(name)) is expected


def test_odd_entries() -> None:
    huge = "Очень длинный текст. " * 20_000
    content = f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
    <item><link>https://x.example/a/1/</link><description>{huge}</description></item>
    <item><title>Дата сломана &#xD800; \u202e\ufeff</title><link>https://x.example/a/2/</link>
      <pubDate>32 Foo 2026 99:99</pubDate><description>нуль&#x0;символ</description></item>
    <item><title>Чужой сайт</title><link>https://other.example/a/3/#top</link></item>
    <item><title>Ссылка не http</title><link>javascript:alert(1)</link><guid isPermaLink="false">g-4</guid></item>
    </channel></rss>""".encode()
    feed = parse_feed(content, "https://x.example/rss")
    untitled, broken, foreign, scripted = feed.entries
    assert untitled.title == "" and len(untitled.body) == MAX_TEXT
    assert broken.published_at is None and "\x00" not in broken.body
    assert foreign.id == "https://other.example/a/3/"  # another site: the full address is the id
    assert (scripted.id, scripted.link) == ("g-4", None)
    post = entry_post(untitled, "x.example", published_at=NOW)
    assert len(post.text) == MAX_TEXT and not post.text.startswith("\n")


@pytest.mark.parametrize(("title", "body", "expected"), [
    ("Заголовок", "Текст", "Заголовок\n\nТекст"),
    ("Заголовок", "Заголовок и продолжение", "Заголовок и продолжение"),
    ("", "Текст", "Текст"),
    ("Заголовок", "", "Заголовок"),
    (" Заголовок ", "  Текст\n", "Заголовок\n\nТекст"),
])
def test_compose_text(title: str, body: str, expected: str) -> None:
    assert compose_text(title, body) == expected


# ---------------------------------------------------------------------------------------------------- listings


def test_newspaper_front_page() -> None:
    listing = parse_listing(data("front_newspaper.html").decode(), PAPER)
    assert listing.title == "Вестник Заречья"
    assert listing.feed == PAPER + "feed/"  # not the comments feed advertised first
    assert listing.next_page == PAPER + "page/2/"
    assert listing.links == (
        PAPER + "2026/12/14/net-goryachey-vody-v-tretem-mkr/",
        PAPER + "2026/12/13/elku-ustanovyat-k-20-dekabrya/",
        PAPER + "2026/12/12/itogi-nedeli/",
        PAPER + "2026/12/11/zima/",
        PAPER + "2026/12/01/perekrytie-ulitsy-lenina/",
    )  # no menu, category, tag, pager, PDF, footer, mail or other-site links; no duplicates


def test_municipal_news_listing_without_feed() -> None:
    listing = parse_listing(data("front_municipal.html").decode(), ADM)
    assert listing.feed is None
    assert listing.title.startswith("Новости — Официальный сайт Администрации")
    assert listing.next_page == ADM + "?PAGEN_1=2"
    assert listing.links == tuple(ADM + f"detail.php?ID={n}" for n in (4521, 4520, 4519))


def test_link_pattern_replaces_the_heuristic() -> None:
    listing = parse_listing(data("front_municipal.html").decode(), ADM, re.compile(r"ID=45(19|21)$"))
    assert listing.links == (ADM + "detail.php?ID=4521", ADM + "detail.php?ID=4519")
    anything = parse_listing(data("front_municipal.html").decode(), ADM, re.compile(r"/about/"))
    assert anything.links == ("https://zarechny-adm.example/about/",)  # the pattern is trusted, even in menus


@pytest.mark.parametrize(("url", "expected"), [
    ("https://s.example/novosti/detail.php?ID=4521", True),
    ("https://s.example/news/12345/", True),
    ("https://s.example/2026/12/14/zima/", True),
    ("https://s.example/news/otklyuchenie-vody/", True),
    ("https://s.example/otklyuchenie-vody-v-tretem-mkr/", True),
    ("https://s.example/index.php?id=77", True),
    ("https://s.example/", False),
    ("https://s.example/news/", False),
    ("https://s.example/2026/", False),
    ("https://s.example/2026/12/", False),
    ("https://s.example/page/2/", False),
    ("https://s.example/news/?PAGEN_1=3", False),
    ("https://s.example/upload/doc-2026.pdf", False),
    ("https://s.example/photo/IMG_1234.JPG", False),
    ("https://s.example/tag/zhkh-2026/", False),
    ("https://s.example/contacts/", False),
    ("https://s.example/o-gazete/", False),
])
def test_article_address_heuristic(url: str, expected: bool) -> None:
    assert looks_like_article(url) is expected


def test_listing_of_empty_or_broken_html() -> None:
    for html in ("", "<<<>>>", "<html><body><a href='http://[bad'>x</a><a href=''>y</a></body></html>"):
        listing = parse_listing(html, PAPER)
        assert listing.links == () and listing.feed is None and listing.next_page is None


def test_base_href_is_honoured() -> None:
    html = '<html><head><base href="https://s.example/news/"></head><body><a href="detail/77">x</a></body></html>'
    assert parse_listing(html, "https://s.example/").links == ("https://s.example/news/detail/77",)


# ---------------------------------------------------------------------------------------------------- articles


def test_municipal_article_in_windows_1251() -> None:
    url = ADM + "detail.php?ID=4521"
    html = Page(url, 200, data("article_municipal.html"), "text/html").text  # charset from <meta>
    article = parse_article(html, url, now=NOW, tz=MSK)
    assert article.title == "О проведении публичных слушаний по проекту бюджета"
    assert article.text.startswith("Уважаемые жители города! Администрация муниципального образования")
    assert article.text.endswith("С проектом бюджета можно ознакомиться в разделе «Документы».")
    assert "14.12.2026" not in article.text and article.title not in article.text and "Главная" not in article.text
    assert article.published_at == datetime(2026, 12, 14, 9, 30, tzinfo=MSK) and article.dated_by == "page"


def test_newspaper_article() -> None:
    url = PAPER + "2026/12/14/net-goryachey-vody-v-tretem-mkr/"
    article = parse_article(data("article_newspaper.html").decode(), url, now=NOW, tz=MSK)
    assert article.title == "В третьем микрорайоне третий день нет горячей воды"
    assert article.author == "Мария Соколова"
    assert article.published_at == datetime(2026, 12, 14, 11, 40, tzinfo=timezone(timedelta(hours=3)))
    assert article.dated_by == "meta"
    assert article.text.count("\n") == 2 and "Читайте также" not in article.text and "© 2026" not in article.text


def test_page_without_text() -> None:
    article = parse_article(data("article_empty.html").decode(), "https://x.example/a/1", now=NOW, tz=MSK)
    assert article.text == "" and article.published_at is None  # "© 2026" in the footer is not a date


_BODY = "<p>" + "Жители жалуются на состояние двора и просят администрацию принять меры. " * 4 + "</p>"


@pytest.mark.parametrize(("head", "top", "expected", "dated_by"), [
    ('<meta property="article:published_time" content="2026-12-14T08:05:00Z">', "",
     datetime(2026, 12, 14, 8, 5, tzinfo=timezone.utc), "meta"),
    ('<script type="application/ld+json">[{"@type":"NewsArticle","datePublished":"2026-12-13T10:00:00+03:00"}]</script>',
     "", datetime(2026, 12, 13, 7, 0, tzinfo=timezone.utc), "meta"),
    ("", '<time datetime="2026-12-12">12 декабря</time>', datetime(2026, 12, 12, tzinfo=MSK), "meta"),
    ("", '<div class="post-date">12 декабря 2026 г. в 17:45</div>', datetime(2026, 12, 12, 17, 45, tzinfo=MSK), "page"),
    ("", '<span class="date">Сегодня, 10:30</span>', datetime(2026, 12, 15, 10, 30, tzinfo=MSK), "page"),
    ("", '<span class="date">вчера в 23:10</span>', datetime(2026, 12, 14, 23, 10, tzinfo=MSK), "page"),
    ("", '<span class="date">15.12.2026</span>', NOW, "page"),  # today, no time of day: the fetch moment
    ("", '<span class="date">01.12.2026</span>', datetime(2026, 12, 1, tzinfo=MSK), "page"),
    ("", '<span class="date">31.12.2026</span>', None, ""),  # in the future: not a publication date
    ("", '<p class="meta">Рубрика: ЖКХ</p>', None, ""),
    ('<meta property="article:published_time" content="вчера">', "", None, ""),
    ("", "", None, ""),
])
def test_article_dates(head: str, top: str, expected: datetime | None, dated_by: str) -> None:
    html = f"<html><head>{head}</head><body><main><article><h1>Заголовок</h1>{top}{_BODY}</article></main></body></html>"
    article = parse_article(html, "https://x.example/news/1", now=NOW, tz=MSK)
    assert article.published_at == expected and article.dated_by == dated_by
    assert article.text.startswith("Жители жалуются")


@pytest.mark.parametrize(("url", "top", "expected", "dated_by"), [
    ("https://x.example/2026/12/10/zima/", "", datetime(2026, 12, 10, tzinfo=MSK), "url"),
    ("https://x.example/2026/12/15/zima/", "", NOW, "url"),
    ("https://x.example/2026/12/10/zima/", "<p>Опубликовано 9 декабря 2026 в 19:00</p>",
     datetime(2026, 12, 9, 19, 0, tzinfo=MSK), "text"),  # the top of the text outranks the address
    ("https://x.example/news/2026-12-40/", "", None, ""),
    ("https://x.example/news/1/", "<p>Воду в домах третьего микрорайона отключат 14 декабря 2026 года с 9:00 до 18:00.</p>",
     None, ""),  # a date inside a sentence is what the article is about
])
def test_article_dates_from_text_and_address(url: str, top: str, expected: datetime | None, dated_by: str) -> None:
    html = f"<html><body><article><h1>Заголовок</h1>{top}{_BODY}</article></body></html>"
    article = parse_article(html, url, now=NOW, tz=MSK)
    assert (article.published_at, article.dated_by) == (expected, dated_by)


@pytest.mark.parametrize(("text", "expected"), [
    ("14 января 2026, 09:30", (datetime(2026, 1, 14, 9, 30, tzinfo=MSK), True)),
    ("Опубликовано 3 мая 2026 г.", (datetime(2026, 5, 3, tzinfo=MSK), False)),
    ("1 Декабря 2026 года в 8.05", (datetime(2026, 12, 1, 8, 5, tzinfo=MSK), True)),
    ("14 дек. 2026 12:00", (datetime(2026, 12, 14, 12, 0, tzinfo=MSK), True)),
    ("10 декабря, 18:20", (datetime(2026, 12, 10, 18, 20, tzinfo=MSK), True)),  # no year: this year
    ("20 декабря", (datetime(2025, 12, 20, tzinfo=MSK), False)),  # would be in the future: last year
    ("14.12.2026 09:30", (datetime(2026, 12, 14, 9, 30, tzinfo=MSK), True)),
    ("14.12.26", (datetime(2026, 12, 14, tzinfo=MSK), False)),
    ("вчера", (datetime(2026, 12, 14, tzinfo=MSK), False)),
    ("Версия 1.14.12.2026", None),
    ("31 февраля 2026", None),
    ("12 мая 1990", None),
    ("телефон 8-800-100-20-30", None),
    ("", None),
])
def test_russian_dates(text: str, expected: tuple[datetime, bool] | None) -> None:
    assert find_russian_date(text, now=NOW, tz=MSK) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-12-14T09:30:00+03:00", datetime(2026, 12, 14, 6, 30, tzinfo=timezone.utc)),
    ("2026-12-14T09:30:00Z", datetime(2026, 12, 14, 9, 30, tzinfo=timezone.utc)),
    ("2026-12-14 09:30", datetime(2026, 12, 14, 9, 30, tzinfo=MSK)),
    ("2026-12-14", datetime(2026, 12, 14, tzinfo=MSK)),
    ("14.12.2026", None), ("", None), (None, None), ("2026-12-14T" + "9" * 50, None),
])
def test_parse_iso(value: str | None, expected: datetime | None) -> None:
    assert parse_iso(value, MSK) == expected


# ---------------------------------------------------------------------------------------- addresses and cursor


@pytest.mark.parametrize(("url", "home", "post_id"), [
    ("https://s.example/news/1/?utm_source=vk#top", "https://s.example/", "/news/1/"),
    ("http://www.s.example/news/1/", "https://s.example/feed/", "/news/1/"),  # http and www: the same site
    ("https://www.s.example/news/detail.php?ID=5&utm_medium=rss", "https://s.example/", "/news/detail.php?ID=5"),
    ("https://S.EXAMPLE/Новости/1", "https://s.example/", "/Новости/1"),
    ("https://other.example/a/1", "https://s.example/", "https://other.example/a/1"),
    ("http://127.0.0.1:8080/a/1", "http://127.0.0.1:8080/", "/a/1"),
    ("http://127.0.0.1:8081/a/1", "http://127.0.0.1:8080/", "http://127.0.0.1:8081/a/1"),
])
def test_post_ids_are_addresses(url: str, home: str, post_id: str) -> None:
    assert post_id_for(url, home) == post_id
    rebuilt = url_for(post_id, home)
    assert rebuilt is not None and post_id_for(rebuilt, home) == post_id


def test_url_for_bare_guid_and_same_site() -> None:
    assert url_for("vz-announce-77", PAPER) is None
    assert same_site("https://www.s.example/a", "https://s.example:443/")
    assert not same_site("not a url", "https://s.example/")
    assert canonical_url("HTTPS://S.example/a?b=1&utm_campaign=x#f") == "https://s.example/a?b=1"


def test_cursor_roundtrip_and_bounds() -> None:
    cursor = WebCursor()
    for number in range(SEEN_LIMIT + 50):
        cursor.saw(f"/news/{number}/")
    cursor.saw("/news/60/")  # seen again: becomes the most recent
    cursor.advance(NOW)
    cursor.advance(NOW - timedelta(days=1))
    cursor.pending = ["https://s.example/news/9999/"]
    cursor.next_listing = "https://s.example/page/2/"
    cursor.cutoff, cursor.feed, cursor.deep = NOW - timedelta(days=3), "", True
    cursor.skip("/old/1/", NOW - timedelta(days=3))
    cursor.skip("/news/60/", NOW)  # collected already: stays collected
    restored = WebCursor.load(cursor.dump())
    assert len(restored.seen) == SEEN_LIMIT and list(restored.seen)[-1] == "/news/60/"
    assert not restored.has_seen("/news/0/", NOW) and restored.has_seen(f"/news/{SEEN_LIMIT + 49}/", NOW)
    assert restored.has_seen("/news/60/", NOW - timedelta(days=30))
    # skipped as too old for a 3-day run: a later run skips it too, a backfill reaching further reads it again
    assert restored.has_seen("/old/1/", NOW - timedelta(days=3)) and restored.has_seen("/old/1/", NOW)
    assert not restored.has_seen("/old/1/", NOW - timedelta(days=4))
    assert restored.newest == NOW and restored.pending == cursor.pending and restored.next_listing == cursor.next_listing
    assert restored.cutoff == cursor.cutoff and restored.feed == "" and restored.deep and restored.busy
    idle = WebCursor(newest=NOW, cutoff=NOW, deep=True)
    assert set(json.loads(idle.dump())) == {"v", "seen", "newest"}  # no leftovers once the work is done


@pytest.mark.parametrize("text", ["", "not json", "[]", '{"v": 99}', '{"seen": []}'])
def test_foreign_cursor_is_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        WebCursor.load(text)


def test_cursor_ignores_wrong_field_types() -> None:
    cursor = WebCursor.load('{"v":1,"seen":["/a",5,null],"newest":"yesterday","pending":"x","failures":{"u":"x"}}')
    assert list(cursor.seen) == ["/a"] and cursor.newest is None and cursor.pending == [] and cursor.failures == {}


# --------------------------------------------------------------------------------------------------- decoding


@pytest.mark.parametrize(("content", "content_type", "expected"), [
    ("Привет".encode("cp1251"), "text/html; charset=windows-1251", "Привет"),
    ('<meta charset="windows-1251">Привет'.encode("cp1251"), "text/html", '<meta charset="windows-1251">Привет'),
    ("Привет".encode(), "text/html", "Привет"),
    ("Привет".encode("cp1251"), "", "Привет"),  # not UTF-8 and nothing declared: the Russian legacy charset
    (b"\xef\xbb\xbf" + "Привет".encode(), "text/html; charset=cp1251", "Привет"),  # a BOM outranks the header
    ("Привет".encode(), "text/html; charset=no-such-charset", "Привет"),
    (b'<?xml version="1.0" encoding="koi8-r"?>' + "Привет".encode("koi8-r"), "", '<?xml version="1.0" encoding="koi8-r"?>Привет'),
])
def test_decode(content: bytes, content_type: str, expected: str) -> None:
    assert decode(content, content_type) == expected


def test_html_to_text() -> None:
    assert html_to_text("<p>Раз <b>два</b></p><p>три&nbsp;&amp; четыре</p><br>пять<script>x</script>") == (
        "Раз два\nтри & четыре\nпять")
    assert html_to_text("") == "" and html_to_text("   ") == ""


def test_page_kind() -> None:
    assert Page("u", 200, b"%PDF-1.4", "application/pdf").is_html is False
    assert Page("u", 200, b"<!DOCTYPE html><html>", "").is_html is True
    assert Page("u", 200, b"<html>", "text/html; charset=utf-8").is_html is True


# ------------------------------------------------------------------------------------------------ properties


@hsettings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_parse_feed_raises_only_our_error(content: bytes) -> None:
    try:
        feed = parse_feed(content, "https://x.example/feed/")
    except SourceUnavailable as exc:
        assert "web:" in str(exc)
    else:
        assert all(entry.id for entry in feed.entries)


_TAGS = st.sampled_from(["<p>", "</p>", "<a href='/news/1'>", "</a>", "<div class='date'>", "</div>", "<title>",
                         "<meta property='article:published_time' content='", "'>", "<script>", "<time datetime='",
                         "<article>", "<h1>", "&#xD800;", "\x00", "14 января 2026, 09:30", "32.13.2026"])


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_TAGS, st.text(max_size=30)), max_size=40))
def test_html_parsers_never_raise(parts: list[str]) -> None:
    html = "".join(parts)
    article = parse_article(html, "https://x.example/news/1", now=NOW, tz=MSK)
    assert article.published_at is None or article.published_at <= NOW + timedelta(days=1)
    assert "\x00" not in article.text
    listing = parse_listing(html, "https://x.example/")
    assert all(link.startswith("https://x.example/") for link in listing.links)


@hsettings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_russian_dates_never_raise(text: str) -> None:
    found = find_russian_date(text, now=NOW, tz=MSK)
    assert found is None or datetime(1995, 1, 1, tzinfo=MSK) <= found[0] <= NOW + timedelta(days=1)


@hsettings(max_examples=60, deadline=None)
@given(st.binary(max_size=500), st.sampled_from(["", "text/html", "text/html; charset=utf-16", "x; charset=\u0430"]))
def test_decode_never_raises(content: bytes, content_type: str) -> None:
    assert isinstance(decode(content, content_type), str)


# ----------------------------------------------------------------------------------------- built-in sources


@pytest.mark.parametrize(("position", "sample", "front"), [
    (0, "front_municipal.html", ADM),  # Администрация Десногорска: a municipal site, no feed on the page
    (1, "front_newspaper.html", PAPER),  # Авось-ка: a town newspaper
])
def test_builtin_sites_are_site_sources(builtin_settings: Settings, position: int, sample: str, front: str) -> None:
    sites = [source for source in builtin_settings.sources if source.kind == "site"]
    assert len(sites) == 2
    source = sites[position]
    parsed = parse_source_url(source.url or "")
    assert parsed.kind == "site" and source.link_pattern is None
    assert parsed.handle == (source.url or "").split("/")[2]
    assert isinstance(build_collector(source.kind, builtin_settings, Budget(rates={})), WebCollector)
    build_resolver(source.kind, builtin_settings, Budget(rates={}))
    # With no link_pattern, the heuristic finds exactly the articles on a page shaped like theirs.
    listing = parse_listing(data(sample).decode(), front, None)
    assert len(listing.links) >= 3 and all(looks_like_article(link) for link in listing.links)
    assert not any(link.endswith((".pdf", ".docx", ".jpg")) or "/category/" in link for link in listing.links)


def test_other_kinds_are_not_ours(builtin_settings: Settings) -> None:
    with pytest.raises(NotConfigured, match="rss и site"):
        build_collector("vk_wall", builtin_settings, Budget(rates={}))
    with pytest.raises(NotConfigured):
        build_resolver("tme", builtin_settings, Budget(rates={}))
