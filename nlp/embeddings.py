"""Word vectors for the classifiers: navec news embeddings that natasha already ships (no download).

A text becomes the mean of its words' vectors. TF-IDF only knows words it met in the corpus; the vectors carry
what a word means, so «фонарь не горит» lands near «нет освещения» though the corpus may hold only one of them.
Vectors are product-quantised: 250,000 words cost 25 MB, and a batch decodes only the words it uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix

if TYPE_CHECKING:
    from navec import Navec

EMBEDDING_NAME = "navec_news_v1_1B_250K_300d_100q"
DIMENSIONS = 300


@lru_cache(maxsize=1)
def news_embedding() -> "Navec":
    """natasha's news embedding, loaded once per process (NER and the classifiers share it, ≈0.4 s)."""
    from natasha import NewsEmbedding

    return NewsEmbedding()


class MeanVectors:
    """Texts (lists of lower-cased word tokens) → L2-normalised mean word vectors; unknown words are skipped."""

    def __init__(self, embedding: "Navec | None" = None) -> None:
        embedding = embedding or news_embedding()
        self._ids: dict[str, int] = embedding.vocab.word_ids
        self._pq = embedding.pq

    def transform(self, texts: Sequence[Sequence[str]]) -> np.ndarray:
        rows: list[int] = []
        columns: list[int] = []
        for row, tokens in enumerate(texts):
            for token in tokens:
                index = self._ids.get(token)
                if index is not None:
                    rows.append(row)
                    columns.append(index)
        result = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not columns:
            return result
        used, local = np.unique(np.asarray(columns), return_inverse=True)
        pq = self._pq
        vectors = pq.codes[pq.qdims, pq.indexes[used]].reshape(len(used), DIMENSIONS)
        counts = csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, local)), shape=(len(texts), len(used)))
        result = np.asarray(counts @ vectors, dtype=np.float32)
        norms = np.linalg.norm(result, axis=1, keepdims=True)
        np.divide(result, norms, out=result, where=norms > 0)
        return result
