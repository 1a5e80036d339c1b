"""Digest charts as PNG images (matplotlib, no screen needed): topics, sentiment and risk levels by day."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # files only: the daemon and CI have no display

from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from alerts.digest.data import SENTIMENT_TITLES, DayCounts, DigestData  # noqa: E402
from alerts.message import LEVEL_TITLES  # noqa: E402

MAX_TOPICS = 6  # more colours than this no reader can tell apart
SENTIMENT_COLOURS = {"negative": "#c0392b", "neutral": "#95a5a6", "positive": "#27ae60"}
LEVEL_COLOURS = {"low": "#bdc3c7", "medium": "#f1c40f", "high": "#e67e22", "critical": "#c0392b"}


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    png: bytes


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _stacked(days: Sequence[DayCounts], series: Mapping[str, Sequence[int]], titles: Mapping[str, str],
             colours: Mapping[str, str] | None, heading: str, unit: str) -> bytes:
    figure, axes = plt.subplots(figsize=(8, 3.6))
    labels = [d.day.strftime("%d.%m") for d in days]
    bottom = [0] * len(days)
    for key, values in series.items():
        axes.bar(labels, values, bottom=bottom, label=titles.get(key, key),
                 color=(colours or {}).get(key))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_title(heading)
    axes.set_ylabel(unit)
    axes.spines[["top", "right"]].set_visible(False)
    if series:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return _png(figure)


def topic_chart(data: DigestData) -> Chart:
    titles = {t.key: t.title for t in data.topics}
    totals: dict[str, int] = {}
    for day in data.days:
        for code, count in day.topics.items():
            totals[code] = totals.get(code, 0) + count
    top = [code for code, _ in sorted(totals.items(), key=lambda item: -item[1])[:MAX_TOPICS]]
    series = {code: [d.topics.get(code, 0) for d in data.days] for code in top}
    rest = [sum(v for k, v in d.topics.items() if k not in top) for d in data.days]
    if any(rest):
        series["_rest"] = rest
        titles["_rest"] = "остальные"
    return Chart("Сообщения о городе по темам", _stacked(data.days, series, titles, None, "Темы по дням", "сообщений"))


def sentiment_chart(data: DigestData) -> Chart:
    series = {label: [d.sentiment.get(label, 0) for d in data.days] for label in SENTIMENT_TITLES}
    return Chart("Тональность по дням",
                 _stacked(data.days, series, SENTIMENT_TITLES, SENTIMENT_COLOURS, "Тональность по дням", "сообщений"))


def levels_chart(data: DigestData) -> Chart:
    series = {level: [d.levels.get(level, 0) for d in data.days] for level in ("medium", "high", "critical")}
    return Chart("Истории с риском по уровням",
                 _stacked(data.days, series, LEVEL_TITLES, LEVEL_COLOURS, "Истории по уровню риска", "историй"))


def all_charts(data: DigestData) -> list[Chart]:
    """The three charts of the digest, or none for a period without days to show."""
    if not data.days:
        return []
    return [topic_chart(data), sentiment_chart(data), levels_chart(data)]
