"""Pure Telegram parsers: t.me/s preview pages → records, telethon messages → posts, the cursor."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser
from telethon.tl import types

from collectors.post import Metrics
from collectors.telegram.cursor import Cursor
from collectors.telegram.malformed import MalformedItem
from collectors.telegram.messages import (
    author_id_of,
    comment_from_message,
    group_albums,
    has_comments,
    post_from_messages,
    reaction_total,
    sender_name,
)
from collectors.telegram.preview_parse import (
    PreviewMessage,
    preview_author_id,
    html_to_text,
    parse_count,
    parse_page,
    to_post,
)
from config.errors import SourceUnavailable
from tests.fakes.telethon_client import FakeTelethonClient, make_reactions
from tests.fakes.tme import FakeChannel, FakePost, render_page

DATA = Path(__file__).resolve().parent / "data" / "tme"
UTC = timezone.utc


def page(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- t.me/s: the saved pages ---------------------------------------------------------------------------------------

NEWEST = parse_page(page("zarechny_news.html"), "zarechny_news")
OLDER = parse_page(page("zarechny_news_before_4101.html"), "zarechny_news")
BY_ID = {m.id: m for m in NEWEST.messages + OLDER.messages}

# id → (text, views, likes, author, forwarded_from, forwarded_url, edited, album ids, published)
EXPECTED: list[tuple[int, str, int | None, int | None, str, str | None, str | None, bool, tuple[int, ...], str]] = [
    (4101, "Прорыв трубы на ул. Садовой: фото с места.\nАварийная бригада работает.", 8900, None,
     "Заречный район | Новости", None, None, False, (4101, 4102, 4103), "2026-01-23T09:05:12+00:00"),
    (4104, "⚡ Отключение воды\n24 января с 10:00 до 16:00 — ул. Ленина, 12–20. Подробнее: example-admin.ru\n"
           "Цена вопроса < 1 дня & без горячей воды не оставят.", 15300, 245,
     "Анна Смирнова", None, None, True, (), "2026-01-23T10:00:05+00:00"),
    (4105, "С 1 февраля меняется расписание автобусов №3 и №17.", 6100, None, "Заречный район | Новости",
     "Администрация Заречного района", "https://t.me/zarechny_adm/771", False, (), "2026-01-23T11:30:00+00:00"),
    (4106, "Обновление: работы завершены досрочно, вода подана.", 401, None, "Заречный район | Новости",
     None, None, False, (), "2026-01-23T14:12:40+00:00"),
    (4091, "Субботник во дворе дома № 5: до и после.", 1_200_000, None, "Заречный район | Новости",
     None, None, False, (4091, 4092), "2026-01-20T09:15:00+00:00"),
    (4093, "Во дворе на Строителей 7 третий день не вывозят мусор. Куда жаловаться?", 3, None,
     "Заречный район | Новости", "Иван Петров", None, False, (), "2026-01-20T10:00:00+00:00"),
    (4094, "🔥 Пожар на складе\nПострадавших нет, огонь потушен за 40 минут.\nВидео: example-news.ru/fire", 4850, None,
     "Заречный район | Новости", None, None, False, (), "2026-01-21T17:40:00+00:00"),
    (4095, "Приём граждан главой района переносится на 28 января.", 950, None, "Заречный район | Новости",
     None, None, True, (), "2026-01-22T06:30:00+00:00"),
    (4096, "", 2100, None, "Заречный район | Новости", None, None, False, (), "2026-01-22T07:00:00+00:00"),
    (4098, "Новая детская площадка открыта на ул. Мира.", 20400, 1207, "Заречный район | Новости",
     None, None, False, (), "2026-01-22T12:00:00+00:00"),
    (4099, "Запись по телефону 2-22-22.", 812, None, "Заречный район | Новости", None, None, False, (),
     "2026-01-22T13:05:00+00:00"),
]


@pytest.mark.parametrize("row", EXPECTED, ids=[str(row[0]) for row in EXPECTED])
def test_saved_page_messages(row: tuple[Any, ...]) -> None:
    post_id, text, views, likes, author, forwarded, forwarded_url, edited, album, published = row
    message = BY_ID[post_id]
    assert message.text == text
    assert message.views == views
    assert message.likes == likes
    assert message.author == author
    assert message.forwarded_from == forwarded
    assert message.forwarded_url == forwarded_url
    assert message.edited is edited
    assert message.album_ids == album
    assert message.published_at == at(published)
    assert message.published_at.tzinfo is not None


def test_saved_pages_as_a_whole() -> None:
    assert [m.id for m in NEWEST.messages] == [4101, 4104, 4105, 4106]  # ascending, album keyed by its first id
    assert NEWEST.seen_ids == {4101, 4102, 4103, 4104, 4105, 4106}
    assert NEWEST.older == 4101 and not NEWEST.ended
    assert NEWEST.header.title == "Заречный район | Новости"
    assert NEWEST.header.username == "zarechny_news"
    assert NEWEST.header.audience == 12_400
    assert NEWEST.header.description and NEWEST.header.description.startswith("Оперативные новости")
    # the service message (4090) and the broken block (4097) are no posts, yet their ids exist
    assert [m.id for m in OLDER.messages] == [4091, 4093, 4094, 4095, 4096, 4098, 4099]
    assert {4090, 4092, 4097} <= OLDER.seen_ids and 4100 not in OLDER.seen_ids
    assert len(OLDER.problems) == 1 and "4097" in OLDER.problems[0].message
    assert "нет времени публикации" in OLDER.problems[0].message
    end = parse_page(page("zarechny_news_before_4090.html"), "zarechny_news")
    assert end.ended and not end.messages and end.lowest_id is None and end.header.audience == 12_400


def test_reply_preview_text_is_not_the_post_text() -> None:
    assert "Отключение" not in BY_ID[4106].text
    assert "Приём граждан" not in BY_ID[4099].text
    assert "Текст превью ссылки" not in BY_ID[4094].text  # the link preview card is not the post either


def test_a_page_that_is_not_a_feed_is_unavailable() -> None:
    with pytest.raises(SourceUnavailable, match="не похожа на ленту"):
        parse_page(page("not_a_channel.html"), "zarechny_news")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("401", 401), ("4.85K", 4850), ("12.4K", 12_400), ("1.2M", 1_200_000), ("15K", 15_000), ("0", 0),
     ("4,8K", 4800), ("1,234", 1234), (" 7 ", 7), ("2.5B", 2_500_000_000), ("", None), (None, None),
     ("K", None), ("12.4X", None), ("-5", None), ("1e5", None), ("٣", None)],
)
def test_parse_count(text: str | None, expected: int | None) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("a<br>b<br/>c", "a\nb\nc"),
        ('<i class="emoji"><b>😀</b></i> ok', "😀 ok"),
        ("&lt;b&gt; &amp; &#8211;&nbsp;x", "<b> & – x"),
        ("<b>жирный</b> <a href='x'>ссылка</a>", "жирный ссылка"),
        ("до<blockquote expandable>цитата</blockquote>после", "до\nцитата\nпосле"),
        ("<div>вложенный <div>дважды</div></div>", "вложенный\nдважды"),
        ("a<br><br><br><br>b", "a\n\nb"),
        ("<script>alert(1)</script>текст", "текст"),
        ("", ""),
    ],
)
def test_html_to_text(fragment: str, expected: str) -> None:
    node = LexborHTMLParser(f"<div id=t>{fragment}</div>").css_first("#t")
    assert node is not None
    assert html_to_text(node) == expected


def _one(block_html: str) -> Any:
    return parse_page(f'<section class="tgme_channel_history">{block_html}</section>', "ch")


def _block(inner: str = "", post: str = "ch/7", time: str = '<time datetime="2026-01-02T03:04:05+00:00"></time>') -> str:
    return (f'<div class="tgme_widget_message js-widget_message" data-post="{post}"><div class="tgme_widget_message_bubble">'
            f'{inner}<span class="tgme_widget_message_meta"><a class="tgme_widget_message_date">{time}</a></span></div></div>')


@pytest.mark.parametrize(
    ("block", "problem"),
    [
        (_block(post=""), "data-post"),
        (_block(post="ch/abc"), "не число"),
        (_block(post="ch/" + "9" * 40), "не число"),
        (_block(time=""), "нет времени"),
        (_block(time='<time datetime="вчера"></time>'), "ISO 8601"),
    ],
)
def test_malformed_blocks_become_problems(block: str, problem: str) -> None:
    parsed = _one(block + _block(post="ch/8"))
    assert [m.id for m in parsed.messages] == [8]
    assert len(parsed.problems) == 1 and problem in parsed.problems[0].message


def test_odd_but_valid_blocks() -> None:
    huge = "Десногорск " * 20_000
    parsed = _one(
        _block(f'<div class="tgme_widget_message_text js-message_text">{huge}</div>', post="ch/1")
        + _block('<div class="tgme_widget_message_text js-message_text">\x00ab&#xD800;c \u202e\u200d👨‍👩‍👧</div>', post="ch/2")
        + _block(post="ch/3", time='<time datetime="2026-01-02T03:04:05"></time>')
        + _block('<div class="tgme_widget_message_views">много</div><div class="tgme_widget_message_reactions"></div>', post="ch/4")
    )
    by_id = {m.id: m for m in parsed.messages}
    assert len(by_id[1].text) == len(huge.strip())
    assert "\x00" not in by_id[2].text and "👨‍👩‍👧" in by_id[2].text and "\ud800" not in by_id[2].text
    assert by_id[3].published_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)  # naive time read as UTC
    assert by_id[4].views is None and by_id[4].likes == 0 and by_id[4].author is None
    assert not parsed.problems


def test_to_post_marks_forwards_and_links_to_t_me() -> None:
    post = to_post(BY_ID[4105], "zarechny_news", observed_at=at("2026-01-24T00:00:00+00:00"))
    assert post.id == "4105" and post.platform == "telegram" and post.source == "zarechny_news"
    assert post.url == "https://t.me/zarechny_news/4105"
    assert post.text == "Переслано из «Администрация Заречного района»\nС 1 февраля меняется расписание автобусов №3 и №17."
    assert post.metrics == Metrics(views=6100)
    assert post.parent_id is None and post.observed_at == at("2026-01-24T00:00:00+00:00")
    hidden = to_post(PreviewMessage(id=1, published_at=at("2026-01-01T00:00:00+00:00"), text="", forwarded_from=""), "c")
    assert hidden.text == "Переслано из другого канала"
    assert to_post(BY_ID[4104], "zarechny_news").metrics == Metrics(views=15300, likes=245)


def test_fake_pages_parse_like_the_saved_ones() -> None:
    """The generated markup of the fake server is read exactly like the hand-written fixture."""
    channel = FakeChannel(name="desna", title="Десна <онлайн> & Co")
    channel.posts = {
        1: FakePost(1, at("2026-01-01T10:00:00+00:00"), "", service=True),
        2: FakePost(2, at("2026-01-01T11:00:00+00:00"), "Строка 1\nСтрока 2", views=4850, reactions={"👍": 1200, "🔥": 3},
                    edited=True, signature="Редактор edited"),
        3: FakePost(3, at("2026-01-01T12:00:00+00:00"), "Альбом", album=3, forwarded_from=("Аноним", None)),
    }
    parsed = parse_page(render_page(channel, list(channel.posts.values()), older=True), "desna")
    assert parsed.header.title == "Десна <онлайн> & Co" and parsed.older == 1
    assert parsed.seen_ids == {1, 2, 3, 4, 5}
    two, three = parsed.messages
    assert (two.text, two.views, two.likes, two.edited, two.author) == ("Строка 1\nСтрока 2", 4850, 1203, True, "Редактор edited")
    assert (three.id, three.album_ids, three.forwarded_from, three.forwarded_url) == (3, (3, 4, 5), "Аноним", None)
    channel.posts[2].edited = False
    again = parse_page(render_page(channel, list(channel.posts.values()), older=False), "desna")
    assert not again.messages[0].edited  # "edited" inside the signature is not the edit mark
    assert again.older is None


_FRAGMENTS = st.sampled_from([
    '<div class="tgme_widget_message js-widget_message" data-post="c/1">', '<div class="tgme_widget_message service_message" data-post="c/x">',
    '<div class="tgme_widget_message_text js-message_text">', "</div>", "<br>", '<time datetime="2026-01-01T00:00:00+00:00">',
    '<time datetime="2026-99-01">', "</time>", '<span class="tgme_widget_message_views">', "</span>", "1.2K", "9" * 30,
    '<div class="tgme_widget_message_grouped_wrap"><a href="https://t.me/c/99999999999999999999?single"></a>',
    '<div class="tgme_widget_message_reactions"><span class="tgme_reaction">', '<section class="tgme_channel_history">',
    '<div class="tme_no_messages_found">', '<a class="tme_messages_more" data-before="٣">', "\x00", "\ud800", "&#0;", "<",
    '<div class="tgme_widget_message_forwarded_from">Forwarded from', '<span class="tgme_widget_message_from_author">',
])


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=20)), max_size=40))
def test_parse_page_never_raises_anything_else(parts: list[str]) -> None:
    try:
        parsed = parse_page("".join(parts), "c")
    except SourceUnavailable:
        return
    for message in parsed.messages:
        post = to_post(message, "c")
        assert post.published_at.tzinfo is not None and post.id.isdigit()


# -- telethon messages ---------------------------------------------------------------------------------------------

@pytest.fixture
def fake() -> FakeTelethonClient:
    return FakeTelethonClient()


NOON = datetime(2026, 1, 20, 12, 0, tzinfo=UTC)


def test_post_from_message_reads_every_field(fake: FakeTelethonClient) -> None:
    channel = fake.add_channel("desna", title="Десна")
    message = fake.post(channel, 10, NOON, "Текст поста", views=1500, forwards=7, reactions={"👍": 5, "😢": 2},
                        comments=3, post_author="Анна", edit_date=NOON)
    post = post_from_messages([message], "desna", "Десна")
    assert post.id == "10" and post.platform == "telegram" and post.source == "desna"
    assert post.url == "https://t.me/desna/10" and post.author == "Анна"
    assert post.published_at == NOON and post.text == "Текст поста"
    assert post.metrics == Metrics(views=1500, likes=7, reposts=7, comments=3)
    plain = fake.post(channel, 11, NOON, "", views=None, forwards=None, comments=None)
    assert post_from_messages([plain], "desna", "Десна").metrics.empty
    assert post_from_messages([plain], "desna", "Десна").author == "Десна"


def test_reactions_of_every_kind_are_summed(fake: FakeTelethonClient) -> None:
    channel = fake.add_channel("desna")
    message = fake.post(channel, 1, NOON, "x")
    message.reactions = types.MessageReactions(results=[
        types.ReactionCount(reaction=types.ReactionEmoji(emoticon="👍"), count=10),
        types.ReactionCount(reaction=types.ReactionCustomEmoji(document_id=5), count=3),
        types.ReactionCount(reaction=types.ReactionPaid(), count=2),
    ])
    assert reaction_total(message) == 15
    assert make_reactions({}) is None


@pytest.mark.parametrize(
    ("header", "entity", "expected"),
    [
        (types.MessageFwdHeader(date=NOON, from_id=types.PeerChannel(channel_id=77), channel_post=5),
         types.Channel(id=77, title="Администрация", photo=types.ChatPhotoEmpty(), date=NOON), "Администрация"),
        (types.MessageFwdHeader(date=NOON, from_name="Скрытый Пользователь"), None, "Скрытый Пользователь"),
        (types.MessageFwdHeader(date=NOON, from_id=types.PeerUser(user_id=9)),
         types.User(id=9, first_name="Пётр", last_name="Иванов"), "Пётр Иванов"),
        (types.MessageFwdHeader(date=NOON, from_id=types.PeerChannel(channel_id=78)), None, ""),
    ],
)
def test_forwarded_posts_are_marked(fake: FakeTelethonClient, header: Any, entity: Any, expected: str) -> None:
    channel = fake.add_channel("desna")
    message = fake.post(channel, 1, NOON, "Новость", fwd_from=header, fwd_entity=entity)
    text = post_from_messages([message], "desna").text
    head = f"Переслано из «{expected}»" if expected else "Переслано из другого канала"
    assert text == f"{head}\nНовость"


def test_albums_are_one_post_keyed_by_the_first_id(fake: FakeTelethonClient) -> None:
    channel = fake.add_channel("desna")
    first = fake.post(channel, 20, NOON, "", views=300, grouped_id=99, comments=None)
    second = fake.post(channel, 21, NOON, "Подпись альбома", views=310, grouped_id=99, comments=4, reactions={"👍": 2})
    lone = fake.post(channel, 22, NOON, "Отдельный пост")
    service = fake.service(channel, 23, NOON)
    groups = group_albums([lone, second, service, first, None])
    assert [[m.id for m in group] for group in groups] == [[20, 21], [22]]
    post = post_from_messages(groups[0], "desna")
    assert post.id == "20" and post.text == "Подпись альбома"
    assert post.metrics == Metrics(views=310, likes=2, reposts=0, comments=4)
    assert has_comments(groups[0]) and not has_comments(groups[1])


def test_author_ids_are_the_senders_marked_ids(fake: FakeTelethonClient) -> None:
    """A channel post is the channel's (``tg:-100…``, as the Bot API writes it, and as bodies' accounts match it) even
    when signed: the signature is a name and stays the author; a comment is its sender's (a person or a channel)."""
    channel = fake.add_channel("desna", title="Десна")
    signed = fake.post(channel, 10, NOON, "Подписанный пост", post_author="Анна")
    post = post_from_messages([signed], "desna", "Десна")
    assert post.author == "Анна" and post.author_id == f"tg:-100{channel.peer.channel_id}"
    assert post.to_record()["author_id"] == post.author_id
    person = comment_from_message(fake.comment(channel, 10, NOON, "Вопрос?"), "desna", "10")
    assert person.author_id is not None and person.author_id.startswith("tg:") and person.author_id[3:].isdigit()
    as_channel = types.Message(id=7, peer_id=types.PeerChannel(channel_id=5), date=NOON, message="Ответ",
                               from_id=types.PeerChannel(channel_id=1234567890))
    assert comment_from_message(as_channel, "desna", "10").author_id == "tg:-1001234567890"
    anonymous = types.Message(id=8, peer_id=types.PeerChannel(channel_id=5), date=NOON, message="Ответ админа")
    assert comment_from_message(anonymous, "desna", "10").author_id is None  # no sender: no invented id
    assert author_id_of(types.Message(id=9, peer_id=types.PeerChannel(channel_id=5), date=NOON, message="x",
                                      from_id=types.PeerUser(user_id="не число"))) is None


def test_preview_posts_carry_the_channel_as_author_id() -> None:
    signed = to_post(BY_ID[4104], "Zarechny_News")
    assert signed.author == "Анна Смирнова" and signed.author_id == "tg:zarechny_news"
    assert preview_author_id("@Desna") == "tg:desna" and preview_author_id(" ") is None


def test_comments_from_the_discussion_group(fake: FakeTelethonClient) -> None:
    channel = fake.add_channel("desna")
    fake.post(channel, 5, NOON, "Пост")
    reply = fake.comment(channel, 5, NOON, "Когда починят?", reactions={"👍": 4})
    comment = comment_from_message(reply, "desna", "5")
    assert comment.id == f"5/{reply.id}" and comment.parent_id == "5"
    assert comment.url == f"https://t.me/desna/5?comment={reply.id}"
    assert comment.author == "Ирина Соколова" and comment.text == "Когда починят?"
    assert comment.metrics == Metrics(likes=4)
    as_channel = types.Channel(id=3, title="Паблик района", photo=types.ChatPhotoEmpty(), date=NOON)
    assert sender_name(as_channel) == "Паблик района"
    assert sender_name(types.User(id=1, username="nick")) == "@nick"
    assert sender_name(types.User(id=1)) is None


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [("date", None, "нет даты"), ("id", "7", "целое"), ("message", 12, "не строка"), ("views", "много", "целое")],
)
def test_malformed_messages_raise_our_error(fake: FakeTelethonClient, field: str, value: Any, reason: str) -> None:
    channel = fake.add_channel("desna")
    message = fake.post(channel, 1, NOON, "x")
    setattr(message, field, value)
    with pytest.raises(MalformedItem, match=reason):
        post_from_messages([message], "desna")


_ANY = st.one_of(st.none(), st.integers(-5, 2**40), st.text(max_size=30), st.booleans(), st.floats(allow_nan=True),
                 st.datetimes(timezones=st.sampled_from([UTC, None])), st.lists(st.integers(), max_size=3))


@hsettings(max_examples=150, deadline=None)
@given(st.fixed_dictionaries({}, optional={name: _ANY for name in (
    "id", "date", "message", "views", "forwards", "post_author", "grouped_id", "replies", "reactions", "fwd_from")}))
def test_messages_never_raise_anything_else(fields: dict[str, Any]) -> None:
    message = types.Message(id=1, peer_id=types.PeerChannel(channel_id=1), date=NOON, message="ok")
    for name, value in fields.items():
        setattr(message, name, value)
    for build in (lambda: post_from_messages([message], "c"), lambda: comment_from_message(message, "c", "1")):
        try:
            post = build()
        except MalformedItem:
            continue
        assert post.published_at.tzinfo is not None


# -- the cursor ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, Cursor()),
        ("", Cursor()),
        ('{"last_id": 5}', Cursor(last_id=5)),
        ('{"last_id": 5, "before": 3, "floor": 1, "top": 9}', Cursor(last_id=5, before=3, floor=1, top=9)),
        ('{"last_id": 5, "since": "2026-01-01T00:00:00+00:00"}', Cursor(last_id=5, since="2026-01-01T00:00:00+00:00")),
        ("не json", Cursor()),
        ("[1, 2]", Cursor()),
        ('{"last_id": "5"}', Cursor()),
        ('{"last_id": true}', Cursor()),
        ('{"since": "вчера"}', Cursor()),
    ],
)
def test_cursor_load(raw: str | None, expected: Cursor) -> None:
    assert Cursor.load(raw) == expected


def test_cursor_round_trip_and_finish() -> None:
    walking = Cursor(last_id=5, before=3, top=9, horizon="2026-01-01T00:00:00+00:00")
    assert Cursor.load(walking.dump()) == walking and walking.walking
    assert walking.finished(7) == Cursor(last_id=9)
    assert Cursor().finished(None) == Cursor()
