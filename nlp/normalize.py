"""Clean social-media noise before any analysis: links, mentions, hashtags, emoji, look-alikes, elongations."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Latin letters that look like Cyrillic ones; replaced only inside words that also hold Cyrillic.
_LOOKALIKES = str.maketrans({
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "k": "к", "m": "м", "t": "т",
    "A": "А", "E": "Е", "O": "О", "P": "Р", "C": "С", "X": "Х", "K": "К", "M": "М", "T": "Т",
    "B": "В", "H": "Н", "u": "и", "n": "п",
})
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+|\b[\w.-]+\.(?:ru|рф|com|org|net|su)(?:/[^\s<>\"]*)?", re.IGNORECASE)
_VK_MENTION = re.compile(r"\[(?:id|club|public)\d+\|([^\]]*)\]")
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{3,})")
_HASHTAG = re.compile(r"#([\w]+)")
_CAMEL = re.compile(r"(?<=[a-zа-яё])(?=[A-ZА-ЯЁ])|(?<=[A-Za-zА-Яа-яЁё])(?=\d)|(?<=\d)(?=[A-Za-zА-Яа-яЁё])")
_MIXED_WORD = re.compile(r"\b\w*[а-яёА-ЯЁ]\w*\b")
_ELONGATION = re.compile(r"([а-яёa-z])\1{2,}", re.IGNORECASE)
_MASKED = re.compile(r"\b[а-яёa-z]+[*#@$%]{1,}[а-яёa-z]*\b|\b[а-яёa-z][*]+\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE_CATEGORIES = {"Cf", "Cc", "Co", "Cs", "Cn"}
# Text made only of these needs no per-character scan for emoji and invisible characters (most posts).
_PLAIN = re.compile(r"[\n\t\x20-\x7e\u00a0-\u00ac\u00ae-\u00ff\u0400-\u04ff\u2010-\u2027\u2030-\u205e\u2116\u20bd]*")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """Cleaned text (case kept for NER) plus the signals removed from it."""

    text: str
    emojis: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    caps_ratio: float = 0.0
    masked_obscenity: int = 0


def _is_emoji(char: str) -> bool:
    # Symbols from the arrows block up (☀ ☢ ⚠ ❤ and the emoji planes); °, ©, № stay text.
    return 0x1F000 <= ord(char) <= 0x1FAFF or (ord(char) >= 0x2190 and unicodedata.category(char) == "So")


def _strip_invisible(text: str) -> str:
    kept = []
    for char in text:
        if char in "\n\t":
            kept.append(char)
        elif unicodedata.category(char) in _INVISIBLE_CATEGORIES:
            continue
        else:
            kept.append(char)
    return "".join(kept)


def _fix_lookalikes(match: re.Match[str]) -> str:
    word = match.group(0)
    if re.search(r"[A-Za-z]", word):
        return word.translate(_LOOKALIKES)
    return word


def _collapse_elongation(match: re.Match[str]) -> str:
    word = match.group(0)
    if len(set(word.lower())) == 1:  # «ООО», «ааа» are words of their own
        return word
    return _ELONGATION.sub(r"\1", word)


def split_hashtag(tag: str) -> str:
    """``ДесногорскЖКХ`` → ``Десногорск ЖКХ``; ``3мкр`` → ``3 мкр``; ``жкх_десногорск`` → ``жкх десногорск``."""
    return _CAMEL.sub(" ", tag.replace("_", " ")).strip()


def normalize(raw: str) -> NormalizedText:
    """Return the text a reader means, with noise moved into separate fields."""
    text = unicodedata.normalize("NFC", raw)
    plain = _PLAIN.fullmatch(text) is not None
    if not plain:
        text = _strip_invisible(text)
    links = tuple(m.group(0) for m in _URL.finditer(text))
    text = _URL.sub(" ", text)
    text = _VK_MENTION.sub(lambda m: m.group(1), text)
    mentions = tuple(_MENTION.findall(text))
    text = _MENTION.sub(" ", text)
    hashtags = tuple(_HASHTAG.findall(text))
    text = _HASHTAG.sub(lambda m: split_hashtag(m.group(1)), text)
    emojis = () if plain else tuple(ch for ch in text if _is_emoji(ch))
    if emojis:
        text = "".join(" " if _is_emoji(ch) else ch for ch in text)
        text = text.replace("\ufe0f", "")
    masked = len(_MASKED.findall(text))
    text = _MIXED_WORD.sub(_fix_lookalikes, text)
    text = _WORD.sub(_collapse_elongation, text)
    letters = [ch for ch in text if ch.isalpha()]
    caps_ratio = sum(ch.isupper() for ch in letters) / len(letters) if len(letters) >= 8 else 0.0
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    return NormalizedText(text, emojis, hashtags, links, mentions, round(caps_ratio, 3), masked)
