"""Parse the seed playbook format into structured data (no database access here).

The format (../shared/seeds/*.md): a title line ``# <Name_with_underscores> - T1591002``
and a two-column markdown table whose rows name the technique and hold one paragraph per
section. Each paragraph becomes one item per sentence.

Tolerated: CRLF line ends, extra spaces, escaped pipes (``\\|``) and backslashes
(``\\\\``) in cells, rows in any order, missing optional rows, bold row names. Unknown
rows are kept (``extra["unknown_rows"]``) and reported as warnings. Anything else that
prevents a faithful import raises ``PlaybookFormatError`` naming the file and problem.

The exporter may append a ``<!-- vigil-keys {...} -->`` comment carrying assist/action
keys that an editor changed from what the text rules would choose; it is invisible when
the markdown is rendered and is applied here only to items whose text still matches.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field

from soc.errors import DomainError

from . import attack, matching
from .markdown import collapse_spaces, split_row, split_sentences, text_fingerprint
from .registry import ActionKey, AssistKey, Section


class PlaybookFormatError(DomainError):
    """The file cannot be imported; nothing from it was saved."""

    status = 400
    code = "invalid_playbook"

    def __init__(self, filename: str, problem: str):
        super().__init__(f"{filename}: {problem}", filename=filename, problem=problem)
        self.filename = filename
        self.problem = problem


# Sections in their export order.
SECTION_ROWS: list[tuple[str, str]] = [
    (Section.LOG_SOURCE, "Log Sources to Investigate"),
    (Section.KEY_INDICATOR, "Key Indicators"),
    (Section.QUESTION, "Questions for Analysis"),
    (Section.ESCALATION_CRITERION, "Decision for Escalation"),
    (Section.L1_STEP, "Additional Analysis Steps for L1"),
    (Section.T2_ACTION, "T2 Analyst Actions"),
    (Section.CONTAINMENT_STEP, "Containment and Further Analysis"),
]
FIELD_ROWS: list[tuple[str, str]] = [
    ("tactic", "MITRE Tactic"),
    ("ttp", "MITRE TTP"),
    ("sub_ttp", "MITRE Sub-TTP"),
    ("name", "Name"),
]
REQUIRED_SECTIONS = (Section.QUESTION, Section.ESCALATION_CRITERION)
ROW_TITLES = dict(FIELD_ROWS + SECTION_ROWS)

_ALIASES = {
    "tactic": "tactic",
    "mitre ttp id": "ttp",
    "ttp": "ttp",
    "technique": "ttp",
    "technique id": "ttp",
    "mitre sub ttp": "sub_ttp",
    "mitre subttp": "sub_ttp",
    "sub-ttp": "sub_ttp",
    "sub-technique": "sub_ttp",
    "technique name": "name",
    "questions": Section.QUESTION,
    "escalation criteria": Section.ESCALATION_CRITERION,
    "containment": Section.CONTAINMENT_STEP,
}
_ROW_KEYS = {title.lower(): key for key, title in FIELD_ROWS + SECTION_ROWS} | _ALIASES
_ABSENT = {"", "-", "n/a", "na", "none", "null"}
_SEPARATOR_RE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_TITLE_RE = re.compile(r"^#\s+(?P<title>.+?)\s*#*\s*$")
# The id in a title, usually last ("... - T1591002") but accepted anywhere ("T1591.002: ...").
_TITLE_ID_RE = re.compile(r"(?<![A-Za-z0-9])[\[(]?(?P<id>[Tt]\d{4}(?:\.?\d{3})?)[\])]?(?![0-9])")
_TITLE_TRIM = " -:\u2013\u2014"
KEYS_COMMENT_RE = re.compile(r"<!--\s*vigil-keys\s+(?P<json>\{.*?\})\s*-->", re.DOTALL)


# The fields of a playbook item, parsed (ParsedItem) or stored (PlaybookItem), in the
# order its content hash reads them.
ITEM_FIELDS = ("section", "order", "text", "assist", "action")


def item_values(item) -> tuple:
    """The item's ITEM_FIELDS values, a ParsedItem's or a stored PlaybookItem's."""
    return tuple(getattr(item, name) for name in ITEM_FIELDS)


@dataclass(frozen=True)
class ParsedItem:
    section: str
    order: int
    text: str
    assist: str = ""
    action: str = ""

    def as_tuple(self) -> tuple:
        return item_values(self)


@dataclass
class ParsedPlaybook:
    technique_id: str
    name: str
    tactic: str
    tactic_id: str
    items: list[ParsedItem]
    extra: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        return content_hash(
            technique_id=self.technique_id,
            name=self.name,
            tactic=self.tactic,
            tactic_id=self.tactic_id,
            items=[item.as_tuple() for item in self.items],
            extra=self.extra,
        )


def content_hash(*, technique_id, name, tactic, tactic_id, items, extra) -> str:
    """The identity of a version's content: equal hashes mean an identical version.

    Items are (section, order, text, assist, action) tuples; they are sorted so the
    hash does not depend on the order rows were read or stored in.
    """
    canonical = json.dumps(
        {
            "technique_id": technique_id,
            "name": name,
            "tactic": tactic,
            "tactic_id": tactic_id,
            "items": sorted([list(item) for item in items]),
            "extra": extra or {},
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _row_key(raw: str) -> str | None:
    name = collapse_spaces(raw.strip().strip("*_`").strip()).rstrip(":").strip().lower()
    return _ROW_KEYS.get(name)


def _table_lines(lines: list[str]) -> list[str]:
    """The first markdown table's rows, without the header and its separator."""
    rows, in_table = [], False
    for line in lines:
        if line.strip().startswith("|"):
            in_table = True
            rows.append(line)
        elif in_table:
            break
    if len(rows) >= 2 and _SEPARATOR_RE.match(rows[1].strip()):
        return rows[2:]
    if rows and _SEPARATOR_RE.match(rows[0].strip()):
        return rows[1:]
    return rows


def _technique_from(value: str, row_title: str, filename: str) -> str | None:
    if collapse_spaces(value).lower() in _ABSENT:
        return None
    normalized = attack.normalize_technique_id(value)
    if normalized is None:
        raise PlaybookFormatError(
            filename,
            f"{row_title} {value.strip()!r} is not an ATT&CK technique id "
            "(T followed by 4 digits, optional .3 digits, e.g. T1591.002).",
        )
    return normalized


def parse_playbook(text: str, *, filename: str) -> ParsedPlaybook:
    """Parse one file's text; raises PlaybookFormatError when it cannot be imported."""
    if not text or not text.strip():
        raise PlaybookFormatError(filename, "the file is empty.")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    warnings: list[str] = []

    title = ""
    for line in lines:
        match = _TITLE_RE.match(line.strip())
        if match:
            title = match.group("title")
            break

    table = [line for line in _table_lines(lines) if line.strip()]
    if not table:
        raise PlaybookFormatError(filename, "no markdown table of playbook rows was found.")

    fields: dict[str, str] = {}
    unknown_rows: list[dict] = []
    for line in table:
        cells = split_row(line)
        if len(cells) < 2:
            raise PlaybookFormatError(filename, f"table row {line.strip()[:60]!r} has no value column.")
        raw_name = cells[0]
        if len(cells) > 2:
            warnings.append(f"row {collapse_spaces(raw_name)!r} has unescaped pipes; they were kept as text.")
        value = collapse_spaces("|".join(cells[1:]))
        key = _row_key(raw_name)
        if key is None:
            unknown_rows.append({"name": collapse_spaces(raw_name), "value": value})
            warnings.append(f"unknown row {collapse_spaces(raw_name)!r} kept in the version's extra data.")
            continue
        if key in fields:
            raise PlaybookFormatError(filename, f"row {ROW_TITLES[key]!r} appears more than once.")
        fields[key] = value

    technique_id = _resolve_technique(fields, title, filename, warnings)
    info = attack.lookup(technique_id)
    if info is None:
        warnings.append(
            f"{technique_id} is not in the ATT&CK {attack.attack_version()} catalogue; "
            "accepted as an organisation-specific technique."
        )
    elif info.deprecated:
        warnings.append(f"{technique_id} is deprecated in ATT&CK {attack.attack_version()}.")

    name = fields.get("name", "")
    if not name and title:
        name = collapse_spaces(_TITLE_ID_RE.sub(" ", title, count=1).replace("_", " ")).strip(_TITLE_TRIM)
    if not name and info is not None:
        name = info.full_name
    if not name:
        raise PlaybookFormatError(
            filename, "no Name row, no title and the technique is not in the catalogue."
        )

    tactic_name, tactic_id = _resolve_tactic(fields.get("tactic", ""), info, warnings)

    for key in REQUIRED_SECTIONS:
        if key not in fields:
            raise PlaybookFormatError(filename, f"the required row {ROW_TITLES[key]!r} is missing.")
        if not fields[key]:
            raise PlaybookFormatError(filename, f"the required row {ROW_TITLES[key]!r} is empty.")

    items: list[ParsedItem] = []
    for section, _title in SECTION_ROWS:
        sentences = split_sentences(fields.get(section, ""), section=section)
        if section == Section.CONTAINMENT_STEP:
            sentences = [part for sentence in sentences for part in matching.split_joined_actions(sentence)]
        elif section == Section.ESCALATION_CRITERION:
            sentences = [part for sentence in sentences for part in matching.split_joined_criteria(sentence)]
        for order, sentence in enumerate(sentences, start=1):
            items.append(
                ParsedItem(
                    section=section,
                    order=order,
                    text=sentence,
                    assist=matching.assist_for(section, sentence),
                    action=matching.action_for(section, sentence),
                )
            )
    items = _apply_key_overrides(items, text, filename, warnings)

    return ParsedPlaybook(
        technique_id=technique_id,
        name=name,
        tactic=tactic_name,
        tactic_id=tactic_id,
        items=items,
        extra={"unknown_rows": unknown_rows} if unknown_rows else {},
        warnings=warnings,
    )


def _resolve_technique(fields: dict, title: str, filename: str, warnings: list[str]) -> str:
    ttp = _technique_from(fields.get("ttp", ""), "MITRE TTP", filename)
    sub_value = fields.get("sub_ttp", "")
    sub = None
    if ttp and re.fullmatch(r"\.?\d{3}", sub_value.strip()):
        sub = f"{ttp.split('.')[0]}.{sub_value.strip().lstrip('.')}"  # "Sub-TTP | 002"
    else:
        sub = _technique_from(sub_value, "MITRE Sub-TTP", filename)
    if ttp and sub and sub.split(".")[0] != ttp.split(".")[0]:
        raise PlaybookFormatError(
            filename, f"MITRE TTP {ttp} and MITRE Sub-TTP {sub} name different techniques."
        )
    technique_id = sub or ttp
    title_ids = _TITLE_ID_RE.findall(title) if title else []
    title_match = _TITLE_ID_RE.search(title) if len(title_ids) == 1 else None
    title_id = attack.normalize_technique_id(title_match.group("id")) if title_match else None
    if technique_id is None:
        technique_id = title_id
    elif title_id and title_id != technique_id:
        warnings.append(f"the title names {title_id} but the table names {technique_id}; the table wins.")
    if technique_id is None:
        raise PlaybookFormatError(
            filename, "no technique id: neither a MITRE TTP row nor an id in the title."
        )
    return technique_id


def _resolve_tactic(value: str, info, warnings: list[str]) -> tuple[str, str]:
    if collapse_spaces(value).lower() in _ABSENT:
        if info is not None and info.tactics:
            return info.tactics[0].name, info.tactics[0].id
        return "", ""
    known = attack.tactic_by_name(value)
    if known is None:
        warnings.append(f"tactic {value!r} is not an ATT&CK tactic; kept as written.")
        return value, ""
    if info is not None and known.id not in info.tactic_ids:
        names = ", ".join(t.name for t in info.tactics) or "none"
        warnings.append(f"{info.id} belongs to {names} in ATT&CK, not {known.name}.")
    return known.name, known.id


def _apply_key_overrides(items: list[ParsedItem], text: str, filename: str, warnings: list[str]):
    match = KEYS_COMMENT_RE.search(text)
    if not match:
        return items
    try:
        overrides = json.loads(match.group("json"))
        entries = overrides["items"]
        assert isinstance(entries, list)
    except (ValueError, KeyError, TypeError, AssertionError):
        raise PlaybookFormatError(
            filename, "the vigil-keys comment is not valid JSON of the expected shape."
        ) from None
    result = list(items)
    for entry in entries:
        if not isinstance(entry, dict):
            raise PlaybookFormatError(
                filename, "the vigil-keys comment is not valid JSON of the expected shape."
            )
        section, order = entry.get("section"), entry.get("order")
        assist, action = entry.get("assist", ""), entry.get("action", "")
        if assist and assist not in AssistKey.values:
            raise PlaybookFormatError(
                filename, f"unknown assist key {assist!r} (known: {', '.join(AssistKey.values)})."
            )
        if action and action not in ActionKey.values:
            raise PlaybookFormatError(
                filename, f"unknown action key {action!r} (known: {', '.join(ActionKey.values)})."
            )
        candidates = [
            i for i, item in enumerate(result)
            if item.section == section and text_fingerprint(item.text) == entry.get("text")
        ]  # fmt: skip
        if not candidates:
            warnings.append(f"key override for {section} #{order} no longer matches an item; ignored.")
            continue
        index = next((i for i in candidates if result[i].order == order), candidates[0])
        item = result[index]
        result[index] = ParsedItem(item.section, item.order, item.text, assist, action)
    return result
