"""Wazuh's docs' file integrity alerts in who-data mode (tests/cases/fixtures/vendor, its
README names each) through /api/v1/alerts/wazuh/: who changed the file is the alert's user."""

from datetime import UTC, datetime

import pytest

from cases.ingest import ADAPTERS
from cases.models import Alert
from tests.cases.vendor.support import document, observables_of

pytestmark = pytest.mark.django_db

HOSTS_ALLOW = "wazuh_docs_fim_whodata_hosts_allow_indexer_hit.json"


def test_a_whodata_fim_alert_names_who_changed_the_file(post):
    # Before: the hashes and the agent only; smith, who edited the file with sudo, was lost.
    body = document(HOSTS_ALLOW)
    response = post("wazuh", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref == "1765817694.1028827"  # the alert's id, not the hit's _id
    assert alert.title == "Integrity checksum changed."
    assert alert.description == body["_source"]["full_log"]
    assert alert.severity == 2  # level 7
    assert alert.observed_at == datetime(2025, 12, 15, 16, 54, 54, 192000, tzinfo=UTC)  # -0500
    assert alert.technique_ids == ["T1565.001"] and alert.flags == []
    assert observables_of(alert) == {
        ("user", "smith", "user"),  # syscheck.audit.login_user: who logged in
        ("user", "root", "user"),  # the process's user and effective user, under sudo
        ("hash", "3016df224717bfd1f51a8edaf6aa89ae", "declared"),  # the new content's
        ("hash", "3c832d37ef2fa9f85931b072054464123f6125a2", "declared"),
        ("hash", "cf34fb40d08b630d166bf03fdfe4b82bfc6f593e19ef7bd713186be84d5e4874", "declared"),
        ("hostname", "centos_stream_10", "destination"),  # the agent: the file's host
        ("ip", "192.168.33.134", "destination"),
    }
    assert alert.tags == ["ossec", "syscheck", "syscheck_entry_modified", "syscheck_file"]


def test_a_fim_alert_without_whodata_names_no_user():
    doc = document(HOSTS_ALLOW)["_source"]
    doc["syscheck"].pop("audit")
    assert not [o for o in ADAPTERS["wazuh"].parse(doc).observables if o[0] == "user"]
