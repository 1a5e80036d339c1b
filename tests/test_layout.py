"""The layout the user fixed: imports point one way, components never import the app shell, records are frozen."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"config", "collectors", "nlp", "risk", "storage", "alerts", "mcu", "responses", "gospublics"}
ALLOWED = {
    "config": {"config"},
    "collectors": {"config", "collectors"},
    "nlp": {"config", "collectors", "nlp"},
    "risk": {"config", "risk"},
    "alerts": {"config", "risk", "responses", "alerts", "gospublics"},
    "responses": {"config", "nlp", "responses"},
    # Components may use one another (госпаблики take answers to residents from the responses component); never a
    # shell.
    "gospublics": {"config", "collectors", "responses", "gospublics"},
    "storage": {"config", "collectors", "nlp", "risk", "alerts", "responses", "gospublics", "storage"},
    "mcu": OURS,
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_one_way(package: str) -> None:
    for module in (ROOT / package).rglob("*.py"):
        wrong = _imports(module) - ALLOWED[package]
        assert not wrong, f"{module.relative_to(ROOT)} импортирует {sorted(wrong)}"


def test_top_level_layout() -> None:
    for name in ("collectors", "nlp", "risk", "storage", "alerts", "config", "tests", "bench", "pyproject.toml",
                 "README.md", "Makefile", ".ci/run", "mcu.example.yaml"):
        assert (ROOT / name).exists(), name


def test_records_are_frozen() -> None:
    from alerts import Alert, DigestData
    from collectors import Batch, Metrics, Post
    from nlp import Annotation, Entity, Sentiment, TopicScore
    from risk import Member, PostFeatures, RiskAssessment, StoryState, StoryView

    for record in (Post, Metrics, Batch, Annotation, Entity, Sentiment, TopicScore, Member, PostFeatures, StoryState,
                   RiskAssessment, StoryView, Alert, DigestData):
        assert dataclasses.is_dataclass(record) and record.__dataclass_params__.frozen, record.__name__  # type: ignore[attr-defined]


def test_no_module_named_utils() -> None:
    assert not [p for p in ROOT.glob("*/utils.py")]
