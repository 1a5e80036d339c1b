"""VK parsers on saved real payloads, odd items, and a property: malformed shapes raise only ``Malformed``."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.vk.cursor import BadCursor, QueryMark, SearchCursor, SearchSweep, WallCursor, WallSweep
from collectors.vk.parse import (
    Malformed,
    Names,
    by_id_page,
    comment_from_item,
    comments_page,
    group_info,
    groups_of,
    is_pinned,
    names_from,
    owner_info,
    post_from_item,
    resolved_object,
    search_page,
    split_post_key,
    thread_of,
    user_info,
    wall_page,
)

DATA = Path(__file__).resolve().parent / "data" / "vk"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))["response"]


def utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)


# --- wall posts ----------------------------------------------------------------------------------------------


def test_wall_get_extended_posts_every_field() -> None:
    page = wall_page(load("vk_wall_get_extended.json"))
    assert page.total == 4821
    pinned, repost = (post_from_item(item, source="zarechny_news", names=page.names) for item in page.items)

    assert pinned.id == "-123456789_48210"
    assert pinned.platform == "vk" and pinned.source == "zarechny_news" and pinned.parent_id is None
    assert pinned.url == "https://vk.com/wall-123456789_48210"
    assert pinned.published_at == utc(1769158800) and pinned.published_at.tzinfo is not None
    assert pinned.author == "Новости Заречного района"  # the community, not the signer
    assert pinned.text.startswith("Уважаемые жители! В связи с плановыми работами 24 января")
    assert pinned.metrics.as_dict() == {"views": 15342, "likes": 214, "reposts": 18, "comments": 37}
    assert is_pinned(page.items[0]) and not is_pinned(page.items[1])

    # A repost: own text, then the copied post's text.
    assert repost.text == ("Делимся важной информацией от районной администрации 👇\n\n"
                           "С 1 февраля меняется расписание автобусов №3 и №17. Подробности — по ссылке.")
    assert repost.metrics.as_dict() == {"views": 6120, "likes": 41, "reposts": 2, "comments": 5}


def test_wall_get_plain_posts_have_no_names_but_all_else() -> None:
    page = wall_page(load("vk_wall_get.json"))
    posts = [post_from_item(item, source="z", names=page.names) for item in page.items]
    assert [p.id for p in posts] == ["-123456789_48210", "-123456789_48209", "-123456789_48207", "-123456789_48205"]
    assert all(p.author is None for p in posts)  # no profiles/groups without extended=1
    assert posts[2].text.endswith("#реклама")
    assert posts[3].metrics.comments == 12


def test_owner_info_from_an_extended_page() -> None:
    page = wall_page(load("vk_wall_get_extended.json"))
    info = owner_info(-123456789, page.names)
    assert info is not None
    assert (info.handle, info.external_id, info.title, info.url) == (
        "zarechny_news", "-123456789", "Новости Заречного района", "https://vk.com/zarechny_news")
    assert owner_info(-1, page.names) is None


def test_user_post_author_and_signer_fallback() -> None:
    names = names_from(load("vk_wall_get_extended.json"))
    item = {"id": 5, "owner_id": -123456789, "from_id": 512345678, "date": 1769158800, "text": "вопрос"}
    assert post_from_item(item, source="z", names=names).author == "Игорь Петров"
    signed = {"id": 6, "owner_id": -1, "from_id": -1, "signer_id": 387654321, "date": 1769158800}
    assert post_from_item(signed, source="z", names=names).author == "Анна Смирнова"


# --- comments ------------------------------------------------------------------------------------------------


def test_comments_page_every_field() -> None:
    page = comments_page(load("vk_wall_getComments.json"))
    assert (page.total, page.level_count) == (37, 29)
    parsed = [comment_from_item(item, owner_id=-123456789, post_id=48210, source="zarechny_news", names=page.names)
              for item in page.items]
    first, answer, thanks, deleted = parsed
    assert deleted is None  # {"deleted": true} placeholders are skipped
    assert first is not None and answer is not None and thanks is not None
    assert first.id == "-123456789_48210/48230" and first.parent_id == "-123456789_48210"
    assert first.url == "https://vk.com/wall-123456789_48210?reply=48230"
    assert first.author == "Игорь Петров" and first.text == "А горячая вода будет?"
    assert first.metrics.as_dict() == {"likes": 4, "comments": 2}
    assert first.published_at == utc(1769159400)
    assert answer.author == "Новости Заречного района"  # the community answering
    assert thanks.author == "Мария Иванова" and thanks.metrics.likes == 2
    assert thread_of(page.items[0])[0] == 2


def test_reply_url_names_its_thread() -> None:
    item = {"id": 9, "from_id": 1, "date": 1769159400, "text": "да"}
    reply = comment_from_item(item, owner_id=-1, post_id=2, source="s", names=Names(), thread=7)
    assert reply is not None and reply.url == "https://vk.com/wall-1_2?reply=9&thread=7" and reply.parent_id == "-1_2"


# --- search, getById, groups, resolution ---------------------------------------------------------------------


def test_search_page() -> None:
    page = search_page(load("vk_newsfeed_search.json"))
    assert page.next_from == "2/5_412233445_3321" and page.total == 317
    community, person = (post_from_item(i, source=page.names.screen_name(i["owner_id"]), names=page.names)
                         for i in page.items)
    # No profiles/groups in this answer: VK's default screen names stand in.
    assert (community.source, community.id) == ("club55512345", "-55512345_77123")
    assert (person.source, person.id) == ("id412233445", "412233445_3321")
    assert person.metrics.as_dict() == {"views": 640, "likes": 12, "reposts": 0, "comments": 3}
    assert search_page({"items": []}).next_from is None


@pytest.mark.parametrize("payload", [
    {"items": load("vk_wall_get.json")["items"][:2]},  # 5.199
    load("vk_wall_get.json")["items"][:2],  # older versions: a bare list
])
def test_by_id_both_shapes(payload: Any) -> None:
    items, _ = by_id_page(payload)
    assert [item["id"] for item in items] == [48210, 48209]


@pytest.mark.parametrize("name", ["vk_groups_getById.json", "vk_groups_getById_legacy_v5_131.json"])
def test_groups_both_shapes(name: str) -> None:
    info = group_info(groups_of(load(name))[0])
    assert info.kind == "vk_wall" and info.platform == "vk"
    assert (info.handle, info.external_id, info.title) == ("zarechny_news", "-123456789", "Новости Заречного района")
    assert (info.url, info.audience, info.closed) == ("https://vk.com/zarechny_news", 48213, False)


@pytest.mark.parametrize(("extra", "closed"), [
    ({"is_closed": 0}, False),
    ({"is_closed": 1}, True),  # closed community
    ({"is_closed": 2}, True),  # private community
    ({"is_closed": 0, "deactivated": "banned"}, True),
    ({"is_closed": 0, "deactivated": "deleted"}, True),
])
def test_group_closed_flags(extra: dict[str, Any], closed: bool) -> None:
    assert group_info({"id": 5, "name": "Г", **extra}).closed is closed


def test_group_without_screen_name_gets_club_handle() -> None:
    info = group_info({"id": 77, "name": ""})
    assert (info.handle, info.title, info.url) == ("club77", "club77", "https://vk.com/club77")


@pytest.mark.parametrize(("user", "closed"), [
    ({"id": 7, "first_name": "Анна", "last_name": "С", "is_closed": False}, False),
    ({"id": 7, "first_name": "Анна", "is_closed": True, "can_access_closed": False}, True),
    ({"id": 7, "first_name": "Анна", "is_closed": True, "can_access_closed": True}, False),
    ({"id": 7, "first_name": "DELETED", "deactivated": "deleted"}, True),
])
def test_user_info(user: dict[str, Any], closed: bool) -> None:
    info = user_info({**user, "followers_count": 12})
    assert (info.external_id, info.handle, info.audience, info.closed) == ("7", "id7", 12, closed)


def test_resolved_object() -> None:
    assert resolved_object(load("vk_utils_resolveScreenName.json")) == ("group", 123456789)
    assert resolved_object(load("vk_utils_resolveScreenName_not_found.json")) is None
    with pytest.raises(Malformed):
        resolved_object({"type": "group"})


# --- odd items -----------------------------------------------------------------------------------------------

BASE = {"id": 10, "owner_id": -1, "from_id": -1, "date": 1769158800, "text": "текст"}


@pytest.mark.parametrize(("change", "field", "expected"), [
    ({"views": None}, "views", None),  # old posts have no views
    ({"likes": {"count": -3}}, "likes", None),  # nonsense counters are dropped, not trusted
    ({"reposts": "many"}, "reposts", None),
    ({"text": ""}, "text", ""),
    ({"text": None}, "text", ""),
    ({"text": "a\x00b\ud800c"}, "text", "ab\ufffdc"),  # NUL dropped, lone surrogate replaced
    ({"text": "🏠" * 200_000}, "text", "🏠" * 200_000),  # huge text kept whole
    ({"text": "Ｄｅｓｎｏｇｏｒｓｋ\u200b\u202e"}, "text", "Ｄｅｓｎｏｇｏｒｓｋ\u200b\u202e"),
    ({"id": "10"}, "id", "-1_10"),  # numeric strings are accepted
    ({"copy_history": ["junk", {"text": "копия"}]}, "text", "текст\n\nкопия"),
])
def test_odd_posts(change: dict[str, Any], field: str, expected: Any) -> None:
    post = post_from_item({**BASE, "views": {"count": 1}, "likes": {"count": 1}, "reposts": {"count": 1}, **change},
                          source="s", names=Names())
    value = getattr(post.metrics, field) if field in ("views", "likes", "reposts") else getattr(post, field)
    assert value == expected


@pytest.mark.parametrize("change", [
    {"id": None}, {"id": True}, {"id": 1.5}, {"owner_id": "x"}, {"date": None}, {"date": 10**13}, {"date": -5},
    {"text": 42}, {"text": ["a"]},
])
def test_malformed_posts_raise_malformed(change: dict[str, Any]) -> None:
    with pytest.raises(Malformed):
        post_from_item({**BASE, **change}, source="s", names=Names())


@pytest.mark.parametrize(("payload", "parser"), [
    ("oops", wall_page), ({"items": "x"}, wall_page), (None, search_page), ({"items": 5}, comments_page),
    ({"groups": "x"}, groups_of), (7, by_id_page),
])
def test_malformed_pages_raise_malformed(payload: Any, parser: Any) -> None:
    with pytest.raises(Malformed):
        parser(payload)


@pytest.mark.parametrize(("key", "expected"), [
    ("-123_456", (-123, 456)), ("77_1", (77, 1)),
])
def test_split_post_key(key: str, expected: tuple[int, int]) -> None:
    assert split_post_key(key) == expected


@pytest.mark.parametrize("key", ["", "123", "-1_2/3", "a_b", "_5", "-1_"])
def test_split_post_key_rejects(key: str) -> None:
    with pytest.raises(Malformed):
        split_post_key(key)


# --- the property: whatever the shape, only Malformed ----------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63) | st.floats(allow_nan=True)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
KEYS = st.sampled_from(["id", "owner_id", "from_id", "date", "text", "views", "likes", "reposts", "comments",
                        "copy_history", "is_pinned", "signer_id", "deleted", "thread", "items", "profiles",
                        "groups", "count", "next_from", "name", "screen_name", "is_closed", "deactivated",
                        "first_name", "type", "object_id", "members_count"])
SHAPED = st.dictionaries(KEYS, JSON, max_size=8)
PAGE_LIKE = st.fixed_dictionaries({"items": st.lists(SHAPED | JSON, max_size=3)}, optional={
    "profiles": st.lists(SHAPED, max_size=2), "groups": st.lists(SHAPED, max_size=2), "count": JSON})


@settings(max_examples=300, deadline=None)
@given(st.one_of(JSON, SHAPED, PAGE_LIKE))
def test_parsers_raise_only_malformed(payload: Any) -> None:
    calls = [
        lambda: wall_page(payload), lambda: search_page(payload), lambda: comments_page(payload),
        lambda: by_id_page(payload), lambda: groups_of(payload), lambda: resolved_object(payload),
        lambda: names_from(payload), lambda: group_info(payload), lambda: user_info(payload),
        lambda: post_from_item(payload, source="s", names=names_from(payload)),
        lambda: comment_from_item(payload, owner_id=-1, post_id=1, source="s", names=Names()),
        lambda: thread_of(payload) if isinstance(payload, dict) else None,
    ]
    for call in calls:
        try:
            call()
        except Malformed:
            pass
    items = payload.get("items") if isinstance(payload, dict) else None
    for item in items if isinstance(items, list) else []:
        try:
            post_from_item(item, source="s", names=Names())
        except Malformed:
            pass


# --- cursors -------------------------------------------------------------------------------------------------


def test_cursors_round_trip() -> None:
    wall = WallCursor(41, WallSweep(floor=40, horizon=None, offset=200, below=12, top=99, pinned=[3]))
    assert WallCursor.load(wall.dump()) == wall
    search = SearchCursor({"Десногорск": QueryMark(100, ["-1_2"])},
                          SearchSweep(end_time=200, horizon=50, backfill=True, index=1, next_from="2/5_1_2",
                                      newest=QueryMark(150, ["-1_3"])))
    assert SearchCursor.load(search.dump()) == search
    assert WallCursor.load(None) == WallCursor()


@pytest.mark.parametrize("text", ["not json", "[]", '{"v": 99, "kind": "vk_wall"}', '{"v": 1, "kind": "vk_search"}',
                                  '{"v": 1, "kind": "vk_wall", "sweep": {"offset": "x"}}'])
def test_foreign_cursors_are_rejected(text: str) -> None:
    with pytest.raises(BadCursor):
        WallCursor.load(text)
