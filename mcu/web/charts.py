"""A story's course as an SVG chart (matplotlib's object API, no screen): posts and comments per interval as bars, the story's
total views and engagement as lines on a second axis."""

from __future__ import annotations

import io
from functools import lru_cache
from collections.abc import Sequence
from datetime import timedelta, tzinfo

import matplotlib
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure

from storage.workspace import TimelineBucket


def timeline_svg(buckets: Sequence[TimelineBucket], tz: tzinfo) -> bytes:
    """Drawn once per distinct course: a story that did not change is not drawn again (matplotlib is slow)."""
    return _drawn(tuple(buckets), tz)


@lru_cache(maxsize=256)
def _drawn(buckets: tuple[TimelineBucket, ...], tz: tzinfo) -> bytes:
    # A Figure of its own, without pyplot's global state: requests draw in parallel threads.
    figure = Figure(figsize=(8, 3.2))
    axes = figure.subplots()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text stays text: smaller, readable by screen readers
        width = (buckets[1].start - buckets[0].start) * 0.8 if len(buckets) > 1 else timedelta(minutes=12)
        starts = [b.start.astimezone(tz).replace(tzinfo=None) for b in buckets]
        axes.bar(starts, [b.posts for b in buckets], width=width, align="edge", color="#2c6fbb", label="посты")
        axes.bar(starts, [b.comments for b in buckets], width=width, align="edge", color="#9ec3ea",
                 bottom=[b.posts for b in buckets], label="комментарии")
        axes.set_ylabel("сообщений")
        axes.spines[["top"]].set_visible(False)
        second = axes.twinx()
        ends = [s + width / 0.8 for s in starts]
        second.plot(ends, [b.views for b in buckets], color="#c0392b", linewidth=2, label="просмотры (всего)")
        second.plot(ends, [b.engagement for b in buckets], color="#e67e22", linewidth=1.5, linestyle="--",
                    label="реакции (всего)")
        second.set_ylabel("просмотры, реакции")
        second.spines[["top"]].set_visible(False)
        handles = axes.get_legend_handles_labels()[0] + second.get_legend_handles_labels()[0]
        labels = axes.get_legend_handles_labels()[1] + second.get_legend_handles_labels()[1]
        axes.legend(handles, labels, loc="upper left", fontsize="small", frameon=False)
        axes.xaxis.set_major_formatter(DateFormatter("%d.%m %H:%M"))
        figure.autofmt_xdate()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight")
        return buffer.getvalue()
