"""Word lists shipped with the package (sentiment, obscenity): loaded once from ``nlp/resources``."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


def _lines(name: str) -> list[str]:
    text = resources.files("nlp").joinpath("resources", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=None)
def word_list(name: str) -> tuple[str, ...]:
    """A one-term-per-line list such as ``negative.txt``."""
    return tuple(_lines(name))


@lru_cache(maxsize=None)
def weighted_roots(name: str) -> tuple[tuple[str, float], ...]:
    """A ``root<TAB>weight`` list such as ``obscene.txt``."""
    pairs = []
    for line in _lines(name):
        root, _, weight = line.partition("\t")
        pairs.append((root.strip(), float(weight or 1.0)))
    return tuple(pairs)


@lru_cache(maxsize=None)
def tagged_terms(name: str) -> tuple[tuple[str, str], ...]:
    """A ``phrase<TAB>tag`` list such as ``speech_acts.txt``."""
    pairs = []
    for line in _lines(name):
        term, _, tag = line.partition("\t")
        pairs.append((term.strip(), tag.strip()))
    return tuple(pairs)
