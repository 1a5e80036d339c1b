"""The checks of an official page as pure functions: figures, verdicts, Russian texts, score, ranking, advice."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from collectors.page import Contact, PageFacts
from config import Settings
from config.gospublics import FederalRegional, GospublicsSettings
from gospublics import Page, PageComment, PagePost, Period, QuestionAnswer, judge, page_accounts, problems_of
from gospublics.agenda import Agenda
from gospublics.checks import CheckContext, run_checks
from gospublics.checks.actuality import contacts_actual, pinned_actual
from gospublics.checks.audience import engagement, federal_regional
from gospublics.checks.design import design
from gospublics.checks.dialogue import answers, comments_open
from gospublics.checks.publishing import cadence, last_post, silence, weekends, working_hours
from gospublics.contacts import find_contacts, same_phone
from gospublics.dates import event_date, mentioned_dates
from gospublics.evaluate import PageInput, evaluate
from gospublics.recommend import recommendations
from gospublics.records import CheckResult
from gospublics.registry import read_csv
from gospublics.score import rank_within, score
from nlp.morph import Lemmatizer

TZ = ZoneInfo("Europe/Moscow")
END = datetime(2026, 6, 1, 0, 0, tzinfo=TZ)  # a Monday
PERIOD = Period(END - timedelta(days=30), END)
SETTINGS = GospublicsSettings(federal_regional=FederalRegional(
    accounts=["https://vk.com/region_adm", "https://t.me/cur67"], sites=["*.gosuslugi.ru", "gosuslugi.ru", "admin-smolensk.ru"],
    hashtags=["#нацпроекты"]))
PAGE = Page("vk:-1", "vk", "https://vk.com/school", "school", "Школа № 1", "education", "school", "-1",
            platform_title="МБОУ «СШ № 1»")


def at(day: int, hour: int = 12) -> datetime:
    """A moment ``day`` days after the period's start, at ``hour`` town time."""
    start = PERIOD.start.astimezone(TZ)
    return (start + timedelta(days=day)).replace(hour=hour, minute=0)


def post(day: int, hour: int = 12, text: str = "Новость школы", **fields: object) -> PagePost:
    values = {"likes": 10, "comments": 2, "reposts": 1, "views": 300, **fields}
    return PagePost(f"-1_{day}_{hour}", at(day, hour), text, **values)  # type: ignore[arg-type]


def facts(**fields: object) -> PageFacts:
    values = {"followers": 1000, "description": "Официальная страница школы № 1 города Десногорска",
              "has_avatar": True, "has_cover": True, "site": "https://school.example.ru",
              "contacts": (Contact("Приёмная", "+7 (48153) 7-44-00", "school@example.ru"),), "state_mark": True,
              "comments_open": True, **fields}
    return PageFacts("vk", "school", "-1", "МБОУ «СШ № 1»", "https://vk.com/school", END, **values)  # type: ignore[arg-type]


def ctx(posts: list[PagePost] | None = None, **fields: object) -> CheckContext:
    values: dict[str, object] = {
        "page": PAGE, "facts": facts(), "posts": tuple(posts or ()), "period": PERIOD, "now": END, "tz": TZ,
        "settings": SETTINGS, "agenda": Agenda(SETTINGS.federal_regional),
        "last_post_at": max((p.published_at for p in posts or ()), default=None), **fields,
    }
    return CheckContext(**values)  # type: ignore[arg-type]


EVERY_DAY = [post(day) for day in range(30)]


def _plain(text: str) -> str:
    """Texts keep a non-breaking space before «%»; compare with an ordinary one."""
    return text.replace("\u00a0", " ")


# --- publication ---------------------------------------------------------------------------------------------


def test_cadence_counts_posts_per_week_with_partial_credit() -> None:
    good = cadence(ctx(EVERY_DAY))
    assert good.ok and good.value == pytest.approx(7.0) and good.credit == 1.0
    poor = cadence(ctx([post(2), post(10), post(17), post(27)]))
    assert poor.ok is False and poor.value == pytest.approx(0.93, abs=0.01)
    assert poor.credit == pytest.approx(0.93 / 3, abs=0.01)
    assert poor.text == "4 поста за 30 дней: 0,9 в неделю при норме не меньше 3"


def test_silence_is_the_longest_gap_counting_the_edges() -> None:
    check = silence(ctx([post(2), post(3), post(15), post(27)]))
    assert check.ok is False and check.value == pytest.approx(12.0, abs=0.01)
    assert "12 дней" in check.text and "(с 5 мая по 17 мая)" in check.text
    tail = silence(ctx([post(1), post(6), post(12), post(18)]))
    assert tail.value == pytest.approx(11.5, abs=0.01), "from the last post to the period's end"
    earlier = silence(ctx([post(5)], previous_post_at=at(-20)))
    assert earlier.value == pytest.approx(25.0, abs=0.01), "a silence that began before the period counts whole"


def test_last_post_age_and_a_page_without_posts() -> None:
    assert last_post(ctx(EVERY_DAY)).ok
    old = last_post(ctx([post(3)]))
    assert old.ok is False and old.value == pytest.approx(26.5, abs=0.01) and "последний пост 5 мая" in old.text
    none = last_post(ctx([]))
    assert none.ok is False and none.text == "на странице нет ни одного поста"


def test_working_hours_share() -> None:
    night = [post(day, 23) for day in range(10)] + [post(day, 10) for day in range(10, 14)]
    check = working_hours(ctx(night))
    assert check.ok is False and check.value == pytest.approx(4 / 14, abs=0.001) and "08:00–20:00" in check.text
    assert working_hours(ctx([])).ok is None


def test_weekends_only_for_kinds_that_need_them() -> None:
    assert weekends(ctx(EVERY_DAY)).ok is None  # a school
    admin = replace(PAGE, kind="administration")
    weekdays = [post(day) for day in range(30) if at(day).weekday() < 5]
    check = weekends(ctx(weekdays, page=admin))
    assert check.ok is False and check.value == 0.0 and check.details == {"covered": 0, "weekends": 5}
    assert weekends(ctx(EVERY_DAY, page=admin)).ok


# --- content -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("item", "counts"), [
    (post(1, reposted_from=("vk:region_adm",)), True),
    (post(1, reposted_from=("vk:someone_else",)), False),
    (post(1, links=("https://www.gosuslugi.ru/600",)), True),
    (post(1, text="Подробнее на pos.gosuslugi.ru"), True),
    (post(1, text="Сайт нашего города: desnogorsk.admin-smolensk.ru"), False),  # the town's own site
    (post(1, text="Читайте https://admin-smolensk.ru/news/1"), True),
    (post(1, text="Итоги года #НацПроекты"), True),
    (post(1, text="Итоги года #нацпроектыСмоленск"), False),
    (post(1, text="Канал ЦУР: https://t.me/cur67/15"), True),
])
def test_federal_and_regional_component(item: PagePost, counts: bool) -> None:
    assert Agenda(SETTINGS.federal_regional).carries(item) is counts


def test_federal_regional_share_check() -> None:
    posts = [post(day, text="#нацпроекты" if day % 5 == 0 else "Новость") for day in range(20)]
    check = federal_regional(ctx(posts))
    assert check.ok is True and check.value == 0.2 and "в 4 из 20 постов (20 %)" in _plain(check.text)
    assert federal_regional(ctx([post(1)])).ok is False
    unconfigured = ctx([post(1)], agenda=Agenda(FederalRegional()))
    assert federal_regional(unconfigured).ok is None


def test_engagement_against_the_kind_and_the_past() -> None:
    posts = [post(day, likes=5, comments=0, reposts=0) for day in range(10)]  # 0.5 % per post
    assert engagement(ctx(posts)).ok is None  # nothing to compare with
    low = engagement(ctx(posts, kind_engagement=2.0, kind_title="Школы"))
    assert low.ok is False and low.limit == 1.0 and "медиана вида «Школы» 2 %" in low.text
    fell = engagement(ctx(posts, kind_engagement=0.6, past_engagement=1.5))
    assert fell.ok is False and fell.limit == 0.75 and "за предыдущий период 1,5 %" in fell.text
    assert engagement(ctx(posts, kind_engagement=0.8, past_engagement=0.7)).ok
    assert engagement(ctx(posts, facts=facts(followers=None))).ok is None


# --- dialogue ------------------------------------------------------------------------------------------------


def _comment(cid: str, post_id: str, moment: datetime, text: str, author: str = "Ирина", author_id: str | None = None,
             needs: bool | None = None) -> PageComment:
    return PageComment(cid, post_id, moment, text, author, author_id, needs, f"https://vk.com/wall{post_id}?reply={cid}")


def may(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5, day, hour, minute, tzinfo=TZ)


# Questions on the school's page in May 2026, its answers by name or by id, judged on the responses component's
# working calendar (09:00-18:00, first answer within 8 working hours): a Friday evening question answered on Monday
# morning is in time, a Tuesday one answered the next evening is late.
DIALOGUE = [
    _comment("1", "p1", may(12, 10), "Где расписание кружков?"),
    _comment("2", "p1", may(13, 17), "Добрый день! Расписание на сайте школы, раздел «Кружки».", author="МБОУ «СШ № 1»"),
    _comment("3", "p2", may(19, 10), "Когда почистят двор?"),  # not analysed yet: «?» makes it a question
    _comment("4", "p2", may(19, 13), "Добрый день! Завтра до обеда.", author="МБОУ «СШ № 1»"),  # the page by name
    _comment("5", "p3", may(22, 17), "Ремонт спортзала будет", needs=True),  # the NLP says it needs an answer
    _comment("6", "p3", may(25, 11), "Ремонт начнётся 1 июня, подрядчик выбран.", author="кто-то", author_id="vk:-1"),
    _comment("7", "p4", may(26, 10), "Спасибо?", needs=False),
    _comment("8", "p4", may(27, 10), "А мне ответят?"),
]


@pytest.fixture(scope="module")
def dialogue(builtin_settings: Settings, lemmatizer: Lemmatizer) -> Any:
    from responses import build_assessor

    assessor = build_assessor(builtin_settings, lemmatizer, {PAGE.body: list(page_accounts(PAGE))})
    return judge(PAGE, DIALOGUE, assessor, END)


def test_questions_are_judged_by_the_responses_component(dialogue: Any) -> None:
    questions = dialogue.questions
    assert [q.question_id for q in questions] == ["1", "3", "5", "8"]
    assert [q.status for q in questions] == ["breached", "met", "met", "overdue"]
    late, quick, weekend, open_ = questions
    assert late.minutes_to_answer == 31 * 60 and late.working_minutes == 16 * 60 and not late.answered_in_time
    assert quick.minutes_to_answer == 180 and quick.answered_in_time
    assert weekend.minutes_to_answer == 66 * 60 and weekend.working_minutes == 180 and weekend.answered_in_time
    assert open_.answered_at is None and open_.overdue(END) and open_.deadline_at == may(27, 18)
    assert {q.deadline_minutes for q in questions} == {480}
    figures = dialogue.figures
    assert (figures.appeals, figures.answered, figures.within_deadline, figures.overdue) == (4, 3, 2, 1)
    assert figures.answered_share == 0.75 and figures.in_time_share == 0.5
    assert figures.median_minutes == 31 * 60 and figures.median_working_minutes == 180


def test_answers_check_share_and_median(dialogue: Any) -> None:
    check = answers(ctx(questions=dialogue.questions, answers=dialogue.figures))
    assert check.ok is False and check.value == 0.5
    assert _plain(check.text).startswith("4 вопроса жителей: отвечено в срок исполнителя (8 ч рабочего времени) 2 "
                                         "(50 %), без ответа после срока 1, медиана ответа 31 ч (3 ч рабочего времени); "
                                         "норма — не меньше 80 % в срок, медиана не больше 8 ч рабочего времени")
    assert answers(ctx()).ok is None and "не было" in answers(ctx()).text
    report = evaluate([PageInput(PAGE, facts(), (post(3),), last_post_at=at(3), questions=dialogue.questions,
                                 answers=dialogue.figures)], PERIOD, END, SETTINGS, TZ)[0]
    record = report.to_record()
    assert (record["questions"], record["answered_share"], record["median_minutes_to_answer"]) == (4, 0.75, 1860)
    assert any(_plain(advice).startswith("отвечать жителям в комментариях в срок исполнителя (8 ч рабочего времени): "
                                         "из 4 вопросов в срок отвечено 2, без ответа 1")
               for advice in report.recommendations), report.recommendations


def test_a_question_inside_its_deadline_is_not_judged_yet(builtin_settings: Settings, lemmatizer: Lemmatizer) -> None:
    from responses import build_assessor

    assessor = build_assessor(builtin_settings, lemmatizer, {PAGE.body: list(page_accounts(PAGE))})
    late_sunday = judge(PAGE, [_comment("9", "p9", may(31, 22), "Завтра школа работает?")], assessor, END)
    (question,) = late_sunday.questions
    assert question.status == "open" and question.deadline_at == datetime(2026, 6, 1, 17, 0, tzinfo=TZ)
    check = answers(ctx(questions=late_sunday.questions, answers=late_sunday.figures))
    assert check.ok is None and check.text == "1 вопрос, срок ответа ещё не истёк"


def test_a_page_of_a_body_the_config_does_not_list_still_answers(builtin_settings: Settings,
                                                                  lemmatizer: Lemmatizer) -> None:
    """A town without a ``bodies`` section registers pages under any body name: its replies still count."""
    from responses import build_assessor

    bare = builtin_settings.model_copy(update={"bodies": []})
    page = replace(PAGE, body="school_x")
    assessor = build_assessor(bare, lemmatizer, {page.body: list(page_accounts(page))}, adopt_unknown=True)
    found = judge(page, DIALOGUE[2:4], assessor, END)
    assert [q.status for q in found.questions] == ["met"] and found.figures is not None
    assert found.figures.body_id == "school_x"


@pytest.mark.parametrize(("fields", "verdict"), [
    ({"comments_open": True}, True), ({"comments_open": False}, False), ({"comments_open": None}, None),
    ({"comments_open": True, "wall": "disabled"}, False),
])
def test_comments_open(fields: dict[str, object], verdict: bool | None) -> None:
    assert comments_open(ctx(facts=facts(**fields))).ok is verdict


# --- actuality and design ------------------------------------------------------------------------------------


def test_pinned_announcement_whose_date_passed() -> None:
    stale = PagePost("p", at(-20), "Утренник состоится 25 апреля в 10:00", pinned=True)
    check = pinned_actual(ctx(pinned=stale))
    assert check.ok is False and check.value == "2026-04-25" and "25 апреля" in check.text
    coming = PagePost("p", at(20), "Концерт 12 июня", pinned=True)
    assert pinned_actual(ctx(pinned=coming)).ok is True
    contacts_only = PagePost("p", datetime(2024, 9, 1, tzinfo=TZ), "Работаем с 1 сентября 2020 года, тел. 7-44-00")
    assert pinned_actual(ctx(pinned=contacts_only)).ok is True, "a date before publication is no event"
    assert pinned_actual(ctx()).ok is None


def test_contacts_differ_from_the_registry() -> None:
    page = replace(PAGE, expected={"phone": "+7 (48153) 7-22-33", "site": "https://school.example.ru"})
    check = contacts_actual(ctx(page=page))
    assert check.ok is False and "телефон на странице +7 (48153) 7-44-00, в реестре +7 (48153) 7-22-33" in check.text
    same = replace(PAGE, expected={"phone": "7-44-00", "email": "SCHOOL@example.ru"})
    assert contacts_actual(ctx(page=same)).ok is True
    assert contacts_actual(ctx()).ok is None
    silent = ctx(page=page, facts=facts(contacts=(), site=None, description="Школа"))
    assert contacts_actual(silent).ok is None, "nothing shown to compare"


def test_design_elements_present_absent_and_unknown() -> None:
    pinned = PagePost("p", at(1), "Контакты: +7 (48153) 7-44-00", pinned=True)
    full = design(ctx(pinned=pinned))
    assert full.ok and full.value == 7 and full.limit == 7
    bare = design(ctx(facts=facts(has_cover=False, description="", contacts=(), site=None, state_mark=False)))
    assert bare.ok is False and set(bare.details["absent"]) == {"cover", "description", "contacts", "site",
                                                                 "pinned_contacts", "state_mark"}
    unknown = design(ctx(pinned=pinned, facts=facts(has_cover=None, missing=("cover",))))
    assert unknown.ok and unknown.limit == 6 and "нет данных: обложка" in unknown.text
    telegram = replace(PAGE, platform="telegram", via="tme")
    tg = design(ctx(page=telegram, facts=replace(facts(), platform="telegram", has_cover=None, state_mark=None)))
    assert set(tg.details["unknown"]) == {"cover", "pinned_contacts", "state_mark"}


# --- score, ranking, advice, problems --------------------------------------------------------------------------


def test_score_weights_partial_credit_and_missing_data() -> None:
    checks = run_checks(ctx(EVERY_DAY, pinned=PagePost("p", at(1), "Контакты 7-44-00", pinned=True)))
    weights = SETTINGS.weights
    scored = score(checks, weights)
    assert scored is not None and 0 <= scored <= 100
    half = (CheckResult("cadence", False, 1.5, 3, "", 0.5), CheckResult("design", True, 7, 7, "", 1.0),
            CheckResult("answers", None, None, None, ""))
    assert score(half, {"cadence": 15, "design": 10, "answers": 10}) == pytest.approx(100 * (7.5 + 10) / 25, abs=0.1)
    assert score((CheckResult("answers", None, None, None, ""),), weights) is None


def test_ranking_within_kind_with_audience_as_tiebreak() -> None:
    ranks = rank_within({"a": "school", "b": "school", "c": "school", "d": "culture"},
                        {"a": 80.0, "b": 90.0, "c": 80.0, "d": 10.0}, {"a": 100.0, "c": 500.0})
    assert ranks == {"b": (1, 3), "c": (2, 3), "a": (3, 3), "d": (1, 1)}


def test_recommendations_quote_the_page_figures() -> None:
    context = ctx([post(2), post(3), post(15), post(27)])
    checks = run_checks(context)
    report = evaluate([PageInput(PAGE, facts(comments_open=False, has_cover=False), context.posts,
                                 last_post_at=context.last_post_at)], PERIOD, END, SETTINGS, TZ)[0]
    advice = recommendations(checks, report.figures, SETTINGS.thresholds, 30)
    assert advice[0] == "публиковать не реже 3 раз в неделю: за месяц 4 поста, самый долгий перерыв 12 дней"
    assert "включить комментарии" in report.recommendations
    assert "добавить обложку с названием учреждения" in report.recommendations
    assert "закрепить пост с контактами" in report.recommendations


def test_problems_for_the_role() -> None:
    overdue = QuestionAnswer("vk:-1", "q", END - timedelta(days=3), None, END - timedelta(days=2), "https://vk.com/x",
                             "Когда починят свет?", status="overdue", deadline_minutes=480)
    inputs = [PageInput(PAGE, facts(comments_open=False), (post(3),), last_post_at=at(3), questions=(overdue,))]
    report = evaluate(inputs, PERIOD, END, SETTINGS, TZ)[0]
    history = [(END - timedelta(days=8), 1100), (END - timedelta(days=1), 1000)]
    found = {p.code: p for p in problems_of(report, SETTINGS.thresholds, END, history)}
    assert set(found) == {"silence", "comments_closed", "unanswered", "followers_drop"}
    assert found["silence"].text == ("Госпаблик «Школа № 1» молчит 26 дней: последний пост 26 дней назад, "
                                     "норма — не больше 5 дней")
    assert "отток подписчиков 9,1 % — было 1100, стало 1000" in _plain(found["followers_drop"].text)
    assert "https://vk.com/x" in found["unanswered"].text
    assert "1 вопрос жителей без ответа дольше срока (8 ч рабочего времени)" in found["unanswered"].text
    gone = evaluate([PageInput(PAGE, facts(status="deleted", status_detail="удалено"))], PERIOD, END, SETTINGS, TZ)[0]
    assert gone.score is None and [p.code for p in problems_of(gone, SETTINGS.thresholds, END)] == ["gone"]


def test_a_bad_page_never_stops_the_others() -> None:
    inputs = [PageInput(PAGE, facts(status="closed", status_detail="закрыто")),
              PageInput(replace(PAGE, key="vk:-2", title="Школа № 2"), None, (post(1),), last_post_at=at(1)),
              PageInput(replace(PAGE, key="vk:-3", title="Школа № 3"), facts(), tuple(EVERY_DAY), last_post_at=at(29))]
    reports = {r.page.key: r for r in evaluate(inputs, PERIOD, END, SETTINGS, TZ)}
    assert reports["vk:-1"].status == "closed" and reports["vk:-1"].rank is None
    assert reports["vk:-2"].status == "new" and reports["vk:-2"].checked and "факты о странице ещё не собирались" in \
        reports["vk:-2"].status_text
    assert reports["vk:-3"].rank == 1 and reports["vk:-2"].rank == 2


# --- text helpers --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Концерт 12 мая в 18:00", date(2026, 5, 12)),
    ("с 10 по 12 мая 2026 года", date(2026, 5, 12)),
    ("Приём заявлений до 15.05", date(2026, 5, 15)),
    ("Приём граждан 12.05.26", date(2026, 5, 12)),
    ("Ёлка 10 января", date(2027, 1, 10)),
    ("Работаем с 1 сентября 2020 года", None),
    ("Начало в 12.10, дистанция 5.5 км", None),
    ("В 2 мкр 15 квартир", None),
])
def test_event_dates_in_announcements(text: str, expected: date | None) -> None:
    published = datetime(2026, 5, 3, 9, tzinfo=timezone.utc)
    assert event_date(text, published, TZ) == expected


def test_mentioned_dates_are_sorted_and_unique() -> None:
    published = datetime(2026, 5, 3, tzinfo=timezone.utc)
    assert mentioned_dates("9 мая — праздник, 1 мая был субботник, 09.05 снова", published, TZ) == \
        [date(2026, 5, 1), date(2026, 5, 9)]


def test_contacts_found_and_phones_compared() -> None:
    found = find_contacts(["Приёмная: +7 (48153) 7-44-00, adm@example.ru, сайт desnogorsk.admin-smolensk.ru",
                           "Запись 8-48153-74400 или 7-11-11; 12.05.2026"])
    assert found.phones == ("+7 (48153) 7-44-00", "8-48153-74400", "7-11-11")
    assert found.emails == ("adm@example.ru",) and found.hosts() == ("desnogorsk.admin-smolensk.ru",)
    assert same_phone("+7 (48153) 7-44-00", "8-48153-74400") and same_phone("7-44-00", "+7 48153 74400")
    assert not same_phone("7-11-11", "7-44-00") and not same_phone("1234", "1234")


def test_csv_registry_rows_with_problems_skipped() -> None:
    text = ("url;body;kind;name;phone\n"
            "https://vk.com/school1;education;school;Школа № 1;+7 (48153) 3-10-01\n"
            "https://vk.com/x;education;zoo;Зоопарк;\n"
            ";education;school;Без адреса;\n"
            "https://t.me/lib;culture;culture;;\n")
    entries, problems = read_csv(text.encode("cp1251"), SETTINGS.kinds)
    assert [e.url for e in entries] == ["https://vk.com/school1", "https://t.me/lib"]
    assert entries[0].expected == {"phone": "+7 (48153) 3-10-01"} and entries[1].name is None
    assert [str(p) for p in problems] == [
        "строка 3: неизвестный вид 'zoo' (есть: administration, school, kindergarten, culture, sport, health, social, "
        "youth, utilities, other)", "строка 4: нет адреса страницы"]
    assert read_csv(b"name,phone\nx,1\n", SETTINGS.kinds)[1][0].text.startswith("в заголовке нет столбцов: url, body")
    entries, problems = read_csv(b"url,body,kind\nhttps://vk.com/a,adm,school\n", SETTINGS.kinds, bodies={"education"})
    assert not entries and "неизвестный орган 'adm'" in problems[0].text
