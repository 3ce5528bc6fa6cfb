"""Counts and sizes as alerts write them: "4,212", "4 212", "4.2k", "12 thousand",
"eleven", "twenty-five", "a dozen"; "2.3 GB", "3,2 GiB", "1,200 megabytes".

`COUNT` is the regex group the wording patterns put before or after their noun;
`number` turns what it matched into an int.
"""

from __future__ import annotations

import re

# One string reads better than twenty quoted words.
_SMALL = (  # noqa: SIM905
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
    " sixteen seventeen eighteen nineteen"
).split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80}
_TENS |= {"ninety": 90}
NUMBER_WORDS = {word: n for n, word in enumerate(_SMALL)} | _TENS | {"dozen": 12}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}

_TENS_WORD = "|".join(_TENS)
_SMALL_WORD = "|".join(sorted(_SMALL[1:], key=len, reverse=True))
# "twenty-five", "eleven", "a dozen", "two dozen"; then "hundred", "thousand", "million".
_WORD_COUNT = (
    rf"\b(?:(?:{_TENS_WORD})(?:[- ](?:{_SMALL_WORD}))?|{_SMALL_WORD}|a)(?:\s+dozen)?"
    r"(?:\s+(?:hundred|thousand|million))*\b"
)
# Not digits inside a word, an address or a version ("v2.5", "#3391"); see also in_identifier.
COUNT = (
    r"(?<![\w.#/])(\d{1,3}(?:[,\u202f ]\d{3})+(?:\s+(?:thousand|million)\b)?"
    r"|\d+(?:\.\d+)?(?:\s*[kKmM]\b|\s+(?:thousand|million)\b)?"
    rf"|(?<![\w-])(?:{_WORD_COUNT}|\ba dozen\b))"
)


_IDENTIFIER_PREFIX = re.compile(r"(?:[A-Za-z]{2,}[\w-]*|\d+-\d+)-$")


def in_identifier(text: str, start: int) -> bool:
    """Whether the number at `start` ends an identifier ("FL-2026-11-3391", "INV-3391"),
    not a range ("4,500-5,300 rows", "1k-2k rows")."""
    return bool(_IDENTIFIER_PREFIX.search(text[:start].rsplit(None, 1)[-1] if text[:start].strip() else ""))


# A limit, not a count: "(block at >= 1,000 rows)", "threshold: 1,000 records".
_THRESHOLD_BEFORE = re.compile(
    r"(?:>=?|\u2265|=>|<=?|\u2264|\bthreshold(?:\s+(?:of|is|at))?\s*[:=]?|\blimit(?:\s+(?:of|is))?\s*[:=]?"
    r"|\b(?:block|alert|trigger|warn|notify)(?:s|ed|ing)?\s+(?:at|above|over|when over)"
    r"|\bpolicy\W{1,3}(?:more|over|above|greater) than)\s*"
    # the second of two limits: "block threshold: 100 MB or 1,000 rows"
    r"(?:[\d.,]+\s*[a-z]{0,5}\s+(?:or|and|/)\s*)?$",
    re.IGNORECASE,
)


# A device's capacity, not data moved: "SanDisk Extreme 256 GB", "a 64 GB USB stick".
_CAPACITY_BEFORE = re.compile(
    r"\b(?:capacity|sandisk|kingston|samsung|seagate|lexar|toshiba|transcend|verbatim"
    r"|(?:usb|flash|thumb|external|removable) (?:drive|stick|disk|media))\b[^,;|()]{0,20}$",
    re.IGNORECASE,
)
_CAPACITY_AFTER = re.compile(
    r"\s*(?:usb|flash|thumb|external|portable|ssd|hdd|nvme|drive|disk|stick|card)\b", re.IGNORECASE
)


def is_capacity(text: str, start: int, end: int) -> bool:
    """Whether the size between `start` and `end` is a device's capacity."""
    return bool(_CAPACITY_BEFORE.search(text[max(0, start - 40) : start]) or _CAPACITY_AFTER.match(text, end))


def is_threshold(text: str, start: int) -> bool:
    """Whether the number at `start` is a policy's limit that the text names, not a count."""
    return bool(_THRESHOLD_BEFORE.search(text[max(0, start - 45) : start]))


# A count in words with its digits after it: "ten (10) failed password attempts".
_WORDS_THEN_DIGITS = re.compile(rf"{_WORD_COUNT}\s*\((\d[\d,]*)\)", re.IGNORECASE)


def digits_for_words(text: str) -> str:
    """`text` with each count written in words and then in digits left as its digits."""
    return _WORDS_THEN_DIGITS.sub(lambda m: m.group(1), text)


def number(text: str) -> int | None:
    """'4,212' -> 4212, '2.5k' -> 2500, '12 thousand' -> 12000, 'twenty-five' -> 25,
    'a dozen' -> 12, '12' -> 12; None when it is no count ('a' alone)."""
    text = text.strip().lower()
    match = re.fullmatch(r"(.*?)\s*\b(thousand|million)", text)
    scale = SCALES[match.group(2)] if match and match.group(1)[:1].isdigit() else 1
    if scale > 1:
        text = match.group(1)
    if text[:1].isdigit():
        return _digits(text, scale)
    return _words(text)


def _digits(text: str, scale: int) -> int | None:
    value = text.replace(",", "").replace("\u202f", "").replace(" ", "")
    if value[-1:] == "k":
        scale, value = 1000, value[:-1]
    elif value[-1:] == "m":
        scale, value = 1_000_000, value[:-1]
    try:
        return int(float(value) * scale)
    except ValueError:
        return None


def _words(text: str) -> int | None:
    """'two hundred and forty' -> 240, 'a thousand' -> 1000, 'a' -> None."""
    total, current, counted = 0, 0, False
    for word in re.split(r"[\s-]+", text):
        if word == "a":
            current = current or 1
        elif word == "dozen":
            current, counted = (current or 1) * 12, True
        elif word in NUMBER_WORDS:
            current, counted = current + NUMBER_WORDS[word], True
        elif word == "hundred":
            current, counted = (current or 1) * 100, True
        elif word in SCALES:
            total, current, counted = total + (current or 1) * SCALES[word], 0, True
        elif word != "and":
            return None
    return total + current if counted else None


UNITS = {"b": 1, "bytes": 1, "kb": 10**3, "kib": 2**10, "mb": 10**6, "mib": 2**20, "gb": 10**9, "gib": 2**30}
UNITS |= {"tb": 10**12, "tib": 2**40}
_UNIT_WORDS = {"kilo": "k", "mega": "m", "giga": "g", "tera": "t"}


def unit_key(unit: str) -> str:
    """'Gigabytes', 'MByte', 'GB', 'byte' -> 'gb', 'mb', 'gb', 'b'."""
    unit = unit.lower()
    for word, letter in _UNIT_WORDS.items():
        unit = unit.replace(word + "byte", letter + "b")
    unit = unit.removesuffix("s")
    if unit == "byte":
        return "b"
    return unit.replace("byte", "b")


def size_in_bytes(amount: str, unit: str) -> int | None:
    """'2.3' GB, '3,2' GB (decimal comma) and '1,200' MB (thousands) in bytes."""
    amount = (
        amount.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", amount) else amount.replace(",", ".")
    )
    try:
        value = float(amount)
    except ValueError:
        return None
    return int(value * UNITS.get(unit_key(unit), 1))
