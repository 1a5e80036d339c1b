"""Risk of a story: measurable factors (0..1 each) times configured weights, a level, and Russian reasons."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from config.schema import LEVELS, RiskSettings
from risk import recurrence as slow_burn
from risk.alarm import REFUTATION, alarm_reason, is_refutation, story_alarm
from risk.baselines import Baselines, burst_strength
from risk.story import AnswerState, Member, RiskAssessment
from risk.waves import Wave, find_wave
from risk.wording import plural, span, thousands

MIN_HOURS = 0.5  # a burst in five minutes is not «∞ views per hour»
FIRST = 1000.0  # reasons that decided the level are named first
EXCERPT = 90
FLOOD = "наплыв одинаковых постов: "
_OPTIONAL = frozenset({"alarm", "wave", "complaints", "complaint_authors", "recurrence", "refuted"})


class RiskScorer:
    """Each factor is a number a person can check; the score is their weighted sum, damped for lone posts."""

    def __init__(self, settings: RiskSettings, topic_severity: Mapping[str, float], topic_titles: Mapping[str, str]) -> None:
        self.settings = settings
        self._severity = topic_severity
        self._titles = topic_titles

    def level_for(self, score: float) -> str:
        levels = self.settings.levels
        if score >= levels.critical:
            return "critical"
        if score >= levels.high:
            return "high"
        if score >= levels.medium:
            return "medium"
        return "low"

    def _pace_ratio(self, top_level: Sequence[Member], baselines: Baselines | None) -> float | None:
        """How many times faster than usual for their sources the story's posts gather views (None: no history)."""
        if baselines is None:
            return None
        rate = usual = 0.0
        for member in top_level:
            pace = baselines.source_pace.get((member.platform, member.source))
            if pace is None:
                continue
            rate += member.views / max(MIN_HOURS, (member.seen_at - member.published_at).total_seconds() / 3600)
            usual += pace
        return rate / usual if usual else None

    def assess(self, members: Sequence[Member], now: datetime, baselines: Baselines | None = None,
               answers: AnswerState | None = None) -> RiskAssessment:
        """``answers``: the story's appeals as the responses component linked them to official replies; without
        it, a complaint counts as answered when an official post came after it in the story."""
        if not members:
            return RiskAssessment(0.0, "low", ())
        s = self.settings
        w = s.weights
        reasons: list[tuple[float, str]] = []
        factors: dict[str, float] = {}

        # A sad personal post (grief, loneliness) is negative about the author's life, not about the town.
        negative = [m for m in members if m.sentiment_label == "negative" and not m.personal]
        factors["negativity"] = len(negative) / len(members)
        if negative:
            reasons.append((w.negativity * factors["negativity"], f"негатив: {len(negative)} из {len(members)}"))

        topics = Counter(t for m in members for t in m.topics[:1])
        topic = max(topics, key=lambda t: (topics[t], self._severity.get(t, 0.0)))
        severe = max((t for t in topics), key=lambda t: self._severity.get(t, 0.0))
        if topics[severe] * 4 < len(members):  # one stray mention does not make a plant story
            severe = topic
        factors["severity"] = self._severity.get(severe, 0.1)
        reasons.append((w.severity * factors["severity"], f"тема: {self._titles.get(severe, severe)}"))

        top_level = [m for m in members if not m.is_comment] or list(members)
        views = sum(m.views for m in top_level)
        factors["reach"] = min(1.0, math.log1p(views) / math.log1p(s.reach_full)) if views else 0.0
        if views:
            reasons.append((w.reach * factors["reach"], f"охват: {thousands(views)} просм."))

        first = min(m.published_at for m in members)
        hours = max(MIN_HOURS, (now - first).total_seconds() / 3600)
        gained = sum(max(0, m.views - m.first_views) + 5 * m.engagement for m in members)
        per_hour = gained / hours
        factors["velocity"] = min(1.0, per_hour / s.velocity_full)
        velocity_reason = f"рост: +{thousands(per_hour)} просм. и реакций в час"
        ratio = self._pace_ratio(top_level, baselines)
        if ratio is not None:
            factors["pace_ratio"] = ratio
            by_pace = min(1.0, max(0.0, math.log(ratio) / math.log(s.pace_ratio_full))) if ratio > 1 else 0.0
            if by_pace >= factors["velocity"]:
                factors["velocity"] = by_pace
                velocity_reason = f"просмотры растут ×{ratio:.0f} быстрее обычного для источника".replace(".", ",")
        if factors["velocity"] >= 0.2:
            reasons.append((w.velocity * factors["velocity"], velocity_reason))

        sources = {(m.platform, m.source) for m in members}
        platforms = {m.platform for m in members}
        factors["spread"] = min(1.0, (len(sources) - 1 + 0.5 * (len(platforms) - 1)) / s.spread_full)
        if len(sources) > 1:
            reached = _time_to_reach(members, min(len(sources), 3))
            if len(sources) >= 3 and reached.total_seconds() <= s.spread_fast:
                factors["spread"] = min(1.0, factors["spread"] * 1.25)  # three sources within the hour: it spreads
            last = max(m.published_at for m in members)
            reasons.append((
                w.spread * factors["spread"],
                f"{plural(len(sources), 'источник', 'источника', 'источников')} на "
                f"{plural(len(platforms), 'платформе', 'платформах', 'платформах')} за {span(first, last)}",
            ))

        factors["burst"] = 0.0
        if baselines is not None and baselines.topic is not None:
            factors["burst"], _ = burst_strength(baselines.topic, s.burst_min_posts)
            if factors["burst"] >= 0.25:
                window = round(s.burst_window / 3600)
                usual = f"{baselines.topic.expected:.1f}".replace(".", ",")
                reasons.append((w.burst * factors["burst"],
                                f"всплеск темы: {plural(baselines.topic.recent, 'пост', 'поста', 'постов')} за {window} ч "
                                f"при обычных {usual}"))

        officials = sorted({v for m in members for v in _values(m.signals, "official")})
        factors["officials"] = 1.0 if officials else 0.0
        if officials:
            reasons.append((w.officials, "упоминание: " + ", ".join(officials)))

        markers = Counter(v for m in members for v in _values(m.signals, "escalation"))
        factors["escalation"] = min(1.0, len(markers) / 2)
        if markers:
            named = ", ".join(name for name, _ in markers.most_common(3))
            reasons.append((w.escalation * factors["escalation"], f"эскалация: {named}"))

        appeals = [m for m in members if m.needs_response]
        last_official = max((m.published_at for m in members if m.official), default=None)
        if answers is None:
            unanswered = len([m for m in appeals if last_official is None or m.published_at > last_official])
        else:
            unanswered = answers.unanswered
        factors["unanswered"] = min(1.0, unanswered / 5)
        if unanswered:
            reasons.append((w.unanswered * factors["unanswered"], "без ответа: " + plural(unanswered, "жалоба или вопрос", "жалобы или вопроса", "жалоб и вопросов")))
        # One reply that argues with or insults a resident is a full factor: «ошибки при коммуникации» are grave.
        factors["conflict"] = min(1.0, float(answers.conflicts)) if answers is not None else 0.0
        if factors["conflict"]:
            reasons.append((w.unanswered * (1 + factors["conflict"]),
                            "ошибка при коммуникации: " + plural(answers.conflicts if answers else 0,
                                                                 "конфликтный официальный ответ",
                                                                 "конфликтных официальных ответа",
                                                                 "конфликтных официальных ответов")))

        # Alarm markers are trouble of their own, whatever the tone: a copied rumour reads as neutral.
        alarm = story_alarm(members, s.alarm)
        factors["alarm"] = alarm.value
        # Squared: a lone «говорят» or «срочно» adds next to nothing, a claim of danger spread as hearsay adds all.
        alarming = alarm.value**2
        if alarm.value:
            reasons.append((w.alarm * alarming, alarm_reason(alarm)))
        # A wave needs copies in several sources, a flood many copies: a post with its comments is neither.
        many_sources = len(sources) >= s.wave.min_sources and len(members) >= s.wave.min_copies
        wave = (find_wave(members, s.wave.similarity, timedelta(seconds=s.wave.window), s.wave.min_copies)
                if many_sources or len(members) >= s.wave.copies_full else None)
        factors["wave"], wave_text = self._wave_strength(wave, baselines)
        found = slow_burn.measure(members)
        factors["complaints"] = float(found.complaints)
        factors["complaint_authors"] = float(found.authors)
        factors["recurrence"] = slow_burn.strength(found, s.recurrence)

        # Reach, speed and spread amplify trouble; a happy city-day story that spreads is not a risk.
        concern = min(1.0, max(factors["negativity"] * 1.5, factors["escalation"], alarming))
        severity_part = w.severity * factors["severity"] * min(1.0, 0.3 + max(factors["negativity"], alarming))
        if wave_text:
            # A flood raises nothing, but it is what an analyst must know first about a thousand posts.
            reasons.append((FIRST - 2 if wave_text.startswith(FLOOD) else w.wave * factors["wave"] * concern, wave_text))
        score = (
            w.negativity * factors["negativity"]
            + severity_part
            + (w.officials * factors["officials"] + w.reach * factors["reach"] + w.velocity * factors["velocity"]
               + w.spread * factors["spread"] + w.burst * factors["burst"] + w.wave * factors["wave"]) * concern
            + w.escalation * factors["escalation"]
            + w.unanswered * (factors["unanswered"] + factors["conflict"])
            + w.alarm * alarming
            + w.recurrence * factors["recurrence"]
        )
        factors["concern"] = concern
        # A story is many voices: one post alone reaches at most 60% of its raw score, and so does one author
        # who writes again and again. A calm reply under his post («поставьте столбики») is no second voice.
        voices = len({m.author_key for m in members if not _calm_reply(m)} or {m.author_key for m in members})
        factors["voices"] = float(voices)
        score *= min(1.0, 0.6 + 0.1 * (voices - 1))
        relevance = sum(m.relevance for m in members) / len(members)
        score *= min(1.0, 0.5 + relevance / 2)
        calm = [m for m in members if m.official or m.sentiment_label == "positive"]
        if factors["negativity"] < 0.3 and calm:
            score *= 1.0 - s.official_discount * len(calm) / len(members)
            reasons.append((0.0, "официальные и позитивные сообщения снижают риск"))
        factors["answered"] = _answered_share(answers)
        if factors["answered"] and not factors["conflict"]:
            # A reply that says what will be done, and residents no longer complaining after it, calm a story.
            score *= 1.0 - s.official_discount * factors["answered"]
            reasons.append((0.0, "официальный ответ по существу: " + plural(answers.substantive if answers else 0,
                                                                          "обращение", "обращения", "обращений")))
        # The most authoritative refutation is named: an official page's, else the first.
        refutations = sorted((m for m in members if is_refutation(m)), key=lambda m: (not m.official, m.published_at))
        factors["refuted"] = 1.0 if refutations and alarm.value else 0.0
        if factors["refuted"]:
            # The claim was denied: the story stays known, but it no longer calls people at any hour.
            score *= 1.0 - s.refutation_discount
            reasons.append((FIRST + 1, refutation_reason(refutations[0])))
        elif wave is not None and self._alarming_wave(wave):
            if score < s.levels.high:
                score = s.levels.high
            reasons.append((FIRST, "вброс: тревожный текст расходится копиями — уровень не ниже высокого"))
        if slow_burn.is_recurring(found, s.recurrence):
            score = max(score, s.levels.medium)
            reasons.append((FIRST - 1 + factors["recurrence"], recurrence_reason(found)))
        score = round(max(0.0, min(100.0, score)), 1)
        level = self.level_for(score)
        ordered = tuple(text for _, text in sorted(reasons, key=lambda r: -r[0]) if text)
        # The threat factors are absent from most stories: stored only when they say something.
        kept = {k: round(v, 3) for k, v in factors.items() if v or k not in _OPTIONAL}
        return RiskAssessment(score, level, ordered[:6], kept)


    def _wave_strength(self, wave: Wave | None, baselines: Baselines | None) -> tuple[float, str]:
        """0..1 for copies of one text across sources and platforms, and its reason; a flood in one source is
        named but is no wave."""
        if wave is None:
            return 0.0, ""
        s = self.settings.wave
        text = (f"одинаковый текст: {plural(wave.count, 'копия', 'копии', 'копий')} в {_in_sources(wave.sources)} "
                f"за {span(wave.first, wave.last)}")
        if wave.sources < s.min_sources:
            if wave.count >= s.copies_full:  # one text over and over in one place: a flood, most likely bots
                return 0.0, FLOOD + text.removeprefix("одинаковый текст: ")
            return 0.0, text
        unfamiliar = _unfamiliar(wave, baselines)
        if unfamiliar:
            text += f", из них {unfamiliar} — от новых аккаунтов или посторонних сообществ"
        strength = (0.45 * min(1.0, (wave.sources - 1) / (s.sources_full - 1))
                    + 0.35 * min(1.0, (wave.count - 1) / (s.copies_full - 1))
                    + 0.2 * min(1.0, (wave.platforms - 1) / 2))
        if unfamiliar:
            strength *= 1.0 + 0.25 * unfamiliar / wave.count  # copies from nowhere look coordinated
        return round(min(1.0, strength), 3), text

    def _alarming_wave(self, wave: Wave) -> bool:
        """A wave big enough, fast enough, and whose copies carry an alarming claim."""
        s = self.settings
        if wave.count < s.wave.floor_copies or wave.sources < s.wave.floor_sources:
            return False
        return story_alarm(wave.window, s.alarm).value >= s.alarm.alarming


def _in_sources(count: int) -> str:
    return plural(count, "источнике", "источниках", "источниках")


def _unfamiliar(wave: Wave, baselines: Baselines | None) -> int | None:
    """Copies from accounts that never wrote before, or from communities that do not write about the town."""
    if baselines is None:
        return None
    if baselines.known_accounts is not None:
        known, foreign = baselines.known_accounts, baselines.foreign_sources
    elif baselines.familiarity is not None:
        known, foreign = baselines.familiarity(wave.window)
    else:
        return None
    return sum(1 for m in wave.window if m.author_key not in known or (m.platform, m.source) in foreign)


def refutation_reason(member: Member) -> str:
    """«опровержение: Администрация г. Десногорск: «Эта информация не соответствует действительности…»»."""
    who = member.author or member.source
    text = " ".join(member.text.split()) or member.excerpt
    quote = text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"
    return f"{REFUTATION}: {who}: «{quote}»"


def recurrence_reason(found: slow_burn.Recurrence) -> str:
    days = max(1, math.ceil(found.days))
    return (f"повторяющаяся проблема: {plural(found.complaints, 'жалоба', 'жалобы', 'жалоб')} за "
            f"{plural(days, 'день', 'дня', 'дней')} от {plural(found.authors, 'автора', 'авторов', 'авторов')}")


def _answered_share(answers: AnswerState | None) -> float:
    """0..1: the share of the story's appeals answered in substance, less the share still dissatisfied after it."""
    if answers is None or not answers.substantive:
        return 0.0
    answered = answers.substantive / (answers.substantive + answers.unanswered)
    unhappy = answers.dissatisfied / answers.appeals if answers.appeals else 0.0
    return round(max(0.0, answered - unhappy), 3)


def _time_to_reach(members: Sequence[Member], sources: int) -> timedelta:
    """How long after the first post the story was told by ``sources`` distinct sources."""
    seen: set[tuple[str, str]] = set()
    ordered = sorted(members, key=lambda m: m.published_at)
    for member in ordered:
        seen.add((member.platform, member.source))
        if len(seen) >= sources:
            return member.published_at - ordered[0].published_at
    return ordered[-1].published_at - ordered[0].published_at


def _calm_reply(member: Member) -> bool:
    """A comment that neither complains in words of its own, asks for an answer, nor raises an alarm.

    The classifier alone may read advice under a complaint («так поставьте столбики») as negative from the
    thread's mood; a second voice must say something negative itself."""
    negative = member.sentiment_label == "negative" and "negative_words" in member.signals
    return (member.is_comment and not negative and not member.needs_response
            and not any(s.startswith("alarm:") for s in member.signals))


def _values(signals: Sequence[str], prefix: str) -> list[str]:
    head = prefix + ":"
    return [s[len(head):] for s in signals if s.startswith(head)]


def level_rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else 0
