"""Wiring of the stages after collection: store → analyse → stories and risk → alert decisions → outbox → delivery.

Every stage boundary is a database row, so a crash loses nothing and a restart resumes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session
from threadpoolctl import threadpool_limits

from alerts import Alert, ConsoleSink, JsonlSink, PreviousAlert, Sink, TelegramSink, decide, render
from collectors import Post
from config import DeliveryError, Settings
from nlp import Analyzer, Annotation, Lemmatizer, NerTagger, PostContext
from nlp.models import load_for
from risk import AnswerState, Member, RiskScorer, StoryMatcher
from mcu.alerting import Alerting, jsonl_sink_path
from mcu.answers import Answers, AnswerStats
from mcu.history import AccountCache, History
from mcu.placing import BatchPlacing
from storage import Database, analysis_queue, locks, outbox, posts, stories
from storage import annotations as annotation_store
from storage import gospublics as page_store
from storage import responses as response_store


log = logging.getLogger(__name__)

ANALYSIS_BATCH = 500
OTHERS_PATIENCE = 10.0  # seconds a process waits for others to finish a batch; after that it leaves scoring to them
# (a backfill keeps them busy for hours, and a daemon's process job must not hold its turn meanwhile)
ANSWERS_CHUNK = 20_000  # analysed posts whose appeals are judged together: one pass reads all their threads
SCORING_BATCH = 50  # stories scored per transaction: the SQLite write lock is held for one chunk at a time
TROUBLED = 0.25  # share of negative posts from which a story is titled by its first complaint


@dataclass
class RunStats:
    """Counters of one pipeline run, printed by the CLI and logged by the daemon."""

    collected: int = 0
    new: int = 0
    edited: int = 0
    snapshots: int = 0
    skipped_lines: int = 0
    analysed: int = 0
    relevant: int = 0
    stories_scored: int = 0
    alerts: list[Alert] = field(default_factory=list)
    sent: int = 0
    failed: int = 0
    appeals: AnswerStats = field(default_factory=AnswerStats)


def build_analyzer(settings: Settings) -> Analyzer:
    """The analyser the settings ask for: NER if enabled, the trained classifiers if enabled."""
    nlp = settings.nlp
    lemmatizer = Lemmatizer()
    analyzer = Analyzer(
        settings,
        lemmatizer,
        ner=NerTagger(lemmatizer.morph) if nlp.use_ner else None,
        models=load_for(nlp.use_model, nlp.model_path),
    )
    # NER and the classifiers multiply small matrices: extra BLAS threads only spin, doubling CPU for the same
    # wall time and taking the core the collectors need. Limits apply to libraries loaded by now.
    threadpool_limits(1)
    return analyzer


def story_topic(members: list[Member]) -> str:
    """The topic most members speak of; a post's second and third topics count a half and a quarter."""
    votes: Counter[str] = Counter()
    for member in members:
        for rank, code in enumerate(member.topics[:3]):
            if code != "other":
                votes[code] += 1.0 / 2**rank
    return votes.most_common(1)[0][0] if votes else "other"


def story_title(members: list[Member], negativity: float) -> str | None:
    """The opening of the first post (not a comment) with text; of a troubled story, its first complaint."""
    posts = [m for m in members if not m.is_comment and m.excerpt]
    if negativity >= TROUBLED:
        posts = [m for m in posts if m.sentiment_label == "negative"] or posts
    return posts[0].excerpt if posts else None


class Pipeline:
    """Builds every component from settings and runs the stages against one database."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        analyzer: Analyzer | None = None,
        console: Callable[[str], None] | None = None,
        deliver: bool = True,
        telegram: bool = True,
        stopping: threading.Event | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        # Set by the daemon on SIGTERM: long stages stop at their next safe point (a batch, a message).
        self.stopping = stopping or threading.Event()
        self._analyzer = analyzer
        self.deliver = deliver
        self.tz = settings.town.tz
        self.topic_titles = {t.code: t.title for t in settings.topics}
        self.scorer = RiskScorer(settings.risk, {t.code: t.severity for t in settings.topics}, self.topic_titles)
        self.matcher = StoryMatcher(
            timedelta(seconds=settings.risk.story_window),
            settings.risk.duplicate_similarity,
            place_window=timedelta(seconds=settings.risk.place_window),
            town_places=settings.gazetteer.town[:1],
            recurrence_window=timedelta(seconds=settings.risk.recurrence.window),
            alarming=settings.risk.alarm.alarming,
        )
        self.sinks: dict[str, Sink] = {}
        if settings.alerts.console and console is not None:
            self.sinks["console"] = ConsoleSink(console)
        jsonl = jsonl_sink_path(settings)
        if jsonl is not None:
            self.sinks["jsonl"] = JsonlSink(jsonl)
        bot = settings.api.telegram_bot
        if telegram and bot.token is not None and bot.token.present:
            self.sinks["telegram"] = TelegramSink(bot.base_url, bot.token, bot.timeout)
        self.alerting = Alerting(settings, self.sinks, deliver)
        self.answers = Answers(settings, lambda: self.analyzer.lemmatizer, self.alerting)
        self._accounts = AccountCache()  # which accounts wrote before: asked once an hour, not per pass

    @property
    def analyzer(self) -> Analyzer:
        """Loaded on first use: pymorphy3 and natasha take a second or two."""
        if self._analyzer is None:
            self._analyzer = build_analyzer(self.settings)
        return self._analyzer

    def ingest(self, items: Iterable[Post], now: datetime) -> RunStats:
        """Store posts that did not come from a registered source (replay timelines)."""
        batch = list(items)
        with self.db.transaction() as session:
            saved = posts.save_posts(session, batch, now)
        return RunStats(collected=len(batch), new=saved.new, edited=saved.edited, snapshots=saved.snapshots)

    # --- analyse, group, score, decide -----------------------------------------------------------

    def process(self, now: datetime, limit: int | None = None, batch: int | None = None) -> RunStats:
        """Analyse every waiting post, place relevant ones into stories, rescore touched stories, decide alerts.

        Safe with several processes on one database: each batch of posts is claimed (row locks on PostgreSQL),
        judged with nothing written yet, and placed into stories under a lock that one process holds at a
        time; appeals are judged under the same lock. Stories are scored once no process is analysing or
        answering any more, by every process at once, each taking chunks of stories the others have not
        (scoring one story changes no other). A stop request ends the run after the current batch.
        """
        stats = RunStats()
        with locks.presence(self.db.engine, locks.BUSY):  # the others score only once this is done
            analysed = self._analyse(now, limit, batch, stats)
            # Appeals and official replies before scoring: the «unanswered» factor reads the linked replies.
            if not self.stopping.is_set():  # also with nothing new: deadlines pass, appeals get deleted
                self._answer(now, analysed, stats)
        # Stories are scored once every batch is placed: a process still analysing scores them when it is done
        # (as one process would, after its last batch); the others join it then.
        if self._wait_for_others():
            self._score(now, stats)
        if self.deliver and "telegram" in self.sinks and not self.stopping.is_set():
            stats.alerts += self.review(now)  # reminders are for people; a replay or a log needs none
        return stats

    def _analyse(self, now: datetime, limit: int | None, batch: int | None, stats: RunStats) -> list[int]:
        """Analyse waiting posts batch by batch and place them into stories; returns the ids of those analysed whose
        appeals are not judged yet."""
        analysed: list[int] = []
        while (limit is None or stats.analysed < limit) and not self.stopping.is_set():
            with self.db.transaction() as session:
                waiting = analysis_queue.claim_pending(session, batch or ANALYSIS_BATCH)
                if not waiting:
                    break
                judged = self._judge(session, waiting)  # the slow part: NLP, no write yet (no SQLite lock)
                analysis_queue.wait_for_earlier(session, waiting[0].db_id)  # batches are placed in queue order
                locks.serialize(session, locks.STORIES)
                current = analysis_queue.still_pending(session, waiting)  # another process may have judged some meanwhile
                if current:
                    earliest = min(item.post.published_at for item in current.values())
                    placing = BatchPlacing(self.settings, self.matcher, session, earliest)
                    verdicts: list[tuple[int, int, Annotation]] = []
                    parent_stories = posts.story_ids(session, [p for _, p, _ in judged if p is not None])
                    for item, parent, annotation in judged:
                        if item.db_id in current:
                            verdicts.append((item.db_id, current[item.db_id].version, annotation))
                            # A post placed earlier in this batch is in ``joined``: not yet written.
                            parent_story = (placing.joined.get(parent) or parent_stories.get(parent)
                                            if parent is not None else None)
                            stats.relevant += placing.place(current[item.db_id], parent_story, annotation)
                    annotation_store.save_annotations(session, verdicts, now)
                    stories.attach(session, placing.joined, placing.grown_states())
                    placing.merge_duplicates(now)
                    stories.save_fingerprints(session, placing.grown_states())
                analysed += list(current)
                stats.analysed += len(current)
            if len(analysed) >= ANSWERS_CHUNK:  # a backfill: its appeals judged as it goes, not all held till the end
                self._answer(now, analysed, stats)
                analysed = []
        return analysed

    def _answer(self, now: datetime, analysed: list[int], stats: RunStats) -> None:
        """Find and judge the appeals the analysed posts bring or touch, and those whose time has come."""
        with self.db.transaction() as session:
            locks.serialize(session, locks.STORIES)
            stats.appeals += self.answers.update(session, now, analysed)

    def _wait_for_others(self, patience: float = OTHERS_PATIENCE) -> bool:
        """Wait while another process analyses or answers; False if it still does after ``patience`` seconds (it
        scores when it is done) or a stop was asked."""
        deadline = time.monotonic() + patience
        while not self.stopping.is_set():
            with self.db.transaction() as session:
                if not locks.held_elsewhere(session, locks.BUSY):
                    return True
            if time.monotonic() >= deadline:
                return False
            self.stopping.wait(0.05)
        return False

    def _score(self, now: datetime, stats: RunStats) -> None:
        """Score every stale story, a chunk per transaction; other processes score other chunks meanwhile."""
        history = History(self.settings, now, self._accounts)
        while not self.stopping.is_set():
            with self.db.transaction() as session:
                locks.serialize(session, locks.STORIES, shared=True)  # scorers side by side; placing waits
                stale = stories.stale_story_ids(session, SCORING_BATCH, claim=True)
                # Read for the whole chunk at once: scoring one story changes no other story's posts or alerts.
                members_of, told = stories.members_of(session, stale), outbox.previous_alerts(session, stale)
                answered = response_store.stories_answers(session, stale)
                held = stories.load(session, stale)  # noqa: F841 (held: the session keeps a row only while it is referenced)
                for story_id in stale:
                    alert = self._score_story(session, story_id, now, history, members_of[story_id], told.get(story_id),
                                              answered.get(story_id))
                    stats.stories_scored += 1
                    if alert is not None:
                        stats.alerts.append(alert)
            if len(stale) < SCORING_BATCH:
                break

    def _judge(
        self, session: Session, waiting: list[posts.StoredPost]
    ) -> list[tuple[posts.StoredPost, int | None, Annotation]]:
        """Analyse a batch, posts before comments, so a comment is judged with its post's fresh verdict.
        Each post comes back with the id of the stored post it comments on."""
        fresh: dict[int, float] = {}
        judged: list[tuple[posts.StoredPost, int | None, Annotation]] = []
        # A page in the госпаблики registry belongs to the town's own body: what is written there is the town's,
        # as in a community the config names (a question under a school's post needs the school's answer).
        registered = page_store.page_sources(session)
        for group in ([w for w in waiting if not w.post.is_comment], [w for w in waiting if w.post.is_comment]):
            if not group:
                continue
            parents = posts.find_parents(session, [item.post for item in group])
            known = annotation_store.annotations_for(session, [p.id for p in parents if p is not None])
            contexts = []
            for item, parent in zip(group, parents, strict=True):
                relevance = None
                if parent is not None:
                    relevance = fresh.get(parent.id, known[parent.id].relevance if parent.id in known else None)
                context = self.analyzer.context_for(item.post, relevance, parent.text if parent is not None else None)
                if item.post.source in registered:
                    context = replace(context, town_source=True, signed_by_town=False,
                                      on_body_page=context.on_body_page or item.post.is_comment)
                contexts.append(context)
            annotations = self._analyse_once(group, contexts)
            for item, parent, annotation in zip(group, parents, annotations, strict=True):
                judged.append((item, parent.id if parent is not None else None, annotation))
            fresh.update((item.db_id, annotation.relevance) for item, annotation in zip(group, annotations, strict=True))
        return judged

    def _analyse_once(self, group: list[posts.StoredPost], contexts: list[PostContext]) -> list[Annotation]:
        """A bot flood posts one text a thousand times: each distinct text and context is analysed once."""
        keys = [(item.post.text, item.post.platform, item.post.is_comment, ctx) for item, ctx in zip(group, contexts, strict=True)]
        first: dict[tuple[str, str, bool, PostContext], int] = {}
        for position, key in enumerate(keys):
            first.setdefault(key, position)
        unique = list(first.values())
        judged_once = self.analyzer.analyze_batch([(group[i].post, contexts[i]) for i in unique])
        verdict_of = {keys[i]: annotation for i, annotation in zip(unique, judged_once, strict=True)}
        return [replace(verdict_of[key], id=item.post.id) for item, key in zip(group, keys, strict=True)]

    def _score_story(self, session: Session, story_id: int, now: datetime, history: History,
                     members: list[Member], previous: PreviousAlert | None, answers: AnswerState | None) -> Alert | None:
        topic = story_topic(members)
        assessment = self.scorer.assess(members, now, history.for_story(session, members, topic), answers)
        title = story_title(members, assessment.factors.get("negativity", 0.0))
        stories.save_assessment(session, story_id, assessment, topic, title, now)
        view = stories.view(session, story_id, self.topic_titles, members)
        if view is None:
            return None
        alert = decide(view, previous, now, self.settings.alerts, self.tz)
        return self.alerting.on_decision(session, alert, view) if alert is not None else None

    def review(self, now: datetime) -> list[Alert]:
        """Reminders and escalations of open alerts nobody took (one process at a time decides them)."""
        with self.db.transaction() as session:
            locks.serialize(session, locks.STORIES)
            return self.alerting.review(
                session, now,
                lambda story_id: stories.view(session, story_id, self.topic_titles),
                lambda view, told: render(view, self.tz, update=True, previous_level=told, new_posts=0),
            )

    # --- deliver -------------------------------------------------------------------------------

    def dispatch(self, now: datetime, story_id: int | None = None) -> RunStats:
        """Send what the outbox holds, one message at a time; a failure is retried with backoff, a message
        Telegram accepted is never sent again (except the one in flight when the process is killed).

        ``now`` is when the pass starts; each answer is stamped with the time it arrived. A stop request ends
        the pass after the message in flight; an outage (a timeout, 5xx) ends it at once, the rest waits.
        With ``story_id`` only that story's messages go (an analyst's command updates its chats, nothing more).
        """
        stats = RunStats()
        started = time.monotonic()

        def clock() -> datetime:
            return now + timedelta(seconds=time.monotonic() - started)

        while not self.stopping.is_set():
            with self.db.transaction() as session:
                delivery = self.alerting.claim(session, clock(), story_id)
            if delivery is None:
                break
            try:
                outcome: int | None | DeliveryError = self.alerting.transmit(delivery)
            except DeliveryError as exc:
                outcome = exc
            with self.db.transaction() as session:
                self.alerting.record(session, delivery, clock(), outcome)
            if not isinstance(outcome, DeliveryError):
                stats.sent += 1
                continue
            stats.failed += 1
            if outcome.retryable and not outcome.retry_after:
                break  # the service or the network is down: do not spend a timeout on every waiting message
        return stats

    def close(self) -> None:
        for sink in self.sinks.values():
            close = getattr(sink, "close", None)
            if close is not None:
                close()

