"""Screenshots of the workspace's main pages for the README, in Debian's headless chromium.

    .venv/bin/mcu demo --dir /tmp/webdemo
    .venv/bin/python docs/screenshots/take.py /tmp/webdemo

Starts the workspace on the demo database (a free port on 127.0.0.1), signs in as the demo account, takes one
story into work and asks for drafts of the дорожная карта on the way, and saves PNGs beside this script.
"""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARGS = ["--lang=ru-RU", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def main(workdir: Path) -> None:
    from playwright.sync_api import sync_playwright

    from config import load_config
    from mcu.database import open_database
    from mcu.demo import demo_settings
    from mcu.pipeline import Pipeline
    from mcu.web.server import build_app, serve_in_thread

    settings = demo_settings(load_config(None)[0], workdir)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = open_database(settings)
    stop = serve_in_thread(build_app(settings, Pipeline(settings, db)), settings, "127.0.0.1", port)
    base = f"http://127.0.0.1:{port}"
    time.sleep(1.0)
    password = (workdir / "web-password.txt").read_text(encoding="utf-8").strip()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ru-RU")
            page.goto(f"{base}/login")
            page.screenshot(path=HERE / "login.png")
            page.fill("input[name=login]", "demo")
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/queue")
            page.click("ol.queue li a.title >> nth=1")
            page.click("button[value=take]")
            page.goto(f"{base}/queue")
            page.screenshot(path=HERE / "queue.png", full_page=True)
            page.click("ol.queue li a.title >> nth=0")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=HERE / "story.png", full_page=False)
            for name, path in (("sources", "/sources"), ("reports", "/reports"), ("search", "/search?q=отопление")):
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=HERE / f"{name}.png", full_page=False)
            for name, path in (("appeals", "/appeals?state=all"), ("ratings", "/ratings"),
                               ("gospublics", "/gospublics")):
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=HERE / f"{name}.png", full_page=False)
            page.goto(f"{base}/roadmap")
            page.click("form[action='/roadmap/draft'] button")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=HERE / "roadmap.png", full_page=False)
            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
            phone.context.add_cookies(page.context.cookies())
            phone.goto(f"{base}/queue")
            phone.screenshot(path=HERE / "queue-phone.png", full_page=False)
            phone.goto(f"{base}/appeals")
            phone.screenshot(path=HERE / "appeals-phone.png", full_page=False)
            browser.close()
    finally:
        stop()
        db.dispose()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "mcu-demo"))
