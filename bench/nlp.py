"""NLP stage throughput per step on one core, against simply lower-casing and splitting the same texts.

Run: ``.venv/bin/python -m bench.nlp --posts 2000 [--length 250]``. Texts are the bundled demo posts and the
labelled corpus (about 140 characters on average), repeated until there are enough; ``--length`` joins
neighbours and cuts at a space so each text is about that long. Figures are CPU time of this process.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import nlp.entities as entities_module
from threadpoolctl import threadpool_limits

from bench.timing import per_second
from collectors import Post
from config import load_config
from mcu.demo import demo_data_path
from nlp import Analyzer, Lemmatizer, NerTagger, normalize
from nlp.models import load_for

SPLIT = re.compile(r"\w+")


def texts(count: int, length: int = 0) -> list[str]:
    found = [json.loads(line)["text"] for line in demo_data_path().read_text(encoding="utf-8").splitlines() if line.strip()]
    corpus = Path(str(resources.files("nlp").joinpath("corpus")))
    for path in sorted(corpus.glob("*.jsonl")):
        found += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = [t for t in found if t.strip()]
    result: list[str] = []
    index = 0
    while len(result) < count:
        text = found[index % len(found)]
        while len(text) < length:
            index += 1
            text += "\n" + found[index % len(found)]
        if length:
            text = text[: text.rfind(" ", 0, length + 1) if len(text) > length else None]
        result.append(text)
        index += 1
    return result


rate = per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--length", type=int, default=0, help="join and cut texts to about this many characters")
    args = parser.parse_args()
    settings, _ = load_config(None)
    sample = texts(args.posts, args.length)
    average = sum(map(len, sample)) / len(sample)
    posts = [Post(id=str(i), platform="vk", source="bench", published_at=datetime(2026, 1, 14, tzinfo=timezone.utc), text=t)
             for i, t in enumerate(sample)]
    normalized = [normalize(t).text for t in sample]
    models = load_for(True, None)
    cold = Lemmatizer(cache_size=0)
    warm = Lemmatizer()
    ner = NerTagger(warm.morph)
    plain = Analyzer(settings, warm, ner=ner, models=models)
    threadpool_limits(1)  # one core, as the shell runs it (see mcu.pipeline.build_analyzer)
    results: list[tuple[str, float]] = [
        ("нижний регистр + разбиение (база)", rate(len(sample), lambda: [SPLIT.findall(t.lower()) for t in sample], True)),
        ("нормализация", rate(len(sample), lambda: [normalize(t) for t in sample], True)),
        ("леммы pymorphy3 без кеша", rate(len(sample), lambda: [cold.lemmas(t) for t in normalized])),
    ]
    warm_up = [warm.lemmas(t) for t in normalized]
    del warm_up
    results.append(("леммы pymorphy3 с кешем", rate(len(sample), lambda: [warm.lemmas(t) for t in normalized])))
    known = plain._known_names
    results.append(("NER natasha, предложения с новыми именами", rate(len(sample), lambda: ner.extract_many(normalized, known))))
    features = [plain.prepare(t).features for t in sample]
    if models is not None:
        results.append(("классификаторы (пакетом)", rate(len(sample), lambda: models.predict(features))))
    batches = [posts[i : i + 500] for i in range(0, len(posts), 500)]
    results.append(("весь этап, NER где пост может быть о городе",
                    rate(len(posts), lambda: [plain.analyze_batch([(p, None) for p in b]) for b in batches])))
    plain._ner_relevance = 0.0
    # No gates at all: the model reads every post whole.
    entities_module.may_name_something = lambda text: True
    ner.naming_sentences = lambda text, known=frozenset(): text[: entities_module.MAX_NER_CHARS]  # type: ignore[method-assign]
    results.insert(4, ("NER natasha, весь текст каждого поста", rate(len(sample), lambda: ner.extract_many(normalized))))
    results.append(("весь этап, NER на каждом посте",
                    rate(len(posts), lambda: [plain.analyze_batch([(p, None) for p in b]) for b in batches])))
    baseline = results[0][1]
    print(f"Постов: {len(sample)}, средняя длина {average:.0f} символов; модель: {'есть' if models else 'нет'}")
    print(f"{'шаг':48} {'постов/с':>10} {'доля от базы':>14}")
    for label, value in results:
        print(f"{label:48} {value:10,.0f} {value / baseline:14.4f}".replace(",", " "))
    print(f"пиковая память: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} МБ")


if __name__ == "__main__":
    main()
