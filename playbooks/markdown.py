"""Text helpers of the playbook markdown format, shared by the importer and the exporter:
table cells (split, escaped), sentences, whitespace and the text fingerprint that keys an
edited item's overrides."""

import hashlib
import re

from .registry import Section

# Abbreviations that never end a sentence; a period after one is not a boundary.
_ABBREVIATIONS = {
    "e.g.", "i.e.", "cf.", "vs.", "mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "no.",
    "approx.", "incl.", "fig.", "al.", "esp.", "resp.", "ca.", "viz.",
}  # fmt: skip
_INITIALS_RE = re.compile(r"^(?:[A-Za-z]\.){2,}$")  # U.S., e.g. written without the dict
_BOUNDARY_RE = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?=\s+)")
_OPENERS = "\"'\u201c\u2018([\u00bf\u00a1"


def text_fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def collapse_spaces(text: str) -> str:
    return " ".join(text.split())


def split_row(line: str) -> list[str]:
    """Cells of one table row; ``\\|`` is a literal pipe and ``\\\\`` a literal backslash."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    cells, current, i = [], [], 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body) and body[i + 1] in "|\\":
            current.append(body[i + 1])
            i += 2
            continue
        if char == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    tail = "".join(current)
    if tail.strip():
        cells.append(tail)  # the row had no closing pipe
    return cells


def escape_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def split_sentences(paragraph: str, *, section: str = "") -> list[str]:
    """One string per sentence, text kept exactly (whitespace collapsed).

    A boundary is ., ! or ? (plus closing quotes/brackets) followed by whitespace and a
    capital letter, digit or opening quote; a period after a known abbreviation or
    initials (e.g., U.S.) is not one. In the questions row every "? " is a boundary.
    """
    text = collapse_spaces(paragraph)
    sentences, start = [], 0
    for match in _BOUNDARY_RE.finditer(text):
        end = match.end()
        following = text[end:].lstrip()
        if not following:
            continue
        is_question_mark = match.group(0)[0] == "?"
        if not (section == Section.QUESTION and is_question_mark):
            first = following[0]
            if first in _OPENERS and len(following) > 1:
                first = following[1]
            if not (first.isupper() or first.isdigit()):
                continue
            if match.group(0)[0] == ".":
                word = text[start : match.start() + 1].rsplit(" ", 1)[-1]
                if word.lower() in _ABBREVIATIONS or _INITIALS_RE.match(word):
                    continue
        sentences.append(text[start:end].strip())
        start = end
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences
