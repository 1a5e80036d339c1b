"""`mcu analyze`, `mcu train`, `mcu eval`: the NLP stage on its own, without the database."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from config import InputError
from mcu.shell import app, err, log, out, state

if TYPE_CHECKING:
    from nlp.labels import LabelledText

ANALYZE_BATCH = 256  # posts judged together by `mcu analyze`


# --- analyze --------------------------------------------------------------------------------------


@app.command()
def analyze() -> None:
    """Разметить посты без базы: JSON Lines постов на stdin → JSON Lines разметки на stdout."""
    from collectors import Post, read_posts
    from mcu.pipeline import build_analyzer
    from nlp import PostContext

    settings = state.settings
    analyzer = build_analyzer(settings)
    # Posts are judged in batches (NER and the classifiers are far cheaper per post that way); a comment is
    # judged with its post when the post came earlier in the stream.
    parents: dict[tuple[str, str, str], tuple[float | None, str]] = {}
    pending: list[tuple[Post, PostContext]] = []
    written = skipped = 0

    def flush() -> int:
        for (post, _), annotation in zip(pending, analyzer.analyze_batch(pending), strict=True):
            if not post.is_comment:
                parents[(post.platform, post.source, post.id)] = (annotation.relevance, post.text)
            sys.stdout.write(json.dumps(annotation.to_record(), ensure_ascii=False) + "\n")
        done = len(pending)
        pending.clear()
        return done

    for post, problems in read_posts(sys.stdin.buffer):
        for problem in problems:
            err.print(f"stdin: {problem}")
            skipped += int(problem.skipped)
        if post is None:
            continue
        parent = parents.get((post.platform, post.source, post.parent_id or ""))
        pending.append((post, analyzer.context_for(post, *parent) if parent else analyzer.context_for(post)))
        if not post.is_comment:
            parents.setdefault((post.platform, post.source, post.id), (None, post.text))  # for comments in this batch
        if len(pending) >= ANALYZE_BATCH:
            written += flush()
    written += flush()
    sys.stdout.flush()
    log.info("размечено %d, пропущено строк %d", written, skipped)


# --- train / eval ---------------------------------------------------------------------------------


def _labelled(files: tuple[Path, ...], default: str, command: str) -> tuple[list[Path], list[LabelledText], int]:
    """The labelled files asked for (or the built-in ``default`` split), their valid records, and skips printed."""
    from importlib import resources

    from nlp.labels import read_labelled

    sources = list(files) or sorted(Path(str(resources.files("nlp").joinpath("corpus"))).glob(f"{default}_*.jsonl"))
    if not sources:
        raise InputError(f"нет файлов разметки: укажите их (mcu {command} ФАЙЛ …)")
    records, problems = read_labelled(sources, {t.code for t in state.settings.topics})
    for problem in problems:
        err.print(problem)
    return sources, records, len(problems)


@app.command()
@click.argument("files", nargs=-1, metavar="[ФАЙЛ]...", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--out", "-o", "output", type=click.Path(path_type=Path, dir_okay=False), default=Path("mcu-model.joblib"),
              show_default=True, help="Куда сохранить модель (потом укажите её в nlp.model_path).")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(0, 20),
              help="Перекрёстная проверка на стольких частях (0 — без неё).")
@click.option("--features", "feature_set", type=click.Choice(["both", "tfidf", "navec"]), default="both", show_default=True,
              help="Признаки: both — TF-IDF и векторы слов navec, tfidf или navec — только одни (для сравнения).")
def train(files: tuple[Path, ...], output: Path, folds: int, feature_set: str) -> None:
    """Обучить классификаторы на размеченных текстах (JSON Lines или CSV; по умолчанию — встроенный набор).
    Формат разметки — nlp/corpus/GUIDE.md; подходят и метки аналитиков."""
    from nlp import Analyzer, Lemmatizer
    from nlp.evaluation import evaluate, format_reliability, format_reports, reliability
    from nlp.models import save_models
    from nlp.training import cross_validate, train_models

    settings = state.settings
    codes = [t.code for t in settings.topics]
    _, records, skipped = _labelled(files, "train", "train")
    if len(records) < 20:
        raise InputError(f"слишком мало размеченных записей для обучения: {len(records)}")
    analyzer = Analyzer(settings, Lemmatizer())
    with out.status(f"Обучаю на {len(records)} записях…"):
        if folds >= 2:
            annotations, predictions = cross_validate(analyzer, records, folds, feature_set)
            report = format_reports(evaluate(records, annotations, codes),
                                    f"Перекрёстная проверка ({folds} частей), правила + модель (признаки: {feature_set}):")
            report += "\n" + format_reliability(reliability(records, annotations, predictions))
        models = train_models(analyzer, records, feature_set)
        save_models(models, output, len(records))
    if folds >= 2:
        out.print(report, markup=False)
    out.print(f"Модель сохранена: {output} (записей: {len(records)}, пропущено: {skipped}). "
              f"Чтобы её использовать, укажите в конфигурации nlp.model_path: {output}")


@app.command("eval")
@click.argument("files", nargs=-1, metavar="[ФАЙЛ]...", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--rules-only", is_flag=True, help="Оценить одни правила, без модели.")
def eval_command(files: tuple[Path, ...], rules_only: bool) -> None:
    """Оценить разметку на размеченных текстах ФАЙЛ (по умолчанию — встроенная отложенная выборка):
    точность, полнота и F1 по классам, матрицы ошибок, надёжность вероятностей (Брайер, ECE)."""
    from nlp import Analyzer, Lemmatizer
    from nlp.evaluation import evaluate, format_reliability, format_reports, reliability
    from nlp.models import load_for
    from nlp.training import annotate, probabilities

    settings = state.settings
    codes = [t.code for t in settings.topics]
    sources, records, _ = _labelled(files, "heldout", "eval")
    if not records:
        raise InputError("в файлах нет ни одной пригодной размеченной записи")
    models = None if rules_only else load_for(settings.nlp.use_model, settings.nlp.model_path)
    analyzer = Analyzer(settings, Lemmatizer(), models=models)
    annotations = annotate(analyzer, records)
    reports = evaluate(records, annotations, codes)
    what = "правила" if models is None else "правила + модель"
    out.print(format_reports(reports, f"Оценка ({what}) на {len(records)} записях: {', '.join(p.name for p in sources)}"),
              markup=False)
    out.print(format_reliability(reliability(records, annotations, probabilities(analyzer, records))), markup=False)
