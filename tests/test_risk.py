"""Stories and risk: clustering rules and scores a person can check."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from config import Settings
from risk import Member, PostFeatures, RiskScorer, StoryMatcher, StoryState, fingerprint
from risk.wording import plural, span, thousands

T0 = datetime(2026, 1, 14, 1, 30, tzinfo=timezone.utc)


def scorer(settings: Settings) -> RiskScorer:
    return RiskScorer(settings.risk, {t.code: t.severity for t in settings.topics}, {t.code: t.title for t in settings.topics})


def member(n: int, *, source: str = "demo_gorod", platform: str = "vk", label: str = "negative", topic: str = "npp",
           minutes: int = 0, views: int = 100, first_views: int | None = None, signals: tuple[str, ...] = (),
           needs: bool = False, comment: bool = False) -> Member:
    at = T0 + timedelta(minutes=minutes)
    return Member(
        key=f"{platform}:{source}:{n}", platform=platform, source=source, published_at=at, seen_at=at,
        is_comment=comment, relevance=0.9, sentiment_label=label, sentiment_score=-0.7 if label == "negative" else 0.5,
        topics=(topic,), signals=signals, needs_response=needs, views=views,
        first_views=views if first_views is None else first_views, first_seen_at=at,
    )


def story(story_id: int, topic: str, places: tuple[str, ...], text: str, lemmatizer, at: datetime = T0) -> StoryState:  # type: ignore[no-untyped-def]
    return StoryState(story_id, topic, places, fingerprint(lemmatizer.lemmas(text)), at, at)


def matcher() -> StoryMatcher:
    return StoryMatcher(timedelta(hours=48), 0.5, timedelta(hours=12), town_places=("десногорск",))


RUMOUR = "На САЭС авария, был выброс! Закрывайте окна, пейте йод, дозиметр показывает в десять раз выше нормы"


def test_copy_with_small_edits_joins_its_story(lemmatizer) -> None:  # type: ignore[no-untyped-def]
    original = story(1, "npp", (), RUMOUR, lemmatizer)
    other = story(2, "housing", ("3 мкр",), "В 3 мкр нет отопления, батареи холодные", lemmatizer)
    copy = "Срочно!! на САЭС авария, был выброс. Закрывайте окна, пейте йод, дозиметр показывает в 10 раз выше нормы!!!"
    features = PostFeatures("emergency", (), fingerprint(lemmatizer.lemmas(copy)), T0 + timedelta(minutes=20))
    assert matcher().match(features, [other, original]) == 1


def test_comment_follows_its_post() -> None:
    features = PostFeatures("other", (), frozenset({"страшно"}), T0, parent_story_id=7)
    assert matcher().match(features, []) == 7


def test_same_place_and_topic_join_within_window(lemmatizer) -> None:  # type: ignore[no-untyped-def]
    heating = story(3, "housing", ("3 мкр",), "В 3 мкр нет отопления", lemmatizer)
    near = PostFeatures("housing", ("3 мкр",), frozenset({"холодно"}), T0 + timedelta(hours=2), topics=("housing",))
    later = PostFeatures("housing", ("3 мкр",), frozenset({"холодно"}), T0 + timedelta(hours=20), topics=("housing",))
    elsewhere = PostFeatures("housing", ("5 мкр",), frozenset({"холодно"}), T0 + timedelta(hours=2), topics=("housing",))
    town_only = PostFeatures("housing", ("десногорск",), frozenset({"холодно"}), T0 + timedelta(hours=2), topics=("housing",))
    assert matcher().match(near, [heating]) == 3
    assert matcher().match(later, [heating]) is None
    assert matcher().match(elsewhere, [heating]) is None
    assert matcher().match(town_only, [heating]) is None


def test_broad_topics_never_join_by_place(lemmatizer) -> None:  # type: ignore[no-untyped-def]
    concert = story(4, "culture", ("5 мкр",), "Концерт в 5 мкр", lemmatizer)
    match = PostFeatures("culture", ("5 мкр",), frozenset({"турнир"}), T0, topics=("culture",))
    assert matcher().match(match, [concert]) is None


def test_roundup_naming_many_places_matches_none(lemmatizer) -> None:  # type: ignore[no-untyped-def]
    heating = story(3, "housing", ("3 мкр",), "В 3 мкр нет отопления", lemmatizer)
    roundup = PostFeatures("housing", ("1 мкр", "2 мкр", "3 мкр"), frozenset({"график"}), T0, topics=("housing",))
    assert matcher().match(roundup, [heating]) is None


def test_rumour_spreading_at_night_is_high(settings: Settings) -> None:
    escalation = ("escalation:уезжать", "escalation:прокуратура")
    members = [
        member(i, source=src, platform=pl, minutes=10 * i, views=300 + 400 * i, first_views=100, signals=escalation if i % 2 else ())
        for i, (src, pl) in enumerate([("chat", "telegram"), ("demo_gorod", "vk"), ("odn", "ok"), ("news", "telegram"),
                                        ("pods", "vk"), ("site", "web")])
    ]
    result = scorer(settings).assess(members, T0 + timedelta(hours=1))
    assert result.level in {"high", "critical"}, result
    assert any(r.startswith("тема: АЭС") for r in result.reasons)
    assert any("6 источников на 4 платформах за 50 мин" == r for r in result.reasons)
    assert any(r.startswith("эскалация: ") for r in result.reasons)


def test_single_grumpy_comment_stays_low(settings: Settings) -> None:
    result = scorer(settings).assess([member(1, topic="roads", comment=True, needs=True)], T0)
    assert result.level == "low" and result.score < settings.risk.levels.medium


def test_happy_city_day_with_huge_reach_stays_low(settings: Settings) -> None:
    members = [member(i, source=f"s{i % 6}", platform=("vk", "ok", "telegram")[i % 3], label="positive", topic="culture",
                      minutes=i, views=5000, first_views=100) for i in range(40)]
    result = scorer(settings).assess(members, T0 + timedelta(hours=1))
    assert result.level == "low", result


def test_official_answer_lowers_a_calm_story(settings: Settings) -> None:
    base = [member(1, topic="housing", label="neutral", needs=True), member(2, topic="housing", label="negative", needs=True)]
    official = member(3, topic="housing", label="neutral", minutes=30, signals=("official_source",))
    before = scorer(settings).assess(base + [member(4, topic="housing", label="neutral")], T0 + timedelta(hours=1))
    after = scorer(settings).assess(base + [official], T0 + timedelta(hours=1))
    assert after.score < before.score
    assert after.factors["unanswered"] == 0.0


def test_levels_follow_thresholds(settings: Settings) -> None:
    s = scorer(settings)
    levels = settings.risk.levels
    assert [s.level_for(x) for x in (0, levels.medium, levels.high, levels.critical, 100)] == ["low", "medium", "high", "critical", "critical"]


@pytest.mark.parametrize(("n", "text"), [(1, "1 источник"), (3, "3 источника"), (5, "5 источников"), (11, "11 источников"),
                                         (21, "21 источник"), (112, "112 источников")])
def test_plural(n: int, text: str) -> None:
    assert plural(n, "источник", "источника", "источников") == text


def test_number_wording() -> None:
    assert thousands(1234) == "1,2 тыс." and thousands(2000) == "2 тыс." and thousands(950) == "950"
    assert span(T0, T0 + timedelta(minutes=40)) == "40 мин" and span(T0, T0 + timedelta(hours=3)) == "3 ч"
