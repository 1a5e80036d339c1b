"""Named entities from natasha (people, places, organisations), adapted to our ``Entity`` records."""

from __future__ import annotations

import logging
import re

from nlp.annotation import Entity

log = logging.getLogger(__name__)

_KINDS = {"PER": "person", "LOC": "place", "ORG": "organisation"}
MAX_NER_CHARS = 3000  # NER cost grows with length; the start of a post names its subject
# A capitalised word that does not open a sentence: names of people, places and bodies look like this.
_NAME_LIKE = re.compile(r"(?<![.!?…\n]\s)(?<!^)(?<![.!?…\n])\b[А-ЯЁA-Z][а-яёa-z]+|\b[А-ЯЁ]{2,}\b")


def may_name_something(text: str) -> bool:
    """Cheap gate before NER: most short comments («у нас тоже», «когда дадут?») name nobody."""
    return bool(_NAME_LIKE.search(text.strip()))


class NerTagger:
    """Loads natasha's embeddings and taggers once (≈1 s); ``extract`` is then ~2 ms a post."""

    def __init__(self) -> None:
        from natasha import (
            MorphVocab,
            NewsEmbedding,
            NewsMorphTagger,
            NewsNERTagger,
            Segmenter,
        )

        embedding = NewsEmbedding()
        self._segmenter = Segmenter()
        self._morph_tagger = NewsMorphTagger(embedding)
        self._ner_tagger = NewsNERTagger(embedding)
        self._vocab = MorphVocab()

    def extract(self, text: str) -> list[Entity]:
        from natasha import Doc

        if not text.strip() or not may_name_something(text):
            return []
        doc = Doc(text[:MAX_NER_CHARS])
        doc.segment(self._segmenter)
        doc.tag_morph(self._morph_tagger)
        doc.tag_ner(self._ner_tagger)
        entities: list[Entity] = []
        for span in doc.spans:
            try:
                span.normalize(self._vocab)
                normal = span.normal or span.text
            except Exception:  # natasha's normaliser fails on rare token shapes; the raw text is still useful
                log.debug("natasha не смогла нормализовать %r", span.text)
                normal = span.text
            entity = Entity(_KINDS.get(span.type, span.type.lower()), span.text, normal)
            if entity not in entities:
                entities.append(entity)
        return entities
