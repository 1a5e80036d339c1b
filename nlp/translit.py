"""Russian written in Latin letters («privet, v desnogorske net vody») and Ukrainian or Belarusian letters, brought
to Russian Cyrillic before analysis so that town names, lexicons and the lemmatiser see what the author meant.

A text is transliterated only when most of its letters are Latin and most of its Latin words turn into known
Russian words: English stays English. Each word is tried in a few spellings (``y`` as «ы» or «й», ``e`` as «е» or
«э», ``h`` as «х»…) and the first one the dictionary knows wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import product

MIN_LATIN_SHARE = 0.6  # of all letters
MIN_KNOWN_SHARE = 0.6  # of the Latin words of three letters or more
MIN_LONG_WORDS = 2
MAX_SPELLINGS = 16

_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’0-9]*")
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[A-Za-z]")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:ru|рф|com|org|net|su|me|io)\b\S*", re.IGNORECASE)
# English function words: a text holding them is English, whatever Russian look-alikes its other words make.
_ENGLISH = frozenset({"the", "and", "you", "is", "are", "for", "with", "to", "of", "in", "on", "at", "my", "me", "this",
                      "that", "it", "be", "was", "we", "they", "your", "have", "has", "will", "not", "from", "or",
                      "but", "what", "all", "so", "can", "just", "our", "an", "by", "if", "do", "up", "out", "about",
                      "pro", "max", "plus", "mini", "new", "sale", "free", "game", "online", "love", "happy"})
# Longest first; a list value gives spellings to try, the first is the likeliest.
_MULTI: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("shch", ("щ",)), ("sch", ("щ", "сх")), ("zh", ("ж",)), ("kh", ("х",)), ("ch", ("ч",)), ("sh", ("ш",)),
    ("ts", ("ц", "тс")), ("tz", ("ц",)), ("yu", ("ю",)), ("ju", ("ю",)), ("ya", ("я",)), ("ja", ("я",)),
    ("yo", ("ё", "йо")), ("jo", ("ё",)), ("ye", ("е", "йе")), ("je", ("е",)), ("iy", ("ий", "ый")),
    ("yi", ("ый", "ый")), ("ay", ("ай",)), ("oy", ("ой",)), ("ey", ("ей",)), ("uy", ("уй",)),
)
_SINGLE: dict[str, tuple[str, ...]] = {
    "a": ("а",), "b": ("б",), "v": ("в",), "g": ("г",), "d": ("д",), "e": ("е", "э"), "z": ("з",), "i": ("и",),
    "j": ("й",), "k": ("к",), "l": ("л", "ль"), "m": ("м",), "n": ("н",), "o": ("о",), "p": ("п",), "r": ("р",),
    "s": ("с",), "t": ("т",), "u": ("у",), "f": ("ф",), "h": ("х",), "c": ("ц", "к"), "y": ("ы", "й"),
    "x": ("х", "кс"), "w": ("в",), "q": ("к",), "'": ("ь",), "’": ("ь",),
    # volapük: digits that look like letters inside a Latin word
    "4": ("ч",), "6": ("ш",), "3": ("з",),
}
_PREFIXES = (("podezd", "подъезд"), ("pod'ezd", "подъезд"), ("podyezd", "подъезд"), ("obyavl", "объявл"),
             ("obyasn", "объясн"), ("sjezd", "съезд"), ("sezd", "съезд"))
# Frequent words whose Latin spelling drops the soft sign or is otherwise ambiguous.
_WORDS = {
    "opyat": "опять", "tolko": "только", "voobshe": "вообще", "voobsche": "вообще", "segodnya": "сегодня",
    "zavtra": "завтра", "ochen": "очень", "mne": "мне", "nas": "нас", "vas": "вас", "vsem": "всем", "est": "есть", "net": "нет", "pojalusta": "пожалуйста",
    "pozhaluysta": "пожалуйста", "spasibo": "спасибо", "mkr": "мкр", "tyt": "тут", "4to": "что", "chto": "что",
    "shto": "что", "4e": "че", "che": "че", "nichego": "ничего", "vse": "все", "vsyo": "всё", "uzhe": "уже",
    "uje": "уже", "dazhe": "даже", "daje": "даже", "privet": "привет", "poka": "пока", "blin": "блин",
    "kogda": "когда", "pochemu": "почему", "gde": "где", "kto": "кто", "zdes": "здесь", "sejchas": "сейчас",
    "seychas": "сейчас", "skolko": "сколько", "den": "день", "vody": "воды", "svet": "свет", "sveta": "света",
}
# Ukrainian and Belarusian letters mapped to their nearest Russian ones; apostrophes inside words dropped.
_EAST_SLAVIC = str.maketrans({"і": "и", "І": "И", "ї": "и", "Ї": "И", "є": "е", "Є": "Е", "ґ": "г", "Ґ": "Г",
                              "ў": "у", "Ў": "У"})
# The commonest Ukrainian and Belarusian words that no letter mapping makes Russian (after the mapping above).
_EAST_SLAVIC_WORDS = {
    "немае": "нет", "нема": "нет", "няма": "нет", "вже": "уже", "ужо": "уже", "що": "что", "што": "что",
    "це": "это", "гэта": "это", "дуже": "очень", "вельми": "очень", "треба": "надо", "трэба": "надо",
    "коли": "когда", "кали": "когда", "чому": "почему", "чаму": "почему", "де": "где", "дзе": "где",
    "свитло": "свет", "свитла": "света", "святло": "свет", "святла": "света", "будинок": "дом", "будинку": "доме",
    "вулиця": "улица", "вулици": "улице", "дякую": "спасибо", "дзякуй": "спасибо", "привит": "привет",
    "прывитанне": "привет", "день": "день", "дзень": "день", "трэци": "третий", "також": "также", "тэж": "тоже",
    "теж": "тоже", "якщо": "если", "як": "как", "яки": "какой", "яка": "какая", "i": "и", "та": "и",
}
_EAST_SLAVIC_WORD = re.compile(r"[а-яё]+", re.IGNORECASE)
_EAST_SLAVIC_LETTERS = re.compile(r"[іїєґўІЇЄҐЎ]")
_APOSTROPHE = re.compile(r"(?<=[а-яё])['’ʼ](?=[а-яё])", re.IGNORECASE)
_SOFT_SK = re.compile(r"(?<=[а-яё])(с|ц)ьк", re.IGNORECASE)  # «Десногорськ», «міський» → «Десногорск», «миский»


def _spellings(word: str) -> list[str]:
    """Cyrillic spellings of one lower-case Latin word, likeliest first."""
    parts: list[tuple[str, ...]] = []
    index = 0
    while index < len(word):
        for latin, cyrillic in _MULTI:
            if word.startswith(latin, index):
                parts.append(cyrillic)
                index += len(latin)
                break
        else:
            parts.append(_SINGLE.get(word[index], (word[index],)))
            index += 1
    if parts and len(parts[-1]) == 1 and parts[-1][0] in "бвгджзклмнпрстфхцчшщ":
        parts.append(("", "ь"))  # «opyat» → «опять»: transliteration drops the soft sign
    if parts and parts[0] == ("е", "э"):
        parts[0] = ("э", "е")  # «eto», «etot»: a leading e is «э» more often than not
    spellings = []
    for combination in product(*parts):
        spellings.append("".join(combination))
        if len(spellings) >= MAX_SPELLINGS:
            break
    return spellings


def _word(word: str, is_known: Callable[[str], bool]) -> tuple[str, bool]:
    """The Cyrillic word and whether the dictionary knows it."""
    lower = word.lower()
    if lower in _WORDS:
        result, known = _WORDS[lower], True
    else:
        for prefix, cyrillic in _PREFIXES:
            if lower.startswith(prefix):
                spellings = [cyrillic + rest for rest in _spellings(lower[len(prefix):]) or [""]]
                break
        else:
            spellings = _spellings(lower)
        result = next((s for s in spellings if is_known(s)), spellings[0])
        known = is_known(result)
    return (result.capitalize() if word[:1].isupper() else result), known


def detransliterate(text: str, is_known: Callable[[str], bool]) -> str | None:
    """The text in Cyrillic if it is Russian written in Latin letters, else ``None`` (English, brand names, links)."""
    latin = len(_LATIN.findall(text))
    if latin < 6 or latin < MIN_LATIN_SHARE * len(_LETTER.findall(text)):
        return None
    links = [m.span() for m in _URL.finditer(text)]
    words = [m for m in _LATIN_WORD.finditer(text) if not any(s <= m.start() < e for s, e in links)]
    english = sum(m.group(0).lower() in _ENGLISH for m in words)
    if english and english * 5 >= len(words):
        return None
    converted: dict[tuple[int, int], str] = {}
    long_words = known_words = 0
    seen: dict[str, tuple[str, bool]] = {}
    for match in words:
        word = match.group(0)
        if word not in seen:
            seen[word] = _word(word, is_known)
        cyrillic, known = seen[word]
        converted[match.span()] = cyrillic
        if len(match.group(0)) >= 3:
            long_words += 1
            known_words += known
    if long_words < MIN_LONG_WORDS or known_words < MIN_KNOWN_SHARE * long_words:
        return None
    pieces: list[str] = []
    last = 0
    for (start, end), cyrillic in sorted(converted.items()):
        pieces.append(text[last:start])
        pieces.append(cyrillic)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def east_slavic_to_russian(text: str) -> str:
    """Ukrainian and Belarusian letters as their nearest Russian ones, so that «у Десногорську немає світла» keeps
    its town name and its words reach the lemmatiser whole."""
    if not _EAST_SLAVIC_LETTERS.search(text):
        return text
    text = _APOSTROPHE.sub("", text.translate(_EAST_SLAVIC))
    text = _SOFT_SK.sub(lambda m: m.group(1) + ("к" if m.group(0)[-1].islower() else "К"), text)

    def _word(match: re.Match[str]) -> str:
        word = match.group(0)
        russian = _EAST_SLAVIC_WORDS.get(word.lower())
        if russian is None:
            return word
        return russian.capitalize() if word[:1].isupper() else russian

    return _EAST_SLAVIC_WORD.sub(_word, text)
