"""Stories and risk: clustering rules and scores a person can check."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import example, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from config import Settings
from risk import Member, MergeCandidates, PostFeatures, RiskScorer, StoryMatcher, StoryState, fingerprint
from risk.baselines import Baselines, TopicVolume, burst_strength, expected_count, poisson_tail, typical_pace
from risk.fingerprint import merge
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



def test_a_reply_is_a_second_voice_only_when_its_own_words_are_negative(settings: Settings) -> None:
    complaint = replace(member(1, topic="roads", needs=True), author_id="vk:1")
    # The classifier may call advice under a complaint negative from the thread's mood; that is no second voice.
    advice = replace(member(2, topic="roads", comment=True, minutes=10), author_id="vk:2")
    grumble = replace(advice, signals=("negative_words",))
    alone = scorer(settings).assess([complaint, advice], T0 + timedelta(hours=1))
    joined = scorer(settings).assess([complaint, grumble], T0 + timedelta(hours=1))
    assert alone.factors["voices"] == 1.0 and joined.factors["voices"] == 2.0
    assert joined.score > alone.score

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


# --- what is usual: source pace and topic volume --------------------------------------------------------


def test_poisson_tail_matches_known_values() -> None:
    assert poisson_tail(0, 2.0) == 1.0
    assert poisson_tail(1, 2.0) == pytest.approx(1 - math.exp(-2))
    assert poisson_tail(5, 0.5) == pytest.approx(1.7212e-4, rel=1e-3)
    assert poisson_tail(400, 300.0) < 1e-6  # large counts stay finite


def test_sparse_topic_needs_several_posts_to_burst() -> None:
    # A topic seen once a month: a second post today is news, not a burst; five in six hours is.
    quiet = expected_count(history_count=1, history_windows=112, prior=0.5)
    assert burst_strength(TopicVolume(2, quiet), min_posts=3)[0] == 0.0
    assert burst_strength(TopicVolume(5, quiet), min_posts=3)[0] == 1.0
    # A busy topic: five posts in a window is its ordinary day.
    busy = expected_count(history_count=560, history_windows=112, prior=0.5)
    assert busy == pytest.approx(5.0, abs=0.2)
    assert burst_strength(TopicVolume(5, busy), min_posts=3)[0] < 0.1


def test_without_history_the_prior_sets_the_usual_volume() -> None:
    assert expected_count(0, 0, prior=0.5) == 0.5
    assert 0.5 < expected_count(10, 2, prior=0.5) < 5.0  # two windows of history move it only part of the way


def test_typical_pace_needs_enough_posts_and_ignores_age_extremes() -> None:
    assert typical_pace([(100, 2.0)] * 4, min_posts=5) is None
    assert typical_pace([(100, 2.0)] * 5, min_posts=5) == 50.0
    assert typical_pace([(100, 0.01)] * 5 + [(4800, 480.0)] * 2, min_posts=5) == 100.0  # age clamped to 1 h .. 24 h


def test_views_faster_than_usual_for_the_source_are_a_reason(settings: Settings) -> None:
    posts = [member(1, label="neutral", topic="housing", views=3000), member(2, label="negative", topic="housing", views=600)]
    posts = [replace(p, seen_at=p.published_at + timedelta(hours=1)) for p in posts]
    usual = Baselines({("vk", "demo_gorod"): 300.0})
    result = scorer(settings).assess(posts, T0 + timedelta(hours=1), usual)
    assert result.factors["pace_ratio"] == pytest.approx(6.0)
    assert "просмотры растут ×6 быстрее обычного для источника" in result.reasons
    plain = scorer(settings).assess(posts, T0 + timedelta(hours=1))
    assert result.factors["velocity"] > plain.factors["velocity"] and result.score > plain.score


def test_topic_burst_is_a_reason_with_its_numbers(settings: Settings) -> None:
    posts = [member(i, topic="housing", minutes=10 * i) for i in range(4)]
    burst = Baselines(topic=TopicVolume(recent=9, expected=0.5))
    result = scorer(settings).assess(posts, T0 + timedelta(hours=1), burst)
    assert result.factors["burst"] == 1.0
    assert "всплеск темы: 9 постов за 6 ч при обычных 0,5" in result.reasons
    calm = scorer(settings).assess(posts, T0 + timedelta(hours=1), Baselines(topic=TopicVolume(recent=9, expected=8.0)))
    assert calm.factors["burst"] < 0.25 and calm.score < result.score


def test_stories_that_turn_out_to_be_one(lemmatizer) -> None:  # type: ignore[no-untyped-def]
    first = story(1, "npp", (), RUMOUR, lemmatizer)
    copy = story(2, "npp", (), "Друзья, срочно! " + RUMOUR + " Перешлите всем", lemmatizer, T0 + timedelta(hours=2))
    other = story(3, "npp", (), "На САЭС прошёл день открытых дверей для школьников, экскурсия по станции", lemmatizer)
    far = story(4, "npp", (), RUMOUR, lemmatizer, T0 + timedelta(days=5))
    m = matcher()
    assert m.same_story(first, copy)
    assert not m.same_story(first, other)
    assert not m.same_story(first, far)
    cold = replace(story(5, "housing", ("3 мкр",), "В 3 мкр нет отопления, батареи ледяные", lemmatizer), negative=True)
    colder = replace(story(6, "housing", ("3 мкр",), "Третий микрорайон замерзает, когда включат тепло?", lemmatizer),
                     negative=True)
    assert m.same_story(cold, colder)
    assert not m.same_story(cold, replace(colder, places=("5 мкр",)))


def test_sad_personal_posts_are_not_negativity_about_the_town(settings: Settings) -> None:
    """Condolences under a post are negative in tone, but they are no complaint and raise no risk."""
    sad = [member(i, topic="other", signals=("personal",)) for i in range(6)]
    angry = [member(i, topic="other") for i in range(6)]
    calm = scorer(settings).assess(sad, T0 + timedelta(hours=1))
    alarmed = scorer(settings).assess(angry, T0 + timedelta(hours=1))
    assert calm.score < alarmed.score
    assert not any(m.complaint for m in sad) and all(m.complaint for m in angry)


_WORDS = ("нет", "вода", "авария", "выброс")  # few words: stories share shingles often
_stories = st.builds(
    StoryState,
    id=st.integers(1, 10_000),
    topic=st.sampled_from(["housing", "npp", "education", "culture", "other"]),
    places=st.lists(st.sampled_from(["3 мкр", "7 мкр", "школа №3", "десногорск"]), max_size=3).map(tuple),
    fingerprint=st.frozensets(st.tuples(*[st.sampled_from(_WORDS)] * 3).map(" ".join), max_size=12),
    first_seen_at=st.integers(0, 96).map(lambda h: T0 + timedelta(hours=h)),
    last_seen_at=st.integers(0, 96).map(lambda h: T0 + timedelta(hours=h)),
    negative=st.booleans(),
    complaint=st.booleans(),
    alarm=st.sampled_from([0.0, 0.3, 0.6, 0.9]),
)


_CLAIM = "жители срочно уезжают город аэс выброс йод аптеки".split()
# One alarming claim retold: the same words and word pairs, no three-word shingle in common.
_RETOLD = (StoryState(1, "npp", (), frozenset({" ".join(_CLAIM[0:3]), " ".join(_CLAIM[3:6]), " ".join(_CLAIM[6:9])}),
                      T0, T0, alarm=0.9),
           StoryState(2, "npp", (), frozenset({" ".join(_CLAIM[1:4]), " ".join(_CLAIM[4:7]), " ".join(_CLAIM[7:9])
                                               + " " + _CLAIM[0]}), T0, T0, alarm=0.9))


@examples(max_examples=300, deadline=None)
@given(_stories, _stories)
@example(*_RETOLD)
@example(StoryState(3, "housing", ("3 мкр",), frozenset({"нет вода дом"}), T0, T0, negative=True),  # one place's
         StoryState(4, "housing", ("3 мкр",), frozenset({"авария труба подвал"}), T0, T0, negative=True))  # trouble
def test_merge_candidates_never_hide_two_stories_that_are_one(a: StoryState, b: StoryState) -> None:
    """Placing compares a grown story only with its candidates: every pair ``same_story`` joins must be one."""
    if a.id == b.id:
        return
    if not matcher().same_story(a, b):
        return
    for scans in (0, 1, 4):  # found by the shingle index, by direct scans, and by both in turn
        candidates = MergeCandidates([a, b], matcher().alarming, scans=scans)
        assert b.id in candidates.of(a) and a.id in candidates.of(b)


@examples(max_examples=100, deadline=None)
@given(st.lists(_stories, min_size=1, max_size=8, unique_by=lambda s: s.id), st.data())
def test_merge_candidates_scanned_or_indexed_are_the_same(stories: list[StoryState], data: st.DataObject) -> None:
    """A tick's few questions are answered by scanning the stories, a batch's many through the shingle index: both
    give the same candidates, before and after a merge grows a story (its old shingles stay its own)."""
    scanned = MergeCandidates(stories, matcher().alarming, scans=1000)
    indexed = MergeCandidates(stories, matcher().alarming, scans=0)
    for story in stories:
        assert scanned.of(story) == indexed.of(story)
    grown = data.draw(st.sampled_from(stories))
    other = data.draw(st.sampled_from(stories))
    merged = replace(grown, fingerprint=merge(grown.fingerprint, other.fingerprint) - {next(iter(grown.fingerprint), "")})
    for candidates in (scanned, indexed):
        candidates.add(merged)
    for story in [*stories, merged]:
        assert scanned.of(story) == indexed.of(story)
        if not (grown.fingerprint | merged.fingerprint).isdisjoint(story.fingerprint):
            assert grown.id in scanned.of(story)
