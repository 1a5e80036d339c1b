"""API usage per method and day: saved after each run so quotas survive restarts and `status` can show them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.budget import Usage
from storage.models import ApiUsageRow
from storage.upsert import ensure_row


def save_usage(session: Session, usage: Iterable[Usage]) -> None:
    for item in usage:
        row = session.get(ApiUsageRow, (item.api, item.method, item.day)) or ensure_row(
            session, ApiUsageRow, ["api", "method", "day"], dict(api=item.api, method=item.method, day=item.day, calls=0))
        row.calls = max(row.calls, item.calls)
        row.quota = item.quota
        row.blocked_until = item.blocked_until


def load_usage(session: Session, day: str) -> list[Usage]:
    """Today's counters plus any block still in force."""
    rows = session.scalars(select(ApiUsageRow).where(ApiUsageRow.day >= day).order_by(ApiUsageRow.api, ApiUsageRow.method))
    return [Usage(r.api, r.method, r.day, r.calls, r.quota, r.blocked_until) for r in rows]
