"""OK parsers on the saved real payloads, on odd items, and on arbitrary shapes (they raise only our errors)."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.ok.cursor import FeedCursor, feed_key
from collectors.ok.parse import (
    parse_comment_date,
    parse_comments,
    parse_group_info,
    parse_topics,
    parse_url_info,
    topic_text,
)
from collectors.post import Metrics
from config.errors import SourceClosed, SourceUnavailable

DATA = Path(__file__).resolve().parent / "data" / "ok"
GID = "70000001234567"
TOPIC = "155478963214789"


def saved(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def topics(*raw: Any, entities: Any = None) -> dict[str, Any]:
    return {"media_topics": list(raw), "entities": entities or {}, "has_more": False}


def topic(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": "1001", "created_ms": 1769158800000, "media": [{"type": "text", "text": "Текст"}]}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not ...}


# -- saved payloads ------------------------------------------------------------------------------------------


def test_feed_page_from_the_saved_payload() -> None:
    page = parse_topics(saved("ok_mediatopic_getTopics.json"), handle="zarechny.news", gid=GID)
    assert page.problems == ()
    assert page.has_more is True
    assert page.anchor == "LTE3NjkwOTQwMDAwMDA6MTU1NDc4OTYzMTk4NzY1"
    first, second = page.items
    assert first.sticky is True and second.sticky is False
    assert first.created_ms == 1769158800000
    post = first.post
    assert post.id == TOPIC
    assert post.platform == "ok" and post.source == "zarechny.news"
    assert post.published_at == datetime(2026, 1, 23, 9, 0, tzinfo=timezone.utc)
    assert post.text == "Внимание! 24 января с 10:00 до 16:00 плановое отключение холодной воды на ул. Ленина, 12–20."
    assert post.url == f"https://ok.ru/group/{GID}/topic/{TOPIC}"
    assert post.author == "Заречный район — новости и объявления"
    assert post.author_id == "ok:70000001234567"  # author_ref «group:…»: the same form as comments' author ids
    assert post.parent_id is None
    assert post.metrics == Metrics(views=None, likes=96, reposts=5, comments=14)
    # a link block adds its title and address after the text
    assert second.post.text == (
        "С 1 февраля меняется расписание автобусов №3 и №17.\n\n"
        "Новое расписание автобусов https://example-admin.ru/news/raspisanie"
    )
    assert second.post.metrics == Metrics(likes=21, reposts=1, comments=3)


def test_comments_from_the_saved_payload() -> None:
    page = parse_comments(saved("ok_discussions_getComments.json"), handle="zarechny.news", gid=GID, topic_id=TOPIC)
    assert page.problems == ()
    assert page.has_more is False
    assert page.anchor == "MTc2OTE2MDEwMDAwMDo3MDAwMDAwMTIzNDU2Nw"
    assert page.raw_ids == ("MTc2OTE1OTQwMDAwMDo1MTIzNDU2Nzg5MDE", "MTc2OTE2MDEwMDAwMDo3MDAwMDAwMTIzNDU2Nw")
    question, answer = page.comments
    assert question.id == f"{TOPIC}/MTc2OTE1OTQwMDAwMDo1MTIzNDU2Nzg5MDE"
    assert question.parent_id == TOPIC
    assert question.url == f"https://ok.ru/group/{GID}/topic/{TOPIC}"
    assert question.text == "А горячая вода будет?"
    assert question.author == "Игорь Петров"
    assert question.metrics == Metrics(likes=3)
    # "12:10:00" Moscow time is 09:10 UTC: the comment id encodes 1769159400000 ms, the same moment
    assert question.published_at == datetime(2026, 1, 23, 9, 10, tzinfo=timezone.utc)
    assert question.published_at.timestamp() * 1000 == 1769159400000
    # the group answers; the saved entities name users only, so the author stays unknown
    assert answer.author is None
    assert answer.published_at == datetime(2026, 1, 23, 9, 21, 40, tzinfo=timezone.utc)
    assert answer.metrics.likes == 8


@pytest.mark.parametrize("wrapped", [False, True], ids=["bare array (real)", "groups object (doc)"])
def test_group_info_from_the_saved_payload(wrapped: bool) -> None:
    payload: Any = saved("ok_group_getInfo.json")
    if wrapped:
        payload = {"groups": payload}
    info = parse_group_info(payload, gid=GID)
    assert info.kind == "ok_group"
    assert info.handle == "zarechny.news"
    assert info.external_id == GID
    assert info.title == "Заречный район — новости и объявления"
    assert info.url == f"https://ok.ru/group/{GID}"
    assert info.audience == 23817
    assert info.closed is False


# -- odd items -------------------------------------------------------------------------------------------------

ODD_TOPICS = [
    ("no id", topic(id=...), None, "нет идентификатора"),
    ("no created_ms", topic(created_ms=...), None, "created_ms"),
    ("created_ms as text", topic(created_ms="soon"), None, "created_ms"),
    ("not an object", "media_topic:1", None, "№1"),
    ("no media (a deleted or photo-only topic)", topic(media=...), "", None),
    ("photo only", topic(media=[{"type": "photo", "photo_refs": ["group_photo:1"]}]), "", None),
    ("blank text", topic(media=[{"type": "text", "text": "   "}]), "", None),
    ("two text blocks", topic(media=[{"type": "text", "text": "Раз"}, {"type": "text", "text": "Два"}]), "Раз\n\nДва", None),
    ("text_tokens only", topic(media=[{"type": "text", "text_tokens": [{"text": "При"}, {"text": "вет"}]}]), "Привет", None),
    ("lone surrogate and NUL", topic(media=[{"type": "text", "text": "a\ud800b\x00c"}]), "a\ufffdbc", None),
    ("emoji and RTL", topic(media=[{"type": "text", "text": "Вода 💧 ‏שלום"}]), "Вода 💧 ‏שלום", None),
    ("huge text", topic(media=[{"type": "text", "text": "ж" * 1_000_000}]), "ж" * 1_000_000, None),
    ("media of junk", topic(media=[None, 5, {"type": "link"}, {"type": "text", "text": 7}]), "", None),
]


@pytest.mark.parametrize(("raw", "text", "problem"), [case[1:] for case in ODD_TOPICS], ids=[c[0] for c in ODD_TOPICS])
def test_odd_topics(raw: Any, text: str | None, problem: str | None) -> None:
    page = parse_topics(topics(raw, topic(id="2002")), handle="h", gid=GID)
    assert page.items[-1].post.id == "2002", "a bad topic never stops the others"
    if problem is None:
        assert page.problems == ()
        assert page.items[0].post.text == text
    else:
        assert len(page.items) == 1
        (note,) = page.problems
        assert problem in note.message and "пропущена" in note.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"like_summary": {"count": -1}, "reshare_summary": {"count": True}}, Metrics()),
        ({"like_summary": {"count": "12"}, "discussion_summary": {"comments_count": "x"}}, Metrics(likes=12)),
        ({"like_summary": 5, "discussion_summary": None, "views_count": 40}, Metrics(views=40)),
        ({"discussion_summary": {"comments_count": 0}}, Metrics(comments=0)),
    ],
)
def test_odd_counters_become_none(raw: dict[str, Any], expected: Metrics) -> None:
    (item,) = parse_topics(topics(topic(**raw)), handle="h", gid=GID).items
    assert item.post.metrics == expected


def test_topic_author_from_user_entities() -> None:
    entities = {"users": [{"uid": "77", "first_name": "Нина", "last_name": "Орлова"}]}
    (item,) = parse_topics(topics(topic(author_ref="user:77"), entities=entities), handle="h", gid=GID).items
    assert item.post.author == "Нина Орлова" and item.post.author_id == "ok:77"
    (odd,) = parse_topics(topics(topic(author_ref="user:не число", owner_ref=None)), handle="h", gid=GID).items
    assert odd.post.author_id is None


ODD_COMMENTS = [
    ("no id", {"date": "2026-01-23 12:10:00", "text": "x"}, "идентификатор"),
    ("no date", {"id": "c1", "text": "x"}, "нет даты"),
    ("bad date", {"id": "c1", "date": "23.01.2026", "text": "x"}, "непонятная дата"),
    ("year zero", {"id": "c1", "date": "0001-01-01 01:00:00", "text": "x"}, "c1"),
    ("a list", ["c1"], "№1"),
]


@pytest.mark.parametrize(("raw", "problem"), [c[1:] for c in ODD_COMMENTS], ids=[c[0] for c in ODD_COMMENTS])
def test_odd_comments(raw: Any, problem: str) -> None:
    good = {"id": "ok1", "date": "2026-01-23 12:10:00", "author_id": "5"}
    page = parse_comments({"comments": [raw, good]}, handle="h", gid=GID, topic_id=TOPIC)
    assert [c.id for c in page.comments] == [f"{TOPIC}/ok1"]
    assert page.comments[0].text == ""  # no text field: an empty comment (a sticker, say), not a crash
    (note,) = page.problems
    assert problem in note.message and TOPIC in note.message


def test_comment_date_is_moscow_time() -> None:
    assert parse_comment_date("2026-06-30 23:30:00") == datetime(2026, 6, 30, 20, 30, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        parse_comment_date(None)


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ([], SourceClosed),
        ([{"uid": "1", "name": "другая"}], SourceClosed),
        ({"groups": []}, SourceClosed),
        ({"error": "x"}, SourceUnavailable),
        ("text", SourceUnavailable),
        (None, SourceUnavailable),
    ],
)
def test_group_info_without_the_group(payload: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match=GID if error is SourceClosed else "group.getInfo"):
        parse_group_info(payload, gid=GID)


@pytest.mark.parametrize(
    ("changes", "handle", "closed", "audience"),
    [
        ({"access_type": "CLOSED"}, "zarechny.news", True, 23817),
        ({"access_type": "SECRET"}, "zarechny.news", True, 23817),
        ({"access_type": None, "shortname": ""}, GID, False, 23817),
        ({"members_count": "много", "shortname": None}, GID, False, None),
    ],
)
def test_group_info_variants(changes: dict[str, Any], handle: str, closed: bool, audience: int | None) -> None:
    group = dict(saved("ok_group_getInfo.json")[0], **changes)
    info = parse_group_info([group], gid=GID)
    assert (info.handle, info.closed, info.audience) == (handle, closed, audience)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"type": "GROUP", "objectId": 70000001234567}, GID),
        ({"type": "GROUP", "objectId": GID}, GID),
        ({"type": "USER", "objectId": 5}, None),
        ({"type": "GROUP"}, None),
        ({"type": "GROUP", "objectId": True}, None),
        ({"type": "GROUP", "objectId": "²"}, None),
    ],
)
def test_url_info(payload: dict[str, Any], expected: str | None) -> None:
    assert parse_url_info(payload) == expected


def test_topic_text_joins_links_after_text() -> None:
    media = [{"type": "link", "url": "https://a.ru"}, {"type": "text", "text": "Текст"}, {"type": "link", "title": "Б"}]
    assert topic_text(media) == "Текст\n\nhttps://a.ru\nБ"


# -- cursor ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, "", "{", "[]", '{"top_ms": "x"}', '{"top_ms": true}', "null"])
def test_unreadable_cursor_starts_afresh(text: str | None) -> None:
    assert FeedCursor.load(text) == FeedCursor()


def test_cursor_round_trip_and_order() -> None:
    cursor = FeedCursor(top_ms=5, top_id="99", walk_anchor="abc", floor_ms=1, floor_id="7")
    assert FeedCursor.load(cursor.dump()) == cursor
    # numeric ids order as numbers, not as strings
    assert feed_key(5, "100") > feed_key(5, "99") > feed_key(4, "1000")


# -- arbitrary shapes ----------------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
TOPIC_KEYS = ["id", "created_ms", "media", "like_summary", "reshare_summary", "discussion_summary", "author_ref",
              "is_sticky", "views_count"]
COMMENT_KEYS = ["id", "date", "text", "author_id", "author_type", "like_count"]
ODD_VALUES = JSON | st.sampled_from(["2026-01-23 12:10:00", "9999-12-31 23:59:59", "0001-01-01 00:00:00", 10**30, -1,
                                     "group:70000001234567", [{"type": "text", "text": "x"}], {"count": 3}])


def _mutated(base: Any, keys: list[str]) -> Any:
    return st.lists(st.dictionaries(st.sampled_from(keys), ODD_VALUES, max_size=len(keys)), max_size=4).map(
        lambda items: [dict(copy.deepcopy(base), **item) for item in items]
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    anything=JSON,
    feed=_mutated(saved("ok_mediatopic_getTopics.json")["media_topics"][0], TOPIC_KEYS),
    thread=_mutated(saved("ok_discussions_getComments.json")["comments"][0], COMMENT_KEYS),
    entities=JSON,
)
def test_parsers_raise_only_our_errors(anything: Any, feed: list[Any], thread: list[Any], entities: Any) -> None:
    calls = [
        lambda: parse_topics(anything, handle="h", gid=GID),
        lambda: parse_topics({"media_topics": feed, "entities": entities, "anchor": anything}, handle="h", gid=GID),
        lambda: parse_comments(anything, handle="h", gid=GID, topic_id=TOPIC),
        lambda: parse_comments({"comments": thread, "entities": entities, "has_more": anything}, handle="h", gid=GID,
                               topic_id=TOPIC),
        lambda: parse_group_info(anything, gid=GID),
        lambda: parse_group_info([anything, {"uid": GID, "name": anything, "members_count": anything}], gid=GID),
        lambda: parse_url_info(anything),
        lambda: FeedCursor.load(json.dumps(anything)),
    ]
    for call in calls:
        try:
            result = call()
        except (SourceUnavailable, SourceClosed) as exc:
            assert str(exc)
            continue
        for item in getattr(result, "items", ()):
            assert item.post.published_at.tzinfo is not None
        for comment in getattr(result, "comments", ()):
            assert comment.published_at.tzinfo is not None and comment.parent_id == TOPIC
