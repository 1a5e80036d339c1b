"""Find dictionary phrases (as lemma sequences) in a lemmatised text."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from nlp.morph import Lemmatizer


class PhraseMatcher:
    """Matches one- and multi-word lemma phrases; each phrase maps to a label (the original term)."""

    def __init__(self, lemmatizer: Lemmatizer, terms: Iterable[str]) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for term in terms:
            for key in {lemmatizer.phrase(term), tuple(term.lower().replace("ё", "е").split())}:
                if key:
                    self._by_first[key[0]].append((key, term))
        for candidates in self._by_first.values():
            candidates.sort(key=lambda item: -len(item[0]))
        self._firsts = frozenset(self._by_first)

    def add_inflections(self, lemmatizer: Lemmatizer) -> "PhraseMatcher":
        """Also match one-word terms by the lemmas of their case forms: pymorphy reads «в Ярцеве» as «ярцев» and
        «в Сафонове» as «сафонов», not as «ярцево», «сафоново»."""
        for first, candidates in list(self._by_first.items()):
            for key, term in list(candidates):
                if len(key) != 1:
                    continue
                for parse in lemmatizer.morph.parse(first)[:1]:
                    for form in parse.lexeme:
                        lemma = lemmatizer.lemma(form.word)
                        if lemma != first and all(k != (lemma,) for k, _ in self._by_first.get(lemma, ())):
                            self._by_first[lemma].append(((lemma,), term))
        self._firsts = frozenset(self._by_first)
        return self

    def find(self, lemmas: Sequence[str]) -> list[str]:
        """Terms found, in text order, each once."""
        found: list[str] = []
        if self._firsts.isdisjoint(lemmas):  # most texts miss most dictionaries: one C-level pass says so
            return found
        for index, lemma in enumerate(lemmas):
            for key, term in self._by_first.get(lemma, ()):
                if tuple(lemmas[index : index + len(key)]) == key:
                    if term not in found:
                        found.append(term)
                    break
        return found

    def spans(self, lemmas: Sequence[str]) -> list[tuple[int, int, str]]:
        """Every occurrence as (start, end, term), left to right, longest first, never overlapping: in «не
        починили» the phrase «не починить» is found and «починить» inside it is not."""
        found: list[tuple[int, int, str]] = []
        if self._firsts.isdisjoint(lemmas):
            return found
        index = 0
        while index < len(lemmas):
            for key, term in self._by_first.get(lemmas[index], ()):
                if tuple(lemmas[index : index + len(key)]) == key:
                    found.append((index, index + len(key), term))
                    index += len(key) - 1
                    break
            index += 1
        return found
