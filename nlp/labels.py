"""Labelled texts for training and evaluation: the corpus format of ``nlp/corpus/GUIDE.md``, as JSON Lines or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.errors import InputError

SENTIMENTS = ("negative", "neutral", "positive")
# Where a labelled text was published, when the corpus says: a town community, an official page of the town, or
# elsewhere. Relevance of a text with no town word depends on it, as it does for collected posts.
SOURCES = ("town", "official", "other")


@dataclass(frozen=True, slots=True)
class LabelledText:
    """One labelled post or comment; a label left as ``None`` teaches nothing to that model."""

    id: str
    text: str
    parent_text: str | None = None
    platform: str = "vk"
    relevant: bool | None = None
    topics: tuple[str, ...] | None = None
    sentiment: str | None = None
    needs_response: bool | None = None
    toxic: bool | None = None
    source: str | None = None  # town | official | other (SOURCES); None: not said, as «other»

    @property
    def town_source(self) -> bool:
        return self.source in ("town", "official")

    @property
    def official(self) -> bool:
        """An official page's own post (its comments are residents')."""
        return self.source == "official" and self.parent_text is None


def _bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "да", "yes", "y", "истина"}:
        return True
    if text in {"0", "false", "нет", "no", "n", "ложь"}:
        return False
    raise ValueError(f"ожидается true/false, а не {value!r}")


def _topics(value: Any, known: set[str] | None) -> tuple[str, ...] | None:
    if value is None or value == "":
        return None
    items = value if isinstance(value, list) else str(value).replace(";", ",").split(",")
    codes = tuple(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))
    if known is not None:
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise ValueError(f"неизвестные темы: {', '.join(unknown)}")
    return codes or None


def labelled_from_dict(data: dict[str, Any], line: int, known_topics: set[str] | None = None) -> LabelledText:
    """Validate one record; raises ValueError with a Russian reason."""
    text = data.get("text")
    if not isinstance(text, str):
        raise ValueError("нет текста (поле text)")
    sentiment = data.get("sentiment") or None
    if sentiment is not None and sentiment not in SENTIMENTS:
        raise ValueError(f"sentiment должен быть одним из {', '.join(SENTIMENTS)}")
    parent = data.get("parent_text")
    source = data.get("source") or None
    if source is not None and source not in SOURCES:
        raise ValueError(f"source должен быть одним из {', '.join(SOURCES)}")
    return LabelledText(
        id=str(data.get("id") or f"line-{line}"),
        text=text,
        parent_text=parent if isinstance(parent, str) and parent else None,
        platform=str(data.get("platform") or "vk"),
        relevant=_bool(data.get("relevant")),
        topics=_topics(data.get("topics"), known_topics),
        sentiment=sentiment,
        needs_response=_bool(data.get("needs_response")),
        toxic=_bool(data.get("toxic")),
        source=source,
    )


def _rows(path: Path) -> Iterable[tuple[int, dict[str, Any] | None, str | None]]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"файл разметки не найден: {path}") from exc
    except OSError as exc:
        raise InputError(f"файл разметки не читается: {path}: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"файл разметки {path} не в кодировке UTF-8 (байт {exc.start + 1}): сохраните его в UTF-8") from None
    if path.suffix.lower() == ".csv":
        for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            yield number, dict(row), None
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            yield number, None, "некорректный JSON"
            continue
        yield (number, data, None) if isinstance(data, dict) else (number, None, "ожидается JSON-объект")


def read_labelled(paths: Iterable[Path], known_topics: set[str] | None = None) -> tuple[list[LabelledText], list[str]]:
    """Every valid record of the files, and one Russian problem line per skipped record."""
    records: list[LabelledText] = []
    problems: list[str] = []
    for path in paths:
        for number, data, problem in _rows(path):
            if data is None:
                problems.append(f"{path.name}: строка {number} пропущена: {problem}")
                continue
            try:
                records.append(labelled_from_dict(data, number, known_topics))
            except ValueError as exc:
                problems.append(f"{path.name}: строка {number} пропущена: {exc}")
    return records, problems
