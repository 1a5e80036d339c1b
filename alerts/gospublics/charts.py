"""Charts of «Мониторинг госпабликов» (matplotlib, no screen): publication cadence by week, engagement, scores."""

from __future__ import annotations

from datetime import timedelta, tzinfo

from alerts.digest.charts import Chart, _png, plt
from gospublics import Monitoring
from gospublics.figures import week_slices

MAX_LABEL = 34


def _label(title: str) -> str:
    return title if len(title) <= MAX_LABEL else title[: MAX_LABEL - 1] + "…"


def cadence_chart(data: Monitoring, min_per_week: float, tz: tzinfo | None = None) -> Chart:
    """Posts per week of each page: a grid of pages × weeks, red below the norm."""
    reports = data.ranked
    slices = week_slices(data.period)
    weeks = len(slices)
    lengths = [max((end - start).total_seconds() / 86400, 1.0) for start, end in slices]
    figure, axes = plt.subplots(figsize=(8, 0.45 * max(len(reports), 2) + 1.2))
    grid = [[r.figures.weekly_posts[i] if i < len(r.figures.weekly_posts) else 0 for i in range(weeks)]
            for r in reports]
    if grid and weeks:
        # Colour by the weekly rate, so a short first slice is not red for being short.
        rates = [[value * 7 / lengths[i] for i, value in enumerate(values)] for values in grid]
        axes.imshow(rates, cmap="RdYlGn", vmin=0, vmax=max(min_per_week * 2, 1), aspect="auto")
        for row, values in enumerate(grid):
            for column, value in enumerate(values):
                axes.text(column, row, str(value), ha="center", va="center", fontsize=8)
    tz = tz or data.period.end.tzinfo
    labels = [f"{start.astimezone(tz):%d.%m}–{(end - timedelta(seconds=1)).astimezone(tz):%d.%m}" for start, end in slices]
    axes.set_yticks(range(len(reports)), [_label(r.page.title) for r in reports], fontsize=8)
    axes.set_xticks(range(weeks), labels, fontsize=8)
    axes.set_title(f"Постов в неделю (норма — не меньше {min_per_week:g})")
    return Chart("Частота публикаций по неделям", _png(figure))


def engagement_chart(data: Monitoring) -> Chart:
    """Engagement rate of each page, grouped by kind."""
    reports = [r for r in data.ranked if r.figures.engagement_rate is not None]
    figure, axes = plt.subplots(figsize=(8, 0.4 * max(len(reports), 2) + 1.2))
    labels = [_label(r.page.title) for r in reports]
    values = [r.figures.engagement_rate or 0.0 for r in reports]
    colours = ["#27ae60" if (r.check("engagement") is None or r.check("engagement").ok is not False) else "#c0392b"
               for r in reports]
    axes.barh(labels, values, color=colours)
    axes.invert_yaxis()
    axes.tick_params(axis="y", labelsize=8)
    axes.set_xlabel("реакций на пост на подписчика, %")
    axes.set_title("Вовлечённость (красным — ниже нормы)")
    axes.spines[["top", "right"]].set_visible(False)
    return Chart("Вовлечённость страниц", _png(figure))


def score_chart(data: Monitoring) -> Chart:
    reports = list(data.ranked)
    figure, axes = plt.subplots(figsize=(8, 0.4 * max(len(reports), 2) + 1.2))
    axes.barh([_label(r.page.title) for r in reports], [r.score or 0.0 for r in reports], color="#2e86c1")
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.tick_params(axis="y", labelsize=8)
    axes.set_xlabel("балл 0..100")
    axes.set_title("Итоговый балл страниц")
    axes.spines[["top", "right"]].set_visible(False)
    return Chart("Итоговый балл", _png(figure))


def all_charts(data: Monitoring, min_per_week: float, tz: tzinfo | None = None) -> list[Chart]:
    if not data.ranked:
        return []
    return [cadence_chart(data, min_per_week, tz), engagement_chart(data), score_chart(data)]
