"""«Мониторинг госпабликов»: the monthly report on official pages in Word, Excel and HTML, with charts."""

from __future__ import annotations

from datetime import tzinfo

from alerts.digest.charts import Chart
from gospublics import Monitoring

FORMATS = ("docx", "xlsx", "html")


def render_report(data: Monitoring, tz: tzinfo, fmt: str, min_per_week: float, charts: list[Chart] | None = None
                  ) -> bytes:
    """The report as file bytes; the office libraries load only for their format."""
    from alerts.gospublics.charts import all_charts

    if fmt == "xlsx":
        from alerts.gospublics.excel import render_xlsx

        return render_xlsx(data, tz)
    pictures = all_charts(data, min_per_week, tz) if charts is None else charts
    if fmt == "docx":
        from alerts.gospublics.word import render_docx

        return render_docx(data, tz, pictures)
    if fmt == "html":
        from alerts.gospublics.html import render_html

        return render_html(data, tz, pictures).encode("utf-8")
    raise ValueError(f"формат {fmt!r} не поддерживается: {', '.join(FORMATS)}")


__all__ = ["FORMATS", "render_report"]
