"""The opaque cursors of the VK collectors, as JSON: where the last finished pass stopped, and the pass in progress.

A pass (a "sweep") may span several ``collect`` calls when it needs more than ``max_pages`` pages; its state is
in the cursor, so a crash between calls repeats at most one batch (storage deduplicates by id).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

VERSION = 1


class BadCursor(ValueError):
    """A cursor string we did not write (or from an incompatible version)."""


@dataclass(slots=True)
class WallSweep:
    """A wall pass in progress: reading newest first down to ``floor`` (an id) or ``horizon`` (a timestamp).

    ``below`` is the lowest (not pinned) post id emitted so far: a resumed pass skips everything at or above it,
    so posts published meanwhile, which shift offsets, cause no duplicates; ``offset`` is where to resume.
    ``top`` is the newest id seen in the pass, the next floor once it completes.
    """

    floor: int | None
    horizon: int | None
    offset: int = 0
    below: int | None = None
    top: int | None = None
    pinned: list[int] = field(default_factory=list)


@dataclass(slots=True)
class WallCursor:
    """``last_id``: every post up to this id is collected (``None`` until a first pass completes)."""

    last_id: int | None = None
    sweep: WallSweep | None = None

    def dump(self) -> str:
        return json.dumps({"v": VERSION, "kind": "vk_wall", **asdict(self)}, sort_keys=True)

    @classmethod
    def load(cls, text: str | None) -> "WallCursor":
        if not text:
            return cls()
        data = _decode(text, "vk_wall")
        try:
            sweep = data.get("sweep")
            return cls(
                last_id=_opt_int(data.get("last_id")),
                sweep=WallSweep(
                    floor=_opt_int(sweep.get("floor")),
                    horizon=_opt_int(sweep.get("horizon")),
                    offset=int(sweep.get("offset") or 0),
                    below=_opt_int(sweep.get("below")),
                    top=_opt_int(sweep.get("top")),
                    pinned=[int(p) for p in sweep.get("pinned") or []],
                )
                if isinstance(sweep, dict)
                else None,
            )
        except (TypeError, ValueError, AttributeError) as exc:
            raise BadCursor(f"курсор VK не читается: {exc}") from None


@dataclass(slots=True)
class QueryMark:
    """For one search query: the newest publication time seen, and the ids seen at exactly that second."""

    last_date: int
    ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SearchSweep:
    """A search pass in progress over the queries, one at a time (``index``), all up to ``end_time``.

    Each query is read in time slices: VK serves only the first 1000 results of a search, so when a slice ends
    short of ``total_count`` the next slice ends at the oldest time seen (``slice_end``).
    """

    end_time: int
    horizon: int
    backfill: bool = False  # every query reads back to ``horizon``, not only to its own last date
    index: int = 0
    slice_end: int | None = None
    next_from: str | None = None
    slice_read: int = 0
    slice_new: int = 0
    oldest: int | None = None
    boundary: list[str] = field(default_factory=list)
    newest: QueryMark | None = None


@dataclass(slots=True)
class SearchCursor:
    queries: dict[str, QueryMark] = field(default_factory=dict)
    sweep: SearchSweep | None = None

    def dump(self) -> str:
        return json.dumps({"v": VERSION, "kind": "vk_search", **asdict(self)}, sort_keys=True, ensure_ascii=False)

    @classmethod
    def load(cls, text: str | None) -> "SearchCursor":
        if not text:
            return cls()
        data = _decode(text, "vk_search")
        try:
            queries = {str(q): _mark(m) for q, m in (data.get("queries") or {}).items()}
            raw = data.get("sweep")
            sweep = None
            if isinstance(raw, dict):
                sweep = SearchSweep(
                    end_time=int(raw["end_time"]),
                    horizon=int(raw["horizon"]),
                    backfill=bool(raw.get("backfill")),
                    index=int(raw.get("index") or 0),
                    slice_end=_opt_int(raw.get("slice_end")),
                    next_from=str(raw["next_from"]) if raw.get("next_from") else None,
                    slice_read=int(raw.get("slice_read") or 0),
                    slice_new=int(raw.get("slice_new") or 0),
                    oldest=_opt_int(raw.get("oldest")),
                    boundary=[str(i) for i in raw.get("boundary") or []],
                    newest=_mark(raw["newest"]) if raw.get("newest") else None,
                )
            return cls(queries, sweep)
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            raise BadCursor(f"курсор поиска VK не читается: {exc}") from None


def _decode(text: str, kind: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        raise BadCursor("курсор VK не является JSON") from None
    if not isinstance(data, dict) or data.get("v") != VERSION or data.get("kind") != kind:
        raise BadCursor(f"курсор не от сборщика {kind} версии {VERSION}")
    return data


def _mark(raw: Any) -> QueryMark:
    return QueryMark(int(raw["last_date"]), [str(i) for i in raw.get("ids") or []])


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)
