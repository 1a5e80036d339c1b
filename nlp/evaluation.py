"""Precision, recall and F1 per class, confusion matrices, and how far the probabilities can be trusted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from nlp.annotation import Annotation
from nlp.labels import SENTIMENTS, LabelledText
from nlp.models import Predictions

RELEVANCE_THRESHOLD = 0.5
TOXIC_THRESHOLD = 0.5
CALIBRATION_BINS = 10


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
    def accuracy(self) -> float | None:
        total = sum(map(sum, self.matrix))
        return sum(self.matrix[i][i] for i in range(len(self.matrix))) / total if total else None

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
        reports.append(_task("Главная тема (первая в разметке и в ответе)", [(r.topics or ("other",))[0] for r, _ in top],
                             [a.main_topic for _, a in top], topic_codes))
    return reports


@dataclass(frozen=True, slots=True)
class Reliability:
    """Brier score (mean squared gap between probability and outcome) and expected calibration error (the mean
    gap, over bins of confidence, between how sure the model is and how often it is right)."""

    title: str
    brier: float
    ece: float
    count: int


def _ece(confidence: np.ndarray, correct: np.ndarray) -> float:
    bins = np.minimum((confidence * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    gap = 0.0
    for b in range(CALIBRATION_BINS):
        inside = bins == b
        if inside.any():
            gap += inside.sum() * abs(confidence[inside].mean() - correct[inside].mean())
    return float(gap / len(confidence))


def _binary(title: str, probability: list[float], outcome: list[bool]) -> Reliability:
    p, y = np.asarray(probability, dtype=float), np.asarray(outcome, dtype=float)
    return Reliability(title, float(np.mean((p - y) ** 2)), _ece(p, y), len(p))


def _multiclass(title: str, spreads: list[dict[str, float]], gold: list[str]) -> Reliability:
    labels = sorted({label for spread in spreads for label in spread})
    p = np.asarray([[spread.get(label, 0.0) for label in labels] for spread in spreads])
    y = np.asarray([[label == g for label in labels] for g in gold], dtype=float)
    top = p.argmax(axis=1)
    correct = y[np.arange(len(y)), top]
    # Brier summed over classes, as the multi-class score is usually given (0 perfect, 2 worst).
    return Reliability(title, float(np.mean(((p - y) ** 2).sum(axis=1))), _ece(p.max(axis=1), correct), len(p))


def reliability(records: Sequence[LabelledText], annotations: Sequence[Annotation],
                predictions: Sequence[Predictions | None]) -> list[Reliability]:
    """Reliability of the relevance score that the config's threshold compares, and of each classifier."""
    rows = list(zip(records, annotations, predictions, strict=True))
    result: list[Reliability] = []
    rel = [(r, a) for r, a, _ in rows if r.relevant is not None]
    if rel:
        result.append(_binary("о городе: итоговая оценка", [a.relevance for _, a in rel], [bool(r.relevant) for r, _ in rel]))
    for title, label, prob in (
        ("о городе: модель", lambda r: r.relevant, lambda p: p.relevant),
        ("нужен ответ: модель", lambda r: r.needs_response, lambda p: p.needs_response),
        ("токсичность: модель", lambda r: r.toxic, lambda p: p.toxic),
    ):
        usable = [(label(r), prob(p)) for r, _, p in rows if p is not None and label(r) is not None and prob(p) is not None]
        if usable:
            result.append(_binary(title, [p for _, p in usable], [bool(y) for y, _ in usable]))
    sent = [(r.sentiment, p.sentiment) for r, _, p in rows if p is not None and r.sentiment and p.sentiment]
    if sent:
        result.append(_multiclass("тональность: модель", [p for _, p in sent], [str(y) for y, _ in sent]))
    top = [(r.topics[0], p.topics) for r, _, p in rows if p is not None and r.topics and p.topics]
    if top:
        result.append(_multiclass("главная тема: модель", [p for _, p in top], [y for y, _ in top]))
    return result


def format_reliability(items: Sequence[Reliability]) -> str:
    lines = ["Надёжность вероятностей (Брайер и ECE: чем меньше, тем честнее вероятности; ECE по 10 корзинам):",
             f"  {'что':28} {'Брайер':>7} {'ECE':>6} {'записей':>8}"]
    lines += [f"  {item.title:28} {item.brier:7.3f} {item.ece:6.3f} {item.count:8d}" for item in items]
    return "\n".join(lines) + "\n"


def format_reports(reports: Sequence[TaskReport], heading: str) -> str:
    """A plain-text report: per class precision/recall/F1 and support, then the confusion matrix."""
    lines = [heading, ""]
    for report in reports:
        accuracy = f", доля верных {report.accuracy:.3f}" if report.accuracy is not None else ""
        lines.append(f"{report.title}: средняя F1 по классам {report.macro_f1:.3f}{accuracy}")
        lines.append(f"  {'класс':14} {'точность':>9} {'полнота':>8} {'F1':>6} {'записей':>8}")
        for c in report.classes:
            lines.append(f"  {c.label:14} {c.precision:9.3f} {c.recall:8.3f} {c.f1:6.3f} {c.support:8d}")
        if report.matrix:
            lines.append("  матрица ошибок (строки — разметка, столбцы — ответ):")
            # Many classes (topics) get narrow columns headed by the first letters of the code.
            width = 10 if len(report.labels) <= 4 else 6
            lines.append("  " + " " * 14 + "".join(f"{label[: width - 1]:>{width}}" for label in report.labels))
            for label, row in zip(report.labels, report.matrix, strict=True):
                lines.append(f"  {label:14}" + "".join(f"{value:{width}d}" for value in row))
        lines.append("")
    return "\n".join(lines)
