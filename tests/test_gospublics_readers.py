"""Page facts read with each platform's real methods, against the loopback fakes built from the saved answers:
VK groups.getById + wall.get, OK group.getInfo + mediatopic.getTopics, Telegram GetFullChannel + history, and the
t.me/s card; closed, deleted and unknown pages come back as statuses, fields missing from an answer are named.

``tests/data/vk/vk_groups_getById_fields.json`` is written from the official schema (groups_group_full:
``cover`` base_owner_cover, ``contacts`` groups_contacts_item, ``links`` groups_links_item, ``wall``, ``fixed_post``);
the other payloads are the saved real shapes of ``shared/api``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from telethon.tl import types

from collectors.budget import Budget
from collectors.ok import OkClient
from collectors.ok.page import OkPageReader
from collectors.ok.page import page_facts as ok_facts
from collectors.page import PageRef, account_key
from collectors.telegram.page import PreviewPageReader, TelethonPageReader
from collectors.telegram.preview_client import PreviewClient
from collectors.telegram.preview_parse import parse_page
from collectors.telegram.session import TelethonSession
from collectors.vk import build_client
from collectors.vk.page import VkPageReader, page_facts
from collectors.vk.parse import groups_of
from config.schema import Settings
from config.secret import Secret
from tests.fakes.ok import FakeOk
from tests.fakes.telethon_client import FakeTelethonClient
from tests.fakes.tme import FakeTme
from tests.fakes.vk import NOW, FakeVk

DATA = Path(__file__).resolve().parent / "data"
SINCE = NOW - timedelta(days=40)


def _saved(name: str) -> object:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


# --- pure parsers on saved payloads --------------------------------------------------------------------------


def test_vk_facts_from_the_schema_shaped_answer() -> None:
    groups = groups_of(_saved("vk/vk_groups_getById_fields.json")["response"])  # type: ignore[index]
    facts = page_facts(groups[0], NOW)
    assert (facts.handle, facts.external_id, facts.followers) == ("zarechny_adm", "-98765432", 12044)
    assert facts.has_avatar and facts.has_cover and facts.state_mark
    assert facts.site == "https://zarechny.example.ru" and facts.links == ("https://zarechny.example.ru",)
    assert facts.contacts[0].phone == "+7 (495) 123-45-68" and facts.contacts[0].description == "Пресс-служба"
    assert facts.wall == "limited" and facts.pinned_id == "-98765432_5120"
    assert facts.status_text == "Приём граждан по вторникам с 10:00" and facts.missing == ()
    deleted = page_facts(groups[1], NOW)
    assert deleted.status == "deleted" and not deleted.readable and deleted.has_avatar is False


def test_vk_facts_of_the_saved_real_answer_name_what_it_lacks() -> None:
    groups = groups_of(_saved("vk/vk_groups_getById.json")["response"])  # type: ignore[index]
    facts = page_facts(groups[1], NOW)
    assert facts.title == "Администрация Заречного района" and facts.state_mark is True
    assert facts.site is None  # "" on the page: no site
    assert set(facts.missing) == {"cover", "contacts", "links", "wall", "has_photo"}
    assert facts.has_cover is None and facts.has_avatar is True  # a real photo URL, not VK's placeholder
    legacy = groups_of(_saved("vk/vk_groups_getById_legacy_v5_131.json")["response"])  # type: ignore[index]
    assert page_facts(legacy[0], NOW).followers is not None


def test_ok_facts_from_the_saved_answer() -> None:
    payload = _saved("ok/ok_group_getInfo.json")
    facts = ok_facts(payload, "70000001234567", NOW)
    assert facts.status == "ok" and facts.followers == 23817 and facts.has_avatar is True
    assert facts.handle == "zarechny.news" and facts.description == "Новости района, объявления ЖКХ, происшествия."
    assert set(facts.missing) == {"homepage_url", "phone"}
    assert ok_facts({"groups": payload}, "70000001234567", NOW).followers == 23817  # the documented wrapper
    assert ok_facts([], "1", NOW).status == "not_found"


def test_tme_card_gives_title_subscribers_description_and_no_avatar() -> None:
    page = parse_page((DATA / "tme" / "zarechny_news.html").read_text(encoding="utf-8"), "zarechny_news")
    assert page.header.audience == 12400 and "Предложить новость" in (page.header.description or "")
    assert page.header.has_avatar is False  # the letter placeholder beside the posts, no picture


# --- readers against the fakes -------------------------------------------------------------------------------


def _vk_settings(base: Settings, fake: FakeVk) -> Settings:
    vk = base.api.vk.model_copy(update={"token": Secret("env:MCU_VK_TOKEN", fake.token), "base_url": fake.base_url})
    collection = base.collection.model_copy(update={"timeout": 3.0, "retries": 1})
    return base.model_copy(update={"api": base.api.model_copy(update={"vk": vk}), "collection": collection})


@pytest.fixture
def vk(settings: Settings) -> Iterator[tuple[FakeVk, VkPageReader]]:
    with FakeVk("vk-test-token") as fake:
        reader = VkPageReader(build_client(_vk_settings(settings, fake), Budget(rates={}), sleep=lambda _: None),
                              clock=lambda: NOW)
        yield fake, reader
        reader.close()


def test_vk_reader_facts_feed_pinned_reposts_links(vk: tuple[FakeVk, VkPageReader]) -> None:
    fake, reader = vk
    fake.add_wall(-555, "desn_school1", "Школа № 1", posts=10, step=timedelta(days=2), members=800,
                  contacts=[{"user_id": 1, "desc": "Директор", "phone": "+7 (48153) 7-44-00"}], cover=True,
                  site="https://school1.example.ru", verified=1)
    fake.add_wall(-777, "demo_region", "Администрация области")
    pinned = fake.add_post(-555, "Контакты школы: 7-44-00", date=NOW - timedelta(days=90), is_pinned=True)
    fake.add_post(-555, "Репост", date=NOW - timedelta(hours=3), copy_text="Новости области #нацпроекты",
                  copy_owner=-777, links=["https://www.gosuslugi.ru/600"])
    fake.add_post(-555, "Старый пост", date=NOW - timedelta(days=80))
    read = reader.read(PageRef("vk_wall", "desn_school1", "-555"), SINCE)
    facts = read.facts
    assert facts.readable and facts.followers == 800 and facts.has_cover and facts.state_mark
    assert facts.comments_open is True and facts.wall == "open" and facts.posts_total == 13
    assert facts.pinned_id == f"-555_{pinned.id}"
    ids = [post.id for post in read.posts]
    assert f"-555_{pinned.id}" in ids and len(ids) == 12, "the pinned post whatever its age, nothing older than 40 days"
    marks = {mark.post_id: mark for mark in read.marks}
    assert marks[f"-555_{pinned.id}"].pinned
    repost = marks["-555_12"]
    assert {"vk:-777", "vk:demo_region", "vk:club777"} <= set(repost.reposted_from)
    assert repost.links == ("https://www.gosuslugi.ru/600",)
    assert read.calls == 2
    asked = fake.params("groups.getById")[0]["fields"].split(",")
    assert {"cover", "contacts", "links", "site", "verified", "wall", "fixed_post"} <= set(asked)


def test_vk_reader_comments_closed_on_every_post(vk: tuple[FakeVk, VkPageReader]) -> None:
    fake, reader = vk
    fake.add_wall(-556, "desn_sad", "Детский сад")
    for day in range(3):
        fake.add_post(-556, f"Новость {day}", date=NOW - timedelta(days=day), comments_closed=True)
    assert reader.read(PageRef("vk_wall", "desn_sad", "-556"), SINCE).facts.comments_open is False


@pytest.mark.parametrize(("options", "status"), [
    ({"is_closed": 1}, "closed"),
    ({"deactivated": "banned"}, "deleted"),
    ({"wall_error": 15}, "closed"),
    ({"wall_error": 18}, "deleted"),
])
def test_vk_reader_closed_and_deleted_pages_are_statuses(vk: tuple[FakeVk, VkPageReader], options: dict[str, object],
                                                         status: str) -> None:
    fake, reader = vk
    fake.add_wall(-600, "gone_page", "Страница", posts=3, **options)
    read = reader.read(PageRef("vk_wall", "gone_page", "-600"), SINCE)
    assert read.facts.status == status and read.posts == () and read.facts.status_detail


def test_vk_reader_unknown_page_is_not_found(vk: tuple[FakeVk, VkPageReader]) -> None:
    _, reader = vk
    read = reader.read(PageRef("vk_wall", "nobody", "-424242"), SINCE)
    assert read.facts.status == "not_found" and "не найдено" in (read.facts.status_detail or "")


def test_vk_reader_missing_fields_are_named_not_failed(vk: tuple[FakeVk, VkPageReader]) -> None:
    fake, reader = vk
    fake.add_wall(-557, "bare_page", "Страница без полей", posts=2, cover=None, contacts=None, links=None,
                  has_photo=None, wall_setting=None, description=None)
    facts = reader.read(PageRef("vk_wall", "bare_page", "-557"), SINCE).facts
    assert facts.readable and {"cover", "contacts", "links", "has_photo", "wall", "description"} <= set(facts.missing)
    assert facts.has_cover is None and facts.description is None


def test_vk_reader_follows_a_changed_screen_name(vk: tuple[FakeVk, VkPageReader]) -> None:
    fake, reader = vk
    wall = fake.add_wall(-558, "old_name", "Школа", posts=2)
    wall.screen_name = "new_name"
    read = reader.read(PageRef("vk_wall", "old_name", "-558"), SINCE)
    assert read.facts.handle == "new_name" and read.facts.url == "https://vk.com/new_name"
    assert {post.source for post in read.posts} == {"new_name"}


def _ok_settings(base: Settings, fake: FakeOk) -> Settings:
    ok = base.api.ok.model_copy(update={
        "base_url": fake.base_url, "application_key": fake.application_key,
        "application_secret": Secret("env:MCU_OK_APP_SECRET", fake.application_secret),
        "access_token": Secret("env:MCU_OK_ACCESS_TOKEN", fake.access_token),
    })
    return base.model_copy(update={"api": base.api.model_copy(update={"ok": ok})})


@pytest.fixture
def ok(settings: Settings) -> Iterator[tuple[FakeOk, OkPageReader]]:
    with FakeOk() as fake:
        client = OkClient.from_settings(_ok_settings(settings, fake), Budget(rates={}), sleep=lambda _: None)
        yield fake, OkPageReader(client, clock=lambda: NOW)


def test_ok_reader_facts_feed_and_sticky_topic(ok: tuple[FakeOk, OkPageReader]) -> None:
    fake, reader = ok
    group = fake.add_group("70000000900007", name="Детский сад «Ромашка»", topics=5, step=timedelta(days=3),
                           newest=NOW - timedelta(hours=2), members=410)
    group.info.update(homepage_url="https://ds5.example.ru", phone="8 (48153) 7-11-11")
    group.add_topic("Утренник 25 декабря", NOW - timedelta(days=100), sticky=True)
    group.add_topic("Запись в сад через Госуслуги", NOW - timedelta(days=1), link=("Госуслуги", "https://www.gosuslugi.ru/10175"))
    read = reader.read(PageRef("ok_group", "70000000900007", "70000000900007"), SINCE)
    facts = read.facts
    assert facts.readable and facts.followers == 410 and facts.site == "https://ds5.example.ru"
    assert facts.contacts[0].phone == "8 (48153) 7-11-11" and facts.missing == ()
    assert facts.comments_open is None and facts.state_mark is None and facts.has_cover is None
    marks = {mark.post_id: mark for mark in read.marks}
    assert sum(mark.pinned for mark in marks.values()) == 1
    assert any(mark.links == ("https://www.gosuslugi.ru/10175",) for mark in marks.values())
    assert len(read.posts) == 7


def test_ok_reader_falls_back_to_documented_fields(ok: tuple[FakeOk, OkPageReader]) -> None:
    fake, reader = ok
    fake.add_group("70000000900001", topics=2, newest=NOW - timedelta(days=1))
    fake.known_fields = {"uid", "name", "description", "shortname", "members_count", "access_type", "pic_avatar"}
    facts = reader.read(PageRef("ok_group", "70000000900001", "70000000900001"), SINCE).facts
    assert facts.readable and set(facts.missing) == {"homepage_url", "phone"}
    assert fake.calls("group.getInfo") == 2


@pytest.mark.parametrize(("access", "status"), [("CLOSED", "closed"), ("SECRET", "closed")])
def test_ok_reader_closed_group(ok: tuple[FakeOk, OkPageReader], access: str, status: str) -> None:
    fake, reader = ok
    fake.add_group("70000000900002", topics=2, access_type=access)
    read = reader.read(PageRef("ok_group", "70000000900002", "70000000900002"), SINCE)
    assert read.facts.status == status and read.posts == ()


def test_ok_reader_unknown_group_is_not_found(ok: tuple[FakeOk, OkPageReader]) -> None:
    _, reader = ok
    assert reader.read(PageRef("ok_group", "1", "1"), SINCE).facts.status == "not_found"


def test_tme_reader_walks_back_to_the_horizon_and_keeps_forwards(settings: Settings) -> None:
    with FakeTme(now=NOW) as fake:
        channel = fake.add_channel("demo_adm", 60, title="Администрация", step=timedelta(days=1), forward_every=5)
        channel.subscribers = 3100
        tme = settings.api.telegram.model_copy(update={"preview_base_url": fake.base_url})
        configured = settings.model_copy(update={"api": settings.api.model_copy(update={"telegram": tme})})
        reader = PreviewPageReader(PreviewClient.from_settings(configured, Budget(rates={})), clock=lambda: NOW)
        read = reader.read(PageRef("tme", "demo_adm"), SINCE)
        gone = reader.read(PageRef("tme", "no_such_channel"), SINCE)
        reader.close()
    assert read.facts.followers == 3100 and read.facts.title == "Администрация"
    assert 39 <= len(read.posts) <= 41 and min(p.published_at for p in read.posts) >= SINCE
    assert any(mark.reposted_from == (account_key("telegram", "city_adm"),) for mark in read.marks)
    assert read.facts.pinned_id is None and read.facts.comments_open is None  # the preview shows neither
    assert gone.facts.status == "not_found" and gone.posts == ()


def test_telethon_reader_full_channel_pinned_and_forwards(settings: Settings) -> None:
    client = FakeTelethonClient(now=NOW)
    channel = client.add_channel("demo_adm_tg", 20, title="Администрация", step=timedelta(days=1),
                                 about="Приёмная: +7 (48153) 7-44-00", photo=True)
    old = client.post(channel, 900, NOW - timedelta(days=200), "Контакты администрации: 7-44-00")
    channel.pinned_id = old.id
    region = types.Channel(id=777, title="Область", photo=types.ChatPhotoEmpty(), date=NOW, username="demo_region",
                           broadcast=True, access_hash=1)
    client.post(channel, 950, NOW - timedelta(hours=5), "Новости области",
                fwd_from=types.MessageFwdHeader(date=NOW, from_id=types.PeerChannel(channel_id=777)), fwd_entity=region)
    private = client.add_channel("private_one", 3)
    private.private = True
    session = TelethonSession(lambda: client, Budget(rates={}), timeout=10)
    reader = TelethonPageReader(session, clock=lambda: NOW)
    try:
        read = reader.read(PageRef("telegram", "demo_adm_tg"), SINCE)
        closed = reader.read(PageRef("telegram", "private_one"), SINCE)
        unknown = reader.read(PageRef("telegram", "nobody_here"), SINCE)
    finally:
        reader.close()
    facts = read.facts
    assert facts.description == "Приёмная: +7 (48153) 7-44-00" and facts.has_avatar is True
    assert facts.comments_open is True and facts.pinned_id == "900" and facts.followers == 12_400
    marks = {mark.post_id: mark for mark in read.marks}
    assert marks["900"].pinned, "the pinned post is fetched however old"
    assert marks["950"].reposted_from == ("telegram:demo_region",)
    assert [p["channel"] for m, p in client.requests if m == "GetFullChannel"].count("demo_adm_tg") == 1
    assert closed.facts.status == "closed" and unknown.facts.status == "not_found"


def test_readers_use_the_time_they_are_given() -> None:
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert PreviewPageReader(object(), clock=lambda: moment).clock() == moment  # type: ignore[arg-type]
