"""Workspace page times on the demo database, through the app in-process (no network, no browser).

Run: ``.venv/bin/mcu demo --dir /tmp/webdemo`` then ``.venv/bin/python -m bench.web /tmp/webdemo``.
Each page is fetched once to warm up (templates, matplotlib), then ``--repeat`` times; the median and the
slowest wall times and the median process CPU time (the machine may be shared: CPU time is what the page costs)
are printed in milliseconds, signed in as the demo account (role: head of the МЦУ). The goal is under 300 ms a
page; downloads (DOCX, XLSX) render documents and are listed for reference.
"""

from __future__ import annotations

import argparse
import logging
import re
import time
from pathlib import Path
from statistics import median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workdir", type=Path, nargs="?", default=Path("mcu-demo"))
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from config import load_config
    from mcu.database import open_database
    from mcu.demo import demo_settings
    from mcu.pipeline import Pipeline
    from mcu.web.server import build_app
    from storage.models import PostRow, StoryRow

    settings = demo_settings(load_config(None)[0], args.workdir)
    db = open_database(settings)
    client = TestClient(build_app(settings, Pipeline(settings, db)), base_url="http://127.0.0.1")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    password = (args.workdir / "web-password.txt").read_text(encoding="utf-8").strip()
    client.post("/login", data={"login": "demo", "password": password, "csrf_token": token})
    with db.transaction() as session:
        story = session.scalar(select(StoryRow.id).order_by(StoryRow.post_count.desc()))
        posts = session.scalar(select(PostRow.id).where(PostRow.story_id == story).limit(1))
    assert story is not None and posts is not None
    pages = ["/queue", "/queue/list", "/queue.json", f"/stories/{story}", f"/stories/{story}.json",
             f"/stories/{story}/timeline.svg", "/sources", "/reports", "/search?q=отопление",
             "/search?topic=housing&sentiment=negative", "/silences", "/audit", "/reports/view?period=week",
             "/appeals", "/appeals?state=all&period=quarter", "/appeals/list", "/appeals.json?state=all",
             "/ratings", "/ratings?period=month", "/ratings.json", "/roadmap", "/roadmap.json",
             "/gospublics", "/gospublics?period=week", "/gospublics.json",
             "/reports/download?period=week&format=xlsx", "/reports/download?period=week&format=docx",
             "/ratings/download?format=xlsx", "/ratings/download?format=docx", "/roadmap/download?format=xlsx",
             "/gospublics/report?format=xlsx", "/gospublics/report?format=docx"]
    print(f"Демо-база: {args.workdir / 'mcu.db'}; история №{story} — самая большая. Время, мс (медиана / худшее из {args.repeat}; медиана времени процессора):")
    for path in pages:
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        times, cpu = [], []
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        print(f"  {path:<48} {median(times):7.1f} / {max(times):7.1f}   ЦП {median(cpu):7.1f}")
    db.dispose()


if __name__ == "__main__":
    main()
