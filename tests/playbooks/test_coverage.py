"""Playbook coverage: the routing rule (pure) and the service that sets it."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError

from playbooks.coverage import Coverage, InvalidCoverage, covering, normalise_covers
from playbooks.models import PlaybookVersion
from playbooks.services import covering_version, set_playbook_coverage

SEED = Coverage("T1591.002", covers=("T1110", "T1566", "T1656"), version_id=1)
BRUTE = Coverage("T1110.003", version_id=2)


@pytest.mark.parametrize(
    ("technique", "expected"),
    [
        ("T1591.002", "T1591.002"),  # own technique
        ("T1656", "T1591.002"),  # listed
        ("T1110.001", "T1591.002"),  # a listed parent covers its sub-techniques
        ("T1110.003", "T1110.003"),  # a playbook of its own beats a listing
        ("T1566.002", "T1591.002"),
        ("T1059", None),
        ("", None),
    ],
)
def test_the_most_specific_published_playbook_covers_a_technique(technique, expected):
    found = covering(technique, [SEED, BRUTE])
    assert (found.technique_id if found else None) == expected


def test_a_parent_playbook_covers_its_sub_techniques():
    assert covering("T1591.001", [Coverage("T1591")]).technique_id == "T1591"
    assert covering("T1591", [Coverage("T1591.002")]) is None


def test_ties_go_to_the_lowest_technique_id_whatever_the_order():
    a, b = Coverage("T1598", covers=("T1656",)), Coverage("T1591.002", covers=("T1656",))
    assert covering("T1656", [a, b]) == covering("T1656", [b, a]) == b


def test_covers_are_upper_cased_deduplicated_and_sorted():
    assert normalise_covers(["t1656", "T1566", "T1656", "T1110"]) == ["T1110", "T1566", "T1656"]
    assert normalise_covers("T1656, t1566;T1110") == ["T1110", "T1566", "T1656"]
    assert normalise_covers(["T1591.002", "T1656"], own="T1591.002") == ["T1656"]


def test_malformed_and_unknown_ids_are_refused_each_named():
    with pytest.raises(InvalidCoverage) as exc:
        normalise_covers(["T1656", "nonsense", "T9999.999"])
    assert len(exc.value.errors) == 2
    assert "nonsense" in exc.value.errors[0] and "T9999.999" in exc.value.errors[1]


@pytest.mark.django_db
def test_setting_coverage_creates_no_version_and_is_logged(seed_playbook, manager):
    playbook = seed_playbook.playbook
    versions = PlaybookVersion.objects.count()
    set_playbook_coverage(playbook, ["t1656", "T1566", "T1110"], by=manager)
    playbook.refresh_from_db()
    assert playbook.covers == ["T1110", "T1566", "T1656"]
    assert PlaybookVersion.objects.count() == versions
    entry = LogEntry.objects.get(user=manager)
    assert entry.object_id == str(playbook.pk) and "T1656" in entry.change_message
    assert covering_version("T1656") == seed_playbook
    assert covering_version("T1110.003") == seed_playbook
    assert covering_version("T1059") is None


@pytest.mark.django_db
def test_setting_bad_coverage_raises_field_errors_and_keeps_the_old(seed_playbook, manager):
    playbook = seed_playbook.playbook
    set_playbook_coverage(playbook, ["T1656"], by=manager)
    with pytest.raises(ValidationError) as exc:
        set_playbook_coverage(playbook, ["T1656", "T12"], by=manager)
    assert "covers" in exc.value.message_dict
    playbook.refresh_from_db()
    assert playbook.covers == ["T1656"]
