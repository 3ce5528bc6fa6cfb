"""An Enterprise Security 8 risk notable (tests/cases/fixtures/vendor, its README names the
source) through /api/v1/alerts/splunk/: posted bare, as a search over notables returns it,
and as a webhook's result."""

from datetime import UTC, datetime

import pytest

from cases.models import Alert
from tests.cases.vendor.support import document, observables_of

pytestmark = pytest.mark.django_db

RISK_NOTABLE = "pydantic_ocsf_splunk_es_8_risk_notable_raw_data.json"
TITLE = "24 hour risk threshold exceeded for system=10.0.1.4"


def ingested(post, body) -> Alert:
    response = post("splunk", body)
    assert response.status_code == 201, response.json()
    return Alert.objects.get(pk=response.json()["id"])


def test_a_risk_notable_posted_bare_is_titled_and_scored_by_its_risk_object(post):
    alert = ingested(post, document(RISK_NOTABLE))
    assert alert.source_ref == "79e20961-02b2-4f2b-b33b-99cb7bd30739@@notable@@time1771254903"
    assert alert.title == TITLE  # rule_title
    assert alert.description == "Risk Threshold Exceeded for an object over a 24 hour period"
    assert alert.severity == 3  # urgency "high"
    assert alert.observed_at == datetime(2026, 2, 16, 15, 15, 3, tzinfo=UTC)  # _time
    assert alert.technique_ids == [] and alert.flags == []
    # risk_object_type "system", an address: the host at risk.
    assert observables_of(alert) == {("ip", "10.0.1.4", "destination")}


def test_a_risk_notable_as_a_webhooks_result_keeps_its_own_title(post):
    # Before: titled by the body's search_name, "Risk - 24 Hour Risk Threshold Exceeded -
    # Rule", the same for every object the rule scores.
    row = document(RISK_NOTABLE)
    body = {
        "sid": "scheduler__admin__SplunkEnterpriseSecuritySuite__RMD5_at_1771254900_42",
        "search_name": row["search_name"],
        "app": "SplunkEnterpriseSecuritySuite",
        "result": row,
    }
    alert = ingested(post, body)
    assert alert.title == TITLE
    assert alert.source_ref.startswith(body["sid"] + "#")
    assert alert.tags == ["splunk:SplunkEnterpriseSecuritySuite"]
    assert observables_of(alert) == {("ip", "10.0.1.4", "destination")}


def test_a_plain_searchs_result_is_still_titled_by_its_search(post):
    body = {"sid": "rt_1", "search_name": "Failed sudo", "result": {"_time": "1771254903", "user": "bob"}}
    assert ingested(post, body).title == "Failed sudo"
