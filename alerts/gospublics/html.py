"""«Мониторинг госпабликов» as one self-contained HTML file (``gospublics.html.j2``): inline CSS and charts."""

from __future__ import annotations

from datetime import tzinfo

from alerts.digest.charts import Chart
from alerts.digest.html import inline_image
from alerts.digest.markdown import template_env
from alerts.gospublics.tables import VERDICT, questions_table, ranking_table, status_title
from gospublics import CHECK_TITLES, PLATFORM_TITLES, Monitoring
from gospublics.wording import num, pct


def render_html(data: Monitoring, tz: tzinfo, charts: list[Chart] | None = None) -> str:
    env = template_env(tz, autoescape=True)
    env.filters.update(num=lambda value: num(float(value), 2), pct=pct)
    return env.get_template("gospublics.html.j2").render(
        m=data,
        ranking=ranking_table(data),
        questions=questions_table(data),
        check_titles=CHECK_TITLES,
        verdict=VERDICT,
        images=[inline_image(chart) for chart in charts or []],
        kind_title=lambda kind: data.kind_titles.get(kind, kind),
        platform_title=lambda platform: PLATFORM_TITLES.get(platform, platform),
        status_title=status_title,
    )
