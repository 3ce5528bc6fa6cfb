"""Importing seed-format files: tolerance, idempotency, versions, warnings and errors."""

import pytest

from playbooks.importers import PlaybookFormatError, parse_playbook, split_row, split_sentences
from playbooks.models import Playbook, PlaybookItem, PlaybookVersion
from playbooks.services import current_version_for_technique, import_playbook_text
from soc.errors import DomainError

pytestmark = pytest.mark.django_db


def replace_row(text: str, row: str, value: str | None) -> str:
    """The seed with one row's value replaced (or the row removed when value is None)."""
    lines = []
    for line in text.splitlines():
        if line.startswith(f"| {row} |"):
            if value is None:
                continue
            line = f"| {row} | {value} |"
        lines.append(line)
    return "\n".join(lines) + "\n"


def snapshot():
    return (
        Playbook.objects.count(),
        list(PlaybookVersion.objects.values_list("pk", "status", "number")),
        PlaybookItem.objects.count(),
    )


def do_import(text, publish=True, filename="pb.md"):
    return import_playbook_text(text, filename=filename, publish=publish, by=None)


# --- idempotency and versions -------------------------------------------------------


def test_importing_the_same_content_again_creates_nothing(seed_playbook, seed_text):
    before = snapshot()
    result = do_import(seed_text)
    assert result.created is False
    assert result.version == seed_playbook
    assert snapshot() == before


def test_formatting_noise_is_the_same_content(seed_playbook, seed_text):
    noisy = seed_text.replace("\n", "\r\n").replace("| Name |", "|   Name   |   ").replace(". ", ".   ")
    lines = noisy.split("\r\n")
    header, rows = lines[:4], [line for line in lines[4:] if line]
    reordered = "\r\n".join(header + list(reversed(rows))) + "\r\n"
    result = do_import(reordered)
    assert result.created is False
    assert result.version == seed_playbook


def test_changed_content_becomes_a_published_version_that_new_cases_pin(
    seed_playbook, seed_text, django_user_model
):
    editor = django_user_model.objects.create_user("ed")
    changed = replace_row(
        seed_text,
        "Questions for Analysis",
        "Does the activity come from legitimate or known IPs? Was the partner portal accessed?",
    )
    result = import_playbook_text(changed, filename="pb.md", publish=True, by=editor)
    assert result.created is True
    assert result.version.number == 2
    assert result.version.status == PlaybookVersion.Status.PUBLISHED
    assert result.version.created_by == editor
    assert result.version.published_by == editor
    seed_playbook.refresh_from_db()
    assert seed_playbook.status == PlaybookVersion.Status.RETIRED
    assert seed_playbook.retired_at is not None
    assert current_version_for_technique("T1591.002") == result.version
    assert list(result.version.items.filter(section="question").values_list("text", flat=True)) == [
        "Does the activity come from legitimate or known IPs?",
        "Was the partner portal accessed?",
    ]


def test_changed_content_without_publish_is_a_draft_and_the_published_one_stays(seed_playbook, seed_text):
    changed = replace_row(seed_text, "T2 Analyst Actions", "Review the proxy logs.")
    result = do_import(changed, publish=False)
    assert result.created is True
    assert result.version.status == PlaybookVersion.Status.DRAFT
    assert current_version_for_technique("T1591.002") == seed_playbook
    # Importing the same draft again with --publish publishes that draft, creating nothing.
    again = do_import(changed, publish=True)
    assert again.created is False
    assert again.published is True
    assert again.version.pk == result.version.pk
    assert current_version_for_technique("T1591.002") == again.version


def test_reimporting_a_retired_content_does_not_revert_the_current_version(seed_playbook, seed_text):
    newer = do_import(replace_row(seed_text, "T2 Analyst Actions", "Review the proxy logs.")).version
    result = do_import(seed_text)
    assert result.created is False
    assert result.version == seed_playbook
    assert any("retired version 1" in w for w in result.warnings)
    assert current_version_for_technique("T1591.002") == newer


def test_sub_technique_without_a_playbook_falls_back_to_its_parent(seed_text):
    parent_text = seed_text.replace("T1591002", "T1591").replace("| T1591.002 |", "| T1591 |")
    parent_text = replace_row(parent_text, "MITRE Sub-TTP", "N/A")
    parent = do_import(parent_text).version
    assert parent.technique_id == "T1591"
    assert current_version_for_technique("T1591.003") == parent
    assert current_version_for_technique("T1591") == parent


# --- tolerance ------------------------------------------------------------------------


def test_missing_optional_rows_are_filled_from_the_attack_catalogue(seed_text):
    text = seed_text
    for row in ("MITRE Tactic", "Name", "MITRE Sub-TTP", "Key Indicators", "T2 Analyst Actions"):
        text = replace_row(text, row, None)
    text = text.replace("# Gather_Victim_Org_Information:_Business_Relationships - T1591002\n", "")
    parsed = parse_playbook(text, filename="bare.md")
    assert parsed.technique_id == "T1591.002"
    assert parsed.name == "Gather Victim Org Information: Business Relationships"
    assert (parsed.tactic, parsed.tactic_id) == ("Reconnaissance", "TA0043")
    assert not [i for i in parsed.items if i.section in ("key_indicator", "t2_action")]
    assert parsed.warnings == []


def test_escaped_pipes_and_backslashes_in_cells():
    assert split_row(r"| Name | a \| b \\ c |") == [" Name ", r" a | b \ c "]
    assert split_row("| Name | no closing pipe") == [" Name ", " no closing pipe"]


def test_unknown_rows_are_kept_in_extra_with_a_warning(seed_text):
    text = seed_text.rstrip("\n") + "\n| Owner | SOC team \\| EMEA |\n"
    result = do_import(text)
    assert result.version.extra == {"unknown_rows": [{"name": "Owner", "value": "SOC team | EMEA"}]}
    assert result.warnings == ["unknown row 'Owner' kept in the version's extra data."]


def test_an_unknown_technique_is_accepted_with_a_visible_warning(seed_text):
    text = seed_text.replace("T1591.002", "T1999.001").replace("T1591002", "T1999001")
    result = do_import(text)
    assert result.version.technique_id == "T1999.001"
    assert any("T1999.001 is not in the ATT&CK 18.1 catalogue" in w for w in result.warnings)


def test_title_id_is_normalised_and_used_when_the_table_has_none(seed_text):
    text = replace_row(replace_row(seed_text, "MITRE TTP", None), "MITRE Sub-TTP", None)
    assert parse_playbook(text, filename="t.md").technique_id == "T1591.002"


def test_sub_ttp_may_be_given_as_its_three_digits(seed_text):
    text = replace_row(replace_row(seed_text, "MITRE TTP", "T1591"), "MITRE Sub-TTP", "002")
    assert parse_playbook(text, filename="t.md").technique_id == "T1591.002"


def test_a_tactic_that_does_not_match_the_technique_is_warned_about(seed_text):
    parsed = parse_playbook(replace_row(seed_text, "MITRE Tactic", "Impact"), filename="t.md")
    assert (parsed.tactic, parsed.tactic_id) == ("Impact", "TA0040")
    assert parsed.warnings == ["T1591.002 belongs to Reconnaissance in ATT&CK, not Impact."]


@pytest.mark.parametrize(
    ("paragraph", "section", "expected"),
    [
        ("Check the U.S. region. Then stop.", "l1_step", ["Check the U.S. region.", "Then stop."]),
        ("Look at e.g. VPN logs. Done.", "l1_step", ["Look at e.g. VPN logs.", "Done."]),
        (
            "Use version 2.0 of the tool. 3 checks follow.",
            "l1_step",
            ["Use version 2.0 of the tool.", "3 checks follow."],
        ),
        ('Ask "why?" and continue. Next.', "l1_step", ['Ask "why?" and continue.', "Next."]),
        ("Is it known? is it new?", "question", ["Is it known?", "is it new?"]),
        ("Is it known? is it new?", "l1_step", ["Is it known? is it new?"]),
        ("Ends without a period", "l1_step", ["Ends without a period"]),
        (
            "Über-check the Ärzte portal. Éclair next.",
            "l1_step",
            ["Über-check the Ärzte portal.", "Éclair next."],
        ),
    ],
)
def test_sentence_splitting(paragraph, section, expected):
    assert split_sentences(paragraph, section=section) == expected


# --- malformed files ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda t: "", "the file is empty"),
        (lambda t: "# Just a title - T1591002\n\nSome prose, no table.\n", "no markdown table"),
        (
            lambda t: replace_row(
                replace_row(t.replace("T1591002", "Business"), "MITRE TTP", None), "MITRE Sub-TTP", None
            ),
            "no technique id",
        ),
        (lambda t: replace_row(t, "MITRE TTP", "T15910"), "'T15910' is not an ATT&CK technique id"),
        (
            lambda t: replace_row(t, "Questions for Analysis", None),
            "required row 'Questions for Analysis' is missing",
        ),
        (
            lambda t: replace_row(t, "Decision for Escalation", ""),
            "required row 'Decision for Escalation' is empty",
        ),
        (lambda t: t + "| Name | Twice |\n", "row 'Name' appears more than once"),
        (lambda t: replace_row(t, "MITRE Sub-TTP", "T1592.002"), "name different techniques"),
        (
            lambda t: (
                t + '\n<!-- vigil-keys {"items": [{"section": "question", "assist": "crystal_ball"}]} -->\n'
            ),
            "unknown assist key 'crystal_ball'",
        ),
    ],
)
def test_a_malformed_file_saves_nothing_and_names_file_and_problem(seed_playbook, seed_text, mutate, problem):
    before = snapshot()
    with pytest.raises(PlaybookFormatError) as excinfo:
        do_import(mutate(seed_text), filename="broken.md")
    assert excinfo.value.message.startswith("broken.md: ")
    assert problem in excinfo.value.message
    assert isinstance(excinfo.value, DomainError)
    assert snapshot() == before


def test_a_malformed_first_import_leaves_no_playbook_row(seed_text):
    with pytest.raises(PlaybookFormatError):
        do_import(replace_row(seed_text, "Questions for Analysis", None))
    assert snapshot() == (0, [], 0)


@pytest.mark.parametrize(
    ("title", "technique_id", "name"),
    [
        ("# Gather_Victim_Org_Information:_Business_Relationships - T1591002", "T1591.002",
         "Gather Victim Org Information: Business Relationships"),
        ("# T1591.002: Partner reconnaissance", "T1591.002", "Partner reconnaissance"),
        ("# Partner reconnaissance (t1591002)", "T1591.002", "Partner reconnaissance"),
    ],
)  # fmt: skip
def test_the_title_gives_id_and_name_when_the_table_has_neither(seed_text, title, technique_id, name):
    text = seed_text.replace("# Gather_Victim_Org_Information:_Business_Relationships - T1591002", title)
    for row in ("MITRE TTP", "MITRE Sub-TTP", "Name"):
        text = replace_row(text, row, None)
    parsed = parse_playbook(text, filename="t.md")
    assert (parsed.technique_id, parsed.name) == (technique_id, name)
