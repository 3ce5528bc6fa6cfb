"""Markdown export re-imports to an identical version: the seed, and generated playbooks.

The property test builds playbook versions in memory (fields, items with any keys,
unknown rows) whose texts contain pipes, quotes, backslashes, unicode and question
marks, exports them and parses the export back.
"""

import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playbooks import attack
from playbooks.exporters import export_json, export_markdown, version_as_dict
from playbooks.importers import SECTION_ROWS, parse_playbook
from playbooks.models import PlaybookItem, PlaybookVersion
from playbooks.registry import ActionKey, AssistKey
from playbooks.services import import_playbook_text, playbook_version_new_draft, playbook_version_publish

SECTIONS = [key for key, _ in SECTION_ROWS]


def item_tuples(version):
    return sorted((i.section, i.order, i.text, i.assist, i.action) for i in version.items.all())


# --- the seed ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_round_trips_import_export_import_unchanged(seed_playbook):
    exported = export_markdown(seed_playbook)
    result = import_playbook_text(exported, filename="export.md", publish=True, by=None)
    assert result.created is False
    assert result.version == seed_playbook
    parsed = parse_playbook(exported, filename="export.md")
    assert sorted(i.as_tuple() for i in parsed.items) == item_tuples(seed_playbook)
    assert parsed.content_hash == seed_playbook.content_hash
    assert "vigil-keys" not in exported  # every key is what the text rules give


@pytest.mark.django_db
def test_edited_keys_survive_the_markdown_round_trip(seed_playbook, manager):
    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    draft.items.filter(section="question", order=4).update(assist=AssistKey.BUSINESS_CONTEXT)
    draft.items.filter(section="t2_action", order=1).update(action=ActionKey.MANUAL)
    exported = export_markdown(draft)
    assert "<!-- vigil-keys " in exported
    parsed = parse_playbook(exported, filename="draft.md")
    assert sorted(i.as_tuple() for i in parsed.items) == item_tuples(draft)


@pytest.mark.django_db
def test_json_export_has_every_item_grouped_by_section(seed_playbook):
    document = json.loads(export_json(seed_playbook))
    assert document["format"] == "vigil-playbook"
    assert document["technique_id"] == "T1591.002"
    assert document["version"] == 1
    assert [len(document["sections"][s]) for s in SECTIONS] == [4, 3, 4, 4, 3, 3, 4]
    assert document["sections"]["containment_step"][1] == {
        "order": 2,
        "text": "Block IP addresses if necessary.",
        "assist": "",
        "action": "block_ip",
    }


@pytest.mark.django_db
def test_a_republished_edit_round_trips_through_the_database(seed_playbook, manager):
    draft = playbook_version_new_draft(version=seed_playbook, by=manager)
    draft.items.filter(section="question", order=1).update(text='Is the IP on the "partners | vendors" list?')
    published = playbook_version_publish(version=draft, by=manager)
    result = import_playbook_text(export_markdown(published), filename="v2.md", publish=True, by=None)
    assert result.created is False
    assert result.version == published


# --- generated playbooks ---------------------------------------------------------------

_symbols = st.sampled_from(
    ["|", '"', "'", "\\", ",", "(", ")", "-", ":", ";", "&", "<", ">", "%", "€", "«", "»"]
)
_lower = st.characters(categories=["Ll", "Lo", "Nd"])
_word = st.lists(st.one_of(_lower, _lower, _lower, _symbols), min_size=1, max_size=8).map("".join)
# A "?" between letters ("a?b") is not a sentence boundary even in the questions row.
_word_with_question = st.tuples(_lower, _lower).map(lambda p: f"{p[0]}?{p[1]}")
_inner_word = st.one_of(_word, _word, _word, _word_with_question)


_ANY_ENDING = st.sampled_from([".", "!", "?"])


@st.composite
def sentence(draw, ending=_ANY_ENDING):
    first = draw(st.characters(categories=["Lu"]))
    words = draw(st.lists(_inner_word, min_size=0, max_size=6))
    text = " ".join([first + draw(st.lists(_lower, max_size=5).map("".join)), *words])
    return text + draw(ending)


@st.composite
def generated_version(draw):
    technique_id = draw(st.from_regex(r"T[0-9]{4}(\.[0-9]{3})?", fullmatch=True))
    known_tactics = attack.all_tactics()
    if draw(st.booleans()):
        tactic = draw(st.sampled_from(known_tactics))
        tactic_name, tactic_id = tactic.name, tactic.id
    else:
        tactic_name, tactic_id = "Custom " + draw(_word), ""
    name = " ".join(draw(st.lists(_word, min_size=1, max_size=5)))
    items = []
    for section in SECTIONS:
        required = section in ("question", "escalation_criterion")
        ending = st.just("?") if section == "question" else _ANY_ENDING
        texts = draw(st.lists(sentence(ending=ending), min_size=1 if required else 0, max_size=4))
        for order, text in enumerate(texts, start=1):
            assist = draw(st.sampled_from(["", *AssistKey.values]))
            action = draw(st.sampled_from(["", *ActionKey.values]))
            items.append(PlaybookItem(section=section, order=order, text=text, assist=assist, action=action))
    unknown = draw(
        st.lists(
            st.tuples(_word, st.lists(_word, max_size=4).map(" ".join)), max_size=2, unique_by=lambda r: r[0]
        )
    )
    extra = {"unknown_rows": [{"name": f"Custom {n}", "value": v} for n, v in unknown]} if unknown else {}
    version = PlaybookVersion(
        number=1, technique_id=technique_id, name=name, tactic=tactic_name, tactic_id=tactic_id, extra=extra
    )
    version._prefetched_objects_cache = {"items": items}
    return version


@settings(max_examples=300, deadline=None)
@given(version=generated_version())
def test_generated_playbooks_round_trip_through_markdown(version):
    exported = export_markdown(version)
    parsed = parse_playbook(exported, filename="generated.md")
    expected = version_as_dict(version)
    assert parsed.technique_id == expected["technique_id"]
    assert parsed.name == expected["name"]
    assert (parsed.tactic, parsed.tactic_id) == (expected["tactic"], expected["tactic_id"])
    assert parsed.extra == expected["extra"]
    got = {s: [{"order": i.order, "text": i.text, "assist": i.assist, "action": i.action}
               for i in parsed.items if i.section == s] for s in SECTIONS}  # fmt: skip
    assert got == expected["sections"]


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(version=generated_version())
def test_generated_playbooks_reimport_as_the_same_stored_version(version):
    exported = export_markdown(version)
    with transaction.atomic():
        first = import_playbook_text(exported, filename="g.md", publish=True, by=None)
        again = import_playbook_text(export_markdown(first.version), filename="g2.md", publish=True, by=None)
        assert first.created is True
        assert again.created is False
        assert again.version == first.version
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_cacao_export_chains_the_containment_steps(seed_playbook):
    from playbooks.exporters import export_cacao

    playbook = json.loads(export_cacao(seed_playbook))
    assert (playbook["type"], playbook["spec_version"]) == ("playbook", "cacao-2.0")
    assert playbook["labels"] == ["attack.t1591.002", "containment"]
    workflow = playbook["workflow"]
    step, names = workflow[playbook["workflow_start"]], []
    while step["type"] != "end":
        step = workflow[step["on_completion"]]
        if step["type"] == "action":
            names.append((step["name"], step["commands"][0]["type"]))
    assert names[:2] == [
        ("Disable any affected user accounts.", "manual"),
        ("Block IP addresses if necessary.", "manual"),
    ]
    assert len(names) == 4
    assert export_cacao(seed_playbook) == export_cacao(seed_playbook)  # ids are derived, not random
