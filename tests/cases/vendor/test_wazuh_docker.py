"""Wazuh's docs' Docker alerts (tests/cases/fixtures/vendor, its README names each) through
/api/v1/alerts/wazuh/: the docker-listener wodle's container event and a web attack read
from a container's runtime log. Both copies keep the indexer's `_id` beside the alert's own
`id`, which wins."""

from datetime import UTC, datetime

import pytest

from cases.models import Alert
from tests.cases.vendor.support import document, observables_of

pytestmark = pytest.mark.django_db

CONTAINER_STARTED = "wazuh_docs_docker_container_started_87903.json"
SQL_INJECTION = "wazuh_docs_docker_web_sql_injection_31103.json"


def ingested(post, name: str) -> Alert:
    response = post("wazuh", document(name))
    assert response.status_code == 201, response.json()
    return Alert.objects.get(pk=response.json()["id"])


def test_a_docker_listener_event_is_about_the_docker_host(post):
    alert = ingested(post, CONTAINER_STARTED)
    assert alert.source_ref == "1683632491.847900"
    assert alert.title == "Docker: Container test-container started"
    assert alert.severity == 1  # level 3
    assert alert.observed_at == datetime(2023, 5, 9, 11, 41, 31, 33000, tzinfo=UTC)
    assert alert.technique_ids == []
    # data.integration "docker" is no cloud collector: the agent is the host the container runs on.
    assert observables_of(alert) == {
        ("hostname", "ubuntu22", "destination"),
        ("ip", "192.168.132.140", "destination"),
    }
    assert alert.tags == ["docker"]
    again = post("wazuh", document(CONTAINER_STARTED))
    assert again.status_code == 200 and again.json()["duplicate"] is True


def test_a_containers_web_log_sql_injection_has_its_attacker_and_technique(post):
    alert = ingested(post, SQL_INJECTION)
    assert alert.source_ref == "1683900735.283081"
    assert alert.title == "SQL injection attempt."
    assert alert.description.startswith('{"log":"192.168.132.1 - - [12/May/2023:14:12:14 +0000]')
    assert alert.severity == 2  # level 7
    assert alert.observed_at == datetime(2023, 5, 12, 14, 12, 15, 875000, tzinfo=UTC)
    assert alert.technique_ids == ["T1190"]
    # data.url is a path ("/users/?id=SELECT+*+FROM+users"), no URL: no observable.
    assert observables_of(alert) == {
        ("ip", "192.168.132.1", "source"),
        ("hostname", "ubuntu22", "destination"),
        ("ip", "192.168.132.140", "destination"),
    }
    assert {"attack", "sql_injection"} <= set(alert.tags)
    again = post("wazuh", document(SQL_INJECTION))
    assert again.status_code == 200 and again.json()["duplicate"] is True
