"""Property: any post records — odd Unicode, ids of any length, dates across the whole calendar, metrics of any
size and sign, missing fields, broken lines — go through `collect` (a replay file) and `process` without an
exception; bad records are skipped with a line number and a reason, good ones are stored and annotated, and the
counts add up. On SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from sqlalchemy import func, select

from collectors import Batch, Metrics, Post, check_posts, parse_line
from collectors.source import SourceInfo
from collectors.bounds import EARLIEST, LATEST, MAX_TEXT
from config import Settings
from config.schema import SourceSettings
from mcu.collection import Collection
from mcu.pipeline import Pipeline
from nlp import Analyzer
from storage import Database, sources
from storage.models import AnnotationRow, PostRow
from tests.test_collection import ScriptedCollector, collection

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
ODD = ["\x00", "\ud800", "\udfff", "\u202e", "\ufeff", "\u200b", "🔥", "ё", "\r\n", "\t", "\x7f", "\U0010ffff"]
_numbers = itertools.count()

offsets = st.builds(timezone, st.timedeltas(min_value=timedelta(hours=-23, minutes=-59),
                                            max_value=timedelta(hours=23, minutes=59)))
moments = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=offsets)
near = st.datetimes(min_value=datetime(2026, 5, 1), max_value=datetime(2026, 6, 3), timezones=offsets)
dates = st.one_of(
    near.map(datetime.isoformat), moments.map(datetime.isoformat),
    st.datetimes(min_value=datetime(2026, 5, 1), max_value=datetime(2026, 6, 3)).map(datetime.isoformat),  # naive
    st.sampled_from(["вчера", "", "2026-13-01T00:00:00+03:00", "0001-01-01T00:00:00+03:00", "9999-12-31T23:59:59-12:00"]),
    st.integers(), st.floats(allow_nan=True, allow_infinity=True),
)
texts = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(ODD + ["В Десногорске нет воды", " мкр "]),
                                                 max_size=12).map("".join),
                  st.just("ж" * (MAX_TEXT + 5)), st.none(), st.integers())
ids = st.one_of(st.text(min_size=1, max_size=12), st.integers(min_value=-(10**30), max_value=10**30),
                st.text(alphabet="ab", min_size=295, max_size=305), st.sampled_from(["", " ", "\x00", "\ud800x"]),
                st.none(), st.floats())
metric = st.one_of(st.integers(min_value=-(10**40), max_value=10**40), st.floats(allow_nan=True, allow_infinity=True),
                   st.booleans(), st.text(max_size=3), st.none())
record = st.fixed_dictionaries({}, optional={
    "id": ids,
    "platform": st.sampled_from(["vk", "ok", "telegram", "web", "myspace", ""]),
    "source": st.sampled_from(["gorod", "desna", "", " ", "x" * 301, "город\x00"]),
    "url": st.one_of(st.none(), st.text(max_size=30), st.just("https://vk.com/" + "w" * 5000)),
    "author": st.one_of(st.none(), st.text(max_size=20), st.just("Ф" * 400)),
    "published_at": dates,
    "text": texts,
    "parent_id": st.one_of(st.none(), ids),
    "metrics": st.one_of(st.none(), st.dictionaries(st.sampled_from(["views", "likes", "reposts", "comments", "odd"]),
                                                    metric, max_size=5), st.integers(), st.text(max_size=3)),
    "observed_at": st.one_of(st.none(), dates),
})
# Mostly whole records (with a valid core, so that good records are common), now and then a broken line.
good_core = st.fixed_dictionaries({"id": st.text(min_size=1, max_size=8), "platform": st.sampled_from(["vk", "web"]),
                                   "source": st.sampled_from(["gorod", "desna"]), "published_at": near.map(datetime.isoformat),
                                   "text": texts})
lines = st.lists(st.one_of(
    st.tuples(good_core, record).map(lambda pair: {**pair[0], **pair[1]}),
    good_core,
    record,
    st.sampled_from(["{broken", "[]", "null", '{"id": 1e999}', "", "   ", '{"id": ' + "9" * 5000 + "}"]),
), min_size=1, max_size=8)


def as_line(item: dict[str, object] | str, example: int) -> str:
    """A JSON Lines line; usable sources get the example's number, so each example stores new posts."""
    if isinstance(item, str):
        return item
    if item.get("source") in ("gorod", "desna"):
        item = {**item, "source": f"{item['source']}-{example}"}
    return json.dumps(item)


@examples(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=lines)
def test_any_records_collect_and_process_without_exception(items: list[dict[str, object] | str], settings: Settings,
                                                           db: Database, analyzer: Analyzer, tmp_path: Path) -> None:
    number = next(_numbers)
    raw_lines = [as_line(item, number) for item in items]
    path = tmp_path / f"feed-{number}.jsonl"
    path.write_text("".join(line + "\n" for line in raw_lines), encoding="utf-8")
    name = f"лента-{number}"
    configured = settings.model_copy(update={"sources": [SourceSettings(name=name, kind="replay", path=str(path))]})
    collection = Collection(configured, db)
    collection.sync(NOW)
    stats = collection.run(name, NOW)
    assert stats.error is None, stats.error

    # the oracle: what each line is on its own
    verdicts = [parse_line(line, index, NOW) for index, line in enumerate(raw_lines, 1)]
    kept = [post for post, _ in verdicts if post is not None]
    skipped = [problems for post, problems in verdicts if post is None and problems]
    assert stats.collected == len(kept) and stats.skipped_lines == len(skipped)
    assert stats.collected + stats.skipped_lines == sum(1 for line in raw_lines if line.strip())
    for problems in skipped:
        assert len(problems) == 1 and problems[0].message and str(problems[0]).startswith(f"строка {problems[0].line} пропущена: ")
    assert sum(1 for p in stats.problems if " пропущена: " in p) == len(skipped)

    processed = Pipeline(configured, db, analyzer=analyzer, deliver=False).process(NOW)
    assert processed.analysed == len({(p.platform, p.source, p.id) for p in kept})
    with db.transaction() as session:
        for post in kept:
            row = session.scalar(select(PostRow).where(PostRow.platform == post.platform, PostRow.source == post.source,
                                                       PostRow.external_id == post.id))
            assert row is not None, post.id
            assert EARLIEST <= row.published_at < LATEST and row.published_at <= NOW + timedelta(days=1)
            assert "\x00" not in row.text and len(row.text) <= MAX_TEXT
            assert all(v is None or 0 <= v for v in (row.views, row.likes, row.reposts, row.comments))
        assert session.scalar(select(func.count()).select_from(PostRow).where(PostRow.needs_analysis.is_(True))) == 0
        posts = session.scalar(select(func.count()).select_from(PostRow))
        assert session.scalar(select(func.count()).select_from(AnnotationRow)) == posts, "каждый сохранённый пост размечен"


counters = st.one_of(st.none(), st.integers(min_value=-(10**30), max_value=10**30))
platform_posts = st.lists(st.builds(
    Post,
    id=st.one_of(st.text(max_size=10), st.text(alphabet="7", min_size=299, max_size=302)),
    platform=st.sampled_from(["vk", "ok", "telegram", "web", "x"]),
    source=st.sampled_from(["gorod", "", "город\x00"]),
    published_at=st.one_of(moments, near, st.datetimes(min_value=datetime(2026, 5, 1), max_value=datetime(2026, 6, 3))),
    text=st.one_of(st.text(max_size=60), st.lists(st.sampled_from(ODD), max_size=6).map("".join)),
    url=st.one_of(st.none(), st.text(max_size=10)),
    author=st.one_of(st.none(), st.text(max_size=10), st.just("\x00")),
    parent_id=st.one_of(st.none(), st.text(max_size=5)),
    metrics=st.builds(Metrics, views=counters, likes=counters, reposts=counters, comments=counters),
    observed_at=st.one_of(st.none(), near),
), max_size=8)


@examples(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=platform_posts)
def test_any_platform_records_are_stored_or_skipped_never_raise(batch: list[Post], settings: Settings,
                                                                db: Database) -> None:
    """What a platform parser might hand over (its own checks aside) never breaks storing the batch."""
    number = next(_numbers)
    name = f"стена-{number}"
    batch = [replace(post, source=f"{post.source}-{number}") if post.source == "gorod" else post for post in batch]
    with db.transaction() as session:
        sources.add_source(session, name, SourceInfo("vk_wall", name, None, name, f"https://vk.com/{name}"), 600, NOW)
    stats = collection(settings, db, vk_wall=ScriptedCollector([Batch(posts=tuple(batch), cursor="c")])).run(name, NOW)
    assert stats.error is None, stats.error
    kept, problems = check_posts(batch, NOW)
    assert stats.collected == len(kept) and stats.skipped_lines == sum(1 for p in problems if p.skipped)
    assert stats.collected + stats.skipped_lines == len(batch)
    with db.transaction() as session:
        for post in kept:
            assert session.scalar(select(func.count()).select_from(PostRow).where(
                PostRow.platform == post.platform, PostRow.source == post.source, PostRow.external_id == post.id)) == 1
