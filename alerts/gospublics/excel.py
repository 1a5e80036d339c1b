"""«Мониторинг госпабликов» as an Excel workbook: one filterable sheet per table, numbers and shares as numbers."""

from __future__ import annotations

import io
from datetime import tzinfo

from openpyxl import Workbook

from alerts.digest.excel import clean_text, write_table
from alerts.gospublics.tables import SHEETS
from gospublics import Monitoring


def render_xlsx(data: Monitoring, tz: tzinfo) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = clean_text(data.title)
    workbook.properties.language = "ru-RU"
    for name, build in SHEETS:
        write_table(workbook.create_sheet(name), build(data), tz)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
