"""What the classifiers see of a text: lemmas with rule hits as extra tokens, the cleaned surface text, and the
word forms (of the text and of its parent) whose embeddings are averaged (nlp.embeddings).

Training and analysis build features through this one function, so a model never meets a text prepared
differently from the ones it learnt on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nlp.normalize import NormalizedText

MAX_PARENT_LEMMAS = 60
MAX_SURFACE_CHARS = 3000
_NEGATIVE_EMOJI = set("😡😠🤬😢😭😱💔👎😤😰😨😞😩😫🤢🥶☢⚠😒🙄")
_POSITIVE_EMOJI = set("😊😀😃😄😁🙂❤👍🎉🥰😍👏🙏💪🌸🌞☀🤗😘🎆🎄✨🏆")


@dataclass(frozen=True, slots=True)
class FeatureText:
    """``words``: lemmas and marker tokens separated by spaces; ``surface``: the cleaned lower-cased text;
    ``tokens`` and ``parent_tokens``: lower-cased word forms, looked up in the word vectors; ``tied``: whether
    anything (source, parent, place) ties the text to the town — seen by the relevance classifier only."""

    words: str
    surface: str
    tokens: tuple[str, ...] = ()
    parent_tokens: tuple[str, ...] = ()
    tied: bool = False


def feature_text(
    normalized: NormalizedText,
    lemmas: Sequence[str],
    *,
    parent_lemmas: Sequence[str] = (),
    platform: str = "vk",
    is_comment: bool = False,
    markers: Sequence[str] = (),
    tokens: Sequence[str] = (),
    parent_tokens: Sequence[str] = (),
    tied: bool = False,
) -> FeatureText:
    """Markers name rule hits (``town``, ``other_town``, ``authority``…); they become ``__name__`` tokens."""
    marked = list(lemmas)
    marked.append(f"__platform_{platform}__")
    if is_comment:
        marked.append("__comment__")
    text = normalized.text
    if "?" in text:
        marked.append("__question__")
    if "!" in text:
        marked.append("__exclaim__")
    if normalized.caps_ratio > 0.5:
        marked.append("__caps__")
    if normalized.links:
        marked.append("__link__")
    if normalized.masked_obscenity:
        marked.append("__masked__")
    marked += ["__emoji_negative__" for e in normalized.emojis if e in _NEGATIVE_EMOJI]
    marked += ["__emoji_positive__" for e in normalized.emojis if e in _POSITIVE_EMOJI]
    if not lemmas:
        marked.append("__empty__")
    marked += [f"__{marker}__" for marker in markers]
    marked += [f"p:{lemma}" for lemma in parent_lemmas[:MAX_PARENT_LEMMAS]]
    return FeatureText(" ".join(marked), text[:MAX_SURFACE_CHARS].lower(), tuple(tokens), tuple(parent_tokens), tied)
