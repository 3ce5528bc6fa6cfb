"""/api/v1/reference/: managers read and write, analysts read, others 403/401."""

import pytest
from django.urls import reverse

from intel import lookup
from intel.models import BusinessPartner, KnownNetwork

pytestmark = pytest.mark.django_db

NETWORKS = "/api/v1/reference/networks/"
PARTNERS = "/api/v1/reference/partners/"


@pytest.fixture
def api(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_urls_are_where_the_contract_says():
    assert reverse("api-reference-networks") == NETWORKS
    assert reverse("api-reference-partner", args=[3]) == PARTNERS + "3/"


def test_manager_creates_updates_and_deletes_a_network(api, manager):
    client = api(manager)
    created = client.post(
        NETWORKS,
        {"cidr": "203.0.113.77/32", "list": "malicious", "label": "scraper"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["cidr"] == "203.0.113.77"
    assert lookup.match_ip("203.0.113.77")[0].label == "scraper"

    changed = client.patch(f"{NETWORKS}{body['id']}/", {"list": "benign"}, content_type="application/json")
    assert changed.status_code == 200
    assert changed.json()["list"] == "benign"
    assert lookup.match_ip("203.0.113.77")[0].list == "benign"

    assert client.delete(f"{NETWORKS}{body['id']}/").status_code == 204
    assert not KnownNetwork.objects.exists()
    assert lookup.match_ip("203.0.113.77") == []


def test_bad_network_values_are_400_with_field_errors_and_duplicates_409(api, manager):
    client = api(manager)
    bad = client.post(NETWORKS, {"cidr": "10.0.0.1/8", "list": "nope"}, content_type="application/json")
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"cidr", "list"}
    assert "10.0.0.0/8" in bad.json()["errors"]["cidr"][0]

    payload = {"cidr": "198.51.100.0/24", "list": "benign", "source": "netops"}
    assert client.post(NETWORKS, payload, content_type="application/json").status_code == 201
    again = client.post(NETWORKS, payload, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


def test_manager_manages_partners(api, manager):
    client = api(manager)
    created = client.post(
        PARTNERS,
        {
            "name": "Northwind Traders",
            "domains": ["Northwind.example", "xn--nrthwind-d1a.example"],
            "networks": ["198.51.100.0/24"],
            "contract_start": "2026-01-01",
            "contract_end": "2027-12-31",
            "criticality": "high",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    partner = created.json()
    assert partner["domains"][0] == "northwind.example"
    assert lookup.match_partner_ip("198.51.100.7")[0].label == "Northwind Traders"

    backwards = client.patch(
        f"{PARTNERS}{partner['id']}/", {"contract_end": "2025-01-01"}, content_type="application/json"
    )
    assert backwards.status_code == 422
    assert "contract_end" in backwards.json()["errors"]

    bad_domain = client.patch(
        f"{PARTNERS}{partner['id']}/", {"domains": ["not a domain"]}, content_type="application/json"
    )
    assert bad_domain.status_code == 400

    assert client.delete(f"{PARTNERS}{partner['id']}/").status_code == 204
    assert not BusinessPartner.objects.exists()


def test_analysts_read_but_cannot_write(api, l1, t2):
    KnownNetwork.objects.create(cidr="203.0.113.0/24", list="malicious")
    partner = BusinessPartner.objects.create(name="Contoso")
    for user in (l1, t2):
        client = api(user)
        assert client.get(NETWORKS).json()["results"][0]["cidr"] == "203.0.113.0/24"
        assert client.get(f"{PARTNERS}{partner.pk}/").status_code == 200
        refused = client.post(
            NETWORKS, {"cidr": "192.0.2.1", "list": "benign"}, content_type="application/json"
        )
        assert refused.status_code == 403
        assert client.delete(f"{PARTNERS}{partner.pk}/").status_code == 403
    assert BusinessPartner.objects.count() == 1


def test_outsiders_ingest_tokens_and_anonymous_are_refused(api, client, outsider, ingest_source):
    anonymous = client.get(NETWORKS)
    assert anonymous.status_code in (401, 403)
    _, token = ingest_source
    with_token = client.get(NETWORKS, HTTP_AUTHORIZATION=f"Token {token}")
    assert with_token.status_code == 403
    posted = client.post(
        NETWORKS,
        {"cidr": "192.0.2.1", "list": "benign"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert posted.status_code == 403
    assert api(outsider).get(PARTNERS).status_code == 403


def test_list_is_filtered_and_paginated_in_constant_queries(api, manager, django_assert_max_num_queries):
    KnownNetwork.objects.bulk_create(
        [KnownNetwork(cidr=f"198.51.100.{i}", list="malicious", source="feed") for i in range(60)]
        + [KnownNetwork(cidr="192.0.2.0/24", list="benign", source="netops")]
    )
    client = api(manager)
    with django_assert_max_num_queries(8):
        page = client.get(NETWORKS, {"list": "malicious"}).json()
    assert page["count"] == 60
    assert len(page["results"]) == 50
    assert client.get(NETWORKS, {"q": "netops"}).json()["count"] == 1
