"""Splunk webhook bodies captured from real deployments (tests/cases/fixtures/vendor, its
README names each) through /api/v1/alerts/splunk/: an EZproxy search's result, every field
Splunk extracted beside `_raw`."""

from datetime import UTC, datetime

import pytest

from cases.models import Alert
from tests.cases.vendor.support import document, observables_of

pytestmark = pytest.mark.django_db

BRICK_EZPROXY = "splunk_brick_ezproxy_webhook_sanitized_payload.json"


def test_a_captured_ezproxy_webhook_reads_its_client_user_and_url(post):
    # Read in full before this set: its spellings (srcip, username, URL) were already known.
    body = document(BRICK_EZPROXY)
    response = post("splunk", body)
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(pk=response.json()["id"])
    assert alert.source_ref.startswith(body["sid"] + "#")
    assert alert.title == "TEST - Webhook - Echo"  # search_name
    assert alert.description == body["result"]["_raw"]
    assert alert.severity == 2  # no urgency or severity: medium
    assert alert.observed_at == datetime(2020, 2, 12, 14, 32, 15, tzinfo=UTC)  # _time
    assert alert.technique_ids == [] and alert.flags == []
    # `url` is "" (EZproxy's own field, empty); `URL` the request's; `host` the proxy's.
    assert observables_of(alert) == {
        ("ip", "192.168.2.3", "source"),
        ("user", "abc0001", "user"),
        ("url", "https://1.vendor.example.com:443/V1/Session/ExtendSessionActiveBrowser", "declared"),
        ("hostname", "ezproxy", "destination"),
    }
    assert alert.tags == ["splunk:search", "sourcetype:ezproxy-http", "source:/path/to/traffic/log/file.txt"]
    again = post("splunk", body)
    assert again.status_code == 200 and again.json()["duplicate"] is True
