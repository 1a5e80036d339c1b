"""Collection against the loopback fakes: API calls and wall time for a town-sized first pass, an
incremental cycle and a watch-window cycle, through the real Collection (storage included).

Run: ``.venv/bin/python -m bench.collectors --communities 10 --posts 500 --comments 20``.
Rate limits are switched off so the figure is our own cost; the time the same calls take at the API's
documented rate (VK: 3 requests per second per token) is printed beside it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from collectors.budget import Budget
from collectors.source import SourceInfo
from config import Secret, load_config
from config.schema import Settings
from mcu.collection import Collection
from storage import Database, sources, upgrade
from tests.fakes.ok import FakeOk
from tests.fakes.vk import FakeVk


def _settings(base: Settings, api: dict[str, dict[str, Any]]) -> Settings:
    """The built-in settings with API sections pointed at the fakes (secrets given as ``Secret`` objects)."""
    sections = {name: getattr(base.api, name).model_copy(update=values) for name, values in api.items()}
    return base.model_copy(update={"api": base.api.model_copy(update=sections), "sources": []})


def _cycle(label: str, collection: Collection, names: list[str], calls: Callable[[], int], at: Any) -> None:
    before = calls()
    started = time.perf_counter()
    collected = 0
    for name in names:
        stats = collection.run(name, at)
        collected += stats.collected
        if stats.error:
            print(f"  {name}: ошибка {stats.error}")
    seconds = time.perf_counter() - started
    spent = calls() - before
    print(f"{label:40} запросов {spent:6}  записей {collected:7}  время {seconds:7.1f} с"
          f"  (при 3 запросах/с: {spent / 3 / 60:6.1f} мин)")


def bench_platform(platform: str, communities: int, posts: int, comments: int, workdir: Path) -> None:
    base, _ = load_config(None)
    db = Database.from_url(f"sqlite:///{workdir / f'{platform}.db'}")
    upgrade(db.engine)
    # Posts every 5 minutes, so the whole community falls within the first pass's horizon.
    step = timedelta(minutes=5)
    if platform == "vk":
        # Collectors judge their horizon by the wall clock: the fake's content is dated just before now.
        fake = FakeVk(now=datetime.now(timezone.utc))
        fake.__enter__()
        settings = _settings(base, {"vk": {"base_url": fake.base_url, "token": Secret("bench", fake.token)}})
        now = fake.now
        for n in range(communities):
            fake.add_wall(-(1000 + n), f"bench{n}", posts=posts, comments=comments, step=step, start=now - step)
        calls: Callable[[], int] = lambda: len(fake.requests)  # noqa: E731
        infos = [SourceInfo("vk_wall", f"bench{n}", str(-(1000 + n)), f"bench{n}", f"https://vk.com/bench{n}") for n in range(communities)]
    else:
        fake = FakeOk()
        fake.__enter__()
        settings = _settings(base, {"ok": {"base_url": fake.base_url, "application_key": fake.application_key,
                                           "application_secret": Secret("bench", fake.application_secret),
                                           "access_token": Secret("bench", fake.access_token)}})
        now = datetime.now(timezone.utc)
        for n in range(communities):
            fake.add_group(str(70000000000000 + n), topics=posts, comments=comments, step=step, newest=now - step)
        calls = lambda: len(fake.requests)  # noqa: E731
        infos = [SourceInfo("ok_group", str(70000000000000 + n), str(70000000000000 + n), f"g{n}", "https://ok.ru/") for n in range(communities)]
    try:
        with db.transaction() as session:
            for info in infos:
                sources.add_source(session, f"{platform}:{info.handle}", info, 600, now)
        collection = Collection(settings, db, Budget())
        names = [f"{platform}:{info.handle}" for info in infos]
        print(f"{platform.upper()}: {communities} сообществ × {posts} постов × {comments} комментариев")
        _cycle("первый проход", collection, names, calls, now)
        _cycle("инкрементальный цикл (ничего нового)", collection, names, calls, now + timedelta(minutes=1))
        watch = now + timedelta(seconds=settings.collection.watch_interval)
        _cycle("цикл наблюдения (перечитать свежие)", collection, names, calls, watch)
    finally:
        fake.__exit__(None, None, None)
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communities", type=int, default=10)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--comments", type=int, default=20)
    parser.add_argument("--platform", choices=["vk", "ok", "all"], default="all")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        for platform in (["vk", "ok"] if args.platform == "all" else [args.platform]):
            bench_platform(platform, args.communities, args.posts, args.comments, Path(scratch))


if __name__ == "__main__":
    main()
