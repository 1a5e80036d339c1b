"""Risk digests: the records storage fills, and their renderings as Markdown, HTML, DOCX and XLSX."""

from alerts.digest.data import (
    PERIOD_TITLES,
    AlertStats,
    Coverage,
    DayCounts,
    DigestData,
    GospublicLine,
    OpenAppeal,
    Recurring,
    SourceTrouble,
    StoryLine,
    Volume,
)
from alerts.digest.markdown import render_markdown

__all__ = [
    "PERIOD_TITLES",
    "AlertStats",
    "Coverage",
    "DayCounts",
    "DigestData",
    "GospublicLine",
    "OpenAppeal",
    "Recurring",
    "SourceTrouble",
    "StoryLine",
    "Volume",
    "render_markdown",
]
