"""A fake news site on loopback: front page, listing pages, articles, RSS and Atom feeds, all from templates.

Two shapes: ``municipal`` (a Bitrix-like administration site: ``/novosti/detail.php?ID=…``, dates written
``14.12.2026 09:30``, ``?PAGEN_1=`` pager, optionally windows-1251) and ``newspaper`` (a WordPress-like town
paper: dated permalinks, ``article:published_time`` metadata, ``/page/N/`` pager, a sidebar of older articles).
Scripted answers (status codes, ``"stall"``, ``"garbage"``, ``"429:<seconds>"``) are queued per path; edits,
deletions and new articles change the site between runs; ``requests`` logs every path asked for.
"""

from __future__ import annotations

import html
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from tests.fakes.server import LoopbackServer, QuietHandler

LOCAL = ZoneInfo("Europe/Moscow")
NEWEST = datetime(2026, 12, 15, 6, 0, tzinfo=timezone.utc)  # 09:00 in the town

_TOPICS = [
    ("Отключение горячей воды в {n}-м микрорайоне",
     "В связи с ремонтом теплотрассы {date} будет прекращена подача горячей воды в домах {n}-го микрорайона.",
     "Управляющая компания просит жителей заранее сделать запас воды. Работы планируется завершить к вечеру.",
     "Справки по телефону единой дежурно-диспетчерской службы города. Администрация приносит извинения."),
    ("Ремонт дороги на улице Строителей, этап {n}",
     "Подрядчик приступил к ремонту дорожного покрытия на участке длиной {n}00 метров.",
     "На время работ движение транспорта будет ограничено, автобусы пойдут в объезд по улице Ленина.",
     "Жители жалуются на пыль и шум, в администрации обещают закончить работы до конца месяца."),
    ("Во дворе дома № {n} установят новую детскую площадку",
     "По программе благоустройства во дворе дома № {n} появятся качели, горка и песочница.",
     "Проект площадки обсудили с жителями на общем собрании, большинство поддержало предложение.",
     "Работы выполнят за счёт средств местного бюджета и добровольных пожертвований."),
    ("Смоленская АЭС: радиационный фон в норме ({n})",
     "По данным автоматизированной системы контроля радиационной обстановки, фон в городе составляет 0,1{n} мкЗв/ч.",
     "Это соответствует естественному фону и не превышает установленных норм.",
     "Актуальные данные публикуются на официальном сайте атомной станции ежедневно."),
    ("В Доме культуры пройдёт концерт к юбилею города, выпуск {n}",
     "Коллективы художественной самодеятельности подготовили большую программу к празднику.",
     "Вход свободный, начало в 18:00. Для зрителей старшего возраста организуют бесплатный автобус.",
     "После концерта на площади перед Домом культуры состоится праздничный фейерверк."),
]


@dataclass
class FakeArticle:
    """One article of the fake site; ``number`` is its place in publication order (1 = oldest)."""

    number: int
    title: str
    paragraphs: list[str]
    published_at: datetime
    author: str | None
    deleted: bool = False

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)


def _make_article(number: int, published_at: datetime) -> FakeArticle:
    title, *paragraphs = _TOPICS[number % len(_TOPICS)]
    local = published_at.astimezone(LOCAL)
    values = {"n": number, "date": f"{local.day} {_MONTHS[local.month - 1]}"}
    return FakeArticle(
        number=number,
        title=title.format(**values),
        paragraphs=[paragraph.format(**values) for paragraph in paragraphs] + [_CLOSING],
        published_at=published_at,
        author="Пресс-служба администрации" if number % 2 else "Мария Соколова",
    )


_CLOSING = "Следите за новостями города на официальном сайте и в сообществах администрации в социальных сетях."
_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"]


class FakeSite(LoopbackServer):
    """A site with ``articles`` articles, the newest at ``newest``, one every ``step``.

    ``feed``: ``None`` (no feed), ``"rss"`` (``/feed/``) or ``"atom"`` (``/atom.xml``), advertised on every page
    when ``advertise``; ``summary``: ``"long"`` (the full text in the feed) or ``"short"`` (a teaser).
    """

    def __init__(
        self,
        articles: int = 12,
        *,
        style: str = "municipal",
        feed: str | None = None,
        advertise: bool = True,
        per_page: int = 10,
        newest: datetime = NEWEST,
        step: timedelta = timedelta(hours=6),
        summary: str = "long",
        feed_items: int = 20,
        feed_dates: bool = True,
        page_dates: bool = True,
        charset: str = "utf-8",
        stall_seconds: float = 2.0,
    ) -> None:
        assert style in ("municipal", "newspaper") and feed in (None, "rss", "atom") and summary in ("long", "short")
        self.style, self.feed, self.advertise, self.per_page = style, feed, advertise, per_page
        self.summary, self.feed_items, self.feed_dates, self.page_dates = summary, feed_items, feed_dates, page_dates
        self.charset, self.stall_seconds, self.step = charset, stall_seconds, step
        self.articles: list[FakeArticle] = [
            _make_article(number, newest - (articles - number) * step) for number in range(1, articles + 1)
        ]
        self.requests: list[str] = []
        self.vanished: int | None = None
        self._script: dict[str, deque[str | int]] = {}
        self._lock = threading.Lock()
        fake = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                with fake._lock:
                    fake.requests.append(self.path)
                    queue = fake._script.get(self.path)
                    scripted = queue.popleft() if queue else None
                try:
                    self._answer(*fake._route(self.path, scripted))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

            def _answer(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
                self.reply(status, body, {"Content-Type": content_type, **headers})

        self._serve(Handler)

    # ------------------------------------------------------------------------------------------ addresses

    @property
    def front_url(self) -> str:
        return f"{self.base_url}/"

    @property
    def feed_path(self) -> str:
        return "/feed/" if self.feed == "rss" else "/atom.xml"

    @property
    def feed_url(self) -> str:
        return self.base_url + self.feed_path

    def path_of(self, number: int) -> str:
        """The address of article ``number`` (also its post id)."""
        article = self.articles[number - 1]
        if self.style == "municipal":
            return f"/novosti/detail.php?ID={4000 + number}"
        local = article.published_at.astimezone(LOCAL)
        return f"/{local:%Y/%m/%d}/novost-{number}-v-zarechnom/"

    def listing_path(self, page: int) -> str:
        if page == 1:
            return "/"
        return f"/novosti/?PAGEN_1={page}" if self.style == "municipal" else f"/page/{page}/"

    # ------------------------------------------------------------------------------------------ scripting

    def script(self, path: str, *answers: str | int) -> None:
        """Answer the next requests of ``path`` with these, in order: a status code, ``"stall"`` (sleep past the
        client's timeout), ``"garbage"`` (broken bytes with status 200), or ``"429:<seconds>"``."""
        with self._lock:
            self._script.setdefault(path, deque()).extend(answers)

    def publish(self, count: int = 1) -> list[int]:
        """Add ``count`` newer articles; returns their numbers."""
        with self._lock:
            start = len(self.articles) + 1
            newest = self.articles[-1].published_at if self.articles else NEWEST
            for offset in range(count):
                self.articles.append(_make_article(start + offset, newest + (offset + 1) * self.step))
            return list(range(start, start + count))

    def edit(self, number: int, paragraph: str) -> None:
        with self._lock:
            self.articles[number - 1].paragraphs[-1] = paragraph

    def delete(self, number: int) -> None:
        with self._lock:
            self.articles[number - 1].deleted = True

    def vanish(self, status: int = 404) -> None:
        """The whole site answers ``status`` from now on."""
        self.vanished = status

    def count(self, prefix: str = "") -> int:
        return sum(1 for path in self.requests if path.startswith(prefix))

    def article_requests(self) -> int:
        marker = "detail.php" if self.style == "municipal" else "/novost-"
        return sum(1 for path in self.requests if marker in path)

    # ------------------------------------------------------------------------------------------ rendering

    def _route(self, path: str, scripted: str | int | None) -> tuple[int, bytes, str, dict[str, str]]:
        html_type = f"text/html; charset={self.charset}"
        if self.vanished is not None:
            return self.vanished, b"<html><body>Not found</body></html>", "text/html", {}
        if isinstance(scripted, int):
            return scripted, f"<html><body>HTTP {scripted}</body></html>".encode(), "text/html", {}
        if scripted == "stall":
            time.sleep(self.stall_seconds)
        elif isinstance(scripted, str) and scripted.startswith("429:"):
            return 429, b"Too Many Requests", "text/plain", {"Retry-After": scripted[4:]}
        garbage = scripted == "garbage"
        if self.feed and path == self.feed_path:
            if garbage:
                return 200, b"<?xml version='1.0'?><rss><channel><item><title>\xff\xfe", "application/rss+xml", {}
            body, kind = self._feed_body()
            return 200, body.encode("utf-8"), kind, {}
        if garbage:
            return 200, b"<html><body><div><p>\x00\xff\xfe<<<>>></span></table>" * 50, html_type, {}
        page = self._listing_page(path)
        if page is not None:
            return 200, page.encode(self.charset, "replace"), html_type, {}
        for article in self.articles:
            if self.path_of(article.number) == path:
                if article.deleted:
                    return 404, "<html><body>Страница не найдена</body></html>".encode(), html_type, {}
                return 200, self._article_page(article).encode(self.charset, "replace"), html_type, {}
        return 404, "<html><body>Страница не найдена</body></html>".encode(), html_type, {}

    def _visible(self) -> list[FakeArticle]:
        return [article for article in reversed(self.articles) if not article.deleted]

    def _listing_number(self, path: str) -> int | None:
        if path in ("/", "/novosti/") and self.style == "municipal" or path == "/" and self.style == "newspaper":
            return 1
        parts = urlsplit(path)
        if self.style == "municipal" and parts.path == "/novosti/":
            pages = parse_qs(parts.query).get("PAGEN_1")
            return int(pages[0]) if pages and pages[0].isdigit() else None
        if self.style == "newspaper" and parts.path.startswith("/page/"):
            number = parts.path.strip("/").split("/")[-1]
            return int(number) if number.isdigit() else None
        return None

    def _head(self, title: str, extra: str = "") -> str:
        feed = ""
        if self.feed and self.advertise:
            kind = "application/rss+xml" if self.feed == "rss" else "application/atom+xml"
            if self.style == "newspaper":
                feed += '<link rel="alternate" type="application/rss+xml" title="Лента комментариев" href="/comments/feed/">\n'
            feed += f'<link rel="alternate" type="{kind}" title="Новости" href="{self.feed_path}">\n'
        return (f'<!DOCTYPE html>\n<html lang="ru"><head>\n<meta http-equiv="Content-Type" content="text/html; '
                f'charset={self.charset}">\n<title>{html.escape(title)}</title>\n{feed}{extra}</head>\n')

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(LOCAL)

    def _listing_page(self, path: str) -> str | None:
        number = self._listing_number(path)
        if number is None:
            return None
        visible = self._visible()
        chunk = visible[(number - 1) * self.per_page: number * self.per_page]
        if number > 1 and not chunk:
            return None
        has_next = len(visible) > number * self.per_page
        if self.style == "municipal":
            items = "\n".join(
                f'<div class="news-item"><span class="news-date-time">{self._local(a.published_at):%d.%m.%Y}</span>'
                f'<a href="{self.path_of(a.number)}"><b>{html.escape(a.title)}</b></a><p>{html.escape(a.paragraphs[0])}</p></div>'
                for a in chunk
            )
            pager = f'<a class="modern-page-next" href="{self.listing_path(number + 1)}">След.</a>' if has_next else ""
            return (self._head("Новости — Администрация города Заречный") +
                    '<body><div class="top-menu"><a href="/">Главная</a> <a href="/about/">О городе</a> '
                    '<a href="/administration/">Администрация</a> <a href="/documents/?SECTION_ID=12">Документы</a> '
                    '<a href="/contacts/">Контакты</a></div>\n<div class="content"><h1>Новости</h1>'
                    f'<div class="news-list">\n{items}\n<a href="/upload/iblock/3f2/grafik.docx">График (DOCX)</a></div>'
                    f'<div class="modern-page-navigation">{pager}</div></div>\n'
                    '<div class="footer"><a href="/sitemap/">Карта сайта</a> © Администрация</div></body></html>')
        items = "\n".join(
            f'<article class="post"><h2 class="entry-title"><a href="{self.path_of(a.number)}">{html.escape(a.title)}</a></h2>'
            f'<p>{html.escape(a.paragraphs[0])}</p><a class="more-link" href="{self.path_of(a.number)}#more">Читать далее</a></article>'
            for a in chunk
        )
        popular = "".join(f'<li><a href="{self.path_of(a.number)}">{html.escape(a.title)}</a></li>' for a in visible[-2:])
        pager = f'<nav class="pagination"><a class="next page-numbers" href="{self.listing_path(number + 1)}">Следующая »</a></nav>' if has_next else ""
        return (self._head("Вестник Заречья — городская газета", '<meta property="og:site_name" content="Вестник Заречья">\n') +
                '<body><header class="site-header"><nav class="main-navigation"><a href="/">Главная</a> '
                '<a href="/category/zhkh/">ЖКХ</a> <a href="/o-gazete/">О газете</a></nav></header>\n'
                f'<main id="main">\n{items}\n{pager}</main>\n<aside class="sidebar"><h3>Популярное</h3><ul>{popular}</ul></aside>\n'
                '<footer class="site-footer"><a href="/politika-konfidentsialnosti-i-obrabotki-dannyh/">Политика</a></footer></body></html>')

    def _article_page(self, article: FakeArticle) -> str:
        local = self._local(article.published_at)
        paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in article.paragraphs)
        if self.style == "municipal":
            date = f'<span class="news-date-time">{local:%d.%m.%Y %H:%M}</span>' if self.page_dates else ""
            return (self._head(f"{article.title} — Администрация города Заречный") +
                    '<body><div class="top-menu"><a href="/">Главная</a> <a href="/novosti/">Новости</a></div>\n'
                    f'<div class="content"><div class="news-detail"><h1>{html.escape(article.title)}</h1>{date}\n'
                    f'{paragraphs}</div></div>\n<div class="footer">© Администрация города Заречный</div></body></html>')
        meta = f'<meta property="article:published_time" content="{local.isoformat()}">\n' if self.page_dates else ""
        meta += f'<meta name="author" content="{article.author}">\n' if article.author else ""
        time_tag = (f'<time datetime="{local.isoformat()}">{local.day} {_MONTHS[local.month - 1]} {local.year}, '
                    f'{local:%H:%M}</time>') if self.page_dates else ""
        older = [a for a in self._visible() if a.number < article.number][:3]
        sidebar = "".join(f'<li><a href="{self.path_of(a.number)}">{html.escape(a.title)}</a></li>' for a in older)
        return (self._head(f"{article.title} — Вестник Заречья", meta) +
                '<body><header class="site-header"><nav class="main-navigation"><a href="/">Главная</a></nav></header>\n'
                f'<main><article class="post"><h1 class="entry-title">{html.escape(article.title)}</h1>'
                f'<div class="entry-meta">{time_tag}</div><div class="entry-content">\n{paragraphs}\n</div></article></main>\n'
                f'<aside class="sidebar"><h3>Читайте также</h3><ul>{sidebar}</ul></aside>'
                '<footer class="site-footer">© Вестник Заречья</footer></body></html>')

    def _feed_body(self) -> tuple[str, str]:
        items = self._visible()[: self.feed_items]

        def text(article: FakeArticle) -> str:
            return article.body if self.summary == "long" else article.paragraphs[0][:120]

        if self.feed == "rss":
            entries = "\n".join(
                f"<item><title>{html.escape(a.title)}</title><link>{self.base_url}{html.escape(self.path_of(a.number))}</link>"
                f'<guid isPermaLink="false">{self.style}-{a.number}</guid>'
                + (f"<pubDate>{format_datetime(self._local(a.published_at))}</pubDate>" if self.feed_dates else "")
                + (f"<author>{html.escape(a.author)}</author>" if a.author else "")
                + f"<description>{html.escape(text(a))}</description></item>"
                for a in items
            )
            body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Новости</title>'
                    f"<link>{self.base_url}/</link>\n{entries}\n</channel></rss>")
            return body, "application/rss+xml; charset=UTF-8"
        entries = "\n".join(
            f'<entry><title>{html.escape(a.title)}</title><link href="{self.base_url}{html.escape(self.path_of(a.number))}"/>'
            f"<id>tag:fake,2026:{a.number}</id>"
            + (f"<published>{self._local(a.published_at).isoformat()}</published>" if self.feed_dates else "")
            + (f"<author><name>{html.escape(a.author)}</name></author>" if a.author else "")
            + f'<summary type="text">{html.escape(text(a))}</summary></entry>'
            for a in items
        )
        body = (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Новости</title>'
                f'<link href="{self.base_url}/"/><id>tag:fake,2026:feed</id>\n{entries}\n</feed>')
        return body, "application/atom+xml; charset=utf-8"

    # ------------------------------------------------------------------------------------------ lifecycle

