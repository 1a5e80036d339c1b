"""The threats a control centre exists to catch: alarm markers, copy-paste waves, refutations, slow-burning
problems — each as a number a person can check and a reason in Russian."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from alerts import decide
from alerts.alert import PreviousAlert
from alerts.message import render
from config import Settings
from nlp import Lemmatizer
from nlp.alarm import AlarmDetector
from nlp.morph import tokenize
from nlp.annotation import Entity
from nlp.places import PlaceKeys
from risk import Member, PostFeatures, RiskAssessment, RiskScorer, StoryMatcher, StoryState, StoryView, fingerprint
from risk.alarm import is_refutation, post_alarm, story_alarm
from risk.baselines import Baselines
from risk.recurrence import measure
from risk.waves import copy_groups, find_wave

T0 = datetime(2026, 6, 18, 11, 0, tzinfo=timezone.utc)
RUMOUR = ("На САЭС нештатная ситуация на 3 блоке, после обеда начнут эвакуацию 5, 6 и 7 мкр. Автобусы уже собирают "
          "у ДК. Знакомый из МЧС сказал, официально молчат. Перешлите всем!")
WRAPPED = [
    RUMOUR,
    "Девочки, срочно!!! " + RUMOUR + " 🙏",
    RUMOUR.upper(),
    "не по теме, но важно. на саэс нештатная ситуацыя на 3 блоке, после обеда начнут эвакуацыю 5, 6 и 7 мкр. "
    "автобусы уже собирают у дк. знакомый из мчс сказал, официально молчат. перешлите всем",
    "Подписчица пишет: «" + RUMOUR[:-16] + "»",
]


@pytest.fixture(scope="module")
def detector(settings: Settings, lemmatizer: Lemmatizer) -> AlarmDetector:
    return AlarmDetector(lemmatizer, settings.nlp.alarm)


def signals_of(detector: AlarmDetector, lemmatizer: Lemmatizer, text: str) -> list[str]:
    tokens = tokenize(text)
    return detector.signals(tokens, [lemmatizer.lemma(t) for t in tokens])


def scorer(settings: Settings) -> RiskScorer:
    return RiskScorer(settings.risk, {t.code: t.severity for t in settings.topics}, {t.code: t.title for t in settings.topics})


def member(n: int, text: str, *, source: str | None = None, platform: str = "vk", minutes: float = 0,
           label: str = "neutral", topic: str = "npp", signals: tuple[str, ...] = (), author: str | None = None,
           needs: bool = False, comment: bool = False, views: int = 200) -> Member:
    at = T0 + timedelta(minutes=minutes)
    return Member(
        key=f"{platform}:{source or f's{n}'}:{n}", platform=platform, source=source or f"s{n}", published_at=at,
        seen_at=at, is_comment=comment, relevance=0.9, sentiment_label=label, sentiment_score=0.0, topics=(topic,),
        signals=signals, needs_response=needs, views=views, first_views=views, first_seen_at=at, text=text,
        excerpt=text[:160], author=author or f"Автор {n}",
    )


# --- alarm markers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "kinds"), [
    ("Говорят, на САЭС выброс, закройте окна и перешлите всем!", {"hearsay", "danger", "spread"}),
    ("Знакомая медсестра сказала: все школы закроют на карантин", {"hearsay", "scale"}),
    ("В магазинах скупают соль и сахар, полки пустые", {"danger"}),
    ("Врач говорит, что анализы хорошие", set()),  # «=говорят» is the hearsay form, not any «говорить»
    ("Сделайте репост, пожалуйста, срочно нужна помощь", {"spread"}),
    ("Купили билеты на концерт в ДК, всё отлично", set()),
])
def test_alarm_markers_are_found_by_kind(detector, lemmatizer, text: str, kinds: set[str]) -> None:  # type: ignore[no-untyped-def]
    found = {s.split(":")[1] for s in signals_of(detector, lemmatizer, text) if s.startswith("alarm:")}
    assert found == kinds


def test_a_phrase_inside_a_longer_one_is_one_hit(detector, lemmatizer) -> None:  # type: ignore[no-untyped-def]
    found = signals_of(detector, lemmatizer, "Закройте окна! Перешлите всем")
    assert found == ["alarm:spread:перешлите всем", "alarm:danger:закройте окна"]


@pytest.mark.parametrize(("text", "signals"), [
    ("Школу не закроют, не переживайте", []),
    ("Быстрее через терапевта, если срочно", []),
    ("Говорят, воду отключат надолго, а нам ничего не говорят", ["alarm:hearsay:говорят", "alarm:scale:надолго"]),
    ("Срочно! Школу закроют", ["alarm:spread:срочно", "alarm:scale:закроют"]),
])
def test_a_denied_or_supposed_claim_is_no_alarm(detector, lemmatizer, text: str, signals: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert signals_of(detector, lemmatizer, text) == signals


def test_planned_register_and_refutations_are_signals(detector, lemmatizer) -> None:  # type: ignore[no-untyped-def]
    notice = signals_of(detector, lemmatizer, "В связи с плановыми работами отключат воду, запаситесь водой. Приносим извинения")
    assert "alarm:scale:запастись" in notice and "planned:приносим извинения" in notice
    denial = signals_of(detector, lemmatizer, "Информация о выбросе не соответствует действительности, станция работает в штатном режиме")
    assert "refutation:не соответствует действительности" in denial and "reassurance:штатном режиме" in denial


def test_alarm_value_adds_kinds_and_damps_planned_notices(settings: Settings) -> None:
    weights = settings.risk.alarm
    claim = ("alarm:danger:выброс", "alarm:hearsay:говорят", "alarm:spread:перешлите всем")
    assert post_alarm(claim, weights) == 1.0
    assert post_alarm(("alarm:spread:срочно", "alarm:spread:сделайте репост"), weights) < weights.alarming  # charity
    assert post_alarm(("alarm:danger:выброс",), weights) < weights.alarming <= post_alarm(("alarm:danger:выброс", "alarm:danger:пить йод"), weights)
    assert post_alarm((*claim, "planned:плановый"), weights) == pytest.approx(weights.planned)


def test_story_alarm_is_damped_when_few_posts_carry_markers(settings: Settings) -> None:
    alarming = member(1, "x", signals=("alarm:danger:выброс", "alarm:hearsay:говорят"))
    calm = [member(i, "y") for i in range(2, 12)]
    assert story_alarm([alarming], settings.risk.alarm).value == pytest.approx(0.8)
    assert story_alarm([alarming, *calm], settings.risk.alarm).value < 0.5


def test_doubt_is_not_a_refutation_but_a_statement_is() -> None:
    denial = member(1, "Это фейк, станция работает", signals=("refutation:фейк",))
    assert is_refutation(denial)
    assert not is_refutation(replace(denial, signals=("refutation:фейк", "question")))
    assert not is_refutation(replace(denial, is_comment=True))
    calm_words = member(2, "Фон в норме", signals=("reassurance:фон в пределах нормы",))
    assert not is_refutation(calm_words) and is_refutation(replace(calm_words, signals=(*calm_words.signals, "official_source")))
    assert not is_refutation(member(3, "Ведутся работы", signals=("official_source",)))  # an answer, not a denial


# --- copy-paste waves ------------------------------------------------------------------------------------


def test_copies_with_wrappers_typos_and_caps_are_one_group() -> None:
    members = [member(i, text, minutes=i) for i, text in enumerate(WRAPPED)]
    other = member(9, "В 3 мкр опять не вывезли мусор, контейнеры переполнены уже неделю, когда это кончится")
    groups = copy_groups([*members, other], 0.5)
    assert [len(g) for g in groups] == [5, 1]


def test_wave_is_counted_in_its_densest_window() -> None:
    early = [member(i, RUMOUR, minutes=i * 2) for i in range(6)]
    late = [member(10 + i, RUMOUR, minutes=300 + i) for i in range(3)]
    wave = find_wave([*early, *late], 0.5, timedelta(hours=1), 3)
    assert wave is not None and wave.count == 6 and wave.sources == 6 and wave.span == timedelta(minutes=10)


def test_neutral_alarming_wave_is_high_with_its_numbers(settings: Settings, detector, lemmatizer) -> None:  # type: ignore[no-untyped-def]
    platforms = ("vk", "ok", "telegram")
    members = [member(i, text, platform=platforms[i % 3], minutes=2 * i, signals=tuple(signals_of(detector, lemmatizer, text)))
               for i, text in enumerate(WRAPPED * 2)]
    result = scorer(settings).assess(members, T0 + timedelta(minutes=20))
    assert result.level in {"high", "critical"}, result
    assert "одинаковый текст: 10 копий в 10 источниках за 18 мин" in result.reasons
    assert any(r.startswith("тревожные признаки: угроза — эвакуация") for r in result.reasons)
    assert result.factors["negativity"] == 0.0  # every copy is neutral


def test_the_same_wave_without_alarm_markers_stays_low(settings: Settings) -> None:
    text = ("Дорогие атомщики Смоленской АЭС! Поздравляем с Днём работника атомной промышленности, желаем здоровья и "
            "благополучия вашим семьям!")
    members = [member(i, text, platform=("vk", "ok", "telegram")[i % 3], minutes=i, label="positive", views=3000)
               for i in range(15)]
    result = scorer(settings).assess(members, T0 + timedelta(minutes=20))
    assert result.level == "low", result
    assert result.factors["wave"] == 1.0  # a wave all the same: it only amplifies trouble, and there is none


def test_an_alarming_wave_is_at_least_high_even_on_a_mild_topic(settings: Settings) -> None:
    claim = ("alarm:scale:все школы", "alarm:hearsay:знакомый сказал", "alarm:spread:перешлите всем")
    text = "Все школы закрывают на месяц, знакомый сказал, перешлите всем родителям, официально пока молчат"
    members = [member(i, text, topic="education", minutes=i, signals=claim, views=10) for i in range(5)]
    result = scorer(settings).assess(members, T0 + timedelta(minutes=10))
    assert result.score >= settings.risk.levels.high
    assert result.reasons[0] == "вброс: тревожный текст расходится копиями — уровень не ниже высокого"


def test_refutation_lowers_the_story_and_is_named_first(settings: Settings) -> None:
    claim = ("alarm:danger:эвакуация", "alarm:hearsay:знакомый из", "alarm:spread:перешлите всем")
    wave = [member(i, RUMOUR, minutes=i, signals=claim) for i in range(8)]
    denial = member(20, "Информация об эвакуации не соответствует действительности. САЭС работает в штатном режиме.",
                    source="admin", minutes=60, signals=("refutation:не соответствует действительности",),
                    author="Администрация города")
    before = scorer(settings).assess(wave, T0 + timedelta(minutes=60))
    after = scorer(settings).assess([*wave, denial], T0 + timedelta(minutes=60))
    assert after.score < before.score and after.level != "critical"
    assert after.reasons[0].startswith("опровержение: Администрация города: «Информация об эвакуации не соответствует")


def test_a_bot_flood_in_one_community_is_named_but_is_no_wave(settings: Settings) -> None:
    flood = [member(i, RUMOUR, source="gorod", minutes=i / 1000, author=f"bot{i}") for i in range(300)]
    result = scorer(settings).assess(flood, T0 + timedelta(minutes=5))
    assert result.factors.get("wave", 0.0) == 0.0
    assert "наплыв одинаковых постов: 300 копий в 1 источнике за 1 мин" in result.reasons


def test_copies_from_accounts_nobody_knew_are_counted(settings: Settings) -> None:
    members = [member(i, RUMOUR, minutes=i, signals=("alarm:danger:эвакуация",)) for i in range(6)]
    known = Baselines(known_accounts=frozenset({"vk:Автор 0", "vk:Автор 1"}), foreign_sources=frozenset({("vk", "s1")}))
    result = scorer(settings).assess(members, T0 + timedelta(minutes=10), known)
    assert any(r.endswith("из них 5 — от новых аккаунтов или посторонних сообществ") for r in result.reasons)


# --- slow-burning problems ------------------------------------------------------------------------------


def complaint(n: int, day: float, author: str, text: str = "В школе №3 опять кормят холодным, сколько можно") -> Member:
    return replace(member(n, text, minutes=day * 1440, label="negative", topic="education", author=author),
                   needs_response=True, signals=("complaint",))


def test_complaints_from_different_residents_over_days_are_a_recurring_problem(settings: Settings) -> None:
    members = [complaint(i, day, f"Родитель {i}") for i, day in enumerate((0, 2, 4.5, 9))]
    result = scorer(settings).assess(members, T0 + timedelta(days=9))
    assert result.score >= settings.risk.levels.medium
    assert "повторяющаяся проблема: 4 жалобы за 9 дней от 4 авторов" in result.reasons
    longer = [*members, *(complaint(10 + i, 10 + i, f"Бабушка {i}") for i in range(4))]
    assert scorer(settings).assess(longer, T0 + timedelta(days=14)).factors["recurrence"] > result.factors["recurrence"]


def test_one_author_repeating_himself_is_not_a_recurrence(settings: Settings) -> None:
    members = [complaint(i, day, "Геннадий Т.") for i, day in enumerate((0, 1, 2, 4, 6, 8))]
    result = scorer(settings).assess(members, T0 + timedelta(days=9))
    assert result.factors.get("recurrence", 0.0) == 0.0 and result.level == "low"
    assert not any(r.startswith("повторяющаяся проблема") for r in result.reasons)


def test_a_town_page_relaying_residents_counts_each_resident() -> None:
    relayed = [replace(complaint(i, i, "Подслушано"), author=None, source="podslushano",
                       text=f"Подслушано: в школе №3 опять холодный обед, жалоба {i}") for i in range(4)]
    assert measure(relayed).authors == 4
    assert measure([replace(m, text="Опять холодный обед") for m in relayed]).authors == 1


def matcher() -> StoryMatcher:
    return StoryMatcher(timedelta(hours=48), 0.5, timedelta(hours=12), town_places=("десногорск",),
                        recurrence_window=timedelta(days=14))


def test_a_complaint_joins_an_older_complaint_story_about_the_same_institution() -> None:
    story = StoryState(1, "education", ("школа №3",), frozenset(), T0, T0, negative=True, complaint=True)
    later = PostFeatures("education", ("школа №3",), frozenset({"столовая"}), T0 + timedelta(days=6),
                         topics=("education",), negative=True, complaint=True)
    assert matcher().match(later, [story]) == 1
    assert matcher().match(replace(later, at=T0 + timedelta(days=15)), [story]) is None
    assert matcher().match(replace(later, places=("школа №5",)), [story]) is None
    praise = replace(later, negative=False, complaint=False)  # calm posts join only within the place window
    assert matcher().match(praise, [story]) is None


def test_a_refutation_joins_the_alarming_story_it_names(lemmatizer: Lemmatizer) -> None:
    rumour = StoryState(1, "npp", (), fingerprint(lemmatizer.lemmas(RUMOUR)), T0, T0, alarm=1.0)
    unrelated = StoryState(2, "culture", (), fingerprint(lemmatizer.lemmas("Концерт в ДК в субботу, вход свободный")), T0, T0)
    text = "Сообщения об эвакуации 5, 6 и 7 мкр из-за ситуации на САЭС не соответствуют действительности"
    lemmas = lemmatizer.lemmas(text)
    denial = PostFeatures("politics", (), fingerprint(lemmas), T0 + timedelta(hours=2), refutation=True,
                          words=frozenset(lemmas))
    assert matcher().match(denial, [unrelated, rumour]) == 1


@pytest.mark.parametrize(("text", "keys"), [
    ("В 3-й школе опять холодно", ["школа №3"]),
    ("школа № 3, столовая", ["школа №3"]),
    ("в третьей школе", ["школа №3"]),
    ("у нас 2 школы рядом", []),
    ("детский сад «Солнышко» закрыт", ["детский сад солнышко"]),
    ("7 мкр д 5 подвал затоплен", ["7 мкр, д. 5"]),
    ("дом 5 в 7 мкр", ["7 мкр, д. 5"]),
    ("в медсанчасти очередь", ["мсч"]),
])
def test_place_keys_are_the_same_however_written(settings: Settings, lemmatizer: Lemmatizer, text: str, keys: list[str]) -> None:
    found = PlaceKeys(lemmatizer, settings.gazetteer.institutions, settings.gazetteer.districts_max,
                      aliases=settings.gazetteer.place_aliases).find(text, lemmatizer.lemmas(text))
    assert found == keys


# --- alerts ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "word", "kept"), [
    ("Ушёл наш сосед. Родным и близким соболезнования", "Родным", False),  # a common word at a sentence start
    ("Пришла за справкой. Печать так и не поставили", "Печать", False),
    ("Участникам СВО не выплатили пособие", "СВО", False),
    ("В МФЦ опять очередь на два часа", "МФЦ", True),
    ("На стадионе «Сокол» нет света", "Сокол", True),
    ("Опять просрочка в Пятёрочке", "Пятёрочке", True),  # inside a sentence a capital says it is a name
])
def test_one_word_organisations_are_places_only_when_they_are_names(settings: Settings, lemmatizer: Lemmatizer, text: str,
                                                                    word: str, kept: bool) -> None:
    keys = PlaceKeys(lemmatizer, [], settings.gazetteer.districts_max)
    found = keys.find(text, lemmatizer.lemmas(text), [Entity("organisation", word, word)])
    assert (word.lower().replace("ё", "е") in found) is kept, found


def view(level: str, score: float, reasons: tuple[str, ...], posts: int = 20) -> StoryView:
    return StoryView(7, "На САЭС нештатная ситуация", "npp", "АЭС", (), T0, T0, posts, 9, ("ok", "vk"),
                     RiskAssessment(score, level, reasons))


def test_refutation_updates_the_alert_even_when_the_level_falls(settings: Settings) -> None:
    told = PreviousAlert("critical", T0, 18, ("glava", "deputy"))
    refuted = view("medium", 45, ("опровержение: Администрация: «Не соответствует действительности»",), posts=19)
    alert = decide(refuted, told, T0 + timedelta(minutes=10), settings.alerts, timezone.utc)
    assert alert is not None and alert.update and alert.recipients == ("glava", "deputy")
    assert "Изменения: +1 сообщение, уровень ↓ средний, опровержение" in alert.text
    again = replace(told, refuted=True)
    assert decide(refuted, again, T0 + timedelta(minutes=15), settings.alerts, timezone.utc) is None
    assert "↑ высокий" in render(view("high", 60, ()), timezone.utc, update=True, previous_level="medium", new_posts=0)
