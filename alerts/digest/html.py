"""The risk digest as one self-contained HTML file (jinja2 template ``digest.html.j2``): inline CSS, charts as
data URIs, no outside requests — it is forwarded by mail and opened or printed wherever it lands.

Same sections, words and numbers as the Markdown digest: the template helpers come from ``markdown.py``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import tzinfo

from alerts.digest.charts import LEVEL_COLOURS, Chart, all_charts
from alerts.digest.data import DigestData
from alerts.digest.markdown import digest_context, template_env

# Text on a level badge: dark where the colour is light, so it stays readable in print.
_BADGE_TEXT = {"low": "#222", "medium": "#222", "high": "#fff", "critical": "#fff"}


@dataclass(frozen=True, slots=True)
class InlineImage:
    alt: str
    src: str  # data:image/png;base64,...


def inline_image(chart: Chart) -> InlineImage:
    """A chart as a data URI: the file must open without any request, and mail clients strip attachments apart."""
    return InlineImage(chart.title, "data:image/png;base64," + base64.b64encode(chart.png).decode("ascii"))


def render_html(data: DigestData, tz: tzinfo, charts: list[Chart] | None = None) -> str:
    """Autoescaping is on: post text is hostile, and a digest opens in a browser."""
    env = template_env(tz, autoescape=True)
    images = [inline_image(c) for c in (all_charts(data) if charts is None else charts)]
    return env.get_template("digest.html.j2").render(
        **digest_context(data, tz),
        images=images,
        level_colours=LEVEL_COLOURS,
        badge_text=_BADGE_TEXT,
    )
