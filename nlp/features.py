"""What the classifiers see of a text: lemmas with rule hits as extra tokens, plus the cleaned surface text.

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
    """``words``: lemmas and marker tokens separated by spaces; ``surface``: the cleaned lower-cased text."""

    words: str
    surface: str


def feature_text(
    normalized: NormalizedText,
    lemmas: Sequence[str],
    *,
    parent_lemmas: Sequence[str] = (),
    platform: str = "vk",
    is_comment: bool = False,
    markers: Sequence[str] = (),
) -> FeatureText:
    """Markers name rule hits (``town``, ``other_town``, ``authority``…); they become ``__name__`` tokens."""
    tokens = list(lemmas)
    tokens.append(f"__platform_{platform}__")
    if is_comment:
        tokens.append("__comment__")
    text = normalized.text
    if "?" in text:
        tokens.append("__question__")
    if "!" in text:
        tokens.append("__exclaim__")
    if normalized.caps_ratio > 0.5:
        tokens.append("__caps__")
    if normalized.links:
        tokens.append("__link__")
    if normalized.masked_obscenity:
        tokens.append("__masked__")
    tokens += ["__emoji_negative__" for e in normalized.emojis if e in _NEGATIVE_EMOJI]
    tokens += ["__emoji_positive__" for e in normalized.emojis if e in _POSITIVE_EMOJI]
    if not lemmas:
        tokens.append("__empty__")
    tokens += [f"__{marker}__" for marker in markers]
    tokens += [f"p:{lemma}" for lemma in parent_lemmas[:MAX_PARENT_LEMMAS]]
    return FeatureText(" ".join(tokens), text[:MAX_SURFACE_CHARS].lower())
