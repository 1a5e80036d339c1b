"""The trained classifiers: deterministic training, a checked model file, the shipped model, train/eval commands."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import pytest

from config import Settings
from nlp import Analyzer, Lemmatizer
from nlp.labels import read_labelled
from nlp.models import ModelError, default_model_path, load_models, save_models
from nlp.training import annotate, train_models
from tests.cli_helpers import mcu, write_config

CORPUS = Path(__file__).resolve().parent.parent / "nlp" / "corpus"


@pytest.fixture(scope="module")
def sample(builtin_settings: Settings) -> list:  # type: ignore[type-arg]
    records, problems = read_labelled(sorted(CORPUS.glob("train_*.jsonl")), {t.code for t in builtin_settings.topics})
    assert not problems, problems[:3]
    assert len(records) >= 1500
    picked = records[::8]  # an eighth keeps the tests quick and still covers every label
    assert {t.code for t in builtin_settings.topics} <= {code for r in picked for code in r.topics or ()}
    return picked


@pytest.fixture(scope="module")
def trained(settings: Settings, lemmatizer: Lemmatizer, sample: list):  # type: ignore[no-untyped-def, type-arg]
    """One training on the sample, shared: each costs seconds."""
    return train_models(Analyzer(settings, lemmatizer), sample)


def test_training_is_deterministic(settings: Settings, lemmatizer: Lemmatizer, sample: list,  # type: ignore[type-arg]
                                   trained) -> None:  # type: ignore[no-untyped-def]
    analyzer = Analyzer(settings, lemmatizer)
    again = train_models(analyzer, list(reversed(sample)))
    probe = [analyzer.prepare(r.text, parent_text=r.parent_text).features for r in sample[:50]]
    assert trained.predict(probe) == again.predict(probe)


def test_saved_model_round_trips_and_is_checked(sample: list, trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def, type-arg]
    models = trained
    path = save_models(models, tmp_path / "m.joblib", len(sample))
    loaded = load_models(path)
    assert loaded.meta["trained_on"] == len(sample) and loaded.topic_codes == models.topic_codes
    payload = joblib.load(path)
    payload["format"] = 999
    joblib.dump(payload, tmp_path / "future.joblib")
    with pytest.raises(ModelError, match="несовместимой версией"):
        load_models(tmp_path / "future.joblib")
    payload["format"], payload["sklearn"] = 1, "0.1.0"
    joblib.dump(payload, tmp_path / "old.joblib")
    with pytest.raises(ModelError, match="переобучите"):
        load_models(tmp_path / "old.joblib")
    (tmp_path / "junk.joblib").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="не читается"):
        load_models(tmp_path / "junk.joblib")
    with pytest.raises(ModelError, match="не найдена"):
        load_models(tmp_path / "missing.joblib")


def test_shipped_model_works_out_of_the_box(settings: Settings, lemmatizer: Lemmatizer) -> None:
    assert default_model_path().exists()
    analyzer = Analyzer(settings, lemmatizer, models=load_models())
    records, _ = read_labelled([Path(__file__).resolve().parent / "data" / "labelled" / "checks.jsonl"])
    annotations = annotate(analyzer, records)
    verdicts = {r.id: a for r, a in zip(records, annotations, strict=True)}
    assert verdicts["town-heating"].relevance >= 0.8 and verdicts["town-heating"].needs_response
    assert verdicts["town-heating"].sentiment.label == "negative"
    assert "housing" in {t.code for t in verdicts["town-heating"].topics}
    assert verdicts["other-town"].relevance < 0.5
    assert verdicts["thanks"].sentiment.label == "positive" and not verdicts["thanks"].needs_response
    for annotation in annotations:
        record = annotation.to_record()
        assert 0 <= record["relevance"] <= 1 and record["topics"] and record["sentiment"]["label"]


def test_train_and_eval_commands(tmp_path: Path, sample: list) -> None:  # type: ignore[type-arg]
    small = tmp_path / "labels.jsonl"
    lines = [json.dumps({"id": r.id, "text": r.text, "parent_text": r.parent_text, "relevant": r.relevant,
                         "topics": list(r.topics or []), "sentiment": r.sentiment, "needs_response": r.needs_response,
                         "toxic": r.toxic}, ensure_ascii=False) for r in sample[:200]]
    small.write_text("\n".join(lines + ["{broken", json.dumps({"id": "x", "text": "т", "topics": ["nope"]})]) + "\n",
                     encoding="utf-8")
    trained = mcu("train", str(small), "--out", str(tmp_path / "m.joblib"), "--folds", "2", cwd=tmp_path, timeout=300)
    assert trained.returncode == 0, trained.stderr
    assert "Перекрёстная проверка (2 частей)" in trained.stdout and "Тональность" in trained.stdout
    assert "строка 201 пропущена: некорректный JSON" in trained.stderr
    assert "неизвестные темы: nope" in trained.stderr
    assert (tmp_path / "m.joblib").exists()
    config = write_config(tmp_path, nlp={"model_path": str(tmp_path / "m.joblib")})
    evaluated = mcu("--config", str(config), "eval", str(small), cwd=tmp_path, timeout=300)
    assert evaluated.returncode == 0, evaluated.stderr
    for heading in ("О городе", "Тональность", "Нужен ответ власти", "Темы", "Главная тема", "матрица ошибок",
                    "доля верных", "Брайер", "ECE"):
        assert heading in evaluated.stdout
    default = mcu("eval", cwd=tmp_path, timeout=300)
    assert default.returncode == 0 and "heldout_" in default.stdout
    assert mcu("eval", str(tmp_path / "none.jsonl"), cwd=tmp_path).returncode == 1


def test_a_labelled_text_may_say_where_it_was_published(settings: Settings, lemmatizer: Lemmatizer) -> None:
    """A corpus record from a town community is judged as a collected post from one: its source ties it."""
    from nlp.labels import labelled_from_dict
    from nlp.training import context_of

    text = "Во дворе неделю не горят фонари"
    town = labelled_from_dict({"text": text, "source": "town"}, 1)
    anywhere = labelled_from_dict({"text": text}, 2)
    assert context_of(town).town_source and not context_of(anywhere).town_source
    analyzer = Analyzer(settings, lemmatizer)
    assert annotate(analyzer, [town])[0].relevance > annotate(analyzer, [anywhere])[0].relevance
    with pytest.raises(ValueError, match="source"):
        labelled_from_dict({"text": text, "source": "соседи"}, 3)


def test_mean_word_vectors() -> None:
    """A text is the mean of its words' navec vectors: order does not matter, unknown words are skipped."""
    from nlp.embeddings import MeanVectors

    vectors = MeanVectors().transform([["не", "горят", "фонари"], ["фонари", "горят", "не"], ["ъъъыыы"], [],
                                       ["фонари", "ъъъыыы"], ["фонари"]])
    assert vectors.shape == (6, 300)
    assert abs(float((vectors[0] ** 2).sum()) - 1) < 1e-4 and (vectors[0] == vectors[1]).all()
    assert not vectors[2].any() and not vectors[3].any()
    assert (vectors[4] == vectors[5]).all()


def test_shipped_model_probabilities_mean_what_they_say(settings: Settings, lemmatizer: Lemmatizer) -> None:
    """Calibrated: on the held-out split, of the texts given about 0.8, about 80% are so (expected calibration
    error within 0.05 for every classifier)."""
    from nlp.evaluation import reliability
    from nlp.training import probabilities

    records, _ = read_labelled(sorted(CORPUS.glob("heldout_*.jsonl")))
    analyzer = Analyzer(settings, lemmatizer, models=load_models())
    found = reliability(records, annotate(analyzer, records), probabilities(analyzer, records))
    models = [item for item in found if "модель" in item.title]
    assert len(models) == 5
    for item in models:
        assert item.ece < 0.05, item


def test_probabilities_from_coefficients_are_scikit_learns(settings: Settings, lemmatizer: Lemmatizer, sample: list,  # type: ignore[type-arg]
                                                          trained) -> None:  # type: ignore[no-untyped-def]
    """A tick's texts skip scikit-learn's per-call checks: every task of the shipped model takes that path, and
    its probabilities are scikit-learn's to the last bits, for a batch and for one text; any other model (a raw
    regression when a class is too rare to calibrate) is left to scikit-learn."""
    from sklearn.linear_model import LogisticRegression

    from nlp.linear_proba import _direct, class_probabilities

    analyzer = Analyzer(settings, lemmatizer)
    probe = [analyzer.prepare(r.text, parent_text=r.parent_text).features for r in sample[:120]]
    for models in (load_models(), trained):
        matrix = models._matrix(probe)
        tasks = {"relevant": models._with_tie(matrix, probe), "needs_response": matrix, "toxic": matrix,
                 "sentiment": matrix, "topics": matrix}
        for task, features in tasks.items():
            model = getattr(models, task)
            assert _direct(model, features) is not None, task
            expected = model.predict_proba(features)
            assert class_probabilities(model, features) == pytest.approx(expected, abs=1e-12), task
            assert class_probabilities(model, features[3:4]) == pytest.approx(expected[3:4], abs=1e-12), task
    raw = LogisticRegression().fit(matrix[:60], [i % 2 == 0 for i in range(60)])
    assert _direct(raw, matrix) is None
    assert class_probabilities(raw, matrix) == pytest.approx(raw.predict_proba(matrix))
