"""A source's state in one Russian word or phrase, the same in `mcu sources`, `mcu status` and the workspace."""

from __future__ import annotations

from datetime import datetime

from storage.sources import SourceRecord


def source_state(record: SourceRecord, now: datetime) -> str:
    if not record.enabled:
        return "отключён"
    if record.closed_at is not None:
        return f"закрыт: {record.closed_reason}"
    if record.failing:
        return "не настроен" if (record.last_error or "").startswith("не настроен") else "ошибка"
    if record.last_success_at is None:
        return "ещё не собирался"
    return "работает"
