"""Справки beside the risk digest: the rating of responsible bodies and the дорожная карта — built as plain
``Report`` records and rendered as DOCX, XLSX, HTML or Markdown with the digest's helpers, so every format says
the same thing."""

from alerts.reports.document import Report, Section, render_report
from alerts.reports.ratings import RatingReport, rating_report
from alerts.reports.roadmap import roadmap_report

__all__ = ["RatingReport", "Report", "Section", "rating_report", "render_report", "roadmap_report"]
