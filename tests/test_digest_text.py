"""The Markdown and HTML digests as the deputy head reads them: every section in order, the sample's numbers in
Russian format, hostile post text kept inert, links to posts, and one self-contained HTML file."""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from datetime import timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from alerts.digest import DigestData, render_markdown
from alerts.digest.charts import Chart
from alerts.digest.html import render_html
from tests.digest_sample import END, START, sample_digest

TZ = ZoneInfo("Europe/Moscow")
NBSP = "\u00a0"
SECTIONS = (
    "Коротко",
    "Главные истории",
    "Темы",
    "Платформы",
    "Тональность",
    "Жалобы и вопросы без ответа",
    "Повторяющиеся проблемы (30/90 дней)",
    "Оповещения",
    "Покрытие",
)
EMPTY_SENTENCES = (
    "Историй с риском выше низкого за период не было.",
    "Сообщений о городе за период не было.",
    "Жалоб и вопросов без официального ответа нет.",
    "Повторяющихся проблем за 90 дней не найдено.",
    "Оповещений за период не отправлялось.",
    "Сведений об источниках нет.",
)
# Numbers of sample_digest() as a reader must see them (NBSP between groups, a real minus, «%» after NBSP).
SAMPLE_FIGURES = (
    f"1{NBSP}234", "987", "+247",  # posts against the previous week
    f"1{NBSP}002", "+132",  # relevant
    "81/100", "64/100", "критический", "высокий",  # levels and scores
    "завершилась", "новая",
    f"42{NBSP}%", f"34{NBSP}%",  # negative share now and before
    "+105", "−12",  # topic deltas
    "6 дней", "30 часов",  # appeals waiting
    "12,5 мин",  # median time to take an alert
    "7 из 9",  # sources working
    "12 января 2026 г., 09:00", "19 января 2026 г., 09:00",  # period in town time
)


def post_links(data: DigestData) -> set[str]:
    links = {link for line in data.stories for link in line.story.links}
    links |= {url for line in data.stories for _, url in line.excerpts if url}
    return links | {a.url for a in data.appeals if a.url}


def empty_digest() -> DigestData:
    return DigestData(town="Десногорск", period="day", start=END - timedelta(days=1), end=END, posts=0,
                      posts_previous=0, relevant=0, topics=(), platforms=(), sentiment=(), stories=(), appeals=())


@pytest.fixture(scope="module")
def markdown() -> str:
    return render_markdown(sample_digest(), TZ)


# --- Markdown ---------------------------------------------------------------------------------------


def test_markdown_has_title_period_and_sections_in_order(markdown: str) -> None:
    assert markdown.startswith(f"# {sample_digest().title}\n")
    headings = re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)
    assert headings == list(SECTIONS)


@pytest.mark.parametrize("figure", SAMPLE_FIGURES)
def test_markdown_shows_the_sample_numbers(markdown: str, figure: str) -> None:
    assert figure in markdown


def test_markdown_summary_compares_with_the_previous_period(markdown: str) -> None:
    summary = markdown.split("## Коротко", 1)[1].split("## ", 1)[0]
    assert f"**1{NBSP}234** (за предыдущий период — 987, +247)" in summary
    assert "новых — 14, продолжаются — 3, завершились — 9" in summary
    assert "отправлено: 17, взято в работу: 4, ложных: 1" in summary
    assert "без ответа: 2" in summary


def test_markdown_tables_keep_their_columns_with_hostile_text(markdown: str) -> None:
    row = next(line for line in markdown.splitlines() if "лифт в доме 5" in line)
    assert "пешком \\| на 9 этаж" in row
    # an unescaped `|` splits a row: every appeal row has exactly the four columns of its header
    assert len(re.split(r"(?<!\\)\|", row)) == len(re.split(r"(?<!\\)\|", "| a | b | c | d |"))


def test_markdown_keeps_post_html_inert(markdown: str) -> None:
    assert "<script>" not in markdown
    assert "\\<script\\>alert(1)" in markdown


def test_markdown_cells_never_break_on_newlines() -> None:
    data = sample_digest()
    hostile = replace(data.appeals[0], excerpt="первая строка\n| ## вторая | строка", source="a|b")
    text = render_markdown(replace(data, appeals=(hostile,)), TZ)
    row = next(line for line in text.splitlines() if "первая строка" in line)
    assert "первая строка \\| ## вторая \\| строка" in row and "a\\|b" in row


def test_markdown_links_to_the_posts(markdown: str) -> None:
    for url in post_links(sample_digest()):
        assert url in markdown, url
    assert "<https://vk.com/wall-2_9001>" in markdown  # an autolink, clickable in any viewer


def test_markdown_lists_reasons_and_roadmap_note(markdown: str) -> None:
    assert "  - эскалация: уезжать" in markdown
    assert "«дорожной карты»" in markdown
    assert "| ТКО | 6 мкр | 3 | 7 | 11 | 6 | 17.01.2026 09:00 |" in markdown


def test_markdown_coverage_names_the_blind_spots(markdown: str) -> None:
    coverage = markdown.split("## Покрытие", 1)[1]
    assert "vk_wall:desnogorsk_online" in coverage and "VK: доступ закрыт (15)" in coverage
    assert "дневная квота исчерпана" in coverage and "могли быть пропущены" in coverage


def test_markdown_says_when_only_the_oldest_appeals_are_shown() -> None:
    text = render_markdown(replace(sample_digest(), appeals_total=31), TZ)
    assert "Всего 31, показаны самые давние (2)." in text
    assert "Всего" not in render_markdown(sample_digest(), TZ)


def test_markdown_drops_links_that_are_not_http() -> None:
    data = sample_digest()
    hostile = replace(data.appeals[0], url="javascript:alert(1)")
    assert "javascript:" not in render_markdown(replace(data, appeals=(hostile,)), TZ)


def test_markdown_empty_digest_says_so() -> None:
    text = render_markdown(empty_digest(), TZ)
    assert re.findall(r"^## (.+)$", text, flags=re.MULTILINE) == list(SECTIONS)
    for sentence in EMPTY_SENTENCES:
        assert sentence in text, sentence
    assert "|" not in text  # no empty tables


# --- HTML -------------------------------------------------------------------------------------------


class Page(HTMLParser):
    """What a browser would build, reduced to what the tests look at; also checks tags close in order."""

    VOID = {"meta", "img", "br", "link", "hr", "input"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.h2: list[str] = []
        self.title = ""
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "h2":
            self.h2.append("")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.stack and self.stack[-1] == "h2":
            self.h2[-1] += data
        if self.stack and self.stack[-1] == "title":
            self.title += data

    def attrs_of(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(sample_digest(), TZ)  # charts=None: the real charts are drawn


@pytest.fixture(scope="module")
def page(html: str) -> Page:
    return parse(html)


def test_html_is_one_well_formed_russian_page(html: str, page: Page) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert page.problems == [] and page.stack == []
    assert page.attrs_of("html") == [{"lang": "ru"}]
    assert {"charset": "utf-8"} in page.attrs_of("meta")
    assert page.title == sample_digest().title
    assert page.h2[:5] == list(SECTIONS[:5]) and page.h2[-4:] == list(SECTIONS[-4:])
    assert [h for h in page.h2 if h not in SECTIONS] == ["По дням"]  # the charts, after the tables


def test_html_keeps_post_text_inert(html: str, page: Page) -> None:
    assert page.attrs_of("script") == [] and "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; «ЖКХ»" in html
    assert "пешком | на 9 этаж" in "".join(page.text)  # a `|` is just text in HTML


def test_html_embeds_the_charts(page: Page) -> None:
    images = page.attrs_of("img")
    assert [i["alt"] for i in images] == ["Сообщения о городе по темам", "Тональность по дням",
                                          "Истории с риском по уровням"]
    for image in images:
        src = image["src"] or ""
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1], validate=True).startswith(b"\x89PNG")


def test_html_uses_given_charts_and_shows_none_without_them() -> None:
    dot = Chart("Проба <b>", b"\x89PNG\r\n\x1a\n-fake")
    page = parse(render_html(sample_digest(), TZ, charts=[dot]))
    assert [i["alt"] for i in page.attrs_of("img")] == ["Проба <b>"]  # escaped in the source, intact when read
    assert parse(render_html(sample_digest(), TZ, charts=[])).attrs_of("img") == []


def test_html_reaches_outside_only_through_post_links(html: str, page: Page) -> None:
    allowed = post_links(sample_digest())
    hrefs = {a["href"] for a in page.attrs_of("a")}
    assert hrefs == allowed
    assert all("noopener" in (a.get("rel") or "").split() for a in page.attrs_of("a"))
    for _, attrs in page.tags:
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not value.startswith(("http://", "https://", "//")) or value in allowed, value
    assert "@import" not in html and "url(" not in html  # no outside fonts or images in the CSS


@pytest.mark.parametrize("figure", SAMPLE_FIGURES)
def test_html_shows_the_sample_numbers(page: Page, figure: str) -> None:
    assert figure in "".join(page.text)


def test_html_drops_links_that_are_not_http() -> None:
    data = sample_digest()
    hostile = replace(data.appeals[0], url='javascript:alert(1)" onclick="x')
    html = render_html(replace(data, appeals=(hostile,)), TZ, charts=[])
    assert "javascript:" not in html and "onclick" not in html


def test_html_empty_digest_says_so() -> None:
    page = parse(render_html(empty_digest(), TZ))
    assert page.problems == []
    assert page.h2 == list(SECTIONS)  # no days, no charts section
    text = " ".join(" ".join(page.text).split())
    for sentence in EMPTY_SENTENCES:
        assert sentence in text, sentence
    assert page.attrs_of("table") == [] and page.attrs_of("img") == []


def test_both_formats_cover_the_same_period_in_town_time() -> None:
    # START is 09:00 in Desnogorsk; a UTC date would read «06:00»
    assert START.astimezone(TZ).hour == 9
    for text in (render_markdown(sample_digest(), TZ), render_html(sample_digest(), TZ, charts=[])):
        assert "с 12 января 2026 г., 09:00 по 19 января 2026 г., 09:00" in text
