"""KnownNetwork.shared: shared infrastructure, in the CSV import/export, the API and the lookup."""

import pytest

from intel.exports import networks_csv
from intel.imports import import_networks_csv
from intel.lookup import invalidate, is_shared
from intel.models import KnownNetwork

pytestmark = pytest.mark.django_db

NETWORKS = "/api/v1/reference/networks/"


def test_the_csv_shared_column_imports_exports_and_round_trips(manager):
    report = import_networks_csv(
        "cidr,list,label,source,expires_at,shared\n"
        "198.51.100.0/28,benign,office NAT,it,,yes\n"
        "203.0.113.7,benign,partner proxy,it,,0\n"
        "192.0.2.1,benign,bad,it,,maybe\n",
        by=manager,
    )
    assert report.created == 2 and [(e.row, e.column) for e in report.errors] == [(4, "shared")]
    assert dict(KnownNetwork.objects.values_list("cidr", "shared")) == {
        "198.51.100.0/28": True,
        "203.0.113.7": False,
    }
    text = networks_csv()
    assert text.splitlines()[0] == "cidr,list,label,source,expires_at,shared"
    assert "198.51.100.0/28,benign,office NAT,it,,yes" in text
    again = import_networks_csv(text, by=manager)
    assert again.unchanged == 2 and again.ok
    # An old file without the column still imports (shared = no).
    assert import_networks_csv("cidr,list\n10.9.0.0/16,internal\n", by=manager).created == 1


def test_is_shared_follows_the_flag_and_expiry(manager):
    KnownNetwork.objects.create(cidr="198.51.100.0/28", list="benign", shared=True)
    KnownNetwork.objects.create(cidr="203.0.113.0/24", list="benign")
    invalidate()
    assert is_shared("198.51.100.5") and not is_shared("203.0.113.5") and not is_shared("not an ip")


def test_managers_set_shared_over_the_api_and_analysts_cannot(client, manager, l1):
    client.force_login(manager)
    created = client.post(
        NETWORKS,
        {"cidr": "198.51.100.0/28", "list": "benign", "label": "NAT", "shared": True},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["shared"] is True
    pk = created.json()["id"]
    changed = client.patch(f"{NETWORKS}{pk}/", {"shared": False}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["shared"] is False
    assert (
        client.patch(f"{NETWORKS}{pk}/", {"shared": "perhaps"}, content_type="application/json").status_code
        == 400
    )
    client.force_login(l1)
    assert (
        client.patch(f"{NETWORKS}{pk}/", {"shared": True}, content_type="application/json").status_code == 403
    )
