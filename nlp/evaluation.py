"""Precision, recall and F1 per class, and confusion matrices, of annotations against labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from nlp.annotation import Annotation
from nlp.labels import SENTIMENTS, LabelledText

RELEVANCE_THRESHOLD = 0.5
TOXIC_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class ClassScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class TaskReport:
    title: str
    classes: tuple[ClassScore, ...]
    labels: tuple[str, ...] = ()
    matrix: tuple[tuple[int, ...], ...] = ()

    @property
    def macro_f1(self) -> float:
        scored = [c.f1 for c in self.classes if c.support]
        return sum(scored) / len(scored) if scored else 0.0


def _task(title: str, gold: list[str], predicted: list[str], labels: Sequence[str]) -> TaskReport:
    present = [label for label in labels if label in gold or label in predicted]
    p, r, f, s = precision_recall_fscore_support(gold, predicted, labels=present, zero_division=0)
    matrix = confusion_matrix(gold, predicted, labels=present)
    classes = tuple(ClassScore(label, float(p[i]), float(r[i]), float(f[i]), int(s[i])) for i, label in enumerate(present))
    return TaskReport(title, classes, tuple(present), tuple(tuple(int(v) for v in row) for row in matrix))


def _yes(value: bool) -> str:
    return "да" if value else "нет"


def evaluate(records: Sequence[LabelledText], annotations: Sequence[Annotation], topic_codes: Sequence[str]) -> list[TaskReport]:
    """One report per labelled task; records without a label for a task are left out of it."""
    pairs = list(zip(records, annotations, strict=True))
    reports: list[TaskReport] = []
    rel = [(r, a) for r, a in pairs if r.relevant is not None]
    if rel:
        reports.append(_task("О городе (relevance ≥ 0,5)", [_yes(bool(r.relevant)) for r, _ in rel],
                             [_yes(a.relevance >= RELEVANCE_THRESHOLD) for _, a in rel], ("да", "нет")))
    sent = [(r, a) for r, a in pairs if r.sentiment is not None]
    if sent:
        reports.append(_task("Тональность", [str(r.sentiment) for r, _ in sent], [a.sentiment.label for _, a in sent], SENTIMENTS))
    need = [(r, a) for r, a in pairs if r.needs_response is not None]
    if need:
        reports.append(_task("Нужен ответ власти", [_yes(bool(r.needs_response)) for r, _ in need],
                             [_yes(a.needs_response) for _, a in need], ("да", "нет")))
    tox = [(r, a) for r, a in pairs if r.toxic is not None]
    if tox:
        reports.append(_task("Токсичность", [_yes(bool(r.toxic)) for r, _ in tox],
                             [_yes(a.toxicity >= TOXIC_THRESHOLD) for _, a in tox], ("да", "нет")))
    top = [(r, a) for r, a in pairs if r.topics is not None]
    if top:
        classes = []
        for code in topic_codes:
            gold = [code in (r.topics or ()) for r, _ in top]
            predicted = [code in {t.code for t in a.topics} for _, a in top]
            if not any(gold) and not any(predicted):
                continue
            p, r_, f, _ = precision_recall_fscore_support(gold, predicted, labels=[True], zero_division=0)
            classes.append(ClassScore(code, float(p[0]), float(r_[0]), float(f[0]), sum(gold)))
        reports.append(TaskReport("Темы (каждая тема — отдельно, есть/нет)", tuple(classes)))
    return reports


def format_reports(reports: Sequence[TaskReport], heading: str) -> str:
    """A plain-text report: per class precision/recall/F1 and support, then the confusion matrix."""
    lines = [heading, ""]
    for report in reports:
        lines.append(f"{report.title}: средняя F1 по классам {report.macro_f1:.3f}")
        lines.append(f"  {'класс':14} {'точность':>9} {'полнота':>8} {'F1':>6} {'записей':>8}")
        for c in report.classes:
            lines.append(f"  {c.label:14} {c.precision:9.3f} {c.recall:8.3f} {c.f1:6.3f} {c.support:8d}")
        if report.matrix:
            lines.append("  матрица ошибок (строки — разметка, столбцы — ответ):")
            lines.append("  " + " " * 14 + "".join(f"{label:>10}" for label in report.labels))
            for label, row in zip(report.labels, report.matrix, strict=True):
                lines.append(f"  {label:14}" + "".join(f"{value:10d}" for value in row))
        lines.append("")
    return "\n".join(lines)
