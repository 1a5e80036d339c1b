"""Clean social-media noise before any analysis: links, mentions, hashtags, emoji, look-alikes, elongations."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from nlp.smileys import emoji_kinds, extract_smileys

# Latin letters that look like Cyrillic ones; replaced only inside words that also hold Cyrillic.
_LOOKALIKES = str.maketrans({
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "k": "к", "m": "м", "t": "т",
    "A": "А", "E": "Е", "O": "О", "P": "Р", "C": "С", "X": "Х", "K": "К", "M": "М", "T": "Т",
    "B": "В", "H": "Н", "u": "и", "n": "п",
})
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+|\b[\w.-]+\.(?:ru|рф|com|org|net|su)(?:/[^\s<>\"]*)?", re.IGNORECASE)
_VK_MENTION = re.compile(r"\[(?:id|club|public)\d+\|([^\]]*)\]")
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{3,})")
_HASHTAG = re.compile(r"#+(\w+)")  # «##тег» is one tag: stripping one # at a time would change the text twice
_CAMEL = re.compile(r"(?<=[a-zа-яё])(?=[A-ZА-ЯЁ])|(?<=[A-Za-zА-Яа-яЁё])(?=\d)|(?<=\d)(?=[A-Za-zА-Яа-яЁё])")
# Only words holding both scripts, and only words with a letter repeated 3+ times, reach the Python callbacks.
_MIXED_WORD = re.compile(r"\b(?=\w*[A-Za-z])(?=\w*[а-яёА-ЯЁ])\w+\b")
_ELONGATION = re.compile(r"([а-яёa-z])\1{2,}", re.IGNORECASE)
_ELONGATED_WORD = re.compile(r"\b\w*([а-яёa-z])\1{2,}\w*", re.IGNORECASE)
_MASKED = re.compile(r"\b[а-яёa-z]+[*#@$%]{1,}[а-яёa-z]*\b|\b[а-яёa-z][*]+\b", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE_CATEGORIES = {"Cf", "Cc", "Co", "Cs", "Cn"}
# Text made only of these needs no per-character scan for emoji and invisible characters (most posts).
_PLAIN_CHARS = r"\n\t\x20-\x7e\u00a0-\u00ac\u00ae-\u00ff\u0400-\u04ff\u2010-\u2027\u2030-\u205e\u2116\u20bd"
_PLAIN = re.compile(f"[{_PLAIN_CHARS}]*")
_UNUSUAL = re.compile(f"[^{_PLAIN_CHARS}]")  # the only characters worth a look in the slower checks


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
    smileys: tuple[str, ...] = ()  # kinds of smileys and emoji in order: smile, laugh, sad… (nlp.smileys)


def _is_emoji(char: str) -> bool:
    # Symbols from the arrows block up (☀ ☢ ⚠ ❤ and the emoji planes); °, ©, № stay text.
    return 0x1F000 <= ord(char) <= 0x1FAFF or (ord(char) >= 0x2190 and unicodedata.category(char) == "So")


def _drop_invisible(match: re.Match[str]) -> str:
    char = match.group(0)
    return "" if unicodedata.category(char) in _INVISIBLE_CATEGORIES else char


def _emoji_to_space(match: re.Match[str]) -> str:
    char = match.group(0)
    return " " if _is_emoji(char) else char


def _fix_lookalikes(match: re.Match[str]) -> str:
    return match.group(0).translate(_LOOKALIKES)


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
        text = _UNUSUAL.sub(_drop_invisible, text)
    links = tuple(m.group(0) for m in _URL.finditer(text))
    text = _URL.sub(" ", text)
    text = _VK_MENTION.sub(lambda m: m.group(1), text)
    mentions = tuple(_MENTION.findall(text))
    text = _MENTION.sub(" ", text)
    hashtags = tuple(_HASHTAG.findall(text))
    text = _HASHTAG.sub(lambda m: split_hashtag(m.group(1)), text)
    emojis = () if plain else tuple(ch for ch in _UNUSUAL.findall(text) if _is_emoji(ch))
    if emojis:
        text = _UNUSUAL.sub(_emoji_to_space, text).replace("\ufe0f", "")
    text, text_smileys = extract_smileys(text)
    masked = len(_MASKED.findall(text))
    text = _MIXED_WORD.sub(_fix_lookalikes, text)
    text = _ELONGATED_WORD.sub(_collapse_elongation, text)
    letters = sum(map(str.isalpha, text))
    caps_ratio = sum(map(str.isupper, text)) / letters if letters >= 8 else 0.0
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    smileys = (*text_smileys, *emoji_kinds(emojis)) if emojis else text_smileys
    return NormalizedText(text, emojis, hashtags, links, mentions, round(caps_ratio, 3), masked, smileys)
