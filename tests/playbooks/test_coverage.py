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


# --- API, admin, import command ------------------------------------------------------------

DETAIL = "/api/v1/playbooks/T1591.002/"


def api(user=None):
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_a_manager_patches_coverage_without_a_new_version(seed_playbook, manager, l1):
    versions = PlaybookVersion.objects.count()
    response = api(manager).patch(DETAIL, {"covers": ["T1656", "t1566", "T1110"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"technique_id": "T1591.002", "covers": ["T1110", "T1566", "T1656"]}
    assert PlaybookVersion.objects.count() == versions
    assert api(l1).get(DETAIL).json()["covers"] == ["T1110", "T1566", "T1656"]


@pytest.mark.django_db
def test_bad_ids_are_400_with_field_errors(seed_playbook, manager):
    response = api(manager).patch(DETAIL, {"covers": ["T1656", "T99", "T9999.999"]}, format="json")
    assert response.status_code == 400
    assert len(response.json()["errors"]["covers"]) == 2
    assert api(manager).patch(DETAIL, {"covers": "T1656"}, format="json").status_code == 400
    assert api(manager).patch("/api/v1/playbooks/T1059/", {"covers": []}, format="json").status_code == 404


@pytest.mark.django_db
def test_only_managers_may_patch_coverage(seed_playbook, l1, t2, outsider, ingest_source):
    for user in (l1, t2, outsider):
        assert api(user).patch(DETAIL, {"covers": ["T1656"]}, format="json").status_code == 403
    assert api().patch(DETAIL, {"covers": ["T1656"]}, format="json").status_code in (401, 403)
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ingest_source[1]}")
    assert client.patch(DETAIL, {"covers": ["T1656"]}, format="json").status_code == 403
    seed_playbook.playbook.refresh_from_db()
    assert seed_playbook.playbook.covers == []


@pytest.mark.django_db
def test_the_admin_edits_coverage_and_refuses_unknown_ids(seed_playbook, manager, client):
    client.force_login(manager)
    url = f"/admin/playbooks/playbook/{seed_playbook.playbook.pk}/change/"
    assert client.get(url).status_code == 200
    inline = {"versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0"}  # the read-only versions
    response = client.post(url, {"covers": "T1656 t1566, T9999.999", **inline})
    assert response.status_code == 200 and b"T9999.999 is not in the bundled" in response.content
    response = client.post(url, {"covers": "T1656 t1566, T1110", **inline})
    assert response.status_code == 302
    seed_playbook.playbook.refresh_from_db()
    assert seed_playbook.playbook.covers == ["T1110", "T1566", "T1656"]
    assert LogEntry.objects.filter(user=manager).count() == 1


@pytest.mark.django_db
def test_import_playbooks_with_covers(tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from playbooks.models import Playbook
    from tests.conftest import SEED_PLAYBOOK

    out = StringIO()
    call_command(
        "import_playbooks", "--publish", "--covers", "T1656,T1566,T1110", str(SEED_PLAYBOOK), stdout=out
    )
    assert "covers: T1110, T1566, T1656" in out.getvalue()
    assert Playbook.objects.get(technique_id="T1591.002").covers == ["T1110", "T1566", "T1656"]
    with pytest.raises(CommandError, match=r"T9999\.999"):
        call_command("import_playbooks", "--covers", "T9999.999", str(SEED_PLAYBOOK), stdout=StringIO())
