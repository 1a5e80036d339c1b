"""The rules of the responses component on tables of varied, real-register Russian texts written for the project:
reply quality (each verdict), residents' satisfaction (each verdict), routing to bodies, official authorship."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from config import Settings
from nlp import Lemmatizer
from responses import Account, Body, BodyDirectory, build_assessor
from responses.assess import Assessor
from responses.records import ThreadPost

NOW = datetime(2026, 2, 10, 7, 0, tzinfo=timezone.utc)


def post(text: str, *, id: str = "1", author: str | None = "Анна Круглова", author_id: str | None = "vk:701",
         parent: str | None = None, kinds: tuple[str, ...] = ("complaint",), source: str = "town", minutes: int = 0,
         likes: int = 0, needs: bool = False, sentiment: str = "neutral", platform: str = "vk",
         topic: str = "housing", places: tuple[str, ...] = ()) -> ThreadPost:
    return ThreadPost(f"{platform}:{source}:{id}", platform, source, id, NOW + timedelta(minutes=minutes), text, parent,
                      author=author, author_id=author_id, kinds=kinds, likes=likes, needs_response=needs,
                      sentiment=sentiment, topic=topic, places=places)


@pytest.fixture(scope="module")
def assessor(builtin_settings: Settings, lemmatizer: Lemmatizer) -> Assessor:
    return build_assessor(builtin_settings, lemmatizer)


APPEAL = post("В 4 мкр в доме 6 течёт крыша, управляющая компания не реагирует! Когда почините?",
              kinds=("complaint", "question"))

QUALITY = [
    # substantive: what, who, when
    ("Анна, добрый день! Причина — порыв на вводе в дом 5, аварийная бригада уже на месте, подачу горячей воды "
     "восстановим сегодня до 14:00.", "substantive"),
    ("Ремонт кровли дома 6 включён в план капремонта на 2026 год, подрядчик будет определён по итогам аукциона в "
     "марте.", "substantive"),
    ("Течь устранена, подача воды в дом восстановлена.", "substantive"),
    ("Завтра с 9 утра мастер УК проверит стояк и заменит вентиль, ожидайте.", "substantive"),
    ("Перевозчику выдано предписание, с 19 января утренний рейс в 7:10 будет выполняться по расписанию.",
     "substantive"),
    ("Да, прививку от пневмококка делают в том же кабинете поликлиники, приём с 8:00 до 14:00 по будням.",
     "substantive"),
    # formulaic: passed on, noted, under control
    ("Ваше обращение передано в управляющую компанию.", "formulaic"),
    ("Информация принята к сведению, вопрос находится на контроле.", "formulaic"),
    ("Спасибо за обращение! Разберёмся.", "formulaic"),
    ("Добрый день. Ваш вопрос направлен в профильный отдел, ответ будет дан в установленный срок.", "formulaic"),
    ("Мы вас услышали, проблема будет рассмотрена в ближайшее время.", "formulaic"),
    # request: asks for details
    ("Уточните, пожалуйста, номер дома и подъезд — направим мастера.", "request"),
    ("Напишите в личные сообщения сообщества ваш адрес и телефон для связи.", "request"),
    ("В каком доме нет отопления? Подскажите адрес.", "request"),
    ("Пришлите, пожалуйста, фото ямы и укажите, у какого дома она находится.", "request"),
    # conflict: rude, blaming, arguing, sarcasm, personal data
    ("Сами виноваты, надо было раньше заявку подавать, а не в интернете писать.", "conflict"),
    ("Не разводите панику и не распространяйте слухи, крыша у вас не рухнет.", "conflict"),
    ("Бред какой-то, у всех всё работает.", "conflict"),
    ("Ну конечно, все вокруг виноваты, кроме вас)))", "conflict"),
    ("Жительница кв. 45 Петрова Анна Сергеевна тоже жаловалась, разберёмся.", "conflict"),
    ("Позвоните мастеру Игорю по номеру 8-910-123-45-67.", "conflict"),
    ("Если вам не нравится — уезжайте, никто не держит.", "conflict"),
]


@pytest.mark.parametrize(("text", "expected"), QUALITY)
def test_reply_quality(assessor: Assessor, text: str, expected: str) -> None:
    verdict = assessor.quality.judge(post(text, id="2", author="УК", author_id="vk:-77", minutes=60), APPEAL)
    assert verdict.label == expected, verdict.reasons
    assert verdict.reasons, "every verdict names its reasons"


def test_conflict_reasons_say_what_was_wrong(assessor: Assessor) -> None:
    reasons = assessor.quality.judge(post("Жительница кв. 45 Петрова Анна Сергеевна тоже жаловалась.", id="2"),
                                     APPEAL).reasons
    assert "в ответе адрес с номером квартиры" in reasons
    assert any("Петрова Анна Сергеевна" in r for r in reasons)


def test_an_officials_name_and_an_office_phone_are_no_disclosure(assessor: Assessor) -> None:
    text = ("Начальник ЖЭУ Иванов Пётр Сергеевич лично проверит подъезд завтра, телефон диспетчерской "
            "8 (48153) 7-12-34.")
    assert assessor.quality.judge(post(text, id="2"), APPEAL).label == "substantive"


def test_addressing_the_resident_by_name_is_no_disclosure(assessor: Assessor) -> None:
    text = "Анна Круглова, добрый день! Бригада выехала, подачу воды восстановим до 18:00."
    assert assessor.quality.judge(post(text, id="2"), APPEAL).label == "substantive"


def test_an_official_refutation_to_everyone_is_not_an_argument(assessor: Assessor) -> None:
    """«Не распространяйте непроверенную информацию» in an official post is no conflict; in a reply it is."""
    text = "В сети распространяется ложная информация об аварии. Радиационный фон в норме. Не распространяйте слухи."
    as_post = assessor.quality.judge(post(text, id="2"), APPEAL, addressed=False)
    as_reply = assessor.quality.judge(post(text, id="2"), APPEAL, addressed=True)
    assert as_post.label != "conflict" and as_reply.label == "conflict"


def test_deleting_the_appeal_after_the_reply_is_a_conflict(assessor: Assessor) -> None:
    verdict = assessor.quality.judge(post("Бригада выехала, починим до вечера.", id="2"), APPEAL, deleted_after=True)
    assert verdict.label == "conflict"
    assert "обращение удалено после ответа официального аккаунта" in verdict.reasons


SATISFACTION = [
    # the author's own words weigh most
    (["Спасибо, вода пошла!"], "satisfied"),
    (["Починили, спасибо большое"], "satisfied"),
    (["Всё сделали, благодарю за оперативность"], "satisfied"),
    (["Спасибо за отписку. Как текло, так и течёт"], "dissatisfied"),
    (["Опять отписка, ничего не сделано"], "dissatisfied"),
    (["Так никто и не пришёл, крыша течёт по-прежнему"], "dissatisfied"),
    (["Спасибо, но воды до сих пор нет"], "dissatisfied"),
    (["Какие дети? Это хамство! Буду жаловаться в прокуратуру"], "dissatisfied"),
    # nothing said, or only details
    ([], "unknown"),
    (["Дом 18"], "unknown"),
]


@pytest.mark.parametrize(("follow_ups", "expected"), SATISFACTION)
def test_satisfaction_after_the_reply(assessor: Assessor, follow_ups: list[str], expected: str) -> None:
    reply = post("Бригада выехала, восстановим до 18:00.", id="2", author="УК", author_id="vk:-77", minutes=30)
    later = [post(text, id=f"f{i}", minutes=60 + i, kinds=()) for i, text in enumerate(follow_ups)]
    verdict = assessor.satisfaction.judge(APPEAL, reply, later)
    assert verdict.label == expected, verdict.reasons
    assert verdict.reasons


def test_other_residents_and_reactions_count_less_than_the_author(assessor: Assessor) -> None:
    reply = post("Информация передана.", id="2", author="УК", author_id="vk:-77", minutes=30, likes=0)
    appeal = post(APPEAL.text, likes=40)
    others = [post("Опять отписка", id="o1", author="Олег", author_id="vk:702", minutes=40, kinds=()),
              post("Спасибо, вода пошла!", id="o2", minutes=50, kinds=())]  # the author: content
    verdict = assessor.satisfaction.judge(appeal, reply, others)
    assert verdict.label == "satisfied"
    assert any("жалобу поддержали 40" in r for r in verdict.reasons)


def test_a_repeated_complaint_means_dissatisfied(assessor: Assessor) -> None:
    reply = post("Информация принята к сведению.", id="2", author="УК", author_id="vk:-77", minutes=30)
    repeat = post("Крыша так и течёт, управляющая компания, сколько можно?", id="9", minutes=3 * 24 * 60)
    verdict = assessor.satisfaction.judge(APPEAL, reply, [], repeat, 3)
    assert verdict.label == "dissatisfied"
    assert "автор снова жалуется на ту же проблему через 3 дн." in verdict.reasons


def test_no_reply_no_satisfaction(assessor: Assessor) -> None:
    assert assessor.satisfaction.judge(APPEAL, None, []).label == "unknown"


# --- bodies: who wrote it, whom it is addressed to ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def directory(builtin_settings: Settings, lemmatizer: Lemmatizer) -> BodyDirectory:
    from responses import bodies_of

    bodies = bodies_of(builtin_settings, {
        "admin": [Account("vk", "-3", "desna_adm", names=("Администрация г. Десногорск",))],
        "kkp": [Account("telegram", "-1004004", "kkp_channel", "kkp_chat")],
    })
    return BodyDirectory(bodies, lemmatizer)


ROUTES = [
    ("В МСЧ не дозвониться в регистратуру, запись к неврологу только через месяц", "town", ("msch",)),
    ("В 3 школе в кабинетах холодно, дети сидят в куртках", "town", ("school_3",)),
    ("Управляющая компания, когда почините лифт в доме 2?", "town", ("management_companies",)),
    ("МСЧ и администрация, когда починят пандус у поликлиники?", "town", ("msch", "admin")),
    ("Когда почистят дорогу у дома 9?", "desna_adm", ("admin",)),
    ("В садике холодно, дети болеют", "desna_adm", ("admin", "kindergartens")),
    ("Нет горячей воды в доме 11", "kkp_chat", ("kkp",)),
]


@pytest.mark.parametrize(("text", "source", "expected"), ROUTES)
def test_routing_by_page_and_by_the_body_named(directory: BodyDirectory, text: str, source: str,
                                               expected: tuple[str, ...]) -> None:
    platform = "telegram" if source.startswith("kkp") else "vk"
    assert directory.route(post(text, source=source, platform=platform)).bodies == expected


def test_routing_by_topic_and_the_default(directory: BodyDirectory) -> None:
    assert directory.route(post("Нет отопления третий день", topic="housing")).bodies == ("kkp",)
    assert directory.route(post("Ямы на дороге", topic="roads")).bodies == ("admin",)
    routed = directory.route(post("Просто вопрос", topic="other"))
    assert routed.bodies == ("admin",) and "по умолчанию" in routed.reasons[0]


def test_a_comment_speaks_to_whoever_its_post_named(directory: BodyDirectory) -> None:
    parent = post("Управляющая компания, когда починят крышу?", id="p")
    comment = post("У нас тоже течёт", id="c", parent="p", author="Олег", author_id="vk:702")
    assert directory.route(comment, parent).bodies == ("management_companies",)


def test_official_authorship(directory: BodyDirectory) -> None:
    renamed = post("Бригада выехала", author="Администрация Десногорска — официально", author_id="vk:-3")
    assert directory.author_body(renamed) == "admin", "a renamed account keeps its id"
    assert directory.author_body(post("Тоже нет воды", author_id="vk:555")) is None
    channel_post = post("Плановые работы", source="kkp_channel", platform="telegram", author=None, author_id=None)
    assert directory.author_body(channel_post) == "kkp"
    as_channel = post("Слесарь выехал", source="kkp_chat", platform="telegram", author_id="tg:-1001004004",
                      parent="1")
    assert directory.author_body(as_channel) == "kkp", "a channel id with the -100 prefix is the same channel"
    resident_on_wall = post("Когда почистят?", source="desna_adm", author_id="vk:801")
    assert directory.author_body(resident_on_wall) is None, "a resident may write on an open wall"
    root = post("График уборки", id="r", source="desna_adm", author="Администрация г. Десногорск", author_id=None)
    by_name = post("Почистим сегодня", id="c", source="desna_adm", parent="r",
                   author="Администрация г. Десногорск", author_id=None)
    assert directory.author_body(by_name, root) == "admin"
