"""Post records: good lines parse, bad lines become Russian problems with line numbers, never exceptions."""

from __future__ import annotations

import json
from datetime import timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors import parse_line, post_from_dict, read_posts
from collectors.bounds import MAX_TEXT
from collectors.records import MAX_LINE_BYTES

GOOD = {
    "id": "p1", "platform": "vk", "source": "demo_gorod", "url": "https://vk.com/wall-1_1", "author": "Ира",
    "published_at": "2026-01-14T08:00:00+03:00", "text": "Нет воды в 3 мкр", "parent_id": None,
    "metrics": {"views": 10, "likes": 1},
}


def line(**changes: object) -> str:
    record = dict(GOOD)
    record.update(changes)
    return json.dumps(record, ensure_ascii=False)


def test_good_line() -> None:
    post, problems = parse_line(line(), 1)
    assert problems == []
    assert post is not None and post.id == "p1" and post.metrics.views == 10 and post.metrics.reposts is None
    assert post.published_at.utcoffset().total_seconds() == 3 * 3600  # type: ignore[union-attr]
    assert post.to_record()["metrics"] == {"views": 10, "likes": 1}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{broken", "некорректный JSON"),
        ("[1, 2]", "ожидается JSON-объект"),
        (line(platform="myspace"), "platform: недопустимое значение"),
        (line(published_at="вчера"), "published_at: ожидается дата и время"),
        (line(published_at="2026-01-14T08:00:00"), "published_at: у даты нет смещения"),
        (line(id=""), "id: значение не может быть пустым"),
        (json.dumps({"platform": "vk"}), "id: обязательный ключ не задан"),
        (line(text=["список"]), "text: ожидается строка"),
    ],
)
def test_bad_lines_are_skipped_with_reason(raw: str, message: str) -> None:
    post, problems = parse_line(raw, 7)
    assert post is None
    assert len(problems) == 1 and problems[0].skipped
    assert message in str(problems[0]) and str(problems[0]).startswith("строка 7 пропущена")


def test_bad_metrics_are_repaired_not_fatal() -> None:
    post, problems = parse_line(line(metrics={"views": -5, "likes": "много", "reposts": 3.0, "comments": None}), 2)
    assert post is not None
    assert post.metrics.views is None and post.metrics.likes is None and post.metrics.reposts == 3
    assert {p.skipped for p in problems} == {False}
    assert any("отрицательное" in str(p) for p in problems)


def test_missing_optional_fields_default() -> None:
    post, problems = post_from_dict({"id": 5, "platform": "web", "source": "site.ru", "published_at": "2026-01-01T00:00:00Z"})
    assert problems == [] and post is not None
    assert post.id == "5" and post.text == "" and post.metrics.empty and post.parent_id is None
    assert post.published_at.tzinfo is not None and post.published_at.utcoffset() == timezone.utc.utcoffset(None)


def test_odd_unicode_is_made_storable() -> None:
    post, _ = parse_line(line(text="текст\u0000с нулём и \ud800 одиночным суррогатом"), 1)
    assert post is not None
    assert "\x00" not in post.text and "\ud800" not in post.text and "\ufffd" in post.text
    post.text.encode("utf-8")


def test_observed_before_published_is_repaired() -> None:
    post, problems = parse_line(line(observed_at="2026-01-13T08:00:00+03:00"), 3)
    assert post is not None and post.observed_at == post.published_at
    assert problems and not problems[0].skipped


def test_huge_line_is_skipped_and_huge_text_is_cut_with_a_note() -> None:
    post, problems = parse_line("x" * (MAX_LINE_BYTES + 1), 1)
    assert post is None and "длиннее" in str(problems[0])
    big = "Очень длинное письмо. " * 20_000
    post, problems = parse_line(line(text=big), 2)
    assert post is not None and post.text == big[:MAX_TEXT]
    assert [str(p) for p in problems] == [f"строка 2 исправлена: text: длиннее {MAX_TEXT} символов, обрезан"]


def test_stream_continues_after_bad_lines() -> None:
    lines = [line(id="a"), "{oops", "", line(id="b", platform="x"), line(id="c")]
    results = list(read_posts(lines))
    good = [p.id for p, _ in results if p is not None]
    bad = [problems[0].line for p, problems in results if p is None]
    assert good == ["a", "c"] and bad == [2, 4]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.binary()))
def test_any_input_line_never_raises(raw: str | bytes) -> None:
    post, problems = parse_line(raw, 1)
    assert post is None or not any(p.skipped for p in problems)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["id", "platform", "source", "url", "author", "published_at", "text", "parent_id", "metrics", "observed_at"]),
        st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.text(), st.lists(st.integers()), st.dictionaries(st.text(), st.integers())),
    )
)
def test_any_record_shape_never_raises(record: dict[str, object]) -> None:
    post, problems = post_from_dict(record, 1)
    assert (post is None) == any(p.skipped for p in problems)
