"""One appeal in, one verdict out: its bodies, its official replies, minutes to the first one, deadline status,
reply quality and residents' satisfaction — each with reasons. Pure: everything it reads comes in a ``Context``.

An official reply is a post or comment of a body's account made after the appeal, either in the appeal's thread
(a comment under the appeal post; for a comment, under the same post, the Telegram discussion included) or as an
official top-level post in the appeal's story. A thread reply that opens with someone else's name answers that
person, not this appeal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from config.responses import ResponsesSettings
from nlp.morph import Lemmatizer
from responses import deadlines as sla
from responses.bodies import BodyDirectory
from responses.calendar import WorkCalendar
from responses.quality import QualityJudge
from responses.reading import Reader, first_name_of
from responses.records import AppealVerdict, Reply, ThreadPost, Verdict
from responses.satisfaction import SatisfactionJudge

QUALITY_ORDER = ("substantive", "request", "formulaic")  # the best reply speaks for the appeal, unless one conflicts


@dataclass(frozen=True, slots=True)
class Context:
    """What surrounds one appeal: ``thread`` every post and comment of its thread, ``story`` the top-level posts of
    its story, ``later_appeals`` appeals the same author made after it; ``bodies`` the routing already stored."""

    appeal: ThreadPost
    parent: ThreadPost | None = None
    thread: Sequence[ThreadPost] = ()
    story: Sequence[ThreadPost] = ()
    later_appeals: Sequence[ThreadPost] = ()
    bodies: tuple[str, ...] = ()
    routing: tuple[str, ...] = field(default_factory=tuple)


class Assessor:
    """Judges appeals; built once from settings with the directory of bodies and the working calendar."""

    def __init__(self, settings: ResponsesSettings, directory: BodyDirectory, calendar: WorkCalendar,
                 reader: Reader, lemmatizer: Lemmatizer, official_names: Sequence[str] = ()) -> None:
        self.settings = settings
        self.directory = directory
        self.calendar = calendar
        self.lemmatizer = lemmatizer
        self.reader = reader
        self.quality = QualityJudge(reader, lemmatizer, official_names)
        self.satisfaction = SatisfactionJudge(reader)
        self.follow_up = timedelta(seconds=settings.follow_up)
        self.repeat_window = timedelta(seconds=settings.repeat_window)

    # --- pieces -----------------------------------------------------------------------------------------------

    def is_official(self, post: ThreadPost, root: ThreadPost | None = None) -> bool:
        return self.directory.author_body(post, root) is not None

    def _addressed_elsewhere(self, reply: ThreadPost, appeal: ThreadPost, thread: Sequence[ThreadPost]) -> bool:
        """The reply opens with a name that is not this appeal's author but is another resident's in the thread."""
        name = self.reader.read(reply.text).addressee
        if name is None or name in first_name_of(appeal.author, self.lemmatizer):
            return False
        root = _root(thread, appeal)
        return any(name in first_name_of(p.author, self.lemmatizer) for p in thread
                   if p.key != appeal.key and not self.is_official(p, root))

    def replies(self, ctx: Context) -> list[tuple[ThreadPost, str, str]]:
        """Official posts answering the appeal: (post, body id, via), oldest first."""
        appeal = ctx.appeal
        found: dict[str, tuple[ThreadPost, str, str]] = {}
        under = appeal.id if not appeal.is_comment else appeal.parent_id
        root = _root(ctx.thread, appeal)
        for post in ctx.thread:
            if post.key == appeal.key or post.published_at < appeal.published_at:
                continue
            if post.parent_id != under or post.platform != appeal.platform or post.source != appeal.source:
                continue
            body = self.directory.author_body(post, root)
            if body is None or self._addressed_elsewhere(post, appeal, ctx.thread):
                continue
            found[post.key] = (post, body, "thread")
        for post in ctx.story:
            if post.is_comment or post.key in found or post.key == appeal.key:
                continue
            if post.published_at <= appeal.published_at:
                continue
            body = self.directory.author_body(post)
            if body is not None:
                found[post.key] = (post, body, "story")
        return sorted(found.values(), key=lambda item: (item[0].published_at, item[0].key))

    def _follow_ups(self, ctx: Context, reply: Reply) -> list[ThreadPost]:
        """Residents' posts after the reply within the follow-up window: in the thread, and in the story for a reply
        made by an official post."""
        start, end = reply.at, reply.at + self.follow_up
        appeal = ctx.appeal
        under = appeal.id if not appeal.is_comment else appeal.parent_id
        pool = [p for p in ctx.thread if p.parent_id == under and p.source == appeal.source]
        if reply.via == "story":
            pool += [p for p in ctx.thread if p.parent_id == reply.post.id and p.source == reply.post.source]
            pool += [p for p in ctx.story if not p.is_comment]
        seen: set[str] = set()
        result = []
        root = _root(ctx.thread, appeal)
        for post in sorted(pool, key=lambda p: p.published_at):
            if post.key in seen or post.key in (appeal.key, reply.post.key) or not start < post.published_at <= end:
                continue
            seen.add(post.key)
            if not self.is_official(post, root if post.parent_id == under else None):
                result.append(post)
        return result

    def _repeat(self, ctx: Context, after: datetime) -> ThreadPost | None:
        """A later appeal of the same author on the same problem (same story, or same topic and place)."""
        appeal = ctx.appeal
        for later in sorted(ctx.later_appeals, key=lambda p: p.published_at):
            if later.key == appeal.key or later.author_key != appeal.author_key or appeal.author_key is None:
                continue
            if not after < later.published_at <= after + self.repeat_window:
                continue
            if later.thread_root == appeal.thread_root and later.published_at - appeal.published_at < self.follow_up:
                continue  # the same conversation going on is a follow-up, not a new complaint
            same_story = appeal.story_id is not None and later.story_id == appeal.story_id
            same_place = set(appeal.places) == set(later.places) or bool(set(appeal.places) & set(later.places))
            if same_story or (later.topic == appeal.topic and appeal.topic != "other" and same_place):
                return later
        return None

    # --- the verdict ---------------------------------------------------------------------------------------------

    def assess(self, ctx: Context, now: datetime) -> AppealVerdict:
        appeal = ctx.appeal
        if ctx.bodies:
            bodies, routing = list(ctx.bodies), ctx.routing
        else:
            routed = self.directory.route(appeal, ctx.parent)
            bodies, routing = list(routed.bodies), routed.reasons
        kind = sla.appeal_kind(appeal.kinds)
        due = sla.deadlines(self.calendar, sla.rule_for(self.settings.deadlines, appeal.platform, kind),
                            appeal.published_at)
        found = self.replies(ctx)
        deleted_at = appeal.deleted_at
        last_before_deletion = None
        if deleted_at is not None:
            before = [post.key for post, _, _ in found if post.published_at <= deleted_at]
            last_before_deletion = before[-1] if before else None
        replies = tuple(
            Reply(post, body, via, self.quality.judge(post, appeal, deleted_after=post.key == last_before_deletion,
                                                      addressed=via == "thread"))
            for post, body, via in found
        )
        for reply in replies:
            if reply.body_id not in bodies:
                bodies.append(reply.body_id)  # a body that answered took the appeal on
                routing = (*routing, f"ответил: {self.directory.title(reply.body_id)}")
        first = replies[0] if replies else None
        minutes = working = None
        if first is not None:
            minutes = round(max(0.0, (first.at - appeal.published_at).total_seconds() / 60), 1)
            working = self.calendar.working_minutes(appeal.published_at, first.at)
        status = sla.status(due.first_at, first.at if first else None, now,
                            deleted_at=deleted_at if first is None else None)
        follow_ups = self._follow_ups(ctx, first) if first is not None else []
        resolved_at = next((r.at for r in replies if self.quality.is_final(r.post) and r.quality.label != "conflict"),
                           None)
        if resolved_at is None:
            resolved_at = next((p.published_at for p in follow_ups if p.author_key == appeal.author_key
                                and self.reader.read(p.text).solved and not self.reader.read(p.text).unsolved), None)
        final_status = sla.status(due.final_at, resolved_at, now, deleted_at=deleted_at if resolved_at is None else None)
        repeat = self._repeat(ctx, first.at if first is not None else appeal.published_at)
        repeat_days = None
        if repeat is not None:
            repeat_days = (repeat.published_at - (first.at if first else appeal.published_at)).days
        satisfaction = self.satisfaction.judge(appeal, first.post if first else None, follow_ups, repeat, repeat_days)
        if deleted_at is not None and first is None:
            satisfaction = Verdict("unknown", ("обращение удалено до ответа",))
        return AppealVerdict(
            appeal=appeal, bodies=tuple(bodies), kind=kind, deadlines=due, replies=replies,
            minutes_to_reply=minutes, working_minutes_to_reply=working, sla_status=status, final_status=final_status,
            resolved_at=resolved_at, quality=appeal_quality(replies), satisfaction=satisfaction,
            repeated_by=repeat.key if repeat is not None else None, deleted=deleted_at is not None,
            checked_at=now, routing=tuple(routing),
        )


def _root(thread: Sequence[ThreadPost], appeal: ThreadPost) -> ThreadPost | None:
    """The top-level post of the appeal's thread, if it is among the thread's posts."""
    root_id = appeal.parent_id or appeal.id
    return next((p for p in thread if p.id == root_id and not p.is_comment and p.source == appeal.source), None)


def appeal_quality(replies: Sequence[Reply]) -> Verdict | None:
    """A conflict in any reply marks the appeal; otherwise the best reply speaks for it."""
    if not replies:
        return None
    conflicts = [r for r in replies if r.quality.label == "conflict"]
    if conflicts:
        reasons = tuple(dict.fromkeys(reason for r in conflicts for reason in r.quality.reasons))
        return Verdict("conflict", reasons)
    best = min(replies, key=lambda r: (QUALITY_ORDER.index(r.quality.label), r.at))
    return best.quality
