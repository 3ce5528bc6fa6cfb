"""More OCSF classes from the OCSF project's example mappings (tests/cases/fixtures/vendor, its
README names each) through /api/v1/alerts/ocsf/: SSH Activity (Zeek's ssh.log, its ids
written as strings), Group Management (Okta, GitHub), Windows Resource Activity (a Windows
4663 in OCSF 1.0.0-rc.2), Device Inventory Info (Tenable's asset export, a Discovery
class)."""

from datetime import UTC, datetime

import pytest

from cases.ingest import ADAPTERS
from cases.ingest.base import InvalidAlert
from cases.models import Alert
from tests.cases.vendor.support import document, observables_of

pytestmark = pytest.mark.django_db

ZEEK_SSH = "ocsf_examples_zeek_ssh_activity_4007_v1_3.json"
OKTA_GROUP = "ocsf_examples_okta_group_management_3006_v1_3.json"
GITHUB_GROUP = "ocsf_examples_github_group_management_3006_v1_3.json"
WINDOWS_4663 = "ocsf_examples_windows_4663_resource_activity_1010_v1_0_rc2.json"
TENABLE_INVENTORY = "ocsf_examples_tenable_device_inventory_info_5001_v1_2.json"


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


# --- Group Management, Windows Resource Activity: titled by what they acted on -----------------


def test_an_okta_group_membership_change_names_the_group(post):
    # Before: "Group Management: Add User", the same title for every group.
    alert = ingested(post, OKTA_GROUP)
    assert alert.source_ref == "dc9fd3c0-598c-11ef-8478-2b7584bf8d5a"
    assert alert.title == "Group Management: Add User (TEST Group)"
    assert alert.description == "Add user to group membership"
    assert alert.severity == 1
    assert alert.observed_at == datetime(2024, 8, 13, 15, 58, 20, tzinfo=UTC)  # time, seconds
    # The admin who acted (actor.user) and the user added (user), each by name and address.
    assert observables_of(alert) == {
        ("ip", "10.0.0.1", "source"),
        ("user", "john doe", "user"),
        ("email", "john.doe@example.com", "user"),
        ("user", "test user", "user"),
        ("email", "test_user@example.com", "user"),
        ("domain", "example.com", "user"),
    }
    assert set(alert.tags) == {"class:Group Management", "status:Success"}


def test_a_github_team_membership_change_names_the_team(post):
    alert = ingested(post, GITHUB_GROUP)
    assert alert.source_ref == "m-111111111111=="
    assert alert.title == "Group Management: Add User (Wiley Coyote)"
    assert alert.description == ""  # no message, no raw_data
    assert alert.observed_at == datetime(2024, 10, 17, 14, 42, 46, 108000, tzinfo=UTC)  # time, ms
    assert observables_of(alert) == {
        ("ip", "1.1.1.1", "source"),
        ("user", "test_user", "user"),
        ("email", "test_user@acme.com", "user"),
        ("domain", "acme.com", "user"),
        ("user", "test_user_2", "user"),
    }


def test_a_windows_object_access_names_the_registry_key(post):
    # Before: "Windows Resource Activity: Access", the key accessed unsaid.
    alert = ingested(post, WINDOWS_4663)
    assert alert.source_ref == "05e90f2c-5be6-484c-aefb-f8e6f591bd2c"
    assert alert.title == (
        "Windows Resource Activity: Access (\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Services\\EventLog\\Security)"
    )
    assert alert.description == "An attempt was made to access an object."
    assert alert.observed_at == datetime(2015, 1, 15, 1, 30, 54, tzinfo=UTC)  # time, ms
    assert observables_of(alert) == {
        ("hostname", "szusoidc1.soi.dir.acme080.com", "destination"),
        ("user", "szusoidc1$", "user"),  # the machine account that acted
    }
    assert set(alert.tags) == {"class:Windows Resource Activity", "status:Success"}


# --- Discovery: inventory reports forwarded with the rest ---------------------------------------


def test_a_tenable_device_inventory_report_is_accepted_and_names_its_device(post):
    # Before: a 400, the Discovery category refused.
    body = document(TENABLE_INVENTORY)
    alert = ingested(post, TENABLE_INVENTORY)
    assert alert.source_ref.startswith("sha256:")  # metadata.uid is null: the content digest
    assert alert.title == "Device Inventory Info: Log (i-04ca47edc1111111)"
    assert alert.description == "Raw ExportAsset Output"
    assert alert.severity == 1  # Informational
    assert alert.observed_at == datetime(2024, 6, 8, 4, 48, 42, 354000, tzinfo=UTC)  # time, microseconds
    assert observables_of(alert) == {
        ("hostname", "i-04ca47edc1111111", "destination"),
        ("ip", "10.222.222.222", "destination"),
    }
    assert set(alert.tags) == {"class:Device Inventory Info", "status:Unknown"}
    again = post("ocsf", body)
    assert again.status_code == 200 and again.json()["duplicate"] is True


def test_a_user_inventory_report_names_its_user_and_remediation_is_still_refused():
    doc = {"class_uid": 5003, "activity_id": 1, "user": {"name": "m.keller"}, "time": 1717822122354}
    assert ADAPTERS["ocsf"].parse(doc).title == "User Inventory Info (m.keller)"
    with pytest.raises(InvalidAlert) as exc:
        ADAPTERS["ocsf"].parse({**doc, "class_uid": 7001})  # Remediation Activity
    assert "class_uid" in exc.value.errors
