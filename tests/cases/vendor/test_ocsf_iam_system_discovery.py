"""More OCSF classes from the OCSF project's example mappings (tests/cases/fixtures/vendor, its
README names each) through /api/v1/alerts/ocsf/: SSH Activity (Zeek's ssh.log, its ids
written as strings)."""

from datetime import UTC, datetime

import pytest

from cases.ingest import ADAPTERS
from cases.ingest.base import InvalidAlert
from cases.models import Alert
from tests.cases.vendor.support import document, observables_of

pytestmark = pytest.mark.django_db

ZEEK_SSH = "ocsf_examples_zeek_ssh_activity_4007_v1_3.json"


def ingested(post, name: str) -> Alert:
    response = post("ocsf", document(name))
    assert response.status_code == 201, response.json()
    return Alert.objects.get(pk=response.json()["id"])


def test_a_zeek_ssh_record_whose_ids_are_strings_is_read(post):
    # Before: a 400, "class_uid" "4007" and "severity_id" "1" are no JSON integers.
    alert = ingested(post, ZEEK_SSH)
    assert alert.source_ref == "CwjjT11TKp4IDDkiol"  # metadata.uid, Zeek's connection uid
    assert alert.title == "SSH Activity: Authorization Successful"  # the class named by its uid
    assert alert.severity == 1
    assert alert.observed_at == datetime(2024, 10, 16, 7, 34, 4, 474340, tzinfo=UTC)  # time, seconds
    assert alert.technique_ids == [] and alert.flags == []
    # Its observables[] are type 99 (hassh, algorithms): none of Vigil's types.
    assert observables_of(alert) == {
        ("ip", "3.18.161.242", "source"),
        ("ip", "192.168.10.152", "destination"),
    }


@pytest.mark.parametrize("value", ["high", "4.0", "٤", "9" * 5000, True])
def test_a_severity_id_that_is_no_integer_is_still_refused(value):
    with pytest.raises(InvalidAlert) as exc:
        ADAPTERS["ocsf"].parse({**document(ZEEK_SSH), "severity_id": value})
    assert "severity_id" in exc.value.errors


def test_a_class_uid_string_that_is_no_integer_is_refused():
    with pytest.raises(InvalidAlert) as exc:
        ADAPTERS["ocsf"].parse({**document(ZEEK_SSH), "class_uid": "SSH Activity"})
    assert "class_uid" in exc.value.errors
